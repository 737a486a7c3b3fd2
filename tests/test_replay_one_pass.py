"""``replay`` in one pass gives exactly the facts of the replay it replaced (``tests/replay_reference.py``), for
random and messy histories, as of any moment: every fact, the deadlines missed included, in any district zone."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from replay_reference import replay as reference

from caselog.cases.fact_versions import decoded, encoded
from caselog.rules.case_facts import Event, Row, fact_versions, replay

pytestmark = pytest.mark.no_database

START = datetime(2026, 9, 14, 1, 0, tzinfo=UTC)
LEADS = ("market", "housing", "fire", None)
DAYS = tuple((START + timedelta(days=n)).date().isoformat() for n in range(0, 60, 3))
ZONES = ("Asia/Shanghai", "America/New_York", "Pacific/Kiritimati", "Pacific/Pago_Pago")


@st.composite
def events(draw) -> Event:
    """One event of any kind the facts read, with the fields and values such events carry (and some they do not)."""
    at = START + timedelta(minutes=draw(st.integers(0, 60 * 24 * 80)))
    kind = draw(st.sampled_from(["opened", "dispatched", "returned", "escalated", "deadline", "extended", "edited",
                                 "answered", "resolved", "closed", "reopened", "revisited", "suspended", "resumed",
                                 "accepted", "note", "imported", "urged"]))  # fmt: skip
    if kind in ("dispatched", "returned"):
        field = draw(st.sampled_from(["lead", "co", None]))
        return Event(at, kind, field, draw(st.sampled_from(LEADS)), draw(st.sampled_from(LEADS)))
    if kind == "escalated":
        return Event(at, kind, "tier", draw(st.sampled_from(["1", "2", None])), draw(st.sampled_from(["2", "3"])))
    if kind in ("deadline", "extended", "edited", "resumed"):
        field = draw(st.sampled_from(["due_on", "reply_due_on", "suspended_days", "title"]))
        if field == "suspended_days":
            return Event(at, kind, field, None, draw(st.sampled_from(["3", "0", None])))
        day = st.sampled_from((*DAYS, None))
        return Event(at, kind, field, draw(day), draw(day))
    if kind in ("closed", "revisited"):
        return Event(at, kind, "status", None, draw(st.sampled_from(["resolved", "withdrawn", "satisfied", None])))
    return Event(at, kind, "status", None, kind)


@st.composite
def cases(draw) -> tuple[list[Event], Row]:
    history = sorted(draw(st.lists(events(), max_size=14)), key=lambda e: e.at)
    moment = st.one_of(st.none(), st.builds(lambda m: START + timedelta(minutes=m), st.integers(0, 60 * 24 * 80)))
    row = Row(
        opened_at=START,
        tier=draw(st.integers(1, 3)),
        lead=draw(st.sampled_from(LEADS)),
        due_on=draw(st.one_of(st.none(), st.sampled_from(DAYS).map(datetime.fromisoformat).map(datetime.date))),
        dispatched_at=draw(moment),
        answered_at=draw(moment),
        resolved_at=draw(moment),
        closed_at=draw(moment),
        close_reason=draw(st.sampled_from([None, "resolved", "withdrawn"])),
        satisfaction=draw(st.sampled_from([None, "satisfied"])),
    )
    return history, row


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases(), st.sampled_from(ZONES), st.one_of(st.none(), st.integers(0, 60 * 24 * 90)))
def test_one_pass_gives_the_facts_of_the_reference_replay(case, zone, minutes):
    history, row = case
    tz = ZoneInfo(zone)
    as_of = None if minutes is None else START + timedelta(minutes=minutes)
    assert replay(history, row, tz=tz, as_of=as_of) == reference(history, row, tz=tz, as_of=as_of)


def test_a_deadline_missed_by_a_moment_written_in_another_zone_is_missed():
    """The shortcut that skips converting a moment two days or more before the deadline never hides a miss."""
    history = [
        Event(START, "dispatched", "lead", None, "market"),
        Event(START, "deadline", "due_on", None, "2026-09-20"),
        Event(datetime(2026, 9, 20, 11, 0, tzinfo=ZoneInfo("Pacific/Pago_Pago")), "note", None, None, "x"),
    ]
    tz = ZoneInfo("Pacific/Kiritimati")  # 2026-09-20 11:00 at -11:00 is 2026-09-21 12:00 at +14:00
    facts = replay(history, Row(START, 1, "market"), tz=tz)
    assert facts.misses == reference(history, Row(START, 1, "market"), tz=tz).misses
    assert [d.isoformat() for d in facts.misses] == ["2026-09-20"]


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases(), st.sampled_from(ZONES), st.lists(st.floats(0, 1, exclude_max=True), min_size=1, max_size=4))
def test_each_version_is_the_facts_as_of_every_moment_it_was_valid(case, zone, fractions):
    """The facts a case had before each of its last changes, each from the moment of the change before it until
    that change: a replay as of any moment in between gives exactly those facts."""
    history, row = case
    tz = ZoneInfo(zone)
    versions = fact_versions(history, row, tz=tz, count=3)
    until = replay(history, row, tz=tz).changed_at
    for since, valid_until, facts in versions:
        assert valid_until == until  # each version ends where the next one (or the stored facts) begins
        assert row.opened_at <= facts.changed_at <= since < valid_until
        for fraction in fractions:
            span = (valid_until - since) // timedelta(microseconds=1)
            moment = since.astimezone(UTC) + timedelta(microseconds=min(int(span * fraction), span - 1))
            assert replay(history, row, tz=tz, as_of=moment) == facts
        until = since
    assert len(versions) <= 3


@given(cases(), st.sampled_from(ZONES))
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_versions_reach_back_to_the_opening_or_to_their_count(case, zone):
    history, row = case
    tz = ZoneInfo(zone)
    versions = fact_versions(history, row, tz=tz, count=3)
    if len(versions) < 3:
        oldest = versions[-1][0] if versions else replay(history, row, tz=tz).changed_at
        assert oldest == row.opened_at  # nothing changed before: no moment after the opening lacks a version


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases(), st.sampled_from(ZONES), st.one_of(st.none(), st.integers(0, 60 * 24 * 90)))
def test_facts_written_whole_read_back_equal(case, zone, minutes):
    history, row = case
    as_of = None if minutes is None else START + timedelta(minutes=minutes)
    facts = replay(history, row, tz=ZoneInfo(zone), as_of=as_of)
    assert decoded(encoded(facts)) == facts
    assert [type(value) for value in decoded(encoded(facts))] == [type(value) for value in facts]
