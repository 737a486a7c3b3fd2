"""Agendas and minutes for people: a Rich table for the terminal, markdown for the bureau to circulate.

json and csv of an agenda come from ``render`` like every other record.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date
from typing import IO, Any

from caselog.i18n import _, format_day, tier_name
from caselog.rules.text import printable


def meeting_title(kind: str) -> str:
    """The meeting's name as people say it."""
    return _("Joint meeting (联席会议)") if kind == "joint" else _("Leaders' meeting (分管区领导)")


def day_label(day: date) -> str:
    """A date with its weekday, e.g. ``2026-03-10 (Tuesday)`` / ``2026年3月10日（周二）``."""
    return format_day(day, weekday=True)


def deadline_label(item: Any) -> str:
    """A deadline with the working days left or overdue, e.g. ``2026-03-09 (overdue by 1 wd)``."""
    return deadline_labels()(item)


def deadline_labels() -> Callable[[Any], str]:
    """``deadline_label`` with its words translated once: an agenda labels tens of thousands of deadlines."""
    no_left, overdue_by, due_today = "{day}", _("{day} (overdue by {n} wd)"), _("{day} (due today)")
    left_n, estimated, missed = _("{day} ({n} wd left)"), _(", estimated"), _("{deadline}; missed {day}")
    soon, supervised, urged = _("{deadline}; due soon"), _("{deadline}; supervised"), _("{deadline}; urged {n}×")

    def label(item: Any) -> str:
        due = item.due_on
        if due is None:
            return ""
        left = item.workdays_left
        if left is None:
            text = no_left.format(day=due.isoformat())
        elif left < 0:
            text = overdue_by.format(day=due.isoformat(), n=-left)
        elif left == 0:
            text = due_today.format(day=due.isoformat())
        else:
            text = left_n.format(day=due.isoformat(), n=left)
        if item.deadline_estimated:
            text += estimated
        missed_on = getattr(item, "missed_on", None)
        if missed_on is not None and missed_on != due:
            text = missed.format(deadline=text, day=missed_on.isoformat())
        if getattr(item, "due_soon", False):
            text = soon.format(deadline=text)
        if getattr(item, "supervised", False):
            text = supervised.format(deadline=text)
        elif getattr(item, "urge_count", 0):
            text = urged.format(deadline=text, n=item.urge_count)
        return text

    return label


def co_label(item: Any) -> str:
    """The co-departments, and those that have not replied (协办意见): ``fire, housing (no reply: housing)``, or
    ``housing (no reply)`` when none has."""
    return co_labeller()(item)


def co_labeller() -> Callable[[Any], str]:
    """``co_label`` with its words translated once."""
    none_replied, some_waiting = _("{co} (no reply)"), _("{co} (no reply: {waiting})")

    def label(item: Any) -> str:
        text = ", ".join(item.co)
        waiting = getattr(item, "co_waiting", [])
        if waiting and list(waiting) == list(item.co):
            text = none_replied.format(co=text)
        elif waiting:
            text = some_waiting.format(co=text, waiting=", ".join(waiting))
        return text

    return label


def decision_due_label(carried: Any) -> str:
    """A carried-over decision's due day, marked when it passed before the meeting."""
    if carried.due_on is None:
        return ""
    due = carried.due_on.isoformat()
    return _("{day} (overdue)").format(day=due) if carried.overdue else due


def decision_label(item: Any) -> str:
    """The last decision on a case and who owns it."""
    if not item.last_decision:
        return ""
    due = f", {item.last_decision_due.isoformat()}" if item.last_decision_due else ""
    return f"{item.last_decision} ({item.last_decision_owner}{due})"


def agenda_rows(agenda: Any) -> list[dict[str, Any]]:
    """The agenda flattened to one record per case (for csv)."""
    rows = []
    for group in agenda.groups:
        for item in group.items:
            rows.append({"meeting": agenda.kind, "date": agenda.date, **item._asdict()})
    return rows


def _md(text: Any) -> str:
    """Text safe inside a markdown table cell (and on a terminal: controls escaped)."""
    value = "" if text is None else printable(str(text))
    for char in ("\\", "|", "*", "_", "`", "[", "]", "<", ">"):
        value = value.replace(char, "\\" + char)
    return " ".join(value.split())


def agenda_markdown(agenda: Any) -> str:
    """The agenda as the markdown the bureau circulates before the meeting."""
    parts = [agenda_markdown_head(agenda.kind, agenda.date, agenda.tier, agenda.cases, agenda.overdue)]
    labels = deadline_labels()
    for group in agenda.groups:
        parts.append(group_markdown_head(group.lead, group.lead_name, len(group.items)))
        parts += [item_markdown_line(item, labels) for item in group.items]
        parts.append("\n")
    if agenda.carried_over:
        parts.append(carried_markdown_head(len(agenda.carried_over)))
        parts += [carried_markdown_line(carried) for carried in agenda.carried_over]
        parts.append("\n")
    parts.append(agenda_markdown_footer())
    return "".join(parts)


def agenda_markdown_head(kind: str, day: date, tier: int, cases: int, overdue: int) -> str:
    """The markdown agenda's title and summary (and the line saying it is empty)."""
    summary = _("{tier} cases on the agenda: **{cases}**, of which **{overdue}** overdue.").format(
        tier=tier_name(tier), cases=cases, overdue=overdue
    )
    empty = "" if cases else _("No cases for this meeting.") + "\n\n"
    return f"# {meeting_title(kind)} — {day_label(day)}\n\n{summary}\n\n{empty}"


