"""A people's export (``caselog export --labels``): what a liaison opens in Excel.

Headings, statuses, tiers, kinds, close reasons and satisfaction in the user's language, yes and no for flags, each
department's name beside its code, times to the minute. The default export stays the machine format that ``caselog
import`` reads back and scripts rely on; a people's export is for reading, not for importing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any

from caselog.enums import Channel, CloseReason, DepartmentKind, EventKind, MeetingKind, PartyKind, Satisfaction, Status
from caselog.files.export import Export
from caselog.i18n import N_, _, enum_label, field_word, tier_name

# Each exported column's heading for people (a case's own fields are named as its history names them).
HEADINGS = {
    "external_ref": N_("external ref"), "title": N_("title"), "description": N_("description"),
    "category": N_("category"), "party": N_("party"), "code": N_("code"), "name": N_("name"), "kind": N_("kind"),
    "active": N_("active"), "id": N_("id"), "credit_code": N_("credit code"), "street": N_("street"),
    "industry": N_("industry"), "contact": N_("contact"), "tags": N_("tags"), "visited_on": N_("date"),
    "official": N_("official"), "channel": N_("channel"), "note": N_("note"), "at": N_("at"), "actor": N_("actor"),
    "field": N_("field"), "old": N_("from"), "new": N_("to"), "meeting": N_("meeting"), "date": N_("date"),
    "opened_on": N_("opened"), "age_workdays": N_("age wd"), "workdays_left": N_("wd left"),
    "overdue": N_("overdue"), "missed_on": N_("missed"), "deadline_estimated": N_("estimated"),
    "discussed": N_("discussed"), "last_decision": N_("last decision"), "last_decision_due": N_("due by"),
}  # fmt: skip
# Columns holding a department's code: a column of its name, then the code beside it.
DEPARTMENTS = {
    "lead": (N_("lead department"), N_("lead department code")),
    "department": (N_("department"), N_("department code")),
    "last_decision_owner": (N_("owner"), N_("owner code")),
    "co": (N_("co-departments"), N_("co-department codes")),
}
FLAGS = frozenset({"key", "active", "overdue", "deadline_estimated", "recorded"})
ENUMS: dict[str, type[StrEnum]] = {
    "status": Status, "close_reason": CloseReason, "satisfaction": Satisfaction, "channel": Channel,
    "meeting": MeetingKind,
}  # fmt: skip
KINDS: dict[str, type[StrEnum]] = {"parties": PartyKind, "departments": DepartmentKind, "events": EventKind}


def heading(column: str) -> str:
    """A column's heading for people."""
    if column in HEADINGS:
        return _(HEADINGS[column])
    return field_word(column)


def _codes(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return [code for code in str(value).split(";") if code]


def _cell(column: str, what: str, text: bool) -> Callable[[Any], Any]:
    """How one column's value reads for people."""
    kind = KINDS.get(what) if column == "kind" else ENUMS.get(column)
    if kind is not None:
        return lambda v: None if v is None else enum_label(str(v), kind)
    if column in FLAGS:
        return lambda v: None if v is None else _("yes") if v in (True, "true") else _("no")
    if column == "tier":
        return lambda v: None if v is None else tier_name(v, full=True)
    if column == "tier_rule":
        return lambda v: None if not v else _(str(v))
    if column == "field":
        return lambda v: None if v is None else field_word(str(v))
    if text:
        return lambda v: v.strftime("%Y-%m-%d %H:%M") if isinstance(v, datetime) else v
    return lambda v: v


def labelled(export: Export, *, what: str, names: Mapping[str, str], text: bool) -> Export:
    """``export`` for people: its headings and values in the user's language, departments' names beside their
    codes. ``text`` (csv) writes times as ``YYYY-MM-DD HH:MM``; an xlsx keeps them typed."""
    header: list[str] = []
    readers: list[tuple[int, Callable[[Any], Any]]] = []
    separator = _(", ")

    def department_names(value: Any) -> str | None:
        return separator.join(names.get(c, c) for c in _codes(value)) or None

    def department_codes(value: Any) -> str | None:
        return ";".join(_codes(value)) or None

    for index, column in enumerate(export.header):
        if column in DEPARTMENTS:
            name_heading, code_heading = DEPARTMENTS[column]
            header += [_(name_heading), _(code_heading)]
            readers += [(index, department_names), (index, department_codes)]
        else:
            header.append(heading(column))
            readers.append((index, _cell(column, what, text)))

    def rows() -> Iterator[tuple]:
        for row in export.rows:
            yield tuple(read(row[index]) for index, read in readers)

    return Export(tuple(header), rows())
