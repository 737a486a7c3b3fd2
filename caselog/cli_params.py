"""Text, flag and choice options read without pydantic, so commands that need no database start as fast as ``--help``.

Typer 0.29 checks every parameter's value through a pydantic ``TypeAdapter``, and importing pydantic for that
costs more than everything else ``caselog rules`` does. Most of caselog's parameters are plain text or one of
an enum's values; ``plain_coercion`` gives those a coercion of their own, written with Typer's own choice
matching (same case rules, same message without pydantic's "Value error, " prefix). Numbers, lists and
anything else keep Typer's adapters. Should Typer's internals change, nothing is replaced: the adapters work.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

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
            if self.annotation is str:
                return value if isinstance(value, str) else str(value)
            if self.annotation is bool:  # a flag is a bool already; anything else is Typer's to read
                if isinstance(value, bool):
                    return value
                return build_runtime_param(param.type_descriptor).coerce(value, param=param, ctx=ctx)
            try:
                return coerce_cli_choice(
                    value, choices=tuple(self.annotation), case_sensitive=self.parameter_info.case_sensitive, ctx=ctx
                )
            except ValueError as error:
                raise BadParameter(str(error), ctx=ctx, param=param) from None


def plain_coercion(param: Any) -> None:
    """Give ``param`` the plain coercion, in place, when it takes text, a flag or one of an enum's values."""
    if RuntimeParam is None or not isinstance(param, _TyperParameter) or param._runtime_param is not None:
        return
    descriptor = param.type_descriptor
    annotation = descriptor.annotation
    plain = annotation in (str, bool) or (isinstance(annotation, type) and issubclass(annotation, Enum))
    if plain and descriptor.file_annotation is None and descriptor.parameter_info.parser is None:
        param._runtime_param = _PlainRuntimeParam(annotation=annotation, parameter_info=descriptor.parameter_info)
