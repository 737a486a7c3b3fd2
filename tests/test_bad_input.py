"""The bad-input catalogue: every kind of bad input a user can give, refused with its message, its exit status
(2 bad input, 1 otherwise) and the database exactly as it was.

Each kind runs through the command line on a small district. "Exactly as it was" means the SQLite file and its
-wal byte for byte, or, on PostgreSQL, every row of every table. The module prints how many kinds it tried.
"""

from __future__ import annotations

import shutil
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from typer.testing import CliRunner

from caselog.cli import app

import badfiles
from conftest import BACKEND, credit_code

CREDIT = credit_code()
DB = "{db}"  # the database's path, filled in when a kind runs
H = "external_ref,title,opened_at"


@dataclass(frozen=True)
class Kind:
    """One kind of bad input: the command line, the files it reads, and exactly what the user sees."""

    id: str
    args: tuple[str, ...]
    stderr: str  # all of stderr; a usage error's last line only
    code: int = 2
    files: dict[str, str | bytes] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)
    usage: bool = False  # Typer's usage error: "Usage: …", a hint, then "Error: …" naming the option
    bad_file: str | None = None  # a badfiles.make_* kind that replaces the database (SQLite only)
    restricted: tuple[str, int] | None = None  # run in a child: ("unprivileged", 0) or ("fsize", limit)
    sqlite_only: bool = False  # a SQLite command (backup), besides bad files and restricted runs


def K(id, *args, stderr, **options) -> Kind:
    return Kind(id, tuple(args), stderr, **options)


def imported(file: str, *problems: str) -> str:
    """What a refused import prints: each problem at its place, then the one-line summary."""
    lines = [*problems, f"caselog: {file}: {len(problems)} problem(s); nothing was imported"]
    return "\n".join(lines) + "\n"


def csv(text: str, name: str = "cases.csv") -> dict[str, str]:
    return {name: text}


