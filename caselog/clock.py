"""The district's time zone and the current moment, read once at the edge (the CLI) and passed inward.

Times are stored in UTC and shown in the district's zone: ``CASELOG_TZ`` (an IANA name), else Asia/Shanghai.
``CASELOG_NOW`` (ISO 8601) fixes the clock, for reproducible runs and tests.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, tzinfo

from caselog.errors import BadInput
from caselog.i18n import _

DEFAULT_TZ = "Asia/Shanghai"


def district_tz(env: Mapping[str, str]) -> tzinfo:
    """The district's time zone from ``CASELOG_TZ``, else Asia/Shanghai."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    name = env.get("CASELOG_TZ") or DEFAULT_TZ
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise BadInput(_("CASELOG_TZ: unknown time zone {name!r}").format(name=name)) from error


def current_time(env: Mapping[str, str]) -> datetime:
    """Now, aware, in the district's zone; ``CASELOG_NOW`` overrides the system clock."""
    zone = district_tz(env)
    fixed = env.get("CASELOG_NOW")
    if not fixed:
        return datetime.now(zone)
    try:
        moment = datetime.fromisoformat(fixed)
    except ValueError as error:
        raise BadInput(_("CASELOG_NOW: {value!r} is not an ISO 8601 time").format(value=fixed)) from error
    return moment.replace(tzinfo=zone) if moment.tzinfo is None else moment.astimezone(zone)
