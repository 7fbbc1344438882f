"""An in-memory index of ROR records by normalised name, label, alias and acronym.

Inactive and withdrawn records are folded into their active successor when ROR names one, so a
link always lands on the record ROR currently recommends.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from graph.identity.countries import strip_country_suffix
from graph.identity.kinds import kind_from_ror_types
from graph.identity.normalise import fold, normalise
from graph.model import OrgKind
from loaders.records import RorRecord

__all__ = ["NameHit", "RorIndex"]

log = logging.getLogger(__name__)

_ACTIVE = "active"


@dataclass(frozen=True, slots=True)
class NameHit:
    """A ROR record reachable under a normalised name, and which of its names it was."""

    ror_id: str  # canonical (active successor when the named record is inactive)
    via: str  # 'name' | 'label' | 'alias'
    matched: str  # the ROR name as written
    via_record: str  # the record whose name matched (may be an inactive predecessor)


class RorIndex:
    """ROR records by normalised name; `hits(normalised)` gives candidate records."""

    def __init__(self, records: Iterable[RorRecord]) -> None:
        self.records: dict[str, RorRecord] = {r.ror_id: r for r in records}
        self._canonical: dict[str, str | None] = {}
        self.by_name: dict[str, list[NameHit]] = defaultdict(list)
        self.by_acronym: dict[str, set[str]] = defaultdict(set)
        self.children: dict[str, list[str]] = defaultdict(list)
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
            for acronym in rec.acronyms:
                self.by_acronym[fold(acronym).replace(".", "").replace(" ", "")].add(target)
            for rel in rec.relationships:
                if rel.type == "parent":
                    self.children[rel.ror_id].append(rec.ror_id)
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
            successors = [r.ror_id for r in rec.relationships if r.type == "successor"]
            present = [s for s in successors if s in self.records]
            if len(present) == 1:
                current = present[0]
                continue
            result = current if rec.status != "withdrawn" else None
            break
        self._canonical[ror_id] = result
        return result

    def hits(self, normalised: str) -> list[NameHit]:
        """Records (canonical ids, de-duplicated, best naming first) under a normalised name."""
        found = self.by_name.get(normalised, [])
        order = {"name": 0, "label": 1, "alias": 2}
        best: dict[str, NameHit] = {}
        for hit in sorted(found, key=lambda h: order[h.via]):
            best.setdefault(hit.ror_id, hit)
        return list(best.values())

    def acronym_hits(self, acronym: str) -> set[str]:
        """Canonical ids of records that carry this acronym."""
        return self.by_acronym.get(fold(acronym).replace(".", "").replace(" ", ""), set())

    def country(self, ror_id: str) -> str | None:
        rec = self.records.get(ror_id)
        return rec.country if rec else None

    def kind(self, ror_id: str) -> OrgKind:
        rec = self.records.get(ror_id)
        return kind_from_ror_types(rec.types) if rec else OrgKind.OTHER

    def name(self, ror_id: str) -> str:
        rec = self.records.get(ror_id)
        return rec.name if rec else ror_id