OPEN = ("case", "open", "新问题", "--party", "张伟")
KINDS: list[Kind] = [
    # --- CSV imports: every problem listed in issue 4 --------------------------------------------------------
    K("csv-undecodable-bytes", "import", "cases", "cases.csv",
      files={"cases.csv": (H + "\nB-1,").encode() + b"\xff\xfeA,2026-03-02\n"},
      stderr="caselog: cases.csv:2: cannot read the file as UTF-8 or GB18030 (byte 0xff at offset 33); give --encoding\n"),
    K("csv-wrong-encoding-given", "import", "cases", "cases.csv", "--encoding", "utf-8",
      files={"cases.csv": (H + "\nB-1,门禁,2026-03-02\n").encode("gbk")},
      stderr="caselog: cases.csv:2: cannot read the file as utf-8 (byte 0xc3 at offset 33); check --encoding\n"),
    K("csv-latin1-refused", "import", "cases", "cases.csv", "--encoding", "latin-1", files=csv(H + "\nB-1,t,2026-03-02\n"),
      stderr="caselog: --encoding: 'latin-1' is never used: it reads any bytes as some text, so a wrong choice would"
      " go unnoticed (expected one of auto, utf-8, utf-8-sig, gb18030, gbk, utf-16, utf-16-le, utf-16-be, big5)\n"),
    K("csv-unknown-encoding", "import", "cases", "cases.csv", "--encoding", "klingon", files=csv(H + "\n"),
      stderr="caselog: --encoding: 'klingon' is not a text encoding (expected one of auto, utf-8, utf-8-sig,"
      " gb18030, gbk, utf-16, utf-16-le, utf-16-be, big5)\n"),
    K("csv-duplicate-header", "import", "cases", "cases.csv",
      files=csv("external_ref,title,title,opened_at\nB-1,t,u,2026-03-02\n"),
      stderr="caselog: cases.csv:1: duplicate column 'title' (columns 2 and 3)\n"),
    K("csv-unnamed-column", "import", "cases", "cases.csv", files=csv("external_ref,,opened_at\nB-1,t,2026-03-02\n"),
      stderr="caselog: cases.csv:1: column 2 has no name\n"),
    K("csv-empty-file", "import", "cases", "cases.csv", files=csv(""),
      stderr="caselog: cases.csv:1: the file is empty (expected a header line)\n"),
    K("csv-short-row", "import", "cases", "cases.csv", files=csv(H + "\nB-1,t\n"),
      stderr=imported("cases.csv", "cases.csv:2: 2 fields, expected 3 (the header has 3 columns)")),
    K("csv-long-row", "import", "cases", "cases.csv", files=csv(H + "\nB-1,t,2026-03-02,extra\n"),
      stderr=imported("cases.csv", "cases.csv:2: 4 fields, expected 3 (the header has 3 columns)")),
    K("csv-nul-byte", "import", "cases", "cases.csv", files=csv(H + "\nB-1,t\x00x,2026-03-02\n"),
      stderr=imported("cases.csv", "cases.csv:2:title: NUL byte in the data (a binary file or a UTF-16 file without a BOM?)")),
    K("csv-unterminated-quote", "import", "cases", "cases.csv", files=csv(H + '\nB-1,"t,2026-03-02\nB-2,u,2026-03-03\n'),
      stderr=imported("cases.csv", 'cases.csv:2: unterminated quoted field (a " opened here is never closed)')),
    K("csv-impossible-date", "import", "cases", "cases.csv", files=csv(H + "\nB-1,t,2026-02-30\n"),
      stderr=imported("cases.csv", "cases.csv:2:opened_at: '2026-02-30' is not a valid date or time (expected YYYY-MM-DD[ HH:MM[:SS]])")),
    K("csv-ambiguous-date", "import", "cases", "cases.csv", files=csv(H + "\nB-1,t,03/04/2026\n"),
      stderr=imported("cases.csv", "cases.csv:2:opened_at: '03/04/2026' could be read two ways (day/month or month/day);"
                      " give --date-format, e.g. '%m/%d/%Y %I:%M:%S %p'")),
    K("csv-partial-date", "import", "cases", "cases.csv", files=csv(H + "\nB-1,t,2026-03\n"),
      stderr=imported("cases.csv", "cases.csv:2:opened_at: '2026-03' is not a valid date or time (expected YYYY-MM-DD[ HH:MM[:SS]])")),
    K("csv-date-format-mismatch", "import", "cases", "cases.csv", "--date-format", "%m/%d/%Y",
      files=csv(H + "\nB-1,t,2026-03-02\n"),
      stderr=imported("cases.csv", "cases.csv:2:opened_at: '2026-03-02' does not match the format '%m/%d/%Y'")),
    K("csv-closed-before-opened", "import", "cases", "cases.csv",
      files=csv("external_ref,title,opened_at,closed_at,status,close_reason\nB-1,t,2026-03-05,2026-03-02,closed,withdrawn\n"),
      stderr=imported("cases.csv", "cases.csv:2:closed_at: closed_at 2026-03-02T00:00:00+08:00 is before the case was"
                      " opened (2026-03-05T00:00:00+08:00)")),
    K("csv-closed-without-reason", "import", "cases", "cases.csv", files=csv(H + ",status\nB-1,t,2026-03-02,closed\n"),
      stderr=imported("cases.csv", "cases.csv:2:close_reason: a closed case needs a close_reason (or resolved_at)",
                      "cases.csv:2:closed_at: a closed case needs closed_at")),
    K("csv-unknown-lead", "import", "cases", "cases.csv", files=csv(H + ",lead\nB-1,t,2026-03-02,markte\n"),
      stderr=imported("cases.csv", "cases.csv:2:lead: no department 'markte' (did you mean 'market'?); add it first or"
                      " use --create-missing departments")),
    K("csv-unknown-co", "import", "cases", "cases.csv", files=csv(H + ",lead,co\nB-1,t,2026-03-02,market,hosing\n"),
      stderr=imported("cases.csv", "cases.csv:2:co: no department 'hosing' (did you mean 'housing'?); add it first or"
                      " use --create-missing departments")),
    K("csv-unknown-party", "import", "cases", "cases.csv", files=csv(H + ",party\nB-1,t,2026-03-02,李四\n"),
      stderr=imported("cases.csv", "cases.csv:2:party: no party '李四'; add it first or use --create-missing parties")),
    K("csv-bad-credit-code", "import", "parties", "parties.csv",
      files=csv("name,credit_code\n某公司,91350100M000100Y44\n", "parties.csv"),
      stderr=imported("parties.csv", "parties.csv:2:credit_code: credit code '91350100M000100Y44' fails its check"
                      " character: expected '3', found '4'")),
    K("csv-short-credit-code", "import", "parties", "parties.csv", files=csv("name,credit_code\n某公司,9135\n", "parties.csv"),
      stderr=imported("parties.csv", "parties.csv:2:credit_code: credit code '9135' has 4 characters; a unified social"
                      " credit code has 18")),
    K("csv-long-title", "import", "cases", "cases.csv", files=csv(H + "\nB-1," + "长" * 201 + ",2026-03-02\n"),
      stderr=imported("cases.csv", "cases.csv:2:title: 201 characters, at most 200 allowed")),
    K("csv-long-description", "import", "cases", "cases.csv",
      files=csv(H + ",description\nB-1,t,2026-03-02," + "x" * 10_001 + "\n"),
      stderr=imported("cases.csv", "cases.csv:2:description: 10001 characters, at most 10000 allowed")),
    K("csv-long-reference", "import", "cases", "cases.csv", files=csv(H + "\n" + "R" * 65 + ",t,2026-03-02\n"),
      stderr=imported("cases.csv", "cases.csv:2:external_ref: 65 characters, at most 64 allowed")),
    K("csv-control-character", "import", "cases", "cases.csv", files=csv(H + "\nB-1,a\x1b[31mb,2026-03-02\n"),
      stderr=imported("cases.csv", "cases.csv:2:title: contains the control character U+001B")),
    K("csv-duplicate-reference", "import", "cases", "cases.csv", files=csv(H + "\nB-1,t,2026-03-02\nB-1,u,2026-03-03\n"),
      stderr=imported("cases.csv", "cases.csv:3:external_ref: duplicate reference 'B-1' (also on line 2)")),
    K("csv-no-reference", "import", "cases", "cases.csv", files=csv("title,opened_at\nt,2026-03-02\n"),
      stderr=imported("cases.csv", "cases.csv:2:external_ref: a case needs external_ref (or caselog's ref) to be"
                      " imported again safely")),
    K("csv-unknown-column", "import", "cases", "cases.csv", files=csv(H + ",zip\nB-1,t,2026-03-02,200000\n"),
      stderr="caselog: cases.csv:1:zip: unknown column (map it with --map 'zip=FIELD' or list it in the mapping's ignore)\n"),
    K("csv-tier-4", "import", "cases", "cases.csv", files=csv(H + ",tier\nB-1,t,2026-03-02,4\n"),
      stderr=imported("cases.csv", "cases.csv:2:tier: '4' is not a tier (1, 2 or 3)")),
    K("csv-tier-huge", "import", "cases", "cases.csv", files=csv(H + ",tier\nB-1,t,2026-03-02,99999999999999999999\n"),
      stderr=imported("cases.csv", "cases.csv:2:tier: '99999999999999999999' is not a tier (1, 2 or 3)")),
    K("csv-id-too-large", "import", "cases", "cases.csv",
      files=csv(H + ",visit_id\nB-1,t,2026-03-02,99999999999999999999\n"),
      stderr=imported("cases.csv", "cases.csv:2:visit_id: '99999999999999999999' is not a whole number")),
    K("csv-bad-status", "import", "cases", "cases.csv", files=csv(H + ",status\nB-1,t,2026-03-02,done\n"),
      stderr=imported("cases.csv", "cases.csv:2:status: 'done' is not a status (open, dispatched, accepted, answered,"
                      " resolved, closed); map it with --status-map")),
    K("csv-bad-boolean", "import", "cases", "cases.csv", files=csv(H + ",key\nB-1,t,2026-03-02,maybe\n"),
      stderr=imported("cases.csv", "cases.csv:2:key: 'maybe' is not true or false")),
    K("csv-bad-satisfaction", "import", "cases", "cases.csv",
      files=csv(H + ",status,lead,answered_at,satisfaction\nB-1,t,2026-03-02,answered,market,2026-03-03,happy\n"),
      stderr=imported("cases.csv", "cases.csv:2:satisfaction: 'happy' is not one of satisfied, basically-satisfied,"
                      " unsatisfied, unreachable")),
    K("csv-bad-department-code", "import", "departments", "d.csv", files=csv("code,name\nMarket!,x\n", "d.csv"),
      stderr=imported("d.csv", "d.csv:2:code: use lower-case letters, digits, '-' and '_', starting with a letter or digit")),
    K("csv-visit-impossible-date", "import", "visits", "v.csv",
      files=csv("visited_on,party,official,department\n2026-02-30,张伟,王,market\n", "v.csv"),
      stderr=imported("v.csv", "v.csv:2:visited_on: '2026-02-30' is not a valid date or time (expected YYYY-MM-DD[ HH:MM[:SS]])")),
    K("csv-missing-file", "import", "cases", "nope.csv", stderr="caselog: cannot read nope.csv: No such file or directory\n"),
    K("csv-directory", "import", "cases", ".", stderr="caselog: cannot read .: Is a directory\n"),
    K("csv-rejects-without-skip", "import", "cases", "cases.csv", "--rejects", "r.csv", files=csv(H + "\n"),
      stderr="caselog: --rejects: only with --on-error skip (a failed import writes nothing)\n"),
    K("csv-rejects-is-a-directory", "import", "cases", "cases.csv", "--on-error", "skip", "--rejects", ".",
      files=csv(H + "\nB-1,t,2026-02-30\n"), stderr="caselog: --rejects: . is a directory\n"),
    # --- mapping files and mapping options ----------------------------------------------------------------
    K("map-not-source-equals-field", "import", "cases", "cases.csv", "--map", "编号", files=csv(H + "\n"),
      stderr="caselog: --map: '编号' is not SOURCE=VALUE\n"),
    K("map-unknown-field", "import", "cases", "cases.csv", "--map", "编号=nonsense", files=csv("编号,title,opened_at\n"),
      stderr="caselog: mapping: '编号' is mapped to 'nonsense', which is not a field of this import (fields: ref,"
      " external_ref, title, description, category, tier, tier_rule, status, key, lead, co, party, party_id, visit_id,"
      " opened_at, dispatched_at, accepted_at, answered_at, resolved_at, closed_at, due_on, reply_due_on,"
      " original_due_on, close_reason, satisfaction)\n"),
    K("fallback-not-a-pair", "import", "cases", "cases.csv", "--fallback", "(无标题)", files=csv(H + "\n"),
      stderr="caselog: --fallback: '(无标题)' is not FIELD=TEXT\n"),
    K("fallback-unknown-field", "import", "cases", "cases.csv", "--fallback", "titel=(无标题)", files=csv(H + "\n"),
      stderr="caselog: mapping: 'titel' is not a field of this import\n"),
    K("mapping-fallback-not-a-table", "import", "cases", "cases.csv", "--mapping", "m.toml",
      files={"cases.csv": H + "\n", "m.toml": "fallbacks = 'x'\n"},
      stderr="caselog: m.toml: fallbacks: expected a table\n"),
    K("map-unknown-status", "import", "cases", "cases.csv", "--status-map", "完成=done", files=csv(H + "\n"),
      stderr="caselog: --status-map: 'done' is not a status (open, dispatched, accepted, answered, resolved, closed)\n"),
    K("mapping-missing", "import", "cases", "cases.csv", "--mapping", "nope.toml", files=csv(H + "\n"),
      stderr="caselog: --mapping: cannot read nope.toml (No such file or directory)\n"),
    K("mapping-toml-syntax", "import", "cases", "cases.csv", "--mapping", "m.toml", files={"cases.csv": H + "\n", "m.toml": "[columns\n"},
      stderr="caselog: m.toml: Expected ']' at the end of a table declaration (at line 1, column 9)\n"),
    K("mapping-unknown-section", "import", "cases", "cases.csv", "--mapping", "m.toml",
      files={"cases.csv": H + "\n", "m.toml": "[colums]\n'编号' = 'external_ref'\n"},
      stderr="caselog: m.toml: unknown key 'colums'\n"),
    K("mapping-wrong-type", "import", "cases", "cases.csv", "--mapping", "m.toml", files={"cases.csv": H + "\n", "m.toml": "columns = 5\n"},
      stderr="caselog: m.toml: columns: expected a table\n"),
    K("mapping-values-not-a-table", "import", "cases", "cases.csv", "--mapping", "m.toml",
      files={"cases.csv": H + "\n", "m.toml": "[values]\nlead = 'market'\n"},
      stderr="caselog: m.toml: values.lead: expected a table\n"),
    K("mapping-bad-column-target", "import", "cases", "cases.csv", "--mapping", "m.toml",
      files={"cases.csv": H + "\n", "m.toml": "[columns]\n'编号' = 7\n"},
      stderr="caselog: m.toml: columns.编号: expected a field name or a list of them\n"),
    K("mapping-constant-out-of-range", "import", "cases", "cases.csv", "--mapping", "m.toml",
      files={"cases.csv": H + "\nB-1,t,2026-03-02\n", "m.toml": "[constants]\ntier = 7\n"},
      stderr=imported("cases.csv", "cases.csv:2:tier: '7' is not a tier (1, 2 or 3)")),
    K("mapping-is-a-directory", "import", "cases", "cases.csv", "--mapping", ".", files=csv(H + "\n"),
      stderr="caselog: --mapping: cannot read . (Is a directory)\n"),
    # --- dates on the command line ----------------------------------------------------------------------
    K("date-ambiguous", *OPEN, "--on", "03/04/2026",
      stderr="caselog: --on: '03/04/2026' is ambiguous (day and month could be swapped); write it as 2026-03-04 or 2026-04-03\n"),
    K("date-ambiguous-no-year", "case", "list", "--since", "3/4",
      stderr="caselog: --since: '3/4' is ambiguous (day and month could be swapped, and the year is missing); write it as YYYY-MM-DD\n"),
    K("date-partial", *OPEN, "--on", "2026-03", stderr="caselog: --on: '2026-03' is only part of a date; write it as YYYY-MM-DD\n"),
    K("date-impossible", *OPEN, "--on", "2026-02-30",
      stderr="caselog: --on: '2026-02-30' is not a valid date (day must be 1 to 28 in 2026-02)\n"),
    K("date-impossible-month", "visit", "add", "张伟", "--by", "王", "--dept", "market", "--on", "2026-13-01",
      stderr="caselog: --on: '2026-13-01' is not a valid date (month must be 1 to 12)\n"),
    K("date-impossible-time", *OPEN, "--on", "2026-03-05 25:00",
      stderr="caselog: --on: '2026-03-05 25:00' has an impossible time (hours 0 to 23, minutes and seconds 0 to 59)\n"),
    K("date-arabic-indic-digits", *OPEN, "--on", "٢٠٢٦-٠٣-٠٥",
      stderr="caselog: --on: cannot read '٢٠٢٦-٠٣-٠٥' as a date (expected YYYY-MM-DD, YYYY/M/D, YYYY年M月D日, today,"
      " yesterday, next tuesday)\n"),
    K("date-devanagari-digits", "case", "list", "--since", "२०२६-०३-०५",
      stderr="caselog: --since: cannot read '२०२६-०३-०५' as a date (expected YYYY-MM-DD, YYYY/M/D, YYYY年M月D日, today,"
      " yesterday, next tuesday)\n"),
    K("date-chinese-numerals", "case", "list", "--since", "二〇二六年三月五日",
      stderr="caselog: --since: cannot read '二〇二六年三月五日' as a date (expected YYYY-MM-DD, YYYY/M/D, YYYY年M月D日,"
      " today, yesterday, next tuesday)\n"),
    K("date-nul", "case", "list", "--since", "2026-03-05\x00", stderr="caselog: --since: '2026-03-05\\x00' contains a NUL character\n"),
    K("date-empty", "case", "list", "--since", " ", stderr="caselog: --since: ' ' is empty; expected a date such as YYYY-MM-DD or today\n"),
    K("date-year-out-of-range", "case", "list", "--since", "9999-01-01",
      stderr="caselog: --since: '9999-01-01' is outside the years 1900 to 2199\n"),
    K("date-relative-overflow", "case", "list", "--since", "in 999999 weeks",
      stderr="caselog: --since: 'in 999999 weeks' is outside the years 1900 to 2199\n"),
    K("date-time-where-a-day-is-due", *OPEN, "--due", "2026-03-20 10:00",
      stderr="caselog: --due: '2026-03-20 10:00' has a time of day; give only a date\n"),
    K("date-opened-in-the-future", *OPEN, "--on", "2026-03-11", stderr="caselog: --on: a case cannot be opened in the future\n"),
    K("date-move-before-opening", "case", "answer", "C2026-000002", "--note", "x", "--on", "2026-03-01",
      stderr="caselog: --on: case C2026-000002 was opened at 2026-03-02 10:00; a change cannot come before it\n"),
    K("date-due-before-opening", *OPEN, "--due", "2020-01-01", stderr="caselog: --due: 2020-01-01 is before the case was opened\n"),
    K("date-edit-due-before-opening", "case", "edit", "C2026-000002", "--due", "2020-01-01",
      stderr="caselog: --due: 2020-01-01 is before the case was opened\n"),
    K("date-extend-before-opening", "case", "extend", "C2026-000002", "--to", "2026-01-01", "--reason", "x",
      stderr="caselog: --to: 2026-01-01 is before the case was opened\n"),
    K("date-meeting-in-the-future", "meeting", "record", "joint", "--date", "2027-03-02",
      stderr="caselog: --date: 2027-03-02 is in the future; record a meeting once it is held\n"),
    K("date-until-before-from", "report", "rates", "--by", "department", "--from", "2026-03-10", "--until", "2026-03-01",
      stderr="caselog: --until: 2026-03-01 is before --from 2026-03-10\n"),
    K("date-no-such-week", "report", "rates", "--by", "department", "--week", "2026-W54", stderr="caselog: --week: 2026 has no week 54\n"),
    K("date-no-such-month", "report", "rates", "--by", "department", "--month", "2026-13",
      stderr="caselog: --month: '2026-13' is not a month like 2026-11\n"),
    K("date-calendar-month", "calendar", "show", "2026-13", stderr="caselog: MONTH: '2026-13' is not a month like 2026-02\n"),
    # --- a new year's calendar (issue 17) ----------------------------------------------------------------------
    K("calendar-range-backwards", "calendar", "set", "2027-02-12..2027-02-06", "holiday", stderr="caselog: DATE: 2027-02-06 comes before 2027-02-12\n"),
    K("calendar-range-too-long", "calendar", "set", "2027-01-01..2028-06-01", "holiday", stderr="caselog: DATE: '2027-01-01..2028-06-01' is more than a year of days\n"),
    K("calendar-confirm-not-a-year", "calendar", "confirm", "27", stderr="caselog: YEAR: 27 is not a year like 2027\n"),
    K("calendar-import-bad-json", "calendar", "import", "x.json", files={"x.json": "{\"year\": 2027,\n \"days\": [}"}, stderr="caselog: x.json:2:11: not valid json (Expecting value)\n"),
    K("calendar-import-not-a-schedule", "calendar", "import", "x.json", files={"x.json": "[1, 2]"}, stderr="caselog: x.json: not a holiday-cn schedule (expected {\"year\": 2027, \"days\": [...]})\n"),
    K("calendar-import-bad-day", "calendar", "import", "x.json", files={"x.json": "{\"year\": 2027, \"days\": [{\"date\": \"2027-02-30\", \"isOffDay\": true}]}"}, stderr="caselog: x.json: days[0]: '2027-02-30' is not a date\n"),
    K("calendar-import-neither-form", "calendar", "import", "x.txt", files={"x.txt": "hello"}, stderr="caselog: x.txt: neither holiday-cn's json ({\"year\", \"days\"}) nor an iCalendar file\n"),
    K("calendar-import-bad-ics", "calendar", "import", "x.ics", files={"x.ics": "BEGIN:VCALENDAR\nVERSION:2.0\nEND:VCALENDAR\n"}, stderr="caselog: x.ics: the calendar has no events\n"),
    K("calendar-import-year-differs", "calendar", "import", "2027.json", "--year", "2028", files={"2027.json": "{\"year\": 2027, \"days\": []}"}, stderr="caselog: --year: 2028 but 2027.json is the schedule of 2027\n"),
    K("calendar-import-missing", "calendar", "import", "none.json", stderr="caselog: none.json: cannot read it (No such file or directory)\n"),
    K("calendar-import-binary", "calendar", "import", "x.xlsx", files={"x.xlsx": b"PK\x03\x04\xff\xfe"}, stderr="caselog: x.xlsx: not a UTF-8 text file (expected holiday-cn's .json or .ics)\n"),
    K("date-bad-clock", "case", "list", env={"CASELOG_NOW": "03/04/2026"},
      stderr="caselog: CASELOG_NOW: '03/04/2026' is not an ISO 8601 time\n"),
    K("date-unknown-time-zone", "case", "list", env={"CASELOG_TZ": "Mars/Phobos"},
      stderr="caselog: CASELOG_TZ: unknown time zone 'Mars/Phobos'\n"),
    # --- tiers out of range -------------------------------------------------------------------------------
    K("tier-0", *OPEN, "--tier", "0", stderr="caselog: --tier: Input should be greater than or equal to 1\n"),
    K("tier-4", *OPEN, "--tier", "4", stderr="caselog: --tier: Input should be less than or equal to 3\n"),
    K("tier-negative", *OPEN, "--tier", "-1", stderr="caselog: --tier: Input should be greater than or equal to 1\n"),
    K("tier-huge", *OPEN, "--tier", "99999999999999999999", stderr="caselog: --tier: Input should be less than or equal to 3\n"),
    K("tier-escalate-to-0", "case", "escalate", "C2026-000002", "--to", "0", "--reason", "x",
      stderr="caselog: --to: tier must be 1, 2 or 3, not 0\n"),
    K("tier-escalate-to-huge", "case", "escalate", "C2026-000002", "--to", "99999999999999999999", "--reason", "x",
      stderr="caselog: --to: tier must be 1, 2 or 3, not 99999999999999999999\n"),
    K("tier-escalate-to-words", "case", "escalate", "C2026-000002", "--to", "two", "--reason", "x", usage=True,
      stderr="Error: Invalid value for '--to': Input should be a valid integer, unable to parse string as an integer\n"),
    K("tier-list-4", "case", "list", "--tier", "4", usage=True,
      stderr="Error: Invalid value for '--tier': Input should be less than or equal to 3\n"),
    K("due-within-negative", "case", "list", "--due-within", "-1", usage=True,
      stderr="Error: Invalid value for '--due-within': Input should be greater than or equal to 0\n"),
    K("due-within-words", "case", "list", "--due-within", "three", usage=True,
      stderr="Error: Invalid value for '--due-within': Input should be a valid integer, unable to parse string as an"
      " integer\n"),
    K("rules-score-weight-negative", "--rules", "rules.toml", "rules",
      files={"rules.toml": "[score]\nreply = 15\nresolution = -5\n"},
      stderr="caselog: rules.toml:3: score.resolution: expected a weight, a whole number from 0 to 100, found -5\n"),
    K("rules-score-weight-text", "--rules", "rules.toml", "rules", files={"rules.toml": "[score]\nreply = 'heavy'\n"},
      stderr="caselog: rules.toml:2: score.reply: expected a weight, a whole number from 0 to 100, found 'heavy'\n"),
    K("rules-score-weights-all-zero", "--rules", "rules.toml", "rules",
      files={"rules.toml": "[score]\nreply = 0\nresolution = 0\non_time = 0\nsatisfaction = 0\n"},
      stderr="caselog: rules.toml:2: score: every weight is 0; give at least one rate a weight\n"),
    K("rules-score-list-size-zero", "--rules", "rules.toml", "rules", files={"rules.toml": "[score]\nlist_size = 0\n"},
      stderr="caselog: rules.toml:2: score.list_size: expected a whole number from 1 to 20, found 0\n"),
    K("rates-score-by-tier", "report", "rates", "--by", "tier", "--score",
      stderr="caselog: --score: departments are scored; use it with --by department\n"),
    K("digest-mail-unknown-department", "--rules", "rules.toml", "digest", "--output-dir", ".",
      files={"rules.toml": "[mail]\nhost = \"127.0.0.1\"\nport = 1\nfrom = \"caselog@example.gov.cn\"\ndepartments = { nosuch = \"x@example.gov.cn\" }\n"},
      stderr="caselog: rules.toml: mail.departments.nosuch: no active department has this code\n"),
    K("digest-mail-unreachable", "--rules", "rules.toml", "digest", "--output-dir", ".",
      files={"rules.toml": "[mail]\nhost = \"127.0.0.1\"\nport = 1\nfrom = \"caselog@example.gov.cn\"\ndepartments = { housing = \"fgj@example.gov.cn\" }\n"}, code=1,
      stderr="caselog: mail: the digest of housing to fgj@example.gov.cn was not sent through 127.0.0.1:1: [Errno 111]"
      " Connection refused\n"),
    K("rules-mail-bad-address", "--rules", "rules.toml", "rules",
      files={"rules.toml": "[mail]\nhost = \"127.0.0.1\"\nport = 1\nfrom = \"caselog@example.gov.cn\"\ndepartments = { housing = \"fgj at example\" }\n"},
      stderr="caselog: rules.toml:5: mail.departments.housing: expected one mail address such as fgj@example.gov.cn,"
      " found 'fgj at example'\n"),
    K("rules-mail-port", "--rules", "rules.toml", "rules", files={"rules.toml": "[mail]\nport = 70000\n"},
      stderr="caselog: rules.toml:2: mail.port: expected a port number from 1 to 65535, found 70000\n"),
    K("rules-mail-addresses-without-server", "--rules", "rules.toml", "rules",
      files={"rules.toml": "[mail]\ndepartments = { housing = \"fgj@example.gov.cn\" }\n"},
      stderr="caselog: rules.toml:2: mail.departments: departments have addresses but mail.host names no server\n"),
    K("digest-output-dir-missing", "digest", "--output-dir", "nowhere",
      stderr="caselog: --output-dir: nowhere does not exist; create the folder first\n"),
    K("rules-due-within-zero", "--rules", "rules.toml", "rules", files={"rules.toml": "[warnings]\ndue_within = 0\n"},
      stderr="caselog: rules.toml:2: warnings.due_within: expected a whole number of working days from 1 to 365,"
      " found 0\n"),
    # --- urging, supervision, co-department replies (催办, 督办, 协办意见) ------------------------------------------
    K("urge-resolved", "case", "urge", "C2026-000004", "--note", "请加快", code=1,
      stderr="caselog: case C2026-000004: cannot urge a case that is resolved (only an open case can be urged)\n"),
    K("urge-closed", "case", "urge", "C2026-000003", "--note", "请加快", code=1,
      stderr="caselog: case C2026-000003: cannot urge a case that is closed (only an open case can be urged)\n"),
    K("urge-no-note", "case", "urge", "C2026-000002", usage=True, stderr="Error: Missing option '--note'.\n"),
    K("unsupervise-not-supervised", "case", "unsupervise", "C2026-000002", "--reason", "已办结", code=1,
      stderr="caselog: case C2026-000002: not under supervision\n"),
    K("supervise-closed", "case", "supervise", "C2026-000003", "--note", "督办", code=1,
      stderr="caselog: case C2026-000003: cannot supervise a case that is closed (reopen it first)\n"),
    K("co-reply-not-co", "case", "co-reply", "C2026-000002", "--dept", "housing", "--note", "已核查", code=1,
      stderr="caselog: --dept: 'housing' is not a co-department of case C2026-000002\n"),
    K("co-reply-resolved", "case", "co-reply", "C2026-000004", "--dept", "market", "--note", "已核查", code=1,
      stderr="caselog: case C2026-000004: cannot co-reply a case that is resolved (a co-department replies while"
      " the case is being handled)\n"),
    K("rules-supervision-urged-zero", "--rules", "rules.toml", "rules", files={"rules.toml": "[supervision]\nurged = 0\n"},
      stderr="caselog: rules.toml:2: supervision.urged: expected a whole number from 1 to 20, found 0\n"),
    K("rules-supervision-unsatisfied-word", "--rules", "rules.toml", "rules",
      files={"rules.toml": "[supervision]\nunsatisfied = \"yes\"\n"},
      stderr="caselog: rules.toml:2: supervision.unsatisfied: expected true or false, found 'yes'\n"),
    K("tier-escalate-same", "case", "escalate", "C2026-000002", "--to", "1", "--reason", "x",
      stderr="caselog: case C2026-000002: already tier 1\n"),
    # --- numbers too large for SQL's 64-bit integers ------------------------------------------------------
    K("number-visit-id", *OPEN, "--visit", str(2**63), stderr=f"caselog: --visit: no visit with id {2**63}\n"),
    K("number-visit-id-huge", *OPEN, "--visit", "99999999999999999999",
      stderr="caselog: --visit: no visit with id 99999999999999999999\n"),
    K("number-case-list-limit", "case", "list", "--limit", str(2**63),
      stderr=f"caselog: --limit: {2**63} is too large (at most {2**63 - 1})\n"),
    K("number-party-list-limit", "party", "list", "--limit", "99999999999999999999",
      stderr=f"caselog: --limit: 99999999999999999999 is too large (at most {2**63 - 1})\n"),
    K("number-visit-list-limit", "visit", "list", "--limit", str(2**64), stderr=f"caselog: --limit: {2**64} is too large (at most {2**63 - 1})\n"),
    K("number-limit-negative", "case", "list", "--limit", "-1", usage=True,
      stderr="Error: Invalid value for '--limit': Input should be greater than or equal to 0\n"),
    K("number-party-id", "party", "show", str(2**63), stderr=f"caselog: party: no party with id, credit code or name '{2**63}'\n"),
    K("number-trend-weeks", "report", "trend", "--weeks", str(2**63), stderr=f"caselog: --weeks: give 1 to 520, not {2**63}\n"),
    K("number-trend-weeks-zero", "report", "trend", "--weeks", "0", stderr="caselog: --weeks: give 1 to 520, not 0\n"),
    K("number-trend-months-zero", "report", "trend", "--months", "0", stderr="caselog: --months: give 1 to 520, not 0\n"),
    # --- over-long text and control characters -----------------------------------------------------------
    K("text-long-title", "case", "open", "长" * 201, "--party", "张伟", stderr="caselog: TITLE: String should have at most 200 characters\n"),
    K("text-empty-title", "case", "open", "  ", "--party", "张伟", stderr="caselog: TITLE: String should have at least 1 character\n"),
    K("text-long-description", *OPEN, "--description", "x" * 10_001,
      stderr="caselog: --description: String should have at most 10000 characters\n"),
    K("text-long-category", *OPEN, "--category", "c" * 65, stderr="caselog: --category: String should have at most 64 characters\n"),
    K("text-long-external-ref", *OPEN, "--external-ref", "c" * 65,
      stderr="caselog: --external-ref: String should have at most 64 characters\n"),
    K("text-long-edited-title", "case", "edit", "C2026-000002", "--title", "x" * 201,
      stderr="caselog: --title: String should have at most 200 characters\n"),
    K("text-long-note", "case", "note", "C2026-000002", "x" * 10_001, stderr="caselog: TEXT: 10001 characters, at most 10000 allowed\n"),
    K("text-long-answer", "case", "answer", "C2026-000002", "--note", "x" * 200_000,
      stderr="caselog: --note: 200000 characters, at most 10000 allowed\n"),
    K("text-long-resolution", "case", "resolve", "C2026-000002", "--note", "x" * 10_001,
      stderr="caselog: --note: 10001 characters, at most 10000 allowed\n"),
    K("text-long-return-reason", "case", "return", "C2026-000002", "--reason", "x" * 10_001,
      stderr="caselog: --reason: 10001 characters, at most 10000 allowed\n"),
    K("text-long-close-note", "case", "close", "C2026-000002", "--reason", "withdrawn", "--note", "x" * 10_001,
      stderr="caselog: --note: 10001 characters, at most 10000 allowed\n"),
    K("text-long-reopen-reason", "case", "reopen", "C2026-000003", "--reason", "x" * 10_001,
      stderr="caselog: --reason: 10001 characters, at most 10000 allowed\n"),
    K("text-long-revisit-note", "case", "revisit", "C2026-000004", "--satisfaction", "satisfied", "--note", "x" * 10_001,
      stderr="caselog: --note: 10001 characters, at most 10000 allowed\n"),
    K("text-long-extend-reason", "case", "extend", "C2026-000002", "--to", "2026-06-01", "--reason", "x" * 10_001,
      stderr="caselog: --reason: 10001 characters, at most 10000 allowed\n"),
    K("text-long-escalate-reason", "case", "escalate", "C2026-000002", "--to", "2", "--reason", "x" * 10_001,
      stderr="caselog: --reason: 10001 characters, at most 10000 allowed\n"),
    K("text-long-decision", "meeting", "decide", "C2026-000002", "--date", "2026-03-03", "--decision", "x" * 10_001,
      "--owner", "market", stderr="caselog: --decision: 10001 characters, at most 10000 allowed\n"),
    K("text-long-chair", "meeting", "record", "leaders", "--date", "2026-03-05", "--chair", "x" * 101,
      stderr="caselog: --chair: 101 characters, at most 100 allowed\n"),
    K("text-long-calendar-note", "calendar", "set", "2027-01-01", "holiday", "--note", "x" * 201,
      stderr="caselog: --note: 201 characters, at most 200 allowed\n"),
    K("text-long-department-name", "dept", "add", "x", "名" * 101, stderr="caselog: NAME: String should have at most 100 characters\n"),
    K("text-long-edited-department-name", "dept", "edit", "market", "--name", "名" * 101,
      stderr="caselog: --name: String should have at most 100 characters\n"),
    K("text-empty-edited-department-name", "dept", "edit", "market", "--name", "",
      stderr="caselog: --name: String should have at least 1 character\n"),
    K("text-long-party-name", "party", "add", "名" * 201, stderr="caselog: NAME: String should have at most 200 characters\n"),
    K("text-long-tags", "party", "add", "某某", "--tag", "x" * 201, stderr="caselog: --tag: at most 200 characters of tags in all\n"),
    K("text-long-official", "visit", "add", "张伟", "--by", "王" * 101, "--dept", "market",
      stderr="caselog: --by: String should have at most 100 characters\n"),
    K("text-long-actor", "--actor", "x" * 101, "case", "note", "C2026-000002", "hi",
      stderr="caselog: --actor: 101 characters, at most 100 allowed\n"),
    K("text-long-search", "case", "list", "--search", "x" * 60_000, stderr="caselog: --search: 60000 characters, at most 200 allowed\n"),
    K("text-nul-in-title", "case", "open", "a\x00b", "--party", "张伟", stderr="caselog: TITLE: contains the control character U+0000\n"),
    K("text-escape-in-title", "case", "open", "\x1b[2J清屏", "--party", "张伟",
      stderr="caselog: TITLE: contains the control character U+001B\n"),
    K("text-escape-in-note", "case", "note", "C2026-000002", "a\x07b", stderr="caselog: TEXT: contains the control character U+0007\n"),
    # --- issue 18: bidirectional controls, terminal escapes, bytes that are not UTF-8, passwords in URLs ------------
    K("text-bidi-override-in-title", "case", "open", "abc\u202edcba.exe", "--party", "张伟",
      stderr="caselog: TITLE: contains the control character U+202E\n"),
    K("text-bidi-isolate-in-party-name", "party", "add", "某\u2067公司", stderr="caselog: NAME: contains the control character U+2067\n"),
    K("text-bidi-mark-in-actor", "--actor", "li\u200fna", "case", "note", "C2026-000002", "hi",
      stderr="caselog: --actor: contains the control character U+200F\n"),
    K("csv-terminal-escape-in-header", "import", "cases", "cases.csv",
      files=csv(H + ",\x1b]0;PWNED\x07\nB-1,t,2026-03-02,x\n"),
      stderr="caselog: cases.csv:1:\\x1b]0;PWNED\\x07: unknown column (map it with --map '\\x1b]0;PWNED\\x07=FIELD' or"
      " list it in the mapping's ignore)\n"),
    K("text-not-utf8-search", "case", "list", "--search", "\udcffab",
      stderr="caselog: --search: '\\xffab' is not valid UTF-8 (byte 0xff); check the terminal's encoding\n"),
    K("text-not-utf8-note", "case", "note", "C2026-000002", "\udcffab",
      stderr="caselog: argument 4: '\\xffab' is not valid UTF-8 (byte 0xff); check the terminal's encoding\n"),
    K("url-password-in-query", "--db", "postgresql+psycopg://u@127.0.0.1:1/x?password=S3cretPW", "db", "info", code=1,
      stderr="caselog: postgresql+psycopg://u@127.0.0.1:1/x?password=***: connection failed: connection to server at"
      ' "127.0.0.1", port 1 failed: Connection refused\n'),
    K("url-unclosed-bracket", "--db", "postgresql+psycopg://[::1", "case", "list", code=1,
      stderr="caselog: postgresql+psycopg://…: cannot use this database URL (invalid literal for int() with base 10:"
      " ':1')\n"),
    # --- invalid lifecycle moves --------------------------------------------------------------------------
    K("move-resolve-open", "case", "resolve", "C2026-000001", "--note", "x", code=1,
      stderr="caselog: case C2026-000001: cannot resolve a case that is open (a case is resolved after it is dispatched)\n"),
    K("move-answer-open", "case", "answer", "C2026-000001", "--note", "x", code=1,
      stderr="caselog: case C2026-000001: cannot answer a case that is open (a case is answered after it is dispatched)\n"),
    K("move-accept-open", "case", "accept", "C2026-000001", code=1,
      stderr="caselog: case C2026-000001: cannot accept a case that is open (only a dispatched case can be accepted)\n"),
    K("move-return-open", "case", "return", "C2026-000001", "--reason", "x", code=1,
      stderr="caselog: case C2026-000001: cannot return a case that is open (only a dispatched or accepted case can be"
      " returned)\n"),
    K("move-close-as-resolved-unresolved", "case", "close", "C2026-000002", "--reason", "resolved", code=1,
      stderr="caselog: case C2026-000002: cannot close as resolved a case that is dispatched (resolve it first)\n"),
    K("move-close-closed", "case", "close", "C2026-000003", "--reason", "withdrawn", code=1,
      stderr="caselog: case C2026-000003: cannot close a case that is closed (it is already closed)\n"),
    K("move-reopen-open", "case", "reopen", "C2026-000001", "--reason", "x", code=1,
      stderr="caselog: case C2026-000001: cannot reopen a case that is open (only a closed case can be reopened)\n"),
    K("move-dispatch-closed", "case", "dispatch", "C2026-000003", "--lead", "market", code=1,
      stderr="caselog: case C2026-000003: cannot dispatch a case that is closed (reopen it first)\n"),
    K("move-revisit-open", "case", "revisit", "C2026-000001", "--satisfaction", "satisfied", code=1,
      stderr="caselog: case C2026-000001: cannot revisit a case that is open (a return visit follows an answer or a"
      " resolution)\n"),
    K("move-resolve-resolved", "case", "resolve", "C2026-000004", "--note", "x", code=1,
      stderr="caselog: case C2026-000004: cannot resolve a case that is resolved (a case is resolved after it is"
      " dispatched)\n"),
    K("move-accept-resolved", "case", "accept", "C2026-000004", code=1,
      stderr="caselog: case C2026-000004: cannot accept a case that is resolved (only a dispatched case can be accepted)\n"),
    K("move-escalate-closed", "case", "escalate", "C2026-000003", "--to", "2", "--reason", "x", code=1,
      stderr="caselog: case C2026-000003: a closed case keeps its tier\n"),
    K("move-extend-closed", "case", "extend", "C2026-000003", "--to", "2026-06-01", "--reason", "x", code=1,
      stderr="caselog: case C2026-000003: cannot extend a deadline of a case that is closed\n"),
    K("move-extend-to-same-day", "case", "extend", "C2026-000002", "--to", "2026-03-23", "--reason", "x",
      stderr="caselog: --to: the resolution deadline is already 2026-03-23\n"),
    K("move-empty-reason", "case", "return", "C2026-000002", "--reason", "  ", stderr="caselog: --reason: must not be empty\n"),
    K("move-empty-note", "case", "note", "C2026-000002", " ", stderr="caselog: TEXT: must not be empty\n"),
    K("move-unknown-close-reason", "case", "close", "C2026-000002", "--reason", "done",
      stderr="caselog: --reason: 'done' is not one of resolved, unresolvable, withdrawn, duplicate, invalid\n"),
    K("move-unknown-close-reason-zh", "--lang", "zh", "case", "close", "C2026-000002", "--reason", "重",
      stderr="caselog: --reason：'重' 不是可用的值（resolved, unresolvable, withdrawn, duplicate, invalid，或 已解决、无法解决、"
      "已撤回、重复、无效）\n"),
    K("move-unknown-satisfaction", "case", "revisit", "C2026-000004", "--satisfaction", "happy",
      stderr="caselog: --satisfaction: 'happy' is not one of satisfied, basically-satisfied, unsatisfied, unreachable\n"),
    K("move-unknown-channel", "visit", "add", "1", "--by", "王伟", "--dept", "market", "--channel", "email",
      stderr="caselog: --channel: 'email' is not one of visit, hotline, platform, meeting\n"),
    K("move-meeting-twice", "meeting", "record", "joint", "--date", "2026-03-03",
      stderr="caselog: the joint meeting of 2026-03-03 is already recorded\n"),
    # --- unknown departments (the closest code suggested), cases, parties and visits ---------------------------
    K("dept-unknown-lead", *OPEN, "--lead", "markte", stderr="caselog: --lead: no department 'markte' (did you mean 'market'?)\n"),
    K("dept-unknown-lead-by-name", *OPEN, "--lead", "市场监管局",
      stderr="caselog: --lead: no department '市场监管局' (did you mean 'market'?)\n"),
    K("dept-unknown-co", "case", "dispatch", "C2026-000001", "--lead", "market", "--co", "hosing",
      stderr="caselog: --co: no department 'hosing' (did you mean 'housing'?)\n"),
    K("dept-unknown-filter", "case", "list", "--dept", "esbb", stderr="caselog: --dept: no department 'esbb' (did you mean 'esb'?)\n"),
    K("dept-unknown-nothing-close", "dept", "show", "xyz", stderr="caselog: department: no department 'xyz'\n"),
    K("dept-unknown-edit", "dept", "edit", "markt", "--name", "x",
      stderr="caselog: department: no department 'markt' (did you mean 'market'?)\n"),
    K("dept-unknown-visit", "visit", "add", "张伟", "--by", "王", "--dept", "mrket",
      stderr="caselog: --dept: no department 'mrket' (did you mean 'market'?)\n"),
    K("dept-unknown-owner", "meeting", "decide", "C2026-000002", "--date", "2026-03-03", "--decision", "x", "--owner", "mrket",
      stderr="caselog: --owner: no department 'mrket' (did you mean 'market'?)\n"),
    K("dept-unknown-attendee", "meeting", "record", "leaders", "--date", "2026-03-05", "--attendee", "mrket",
      stderr="caselog: --attendee: no department 'mrket' (did you mean 'market'?)\n"),
    K("dept-inactive-lead", *OPEN, "--lead", "old", stderr="caselog: --lead: department 'old' is inactive\n"),
    K("dept-co-is-the-lead", "case", "dispatch", "C2026-000001", "--lead", "market", "--co", "market",
      stderr="caselog: --co: 'market' is already the lead department\n"),
    K("dept-co-without-lead", *OPEN, "--co", "market", stderr="caselog: --co: co-departments need a lead department (--lead)\n"),
    K("dept-code-shape", "dept", "add", "Market!", "名",
      stderr="caselog: CODE: use lower-case letters, digits, '-' and '_', starting with a letter or digit\n"),
    K("dept-code-too-long", "dept", "add", "a" * 33, "名", stderr="caselog: CODE: String should have at most 32 characters\n"),
    K("dept-code-taken", "dept", "add", "market", "x", stderr="caselog: department 'market' already exists\n"),
    K("case-unknown", "case", "show", "C2026-999999", stderr="caselog: no case 'C2026-999999'\n"),
    K("case-unknown-move", "case", "resolve", "C2026-999999", "--note", "x", stderr="caselog: no case 'C2026-999999'\n"),
    K("case-unknown-external-ref", "case", "show", "NOPE-1", stderr="caselog: no case 'NOPE-1'\n"),
    K("case-unknown-decision", "meeting", "decide", "C2026-999999", "--date", "2026-03-03", "--decision", "x", "--owner", "market",
      stderr="caselog: no case 'C2026-999999'\n"),
    K("case-external-ref-taken", *OPEN, "--external-ref", "EXT-1", stderr="caselog: --external-ref: 'EXT-1' is already used by another case\n"),
    K("case-edited-external-ref-taken", "case", "edit", "C2026-000001", "--external-ref", "EXT-1",
      stderr="caselog: --external-ref: 'EXT-1' is already used by another case\n"),
    K("party-unknown", *OPEN[:3], "--party", "李四", stderr="caselog: --party: no party with id, credit code or name '李四'\n"),
    K("party-unknown-id", "party", "show", "999", stderr="caselog: party: no party with id 999\n"),
    K("party-unknown-visited", "visit", "add", "李四", "--by", "王", "--dept", "market",
      stderr="caselog: PARTY: no party with id, credit code or name '李四'\n"),
    K("party-unknown-filter", "case", "list", "--party", "李四", stderr="caselog: --party: no party with id, credit code or name '李四'\n"),
    K("party-unknown-edit", "case", "edit", "C2026-000002", "--party", "李四",
      stderr="caselog: --party: no party with id, credit code or name '李四'\n"),
    K("party-bad-credit-code", "party", "add", "某公司", "--credit-code", "91350100M000100Y44",
      stderr="caselog: --credit-code: credit code '91350100M000100Y44' fails its check character: expected '3', found '4'\n"),
    K("party-credit-code-taken", "party", "add", "某公司", "--credit-code", CREDIT,
      stderr=f"caselog: --credit-code: {CREDIT} already belongs to party 1 (上海测试科技有限公司)\n"),
    K("visit-unknown", *OPEN, "--visit", "999", stderr="caselog: --visit: no visit with id 999\n"),
    K("visit-of-another-party", *OPEN[:3], "--party", "上海测试科技有限公司", "--visit", "1",
      stderr="caselog: --visit: visit 1 was to party 2, not to party 1\n"),
    # --- buildings, parks, who looks after whom, policies (issue 20) ----------------------------------------
    K("party-assign-unknown-building", "party", "assign", "张伟", "--building", "白玉兰",
      stderr="caselog: --building: no building named '白玉兰' (did you mean '白玉兰广场'?)\n"),
    K("party-assign-unknown-park-id", "party", "assign", "张伟", "--park", "99", stderr="caselog: --park: no park with id 99\n"),
    K("party-assign-official-without-dept", "party", "assign", "张伟", "--official", "王科长",
      stderr="caselog: --dept: a responsible official needs a department\n"),
    K("party-assign-dept-without-official", "party", "assign", "张伟", "--dept", "market",
      stderr="caselog: --official: a responsible department needs an official\n"),
    K("party-assign-inactive-dept", "party", "assign", "张伟", "--official", "王科长", "--dept", "old",
      stderr="caselog: --dept: department 'old' is inactive\n"),
    K("party-assign-unknown-dept", "party", "assign", "张伟", "--official", "王科长", "--dept", "mrket",
      stderr="caselog: --dept: no department 'mrket' (did you mean 'market'?)\n"),
    K("party-assign-nothing", "party", "assign", "张伟",
      stderr="caselog: PARTY: give --building, --park, --official or --dept (- clears one)\n"),
    K("party-assign-long-official", "party", "assign", "张伟", "--official", "王" * 101, "--dept", "market",
      stderr="caselog: --official: 101 characters, at most 100 allowed\n"),
    K("party-add-unknown-building", "party", "add", "新公司", "--building", "星荟中心",
      stderr="caselog: --building: no building named '星荟中心'\n"),
    K("building-name-taken", "building", "add", "白玉兰广场", stderr="caselog: NAME: a building named '白玉兰广场' already exists\n"),
    K("building-name-empty", "building", "add", " ", stderr="caselog: NAME: String should have at least 1 character\n"),
    K("building-unknown", "building", "show", "星荟", stderr="caselog: BUILDING: no building named '星荟'\n"),
    K("building-assign-nothing", "building", "assign", "白玉兰广场",
      stderr="caselog: --official: give the leader (--official and --dept), or - to clear\n"),
    K("park-assign-official-without-dept", "park", "assign", "音乐谷", "--official", "陈明",
      stderr="caselog: --dept: a responsible official needs a department\n"),
    K("park-unknown", "park", "assign", "音乐", "--official", "陈明", "--dept", "market",
      stderr="caselog: PARK: no park named '音乐' (did you mean '音乐谷'?)\n"),
    K("visit-due-unknown-park", "visit", "due", "--park", "音乐", stderr="caselog: --park: no park named '音乐' (did you mean '音乐谷'?)\n"),
    K("visit-due-unknown-dept", "visit", "due", "--dept", "mrket",
      stderr="caselog: --dept: no department 'mrket' (did you mean 'market'?)\n"),
    K("visit-due-within-negative", "visit", "due", "--within", "-1", usage=True,
      stderr="Error: Invalid value for '--within': Input should be greater than or equal to 0\n"),
    K("policy-unknown-dept", "policy", "add", "人才公寓管理办法", "--dept", "mrket", "--action", "new",
      stderr="caselog: --dept: no department 'mrket' (did you mean 'market'?)\n"),
    K("policy-unknown-case", "policy", "add", "人才公寓管理办法", "--dept", "market", "--action", "new", "--case", "C2026-999999",
      stderr="caselog: no case 'C2026-999999'\n"),
    K("policy-bad-action", "policy", "add", "办法", "--dept", "market", "--action", "repealed", usage=True,
      stderr="Error: Invalid value for '--action': 'repealed' is not one of 'new', 'revised', 'abolished'.\n"),
    K("policy-empty-category", "policy", "add", "办法", "--dept", "market", "--action", "new", "--category", " ",
      stderr="caselog: --category: a category cannot be empty\n"),
    K("policy-long-title", "policy", "add", "办" * 201, "--dept", "market", "--action", "new",
      stderr="caselog: TITLE: String should have at most 200 characters\n"),
    K("policy-bad-date", "policy", "add", "办法", "--dept", "market", "--action", "new", "--on", "2026-02-30",
      stderr="caselog: --on: '2026-02-30' is not a valid date (day must be 1 to 28 in 2026-02)\n"),
    K("policy-unknown", "policy", "show", "9", stderr="caselog: POLICY: no policy with id 9\n"),
    K("policy-link-nothing", "policy", "link", "9", stderr="caselog: POLICY: give --category or --case\n"),
    K("report-coverage-bad-by", "report", "coverage", "--by", "floor", usage=True,
      stderr="Error: Invalid value for '--by': 'floor' is not one of 'department', 'official', 'street', 'building', 'park'.\n"),
    K("csv-unknown-building", "import", "parties", "parties.csv", files=csv("name,building\n某公司,星荟中心\n", "parties.csv"),
      stderr=imported("parties.csv", "parties.csv:2:building: no building '星荟中心'; add it first or use --create-missing buildings")),
    K("csv-official-without-department", "import", "parties", "parties.csv",
      files=csv("name,official,department\n某公司,王科长,\n", "parties.csv"),
      stderr=imported("parties.csv", "parties.csv:2:department: a responsible official needs a department")),
    K("rules-coverage-months", "--rules", "rules.toml", "rules", files={"rules.toml": "[coverage]\nenterprise = 'yearly'\n"},
      stderr="caselog: rules.toml:2: coverage.enterprise: expected a whole number of months from 0 (not in scope) to 120, found 'yearly'\n"),
    # --- broken rules files -------------------------------------------------------------------------------
    K("rules-rrule-never-fires", "--rules", "rules.toml", "agenda", "joint", files={"rules.toml": "[meetings.joint]\nrrule = \"FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30\"\n"},
      stderr="caselog: rules.toml:2: meetings.joint.rrule: the rule schedules no meeting in the 800 days from 2026-01-06, found 'FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30'\n"),
    K("rules-toml-syntax", "--rules", "rules.toml", "rules", files={"rules.toml": "[deadlines.tier1\nreply = 5\n"},
      stderr="caselog: rules.toml:1: Expected ']' at the end of a table declaration (at line 1, column 17)\n"),
    K("rules-toml-value", "--rules", "rules.toml", "rules", files={"rules.toml": "[escalation]\nreturns = = 2\n"},
      stderr="caselog: rules.toml:2: Invalid value (at line 2, column 11)\n"),
    K("rules-wrong-type", "--rules", "rules.toml", "rules", files={"rules.toml": "[deadlines.tier1]\nreply = 'five'\n"},
      stderr="caselog: rules.toml:2: deadlines.tier1.reply: expected a whole number of working days from 1 to 365, found 'five'\n"),
    K("rules-boolean-for-number", "--rules", "rules.toml", "rules", files={"rules.toml": "[escalation]\nreturns = true\n"},
      stderr="caselog: rules.toml:2: escalation.returns: expected a whole number from 1 to 20, found true\n"),
    K("rules-fraction", "--rules", "rules.toml", "rules", files={"rules.toml": "[escalation]\nreturns = 2.5\n"},
      stderr="caselog: rules.toml:2: escalation.returns: expected a whole number from 1 to 20, found 2.5\n"),
    K("rules-zero-days", "--rules", "rules.toml", "rules", files={"rules.toml": "[deadlines.tier1]\nreply = 0\n"},
      stderr="caselog: rules.toml:2: deadlines.tier1.reply: expected a whole number of working days from 1 to 365, found 0\n"),
    K("rules-too-many-days", "--rules", "rules.toml", "rules", files={"rules.toml": "[deadlines.tier2]\nresolve = 366\n"},
      stderr="caselog: rules.toml:2: deadlines.tier2.resolve: expected a whole number of working days from 1 to 365, found 366\n"),
    K("rules-huge-number", "--rules", "rules.toml", "rules", files={"rules.toml": "[escalation]\nreturns = 99999999999999999999\n"},
      stderr="caselog: rules.toml:2: escalation.returns: expected a whole number from 1 to 20, found 99999999999999999999\n"),
    K("rules-unknown-key", "--rules", "rules.toml", "rules", files={"rules.toml": "[escalation]\nretruns = 2\n"},
      stderr="caselog: rules.toml:2: unknown key 'escalation.retruns' (known: escalation.returns, escalation.joint_agendas)\n"),
    K("rules-unknown-table", "--rules", "rules.toml", "rules", files={"rules.toml": "x = 1\n[deadline.tier1]\nreply = 5\n"},
      stderr="caselog: rules.toml:1: unknown key 'x' (known: intake.key_categories, deadlines.tier1.reply,"
      " deadlines.tier1.resolve, deadlines.tier2.reply, deadlines.tier2.resolve, deadlines.tier3.reply,"
      " deadlines.tier3.resolve, escalation.returns, escalation.joint_agendas, warnings.due_within,"
      " supervision.urged, supervision.overdue, supervision.unsatisfied, meetings.joint.rrule,"
      " meetings.joint.first, meetings.leaders.rrule, meetings.leaders.first, coverage.enterprise,"
      " coverage.resident, coverage.organisation, coverage.tags, score.reply, score.resolution, score.on_time,"
      " score.satisfaction, score.min_cases, score.list_size, mail.host, mail.port, mail.from, mail.user,"
      " mail.password_env, mail.starttls, mail.departments)\n"),
    K("rules-table-as-value", "--rules", "rules.toml", "rules", files={"rules.toml": "deadlines = 5\n"},
      stderr="caselog: rules.toml:1: deadlines: expected a table, found 5\n"),
    K("rules-reply-after-resolve", "--rules", "rules.toml", "rules", files={"rules.toml": "[deadlines.tier1]\nreply = 20\n"},
      stderr="caselog: rules.toml:2: deadlines.tier1.reply: reply deadline (20) is after the resolution deadline (15)\n"),
    K("rules-bad-rrule", "--rules", "rules.toml", "rules", files={"rules.toml": "[meetings.joint]\nrrule = 'FREQ=FORTNIGHTLY'\n"},
      stderr="caselog: rules.toml:2: meetings.joint.rrule: not a valid RFC 5545 recurrence rule (invalid 'FREQ':"
      " FORTNIGHTLY), found 'FREQ=FORTNIGHTLY'\n"),
    K("rules-hourly-meetings", "--rules", "rules.toml", "meetings", files={"rules.toml": "[meetings.joint]\nrrule = 'FREQ=HOURLY'\n"},
      stderr="caselog: rules.toml:2: meetings.joint.rrule: a meeting rule repeats daily, weekly, monthly or yearly, with"
      " an INTERVAL of 1 or more, found 'FREQ=HOURLY'\n"),
    K("rules-interval-0", "--rules", "rules.toml", "meetings",
      files={"rules.toml": "[meetings.joint]\nrrule = 'FREQ=WEEKLY;INTERVAL=0'\n"},
      stderr="caselog: rules.toml:2: meetings.joint.rrule: a meeting rule repeats daily, weekly, monthly or yearly, with"
      " an INTERVAL of 1 or more, found 'FREQ=WEEKLY;INTERVAL=0'\n"),
    K("rules-first-with-time", "--rules", "rules.toml", "rules", files={"rules.toml": "[meetings.joint]\nfirst = 2026-01-06T10:00:00\n"},
      stderr="caselog: rules.toml:2: meetings.joint.first: expected a date such as 2026-01-06, found 2026-01-06T10:00:00\n"),
    K("rules-categories-not-a-list", "--rules", "rules.toml", "rules", files={"rules.toml": "[intake]\nkey_categories = '人才公寓'\n"},
      stderr="caselog: rules.toml:2: intake.key_categories: expected a list of non-empty category names, found '人才公寓'\n"),
    K("rules-missing", "--rules", "nope.toml", "rules", stderr="caselog: --rules: cannot read nope.toml (No such file or directory)\n"),
    K("rules-not-utf8", "--rules", "rules.toml", "rules", files={"rules.toml": "[intake]\n# 人才\n".encode("gbk")},
      stderr="caselog: --rules: cannot read rules.toml ('utf-8' codec can't decode byte 0xc8 in position 11: invalid"
      " continuation byte)\n"),
    K("rules-broken-on-a-writing-command", "--rules", "rules.toml", *OPEN, "--lead", "market",
      files={"rules.toml": "[escalation]\nreturns = 0\n"},
      stderr="caselog: rules.toml:2: escalation.returns: expected a whole number from 1 to 20, found 0\n"),
    K("rules-broken-on-the-sweep", "--rules", "rules.toml", "escalate", files={"rules.toml": "[escalation]\nreturns = 0\n"},
      stderr="caselog: rules.toml:2: escalation.returns: expected a whole number from 1 to 20, found 0\n"),
    # --- bad database files (part A of issue 6; SQLite only) -----------------------------------------------
    K("db-text-file", "case", "list", bad_file="text", code=1, stderr=f"caselog: {DB}: not a SQLite database (file is not a database)\n"),
    K("db-png", "db", "info", bad_file="png", code=1, stderr=f"caselog: {DB}: not a SQLite database (file is not a database)\n"),
    K("db-zero-bytes", "case", "list", bad_file="empty", code=1,
      stderr=f"caselog: {DB}: no caselog database here; create one with `caselog init`\n"),
    K("db-blank-sqlite", "db", "check", bad_file="blank", code=1,
      stderr=f"caselog: {DB}: no caselog database here; create one with `caselog init`\n"),
    K("db-directory", "case", "open", "t", "--party", "张伟", bad_file="directory", code=1,
      stderr=f"caselog: {DB}: is a directory, not a database file\n"),
    K("db-truncated", "db", "check", bad_file="truncated", code=1,
      stderr=f"caselog: {DB}: the database file is damaged (database disk image is malformed); restore it from a backup\n"),
    K("db-garbage-pages", "case", "list", bad_file="garbage", code=1,
      stderr=f"caselog: {DB}: the database file is damaged (database disk image is malformed); restore it from a backup\n"),
    K("db-another-programs", "init", bad_file="foreign", code=1,
      stderr=f"caselog: {DB}: has tables but no caselog schema; not a caselog database\n"),
    K("db-read-only-file", "case", "resolve", "C2026-000002", "--note", "好", restricted=("read-only-file", 0), code=1,
      stderr=f"caselog: {DB}: the database file is read-only; nothing was written\n"),
    K("db-read-only-folder", "case", "list", restricted=("read-only-folder", 0), code=1,
      stderr=f"caselog: {DB}: the directory {{folder}} is read-only; SQLite needs to create the -wal and -shm files"
      " beside the database, even to read it\n"),
    K("db-disk-full", "case", "open", "大事", "--party", "张伟", "--description", "说明" * 5000, restricted=("fsize", 32 * 1024),
      code=1, stderr=f"caselog: {DB}: cannot write (disk I/O error); is the disk full? Nothing was written\n"),
    # --- other options ------------------------------------------------------------------------------------
    K("option-unknown-format", "case", "list", "--format", "xml", usage=True,
      stderr="Error: Invalid value for '--format' / '-f': 'xml' is not one of 'table', 'json', 'csv'.\n"),
    K("option-unknown-status", "case", "list", "--status", "done",
      stderr="caselog: --status: 'done' is not one of open, dispatched, accepted, answered, resolved, closed\n"),
    K("export-unknown-status", "export", "cases", "x.csv", "--status", "已完成",
      stderr="caselog: --status: '已完成' is not one of open, dispatched, accepted, answered, resolved, closed\n"),
    K("option-unknown-language", "--lang", "xx", "case", "list", stderr="caselog: --lang: unknown language 'xx'; use zh or en\n"),
    K("option-unknown-language-env", "case", "list", env={"CASELOG_LANG": "klingon"},
      stderr="caselog: CASELOG_LANG: unknown language 'klingon'; use zh or en\n"),
    K("option-unknown-command", "case", "frobnicate", usage=True, stderr="Error: No such command 'frobnicate'.\n"),
    K("option-two-periods", "report", "rates", "--by", "department", "--week", "2026-W10", "--month", "2026-03",
      stderr="caselog: give one period: --from/--until, --week, --month or --year\n"),
    K("output-is-a-directory", "agenda", "joint", "--output", ".", stderr="caselog: --output: . is a directory\n"),
    K("output-in-a-missing-folder", "agenda", "joint", "--output", "nodir/a.md",
      stderr="caselog: --output: cannot write nodir/a.md (No such file or directory)\n"),
    K("output-dir-missing", "report", "weekly", "--output-dir", "nodir",
      stderr="caselog: --output-dir: nodir does not exist; create the folder first\n"),
    K("output-dir-a-file", "report", "weekly", "--output-dir", "report.md", files={"report.md": "keep me\n"},
      stderr="caselog: --output-dir: report.md is a file, not a folder\n"),
    K("output-dir-empty", "report", "weekly", "--output-dir", "", stderr="caselog: --output-dir: '' is not a folder\n"),
    K("export-over-an-existing-file", "export", "cases", "cases.csv", files=csv("keep me\n"),
      stderr="caselog: cases.csv exists; use --force to replace it\n"),
    K("backup-over-an-existing-file", "backup", "copy.db", files={"copy.db": "keep me\n"}, sqlite_only=True,
      stderr="caselog: DEST: copy.db exists; use --force to replace it\n"),
]  # fmt: skip

