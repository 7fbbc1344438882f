"""Exact grouping: raw assignee strings with the same comparison key form one `NameGroup`.

The key is the normalised name, or for a recognised pattern the pattern's key (a regents'
board keys as its university, a TTO as 'tto' + its university, a department as 'gov' + its
name). Variants carrying a company legal form are kept apart from variants without one when
the bare name is a non-company ROR record ('Kabushiki Kaisha Riken' is not RIKEN).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Final

from rapidfuzz.distance import OSA

from ttkg.graph.identity.entities import AssigneeName
from ttkg.graph.identity.kinds import type_code
from ttkg.graph.identity.loose import compact, full_tokens, light_tokens, loose_tokens
from ttkg.graph.identity.normalise import (
    LEGAL_FORMS,
    fold,
    key_of,
    normalise,
    strip_legal_forms,
    tokens,
)
from ttkg.graph.identity.org_country import FOREIGN_TYPES, US_TYPES, type_flag
from ttkg.graph.identity.patterns import GOVERNANCE, GOVERNMENT, TTO, Pattern, clean_name, parse

__all__ = [
    "NameGroup", "NameKey", "aggregate", "group_names", "has_company_form", "individual_key",
    "legal_family", "name_key", "subsidiary_clash",
]

#: Legal forms that make a name a company's (not an association's or a university's).
_NON_COMPANY_FORMS: Final = frozenset({("ev",), ("e", "v"), ("se",)})
_COMPANY_FORMS: Final = frozenset(f for f in LEGAL_FORMS if f not in _NON_COMPANY_FORMS)
_MAX_FORM: Final = max(len(f) for f in _COMPANY_FORMS)


#: Legal forms of Europe that no US company bears (continental ones, and the British and Irish
#: 'plc') and of the English-speaking world. Under one name, a variant with the first filed as
#: a foreign company and a variant with the second filed as a US company (PatentsView type 3
#: and 2) are a parent and its US subsidiary: Siemens AG and Siemens Corporation, Ericsson AB
#: and Ericsson Inc., BASF SE and BASF Corporation, Rolls-Royce plc and Rolls-Royce
#: Corporation.
_EUROPEAN_FORMS: Final = frozenset(tuple(p.split()) for p in (
    "ag", "a g", "aktiengesellschaft", "gmbh", "g m b h", "mbh", "kg", "kgaa", "ohg", "ug",
    "se", "sa", "s a", "sas", "sarl", "spa", "s p a", "srl", "sl", "sau", "sca", "snc",
    "bv", "b v", "nv", "n v", "oy", "oyj", "ab", "aktiebolag", "aktiebolaget", "publ", "asa",
    "aps", "abp", "gmbh co kg", "co kg", "plc", "p l c",
))
_ANGLO_FORMS: Final = frozenset(tuple(p.split()) for p in (
    "inc", "incorporated", "corp", "corporation", "llc", "l l c", "llp", "lp",
    "ltd", "limited", "pty", "pte", "pvt", "co", "company",
))
#: Long form words that are misspelt ('Aktengesellschaft', 'Corportion').
_LONG_FORMS: Final = (("aktiengesellschaft", "european"), ("gesellschaft", "european"),
                      ("aktiebolaget", "european"), ("corporation", "anglo"),
                      ("incorporated", "anglo"), ("limited", "anglo"))
_MAX_WRITTEN: Final = 8
US_COMPANY: Final = "2"
FOREIGN_COMPANY: Final = "3"


@lru_cache(maxsize=100_000)
def legal_family(raw: str) -> str | None:
    """'european', 'anglo' or None: the family of the legal forms at the end of a name."""
    toks = tokens(clean_name(raw))[-4:]
    found: set[str] = set()
    for n in (3, 2, 1):
        for i in range(len(toks) - n + 1):
            phrase = tuple(toks[i : i + n])
            if phrase in _EUROPEAN_FORMS:
                found.add("european")
            elif phrase in _ANGLO_FORMS:
                found.add("anglo")
    if not found:
        for t in toks:
            for word, family in _LONG_FORMS:
                limit = 2 if len(word) >= 9 else 1
                if abs(len(t) - len(word)) <= limit and OSA.distance(t, word) <= limit:
                    found.add(family)
    return found.pop() if len(found) == 1 else None


#: Legal forms of one European jurisdiction or language area. One name with the forms of two
#: of them is two legal persons of two countries: STMicroelectronics N.V. (Netherlands) and
#: STMicroelectronics S.r.l. (Italy). Not told apart: French forms from German, Dutch and
#: Italian ones (Swiss companies register in German, French and Italian: Novartis AG and
#: Novartis SA; Belgian ones in Dutch and French: NV / SA), and English forms from any (they
#: render a foreign form: 'Nokia Corporation' is Nokia Oyj).
_JURISDICTIONS: Final = {
    tuple(p.split()): code
    for code, phrases in (
        ("de", ("gmbh", "g m b h", "mbh", "kg", "kgaa", "ohg", "ag", "a g", "aktiengesellschaft",
                "gmbh co kg", "gmbh and co kg", "co kg", "gmbh co", "gmbh and co")),
        ("nl", ("bv", "b v", "nv", "n v")),
        ("it", ("srl", "s r l", "spa", "s p a")),
        ("fr", ("sa", "s a", "sas", "s a s", "sarl", "s a r l", "sau", "s a u")),
        # not a bare 'AB': one key from 'AG' ('SIEMENS SCHWEIZ AB' is Siemens Schweiz AG)
        ("nordic", ("oy", "oyj", "aktiebolag", "aktiebolaget", "ab publ", "asa", "aps", "abp")),
    )
    for p in phrases
}
_MAX_JURISDICTION: Final = max(len(p) for p in _JURISDICTIONS)


@lru_cache(maxsize=100_000)
def jurisdiction(raw: str) -> str | None:
    """'de', 'nl', 'it', 'fr', 'nordic' or None: where the legal forms at the end of a
    name are at home (None when they are of none or of two: 'SA/NV')."""
    toks = tokens(clean_name(raw))[-4:]
    found = {
        _JURISDICTIONS[phrase]
        for n in range(1, _MAX_JURISDICTION + 1)
        for i in range(len(toks) - n + 1)
        if (phrase := tuple(toks[i : i + n])) in _JURISDICTIONS
    }
    return found.pop() if len(found) == 1 else None


def jurisdictions_clash(a: str | None, b: str | None) -> bool:
    """Two names' legal forms are of two European jurisdictions told apart (see above)."""
    return a is not None and b is not None and a != b and "fr" not in (a, b)


