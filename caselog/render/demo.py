"""What ``caselog demo`` shows: the district it built, its open cases by department and tier, the next joint
meeting's agenda."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import IO, Any

from caselog.i18n import _
from caselog.render.meetings import print_agenda
from caselog.render.terminal import console, print_table


def print_demo(
    summary: Any,
    open_cases: Sequence[Any],
    agenda: Any,
    *,
    where: str,
    command: str,
    out: IO[str] | None = None,
) -> None:
    """What ``caselog demo`` shows: what it built, open cases by department and tier, the next joint meeting's
    agenda, and what to try next."""
    from rich.text import Text

    target = console(out)
    target.print(
        Text(
            _(
                "Built the demo district in {where}: {departments} departments, {parties} parties, "
                "{visits} visits, {cases} cases, {meetings} meetings recorded; the escalation sweep moved "
                "{escalated} case(s) up a tier."
            ).format(
                where=where,
                departments=summary.departments,
                parties=summary.parties,
                visits=summary.visits,
                cases=summary.cases,
                meetings=summary.meetings,
                escalated=summary.escalated,
            )
        )
    )
    target.print(
        Text(
            _(
                "{urged} case(s) urged (催办), some twice and so under supervision (督办); the sweep put {supervised} "
                "overdue case(s) under supervision. Try: caselog case list --supervised"
            ).format(urged=summary.urged, supervised=summary.supervised)
        )
    )
    target.print(
        Text(
            _(
                "The visiting programme 2.0: {buildings} office buildings and {parks} parks with their leaders, "
                "{looked_after} parties with a responsible official, {policies} policies answering recurring problems."
            ).format(
                buildings=summary.buildings,
                parks=summary.parks,
                looked_after=summary.looked_after,
                policies=summary.policies,
            )
        )
    )
    target.print()
    columns = [
        (_("dept"), lambda r: r.department or _("(not dispatched)")),
        (_("name"), "name"),
        (_("tier 1"), "tier1"),
        (_("tier 2"), "tier2"),
        (_("tier 3"), "tier3"),
        (_("open"), "total"),
    ]
    print_table(open_cases, columns, title=_("Open cases by lead department and tier"), out=out)
    target.print(Text(_("The next joint meeting's agenda:"), style="bold"))
    target.print()
    print_agenda(agenda, out=out)
    target.print(Text(_("Next:")))
    for line in (
        f"{command} case list --overdue",
        f"{command} case show C{summary.year}-000001",
        f"{command} agenda leaders --format markdown",
        f"{command} meetings",
        f"{command} escalate --dry-run",
        f"{command} report rates --by department --score --year {summary.year}",
        f"{command} digest --output-dir .",
        f"{command} report coverage --by park --year {summary.year} --missing",
        f"{command} visit due --dept esb",
        f"{command} report recurring --year {summary.year}",
        f"{command} rules",
    ):
        target.print(Text(f"  {line}"))


@contextmanager
def building_progress() -> Iterator[Callable[[int, int], None]]:
    """A progress bar on stderr while the demo is built, when stderr is a terminal; silent otherwise (a pipe, a
    file, cron). Yields the function the builder tells its progress to: ``(done, total)``."""
    import sys

    if not sys.stderr.isatty():
        yield lambda done, total: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    task = bar.add_task(_("Building the demo district"), total=None)
    with bar:
        yield lambda done, total: bar.update(task, completed=done, total=total)