_IDS = [kind.id for kind in KINDS]
assert len(set(_IDS)) == len(_IDS), "every kind has its own id"
_TRIED: list[str] = []


@pytest.fixture(scope="module", autouse=True)
def report_the_count(request):
    """Print how many kinds of bad input were tried (``pytest -q`` shows it at the end of the module)."""
    yield
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None and _TRIED:
        with capture.global_and_fixture_disabled():
            reporter.write_line(f"\nbad-input catalogue: {len(_TRIED)} of {len(KINDS)} kinds tried ({BACKEND})")


# --- the district every kind runs against ------------------------------------------------------------------


def populate(location) -> None:
    """Four departments (one inactive), two parties, a visit, a joint meeting and four cases:
    C2026-000001 open, -000002 dispatched to market (EXT-1), -000003 closed, -000004 resolved (tier 2); a building
    (白玉兰广场, led by 李娜 of esb) and a park (音乐谷, no leader)."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from caselog.cases import intake, moves
    from caselog.directory import add_department, add_party, add_visit, edit_department
    from caselog.meetings.minutes import record_meeting
    from caselog.models import CaseCreate, DepartmentCreate, PartyCreate, VisitCreate
    from caselog.store.engine import session

    tz = ZoneInfo("Asia/Shanghai")
    now = datetime(2026, 3, 10, 10, 0, tzinfo=tz)

    def at(day, hour=10):
        return datetime(2026, 3, day, hour, 0, tzinfo=tz)

    def open_case(title, party, day, *, lead=None, co=(), external_ref=None):
        data = CaseCreate(title=title, external_ref=external_ref)
        opened = at(day)
        return intake.open_case(
            session=db,
            data=data,
            party=party,
            visit_id=None,
            lead=lead,
            co=list(co),
            opened_at=opened,
            now=now,
            actor="t",
        )

    with session(location, write=True) as db:
        for code, name in (
            ("market", "区市场监管局"),
            ("housing", "区房管局"),
            ("esb", "区企业服务局"),
            ("old", "旧部门"),
        ):
            add_department(session=db, data=DepartmentCreate(code=code, name=name))
        edit_department(session=db, code="old", name=None, kind=None, active=False)
        add_party(session=db, data=PartyCreate(name="上海测试科技有限公司", credit_code=CREDIT))
        add_party(session=db, data=PartyCreate(name="张伟", kind="resident"))
        add_visit(
            session=db, party="张伟", department="market", data=VisitCreate(visited_on=at(2).date(), official="王科长")
        )
        open_case("楼道堆物", "张伟", 2)
        open_case("门禁失灵", "张伟", 2, lead="market", external_ref="EXT-1")
        closed = open_case("噪音扰民", "张伟", 3, lead="market")
        moves.close(session=db, ref=closed.ref, reason="withdrawn", note=None, at=at(3, 11), now=now, actor="t")
        solved = open_case("人才公寓", "上海测试科技有限公司", 4, lead="housing", co=["market"])
        moves.resolve(session=db, ref=solved.ref, note="已安排", at=at(4, 11), now=now, actor="t", force=True)
        record_meeting(session=db, kind="joint", day=at(3).date(), chair=None, attendees=[], now=now, actor="t")
        from caselog.coverage.assignments import assign_place
        from caselog.coverage.places import add_place
        from caselog.models import PlaceCreate

        add_place(session=db, kind="building", data=PlaceCreate(name="白玉兰广场"))
        assign_place(session=db, kind="building", place="白玉兰广场", changes={"official": "李娜", "department": "esb"},
                     at=now, actor="t")  # fmt: skip
        add_place(session=db, kind="park", data=PlaceCreate(name="音乐谷"))


TEMPLATE_DATABASE = "caselog_bad_input_district"


@pytest.fixture(scope="module")
def template(tmp_path_factory, request) -> Path | str:
    """The district built once: a SQLite file (checkpointed: no -wal) or a PostgreSQL template database."""
    from caselog.store.location import resolve_location

    if BACKEND != "sqlite":
        server = request.getfixturevalue("pg_server")
        # A worker that comes back to this module (pytest-xdist's worksteal) builds the district again.
        server.sql(f"DROP DATABASE IF EXISTS {TEMPLATE_DATABASE} WITH (FORCE)")
        server.sql(f"CREATE DATABASE {TEMPLATE_DATABASE}")
        populate(resolve_location(server.url(TEMPLATE_DATABASE), env={}, default_dir=Path()))
        return TEMPLATE_DATABASE
    path = tmp_path_factory.mktemp("district") / "caselog.db"
    populate(resolve_location(str(path), env={}, default_dir=path.parent))
    return path


def copy_district(template: Path | str, location, request) -> None:
    """Give the test's database the district: a copy of the file, or a database made from the template."""
    if isinstance(template, Path):
        shutil.copyfile(template, location.path)
        return
    from sqlalchemy.engine import make_url

    server, name = request.getfixturevalue("pg_server"), make_url(location.url).database
    server.sql(f"DROP DATABASE {name}")
    server.sql(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE_DATABASE}")


