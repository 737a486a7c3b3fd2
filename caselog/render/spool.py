"""Text written before what must precede it is known: an agenda's sections go out after its totals, a table's
rows after the widths that all its rows decide. Held in memory while small, then in a temporary file, so an output
of any size takes the same memory."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from typing import IO


class Spool:
    """Text kept to be copied to an output later, in the order written: in memory up to ``limit`` characters,
    then in an unnamed temporary file (removed when closed, or when the process ends)."""

    CHUNK = 1 << 20  # characters held in memory before they go to the file, and copied at a time

    def __init__(self, limit: int | None = None) -> None:
        self.pieces: list[str] = []
        self.size = 0
        self.limit = self.CHUNK if limit is None else limit
        self.file: IO[str] | None = None

    def write(self, text: str) -> None:
        """Keep ``text`` after what was written before."""
        self.pieces.append(text)
        self.size += len(text)
        if self.size > self.limit:
            self._spill()

    def _spill(self) -> None:
        if self.file is None:
            self.file = tempfile.TemporaryFile("w+", encoding="utf-8", newline="\n")
        self.file.write("".join(self.pieces))
        self.pieces, self.size = [], 0

    def copy_to(self, out: IO[str]) -> None:
        """Write everything kept to ``out``, then forget it."""
        if self.file is None:
            out.write("".join(self.pieces))
            self.pieces, self.size = [], 0
            return
        self._spill()
        self.file.seek(0)
        while chunk := self.file.read(self.CHUNK):
            out.write(chunk)
        self.close()

    def lines(self) -> Iterator[str]:
        """The lines kept (each ending in ``\n``, the only line break they hold), read back in order, then
        forgotten."""
        if self.file is None:
            text = "".join(self.pieces)
            self.pieces, self.size = [], 0
            for line in text.split("\n")[:-1]:
                yield line + "\n"
            return
        self._spill()
        self.file.seek(0)
        yield from self.file
        self.close()

    def close(self) -> None:
        """Forget what is kept and remove the temporary file."""
        self.pieces, self.size = [], 0
        if self.file is not None:
            self.file.close()
            self.file = None
