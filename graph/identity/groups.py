"""Exact grouping: raw assignee strings with the same comparison key form one `NameGroup`.

The key is the normalised name, or for a recognised pattern the pattern's key (a regents'
board keys as its university, a TTO as 'tto' + its university, a department as 'gov' + its
name). Variants carrying a company legal form are kept apart from variants without one when
the bare name is a non-company ROR record ('Kabushiki Kaisha Riken' is not RIKEN).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Final

from graph.identity.entities import AssigneeName
from graph.identity.kinds import type_code
from graph.identity.loose import compact, full_tokens, light_tokens, loose_tokens
from graph.identity.normalise import LEGAL_FORMS, fold, key_of, normalise, tokens
from graph.identity.patterns import GOVERNANCE, GOVERNMENT, TTO, Pattern, clean_name, parse

__all__ = ["NameGroup", "aggregate", "group_names", "has_company_form", "individual_key"]

#: Legal forms that make a name a company's (not an association's or a university's).
_NON_COMPANY_FORMS: Final = frozenset({("ev",), ("e", "v"), ("se",)})
_COMPANY_FORMS: Final = frozenset(f for f in LEGAL_FORMS if f not in _NON_COMPANY_FORMS)
_MAX_FORM: Final = max(len(f) for f in _COMPANY_FORMS)


def has_company_form(raw: str) -> bool:
    """The raw name carries a company legal form (Inc, Ltd, KK, GmbH, ...) anywhere."""
    toks = tokens(raw)
    for n in range(1, _MAX_FORM + 1):
        for i in range(len(toks) - n + 1):
            if tuple(toks[i : i + n]) in _COMPANY_FORMS:
                return True
    return False


@dataclass(eq=False)
class NameGroup:
    """Raw variants sharing one comparison key, with pooled evidence."""

    key_text: str  # comparison key (normalised name or pattern key), space separated
    normalised: str  # normalised name of the organisation (pattern core for patterns)
    pattern: Pattern | None = None
    variants: Counter[str] = field(default_factory=Counter)  # raw name -> patent rows
    types: Counter[str] = field(default_factory=Counter)  # type code -> rows
    countries: Counter[str] = field(default_factory=Counter)  # alpha-2 -> rows
    individual: bool = False
    company_form: bool = False

    @property
    def key(self) -> str:
        return key_of(self.key_text)

    @property
    def role(self) -> str:
        return self.pattern.role if self.pattern else ""

    @property
    def qualifier(self) -> str:
        return self.pattern.qualifier if self.pattern else ""

    @property
    def space(self) -> str:
        """Which names this group is compared with: a governing board or a foreign
        government acting through a body is that body (keyed by its name, like a plain name);
        a TTO or a US department only meets its own kind."""
        role = self.role
        if role == GOVERNANCE or (role == GOVERNMENT and self.qualifier != "united states"):
            return ""
        return f"{role}|{self.qualifier}" if role else ""

    @property
    def count(self) -> int:
        return sum(self.variants.values())

    @property
    def country(self) -> str | None:
        """Most common country evidence (None when there is none)."""
        return _mode(self.countries)

    @property
    def country_share(self) -> float:
        total = sum(self.countries.values())
        return self.countries[self.country] / total if total and self.country else 0.0

    @property
    def type_code(self) -> str | None:
        return _mode(self.types)

    @property
    def display_name(self) -> str:
        """Most frequent raw variant; ties broken alphabetically."""
        return min(self.variants.items(), key=lambda kv: (-kv[1], kv[0]))[0]

    @cached_property
    def loose(self) -> tuple[str, ...]:
        return loose_tokens(self.normalised)

    @cached_property
    def light(self) -> tuple[str, ...]:
        return light_tokens(self.normalised)

    @cached_property
    def full(self) -> tuple[str, ...]:
        return full_tokens(self.normalised)

    @cached_property
    def compact(self) -> str:
        return compact(self.normalised)

    @cached_property
    def initials(self) -> str:
        """First letters of the words (without stopwords): 'ibm', 'etri', 'kaist'."""
        return "".join(t[0] for t in self.light if t and not t.isdigit())

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
            group = table[item.name] = NameGroup("", "", individual=item.individual)
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


def _pattern_key(pattern: Pattern) -> str:
    if pattern.role == GOVERNANCE:
        return pattern.core
    prefix = "tto" if pattern.role == TTO else "gov"
    qual = f" {pattern.qualifier}" if pattern.qualifier else ""
    if pattern.role == GOVERNMENT:
        if pattern.qualifier != "united states":  # 'Japan as represented by X' is X
            return normalise(pattern.core)
        return f"{prefix} {pattern.qualifier} {' '.join(loose_tokens(pattern.core))}".strip()
    core = [t for t in loose_tokens(pattern.core) if t not in ("university", "college")]
    return f"{prefix} {' '.join(core or loose_tokens(pattern.core))}{qual}"


def group_names(
    per_name: dict[str, NameGroup],
    individual: bool = False,
    non_company_names: frozenset[str] = frozenset(),
) -> list[NameGroup]:
    """Merge one-name groups whose comparison keys are identical.

    `non_company_names` are normalised names of non-company ROR records: under such a name,
    variants with a company legal form get their own group.
    """
    by_key: dict[str, NameGroup] = {}
    for raw, single in per_name.items():
        pattern: Pattern | None = None
        if individual:
            norm = " ".join(fold(raw).split())
            key_text = "person " + norm
        else:
            pattern = parse(raw, single.country, single.type_code)
            if pattern is not None:
                norm = pattern.core
                key_text = _pattern_key(pattern)
            else:
                norm = normalise(clean_name(raw))
                key_text = norm
        company = not individual and has_company_form(clean_name(raw))  # not a description
        # ('The George Washington University, a ... Not-For-Profit Corporation')
        if company and pattern is None and norm in non_company_names:
            key_text = norm + " company"
        group = by_key.get(key_text)
        if group is None:
            group = by_key[key_text] = NameGroup(key_text, norm, pattern, individual=individual)
        group.company_form = group.company_form or company
        group.absorb(single)
    return list(by_key.values())
