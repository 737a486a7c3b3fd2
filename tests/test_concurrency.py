"""Two processes changing the same cases at once lose nothing, and nothing they do reaches the user as an error.

Each worker process runs read-then-update commands on the same few cases: notes, title edits, and the
lifecycle (dispatch, accept, answer, resolve, close, reopen, return), each chosen from the status the worker
last saw, so the other worker often moved the case first. Every command names itself with ``--actor``; after
the run the database must hold exactly the events of the commands that succeeded and none of the ones refused,
each case's version must have grown once per successful change (a lost update leaves it short), every case's
state must be what its history implies, and ``caselog db check`` must pass.
"""

from __future__ import annotations

import datetime
import json
import random
import re
from collections import Counter

import pytest
from databases import reading
from history import history_problems
from processes import Cli, Journal, fork, median, run_process, wait
from sqlalchemy import select

from caselog.models import Case, Event

DEPARTMENTS = ("market", "housing", "esb", "st-ouyang")
MOVES = {
    "open": ("dispatch",),
    "dispatched": ("accept", "accept", "answer", "dispatch", "return"),
    "accepted": ("answer", "answer", "dispatch"),
    "answered": ("resolve",),
    "resolved": ("close",),
    "closed": ("reopen",),
}
EVENT_OF = {
    "note": "note",
    "edit": "edited",
    "dispatch": "dispatched",
    "accept": "accepted",
    "answer": "answered",
    "resolve": "resolved",
    "close": "closed",
    "reopen": "reopened",
    "return": "returned",
}
STATUS_AFTER = re.compile(r"\((\w+)\)\s*$")
REFUSED = re.compile(r"^caselog: case C\d{4}-\d{6}: cannot ")


def _arguments(move: str, ref: str, tag: str, rng: random.Random, departments=DEPARTMENTS) -> list[str]:
    return {
        "note": ["case", "note", ref, tag],
        "edit": ["case", "edit", ref, "--title", tag],
        "dispatch": ["case", "dispatch", ref, "--lead", rng.choice(departments)],
        "accept": ["case", "accept", ref],
        "answer": ["case", "answer", ref, "--note", tag],
        "resolve": ["case", "resolve", ref, "--note", tag],
        "close": ["case", "close", ref, "--reason", "resolved", "--note", tag],
        "reopen": ["case", "reopen", ref, "--reason", tag],
        "return": ["case", "return", ref, "--reason", tag],
    }[move]


def race(name: str, refs: list[str], commands: int, seed: int, journal_path, run) -> None:
    """A worker: ``commands`` read-then-update commands on ``refs``, each logged with its outcome."""
    journal = Journal(journal_path)
    rng = random.Random(seed)
    known: dict[str, str] = {}

    def look(ref: str) -> None:
        known[ref] = json.loads(run("case", "show", ref, "-f", "json").stdout)["case"]["status"]

    for ref in refs:
        look(ref)
    for number in range(commands):
        ref, tag = rng.choice(refs), f"{name}-{number}"
        roll = rng.random()
        move = "note" if roll < 0.3 else "edit" if roll < 0.45 else rng.choice(MOVES[known[ref]])
        outcome = run("--actor", tag, *_arguments(move, ref, tag, rng))
        journal.write(
            worker=name,
            ref=ref,
            move=move,
            tag=tag,
            code=outcome.code,
            stderr=outcome.stderr.strip(),
            seconds=outcome.seconds,
        )
        seen = STATUS_AFTER.search(outcome.stdout)
        if outcome.code == 0 and seen:
            known[ref] = seen.group(1)
        elif outcome.code != 0:
            look(ref)  # the other worker moved it first: look again, as a user would


def _shared_cases(cli, count: int) -> list[str]:
    cli.ok("init")
    for code in DEPARTMENTS:
        cli.ok("dept", "add", code, f"部门 {code}")
    cli.ok("party", "add", "张伟", "--kind", "resident")
    for number in range(count):
        cli.ok("case", "open", f"楼道堆物 {number}", "--party", "张伟", "--lead", DEPARTMENTS[0])
    return [f"C2026-{number:06d}" for number in range(1, count + 1)]


def _versions() -> dict[str, int]:
    with reading() as db:
        return dict(db.execute(select(Case.ref, Case.version)).all())


