"""The three tiers (三级会商协调机制) as data plus pure functions: no database, no I/O.

1. single-department issue (单一部门协调解决): dispatched to one department.
2. cross-department issue (跨部门协调解决): the biweekly joint meeting (联席会议).
3. key, complex issue (重点复杂): the monthly meeting chaired by the district leader in charge (分管区领导).

The rules (deadlines, escalation thresholds, meeting calendars) default to the district's mechanism; a TOML
rules file may override any of them (``parse_rules``; the caller reads the file).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from caselog.enums import Status
from caselog.errors import BadInput
from caselog.i18n import N_, _
from caselog.rules.coverage import DEFAULT_COVERAGE, MAX_MONTHS, PARTY_KINDS, CoverageRules, rule_items
from caselog.rules.mail import (
    DEFAULT_MAIL,
    MAIL_KEYS,
    MailRules,
    check_mail,
    check_mail_together,
    mail_rules,
    mail_values,
)
from caselog.rules.scores import (
    DEFAULT_SCORE,
    SCORE_KEYS,
    ScoreRules,
    check_score,
    check_weights,
    score_rules,
    score_values,
)

TIERS = (1, 2, 3)

# Rule names appear in a case's history and in ``tier_rule``; scripts may rely on them. They are stored as they
# are and shown translated (``_(rule)``): in Chinese, 受理：跨部门 rather than intake:cross-department.
RULE_MANUAL = N_("manual")
RULE_SINGLE = N_("intake:single-department")
RULE_CROSS = N_("intake:cross-department")
RULE_KEY = N_("intake:key")
RULE_ESCALATE_KEY = N_("escalate:key")
RULE_ESCALATE_CO = N_("escalate:co-department")
RULE_ESCALATE_RETURNED = N_("escalate:returned")
RULE_ESCALATE_OVERDUE = N_("escalate:overdue")
RULE_ESCALATE_AGENDAS = N_("escalate:joint-agendas")

MEETING_KINDS = ("joint", "leaders")
_MEETING_TIERS = {"joint": 2, "leaders": 3}
_FINISHED = frozenset({Status.resolved, Status.closed})

# Every key a rules file may set, in the order a rules file (and ``caselog rules``) lists them.
RULES_FILE_KEYS: tuple[str, ...] = (
    "intake.key_categories",
    *(f"deadlines.tier{tier}.{which}" for tier in TIERS for which in ("reply", "resolve")),
    "escalation.returns",
    "escalation.joint_agendas",
    "warnings.due_within",
    "supervision.urged",
    "supervision.overdue",
    "supervision.unsatisfied",
    *(f"meetings.{kind}.{field}" for kind in MEETING_KINDS for field in ("rrule", "first")),
    *(f"coverage.{kind}" for kind in PARTY_KINDS),
    "coverage.tags",
    *(f"score.{key}" for key in SCORE_KEYS),
    *(f"mail.{key}" for key in MAIL_KEYS),
)
_TABLES = frozenset(key.rsplit(".", n)[0] for key in RULES_FILE_KEYS for n in (1, 2) if key.count(".") >= n)
MAX_DAYS = 365
MAX_COUNT = 20


@dataclass(frozen=True)
class TierDecision:
    """Which tier a case belongs in, and the name of the rule that put it there."""

    tier: int
    rule: str


def intake_tier(
    *,
    explicit: int | None,
    key: bool,
    co_count: int,
    category: str | None,
    key_categories: Collection[str] = (),
) -> TierDecision:
    """The tier of a new case: an explicit tier wins; key cases or key categories are tier 3; a lead with
    co-departments is tier 2; one department alone is tier 1."""
    if explicit is not None:
        return TierDecision(explicit, RULE_MANUAL)
    if key or (category is not None and category in key_categories):
        return TierDecision(3, RULE_KEY)
    if co_count > 0:
        return TierDecision(2, RULE_CROSS)
    return TierDecision(1, RULE_SINGLE)


class _FrozenMap(Mapping[int, int]):
    """A read-only, hashable mapping, so that ``TierRules`` stays a hashable value."""

    __slots__ = ("_data",)

    def __init__(self, data: Mapping[int, int]) -> None:
        self._data = dict(data)

    def __getitem__(self, key: int) -> int:
        return self._data[key]

    def __iter__(self) -> Iterator[int]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __hash__(self) -> int:
        return hash(frozenset(self._data.items()))

    def __repr__(self) -> str:
        return repr(self._data)


@dataclass(frozen=True)
class MeetingRule:
    """When a kind of meeting happens: an RFC 5545 RRULE (without DTSTART) anchored at a first date."""

    rrule: str
    first: date


@dataclass(frozen=True)
class TierRules:
    """The effective tier rules: the district's defaults, maybe overridden by a rules file.

    Deadlines are working days from dispatch, per tier (plain dicts are accepted and frozen). ``overridden``
    holds the dotted keys (``deadlines.tier1.reply``) that the file at ``source`` set; ``source`` is None
    for the defaults.
    """

    reply_days: Mapping[int, int] = _FrozenMap({1: 5, 2: 10, 3: 10})
    resolve_days: Mapping[int, int] = _FrozenMap({1: 15, 2: 30, 3: 60})
    key_categories: frozenset[str] = frozenset()
    escalate_returns: int = 2
    escalate_joint_agendas: int = 2
    due_within: int = 3  # working days ahead that a deadline counts as due soon (预警)
    # When a case comes under supervision (督办, ``caselog.rules.supervision``): urged this many times, overdue by
    # this many working days, and (if true) after a return visit that found the party unsatisfied.
    supervise_urged: int = 2
    supervise_overdue: int = 5
    supervise_unsatisfied: bool = True
    joint: MeetingRule = MeetingRule("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU", date(2026, 1, 6))
    leaders: MeetingRule = MeetingRule("FREQ=MONTHLY;BYDAY=TH;BYSETPOS=-1", date(2026, 1, 1))
    coverage: CoverageRules = DEFAULT_COVERAGE
    score: ScoreRules = DEFAULT_SCORE  # 综合得分: the weights, the fewest cases to be ranked, the lists' size
    mail: MailRules = DEFAULT_MAIL  # where the morning digests are mailed (no server: files only)
    source: str | None = None
    overridden: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        for name in ("reply_days", "resolve_days"):
            days = _FrozenMap(getattr(self, name))
            if set(days) != set(TIERS):
                raise ValueError(f"{name} needs one number for each tier {TIERS}, got {days!r}")
            object.__setattr__(self, name, days)
        object.__setattr__(self, "key_categories", frozenset(self.key_categories))
        object.__setattr__(self, "overridden", frozenset(self.overridden))


DEFAULT_RULES = TierRules()


def deadline_days(rules: TierRules, tier: int) -> tuple[int, int]:
    """Working days from dispatch to the (reply, resolution) deadlines of a case in ``tier``."""
    if tier not in TIERS:
        raise ValueError(f"no such tier: {tier!r}")
    return rules.reply_days[tier], rules.resolve_days[tier]


def meeting_tier(kind: str) -> int:
    """The tier whose cases a kind of meeting takes up: ``joint`` → 2, ``leaders`` → 3."""
    try:
        return _MEETING_TIERS[kind]
    except KeyError:
        raise ValueError(f"no such meeting kind: {kind!r} (known: {', '.join(MEETING_KINDS)})") from None


def meeting_rule(rules: TierRules, kind: str) -> MeetingRule:
    """When meetings of ``kind`` (``joint`` or ``leaders``) happen under ``rules``."""
    return rules.joint if meeting_tier(kind) == 2 else rules.leaders


# --- escalation --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseFacts:
    """What escalation needs to know about one case; counts run since it entered its current tier."""

    tier: int
    status: str
    key: bool
    category: str | None
    co_count: int
    returns_at_tier: int
    joint_agendas_at_tier: int
    due_on: date | None


def escalation(facts: CaseFacts, *, today: date, rules: TierRules) -> TierDecision | None:
    """The tier a case should move up to today and the rule that says so, or None if it stays.

    Checked in order at tier 1: key (or key category) → 3, co-departments → 2, returned
    ``escalate_returns`` times → 2, overdue → 2. At tier 2: key → 3, on ``escalate_joint_agendas``
    joint-meeting agendas → 3, overdue → 3. Overdue means ``today`` is after ``due_on``. Tier 3 and
    resolved or closed cases never move; a tier is never lowered.
    """
    if facts.tier not in TIERS:
        raise ValueError(f"no such tier: {facts.tier!r}")
    if facts.status in _FINISHED or facts.tier == 3:
        return None
    key = facts.key or (facts.category is not None and facts.category in rules.key_categories)
    overdue = facts.due_on is not None and today > facts.due_on
    if key:
        return TierDecision(3, RULE_ESCALATE_KEY)
    if facts.tier == 1:
        if facts.co_count > 0:
            return TierDecision(2, RULE_ESCALATE_CO)
        if facts.returns_at_tier >= rules.escalate_returns:
            return TierDecision(2, RULE_ESCALATE_RETURNED)
        return TierDecision(2, RULE_ESCALATE_OVERDUE) if overdue else None
    if facts.joint_agendas_at_tier >= rules.escalate_joint_agendas:
        return TierDecision(3, RULE_ESCALATE_AGENDAS)
    return TierDecision(3, RULE_ESCALATE_OVERDUE) if overdue else None


# --- rules files -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleRow:
    """One effective rule for ``caselog rules``: its dotted key, its value in TOML, and where it came from."""

    key: str
    value: str
    origin: str


def _values(rules: TierRules) -> dict[str, Any]:
    """Every rule as the value a rules file would hold, by dotted key in file order."""
    values: dict[str, Any] = {"intake.key_categories": sorted(rules.key_categories)}
    for tier in TIERS:
        values[f"deadlines.tier{tier}.reply"], values[f"deadlines.tier{tier}.resolve"] = deadline_days(rules, tier)
    values["escalation.returns"] = rules.escalate_returns
    values["escalation.joint_agendas"] = rules.escalate_joint_agendas
    values["warnings.due_within"] = rules.due_within
    values["supervision.urged"] = rules.supervise_urged
    values["supervision.overdue"] = rules.supervise_overdue
    values["supervision.unsatisfied"] = rules.supervise_unsatisfied
    for kind in MEETING_KINDS:
        values[f"meetings.{kind}.rrule"] = meeting_rule(rules, kind).rrule
        values[f"meetings.{kind}.first"] = meeting_rule(rules, kind).first
    for kind, months in rule_items(rules.coverage):
        values[f"coverage.{kind}"] = months
    values["coverage.tags"] = dict(rules.coverage.tags)
    return values | score_values(rules.score) | mail_values(rules.mail)


def _toml(value: object) -> str:
    """``value`` as TOML writes it."""
    import json

    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a JSON string is also a TOML basic string
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml(item) for item in value) + "]"
    if isinstance(value, dict):
        keys = [key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else _toml(key) for key in value]
        return "{" + ", ".join(f"{key} = {_toml(item)}" for key, item in zip(keys, value.values(), strict=True)) + "}"
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def _found(value: object) -> str:
    """``value`` for an error message: a plain string in single quotes (a TOML literal string)."""
    if isinstance(value, str) and value.isprintable() and "'" not in value:
        return f"'{value}'"
    return _toml(value)


def rule_rows(rules: TierRules) -> list[RuleRow]:
    """Every effective rule in file order; ``origin`` is ``default`` or the path of the file that set it."""
    return [
        RuleRow(key, _toml(value), rules.source if rules.source and key in rules.overridden else "default")
        for key, value in _values(rules).items()
    ]


class _Refused(Exception):
    """A rules file is wrong at ``key`` (whose line the message will name)."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


