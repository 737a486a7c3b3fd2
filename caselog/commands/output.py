"""Where a command's output goes: records as a table, json or csv on standard output, or text to a file written
whole or not at all (never through a symbolic link)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer

from caselog.commands.options import Format
from caselog.errors import BadInput
from caselog.i18n import _


def output_folder(text: str) -> Path:
    """The folder ``--output-dir`` names, which must exist already (an empty text names no folder)."""
    if not text.strip():  # an empty --output-dir is no folder (not the standard output)
        raise BadInput(_("--output-dir: {path} is not a folder").format(path="''"))
    folder = Path(text)
    if not folder.exists():
        raise BadInput(_("--output-dir: {path} does not exist; create the folder first").format(path=folder))
    if not folder.is_dir():
        raise BadInput(_("--output-dir: {path} is a file, not a folder").format(path=folder))
    return folder


def write_output(target: str, text: str) -> None:
    """Write ``text`` to the file ``target`` whole or not at all, never through a symlink."""
    with output_stream(target) as handle:
        handle.write(text)


class _Echoed:
    """A text stream onto standard output (through ``typer.echo``) that writes a large text in chunks, so it is
    never held whole: the same bytes as one ``echo`` of all of it."""

    CHUNK = 1 << 20  # characters

    def __init__(self) -> None:
        self.pieces: list[str] = []
        self.size = 0

    def write(self, text: str) -> None:
        self.pieces.append(text)
        self.size += len(text)
        if self.size >= self.CHUNK:
            self.flush()

    def flush(self) -> None:
        if self.pieces:
            typer.echo("".join(self.pieces), nl=False)
            self.pieces, self.size = [], 0


@contextmanager
def output_stream(target: str | None) -> Iterator[Any]:
    """A text stream for a command's output as it is made: standard output (None), else the file ``target``,
    written whole or not at all (a temporary file replaces it when the block ends without an error), never
    through a symlink."""
    if target is None:
        echoed = _Echoed()
        yield echoed
        echoed.flush()
        return
    from caselog.files.writing import create_temporary

    path = Path(target)
    if path.is_symlink():
        raise BadInput(_("--output: {path} is a symbolic link; caselog does not write through links").format(path=path))
    if path.is_dir():
        raise BadInput(_("--output: {path} is a directory").format(path=path))
    directory = path.parent if str(path.parent) else Path(".")
    temporary = None
    try:
        fd, temporary = create_temporary(str(directory), path.name)  # the user's umask, as every Unix tool
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            yield handle
        os.replace(temporary, path)
        temporary = None
    except OSError as error:
        raise BadInput(_("--output: cannot write {path} ({reason})").format(path=path, reason=error.strerror)) from None
    finally:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)


def emit(
    records: Sequence[Any] | Any,
    fmt: Format,
    *,
    columns: Sequence[tuple[str, Any]] = (),
    title: str | None = None,
    empty: str = "",
    raw: bool = False,
) -> None:
    """Print records (or one record) as a table, json or csv (text cells guarded against formulas unless ``raw``)."""

    if fmt is Format.json:
        from caselog.render.machine import write_json

        write_json(records, sys.stdout)
    elif fmt is Format.csv:
        from caselog.render.machine import write_csv

        write_csv(records if isinstance(records, list | tuple) else [records], sys.stdout, raw=raw)
    else:
        from caselog.render.terminal import print_table

        print_table(records, columns, title=title, empty=empty)
