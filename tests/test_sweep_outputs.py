"""What `caselog escalate` prints, to the byte, in every format: a steady-state sweep (nothing due), a dry run, and
a sweep that writes a tier change and puts cases under supervision (督办); on both back ends, whichever way the
sweep reads (sqlite3 alone when nothing is due on a SQLite file, a session otherwise).

The district of tests/test_sweep_check.py: C2026-000001 (tier 1, dispatched Monday 2 March 2026) is due on 23
March (15 working days), so the sweep of the 24th moves it to tier 2 (escalate:overdue) with a new deadline 30
working days from the 24th: Saturday 9 May, a make-up working day of the May Day holiday. Its reply deadline (9
March) and the others' (16 March) are 5 working days or more past by then: supervision by the overdue rule. On
13 March nothing is due (C2026-000001's reply deadline is 4 working days past).
"""

import os
from pathlib import Path

import pytest
from test_sweep_check import district  # noqa: F401 (the fixture)

from conftest import BACKEND

QUIET = "2026-03-13T09:00:00"
DUE = "2026-03-24T09:00:00"

TABLE = (
    "                                                                                                \n"
    "  case           title          lead     from tier   to tier   rule               new deadline  \n"
    " ────────────────────────────────────────────────────────────────────────────────────────────── \n"
    "  C2026-000001   门前道路破损   market   1           2         escalate:overdue   2026-05-09    \n"
    "                                                                                                \n"
)
JSON = """[
  {
    "ref": "C2026-000001",
    "title": "门前道路破损",
    "lead": "market",
    "old_tier": 1,
    "new_tier": 2,
    "rule": "escalate:overdue",
    "due_on": "2026-05-09",
    "deadline_estimated": false
  }
]
"""
CSV = (
    "ref,title,lead,old_tier,new_tier,rule,due_on,deadline_estimated\n"
    "C2026-000001,门前道路破损,market,1,2,escalate:overdue,2026-05-09,false\n"
)
NOTHING = {"table": "escalated 0 case(s)\n", "json": "[]\n", "csv": "\n"}
WOULD_NOTHING = {"table": "would escalate 0 case(s)\n", "json": "[]\n", "csv": "\n"}
SUPERVISED = (
    "C2026-000002: reply deadline 2026-03-16 passed 6 working days ago\n"
    "C2026-000003: reply deadline 2026-03-16 passed 6 working days ago\n"
)
WRITTEN = {
    "table": f"{TABLE}escalated 1 case(s)\n{SUPERVISED}put under supervision (督办): 2 case(s)\n",
    "json": JSON,
    "csv": CSV,
}
# A dry run says what the writing sweep would do: C2026-000001's escalation gives it a new reply deadline before the
# overdue rule of supervision is asked, so its reply deadline of 9 March no longer counts.
WOULD = {
    "table": f"{TABLE}would escalate 1 case(s)\n{SUPERVISED}would put under supervision (督办): 2 case(s)\n",
    "json": JSON,
    "csv": CSV,
}


@pytest.fixture
def run(district, caselog_at):  # noqa: F811
    """``run(moment, fmt, *options)``: the sweep's exit status, standard output and standard error."""

    def at(moment: str, fmt: str, *options: str) -> tuple[int, str, str]:
        result = caselog_at(moment)("escalate", *options, "-f", fmt)
        return result.exit_code, result.stdout, result.stderr

    return at


def lock_file() -> Path | None:
    """The sweep's lock file beside the test's SQLite database (None on PostgreSQL)."""
    if BACKEND == "postgresql":
        return None
    return Path(f"{os.environ['CASELOG_DB']}.escalate.lock")


@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
def test_a_steady_state_sweep_says_nothing_moved(run, fmt):
    assert run(QUIET, fmt, "--dry-run") == (0, WOULD_NOTHING[fmt], "")
    assert run(QUIET, fmt) == (0, NOTHING[fmt], "")
    if lock_file() is not None:  # nothing to write: the quick check takes no lock and leaves no file
        assert not lock_file().exists()


@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
def test_a_sweep_that_writes_says_what_it_changed_then_nothing(run, fmt):
    assert run(DUE, fmt, "--dry-run") == (0, WOULD[fmt], "")
    assert run(DUE, fmt) == (0, WRITTEN[fmt], "")
    if lock_file() is not None:
        assert lock_file().exists()
    assert run("2026-03-24T10:00:00", fmt) == (0, NOTHING[fmt], "")


@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
def test_on_a_day_off_the_cron_sweep_does_nothing(run, fmt):
    said = "2026-03-28 (Saturday) is not a working day: no sweep.\n"
    expected = (0, said, "") if fmt == "table" else (0, "", said)  # json and csv readers get no text
    assert run("2026-03-28T10:00:00", fmt, "--working-days-only") == expected
    assert run("2026-03-28T10:00:00", fmt, "--working-days-only", "--dry-run") == expected


@pytest.mark.parametrize("moment", [DUE, "2026-03-31T09:00:00"])
def test_a_dry_run_names_the_cases_the_sweep_then_puts_under_supervision(run, moment):
    # On the 31st C2026-000001 is escalated a week late: the deadline it missed (23 March) stays missed, and is 6
    # working days past, so it comes under supervision after its escalation; on the 24th it does not.
    dry = run(moment, "table", "--dry-run")[1].replace("would escalate", "escalated")
    written = run(moment, "table")[1]
    assert dry.replace("would put under", "put under") == written
    assert ("C2026-000001: " in written) == (moment != DUE)