_KEY_PART = r"""[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*'"""
_DOTTED = rf"(?:{_KEY_PART})(?:\s*\.\s*(?:{_KEY_PART}))*"
_HEADER = rf"\s*\[\[?\s*(?P<name>{_DOTTED})\s*\]\]?\s*(?:#.*)?"
_ASSIGNMENT = rf"\s*(?P<name>{_DOTTED})\s*="


def _key_parts(name: str) -> list[str]:
    """The parts of a dotted TOML key, quotes removed (escapes are kept: the keys here are plain)."""
    return [part[1:-1] if part[0] in "\"'" else part for part in re.findall(_KEY_PART, name)]


def _key_lines(text: str) -> dict[str, int]:
    """The line where each table or key, and each prefix of it, first appears.

    tomllib gives no positions, so this follows ``[table]`` headers and matches ``key =`` lines; keys in
    an inline table get the line of the key holding the table. Lines inside multi-line strings are not
    told apart, but no valid rules file has any.
    """
    lines: dict[str, int] = {}
    table: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if header := re.fullmatch(_HEADER, line):
            parts = table = _key_parts(header["name"])
        elif assignment := re.match(_ASSIGNMENT, line):
            parts = table + _key_parts(assignment["name"])
        else:
            continue
        for end in range(1, len(parts) + 1):
            lines.setdefault(".".join(parts[:end]), number)
    return lines


