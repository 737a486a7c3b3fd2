"""Cases by a piece of their title or description: the search index narrows them down, ``LIKE`` decides.

A case matches when the text (trimmed) occurs in its title or description, letter case of A–Z aside, exactly as
SQLite's ``LIKE '%…%'`` says; PostgreSQL is given the same rule (its ``LIKE`` minds case, so both sides are
folded there). The index (revision 0005; terms in ``caselog.searchterms``) only ever narrows the cases that
``LIKE`` then reads: it can make a search fast, never change its answer. A text the index cannot narrow (one
character, or punctuation alone) is answered by ``LIKE`` over every case.

The SQL differs by dialect (``connection.dialect.name``): SQLite asks its FTS5 table ``case_search``,
PostgreSQL the GIN index over ``caselog_search_terms(title, description)``. For a page of newest matches,
``newest_matches`` weighs the index against reading newest first on both (PostgreSQL's planner cannot know
that a common text's matches are spread over the years, and sorts them all).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from sqlalchemy import and_, cast, column, func, literal_column, or_, select, table

from caselog.searchterms import ASCII_LOWER, ASCII_UPPER, SearchQuery, fold, search_query
from caselog.tables import cases as light_cases

if TYPE_CHECKING:
    from sqlalchemy.sql import FromClause
    from sqlmodel import Session

# Reading the next case in time order costs about a tenth of fetching a case by id (SQLite, 1M cases; about
# the same on PostgreSQL): this sets where a page of newest matches is read in time order instead.
SCAN_TO_SEEK = 0.1
# How far past the expected depth a read in time order goes before the index is asked after all.
WINDOW_MARGIN = 4
# Up to this many candidates the index is always the way.
FEW_CANDIDATES = 100

_case_search = table("case_search", column("rowid"))


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _like(text: str, dialect: str, cases: FromClause):
    pattern = f"%{_escape_like(text)}%"
    title, description = cases.c.title, cases.c.description
    if dialect == "sqlite":  # SQLite's LIKE already ignores the case of A–Z, and only of A–Z
        return or_(title.like(pattern, escape="\\"), description.like(pattern, escape="\\"))

    def folded(field):
        return func.translate(field, ASCII_UPPER, ASCII_LOWER)

    pattern = fold(pattern)
    return or_(folded(title).like(pattern, escape="\\"), folded(description).like(pattern, escape="\\"))


def _terms_match(query: SearchQuery, cases: FromClause):
    """PostgreSQL: the cases whose index terms hold the query (matches the GIN index's expression)."""
    from sqlalchemy.dialects.postgresql import TSQUERY

    terms = func.caselog_search_terms(cases.c.title, cases.c.description)
    return terms.op("@@")(cast(query.tsquery(), TSQUERY))


def _candidates(query: SearchQuery, dialect: str, cases: FromClause):
    """The ids of the cases the index offers."""
    if dialect == "postgresql":
        return select(cases.c.id).where(_terms_match(query, cases))
    return select(_case_search.c.rowid).where(literal_column("case_search").op("MATCH")(query.fts5()))


def _indexed(query: SearchQuery, dialect: str, cases: FromClause):
    if dialect == "postgresql":
        return _terms_match(query, cases)
    return cases.c.id.in_(_candidates(query, dialect, cases))


def search_condition(*, session: Session, text: str, cases: FromClause = light_cases):
    """The condition on the ``cases`` table (the light one, or the model's) that keeps the cases whose title or
    description contains ``text``."""
    text = text.strip()
    dialect = session.get_bind().dialect.name
    query = search_query(text)
    like = _like(text, dialect, cases)
    return like if query is None else and_(_indexed(query, dialect, cases), like)


def newest_matches(*, session: Session, select_cases, text: str, limit: int) -> list:
    """The first ``limit`` rows of ``select_cases`` (a query on the light ``cases`` table, ordered newest first)
    whose case contains ``text``.

    Fetching the candidates by id and sorting them costs about the number of candidates; reading
    the newest cases until the page is full costs about ``limit`` × cases ÷ candidates. The index says how many
    candidates there are (counting only up to the point where both cost the same), and the cheaper way is
    taken. Read in time order, the search stops after a window of ``WINDOW_MARGIN`` times the expected depth
    (matches may all be old, or other filters rare) and the index is asked after all.
    """
    text = text.strip()
    dialect = session.get_bind().dialect.name
    query = search_query(text)
    like = _like(text, dialect, light_cases)
    if query is None:
        return session.execute(select_cases.where(like).limit(limit)).all()
    through_index = select_cases.where(_indexed(query, dialect, light_cases), like).limit(limit)
    cases = session.scalar(select(func.max(light_cases.c.id))) or 0
    balance = max(FEW_CANDIDATES, math.isqrt(int(SCAN_TO_SEEK * limit * cases)))
    offered = _candidates(query, dialect, light_cases).limit(balance + 1).subquery()
    candidates = session.scalar(select(func.count()).select_from(offered))
    if candidates <= balance:
        return session.execute(through_index).all()
    window = int(WINDOW_MARGIN * limit * cases / max(balance, 1))
    opened_at = light_cases.c.opened_at
    cutoff = session.scalar(select(opened_at).order_by(opened_at.desc()).offset(window).limit(1))
    if cutoff is None:  # the window holds every case
        return session.execute(select_cases.where(like).limit(limit)).all()
    found = session.execute(select_cases.where(like, opened_at >= cutoff).limit(limit)).all()
    if len(found) == limit:
        return found
    return session.execute(through_index).all()
