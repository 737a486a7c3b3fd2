"""The stable machine formats: json and csv of the library's records, the same bytes in every language.

Keys and headers are the field names of the dataclass (or named tuple), times are ISO 8601 with the district's
offset, dates ISO, booleans ``true``/``false``, lists joined by ``;`` in csv, rates as numbers. A csv text cell that
a spreadsheet could run as a formula gets a leading ``'`` (``--raw`` leaves it as it is).
"""

from __future__ import annotations

import csv
import dataclasses
import math
from collections.abc import Callable, Sequence
from datetime import date, datetime
from fractions import Fraction
from json.encoder import encode_basestring
from typing import IO, Any

from caselog.rules.formulas import guard, guarded_list

CSV_LIST_SEPARATOR = ";"


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


_NOT_RECORDS: set[type] = set()


def _record_names(value: Any) -> tuple[str, ...] | None:
    """The field names of a record — a dataclass instance or a named tuple — looked up once per class; None
    for anything else."""
    kind = type(value)
    names = _FIELD_NAMES.get(kind)
    if names is None and kind not in _NOT_RECORDS:  # both depend on the class alone
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            names = _FIELD_NAMES[kind] = tuple(f.name for f in dataclasses.fields(value))
        elif isinstance(value, tuple) and isinstance(getattr(kind, "_fields", None), tuple):
            names = _FIELD_NAMES[kind] = kind._fields
        else:  # dates, lists, enums…: asked again for every value of an agenda's tens of thousands of records
            _NOT_RECORDS.add(kind)
    return names


_PLAIN = (str, int, float, type(None))  # json carries these as they are (bool is an int)


def jsonable(value: Any) -> Any:
    """A value as json carries it: dataclasses as objects, times and dates as ISO text."""
    kind = type(value)
    if kind in _PLAIN or isinstance(value, _PLAIN):
        return value
    names = _record_names(value)
    if names is not None:  # an agenda can hold tens of thousands of them: fields are looked up once per class
        return {name: jsonable(getattr(value, name)) for name in names}
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Fraction):
        return float(value)
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    return value


def _text_keys(value: dict) -> dict:
    """A dict with its keys as json writes them, text: keys equal as text (``6`` and ``"6"``) become one, as in
    ``jsonable``."""
    return {str(k): v for k, v in value.items()}


def write_json(data: Any, out: IO[str]) -> None:
    """Write ``data`` as indented json with Chinese kept readable (not \\u-escaped)."""
    _write_json(data, "", out.write, 2)
    out.write("\n")


def _write_json(value: Any, indent: str, write: Callable[[str], Any], depth: int) -> None:
    """``json_text(value, indent)`` written piece by piece for the outer ``depth`` levels (an object, its lists),
    so a list of tens of thousands of objects is never held as one text."""
    members = None
    if depth and not isinstance(value, (*_PLAIN, datetime, date, Fraction)):
        names = _record_names(value)
        if names is not None:
            members, brackets = [(f'"{name}": ', getattr(value, name)) for name in names], "{}"
        elif isinstance(value, list | tuple):
            members, brackets = [("", v) for v in value], "[]"
        elif isinstance(value, dict):
            members, brackets = [(f"{encode_basestring(k)}: ", v) for k, v in _text_keys(value).items()], "{}"
    if not members:
        write(json_text(value, indent))
        return
    inner = indent + "  "
    write(brackets[0])
    for n, (key, member) in enumerate(members):
        write(f"{',' if n else ''}\n{inner}{key}")
        _write_json(member, inner, write, depth - 1)
    write(f"\n{indent}{brackets[1]}")