def _line_of(lines: dict[str, int], key: str) -> int:
    """The line of ``key``, else of the nearest table holding it, else 1."""
    parts = key.split(".")
    for end in range(len(parts), 0, -1):
        if (number := lines.get(".".join(parts[:end]))) is not None:
            return number
    return 1


def _flatten(node: dict[str, Any], path: str, out: dict[str, Any]) -> None:
    """Collect the keys of a parsed rules file into ``out``, refusing unknown keys and tables."""
    for name, value in node.items():
        key = f"{path}.{name}" if path else name
        if key in RULES_FILE_KEYS:
            out[key] = value
        elif key in _TABLES and isinstance(value, dict):
            _flatten(value, key, out)
        elif key in _TABLES:
            raise _Refused(key, f"{key}: " + _("expected a table, found {found}").format(found=_found(value)))
        else:
            while isinstance(value, dict) and value:  # name a whole key, not just an unknown table
                name, value = next(iter(value.items()))
                key = f"{key}.{name}"
            known = ", ".join(known for known in RULES_FILE_KEYS if known.startswith(path))
            raise _Refused(key, _("unknown key '{key}' (known: {known})").format(key=key, known=known))


def _check(key: str, value: Any) -> str | None:
    """What is wrong with one value from a rules file, or None."""
    whole = isinstance(value, int) and not isinstance(value, bool)
    if key == "supervision.unsatisfied":
        ok = isinstance(value, bool)
        template = _("expected true or false, found {found}")
    elif key.startswith(("deadlines.", "warnings.")) or key == "supervision.overdue":
        ok = whole and 1 <= value <= MAX_DAYS
        template = _("expected a whole number of working days from 1 to {days}, found {found}")
    elif key.startswith(("escalation.", "supervision.")):
        ok = whole and 1 <= value <= MAX_COUNT
        template = _("expected a whole number from 1 to {count}, found {found}")
    elif key.startswith("coverage."):
        ok = whole and 0 <= value <= MAX_MONTHS
        template = _("expected a whole number of months from 0 (not in scope) to {months}, found {found}")
    elif key == "intake.key_categories":
        ok = isinstance(value, list) and all(isinstance(item, str) and item.strip() for item in value)
        template = _("expected a list of non-empty category names, found {found}")
    elif key.endswith(".first"):
        # A TOML date-time loads as a datetime, which is also a date.
        ok = isinstance(value, date) and not isinstance(value, datetime)
        template = _("expected a date such as 2026-01-06, found {found}")
    else:  # an rrule: parsed later, with its first date
        ok = isinstance(value, str) and bool(value.strip())
        template = _("expected a recurrence rule such as 'FREQ=WEEKLY;BYDAY=TU', found {found}")
    return None if ok else template.format(days=MAX_DAYS, count=MAX_COUNT, months=MAX_MONTHS, found=_found(value))


