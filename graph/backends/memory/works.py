"""The embedded backend's view of OpenAlex works: which works fall under a research field,
who authored them, which OpenAlex fields they are in.

Read once from the index (its mapped Work and ResearchField node tables, and the HAS_TOPIC,
AUTHORED_BY and BROADER edge files it opened at open, so that they read whole even after a
later build pruned the version) on first use, and kept as plain Python rows: the works of a research
field are the works of the topics under it, computed once per field and cached. Small next
to patents (the shared data holds 7,625 works). These rows answer `research_works` only: the
research aggregates (bridges, profiles, co-authored works, CO_AUTHORED hops) are answered
from the serving index's arrays (`memory/research.py`).
"""

from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass, field

import pyarrow as pa

from ttkg.core.model import EdgeType, NodeLabel
from ttkg.graph.backends.contract import Filters, WorkRow
from ttkg.graph.backends.memory.index import MemoryIndex

__all__ = ["WorksIndex"]

_FIELDS_CACHED = 256


def _order(row: WorkRow) -> tuple[int, str]:
    """Newest first, no year last, then id."""
    return (-(row.year if row.year is not None else -1), row.id)


@dataclass
class WorksIndex:
    """Works as rows, with the research taxonomy and each organisation's works."""

    rows: dict[str, WorkRow]  # work id -> row
    children: dict[str, tuple[str, ...]]  # research field -> its narrower research fields
    works_of_topic: dict[str, tuple[str, ...]]  # research field -> works listing it as topic
    works_of_org: dict[str, tuple[WorkRow, ...]]  # organisation -> its works, ranked

    @classmethod
    def load(cls, index: MemoryIndex) -> WorksIndex:
        """Read the works and the taxonomy from the index."""

        def ends(etype: EdgeType) -> pa.Table:
            return index.edges[etype].table.columns(["src", "dst"])

        def nodes(label: NodeLabel, columns: list[str]) -> pa.Table:
            return index.node_table(label).select(columns)

        parent: dict[str, str] = {}
        children: dict[str, list[str]] = defaultdict(list)
        broader = ends(EdgeType.BROADER)
        for s, d in zip(broader["src"].to_pylist(), broader["dst"].to_pylist(), strict=True):
            if s.startswith("openalex:"):
                children[d].append(s)
                parent[s] = d
        level = {
            r["id"]: r["level"]
            for r in nodes(NodeLabel.RESEARCH_FIELD, ["id", "level"]).to_pylist()
        }

        def field_of(node: str) -> str | None:
            while node in parent and level.get(node) != "field":
                node = parent[node]
            return node if level.get(node) == "field" else None

        topics: dict[str, set[str]] = defaultdict(set)
        works_of_topic: dict[str, list[str]] = defaultdict(list)
        has_topic = ends(EdgeType.HAS_TOPIC)
        for w, t in zip(has_topic["src"].to_pylist(), has_topic["dst"].to_pylist(), strict=True):
            topics[w].add(t)
            works_of_topic[t].append(w)
        orgs: dict[str, set[str]] = defaultdict(set)
        authored = ends(EdgeType.AUTHORED_BY)
        for w, o in zip(authored["src"].to_pylist(), authored["dst"].to_pylist(), strict=True):
            orgs[w].add(o)
        rows: dict[str, WorkRow] = {}
        for r in nodes(NodeLabel.WORK, ["id", "year"]).to_pylist():
            w = r["id"]
            fields = {f for t in topics.get(w, ()) if (f := field_of(t)) is not None}
            rows[w] = WorkRow(w, r["year"], tuple(sorted(orgs.get(w, ()))), tuple(sorted(fields)))
        by_org: dict[str, list[WorkRow]] = defaultdict(list)
        for row in rows.values():
            for o in row.orgs:
                by_org[o].append(row)
        return cls(
            rows,
            {k: tuple(v) for k, v in children.items()},
            {k: tuple(v) for k, v in works_of_topic.items()},
            {k: tuple(sorted(v, key=_order)) for k, v in by_org.items()},
        )

    cache: dict[str, tuple[WorkRow, ...]] = field(default_factory=dict)

    def of_field(self, field_id: str) -> tuple[WorkRow, ...]:
        """The works under a research field, ranked (cached)."""
        found = self.cache.get(field_id)
        if found is None:
            found = self._field(field_id)
            if len(self.cache) >= _FIELDS_CACHED:
                self.cache.pop(next(iter(self.cache)), None)
            self.cache[field_id] = found
        return found

    def _field(self, field_id: str) -> tuple[WorkRow, ...]:
        under, frontier = {field_id}, [field_id]
        while frontier:
            frontier = [c for n in frontier for c in self.children.get(n, ())]
            under.update(frontier)
        works = {w for t in under for w in self.works_of_topic.get(t, ())}
        return tuple(sorted((self.rows[w] for w in works if w in self.rows), key=_order))

    def select(self, field_id: str | None, org_id: str | None, filters: Filters) -> list[WorkRow]:
        """The contract's `research_works`."""
        if org_id is not None:
            rows = self.works_of_org.get(org_id, ())
            if field_id is not None:
                keep = {r.id for r in self.of_field(field_id)}
                rows = tuple(r for r in rows if r.id in keep)
        elif field_id is not None:
            rows = self.of_field(field_id)
        else:
            rows = tuple(sorted(self.rows.values(), key=_order))
        y0, y1 = filters.year_from, filters.year_to
        if y0 is None and y1 is None:
            return list(rows)
        return [
            r
            for r in rows
            if r.year is not None and (y0 is None or r.year >= y0) and (y1 is None or r.year <= y1)
        ]


_LOCK = threading.Lock()


def load_once(holder: dict[str, WorksIndex], index: MemoryIndex) -> WorksIndex:
    """The works index kept in `holder`, read on first use (once, across threads)."""
    found = holder.get("works")
    if found is None:
        with _LOCK:
            found = holder.get("works")
            if found is None:
                found = holder["works"] = WorksIndex.load(index)
    return found