def snapshot(location) -> object:
    """What must not change: the SQLite file and its -wal byte for byte, or every row of every PostgreSQL table."""
    if location.path is not None:
        # An empty -wal holds nothing: SQLite leaves one behind a connection that could not write (a read-only file).
        wal = Path(f"{location.path}-wal")
        return badfiles.digest(location.path), badfiles.digest(wal) if wal.exists() and wal.stat().st_size else None
    from sqlalchemy import create_engine, select, text

    from caselog.models import all_tables

    engine = create_engine(location.url)
    try:
        with engine.connect() as connection:
            rows = {
                table.name: connection.execute(select(table).order_by(*table.primary_key.columns)).all()
                for table in all_tables().sorted_tables
            }
            rows["alembic_version"] = connection.execute(text("SELECT version_num FROM alembic_version")).all()
            return rows
    finally:
        engine.dispose()


# --- the catalogue -------------------------------------------------------------------------------------------


def _marks(kind: Kind):
    marks = [pytest.mark.sqlite_only] if kind.bad_file or kind.restricted or kind.sqlite_only else []
    return marks + [pytest.mark.empty_database] if kind.bad_file else marks


@pytest.mark.parametrize("kind", [pytest.param(kind, id=kind.id, marks=_marks(kind)) for kind in KINDS])
def test_bad_input_is_refused_and_changes_nothing(kind, location, template, isolated_env, monkeypatch, request):
    badfiles.fast_cli(monkeypatch)
    monkeypatch.setenv("CASELOG_NOW", "2026-03-10T10:00:00")
    folder = isolated_env / "work"
    folder.mkdir()
    monkeypatch.chdir(folder)
    for name, content in kind.files.items():
        (folder / name).write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    if kind.bad_file:
        getattr(badfiles, f"make_{_MAKERS[kind.bad_file]}")(location.path, template)
        before = badfiles.fingerprint(location.path.parent)
    else:
        copy_district(template, location, request)
        before = snapshot(location)
    _TRIED.append(kind.id)

    if kind.restricted:
        stdout, stderr, code = _run_restricted(kind, location, folder)
    else:
        for name, value in kind.env.items():
            monkeypatch.setenv(name, value)
        result = CliRunner(env={"COLUMNS": "200"}).invoke(app, list(kind.args), catch_exceptions=False)
        stdout, stderr, code = result.stdout, result.stderr, result.exit_code

    expected = kind.stderr.replace(DB, str(location.path)).replace("{folder}", str(folder.parent))
    assert "Traceback" not in stderr
    assert (code, stdout) == (kind.code, ""), stderr
    if kind.usage:
        assert stderr.startswith("Usage: caselog ") and stderr.endswith("\n\n" + expected), stderr
    else:
        assert stderr == expected
    if kind.bad_file:
        assert badfiles.fingerprint(location.path.parent) == before
    else:
        assert snapshot(location) == before