def _check_tags(value: Any) -> tuple[str, str] | None:
    """What is wrong with ``coverage.tags`` (a table of tag = months), and the key to name; or None."""
    if not isinstance(value, dict):
        return "coverage.tags", _("expected a table of tag = months, such as {example}, found {found}").format(
            example='{"重点企业" = 3}', found=_found(value)
        )
    for tag, months in value.items():
        key = f"coverage.tags.{tag}"
        if not tag.strip() or "," in tag:
            return key, _("a tag is a word without commas, found {found}").format(found=_found(tag))
        if isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= MAX_MONTHS:
            template = _("expected a whole number of months from 1 to {months}, found {found}")
            return key, template.format(months=MAX_MONTHS, found=_found(months))
    return None


def _check_rrule(rrule: str, first: date, first_key: str) -> str | None:
    """What is wrong with a meeting's recurrence rule, or None."""
    import warnings

    from dateutil.rrule import rrule as one_rule
    from dateutil.rrule import rrulestr

    if "DTSTART" in rrule.upper():
        return _("the rule must not contain DTSTART (the first meeting is {key})").format(key=first_key)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # dateutil only warns about COUNT together with UNTIL
            parsed = rrulestr(rrule, dtstart=datetime.combine(first, time()))
    except (ValueError, TypeError, KeyError, IndexError, OverflowError, Warning) as exc:
        return _("not a valid RFC 5545 recurrence rule ({error}), found {found}").format(error=exc, found=_found(rrule))
    if not isinstance(parsed, one_rule):  # RDATE, EXDATE or several rules make an rruleset
        return _("expected a single RRULE, found {found}").format(found=_found(rrule))
    from caselog.rules.recurrence import check_meeting_rule

    try:
        check_meeting_rule(rrule, first)  # valid RFC 5545, but no meeting calendar (FREQ=HOURLY, INTERVAL=0)
    except ValueError as exc:
        return _("{problem}, found {found}").format(problem=exc, found=_found(rrule))
    return None


