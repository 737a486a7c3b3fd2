"""Cases by a piece of their title or description: the search index narrows them down, ``LIKE`` decides.

A case matches when the text (trimmed) occurs in its title or description, letter case of A–Z aside, exactly as
SQLite's ``LIKE '%…%'`` says; PostgreSQL is given the same rule (its ``LIKE`` minds case, so both sides are
folded there). The index (revision 0005; terms in ``caselog.searchterms``) only ever narrows the cases that
``LIKE`` then reads: it can make a search fast, never change its answer. A text the index cannot narrow (one
character, or punctuation alone) is answered by ``LIKE`` over every case.

The SQL differs by dialect (``connection.dialect.name``): SQLite asks its FTS5 table ``case_search``,
PostgreSQL the GIN index over ``caselog_search_terms(title, description)``.
"""

from __future__ import annotations

from sqlalchemy import and_, cast, column, func, literal_column, or_, select, table
from sqlmodel import Session

from caselog.models import Case
from caselog.searchterms import ASCII_LOWER, ASCII_UPPER, SearchQuery, fold, search_query

# On SQLite, a newest-first page of a text with more candidates than this is found by reading the newest cases
# until the page is full (a common text fills it within a few thousand); fewer are fetched through the index
# and sorted. Measured by bench/search.py: both ways take a few tens of milliseconds at this size on 10M cases.
PAGE_PROBE = 20_000

_case_search = table("case_search", column("rowid"))


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _like(text: str, dialect: str):
    pattern = f"%{_escape_like(text)}%"
    if dialect == "sqlite":  # SQLite's LIKE already ignores the case of A–Z, and only of A–Z
        return or_(Case.title.like(pattern, escape="\\"), Case.description.like(pattern, escape="\\"))

    def folded(field):
        return func.translate(field, ASCII_UPPER, ASCII_LOWER)

    pattern = fold(pattern)
    return or_(folded(Case.title).like(pattern, escape="\\"), folded(Case.description).like(pattern, escape="\\"))


def _matches(query: SearchQuery):
    """The FTS5 query selecting candidate case ids (SQLite)."""
    return select(_case_search.c.rowid).where(literal_column("case_search").op("MATCH")(query.fts5()))


def _candidates(session: Session, query: SearchQuery, at_most: int) -> int:
    found = select(func.count()).select_from(_matches(query).limit(at_most).subquery())
    return session.scalar(found)


def search_condition(*, session: Session, text: str, page: int = 0):
    """The condition on ``Case`` that keeps the cases whose title or description contains ``text``.

    ``page`` is how many of the newest matches the caller will read (0: all of them). On SQLite, when the
    index would hand over more than ``PAGE_PROBE`` candidates for a page, ``LIKE`` alone is given: read newest
    first, a text that common fills the page long before the index could be read and its cases sorted.
    """
    text = text.strip()
    dialect = session.get_bind().dialect.name
    like = _like(text, dialect)
    query = search_query(text)
    if query is None:
        return like
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import TSQUERY

        terms = func.caselog_search_terms(Case.title, Case.description)
        return and_(terms.op("@@")(cast(query.tsquery(), TSQUERY)), like)
    if page and _candidates(session, query, PAGE_PROBE + 1) > PAGE_PROBE:
        return like
    return and_(Case.id.in_(_matches(query)), like)