_MAKERS = {
    "text": "text",
    "png": "png",
    "empty": "empty",
    "blank": "blank_sqlite",
    "directory": "directory",
    "truncated": "truncated",
    "garbage": "garbage",
    "foreign": "foreign",
}


def _run_restricted(kind: Kind, location, folder: Path) -> tuple[str, str, int]:
    """Run a kind in a child process that cannot override file modes or cannot grow a file past a limit."""
    mode, limit = kind.restricted
    if mode != "fsize" and not badfiles.permissions_apply(folder):
        pytest.skip("file modes cannot be enforced here (root without CAP_SETPCAP)")
    target = location.path if mode == "read-only-file" else location.path.parent
    args = ["--db", str(location.path), *kind.args]
    if mode == "fsize":
        child = badfiles.run_restricted("fsize", *args, limit=limit, cwd=folder)
        # The failed write may leave log frames that were never committed; SQLite ignores them, and the next
        # connection to close removes the log. Let one do so before the database is compared.
        connection = sqlite3.connect(location.path)
        connection.execute("SELECT count(*) FROM cases").fetchone()
        connection.close()
    else:
        target.chmod(0o444 if mode == "read-only-file" else 0o555)
        try:
            child = badfiles.run_restricted("unprivileged", *args, cwd=folder)
        finally:
            target.chmod(0o644 if mode == "read-only-file" else 0o755)
    return child.stdout, child.stderr, child.returncode


