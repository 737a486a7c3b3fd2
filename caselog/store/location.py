"""Where the database is: one place decides it, for every command.

``--db``, else ``CASELOG_DB``, else ``caselog.db`` in the user's application directory. A plain path means SQLite;
anything with ``://`` is a SQLAlchemy URL used as given. Cheap to import (the standard library only): the commands
that read SQLite through ``caselog.store.sqlite_reads`` need a location and nothing of the database stack.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Location:
    """A resolved database location: the SQLAlchemy URL, and the file when it is SQLite on disk."""

    url: str
    path: Path | None

    @property
    def is_sqlite(self) -> bool:
        """True for SQLite, on disk or in memory."""
        return self.url.startswith("sqlite")

    def display(self) -> str:
        """The location as a user may see it: the file path, or the URL with any password masked."""
        if self.path is not None:
            return str(self.path)
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        try:
            return make_url(self.url).render_as_string(hide_password=True)
        except ArgumentError:
            return self.url.split("://", 1)[0] + "://…"


def resolve_location(option: str | None, *, env: Mapping[str, str], default_dir: Path) -> Location:
    """Where the database is: ``option`` (``--db``), else ``CASELOG_DB``, else ``default_dir/caselog.db``."""
    value = option or env.get("CASELOG_DB") or str(default_dir / "caselog.db")
    if "://" in value:
        path = None
        rest = value[len("sqlite:///") :].split("?", 1)[0] if value.startswith("sqlite:///") else ""
        if rest and rest != ":memory:":
            path = Path(rest)
        return Location(url=value, path=path)
    path = Path(value).expanduser().absolute()
    return Location(url=f"sqlite:///{path}", path=path)
