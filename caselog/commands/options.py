"""Reading what the user typed into commands' options: formats, dates and times, limits and search words.

Imports only typer and the standard library at module level, so ``caselog --help`` stays fast.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

import typer

from caselog.errors import BadInput
from caselog.i18n import N_, _


class Format(StrEnum):
    """Output formats of ``list`` and ``show`` commands: a table for people, json and csv for scripts."""

    table = "table"
    json = "json"
    csv = "csv"


def when(text: str | None, what: str, current: datetime) -> datetime:
    """Parse an optional date-time option; absent means ``current``."""
    if text is None:
        return current
    from caselog.rules.dates import parse_datetime

    return parse_datetime(text, now=current, what=what)


# SQLite and PostgreSQL count rows in signed 64-bit integers.
SQL_INT_MAX = 2**63 - 1


def row_limit(value: int) -> int:
    """The ``--limit`` option, checked: SQL cannot take a number beyond a 64-bit integer."""
    if value > SQL_INT_MAX:
        raise BadInput(_("--limit: {value} is too large (at most {most})").format(value=value, most=SQL_INT_MAX))
    return value


# SQLite refuses LIKE patterns over 50,000 bytes; no one searches for more than a sentence.
SEARCH_MAX = 200


def search_text(text: str | None) -> str | None:
    """The ``--search`` option, checked: at most ``SEARCH_MAX`` characters, no control characters."""
    if text is None:
        return None
    from caselog.rules.text import checked_text

    return checked_text(text, "--search", SEARCH_MAX) or None


def day(text: str | None, what: str, today: date) -> date | None:
    """Parse an optional date option."""
    if text is None:
        return None
    from caselog.rules.dates import parse_date

    return parse_date(text, today=today, what=what)


# The statuses ``--status`` takes, as its help shows them (Chinese names are accepted too).
STATUS_METAVAR = "<open|dispatched|accepted|answered|resolved|closed>"

FormatOption = typer.Option(Format.table, "--format", "-f", help=N_("table, json or csv (json and csv are stable)."))
# csv cells a spreadsheet could run as a formula get a leading ' (caselog.rules.formulas); --raw leaves them be.
RawOption = typer.Option(False, "--raw", help=N_("Do not guard cells that start with = + - @."))


def case_filter(
    *,
    status,
    tier: int | None,
    dept: str | None,
    category: str | None,
    party: str | None,
    key: bool,
    overdue: bool,
    since: str | None,
    until: str | None,
    search: str | None,
    today: date,
    due_within: int | None = None,
    supervised: bool = False,
):
    """The ``CaseFilter`` that the options of ``case list`` and ``export cases`` name, each option read and checked
    (dates relative to ``today``, the search text's length and characters)."""
    from caselog.cases.filters import CaseFilter
    from caselog.enums import Status
    from caselog.rules.words import choice

    return CaseFilter(
        statuses=tuple(choice(s, Status, "--status").value for s in status or ()),
        tier=tier,
        department=dept,
        category=category,
        party=party,
        key=key,
        overdue=overdue,
        since=day(since, "--since", today),
        until=day(until, "--until", today),
        search=search_text(search),
        due_within=due_within,
        supervised=supervised,
    )
