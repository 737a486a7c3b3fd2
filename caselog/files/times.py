"""Times as text, for the million-row paths (import and export): a file's time to caselog's stored UTC text, and
stored UTC text to the district's local ISO time, without a time-zone computation per value.

On SQLite caselog stores a time as UTC text in one fixed form, ``YYYY-MM-DD HH:MM:SS`` (see ``UTCDateTime``).
Converting it with aware ``datetime`` objects costs microseconds per value, which a million rows with six times
each turn into most of an import or export. The zone's offset changes at most a few times a year, so it is looked
up once per hour of the clock and reused for every time in that hour; an hour in which the offset changes (or an
offset that is not a whole number of hours, for the export's text arithmetic) is converted value by value.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo

from caselog.files.cells import parse_moment, parse_moment_iso

_LAST_SECOND = timedelta(minutes=59, seconds=59)
_CACHE_LIMIT = 20_000  # hours (~2 years) or days: a cache is dropped past this, so memory stays flat
SIXTY = frozenset(f"{n:02d}" for n in range(60))  # minutes and seconds as written


class TimeText:
    """Convert between times in files, caselog's stored UTC text and local ISO text, for one time zone."""

    def __init__(self, tz: tzinfo) -> None:
        self.tz = tz
        self._offsets: dict[object, timedelta | None] = {}  # local hour → its UTC offset (None: changes within)
        # 'YYYY-MM-DD?HH' + the offset written → the UTC 'YYYY-MM-DD HH' (the importer inlines this lookup)
        self.hours: dict[str, str] = {}
        self.days: dict[str, str] = {}  # a day as written → as stored
        # UTC 'YYYY-MM-DD HH' → (local 'YYYY-MM-DDTHH', '+08:00'), or None (the exporter inlines this lookup)
        self.local_hours: dict[str, tuple[str, str] | None] = {}

    # --- a file's time → stored UTC text ---------------------------------------------------------------

    def stored(self, text: str, fmt: str | None = None) -> str:
        """A time from a file (the forms ``parse_moment`` reads; local unless it has an offset) as stored UTC text.

        Raises ``ValueProblem`` with ``parse_moment``'s messages.
        """
        size = len(text)
        # The fast path (see _shape, inlined here: it runs for every time of millions of rows).
        if size == 25 and fmt is None and text[13] == ":" and text[16] == ":" and text[19] in "+-":
            prefix = self.hours.get(text[:13] + text[19:])
            if prefix is not None and text[14:16] in SIXTY and text[17:19] in SIXTY and text[22] == ":":
                return prefix + text[13:19]
        shape = _shape(text) if fmt is None else None
        if shape is not None:
            prefix = self.hours.get(shape[0])
            if prefix is not None:
                return prefix + shape[1]
        if fmt is None and text[4:5] == "-" and text[:4].isdigit():
            moment = parse_moment_iso(text)
            if moment.tzinfo is None:
                offset, steady = self._local_offset(moment, text)
                steady = steady and size != 25
            else:
                offset = moment.utcoffset()
                moment = moment.replace(tzinfo=None)
                steady = size == 25
            if shape is not None and steady and text[10] in "T " and offset.total_seconds() % 3600 == 0:
                # Every time written with this date, hour (and offset) has the same UTC date and hour.
                if len(self.hours) > _CACHE_LIMIT:
                    self.hours.clear()
                hour = moment.replace(minute=0, second=0, microsecond=0) - offset
                self.hours[shape[0]] = hour.isoformat(" ")[:13]
        else:
            moment = parse_moment(text, fmt, self.tz)
            offset = moment.utcoffset()
            moment = moment.replace(tzinfo=None)
        if moment.microsecond:
            moment = moment.replace(microsecond=0)
        return (moment - offset).isoformat(" ")

    def stored_day(self, text: str, fmt: str | None = None) -> str:
        """A day from a file as stored ('YYYY-MM-DD'); a time is taken as its local day."""
        found = self.days.get(text)
        if found is not None and fmt is None:
            return found
        if fmt is None and len(text) == 10 and text[4] == "-" and text[7] == "-" and text[:4].isdigit():
            day = parse_moment_iso(text).date().isoformat()
            if len(self.days) > _CACHE_LIMIT:
                self.days.clear()
            self.days[text] = day
            return day
        return parse_moment(text, fmt, self.tz).date().isoformat()

    def _local_offset(self, moment: datetime, text: str) -> tuple[timedelta, bool]:
        """The zone's offset at the naive local ``moment`` (looked up once per local hour), and whether it holds
        for the whole hour."""
        key = text[:13] if len(text) >= 13 and text[10] in "T " else (moment.date(), moment.hour)
        offset = self._offsets.get(key, False)
        if offset is False:
            if len(self._offsets) > _CACHE_LIMIT:
                self._offsets.clear()
            start = moment.replace(minute=0, second=0, microsecond=0, tzinfo=self.tz)
            offset = start.utcoffset()
            if (start + _LAST_SECOND).utcoffset() != offset:
                offset = None  # the offset changes within this hour: no shortcut
            self._offsets[key] = offset
        if offset is None:
            return moment.replace(tzinfo=self.tz).utcoffset(), False
        return offset, True

    # --- stored UTC text → local ------------------------------------------------------------------------

    def local_iso(self, stored: str) -> str:
        """Stored UTC text as local ISO 8601 with the offset: '2026-03-02T09:30:00+08:00'."""
        if len(stored) == 19:
            parts = self.local_hours.get(stored[:13], False)
            if parts is False:
                parts = self._local_hour(stored)
            if parts is not None:
                return parts[0] + stored[13:] + parts[1]
        return self.local(stored).isoformat()

    def _local_hour(self, stored: str) -> tuple[str, str] | None:
        if len(self.local_hours) > _CACHE_LIMIT:
            self.local_hours.clear()
        start = datetime.fromisoformat(stored[:13] + ":00:00").replace(tzinfo=UTC)
        local = start.astimezone(self.tz)
        offset = local.utcoffset()
        parts = None
        if offset.total_seconds() % 3600 == 0 and (start + _LAST_SECOND).astimezone(self.tz).utcoffset() == offset:
            text = local.isoformat()  # 'YYYY-MM-DDTHH:00:00+08:00'
            parts = (text[:13], text[19:])
        self.local_hours[stored[:13]] = parts
        return parts

    def local(self, stored: str | datetime) -> datetime:
        """Stored UTC text (or an aware datetime, as PostgreSQL gives it) as an aware datetime in the zone."""
        if isinstance(stored, datetime):
            return stored.astimezone(self.tz)
        return datetime.fromisoformat(stored).replace(tzinfo=UTC).astimezone(self.tz)

    def local_date(self, stored: str) -> date:
        """The local day of stored UTC text."""
        parts = self.local_hours.get(stored[:13], False) if len(stored) == 19 else None
        if parts is False:
            parts = self._local_hour(stored)
        if parts is not None:
            return date.fromisoformat(parts[0][:10])
        return self.local(stored).date()


def _shape(text: str) -> tuple[str, str] | None:
    """For 'YYYY-MM-DD?HH:MM[:SS]' (naive) and 'YYYY-MM-DD?HH:MM:SS±HH:MM' with well-formed minutes and seconds:
    (the text without them, which names its hour, and ':MM:SS'); None for any other text."""
    size = len(text)
    if size == 19 or size == 25:
        if text[13] == ":" and text[16] == ":" and text[14:16] in SIXTY and text[17:19] in SIXTY:
            if size == 19 or (text[19] in "+-" and text[22] == ":"):
                return text[:13] + text[19:], text[13:19]
    elif size == 16 and text[13] == ":" and text[14:16] in SIXTY:
        return text[:13], text[13:16] + ":00"
    return None
