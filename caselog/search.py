"""Cases by a piece of their title or description: the search index narrows them down, ``LIKE`` decides.

A case matches when the text (trimmed) occurs in its title or description, letter case of A–Z aside, exactly as
SQLite's ``LIKE '%…%'`` says; PostgreSQL is given the same rule (its ``LIKE`` minds case, so both sides are
folded there). The index (revision 0005; terms in ``caselog.searchterms``) only ever narrows the cases that
``LIKE`` then reads: it can make a search fast, never change its answer. A text the index cannot narrow (one
character, or punctuation alone) is answered by ``LIKE`` over every case.

The SQL differs by dialect (``connection.dialect.name``): SQLite asks its FTS5 table ``case_search``
(revision 0005), PostgreSQL the GIN index of its side table ``case_search_terms`` (revision 0008). For a page
of newest matches, ``newest_matches`` weighs the index against reading newest first on both (PostgreSQL's
planner cannot know that a common text's matches are spread over the years, and sorts them all).
"""

from __future__ import annotations

import math

from sqlalchemy import and_, cast, column, func, literal_column, or_, select, table
from sqlmodel import Session

from caselog.models import Case
from caselog.searchterms import ASCII_LOWER, ASCII_UPPER, SearchQuery, fold, search_query

# Reading the next case in time order costs about a tenth of fetching a case by id (SQLite, 1M cases; about
# the same on PostgreSQL): this sets where a page of newest matches is read in time order instead.
SCAN_TO_SEEK = 0.1
# How far past the expected depth a read in time order goes before the index is asked after all.
WINDOW_MARGIN = 4
# Up to this many candidates the index is always the way.
FEW_CANDIDATES = 100

_case_search = table("case_search", column("rowid"))
_case_search_terms = table("case_search_terms", column("case_id"), column("terms"))


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


def _candidates(query: SearchQuery, dialect: str):
    """The ids of the cases the index offers."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import TSQUERY

        match = _case_search_terms.c.terms.op("@@")(cast(query.tsquery(), TSQUERY))
        return select(_case_search_terms.c.case_id).where(match)
    return select(_case_search.c.rowid).where(literal_column("case_search").op("MATCH")(query.fts5()))


def _indexed(query: SearchQuery, dialect: str):
    return Case.id.in_(_candidates(query, dialect))


def search_condition(*, session: Session, text: str):
    """The condition on ``Case`` that keeps the cases whose title or description contains ``text``."""
    text = text.strip()
    dialect = session.get_bind().dialect.name
    query = search_query(text)
    like = _like(text, dialect)
    return like if query is None else and_(_indexed(query, dialect), like)


def newest_matches(*, session: Session, select_cases, text: str, limit: int) -> list:
    """The first ``limit`` rows of ``select_cases`` (ordered newest first) whose case contains ``text``.

    Fetching the candidates by id and sorting them costs about the number of candidates; reading
    the newest cases until the page is full costs about ``limit`` × cases ÷ candidates. The index says how many
    candidates there are (counting only up to the point where both cost the same), and the cheaper way is
    taken. Read in time order, the search stops after a window of ``WINDOW_MARGIN`` times the expected depth
    (matches may all be old, or other filters rare) and the index is asked after all.
    """
    text = text.strip()
    dialect = session.get_bind().dialect.name
    query = search_query(text)
    like = _like(text, dialect)
    if query is None:
        return session.execute(select_cases.where(like).limit(limit)).all()
    through_index = select_cases.where(_indexed(query, dialect), like).limit(limit)
    cases = session.scalar(select(func.max(Case.id))) or 0
    balance = max(FEW_CANDIDATES, math.isqrt(int(SCAN_TO_SEEK * limit * cases)))
    offered = _candidates(query, dialect).limit(balance + 1).subquery()
    candidates = session.scalar(select(func.count()).select_from(offered))
    if candidates <= balance:
        return session.execute(through_index).all()
    window = int(WINDOW_MARGIN * limit * cases / max(balance, 1))
    cutoff = session.scalar(select(Case.opened_at).order_by(Case.opened_at.desc()).offset(window).limit(1))
    if cutoff is None:  # the window holds every case
        return session.execute(select_cases.where(like).limit(limit)).all()
    found = session.execute(select_cases.where(like, Case.opened_at >= cutoff).limit(limit)).all()
    if len(found) == limit:
        return found
    return session.execute(through_index).all()
