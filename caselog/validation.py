"""Turn the input models' validation errors into one line that names what the user typed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from caselog.errors import BadInput
from caselog.rules.text import checked_text  # noqa: F401  (re-exported: the free-text rule)

M = TypeVar("M", bound=BaseModel)


def describe_error(error: Mapping[str, Any]) -> str:
    """One pydantic error as a short sentence (a validator's own message is kept as it is)."""
    message = str(error.get("msg", "invalid value"))
    return message.removeprefix("Value error, ")


def validate(model: type[M], data: Mapping[str, Any], *, names: Mapping[str, str] | None = None) -> M:
    """Validate ``data`` with ``model``; on failure raise ``BadInput`` naming the field as the user knows it.

    ``names`` maps a field to what the user typed it as (an argument such as ``TITLE``, or an option whose name
    differs from the field's); any other field is named as its option, ``--field-name``.
    """
    try:
        return model.model_validate(dict(data))
    except ValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else ""
        where = (names or {}).get(field, "--" + field.replace("_", "-"))
        raise BadInput(f"{where}: {describe_error(first)}") from None
