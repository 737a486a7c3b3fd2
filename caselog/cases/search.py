"""Cases by a piece of their title or description: the search index narrows them down, ``LIKE`` decides.

A case matches when the text (trimmed) occurs in its title or description, letter case of A–Z aside, exactly as
SQLite's ``LIKE '%…%'`` says; PostgreSQL is given the same rule (its ``LIKE`` minds case, so both sides are
folded there). The index (terms in ``caselog.rules.search_terms``) only ever narrows the cases that ``LIKE`` then reads:
it can make a search fast, never change its answer. A text the index cannot narrow (one character, or
punctuation alone) is answered by ``LIKE`` over every case.

The SQL differs by dialect (``connection.dialect.name``): SQLite asks its FTS5 table ``case_search`` (revision
0005), PostgreSQL the GIN index of its side table ``case_search_terms`` (revision 0008). For a page of newest
matches, SQLite walks the index back from the newest case in windows of ids (FTS5 seeks to a range of rowids),
and PostgreSQL weighs the index against reading newest first (its planner cannot know that a common text's
matches are spread over the years, and sorts them all).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from sqlalchemy import and_, cast, column, func, literal_column, or_, select, table

from caselog.rules.search_terms import ASCII_LOWER, ASCII_UPPER, SearchQuery, fold, search_query
from caselog.store.core_tables import cases as light_cases
from caselog.store.times import UTCDateTime

if TYPE_CHECKING:
    from sqlalchemy.sql import FromClause
    from sqlmodel import Session

# SQLite: how many candidates each batch of a page of newest matches holds. Past the last, the page is still not
# sure (its matches are old, or other filters rare): the rest of the candidates go to one query, whose plan
# SQLite chooses knowing the other filters (an index on status or opened_at may then lead).
BATCHES = (64, 256, 1024, 4096)
# SQLite: past the batches, more candidates than this left and fewer cases than this kept by the other filters
# (a status, a period, a department): those cases are read by their filters' index, and LIKE decides.
MANY = 20_000
# SQLite: case_search_blocks's blocks of ids (revision 0008) are 2 ** BLOCK_BITS ids each.
BLOCK_BITS = 10
# SQLite: the newest ids whose terms tell which of a text's pairs are rare.
SAMPLE = 4096
# SQLite: at most this many of a text's pairs go to FTS5, those fewest among the newest cases. The pairs of a
# text overlap, so a few rare ones narrow nearly as well as all of them, and FTS5's work grows with each pair.
MOST_TERMS = 3
# PostgreSQL: reading the next case in time order costs about a tenth of fetching a case by id (as on SQLite):
# this sets where a page of newest matches is read in time order instead.
SCAN_TO_SEEK = 0.1
# How far past the expected depth a read in time order goes before the index is asked after all.
WINDOW_MARGIN = 4
# Up to this many candidates the index is always the way.
FEW_CANDIDATES = 100

_case_search = table("case_search", column("rowid"))
_case_search_blocks = table("case_search_blocks", column("block"), column("newest", UTCDateTime()))
_case_search_terms = table("case_search_terms", column("case_id"), column("terms"))


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _like(text: str, dialect: str, cases: FromClause = light_cases):
    pattern = f"%{_escape_like(text)}%"
    title, description = cases.c.title, cases.c.description
    if dialect == "sqlite":  # SQLite's LIKE already ignores the case of A–Z, and only of A–Z
        return or_(title.like(pattern, escape="\\"), description.like(pattern, escape="\\"))

    def folded(field):
        return func.translate(field, ASCII_UPPER, ASCII_LOWER)

    pattern = fold(pattern)
    return or_(folded(title).like(pattern, escape="\\"), folded(description).like(pattern, escape="\\"))


def _candidates(query: SearchQuery, dialect: str):
    """The ids of the cases the index offers."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import TSQUERY

        match = _case_search_terms.c.terms.op("@@")(cast(query.tsquery(), TSQUERY))
        return select(_case_search_terms.c.case_id).where(match)
    return select(_case_search.c.rowid).where(literal_column("case_search").op("MATCH")(query.fts5()))


def search_condition(*, session: Session, text: str, cases: FromClause = light_cases):
    """The condition on the ``cases`` table (the light one, or the model's) that keeps the cases whose title or
    description contains ``text``."""
    text = text.strip()
    dialect = session.get_bind().dialect.name
    query = search_query(text)
    like = _like(text, dialect, cases)
    return like if query is None else and_(cases.c.id.in_(_candidates(query, dialect)), like)


def newest_matches(*, session: Session, select_cases, text: str, limit: int, kept_more_than) -> list:
    """The first ``limit`` rows of ``select_cases`` (a query on the light ``cases`` table ordered by ``opened_at``
    then ``id``, newest first, both among its columns) whose case contains ``text``. ``kept_more_than(n)`` tells
    whether ``select_cases`` has more than ``n`` rows: the caller counts them through their filters' indexes, as
    ``select_cases`` itself could not be (a department's cases are ``lead = d OR EXISTS (link)``)."""
    text = text.strip()
    dialect = session.get_bind().dialect.name
    query = search_query(text)
    like = _like(text, dialect)
    if query is None:
        return session.execute(select_cases.where(like).limit(limit)).all()
    if dialect == "sqlite":
        return _newest_by_windows(session, select_cases, query, like, limit, kept_more_than)
    return _newest_weighed(session, select_cases, query, like, limit)


