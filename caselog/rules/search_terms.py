"""The terms of the case search index, and the query that finds a piece of text through them. Pure, stdlib only.

A case's title and description are split into *runs* of characters at separators (spaces, ASCII punctuation,
Chinese and full-width punctuation); every run is indexed as its overlapping pairs of characters (``门禁系统``
gives ``门禁 禁系 系统``), a run of one character as itself. ASCII letters are folded to lower case; nothing else
is changed, so a Chinese word, a Latin word and a number are all found the same way, from any character on.

A search text is split the same way. Every pair in it must be a term of a matching case, so the index narrows
the cases to candidates, and the database's ``LIKE`` then decides (it is the definition of a match). What the
index cannot promise is left out of the query rather than guessed:

- a one-character run that begins the text may end a longer run in the case (``门`` of ``大门``): left out;
- a one-character run that ends the text may begin a longer one: a prefix term (``禁*`` finds ``禁止``);
- a text with no pair and no bounded character (``门``, ``a``, ``,``) gives no query: the caller scans.

The same rules are written in SQL for PostgreSQL (migration 0005, ``caselog_search_terms``); a test holds the
two to the same answers. Changing them changes what the index holds: that needs a migration that rebuilds it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from operator import add

# Separators: ASCII other than letters and digits, Latin-1 punctuation and symbols, general punctuation, CJK
# symbols and punctuation, vertical, compatibility and small forms, and full-width ASCII punctuation. Every other
# character is part of a run. The list is explicit (not Unicode categories) so that PostgreSQL's regular
# expressions, whatever the server's locale, draw exactly the same lines as Python does.
SEPARATOR_RANGES = (
    ("\u0000", "\u002f"),
    ("\u003a", "\u0040"),
    ("\u005b", "\u0060"),
    ("\u007b", "\u00bf"),
    ("\u2000", "\u206f"),
    ("\u3000", "\u303f"),
    ("\ufe10", "\ufe1f"),
    ("\ufe30", "\ufe6f"),
    ("\uff00", "\uff0f"),
    ("\uff1a", "\uff20"),
    ("\uff3b", "\uff40"),
    ("\uff5b", "\uff65"),
)
_SEPARATORS = re.compile("[" + "".join(f"{re.escape(a)}-{re.escape(b)}" for a, b in SEPARATOR_RANGES) + "]+")
ASCII_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
ASCII_LOWER = ASCII_UPPER.lower()
_FOLD = str.maketrans(ASCII_UPPER, ASCII_LOWER)
_ASCII_CAPITAL = re.compile("[A-Z]")


def fold(text: str) -> str:
    """``text`` with ASCII letters in lower case (the only folding SQLite's LIKE does)."""
    return text.translate(_FOLD)


def _pairs(run: str) -> list[str]:
    if len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)]


def index_terms(*texts: str | None) -> str:
    """The index terms of a case's texts (title, description), space-separated, each once, in a fixed order."""
    # Runs every insert of a case (a million for a large import): the texts are joined with a separator and
    # folded only when they hold an ASCII capital, and each run's pairs are made by ``map`` in C. A run seen
    # before (a description often begins with the title) adds no term: it is paired once.
    text = " ".join([t for t in texts if t])
    if _ASCII_CAPITAL.search(text):
        text = text.translate(_FOLD)
    terms: list[str] = []
    for run in dict.fromkeys(_SEPARATORS.split(text)):
        if len(run) > 1:
            terms += map(add, run, run[1:])
        elif run:
            terms.append(run)
    return " ".join(dict.fromkeys(terms))


@dataclass(frozen=True)
class SearchQuery:
    """What a search text asks of the index: terms every match has, and maybe a prefix one of its terms has."""

    terms: tuple[str, ...]
    prefix: str | None = None

    def fts5(self) -> str:
        """The query for SQLite's FTS5 (``MATCH``): every term, quoted, and the prefix with ``*``."""
        parts = [f'"{term}"' for term in self.terms]
        if self.prefix:
            parts.append(f'"{self.prefix}"*')
        return " AND ".join(parts)

    def tsquery(self) -> str:
        """The query for PostgreSQL (a ``tsquery`` of quoted lexemes, the prefix with ``:*``)."""
        parts = [f"'{term}'" for term in self.terms]
        if self.prefix:
            parts.append(f"'{self.prefix}':*")
        return " & ".join(parts)


def search_query(text: str) -> SearchQuery | None:
    """The index query that finds every case containing ``text``, or None when the index cannot narrow it.

    Terms never contain a separator, so none holds a quote, a backslash or an operator of either query syntax.
    """
    pieces = _SEPARATORS.split(fold(text))
    open_start, open_end = pieces[0] != "", pieces[-1] != ""
    runs = [piece for piece in pieces if piece]
    terms: dict[str, None] = {}
    prefix = None
    for number, run in enumerate(runs):
        first = number == 0 and open_start
        last = number == len(runs) - 1 and open_end
        if len(run) > 1:
            terms.update(dict.fromkeys(_pairs(run)))
        elif last and not first:
            prefix = run
        elif not first:
            terms[run] = None
    if not terms and prefix is None:
        return None
    return SearchQuery(tuple(terms), prefix)
