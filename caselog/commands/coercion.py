"""Text, flag, choice and whole-number options read without pydantic, so commands that need no database start as
fast as ``--help``, and reading commands (``case list --limit 20``) need no pydantic at all.

Typer 0.29 checks every parameter's value through a pydantic ``TypeAdapter``, and importing pydantic for that
costs more than everything else ``caselog rules`` does. Most of caselog's parameters are plain text or one of
an enum's values; ``plain_coercion`` gives those a coercion of their own, written with Typer's own choice
matching (same case rules, same message without pydantic's "Value error, " prefix). A whole number written
plainly (digits, no sign, no leading zero) within the option's ``min``/``max`` is read with ``int``, which is
what pydantic makes of it; any other form, a value out of range or a clamped option goes to Typer's adapter,
so its answers and messages stay exactly pydantic's. A list option left out is empty, as Typer makes it before
any adapter is asked; given, its values go to Typer's adapter. Anything else keeps Typer's adapters. Should
Typer's internals change, nothing is replaced: the adapters work.
"""

from __future__ import annotations

import re
from enum import Enum
from typing import Any, get_origin

from typer._click.core import Context
from typer._click.exceptions import BadParameter

try:
    from typer._coercion import RuntimeParam, build_runtime_param
    from typer._param_types import coerce_cli_choice
    from typer.core import _TyperParameter
except ImportError:  # another Typer: leave its coercion alone
    RuntimeParam = None


if RuntimeParam is not None:

    class _PlainRuntimeParam(RuntimeParam):
        """A text value as given, or the enum member whose value it names."""

        def _coerce_value(self, value: Any, param: Any, ctx: Context) -> Any:
            if get_origin(self.annotation) is list:  # only a given list comes here (``coerce`` answers None)
                return build_runtime_param(param.type_descriptor).coerce(value, param=param, ctx=ctx)
            if self.annotation is str:
                return value if isinstance(value, str) else str(value)
            if self.annotation is bool:  # a flag is a bool already; anything else is Typer's to read
                if isinstance(value, bool):
                    return value
                return build_runtime_param(param.type_descriptor).coerce(value, param=param, ctx=ctx)
            if self.annotation is int:
                number = _plain_number(value, self.parameter_info)
                if number is not None:
                    return number
                return build_runtime_param(param.type_descriptor).coerce(value, param=param, ctx=ctx)
            try:
                return coerce_cli_choice(
                    value, choices=tuple(self.annotation), case_sensitive=self.parameter_info.case_sensitive, ctx=ctx
                )
            except ValueError as error:
                raise BadParameter(str(error), ctx=ctx, param=param) from None


# Digits as ``int`` and pydantic read them alike; 18 digits stay within a 64-bit integer.
_PLAIN_NUMBER = re.compile(r"0|[1-9][0-9]{0,17}")


def _plain_number(value: Any, info: Any) -> int | None:
    """``value`` as a whole number when it is one written plainly (or an int default) within the option's range;
    None for anything Typer's adapter must judge."""
    if isinstance(value, str) and _PLAIN_NUMBER.fullmatch(value):
        number = int(value)
    elif type(value) is int:
        number = value
    else:
        return None
    if info.clamp or (info.min is not None and number < info.min) or (info.max is not None and number > info.max):
        return None
    return number


def plain_coercion(param: Any) -> None:
    """Give ``param`` the plain coercion, in place, when it takes text, a flag or one of an enum's values."""
    if RuntimeParam is None or not isinstance(param, _TyperParameter) or param._runtime_param is not None:
        return
    descriptor = param.type_descriptor
    annotation = descriptor.annotation
    plain = (
        annotation in (str, bool, int)
        or (isinstance(annotation, type) and issubclass(annotation, Enum))
        or get_origin(annotation) is list
    )
    if plain and descriptor.file_annotation is None and descriptor.parameter_info.parser is None:
        param._runtime_param = _PlainRuntimeParam(annotation=annotation, parameter_info=descriptor.parameter_info)