def _newest_by_windows(session: Session, select_cases, query: SearchQuery, like, limit: int, kept_more_than) -> list:
    """SQLite: the page from the index, read back from the newest case in batches of candidates.

    FTS5 gives the candidates newest id first and stops after a batch (it seeks to a range of rowids, so a
    batch costs about the ids it spans); ``LIKE`` and the other filters keep the matches, and the newest of
    them join the page. Each batch is larger than the last (``BATCHES``): a common text is done after a few
    dozen cases, a rare one reads far back in few steps. Ids follow the time of opening only mostly (an import
    brings old cases in late), so the page is done only when no case older in id than the candidates read is
    newer in time than the page's last (``case_search_blocks`` answers that), and another batch is read while
    not.
    """
    newest_first = lambda row: (row.opened_at, row.id)  # noqa: E731
    query = _rarest_terms(session, query)
    rowid = _case_search.c.rowid
    below, page = None, []
    for batch in BATCHES:
        # The batch's extent first, then its candidates by that range: ids never travel through Python.
        offered = _candidates(query, "sqlite").order_by(rowid.desc()).limit(batch)
        offered = (offered if below is None else offered.where(rowid < below)).subquery()
        count, low = session.execute(select(func.count(), func.min(offered.c.rowid))).one()
        if count:
            window = _candidates(query, "sqlite").where(rowid >= low)
            window = window if below is None else window.where(rowid < below)
            found = session.execute(select_cases.where(light_cases.c.id.in_(window), like).limit(limit)).all()
            page = sorted([*page, *found], key=newest_first, reverse=True)[:limit]
        if count < batch:  # no candidate left
            return page
        below = low
        if len(page) == limit:
            if not _opened_later_below(session, below, page[-1].opened_at):
                return page
    rest = _candidates(query, "sqlite").where(rowid < below)
    if _more_than(session, rest, MANY) and not kept_more_than(MANY):
        # Many candidates left, few cases the other filters keep: those cases, by their own index, and LIKE.
        return session.execute(select_cases.where(like).limit(limit)).all()
    found = session.execute(select_cases.where(light_cases.c.id.in_(rest), like).limit(limit)).all()
    return sorted([*page, *found], key=newest_first, reverse=True)[:limit]


def _opened_later_below(session: Session, below: int, moment) -> bool:
    """SQLite: whether a case of an id below ``below`` may have been opened after ``moment``.

    The whole blocks of ids below say it from ``case_search_blocks`` (revision 0008; it may be later than the
    truth, never earlier), the part of ``below``'s own block from its cases.
    """
    start = below >> BLOCK_BITS << BLOCK_BITS
    blocks = select(func.max(_case_search_blocks.c.newest)).where(_case_search_blocks.c.block < below >> BLOCK_BITS)
    part = select(func.max(light_cases.c.opened_at)).where(light_cases.c.id >= start, light_cases.c.id < below)
    latest = session.execute(select(blocks.scalar_subquery(), part.scalar_subquery())).one()
    return any(when is not None and when > moment for when in latest)


def _more_than(session: Session, rows, bound: int) -> bool:
    """Whether the query ``rows`` has more than ``bound`` rows (it reads at most one more)."""
    return session.scalar(select(func.count()).select_from(rows.limit(bound + 1).subquery())) > bound


def _rarest_terms(session: Session, query: SearchQuery) -> SearchQuery:
    """SQLite: the query narrowed to the ``MOST_TERMS`` pairs the newest ``SAMPLE`` ids hold fewest.

    A prefix is asked only when the text has no pair: FTS5 reads every term it begins.
    """
    if not query.terms:
        return query
    if len(query.terms) <= MOST_TERMS:
        return SearchQuery(query.terms)
    low = (session.scalar(select(func.max(light_cases.c.id))) or 0) - SAMPLE

    def seen(term: str):
        held = _candidates(SearchQuery((term,)), "sqlite").where(_case_search.c.rowid >= low).subquery()
        return select(func.count()).select_from(held).scalar_subquery()

    counts = session.execute(select(*(seen(term) for term in query.terms))).one()
    ranked = sorted(zip(counts, range(len(counts)), query.terms, strict=True))
    return SearchQuery(tuple(term for _count, _place, term in ranked[:MOST_TERMS]))


def _newest_weighed(session: Session, select_cases, query: SearchQuery, like, limit: int) -> list:
    """PostgreSQL: fetching the candidates by id and sorting them costs about the number of candidates;
    reading the newest cases until the page is full costs about ``limit`` × cases ÷ candidates.

    The index says how many candidates there are (counting only up to the point where both cost the same), and
    the cheaper way is taken. Read in time order, the search stops after a window of ``WINDOW_MARGIN`` times the
    expected depth (matches may all be old, or other filters rare) and the index is asked after all.
    """
    through_index = select_cases.where(light_cases.c.id.in_(_candidates(query, "postgresql")), like).limit(limit)
    cases = session.scalar(select(func.max(light_cases.c.id))) or 0
    balance = max(FEW_CANDIDATES, math.isqrt(int(SCAN_TO_SEEK * limit * cases)))
    offered = _candidates(query, "postgresql").limit(balance + 1).subquery()
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