def _validate(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The keys a parsed rules file sets and every effective value; raises ``_Refused``."""
    found: dict[str, Any] = {}
    _flatten(data, "", found)
    for key in RULES_FILE_KEYS:
        if key.startswith("mail.") and key in found and (mail_problem := check_mail(key, found[key])) is not None:
            raise _Refused(mail_problem[0], f"{mail_problem[0]}: {mail_problem[1]}")
        if key.startswith("mail."):
            continue
        if key.startswith("score.") and key in found and (problem := check_score(key, found[key])) is not None:
            raise _Refused(key, f"{key}: {problem}")
        if key.startswith("score."):
            continue
        if key == "coverage.tags":
            if key in found and (problem := _check_tags(found[key])) is not None:
                raise _Refused(problem[0], f"{problem[0]}: {problem[1]}")
        elif key in found and (problem := _check(key, found[key])) is not None:
            raise _Refused(key, f"{key}: {problem}")
    values = _values(DEFAULT_RULES) | found
    for tier in TIERS:
        reply_key, resolve_key = f"deadlines.tier{tier}.reply", f"deadlines.tier{tier}.resolve"
        if (reply := values[reply_key]) > (resolve := values[resolve_key]):
            at = reply_key if reply_key in found else resolve_key
            template = _("reply deadline ({reply}) is after the resolution deadline ({resolve})")
            raise _Refused(at, f"{at}: " + template.format(reply=reply, resolve=resolve))
    if (problem := check_weights(values)) is not None:
        at = next((key for key in found if key.startswith("score.")), "score")
        raise _Refused(at, f"score: {problem}")
    if (mail_problem := check_mail_together(values, found)) is not None:
        raise _Refused(mail_problem[0], f"{mail_problem[0]}: {mail_problem[1]}")
    for kind in MEETING_KINDS:
        rrule_key, first_key = f"meetings.{kind}.rrule", f"meetings.{kind}.first"
        if rrule_key in found or first_key in found:
            if (problem := _check_rrule(values[rrule_key], values[first_key], first_key)) is not None:
                at = rrule_key if rrule_key in found else first_key
                raise _Refused(at, f"{at}: {problem}")
    return found, values


def _at(source: str, line: int, message: object) -> BadInput:
    """The one-line error for a broken rules file."""
    return BadInput(_("{source}:{line}: {message}").format(source=source, line=line, message=message))


def parse_rules(text: str, *, source: str) -> TierRules:
    """The tier rules in the text of a TOML rules file read from ``source``; defaults for what it leaves out.

    A broken file raises ``BadInput`` with one line naming the file, the line and the key at fault:
    ``rules.toml:4: deadlines.tier1.reply: expected a whole number ... found 'five'``.
    """
    import tomllib

    text = text.removeprefix("\ufeff")  # Windows editors save UTF-8 with a byte-order mark
    try:
        found, values = _validate(tomllib.loads(text))
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None)  # Python 3.14 has it; 3.11 only puts it in the message
        if line is None:
            match = re.search(r"\(at line (\d+), column \d+\)$", str(exc))
            line = int(match[1]) if match else max(1, len(text.splitlines()))
        raise _at(source, line, exc) from None
    except _Refused as exc:
        raise _at(source, _line_of(_key_lines(text), exc.key), exc) from None
    return TierRules(
        reply_days={tier: values[f"deadlines.tier{tier}.reply"] for tier in TIERS},
        resolve_days={tier: values[f"deadlines.tier{tier}.resolve"] for tier in TIERS},
        key_categories=frozenset(values["intake.key_categories"]),
        escalate_returns=values["escalation.returns"],
        escalate_joint_agendas=values["escalation.joint_agendas"],
        due_within=values["warnings.due_within"],
        supervise_urged=values["supervision.urged"],
        supervise_overdue=values["supervision.overdue"],
        supervise_unsatisfied=values["supervision.unsatisfied"],
        joint=MeetingRule(values["meetings.joint.rrule"], values["meetings.joint.first"]),
        leaders=MeetingRule(values["meetings.leaders.rrule"], values["meetings.leaders.first"]),
        coverage=CoverageRules(
            kinds={kind: values[f"coverage.{kind}"] for kind in PARTY_KINDS}, tags=values["coverage.tags"]
        ),
        score=score_rules(values),
        mail=mail_rules(values),
        source=source,
        overridden=frozenset(found),
    )
