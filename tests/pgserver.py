"""A throwaway PostgreSQL cluster on a loopback port for the tests (Debian's ``postgresql`` package).

``start()`` runs ``initdb`` into a temporary folder and ``pg_ctl start`` on a free port, as the ``postgres``
user when the tests run as root (PostgreSQL refuses to run as root). Nothing outside the folder is touched.
In CI (``CI`` set) a missing PostgreSQL is an error, never a skip.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path


def _bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    return candidates[0] if candidates else None


def available() -> bool:
    """Whether this machine has PostgreSQL's server programs."""
    return _bin("initdb") is not None and _bin("pg_ctl") is not None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Server:
    """A running cluster: its folder, port and the user the tests connect as."""

    folder: Path
    port: int
    user: str
    as_postgres: bool

    def url(self, database: str = "postgres", *, user: str | None = None, password: str | None = None) -> str:
        """The SQLAlchemy URL of ``database`` on this server."""
        credentials = user or self.user
        if password:
            credentials += f":{password}"
        return f"postgresql+psycopg://{credentials}@127.0.0.1:{self.port}/{database}"

    def sql(self, statement: str, database: str = "postgres") -> None:
        """Run one statement outside a transaction (CREATE DATABASE, DROP DATABASE …)."""
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=self.port, user=self.user, dbname=database, autocommit=True) as c:
            c.execute(statement)

    def stop(self) -> None:
        """Stop the cluster at once and remove its folder."""
        self._run([_bin("pg_ctl"), "-D", str(self.folder / "data"), "-m", "immediate", "-w", "stop"], check=False)
        shutil.rmtree(self.folder, ignore_errors=True)

    def _run(self, command: list[str], check: bool = True) -> subprocess.CompletedProcess:
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, check=check, capture_output=True, text=True)


def start() -> Server:
    """Create and start a cluster with trust authentication on 127.0.0.1 only."""
    as_postgres = os.geteuid() == 0
    folder = Path(tempfile.mkdtemp(prefix="caselog-pg-"))
    if as_postgres:
        shutil.chown(folder, "postgres", "postgres")
    server = Server(
        folder, _free_port(), "postgres" if as_postgres else os.environ.get("USER", "postgres"), as_postgres
    )
    data = folder / "data"
    initdb = [_bin("initdb"), "-D", str(data), "-U", server.user, "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]
    server._run([*initdb, "--no-sync"])
    options = f"-p {server.port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
    server._run([_bin("pg_ctl"), "-D", str(data), "-o", options, "-l", str(folder / "log"), "-w", "start"])
    return server