def subsidiary_clash(a: NameGroup, b: NameGroup) -> bool:
    """One is a European-form foreign company, the other an English-form US company; or the
    two carry legal forms of two European jurisdictions (N.V. and S.r.l.)."""
    pair = {(a.legal_family, a.type_code), (b.legal_family, b.type_code)}
    return pair == {("european", FOREIGN_COMPANY), ("anglo", US_COMPANY)} or \
        jurisdictions_clash(a.jurisdiction, b.jurisdiction)


#: Legal forms of Japanese public universities and research institutes (kokuritsu daigaku
#: hojin = 'National University Corporation', also "Nat'l"), and of US state universities
#: established by a state's constitution ('Board of Trustees, a Constitutional Corporation
#: Operating Michigan State University'): their 'Corporation' is not a company's. Nor is the
#: 'Inc.' of a US non-profit corporation whose name ends in an institution's word
#: ("Nationwide Children's Hospital, Inc.", 'The Samuel Roberts Noble Foundation, Inc.').
_PUBLIC_BODY_FORMS: Final = re.compile(
    r"\b((national|natl|public) university|inter university research institute"
    r"|constitutional) corporation\b"
    r"|(?<=\bhospital )(inc|incorporated)$|(?<=\bclinic )(inc|incorporated)$"
    r"|(?<=\bfoundation )(inc|incorporated)$|(?<=\buniversity )(inc|incorporated)$"
    r"|(?<=\bcollege )(inc|incorporated)$"
)