def group_markdown_head(lead: str | None, lead_name: str | None, count: int) -> str:
    """A lead department's heading and its table's head, in markdown."""
    name = f"{lead} — {lead_name}" if lead else _("Not yet dispatched")
    headers = [_("Case"), _("Title"), _("Party"), _("Co-departments"), _("Age (wd)"), _("Deadline")]
    headers += [_("Discussed"), _("Last decision")]
    heading = "## " + _("{name} ({count})").format(name=_md(name), count=count)
    return f"{heading}\n\n| {' | '.join(headers)} |\n|{'---|' * len(headers)}\n"


def item_markdown_line(item: Any, labels: Callable[[Any], str]) -> str:
    """One case of the agenda as a markdown table's line (``labels``: ``deadline_labels()``)."""
    ref = f"**{item.ref}**" if item.overdue else item.ref
    cells = [ref, _md(item.title), _md(item.party), _md(co_label(item)), str(item.age_workdays)]
    cells += [_md(labels(item)), str(item.discussed), _md(decision_label(item))]
    return "| " + " | ".join(cells) + " |\n"


def carried_markdown_head(count: int) -> str:
    """The heading and table head of the decisions carried over, in markdown."""
    headers = [_("No."), _("Case"), _("Title"), _("Decision"), _("Owner"), _("Due by"), _("Decided")]
    heading = f"## {_('Decisions due by this meeting')} ({count})"
    return f"{heading}\n\n| {' | '.join(headers)} |\n|{'---|' * len(headers)}\n"


def carried_markdown_line(carried: Any) -> str:
    """One decision carried over as a markdown table's line."""
    cells = [str(carried.id), carried.ref, _md(carried.title), _md(carried.decision), carried.owner]
    cells += [decision_due_label(carried), carried.decided_on.isoformat()]
    return "| " + " | ".join(cells) + " |\n"


def agenda_markdown_footer() -> str:
    """The markdown agenda's last line."""
    return _("Overdue cases come first in each department and their reference is in bold; wd = working days.") + "\n"


def meeting_heading(kind: str, day: date, tier: int, cases: int, overdue: int) -> tuple[str, str]:
    """The heading and the summary line above an agenda's tables."""
    heading = f"{meeting_title(kind)} — {day_label(day)}"
    summary = _("{tier} cases on the agenda: {cases}, of which {overdue} overdue.").format(
        tier=tier_name(tier), cases=cases, overdue=overdue
    )
    return heading, summary


def group_heading(lead: str | None, lead_name: str | None, count: int) -> str:
    """The title of a lead department's table: ``market — 区市场监管局 (3)``."""
    name = f"{lead} — {lead_name}" if lead else _("Not yet dispatched")
    return _("{name} ({count})").format(name=name, count=count)


def print_agenda(agenda: Any, out: IO[str] | None = None) -> None:
    """The agenda as Rich tables, one per lead department, laid out alike. At a narrow terminal the columns a
    meeting can spare go first (age, discussed, co-departments); the reference, title, party, deadline and last
    decision always stay, wrapped."""
    from caselog.render.plain import console_width, plain_line, plain_output
    from caselog.render.terminal import Col, print_left_out, print_tables

    heading, summary = meeting_heading(agenda.kind, agenda.date, agenda.tier, agenda.cases, agenda.overdue)
    plain = None
    if plain_output(out):  # a file or a pipe: no Rich console unless a line is too wide for it
        width = console_width()
        plain = [plain_line(heading, width), plain_line(summary, width)]
    if plain is not None and None not in plain:
        (out or sys.stdout).write("".join(plain))
    else:
        from rich.text import Text

        from caselog.render.terminal import console

        target = console(out)
        target.print(Text(heading, style="bold"))
        target.print(Text(summary))
    columns = [
        Col(_("case"), "ref"),
        Col(_("title"), "title"),
        Col(_("party"), "party"),
        Col(_("co"), co_label, wrap=True, drop=2),
        Col(_("age wd"), "age_workdays", drop=3),
        Col(_("deadline"), deadline_label, wrap=True, drop=0),
        Col(_("discussed"), "discussed", drop=1),
        Col(_("last decision"), decision_label, wrap=True, drop=0),
    ]
    groups = [(group_heading(group.lead, group.lead_name, len(group.items)), group.items) for group in agenda.groups]
    left_out = print_tables(groups, columns, out=out, note=False)
    if agenda.carried_over:
        carried_columns = [
            Col(_("no."), "id"),
            Col(_("case"), "ref"),
            Col(_("title"), "title"),
            Col(_("decision"), "decision", wrap=True, drop=0),
            Col(_("owner"), "owner", drop=1),
            Col(_("due by"), decision_due_label, drop=2),
            Col(_("decided"), "decided_on", drop=3),
        ]
        title = _("Decisions due by this meeting")
        left_out += print_tables([(title, agenda.carried_over)], carried_columns, out=out, note=False)
    if left_out:
        from caselog.render.terminal import console

        print_left_out(list(dict.fromkeys(left_out)), console(out).width)
