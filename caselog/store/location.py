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
        """The location as a user may see it: the file path, or the URL with any password masked, the one before
        the host and the one in the query string (``?password=…``) alike; a URL that cannot be read shows only its
        scheme."""
        if self.path is not None:
            return str(self.path)
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        try:
            url = make_url(self.url)
            query = {key: _MASK if key.lower() in SECRET_PARAMETERS else value for key, value in url.query.items()}
            return url.set(query=query).render_as_string(hide_password=True).replace(_MASK, "***")
        except (ArgumentError, ValueError):
            return self.url.split("://", 1)[0] + "://…"

    def scrub(self, text: str) -> str:
        """``text`` (a driver's message) with every password of the URL in it masked."""
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        if self.path is not None:
            return text
        try:
            url = make_url(self.url)
        except (ArgumentError, ValueError):
            return text
        secrets = [url.password] if url.password else []
        for key, value in url.query.items():
            if key.lower() in SECRET_PARAMETERS:
                secrets += [value] if isinstance(value, str) else list(value)
        for secret in sorted(filter(None, secrets), key=len, reverse=True):
            text = text.replace(secret, "***")
        return text


# The query parameters of a database URL that hold a password (libpq's names).
SECRET_PARAMETERS = frozenset({"password", "sslpassword"})
_MASK = "caselogmaskedsecret"


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