@lru_cache(maxsize=100_000)
def has_company_form(raw: str) -> bool:
    """The raw name carries a company legal form (Inc, Ltd, KK, GmbH, ...) anywhere.
    Cached: families ask it again of the clusters' names, in three rules."""
    toks = tokens(_PUBLIC_BODY_FORMS.sub(" ", " ".join(tokens(raw))))
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
    locations: Counter[str] = field(default_factory=Counter)  # own location alpha-2 -> rows
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
    def evidence(self) -> tuple[str | None, bool]:
        """(country, strong): the assignee's own location when known, else the inventors'."""
        own = _mode(self.locations)
        return (own, True) if own else (self.country, False)

    @property
    def flag(self) -> str | None:
        """'US', 'foreign' or None: the assignee-type flag of most of its rows."""
        return type_flag(self.types)

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

    @cached_property
    def written(self) -> tuple[tuple[str, ...], ...]:
        """Normalised words of its most frequent spellings as written (patterns not applied),
        for finding a name cut off: 'The United States of America as represented by the
        Secretary of the Air'."""
        top = sorted(self.variants.items(), key=lambda kv: (-kv[1], kv[0]))[:_MAX_WRITTEN]
        return tuple(dict.fromkeys(tuple(normalise(clean_name(raw)).split()) for raw, _ in top))

    @cached_property
    def has_legal_form(self) -> bool:
        """Some spelling starts or ends with a legal form: the name was written in full."""
        for raw in self.variants:
            toks = tokens(clean_name(raw))
            if toks[:1] == ["the"]:
                toks = toks[1:]
            if len(strip_legal_forms(toks)) < len(toks):
                return True
        return False

    @cached_property
    def legal_family(self) -> str | None:
        """Family of the legal forms of most of its patents ('european', 'anglo')."""
        seen: Counter[str] = Counter()
        for raw, n in self.variants.items():
            family = legal_family(raw)
            if family:
                seen[family] += n
        return _mode(seen)

    @cached_property
    def jurisdiction(self) -> str | None:
        """Where the legal forms of most of its patents are at home ('de', 'nl', ...)."""
        seen: Counter[str] = Counter()
        for raw, n in self.variants.items():
            code = jurisdiction(raw)
            if code:
                seen[code] += n
        return _mode(seen)

    def absorb(self, other: NameGroup) -> None:
        self.variants.update(other.variants)
        self.types.update(other.types)
        self.countries.update(other.countries)
        self.locations.update(other.locations)


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
        if item.location:
            group.locations[item.location.upper()] += weight
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


#: What `name_key` says of one raw string: (pattern, normalised name, comparison key, whether
#: it carries a company legal form).
NameKey = tuple[Pattern | None, str, str, bool]


def name_key(raw: str, single: NameGroup, individual: bool = False,
             non_company_names: frozenset[str] = frozenset()) -> NameKey:
    """The comparison key of one raw string (`single`: its one-name group), and what it is
    made of; see `group_names`."""
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
    return pattern, norm, key_text, company


def group_names(
    per_name: dict[str, NameGroup],
    individual: bool = False,
    non_company_names: frozenset[str] = frozenset(),
    keys: Sequence[NameKey] | None = None,
    namesakes: Mapping[str, frozenset[str]] | None = None,
) -> list[NameGroup]:
    """Merge one-name groups whose comparison keys are identical.

    `non_company_names` are normalised names of non-company ROR records: under such a name,
    variants with a company legal form get their own group. `keys` are the `name_key`s of
    `per_name`, in its order, when they were computed already (by the resolver's workers).
    `namesakes` (`RorIndex.namesakes_abroad`): names that a US institution and institutions of
    other countries bear; under such a name, the variants filed as foreign from one of those
    countries are kept apart from those filed as US (`_split_namesakes`).
    """
    by_key: dict[str, NameGroup] = {}
    for n, (raw, single) in enumerate(per_name.items()):
        pattern, norm, key_text, company = (
            keys[n] if keys is not None else name_key(raw, single, individual, non_company_names))
        group = by_key.get(key_text)
        if group is None:
            group = by_key[key_text] = NameGroup(key_text, norm, pattern, individual=individual)
        group.company_form = group.company_form or company
        group.absorb(single)
    out: list[NameGroup] = []
    for group in by_key.values():
        if individual:
            out.append(group)
            continue
        for part in _split_jurisdictions(group, per_name):
            for sub in _split_subsidiary(part, per_name):
                out.extend(_split_namesakes(sub, per_name, namesakes or {}))
    return out