def _check_race(records: list[dict], before: dict[str, int], cli) -> dict[str, int]:
    """Compare what the workers say they did with the database; return the figures."""
    done = [r for r in records if r["code"] == 0]
    refused = [r for r in records if r["code"] == 1 and REFUSED.match(r["stderr"])]
    failed = [r for r in records if r not in done and r not in refused]
    with reading() as db:
        events = Counter((actor, kind) for actor, kind in db.execute(select(Event.actor, Event.kind)))
        after = dict(db.execute(select(Case.ref, Case.version)).all())
        inconsistent = history_problems(db, tz=_tz())
    missing = [r for r in done if events[(r["tag"], EVENT_OF[r["move"]])] != 1]
    by_actor = Counter(actor for actor, _kind in events.elements())
    extra = [r for r in records if by_actor[r["tag"]] != (r in done)]
    changes = Counter(r["ref"] for r in done)
    lost = sum(changes[ref] - (after[ref] - before[ref]) for ref in before)
    check = cli("db", "check")
    figures = {
        "commands": len(records),
        "done": len(done),
        "refused": len(refused),
        "failed": len(failed),
        "locked": sum("locked" in r["stderr"] for r in records),
        "lost": lost,
        "missing events": len(missing),
        "extra events": len(extra),
        "inconsistent": len(inconsistent),
    }
    assert failed == [], failed[:5]
    assert (lost, missing, extra, inconsistent) == (0, [], [], []), (lost, missing[:5], extra[:5], inconsistent[:5])
    assert check.code == 0 and check.stdout.startswith("ok"), check.stdout + check.stderr
    return figures


def _tz():
    from zoneinfo import ZoneInfo

    return ZoneInfo("Asia/Shanghai")


def _report(title: str, figures: dict, seconds: list[float]) -> None:
    print(f"\n{title}: " + ", ".join(f"{name} {value}" for name, value in figures.items()))
    print(f"  command time: median {median(seconds) * 1000:.0f} ms, longest {max(seconds) * 1000:.0f} ms")


@pytest.mark.slow
def test_two_processes_x_500_commands_on_the_same_cases_lose_no_update(tmp_path, monkeypatch):
    monkeypatch.setenv("CASELOG_NOW", "2026-03-02T10:00:00")
    cli = Cli()
    refs = _shared_cases(cli, 3)
    before = _versions()
    journals = [tmp_path / "a.jsonl", tmp_path / "b.jsonl"]
    workers = [
        fork(race, name, refs, 500, seed, path, cli) for name, seed, path in zip("ab", (1, 2), journals, strict=True)
    ]
    assert [wait(pid) for pid in workers] == [0, 0]
    records = [r for path in journals for r in Journal.read(path)]
    assert len(records) == 1000
    figures = _check_race(records, before, cli)
    _report("2 processes x 500 commands in-process on 3 cases", figures, [r["seconds"] for r in records])
    assert figures["done"] + figures["refused"] == 1000 and figures["refused"] > 0  # they really raced


@pytest.mark.slow
def test_two_real_caselog_processes_lose_no_update(tmp_path, monkeypatch):
    monkeypatch.setenv("CASELOG_NOW", "2026-03-02T10:00:00")
    cli = Cli()
    refs = _shared_cases(cli, 2)
    before = _versions()
    journals = [tmp_path / "a.jsonl", tmp_path / "b.jsonl"]
    workers = [
        fork(race, name, refs, 15, seed, path, run_process)
        for name, seed, path in zip("ab", (3, 4), journals, strict=True)
    ]
    assert [wait(pid) for pid in workers] == [0, 0]
    records = [r for path in journals for r in Journal.read(path)]
    assert len(records) == 30
    figures = _check_race(records, before, cli)
    _report("2 real caselog processes x 15 commands on 2 cases", figures, [r["seconds"] for r in records])


def test_the_sweep_judges_again_a_case_changed_while_it_was_judging(monkeypatch):
    """The sweep judges on a snapshot and writes later: what changed in between is judged again, never lost."""
    from databases import here

    from caselog.db import session
    from caselog.escalation import apply_escalations, plan_escalations
    from caselog.tiers import DEFAULT_RULES

    monkeypatch.setenv("CASELOG_NOW", "2026-03-02T10:00:00")
    cli = Cli()
    refs = _shared_cases(cli, 4)
    moment = datetime.datetime(2026, 4, 1, 9, tzinfo=_tz())  # every case is overdue by then
    with reading() as db:
        plan = plan_escalations(session=db, now=moment, rules=DEFAULT_RULES, actor="sweep")
    assert [(c.ref, c.old_tier, c.new_tier) for c in plan.changes] == [(ref, 1, 2) for ref in refs]
    cli.ok("case", "note", refs[0], "顺便记一笔")  # changed, still due to escalate
    cli.ok("case", "escalate", refs[1], "--to", "3", "--reason", "领导关注")  # escalated by hand meanwhile
    cli.ok("case", "resolve", refs[2], "--note", "已解决")  # finished meanwhile
    with session(here(), write=True) as db:
        changes = apply_escalations(session=db, plan=plan, rules=DEFAULT_RULES)
    assert [(c.ref, c.old_tier, c.new_tier) for c in changes] == [(refs[0], 1, 2), (refs[3], 1, 2)]
    with reading() as db:
        tiers = dict(db.execute(select(Case.ref, Case.tier)).all())
        escalated = Counter(db.scalars(select(Event.actor).where(Event.kind == "escalated")))
        assert history_problems(db, tz=_tz()) == []
    assert tiers == {refs[0]: 2, refs[1]: 3, refs[2]: 1, refs[3]: 2}
    assert escalated == {"sweep": 2, "tester": 1}
