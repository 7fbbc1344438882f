"""Exact grouping: raw assignee strings with the same normalised key form one `NameGroup`."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from graph.identity.entities import AssigneeName
from graph.identity.kinds import type_code
from graph.identity.normalise import fold, key_of, normalise

__all__ = ["NameGroup", "aggregate", "group_names", "individual_key"]


@dataclass
class NameGroup:
    """Raw variants sharing one normalised key, with pooled evidence."""

    normalised: str
    variants: Counter[str] = field(default_factory=Counter)  # raw name -> patent rows
    types: Counter[str] = field(default_factory=Counter)  # type code -> rows
    countries: Counter[str] = field(default_factory=Counter)  # alpha-2 -> rows
    individual: bool = False

    @property
    def key(self) -> str:
        return key_of(self.normalised)

    @property
    def count(self) -> int:
        return sum(self.variants.values())

    @property
    def country(self) -> str | None:
        """Most common country evidence (None when there is none)."""
        return _mode(self.countries)

    @property
    def type_code(self) -> str | None:
        return _mode(self.types)

    @property
    def display_name(self) -> str:
        """Most frequent raw variant; ties broken alphabetically."""
        return min(self.variants.items(), key=lambda kv: (-kv[1], kv[0]))[0]

    def absorb(self, other: NameGroup) -> None:
        self.variants.update(other.variants)
        self.types.update(other.types)
        self.countries.update(other.countries)


def _mode(counter: Counter[str]) -> str | None:
    if not counter:
        return None
    return min(counter.items(), key=lambda kv: (-kv[1], kv[0]))[0]


def aggregate(names: Iterable[AssigneeName]) -> tuple[dict[str, NameGroup], dict[str, NameGroup]]:
    """Pool the inputs by raw string: (organisations, individuals), each raw -> one-name group."""
    orgs: dict[str, NameGroup] = {}
    people: dict[str, NameGroup] = {}
    for item in names:
        if not item.name or not item.name.strip():
            continue
        table = people if item.individual else orgs
        group = table.get(item.name)
        if group is None:
            group = table[item.name] = NameGroup(normalised="", individual=item.individual)
        weight = max(item.count, 1)
        group.variants[item.name] += weight
        code = type_code(item.assignee_type)
        if code:
            group.types[code] += weight
        if item.country:
            group.countries[item.country.upper()] += weight
    return orgs, people


def individual_key(name: str) -> str:
    """Cluster key of a person: never collides with an organisation slug (double hyphen)."""
    return "person--" + key_of(" ".join(fold(name).split()))


def group_names(per_name: dict[str, NameGroup], individual: bool = False) -> list[NameGroup]:
    """Merge one-name groups whose normalised keys are identical."""
    by_key: dict[str, NameGroup] = defaultdict(lambda: NameGroup(normalised=""))
    for raw, single in per_name.items():
        norm = " ".join(fold(raw).split()) if individual else normalise(raw)
        group = by_key[norm]
        group.normalised = norm
        group.individual = individual
        group.absorb(single)
    return list(by_key.values())
