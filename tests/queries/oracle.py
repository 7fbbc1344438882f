"""An independent, deliberately plain recomputation of query answers from the artifact tables
(pure Python over the Parquet rows), used to check every backend's answers."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from ttkg.core.model import EdgeType, NodeLabel
from ttkg.graph.artifact import Artifact


class Oracle:
    """Patents per organisation and per WIPO field, straight from the artifact."""

    def __init__(self, graph: Path) -> None:
        art = Artifact.open(graph)
        self.year = {r["id"]: r["year"] for r in art.nodes(NodeLabel.PATENT).to_pylist()}
        self.orgs = {r["id"]: r for r in art.nodes(NodeLabel.ORGANIZATION).to_pylist()}
        self.org_patents: dict[str, set[str]] = defaultdict(set)
        self.patent_orgs: dict[str, set[str]] = defaultdict(set)
        for e in art.edges(EdgeType.ASSIGNED_TO).to_pylist():
            self.org_patents[e["dst"]].add(e["src"])
            self.patent_orgs[e["src"]].add(e["dst"])
        self.field_patents: dict[str, set[str]] = defaultdict(set)
        for e in art.edges(EdgeType.IN_FIELD).to_pylist():
            if e["src"].startswith("patent:"):
                self.field_patents[e["dst"]].add(e["src"])

    def in_years(self, patents: set[str], y0: int | None, y1: int | None) -> set[str]:
        return {
            p
            for p in patents
            if (y0 is None or (self.year[p] or 0) >= y0)
            and (y1 is None or (self.year[p] is not None and self.year[p] <= y1))
        }

    def direct(
        self,
        fa: str,
        fb: str,
        y0: int | None = None,
        y1: int | None = None,
        kinds: frozenset[str] = frozenset(),
    ) -> list[tuple[str, int, int]]:
        pa_, pb = (
            self.in_years(self.field_patents[fa], y0, y1),
            self.in_years(self.field_patents[fb], y0, y1),
        )
        rows = []
        for org, pats in self.org_patents.items():
            if kinds and self.orgs[org]["kind"] not in kinds:
                continue
            a, b = len(pats & pa_), len(pats & pb)
            if a and b:
                rows.append((org, a, b))
        return sorted(rows, key=lambda r: (-min(r[1], r[2]), -(r[1] + r[2]), r[0]))

    def co_owned(self, x: str, y: str) -> set[str]:
        return self.org_patents[x] & self.org_patents[y]

    def partnerships(
        self, fa: str, fb: str, y0: int | None = None, y1: int | None = None
    ) -> list[tuple[str, str, int, int, int]]:
        """(x, y, co-owned, count_a of x, count_b of y), ranked as the contract says."""
        pa_ = self.in_years(self.field_patents[fa], y0, y1)
        pb = self.in_years(self.field_patents[fb], y0, y1)
        ca = {o: len(p & pa_) for o, p in self.org_patents.items()}
        cb = {o: len(p & pb) for o, p in self.org_patents.items()}
        rows = {}
        for patent in self.in_years(set(self.patent_orgs), y0, y1):
            for x in self.patent_orgs[patent]:
                for y in self.patent_orgs[patent]:
                    if x != y and ca[x] and cb[y]:
                        rows.setdefault((x, y), set()).add(patent)
        out = []
        for (x, y), pats in rows.items():
            if (y, x) in rows and y < x:
                continue  # found in both orientations: kept once, as (x, y) with x < y
            out.append((x, y, len(pats), ca[x], cb[y]))
        return sorted(out, key=lambda r: (-r[2], -(r[3] + r[4]), r[0], r[1]))
