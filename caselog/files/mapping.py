"""How a foreign file's columns become caselog's fields: a TOML mapping file and ``--map``/``--status-map`` options.

```toml
target = "cases"                 # optional; the command names it anyway
ignore_other_columns = false     # true: columns neither mapped nor caselog's own are skipped, not refused

[columns]                        # source column = field, or a list of fields it fills
SRNumber = "external_ref"
ClosedDate = ["resolved_at", "closed_at"]

[formats]                        # strptime formats, per field ("*" for every date field)
opened_at = "%m/%d/%Y %I:%M:%S %p"

[status]                         # source value = status, or status:close-reason
Cancelled = "closed:withdrawn"

[constants]                      # a fixed value for a field the source does not have
tier = 1

[templates]                      # a field built from several columns
title = "{complaint_type}: {descriptor}"

[fallbacks]                      # the value of a field its row leaves empty
title = "(untitled)"

[values.lead]                    # source value = caselog value, per field
"Bureau of Sanitation" = "bos"

ignore = ["zip", "city"]         # columns to skip
```
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from types import MappingProxyType

from caselog.errors import BadInput
from caselog.i18n import _

_SECTIONS = {
    "target",
    "ignore_other_columns",
    "columns",
    "formats",
    "status",
    "constants",
    "templates",
    "fallbacks",
    "values",
    "ignore",
}


@dataclass(frozen=True)
class Mapping:
    """A resolved mapping: which source column fills which fields, and how values are translated."""

    columns: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))  # source → tuple of fields
    formats: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))  # field or "*" → strptime format
    status: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))  # source value → (status, reason)
    constants: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))  # field → text
    templates: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))  # field → template
    fallbacks: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))  # field → text when empty
    values: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))  # field → {source → value}
    ignore: frozenset[str] = frozenset()
    ignore_other_columns: bool = False
    target: str | None = None

    def template_columns(self) -> set[str]:
        """The source columns the templates read."""
        names = set()
        for template in self.templates.values():
            names.update(name for _text, name, _spec, _conv in string.Formatter().parse(template) if name)
        return names


def _split_status(value: str, where: str) -> tuple[str, str | None]:
    from caselog.enums import CloseReason, Status

    status, _sep, reason = value.partition(":")
    status, reason = status.strip().lower(), reason.strip().lower() or None
    if status not in {s.value for s in Status}:
        choices = ", ".join(s.value for s in Status)
        raise BadInput(
            _("{where}: {value!r} is not a status ({choices})").format(where=where, value=value, choices=choices)
        )
    if reason is not None and reason not in {r.value for r in CloseReason}:
        raise BadInput(_("{where}: {reason!r} is not a close reason").format(where=where, reason=reason))
    return status, reason


def _check_shapes(data: dict, source: str) -> None:
    """Refuse a mapping file whose sections have the wrong kind of value (``columns = 5``)."""
    expected = {
        "target": (str, _("a name such as 'cases'")),
        "ignore_other_columns": (bool, _("true or false")),
        "ignore": (list, _("a list of column names")),
        **{
            name: (dict, _("a table"))
            for name in ("columns", "formats", "status", "constants", "templates", "fallbacks", "values")
        },
    }
    for key, (kind, what) in expected.items():
        if key in data and not isinstance(data[key], kind):
            raise BadInput(_("{source}: {key}: expected {what}").format(source=source, key=key, what=what))
    for name, table in data.get("values", {}).items():
        if not isinstance(table, dict):
            raise BadInput(
                _("{source}: {key}: expected {what}").format(source=source, key=f"values.{name}", what=_("a table"))
            )


def _pairs(options: list[str], option: str, shape: str = "SOURCE=VALUE") -> list[tuple[str, str]]:
    pairs = []
    for text in options:
        source, sep, target = text.partition("=")
        if not sep or not source.strip() or not target.strip():
            raise BadInput(_("{option}: {text!r} is not {shape}").format(option=option, text=text, shape=shape))
        pairs.append((source.strip(), target.strip()))
    return pairs


def load_mapping(
    text: str | None,
    *,
    source: str = "--mapping",
    maps: list[str] = (),
    status_maps: list[str] = (),
    fallbacks: list[str] = (),
    date_format: str | None = None,
) -> Mapping:
    """Build the mapping from a TOML text (or none) plus the command-line options, which win."""
    import tomllib

    data: dict = {}
    if text is not None:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            raise BadInput(f"{source}: {error}") from None
    unknown = set(data) - _SECTIONS
    if unknown:
        raise BadInput(_("{source}: unknown key {key!r}").format(source=source, key=sorted(unknown)[0]))
    _check_shapes(data, source)
    columns: dict[str, tuple[str, ...]] = {}
    for column, target in data.get("columns", {}).items():
        targets = (target,) if isinstance(target, str) else tuple(target) if isinstance(target, list) else ()
        if not targets or not all(isinstance(t, str) and t for t in targets):
            raise BadInput(
                _("{source}: columns.{column}: expected a field name or a list of them").format(
                    source=source, column=column
                )
            )
        columns[column] = targets
    for column, target in _pairs(list(maps), "--map"):
        columns[column] = tuple(t.strip() for t in target.split(","))
    statuses = {str(k): _split_status(str(v), f"{source}: status.{k}") for k, v in data.get("status", {}).items()}
    for value, target in _pairs(list(status_maps), "--status-map"):
        statuses[value] = _split_status(target, "--status-map")
    formats = {str(k): str(v) for k, v in data.get("formats", {}).items()}
    if date_format:
        formats["*"] = date_format
    values = {
        str(f): MappingProxyType({str(k): str(v) for k, v in table.items()})
        for f, table in data.get("values", {}).items()
    }
    templates = {str(k): str(v) for k, v in data.get("templates", {}).items()}
    for name, template in templates.items():
        try:
            list(string.Formatter().parse(template))
        except ValueError as error:
            raise BadInput(
                _("{source}: templates.{name}: {error}").format(source=source, name=name, error=error)
            ) from None
    fallback_texts = {str(k): str(v) for k, v in data.get("fallbacks", {}).items()}
    fallback_texts.update(_pairs(list(fallbacks), "--fallback", "FIELD=TEXT"))
    return Mapping(
        columns=MappingProxyType(columns),
        formats=MappingProxyType(formats),
        status=MappingProxyType(statuses),
        constants=MappingProxyType(
            {str(k): str(v).lower() if isinstance(v, bool) else str(v) for k, v in data.get("constants", {}).items()}
        ),
        templates=MappingProxyType(templates),
        fallbacks=MappingProxyType(fallback_texts),
        values=MappingProxyType(values),
        ignore=frozenset(str(c) for c in data.get("ignore", [])),
        ignore_other_columns=bool(data.get("ignore_other_columns", False)),
        target=data.get("target"),
    )