def json_text(value: Any, indent: str = "") -> str:
    """``value`` as ``jsonable`` makes it, in the text ``json.dumps(..., ensure_ascii=False, indent=2)`` writes,
    byte for byte. The standard library encodes indented json in pure Python, a generator step per token, after
    ``jsonable`` copied everything into dicts: an agenda carrying 50,000 decisions took seconds. Here each value
    is encoded as it is met and each object's parts are joined at once."""
    kind = type(value)
    if kind is str:
        return encode_basestring(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if kind is int:
        return int.__repr__(value)
    names = _FIELD_NAMES.get(kind)
    if names is None and not isinstance(value, _PLAIN):
        names = _record_names(value)
    inner = indent + "  "
    between = ",\n" + inner
    if names is not None:
        if not names:
            return "{}"
        items = between.join(f'"{name}": {json_text(getattr(value, name), inner)}' for name in names)
        return f"{{\n{inner}{items}\n{indent}}}"
    if isinstance(value, str):
        return encode_basestring(value)
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        return _float_text(value)
    if isinstance(value, datetime | date):
        return encode_basestring(value.isoformat())
    if isinstance(value, Fraction):
        return _float_text(float(value))
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        return f"[\n{inner}{between.join(json_text(v, inner) for v in value)}\n{indent}]"
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = between.join(f"{encode_basestring(k)}: {json_text(v, inner)}" for k, v in _text_keys(value).items())
        return f"{{\n{inner}{items}\n{indent}}}"
    raise TypeError(f"Object of type {kind.__name__} is not JSON serializable")


def tuple_json(fields: Sequence[str], indent: str) -> Callable[[tuple], str]:
    """``json_text(record, indent)`` for named tuples of ``fields``, byte for byte, with the common values (text,
    None, booleans, whole numbers, dates) encoded without ``json_text``'s questions: an agenda writes tens of
    thousands of records."""
    inner = indent + "  "
    keys = [f"{encode_basestring(name)}: " for name in fields]
    between, head, tail = ",\n" + inner, "{\n" + inner, "\n" + indent + "}"
    if not keys:
        return lambda _record: "{}"

    def encoded(record: tuple) -> str:
        parts = []
        for key, value in zip(keys, record, strict=True):
            kind = type(value)
            if kind is str:
                parts.append(key + encode_basestring(value))
            elif value is None:
                parts.append(key + "null")
            elif kind is bool:
                parts.append(key + ("true" if value else "false"))
            elif kind is int:
                parts.append(key + int.__repr__(value))
            elif kind is date:
                parts.append(f'{key}"{value.isoformat()}"')
            elif kind is list and not value:
                parts.append(key + "[]")
            elif isinstance(value, str):  # a domain enum's member
                parts.append(key + encode_basestring(value))
            else:
                parts.append(key + json_text(value, inner))
        return head + between.join(parts) + tail

    return encoded


def _float_text(value: float) -> str:
    """A float as json writes it (NaN and the infinities as JavaScript names them)."""
    if value != value:
        return "NaN"
    if value in (math.inf, -math.inf):
        return "Infinity" if value > 0 else "-Infinity"
    return float.__repr__(value)


def csv_cell(value: Any, *, raw: bool = False) -> str:
    """One value as a csv cell: ISO times and dates, lists joined by ``;``, booleans as true/false; text a
    spreadsheet could run as a formula gets a leading ``'`` unless ``raw`` (``caselog.rules.formulas``). Numbers
    are never guarded: ``-3`` working days left stays a number."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        cells = [csv_cell(v, raw=raw) for v in value]
        return CSV_LIST_SEPARATOR.join(cells) if raw else guarded_list(cells)
    if isinstance(value, str):
        return value if raw else guard(value)
    return str(value)


def tuple_csv(*, raw: bool = False) -> Callable[[tuple], list[str]]:
    """``csv_cell`` of each value of a record (a named tuple), byte for byte, the common values (text, None,
    booleans, whole numbers, dates) without its questions."""

    def cells(record: tuple) -> list[str]:
        row = []
        for value in record:
            kind = type(value)
            if kind is str:
                row.append(value if raw else guard(value))
            elif value is None:
                row.append("")
            elif kind is bool:
                row.append("true" if value else "false")
            elif kind is int:
                row.append(int.__repr__(value))
            elif kind is date:
                row.append(value.isoformat())
            else:
                row.append(csv_cell(value, raw=raw))
        return row

    return cells


def write_csv(records: Sequence[Any], out: IO[str], *, fields: Sequence[str] | None = None, raw: bool = False) -> None:
    """Write records (dataclasses or named tuples) as csv with a header of their field names, text cells guarded
    against formulas unless ``raw``."""
    if fields is None:
        fields = list(_record_names(records[0]) or ()) if records else []
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(fields)
    for record in records:
        writer.writerow([csv_cell(getattr(record, name), raw=raw) for name in fields])
