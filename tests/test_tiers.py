"""The tier rules: intake, escalation at its boundaries, and rules files (good ones and each kind of broken one)."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caselog.errors import BadInput
from caselog.tiers import (
    DEFAULT_RULES,
    RULE_CROSS,
    RULE_ESCALATE_AGENDAS,
    RULE_ESCALATE_CO,
    RULE_ESCALATE_KEY,
    RULE_ESCALATE_OVERDUE,
    RULE_ESCALATE_RETURNED,
    RULE_KEY,
    RULE_MANUAL,
    RULE_SINGLE,
    RULES_FILE_KEYS,
    CaseFacts,
    MeetingRule,
    RuleRow,
    TierDecision,
    TierRules,
    deadline_days,
    escalation,
    intake_tier,
    meeting_rule,
    meeting_tier,
    parse_rules,
    rule_rows,
)

pytestmark = pytest.mark.no_database  # pure: runs once, in the SQLite run

TODAY = date(2026, 3, 2)  # a Monday
YESTERDAY = date(2026, 3, 1)
SOURCE = "rules.toml"
STATUSES = ("open", "dispatched", "accepted", "answered", "resolved", "closed")


def toml(*lines: str) -> str:
    """A rules file made of ``lines``."""
    return "\n".join(lines) + "\n"


def facts(tier: int = 1, **changes: object) -> CaseFacts:
    """A dispatched case at ``tier`` that no rule would move: not key, alone, never returned, due later."""
    base = CaseFacts(
        tier=tier,
        status="dispatched",
        key=False,
        category=None,
        co_count=0,
        returns_at_tier=0,
        joint_agendas_at_tier=0,
        due_on=date(2026, 3, 20),
    )
    return dataclasses.replace(base, **changes)


# --- intake --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("explicit", "key", "co_count", "category", "expected"),
    [
        (None, False, 0, None, TierDecision(1, RULE_SINGLE)),
        (None, False, 0, "营商环境", TierDecision(1, RULE_SINGLE)),
        (None, False, 1, None, TierDecision(2, RULE_CROSS)),
        (None, False, 3, "营商环境", TierDecision(2, RULE_CROSS)),
        (None, True, 0, None, TierDecision(3, RULE_KEY)),
        (None, True, 2, None, TierDecision(3, RULE_KEY)),
        (None, False, 0, "人才公寓", TierDecision(3, RULE_KEY)),
        (None, False, 2, "人才公寓", TierDecision(3, RULE_KEY)),
        (1, True, 2, "人才公寓", TierDecision(1, RULE_MANUAL)),
        (2, False, 0, None, TierDecision(2, RULE_MANUAL)),
        (3, False, 0, None, TierDecision(3, RULE_MANUAL)),
    ],
)
def test_intake_tier(explicit, key, co_count, category, expected):
    decision = intake_tier(
        explicit=explicit, key=key, co_count=co_count, category=category, key_categories={"人才公寓"}
    )
    assert decision == expected


def test_intake_without_key_categories_ignores_the_category():
    assert intake_tier(explicit=None, key=False, co_count=0, category="人才公寓") == TierDecision(1, RULE_SINGLE)


# --- escalation ----------------------------------------------------------------------------------------------

KEY_RULES = dataclasses.replace(DEFAULT_RULES, key_categories=frozenset({"人才公寓"}))
TO3_KEY = TierDecision(3, RULE_ESCALATE_KEY)
TO2_CO = TierDecision(2, RULE_ESCALATE_CO)
TO2_RETURNED = TierDecision(2, RULE_ESCALATE_RETURNED)
TO2_OVERDUE = TierDecision(2, RULE_ESCALATE_OVERDUE)
TO3_AGENDAS = TierDecision(3, RULE_ESCALATE_AGENDAS)
TO3_OVERDUE = TierDecision(3, RULE_ESCALATE_OVERDUE)


@pytest.mark.parametrize(
    ("case", "today", "expected"),
    [
        pytest.param(facts(1), TODAY, None, id="t1-nothing"),
        pytest.param(facts(1, key=True), TODAY, TO3_KEY, id="t1-key"),
        pytest.param(facts(1, category="人才公寓"), TODAY, TO3_KEY, id="t1-key-category"),
        pytest.param(facts(1, category="营商环境"), TODAY, None, id="t1-other-category"),
        pytest.param(facts(1, co_count=1), TODAY, TO2_CO, id="t1-co-department"),
        pytest.param(facts(1, returns_at_tier=1), TODAY, None, id="t1-returned-once"),
        pytest.param(facts(1, returns_at_tier=2), TODAY, TO2_RETURNED, id="t1-returned-twice"),
        pytest.param(facts(1, returns_at_tier=5), TODAY, TO2_RETURNED, id="t1-returned-often"),
        pytest.param(facts(1, due_on=TODAY), TODAY, None, id="t1-due-today"),
        pytest.param(facts(1, due_on=YESTERDAY), TODAY, TO2_OVERDUE, id="t1-overdue"),
        pytest.param(facts(1, due_on=None), date(2099, 1, 1), None, id="t1-no-deadline"),
        pytest.param(facts(1, joint_agendas_at_tier=5), TODAY, None, id="t1-agendas-do-not-count"),
        # The first rule that applies names the move.
        pytest.param(facts(1, key=True, co_count=2, returns_at_tier=3, due_on=YESTERDAY), TODAY,
                     TO3_KEY, id="t1-key-first"),
        pytest.param(facts(1, co_count=2, returns_at_tier=3, due_on=YESTERDAY), TODAY,
                     TO2_CO, id="t1-co-before-returned"),
        pytest.param(facts(1, returns_at_tier=3, due_on=YESTERDAY), TODAY,
                     TO2_RETURNED, id="t1-returned-before-overdue"),
        pytest.param(facts(2), TODAY, None, id="t2-nothing"),
        pytest.param(facts(2, key=True), TODAY, TO3_KEY, id="t2-key"),
        pytest.param(facts(2, category="人才公寓"), TODAY, TO3_KEY, id="t2-key-category"),
        pytest.param(facts(2, co_count=3), TODAY, None, id="t2-co-departments-are-normal"),
        pytest.param(facts(2, returns_at_tier=9), TODAY, None, id="t2-returns-do-not-count"),
        pytest.param(facts(2, joint_agendas_at_tier=1), TODAY, None, id="t2-one-agenda"),
        pytest.param(facts(2, joint_agendas_at_tier=2), TODAY, TO3_AGENDAS, id="t2-two-agendas"),
        pytest.param(facts(2, due_on=TODAY), TODAY, None, id="t2-due-today"),
        pytest.param(facts(2, due_on=YESTERDAY), TODAY, TO3_OVERDUE, id="t2-overdue"),
        pytest.param(facts(2, key=True, joint_agendas_at_tier=2, due_on=YESTERDAY), TODAY,
                     TO3_KEY, id="t2-key-first"),
        pytest.param(facts(2, joint_agendas_at_tier=2, due_on=YESTERDAY), TODAY,
                     TO3_AGENDAS, id="t2-agendas-before-overdue"),
        pytest.param(facts(3, key=True, co_count=2, returns_at_tier=9, joint_agendas_at_tier=9, due_on=YESTERDAY),
                     TODAY, None, id="t3-stays"),
    ],
)  # fmt: skip
def test_escalation(case, today, expected):
    assert escalation(case, today=today, rules=KEY_RULES) == expected


@pytest.mark.parametrize("status", ["resolved", "closed"])
@pytest.mark.parametrize("tier", [1, 2])
def test_finished_cases_never_escalate(status, tier):
    case = facts(tier, status=status, key=True, co_count=1, returns_at_tier=9, joint_agendas_at_tier=9)
    assert escalation(dataclasses.replace(case, due_on=YESTERDAY), today=TODAY, rules=DEFAULT_RULES) is None


@pytest.mark.parametrize("status", ["open", "dispatched", "accepted", "answered"])
def test_unfinished_cases_escalate_whatever_their_status(status):
    decision = escalation(facts(1, status=status, due_on=YESTERDAY), today=TODAY, rules=DEFAULT_RULES)
    assert decision == TierDecision(2, RULE_ESCALATE_OVERDUE)


@given(
    tier=st.sampled_from((1, 2, 3)),
    status=st.sampled_from(STATUSES),
    key=st.booleans(),
    category=st.sampled_from((None, "人才公寓", "营商环境")),
    co_count=st.integers(0, 5),
    returns=st.integers(0, 5),
    agendas=st.integers(0, 5),
    due_on=st.one_of(st.none(), st.dates(date(2026, 2, 1), date(2026, 4, 1))),
)
def test_escalation_only_ever_raises_the_tier(tier, status, key, category, co_count, returns, agendas, due_on):
    case = CaseFacts(tier, status, key, category, co_count, returns, agendas, due_on)
    decision = escalation(case, today=TODAY, rules=KEY_RULES)
    if decision is not None:
        assert decision.tier > tier
        assert status not in ("resolved", "closed")
        assert decision.rule.startswith("escalate:")


def test_escalation_refuses_a_tier_that_does_not_exist():
    with pytest.raises(ValueError, match="no such tier"):
        escalation(facts(4), today=TODAY, rules=DEFAULT_RULES)


@pytest.mark.parametrize(
    ("text", "case", "default", "custom"),
    [
        (
            toml("[escalation]", "returns = 3"),
            facts(1, returns_at_tier=2),
            TierDecision(2, RULE_ESCALATE_RETURNED),
            None,
        ),
        (
            toml("[escalation]", "returns = 1"),
            facts(1, returns_at_tier=1),
            None,
            TierDecision(2, RULE_ESCALATE_RETURNED),
        ),
        (
            toml("[escalation]", "joint_agendas = 1"),
            facts(2, joint_agendas_at_tier=1),
            None,
            TierDecision(3, RULE_ESCALATE_AGENDAS),
        ),
        (
            toml("[escalation]", "joint_agendas = 4"),
            facts(2, joint_agendas_at_tier=3),
            TierDecision(3, RULE_ESCALATE_AGENDAS),
            None,
        ),
        (
            toml("[intake]", 'key_categories = ["场地租赁"]'),
            facts(1, category="场地租赁"),
            None,
            TierDecision(3, RULE_ESCALATE_KEY),
        ),
        (
            toml("[intake]", 'key_categories = ["场地租赁"]'),
            facts(2, category="场地租赁"),
            None,
            TierDecision(3, RULE_ESCALATE_KEY),
        ),
    ],
)
def test_rules_from_a_file_change_escalation(text, case, default, custom):
    assert escalation(case, today=TODAY, rules=DEFAULT_RULES) == default
    assert escalation(case, today=TODAY, rules=parse_rules(text, source=SOURCE)) == custom


# --- rules: defaults and lookups -----------------------------------------------------------------------------


def test_defaults_follow_the_districts_mechanism():
    assert [deadline_days(DEFAULT_RULES, tier) for tier in (1, 2, 3)] == [(5, 15), (10, 30), (10, 60)]
    assert DEFAULT_RULES.key_categories == frozenset()
    assert (DEFAULT_RULES.escalate_returns, DEFAULT_RULES.escalate_joint_agendas) == (2, 2)
    assert meeting_rule(DEFAULT_RULES, "joint") == MeetingRule("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU", date(2026, 1, 6))
    assert meeting_rule(DEFAULT_RULES, "leaders") == MeetingRule("FREQ=MONTHLY;BYDAY=TH;BYSETPOS=-1", date(2026, 1, 1))
    assert (DEFAULT_RULES.source, DEFAULT_RULES.overridden) == (None, frozenset())


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("joint", [date(2026, 1, 6), date(2026, 1, 20), date(2026, 2, 3), date(2026, 2, 17)]),
        ("leaders", [date(2026, 1, 29), date(2026, 2, 26), date(2026, 3, 26), date(2026, 4, 30)]),
    ],
)
def test_default_meeting_rules_give_the_expected_days(kind, expected):
    from dateutil.rrule import rrulestr

    meeting = meeting_rule(DEFAULT_RULES, kind)
    days = rrulestr(meeting.rrule, dtstart=datetime.combine(meeting.first, time()))
    assert [moment.date() for moment in days[:4]] == expected


def test_meeting_kinds_and_their_tiers():
    assert (meeting_tier("joint"), meeting_tier("leaders")) == (2, 3)
    with pytest.raises(ValueError, match="no such meeting kind"):
        meeting_tier("weekly")
    with pytest.raises(ValueError, match="no such meeting kind"):
        meeting_rule(DEFAULT_RULES, "weekly")


def test_deadline_days_refuses_a_tier_that_does_not_exist():
    with pytest.raises(ValueError, match="no such tier"):
        deadline_days(DEFAULT_RULES, 0)


def test_rules_are_frozen_and_hashable():
    rules = parse_rules(toml("[deadlines.tier1]", "reply = 3"), source=SOURCE)
    assert hash(rules) != hash(DEFAULT_RULES)
    assert {rules, DEFAULT_RULES, parse_rules(toml("[deadlines.tier1]", "reply = 3"), source=SOURCE)} == {
        rules,
        DEFAULT_RULES,
    }
    with pytest.raises(TypeError):
        rules.reply_days[1] = 9  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        rules.escalate_returns = 9  # type: ignore[misc]


def test_rules_accept_plain_dicts_but_need_every_tier():
    rules = TierRules(reply_days={1: 1, 2: 2, 3: 3}, resolve_days={1: 4, 2: 5, 3: 6})
    assert deadline_days(rules, 2) == (2, 5)
    assert rules.reply_days == {1: 1, 2: 2, 3: 3}
    with pytest.raises(ValueError, match="reply_days"):
        TierRules(reply_days={1: 1, 2: 2})


# --- rules files that parse ----------------------------------------------------------------------------------

FULL_FILE = toml(
    "# The district's own mechanism, written out.",
    "[intake]",
    'key_categories = ["人才公寓", "场地租赁"]',
    "",
    "[deadlines.tier1]",
    "reply = 5",
    "resolve = 15",
    "[deadlines.tier2]",
    "reply = 10",
    "resolve = 30",
    "[deadlines.tier3]",
    "reply = 10",
    "resolve = 60",
    "",
    "[escalation]",
    "returns = 2",
    "joint_agendas = 2",
    "",
    "[warnings]",
    "due_within = 3",
    "",
    "[supervision]",
    "urged = 2",
    "overdue = 5",
    "unsatisfied = true",
    "",
    "[meetings.joint]",
    'rrule = "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU"',
    "first = 2026-01-06          # a TOML date",
    "[meetings.leaders]",
    'rrule = "FREQ=MONTHLY;BYDAY=TH;BYSETPOS=-1"',
    "first = 2026-01-01",
    "",
    "[coverage]  # months between visits; 0: not in scope",
    "enterprise = 12",
    "resident = 0",
    "organisation = 0",
    "[coverage.tags]",
    '"重点企业" = 3',
    "",
    "[score]",
    "reply = 15",
    "resolution = 35",
    "on_time = 15",
    "satisfaction = 35",
    "min_cases = 5",
    "list_size = 3",
    "",
    "[mail]",
    'host = ""',
    "port = 25",
    'from = ""',
    'user = ""',
    'password_env = ""',
    "starttls = false",
    "departments = {}",
)


@pytest.mark.parametrize("text", ["", "\n\n", "# nothing set yet\n", "[intake]\n[deadlines.tier1]\n"])
def test_a_file_that_sets_nothing_gives_the_defaults(text):
    assert parse_rules(text, source=SOURCE) == dataclasses.replace(DEFAULT_RULES, source=SOURCE)


def test_the_full_file_sets_every_key():
    rules = parse_rules(FULL_FILE, source=SOURCE)
    assert rules.overridden == frozenset(RULES_FILE_KEYS)
    assert rules.key_categories == frozenset({"人才公寓", "场地租赁"})
    assert dataclasses.replace(rules, key_categories=frozenset(), overridden=frozenset(), source=None) == (
        DEFAULT_RULES
    )


@pytest.mark.parametrize(
    ("text", "key", "read", "expected"),
    [
        (toml("[intake]", "key_categories = ['人才公寓']"), "intake.key_categories",
         lambda r: r.key_categories, frozenset({"人才公寓"})),
        (toml("[deadlines.tier1]", "reply = 3"), "deadlines.tier1.reply", lambda r: deadline_days(r, 1), (3, 15)),
        (toml("[deadlines.tier1]", "resolve = 20"), "deadlines.tier1.resolve", lambda r: deadline_days(r, 1), (5, 20)),
        (toml("[deadlines.tier2]", "reply = 7"), "deadlines.tier2.reply", lambda r: deadline_days(r, 2), (7, 30)),
        (toml("[deadlines.tier2]", "resolve = 45"), "deadlines.tier2.resolve", lambda r: deadline_days(r, 2), (10, 45)),
        (toml("[deadlines.tier3]", "reply = 1"), "deadlines.tier3.reply", lambda r: deadline_days(r, 3), (1, 60)),
        (toml("[deadlines.tier3]", "resolve = 365"), "deadlines.tier3.resolve",
         lambda r: deadline_days(r, 3), (10, 365)),
        (toml("[escalation]", "returns = 1"), "escalation.returns", lambda r: r.escalate_returns, 1),
        (toml("[escalation]", "joint_agendas = 20"), "escalation.joint_agendas",
         lambda r: r.escalate_joint_agendas, 20),
        (toml("[warnings]", "due_within = 5"), "warnings.due_within", lambda r: r.due_within, 5),
        (toml("[supervision]", "urged = 3"), "supervision.urged", lambda r: r.supervise_urged, 3),
        (toml("[supervision]", "overdue = 10"), "supervision.overdue", lambda r: r.supervise_overdue, 10),
        (toml("[supervision]", "unsatisfied = false"), "supervision.unsatisfied", lambda r: r.supervise_unsatisfied,
         False),
        (toml("[meetings.joint]", 'rrule = "FREQ=WEEKLY;BYDAY=WE"'), "meetings.joint.rrule",
         lambda r: r.joint, MeetingRule("FREQ=WEEKLY;BYDAY=WE", date(2026, 1, 6))),
        (toml("[meetings.joint]", "first = 2026-01-13"), "meetings.joint.first",
         lambda r: r.joint, MeetingRule("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU", date(2026, 1, 13))),
        (toml("[meetings.leaders]", 'rrule = "FREQ=MONTHLY;BYMONTHDAY=15"'), "meetings.leaders.rrule",
         lambda r: r.leaders, MeetingRule("FREQ=MONTHLY;BYMONTHDAY=15", date(2026, 1, 1))),
        (toml("[meetings.leaders]", "first = 2027-01-01"), "meetings.leaders.first",
         lambda r: r.leaders, MeetingRule("FREQ=MONTHLY;BYDAY=TH;BYSETPOS=-1", date(2027, 1, 1))),
        (toml("[coverage]", "organisation = 6"), "coverage.organisation",
         lambda r: r.coverage.kinds["organisation"], 6),
        (toml("[coverage.tags]", '"重点企业" = 1', "SME = 6"), "coverage.tags",
         lambda r: dict(r.coverage.tags), {"重点企业": 1, "sme": 6}),
        # Dotted keys and inline tables are the same keys.
        (toml("deadlines.tier1.reply = 4"), "deadlines.tier1.reply", lambda r: deadline_days(r, 1), (4, 15)),
        (toml("[deadlines]", "tier2 = {reply = 2, resolve = 30}"), "deadlines.tier2.reply",
         lambda r: deadline_days(r, 2), (2, 30)),
    ],
)  # fmt: skip
def test_each_key_can_be_overridden(text, key, read, expected):
    rules = parse_rules(text, source=SOURCE)
    assert read(rules) == expected
    assert key in rules.overridden
    assert rules.source == SOURCE


def test_a_byte_order_mark_is_ignored():
    assert parse_rules("\ufeff" + toml("[escalation]", "returns = 3"), source=SOURCE).escalate_returns == 3


def test_rule_rows_list_every_rule_in_file_order_with_its_origin():
    rules = parse_rules(
        toml("[meetings.joint]", "first = 2026-01-13", "[intake]", 'key_categories = ["场地租赁", "人才公寓"]'),
        source="/etc/caselog/rules.toml",
    )
    rows = rule_rows(rules)
    assert [row.key for row in rows] == list(RULES_FILE_KEYS)
    assert rows[0] == RuleRow("intake.key_categories", '["人才公寓", "场地租赁"]', "/etc/caselog/rules.toml")
    assert rows[1] == RuleRow("deadlines.tier1.reply", "5", "default")
    assert rows[9] == RuleRow("warnings.due_within", "3", "default")
    assert rows[10:13] == [RuleRow("supervision.urged", "2", "default"), RuleRow("supervision.overdue", "5", "default"),
                           RuleRow("supervision.unsatisfied", "true", "default")]  # fmt: skip
    assert rows[13] == RuleRow("meetings.joint.rrule", '"FREQ=WEEKLY;INTERVAL=2;BYDAY=TU"', "default")
    assert rows[14] == RuleRow("meetings.joint.first", "2026-01-13", "/etc/caselog/rules.toml")
    assert {row.key for row in rows if row.origin != "default"} == {"intake.key_categories", "meetings.joint.first"}


def test_rule_rows_of_the_defaults():
    rows = rule_rows(DEFAULT_RULES)
    assert {row.origin for row in rows} == {"default"}
    assert [row.value for row in rows] == [
        "[]",
        "5",
        "15",
        "10",
        "30",
        "10",
        "60",
        "2",
        "2",
        "3",
        "2",
        "5",
        "true",
        '"FREQ=WEEKLY;INTERVAL=2;BYDAY=TU"',
        "2026-01-06",
        '"FREQ=MONTHLY;BYDAY=TH;BYSETPOS=-1"',
        "2026-01-01",
        "12",
        "0",
        "0",
        '{"重点企业" = 3}',
        *("15", "35", "15", "35", "5", "3"),  # score: the weights, min_cases, list_size
        *('""', "25", '""', '""', '""', "false", "{}"),  # mail: no server
    ]


def test_rule_rows_are_toml_that_reads_back_the_same():
    rules = parse_rules(FULL_FILE, source=SOURCE)
    text = toml(*(f"{row.key} = {row.value}" for row in rule_rows(rules)))
    assert parse_rules(text, source=SOURCE) == rules


# --- rules files that are refused ----------------------------------------------------------------------------

DEADLINE_KEYS = ", ".join(f"deadlines.tier{tier}.{which}" for tier in (1, 2, 3) for which in ("reply", "resolve"))
DAYS = "expected a whole number of working days from 1 to 365, found"
COUNT = "expected a whole number from 1 to 20, found"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        # TOML syntax: tomllib's own message, after the file and line.
        (toml("[deadlines.tier1]", "reply = ", "resolve = 15"),
         "rules.toml:2: Invalid value (at line 2, column 9)"),
        (toml("[escalation]", "returns = 2", "returns = 3"),
         "rules.toml:3: Cannot overwrite a value (at line 3, column 12)"),
        (toml("[intake]", 'key_categories = ["人才公寓",'), "rules.toml:2: Invalid value (at end of document)"),
        # Unknown tables and keys.
        (toml("[deadlines.tier1]", "reply = 5", "[deadlines.tier4]", "reply = 5"),
         f"rules.toml:4: unknown key 'deadlines.tier4.reply' (known: {DEADLINE_KEYS})"),
        (toml("[deadlines.tier1]", "reply = 5", "replies = 6"),
         "rules.toml:3: unknown key 'deadlines.tier1.replies' "
         "(known: deadlines.tier1.reply, deadlines.tier1.resolve)"),
        (toml("[escalation]", "returns = 2", "", "[escalation.extra]"),
         "rules.toml:4: unknown key 'escalation.extra' (known: escalation.returns, escalation.joint_agendas)"),
        (toml("# rules", "holidays = []"),
         "rules.toml:2: unknown key 'holidays' (known: " + ", ".join(RULES_FILE_KEYS) + ")"),
        (toml("[deadlines]", "tier9.reply = 5"),
         f"rules.toml:2: unknown key 'deadlines.tier9.reply' (known: {DEADLINE_KEYS})"),
        (toml("deadlines = 5"), "rules.toml:1: deadlines: expected a table, found 5"),
        # Wrong types and values.
        (toml("", "[deadlines.tier1]", "reply = 'five'"), f"rules.toml:3: deadlines.tier1.reply: {DAYS} 'five'"),
        (toml("[deadlines.tier2]", "reply = 5", "resolve = -30"), f"rules.toml:3: deadlines.tier2.resolve: {DAYS} -30"),
        (toml("[deadlines.tier3]", "resolve = 0"), f"rules.toml:2: deadlines.tier3.resolve: {DAYS} 0"),
        (toml("[deadlines.tier3]", "resolve = 366"), f"rules.toml:2: deadlines.tier3.resolve: {DAYS} 366"),
        (toml("[deadlines.tier1]", "reply = 2.5"), f"rules.toml:2: deadlines.tier1.reply: {DAYS} 2.5"),
        (toml("[deadlines.tier1]", "reply = true"), f"rules.toml:2: deadlines.tier1.reply: {DAYS} true"),
        (toml("[deadlines]", "tier1 = { reply = '5' }"), f"rules.toml:2: deadlines.tier1.reply: {DAYS} '5'"),
        (toml("[escalation]", "returns = -1"), f"rules.toml:2: escalation.returns: {COUNT} -1"),
        (toml("[escalation]", "returns = 2", "joint_agendas = 21"),
         f"rules.toml:3: escalation.joint_agendas: {COUNT} 21"),
        (toml("[intake]", "key_categories = '人才公寓'"),
         "rules.toml:2: intake.key_categories: expected a list of non-empty category names, found '人才公寓'"),
        (toml("[intake]", "key_categories = ['人才公寓', ' ']"),
         "rules.toml:2: intake.key_categories: expected a list of non-empty category names, found "
         '["人才公寓", " "]'),
        (toml("[meetings.leaders]", "rrule = 5"), "rules.toml:2: meetings.leaders.rrule: "
         "expected a recurrence rule such as 'FREQ=WEEKLY;BYDAY=TU', found 5"),
        # Deadlines that contradict each other; the line is the key the file set.
        (toml("[deadlines.tier1]", "reply = 20"), "rules.toml:2: deadlines.tier1.reply: "
         "reply deadline (20) is after the resolution deadline (15)"),
        (toml("[deadlines.tier2]", "resolve = 30", "reply = 31"), "rules.toml:3: deadlines.tier2.reply: "
         "reply deadline (31) is after the resolution deadline (30)"),
        (toml("[deadlines.tier3]", "resolve = 9"), "rules.toml:2: deadlines.tier3.resolve: "
         "reply deadline (10) is after the resolution deadline (9)"),
        # Meeting calendars.
        (toml("[meetings.joint]", 'rrule = "FREQ=FORTNIGHTLY;BYDAY=TU"'), "rules.toml:2: meetings.joint.rrule: "
         "not a valid RFC 5545 recurrence rule (invalid 'FREQ': FORTNIGHTLY), found 'FREQ=FORTNIGHTLY;BYDAY=TU'"),
        (toml("[meetings.joint]", "first = 2026-01-06", 'rrule = "FREQ=WEEKLY;BYDAY=TUE"'),
         "rules.toml:3: meetings.joint.rrule: "
         "not a valid RFC 5545 recurrence rule (invalid 'BYDAY': TUE), found 'FREQ=WEEKLY;BYDAY=TUE'"),
        (toml("[meetings.joint]", 'rrule = "DTSTART:20260106\\nRRULE:FREQ=WEEKLY"'),
         "rules.toml:2: meetings.joint.rrule: the rule must not contain DTSTART "
         "(the first meeting is meetings.joint.first)"),
        (toml("[meetings.joint]", 'rrule = "RRULE:FREQ=WEEKLY\\nEXDATE:20260113"'),
         'rules.toml:2: meetings.joint.rrule: expected a single RRULE, found "RRULE:FREQ=WEEKLY\\nEXDATE:20260113"'),
        (toml("[meetings.leaders]", "first = 2026-01-01T09:00:00"),
         "rules.toml:2: meetings.leaders.first: expected a date such as 2026-01-06, found 2026-01-01T09:00:00"),
        (toml("[meetings.leaders]", "first = '2026-01-01'"),
         "rules.toml:2: meetings.leaders.first: expected a date such as 2026-01-06, found '2026-01-01'"),
        (toml("[meetings.leaders]", "first = 09:00:00"),
         "rules.toml:2: meetings.leaders.first: expected a date such as 2026-01-06, found 09:00:00"),
        # How often parties must be visited.
        (toml("[coverage]", "enterprise = 'yearly'"), "rules.toml:2: coverage.enterprise: expected a whole number of"
         " months from 0 (not in scope) to 120, found 'yearly'"),
        (toml("[coverage]", "resident = 121"), "rules.toml:2: coverage.resident: expected a whole number of months"
         " from 0 (not in scope) to 120, found 121"),
        (toml("[coverage]", "enterprise = 12", "tags = 3"), "rules.toml:3: coverage.tags: expected a table of tag ="
         ' months, such as {"重点企业" = 3}, found 3'),
        (toml("[coverage.tags]", '"重点企业" = 3', '"新入驻" = 0'), "rules.toml:3: coverage.tags.新入驻: expected a"
         " whole number of months from 1 to 120, found 0"),
        (toml("[coverage.tags]", '"a,b" = 3'), "rules.toml:2: coverage.tags.a,b: a tag is a word without commas,"
         " found 'a,b'"),
        (toml("[coverage]", "enterprises = 12"), "rules.toml:2: unknown key 'coverage.enterprises' (known:"
         " coverage.enterprise, coverage.resident, coverage.organisation, coverage.tags)"),
    ],
)  # fmt: skip
def test_a_broken_file_is_refused_with_its_line_and_key(text, message):
    with pytest.raises(BadInput) as refused:
        parse_rules(text, source=SOURCE)
    assert str(refused.value) == message
    assert "\n" not in str(refused.value)
