"""The morning digest (每日提醒) as markdown, the file it is written to and the subject it is mailed under."""

from __future__ import annotations

from typing import Any

from caselog.i18n import N_, _, format_day

# Each section's heading, by key (``caselog.reports.digest.SECTIONS``); ``{n}`` lines, ``{since}``/``{until}`` days.
HEADINGS = {
    "dispatched": N_("Newly dispatched since {since} ({n})"),
    "due_soon": N_("Due within {days} working days, to {until} ({n})"),
    "overdue": N_("Overdue ({n})"),
    "chased": N_("Urged (催办) or under supervision (督办) ({n})"),
    "co_replies": N_("Co-department replies (协办意见) it owes ({n})"),
    "decisions": N_("Meeting decisions due by {until} ({n})"),
}


def _one_line(text: str) -> str:
    """User text on one line of a markdown list."""
    return " ".join(str(text).split())


def digest_file_name(digest: Any) -> str:
    """The file a digest is written to: ``digest-housing-2026-10-10.md``."""
    return f"digest-{digest.department}-{digest.day.isoformat()}.md"


def digest_subject(digest: Any) -> str:
    """The subject of a digest's mail."""
    return _("Morning digest (每日提醒) {day}: {name}").format(day=format_day(digest.day), name=digest.name)


def _line(key: str, line: Any) -> str:
    head = f"{line.ref} {_one_line(line.title)}"
    if key == "dispatched":
        return _("{case} (dispatched {day})").format(case=head, day=format_day(line.day))
    if key == "due_soon":
        template = _("{case} (reply due {day})") if line.deadline == "reply" else _("{case} (resolution due {day})")
        return template.format(case=head, day=format_day(line.day))
    if key == "overdue":
        return _("{case} (due {day})").format(case=head, day=format_day(line.day) if line.day else "—")
    if key == "chased":
        marks = [_("urged {n}×").format(n=line.urged)] if line.urged else []
        if line.supervised:
            marks.append(_("under supervision since {day}").format(day=format_day(line.day)))
        return f"{head} ({'; '.join(marks)})"
    if key == "co_replies":
        return _("{case} (waiting since {day})").format(case=head, day=format_day(line.day) if line.day else "—")
    if key == "decisions":
        template = _("{case}: {decision} (due {day}, overdue)") if line.overdue else _("{case}: {decision} (due {day})")
        return template.format(case=head, decision=_one_line(line.decision or ""), day=format_day(line.day))
    return head


def digest_markdown(digest: Any, due_within: int) -> str:
    """One department's digest as markdown: a heading, then each section with its lines (or a line saying none)."""
    lines = [
        "# "
        + _("Morning digest (每日提醒) for {name} ({code}), {day}").format(
            name=digest.name, code=digest.department, day=format_day(digest.day, weekday=True)
        )
    ]
    for section in digest.sections:
        heading = _(HEADINGS[section.key]).format(
            n=len(section.lines), since=format_day(digest.since), until=format_day(digest.until), days=due_within
        )
        lines += ["", f"## {heading}", ""]
        if not section.lines:
            lines.append(_("None."))
        lines += [f"- {_line(section.key, line)}" for line in section.lines]
    return "\n".join(lines) + "\n"