def _split_namesakes(group: NameGroup, per_name: dict[str, NameGroup],
                     namesakes: Mapping[str, frozenset[str]]) -> list[NameGroup]:
    """Two institutions of one name in two countries, which ROR holds as two records (a US one
    and one abroad: Northeastern University in Boston and in Shenyang), are two groups: the
    variants filed as foreign (PatentsView type 3, 5, 7) from a country of the record abroad,
    and those whose rows are mostly filed as US (2, 4, 6, ...). The one with more rows keeps
    the key; the other is keyed '<name> <country>' ('<name> us'). Names with a company legal
    form are left alone (a company's US subsidiary is `_split_subsidiary`'s), and so are
    variants with neither evidence."""
    abroad = namesakes.get(group.normalised)
    if not abroad or group.pattern is not None or group.company_form or len(group.variants) < 2:
        return [group]
    foreign = [raw for raw in group.variants
               if per_name[raw].type_code in FOREIGN_TYPES
               and per_name[raw].flag == "foreign" and per_name[raw].evidence[0] in abroad]
    us = [raw for raw in group.variants if per_name[raw].type_code in US_TYPES]
    if not foreign or not us:
        return [group]
    rows_abroad = sum(group.variants[raw] for raw in foreign)
    country = _mode(Counter({per_name[raw].evidence[0] or "": group.variants[raw]
                             for raw in foreign})) or "abroad"
    apart, kept = (foreign, country.lower()) if rows_abroad <= group.count / 2 else (us, "us")
    main = NameGroup(group.key_text, group.normalised, group.pattern,
                     company_form=group.company_form)
    other = NameGroup(f"{group.key_text} {kept}", group.normalised, group.pattern,
                      company_form=group.company_form)
    for raw in group.variants:
        (other if raw in apart else main).absorb(per_name[raw])
    return [main, other]


def _split_jurisdictions(group: NameGroup, per_name: dict[str, NameGroup]) -> list[NameGroup]:
    """Variants with legal forms of two European jurisdictions told apart become one group
    each (STMicroelectronics N.V. / S.r.l.): the one with the most rows keeps the key and the
    variants without such a form; the others are keyed '<name> <jurisdiction>'."""
    if group.pattern is not None or len(group.variants) < 2:
        return [group]
    codes = {raw: jurisdiction(raw) for raw in group.variants}
    rows: Counter[str] = Counter()
    for raw, code in codes.items():
        if code:
            rows[code] += group.variants[raw]
    if not any(jurisdictions_clash(a, b) for a in rows for b in rows):
        return [group]
    main = _mode(rows)
    parts: dict[str | None, NameGroup] = {}
    for raw in group.variants:
        code = codes[raw] if codes[raw] and jurisdictions_clash(codes[raw], main) else None
        if code not in parts:
            key = group.key_text if code is None else f"{group.key_text} {code}"
            parts[code] = NameGroup(key, group.normalised, group.pattern,
                                    company_form=group.company_form)
        parts[code].absorb(per_name[raw])
    return list(parts.values())


def _split_subsidiary(group: NameGroup, per_name: dict[str, NameGroup]) -> list[NameGroup]:
    """A European-form foreign parent and an English-form US subsidiary under one name
    become two groups: the US one keyed '<name> <its legal form>' (type 2 variants)."""
    if group.pattern is not None or len(group.variants) < 2:
        return [group]
    families = {raw: legal_family(raw) for raw in group.variants}
    types = {raw: per_name[raw].type_code for raw in group.variants}
    if not any(f == "european" and types[r] == FOREIGN_COMPANY for r, f in families.items()) \
            or not any(f == "anglo" and types[r] == US_COMPANY for r, f in families.items()):
        return [group]
    us = [r for r in group.variants if types[r] == US_COMPANY and families[r] != "european"]
    forms: Counter[str] = Counter()
    for raw in us:
        toks = tokens(clean_name(raw))
        if toks and (toks[-1],) in _ANGLO_FORMS:
            forms[toks[-1]] += group.variants[raw]
    form = _mode(forms) or "us"
    parent = NameGroup(group.key_text, group.normalised, group.pattern,
                       company_form=group.company_form)
    child = NameGroup(f"{group.key_text} {form}", group.normalised, group.pattern,
                      company_form=True)
    for raw in group.variants:
        (child if raw in us else parent).absorb(per_name[raw])
    return [parent, child]
