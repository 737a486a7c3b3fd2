"""An agenda written as its rows arrive (``caselog.meetings.agenda_reads.AgendaStream``): json, csv, markdown and
a plain table for a file or a pipe, byte for byte what ``render/machine.py`` and ``render/meetings.py`` write of
the whole agenda, in the same memory whatever its size. What goes before the rows (the totals, a department's
count, a table's widths) is known only after them: the rows wait in a ``Spool`` until then.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from json.encoder import encode_basestring
from typing import IO, Any

from caselog.i18n import _
from caselog.render.machine import csv_cell, json_text, tuple_csv, tuple_json
from caselog.render.meetings import (
    agenda_markdown_footer,
    agenda_markdown_head,
    carried_markdown_head,
    carried_markdown_line,
    co_labeller,
    deadline_labels,
    decision_due_label,
    decision_label,
    group_heading,
    group_markdown_head,
    item_markdown_line,
    meeting_heading,
)
from caselog.render.spool import Spool
from caselog.rules.text import printable


class Counted:
    """The items of an agenda, counted as they pass: all of them and the overdue."""

    def __init__(self, items: Iterator[tuple[str | None, Any]]) -> None:
        self.source = items
        self.cases = 0
        self.overdue = 0

    def groups(self) -> Iterator[tuple[str | None, str | None, Iterator[Any]]]:
        """(lead, lead name, its items) for each lead department in turn; each group's items must be read before
        the next group is asked for."""
        pending = next(self.source, None)
        while pending is not None:
            name, first = pending
            lead = first.lead
            state = {"next": None}

            def members(first=first, lead=lead, state=state) -> Iterator[Any]:
                item = first
                while True:
                    self.cases += 1
                    self.overdue += item.overdue
                    yield item
                    following = next(self.source, None)
                    if following is None or following[1].lead != lead:
                        state["next"] = following
                        return
                    item = following[1]

            yield lead, name, members()
            pending = state["next"]


def write_agenda_json(stream: Any, out: IO[str]) -> None:
    """The agenda as ``write_json`` writes the whole ``Agenda``."""
    counted = Counted(stream.items())
    body = Spool()
    write = body.write
    first_group = True
    encoded = None
    for lead, name, items in counted.groups():
        write(f'{"" if first_group else ","}\n    {{\n      "lead": {_json(lead)},\n      "lead_name": ')
        write(f'{_json(name)},\n      "items": [')
        first_group = False
        separator = "\n        "
        for item in items:
            if encoded is None:
                encoded = tuple_json(item._fields, "        ")
            write(separator + encoded(item))
            separator = ",\n        "
        write("\n      ]\n    }")
    head = [f'"kind": {_json(stream.kind.value)}', f'"tier": {stream.tier}', f'"date": "{stream.date.isoformat()}"',
            f'"recorded": {"true" if stream.recorded else "false"}', f'"cases": {counted.cases}',
            f'"overdue": {counted.overdue}']  # fmt: skip
    out.write("{\n  " + ",\n  ".join(head) + ',\n  "groups": ')
    if first_group:
        out.write("[]")
    else:
        out.write("[")
        body.copy_to(out)
        out.write("\n  ]")
    out.write(',\n  "carried_over": ')
    separator = "[\n    "
    for decision in stream.carried_over():
        out.write(separator)
        out.write(json_text(decision, "    "))
        separator = ",\n    "
    out.write("[]" if separator == "[\n    " else "\n  ]")
    out.write("\n}\n")


def _json(value: str | None) -> str:
    return "null" if value is None else encode_basestring(value)


def write_agenda_csv(stream: Any, out: IO[str], *, raw: bool = False) -> None:
    """The agenda as csv, one row per item with the meeting and its date first (``agenda_rows``)."""
    writer = csv.writer(out, lineterminator="\n")
    head = [csv_cell(stream.kind.value, raw=raw), stream.date.isoformat()]
    first, cells, write = True, tuple_csv(raw=raw), writer.writerow
    for _name, item in stream.items():
        if first:
            write(["meeting", "date", *item._fields])
            first = False
        write(head + cells(item))
    if first:  # no items: a header alone, as the whole agenda's csv writes it
        writer.writerow([])


def write_agenda_markdown(stream: Any, out: IO[str]) -> None:
    """The agenda as the markdown the bureau circulates (``agenda_markdown``)."""
    counted = Counted(stream.items())
    body = Spool()
    labels = deadline_labels()
    for lead, name, items in counted.groups():
        section = Spool()
        count = 0
        for item in items:
            section.write(item_markdown_line(item, labels))
            count += 1
        body.write(group_markdown_head(lead, name, count))
        section.copy_to(body)
        body.write("\n")
    out.write(agenda_markdown_head(stream.kind.value, stream.date, stream.tier, counted.cases, counted.overdue))
    body.copy_to(out)
    carried = Spool()
    count = 0
    for decision in stream.carried_over():
        carried.write(carried_markdown_line(decision))
        count += 1
    if count:
        out.write(carried_markdown_head(count))
        carried.copy_to(out)
        out.write("\n")
    out.write(agenda_markdown_footer())


def write_agenda_table(stream: Any, out: IO[str], width: int | None) -> bool:
    """The agenda as ``print_agenda`` draws it for a file or a pipe (``width``: the console's), every table at
    its natural width without Rich; False, with nothing written, when some text needs Rich's own layout."""
    from caselog.render.plain import Characters, TableRows, laid_out_by_rich, plain_line

    body = Spool()
    labels, co_labels, characters = deadline_labels(), co_labeller(), Characters()
    headers = [_("case"), _("title"), _("party"), _("co"), _("age wd"), _("deadline"), _("discussed")]
    headers.append(_("last decision"))
    least = _least(headers, (False, True, True, True, False, True, False, True))
    if least is None:
        return False
    counted = Counted(stream.items())
    for lead, lead_name, items in counted.groups():  # one lead department's table after another
        rows = TableRows(headers, least, characters)
        for item in items:
            cells = [item.ref, item.title, item.party or "", co_labels(item), str(item.age_workdays), labels(item),
                     str(item.discussed), decision_label(item)]  # fmt: skip
            if not _add(rows, cells):
                return False
        if not rows.draw(group_heading(lead, lead_name, rows.count), body):
            return False
    carried_headers = [_("no."), _("case"), _("title"), _("decision"), _("owner"), _("due by"), _("decided")]
    carried_least = _least(carried_headers, (False, False, True, False, False, True, False))
    if carried_least is None:
        return False
    carried = TableRows(carried_headers, carried_least, characters)
    for decision in stream.carried_over():
        cells = [str(decision.id), decision.ref, decision.title, decision.decision, decision.owner,
                 decision_due_label(decision), decision.decided_on.isoformat()]  # fmt: skip
        if not _add(carried, cells):
            return False
    heading, summary = meeting_heading(stream.kind.value, stream.date, stream.tier, counted.cases, counted.overdue)
    lines = [plain_line(heading, width), plain_line(summary, width)]
    if None in lines or laid_out_by_rich(heading + summary):
        return False
    drawn = Spool()
    drawn.write("".join(lines))
    body.copy_to(drawn)
    if carried.count and not carried.draw(_("Decisions due by this meeting"), drawn):
        return False
    drawn.copy_to(out)
    return True


def _add(rows: Any, cells: list[str]) -> bool:
    """Add a row of cells as a table shows them (``table_cell``: controls escaped) to ``rows``."""
    text = "\t".join(cells)
    shown = printable(text, lines=True)
    if shown is text:  # nothing to escape: most rows
        return rows.add(cells, text)
    return rows.add([printable(cell, lines=True) for cell in cells])


def _least(headers: list[str], wraps: tuple[bool, ...]) -> list[int] | None:
    """The fewest cells of each column at ease (``AT_EASE_WRAP_MIN`` for text that wraps), or None when a header
    needs Rich's own layout."""
    from caselog.render.layout import AT_EASE_WRAP_MIN
    from caselog.render.plain import laid_out_by_rich

    if laid_out_by_rich("".join(headers)):
        return None
    return [AT_EASE_WRAP_MIN if wrap else 0 for wrap in wraps]
