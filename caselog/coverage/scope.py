"""Which parties the visiting programme covers and who looks after each, as SQL expressions over ``parties``.

A party is looked after by its own responsible official and department, else by its building's leader (楼长), else
by its park's (园长); a party none of them names has no responsible official. It is in scope when a coverage rule
applies to its kind or one of its tags (``caselog.rules.coverage``), and is due for a visit when its last visit is on
or before the day its rule gives.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Date, Integer, String, case, false, literal, or_
from sqlalchemy.orm import aliased

from caselog.enums import Channel
from caselog.models import Building, Department, Park, Party, Visit
from caselog.rules.coverage import CoverageRules, Interval, intervals, latest_due_visit

# The visits that count for coverage: an official went to the party (走访). A hotline call, a platform message or a
# meeting is recorded as a visit of its channel and does not cover the party.
COVERING_CHANNEL = Channel.visit.value


def covering(channel_column):
    """The condition that a visit covers its party (its channel is ``visit``)."""
    return channel_column == COVERING_CHANNEL


def _like_escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _applies(rule: Interval):
    """The condition that ``rule`` applies to a party."""
    if rule.kind is not None:
        return Party.kind == rule.kind
    tags = literal(",", String) + Party.tags + literal(",", String)
    return tags.like(f"%,{_like_escaped(rule.tag or '')},%", escape="\\")


@dataclass
class Scope:
    """The expressions of one query over ``parties`` joined to their building, park and responsible department.

    ``official`` and ``department`` are the responsible ones (the party's own, else its building's leader, else its
    park's), ``via`` says whose they are (party, building, park), ``every_months`` is the party's interval (None out
    of scope) and ``in_scope`` the condition that some rule applies to it.
    """

    rules: CoverageRules
    building: type[Building] = field(default_factory=lambda: aliased(Building, name="building"))
    park: type[Park] = field(default_factory=lambda: aliased(Park, name="park"))
    department: type[Department] = field(default_factory=lambda: aliased(Department, name="responsible"))

    def __post_init__(self) -> None:
        b, k = self.building, self.park
        self.official = case((Party.official.is_not(None), Party.official), (b.official.is_not(None), b.official),
                             else_=k.official)  # fmt: skip
        self.department_id = case(
            (Party.official.is_not(None), Party.department_id),
            (b.official.is_not(None), b.department_id),
            else_=k.department_id,
        )
        self.via = case(
            (Party.official.is_not(None), literal("party", String)),
            (b.official.is_not(None), literal("building", String)),
            (k.official.is_not(None), literal("park", String)),
            else_=None,
        )
        self.rule_list = intervals(self.rules)
        self.in_scope = or_(*(_applies(rule) for rule in self.rule_list)) if self.rule_list else false()
        self.every_months = case(*((_applies(r), literal(r.months, Integer)) for r in self.rule_list), else_=None)

    def described(self) -> tuple:
        """A party as the coverage lists show it: id, name, kind, street, building, park, responsible official and
        responsible department's code (select from ``parties`` and ``joined``)."""
        return (Party.id, Party.name, Party.kind, Party.street, self.building.name, self.park.name, self.official,
                self.department.code)  # fmt: skip

    def joined(self, query):
        """``query`` (selecting from ``parties``) joined to each party's building, park and responsible department."""
        return (
            query.outerjoin(self.building, self.building.id == Party.building_id)
            .outerjoin(self.park, self.park.id == Party.park_id)
            .outerjoin(self.department, self.department.id == self.department_id)
        )

    def due_since(self, today: date):
        """The latest last visit that leaves each party due on ``today`` (by its own rule), as a SQL date."""
        whens = [(_applies(r), literal(latest_due_visit(today, r.months), Date)) for r in self.rule_list]
        return case(*whens, else_=None) if whens else literal(None, Date)

    def earliest_due_since(self, today: date) -> date | None:
        """The earliest of ``due_since``'s days: a visit before it leaves no party in scope undue."""
        days = [latest_due_visit(today, rule.months) for rule in self.rule_list]
        return min(days) if days else None


def last_visit(party_id_column, until: date | None = None):
    """A party's last covering visit (up to ``until``), as a scalar subquery: one step of ``ix_visits_party_day``."""
    from sqlalchemy import func, select

    query = select(func.max(Visit.visited_on)).where(Visit.party_id == party_id_column, covering(Visit.channel))
    if until is not None:
        query = query.where(Visit.visited_on <= until)
    return query.scalar_subquery()
