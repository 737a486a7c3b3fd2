"""Commands built when first used: ``caselog case list`` imports and builds the case commands, not the reports'.

Typer builds a Click command from each function's annotations, and every command module imports what its commands
share; done for all sixty-odd commands at each start it cost more than the everyday read itself. A lazy group knows
its commands' names (so usage, suggestions and completion work unchanged) and where each lives; it imports the
module and builds the command the first time the name is looked up. ``--help`` of the root looks every one up.
"""

from collections.abc import Callable, Iterator, MutableMapping
from dataclasses import dataclass
from importlib import import_module

import typer
from typer._click.core import Command


@dataclass(frozen=True)
class Place:
    """Where a command lives: ``attribute`` of ``module`` (a Typer app for a group, else the command's function);
    ``also`` names modules that add commands to that app when they are imported, in the order they add them."""

    module: str
    attribute: str
    also: tuple[str, ...] = ()


def build(name: str, place: Place) -> Command:
    """Import ``place`` and build its Click command named ``name``, as ``add_typer``/``command`` on the root would."""
    target = getattr(import_module(place.module), place.attribute)
    for module in place.also:
        import_module(module)
    holder = typer.Typer(rich_markup_mode=None, pretty_exceptions_enable=False)
    if isinstance(target, typer.Typer):
        holder.add_typer(target, name=name)
    else:
        holder.command(name)(target)
    return typer.main.get_group(holder).commands[name]


class LazyCommands(MutableMapping):
    """A group's commands by name, in the order its help lists them; each is built on first lookup, then handed to
    ``prepare`` (the run's language is applied there) and kept."""

    def __init__(self, places: dict[str, Place]) -> None:
        self.places = dict(places)
        self.built: dict[str, Command] = {}
        self.prepare: Callable[[Command], None] | None = None

    def __getitem__(self, name: str) -> Command:
        if name not in self.built:
            if name not in self.places:
                raise KeyError(name)
            command = build(name, self.places[name])
            if self.prepare is not None:
                self.prepare(command)
            self.built[name] = command
        return self.built[name]

    def __setitem__(self, name: str, command: Command) -> None:
        self.places.setdefault(name, Place("", ""))
        self.built[name] = command

    def __delitem__(self, name: str) -> None:
        del self.places[name]
        self.built.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        return iter(self.places)

    def __len__(self) -> int:
        return len(self.places)

    def loaded(self) -> list[Command]:
        """The commands built so far."""
        return list(self.built.values())
