"""An in-memory index of ROR records by normalised name, label, alias and acronym.

Inactive and withdrawn records are folded into their active successor when ROR names one, so a
link always lands on the record ROR currently recommends. Names ending in 'System' are also
found without it ('University of California System' for 'The Regents of the University of
California') when no other record carries the shorter name.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from ttkg.core.model import OrgKind
from ttkg.graph.identity.countries import same_country_key, strip_country_suffix
from ttkg.graph.identity.kinds import kind_from_ror_types
from ttkg.graph.identity.loose import loose_tokens
from ttkg.graph.identity.normalise import fold, normalise
from ttkg.loaders.records import RorRecord

__all__ = ["NameHit", "RorIndex", "deletion_keys", "typo_keys"]

log = logging.getLogger(__name__)

_ACTIVE = "active"
_VIA_ORDER = {"name": 0, "label": 1, "alias": 2, "system": 3}


@dataclass(frozen=True, slots=True)
class NameHit:
    """A ROR record reachable under a normalised name, and which of its names it was."""

    ror_id: str  # canonical (active successor when the named record is inactive)
    via: str  # 'name' | 'label' | 'alias' | 'system'
    matched: str  # the ROR name as written
    via_record: str  # the record whose name matched (may be an inactive predecessor)


def deletion_keys(text: str) -> Iterator[str]:
    """The text and every string one character shorter (typo blocking, SymSpell style)."""
    yield text
    if len(text) >= 5:
        for i in range(len(text)):
            yield text[:i] + text[i + 1 :]


def typo_keys(loose: tuple[str, ...]) -> Iterator[str]:
    """Blocking keys under which a one-word misspelling of a name meets the name: the compact
    form; for several words, the name with one word left out plus that word's first or last
    two letters; for one word, its one-letter deletions."""
    yield "c|" + "".join(loose)
    if len(loose) >= 2:
        for i, t in enumerate(loose):
            rest = " ".join(loose[:i] + loose[i + 1 :])
            yield f"w|{i}|{rest}|{t[:2]}"
            yield f"w|{i}|{rest}|{t[-2:]}"
    elif loose:
        for k in deletion_keys(loose[0]):
            yield "d|" + k


class RorIndex:
    """ROR records by normalised name; `hits(normalised)` gives candidate records."""

    def __init__(self, records: Iterable[RorRecord]) -> None:
        self.records: dict[str, RorRecord] = {r.ror_id: r for r in records}
        self._canonical: dict[str, str | None] = {}
        self.by_name: dict[str, list[NameHit]] = defaultdict(list)
        self.by_acronym: dict[str, set[str]] = defaultdict(set)
        system: dict[str, list[NameHit]] = defaultdict(list)
        for rec in self.records.values():
            target = self.canonical(rec.ror_id)
            if target is None:
                continue
            named: list[tuple[str, str]] = [(rec.name, "name")]
            named += [(label, "label") for label in rec.labels]
            named += [(alias, "alias") for alias in rec.aliases]
            seen: set[str] = set()
            for text, via in named:
                key = normalise(strip_country_suffix(text))
                if key and key not in seen:
                    seen.add(key)
                    self.by_name[key].append(NameHit(target, via, text, rec.ror_id))
                    if key.endswith(" system") and key.count(" ") >= 2:
                        system[key.removesuffix(" system")].append(
                            NameHit(target, "system", text, rec.ror_id)
                        )
            for acronym in rec.acronyms:
                self.by_acronym[_acronym_key(acronym)].add(target)
        for key, hits in system.items():
            if key not in self.by_name:
                self.by_name[key] = hits
        log.info("ROR index: %d records, %d names", len(self.records), len(self.by_name))

    def canonical(self, ror_id: str) -> str | None:
        """The active record for an id: itself, or its successor (chains followed).

        Inactive records without a successor stay themselves; withdrawn ones without a
        successor are dropped (None): ROR says they should not be used.
        """
        if ror_id in self._canonical:
            return self._canonical[ror_id]
        seen: set[str] = set()
        current = ror_id
        result: str | None = None
        while True:
            rec = self.records.get(current)
            if rec is None or current in seen:
                result = None
                break
            seen.add(current)
            if rec.status == _ACTIVE:
                result = current
                break
            present = [
                r.ror_id
                for r in rec.relationships
                if r.type == "successor" and r.ror_id in self.records
            ]
            if len(present) == 1:
                current = present[0]
                continue
            result = current if rec.status != "withdrawn" else None
            break
        self._canonical[ror_id] = result
        return result

    def hits(self, normalised: str) -> list[NameHit]:
        """Records (canonical ids, de-duplicated, best naming first) under a normalised name."""
        best: dict[str, NameHit] = {}
        for hit in sorted(self.by_name.get(normalised, []), key=lambda h: _VIA_ORDER[h.via]):
            best.setdefault(hit.ror_id, hit)
        return list(best.values())

    def acronym_hits(self, acronym: str) -> set[str]:
        """Canonical ids of records that carry this acronym."""
        return self.by_acronym.get(_acronym_key(acronym), set())

    def prepare(self, fuzzy: bool = True) -> None:
        """Compute now what resolving names reads of the index (each part is otherwise built
        on first use): the build makes the index while another process reads PatentsView,
        not inside identity's stage."""
        _ = self.non_company_names, self.namesakes_abroad, self.vocabulary
        if fuzzy:
            _ = self.fuzzy_blocks

    @cached_property
    def non_company_names(self) -> frozenset[str]:
        """Normalised names of records that are not companies (universities, facilities...)."""
        return frozenset(
            key
            for key, hits in self.by_name.items()
            if any("company" not in self.records[h.ror_id].types for h in hits)
        )

    @cached_property
    def namesakes_abroad(self) -> dict[str, frozenset[str]]:
        """Normalised name -> the countries other than the US of the non-company records
        bearing it, for the names that a US non-company record bears too (two institutions
        of one name: Northeastern University in Boston and in Shenyang)."""
        out: dict[str, frozenset[str]] = {}
        for key, hits in self.by_name.items():
            if len(hits) < 2:
                continue
            countries = {self.country(h.ror_id) for h in hits
                         if "company" not in self.types(h.ror_id)}
            if "US" in countries and len(countries - {"US", None}) >= 1:
                out[key] = frozenset(c for c in countries if c and c != "US")
        return out

    @cached_property
    def loose_names(self) -> dict[str, tuple[str, ...]]:
        """Normalised ROR name -> its loose tokens, computed once (the indexes below and
        `link_fuzzy` read them)."""
        return {key: loose_tokens(key) for key in self.by_name}

    @cached_property
    def vocabulary(self) -> frozenset[str]:
        """Every loose token of every ROR name: real words, not typos."""
        return frozenset(t for toks in self.loose_names.values() for t in toks)

    @cached_property
    def fuzzy_blocks(self) -> tuple[np.ndarray, np.ndarray, list[str]]:
        """The `typo_keys` of every ROR name, each paired with every `same_country_key` of
        the name's records (built on first use, read by `fuzzy_candidates`): the hashes of
        the (key, country) pairs sorted (int64), the name each belongs to (an index of the
        third, in the order of `loose_names` within a hash), and the names. A lookup is
        always for one country, so the pairs find only that country's names: on 9.1M
        synthetic patents a common key's other-country names, scanned one by one, cost 185 s
        of the build's CPU. Arrays, not a dictionary of every key: nearly every key is one
        name's own (723k keys for 746k entries on the 35,990 records of the shared sample),
        and a list per key cost 1.1 s and ~100 MB."""
        countries = self.name_countries
        names: list[str] = []
        hashes: list[int] = []
        owner: list[int] = []
        for key, toks in self.loose_names.items():
            if len("".join(toks)) < 6:  # `compact(key)`
                continue
            places = countries[key]
            mine = {hash((k, place)) for k in typo_keys(toks) for place in places}
            hashes.extend(mine)
            owner.extend([len(names)] * len(mine))
            names.append(key)
        h = np.asarray(hashes, np.int64)
        order = np.argsort(h, kind="stable")
        return h[order], np.asarray(owner, np.int64)[order], names

    def fuzzy_candidates(self, keys: Sequence[str], place: str | None) -> list[str]:
        """Normalised ROR names under each of `keys` (`typo_keys`) with a record whose
        `same_country_key` is `place`: key by key, names in the order of `loose_names` (a
        name under two keys twice). A typo candidate is only ever wanted in one country, and
        most candidates under a common key are of another. All keys are looked up at once."""
        hashes, owner, names = self.fuzzy_blocks
        if not len(hashes) or not keys:  # (no ROR name has a typo key: nothing to take from)
            return []
        asked = np.array([hash((k, place)) for k in keys], np.int64)
        first = np.searchsorted(hashes, asked, "left")
        last = np.searchsorted(hashes, asked, "right")
        found = np.flatnonzero(last > first).tolist()
        if not found:
            return []
        countries = self.name_countries
        out: list[str] = []
        for j in found:
            key = keys[j]
            for i in owner[first[j]:last[j]].tolist():
                name = names[i]
                # (verified: not a hash shared by chance)
                if place in countries[name] and key in typo_keys(self.loose_names[name]):
                    out.append(name)
        return out

    @cached_property
    def name_countries(self) -> dict[str, frozenset[str | None]]:
        """Normalised ROR name -> the `same_country_key` of its records' countries: a
        candidate of another country is refused without looking at its records."""
        return {key: frozenset(same_country_key(self.country(h.ror_id)) for h in hits)
                for key, hits in self.by_name.items()}

    def country(self, ror_id: str) -> str | None:
        rec = self.records.get(ror_id)
        return rec.country if rec else None

    def types(self, ror_id: str) -> tuple[str, ...]:
        rec = self.records.get(ror_id)
        return rec.types if rec else ()

    def kind(self, ror_id: str) -> OrgKind:
        return kind_from_ror_types(self.types(ror_id))

    def name(self, ror_id: str) -> str:
        rec = self.records.get(ror_id)
        return rec.name if rec else ror_id


def _acronym_key(acronym: str) -> str:
    return "".join(ch for ch in fold(acronym) if ch.isalnum())