def test_full_width_digits_are_read_as_chinese_input_methods_type_them(location, template, monkeypatch, request):
    """Not a bad input: ２０２６－０３－０５ is what a Chinese input method gives; other scripts' digits are refused
    (date-arabic-indic-digits, date-devanagari-digits above)."""
    badfiles.fast_cli(monkeypatch)
    monkeypatch.setenv("CASELOG_NOW", "2026-03-10T10:00:00")
    copy_district(template, location, request)
    runner = CliRunner(env={"COLUMNS": "200"})
    for typed in ("２０２６－０３－０５", "２０２６年３月５日"):
        result = runner.invoke(app, ["case", "list", "--since", typed, "--until", typed, "-f", "csv"])
        assert (result.exit_code, result.stderr) == (0, ""), result.stderr
    opened = runner.invoke(app, [*OPEN, "--on", "２０２６－０３－０５　１４：３０"], catch_exceptions=False)
    assert opened.stdout == "opened C2026-000005 (tier 1, open)\n", opened.stderr
    shown = runner.invoke(app, ["case", "show", "C2026-000005", "-f", "csv"], catch_exceptions=False).stdout
    assert "2026-03-05T14:30:00+08:00" in shown


@pytest.mark.no_database
def test_the_catalogue_covers_every_kind_the_issues_list():
    """The kinds named in issues 4 and 6 each have at least one entry (by the prefix of their ids)."""
    prefixes = {kind.id.split("-")[0] for kind in KINDS}
    assert prefixes >= {
        "csv",
        "map",
        "mapping",
        "date",
        "tier",
        "number",
        "text",
        "move",
        "dept",
        "case",
        "party",
        "rules",
        "db",
    }
    needed = [
        "csv-undecodable-bytes", "csv-duplicate-header", "csv-short-row", "csv-long-row", "csv-nul-byte",
        "csv-unterminated-quote", "csv-impossible-date", "csv-ambiguous-date", "csv-closed-before-opened",
        "csv-unknown-lead", "csv-bad-credit-code", "csv-long-title", "csv-duplicate-reference", "csv-unknown-column",
        "mapping-toml-syntax", "date-ambiguous", "date-partial", "date-impossible", "date-arabic-indic-digits",
        "date-nul", "tier-0", "tier-4", "tier-negative", "tier-huge", "number-visit-id", "number-case-list-limit",
        "text-long-title", "text-long-note", "move-resolve-open", "move-close-as-resolved-unresolved",
        "move-reopen-open", "dept-unknown-lead", "case-unknown", "party-unknown", "rules-toml-syntax",
        "rules-wrong-type", "rules-zero-days", "rules-unknown-key", "db-text-file", "db-png", "db-truncated",
        "db-garbage-pages", "db-zero-bytes", "db-directory", "db-read-only-file", "db-read-only-folder", "db-disk-full",
    ]  # fmt: skip
    assert set(needed) <= set(_IDS)
    print(f"bad-input catalogue: {len(KINDS)} kinds")
