"""An independent, deliberately plain recomputation of query answers from the artifact tables
(pure Python over the Parquet rows), used to check every backend's answers."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
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

        self._graph = graph
        self._symbols: dict[str, set[str]] | None = None

    def selection(self, wipo: Iterable[str] = (), cpc: Iterable[str] = ()) -> frozenset[str]:
        """Patents in any of the WIPO fields (node ids) or under any of the CPC symbols
        (prefixes of the classes each patent is CLASSIFIED_AS): a theme, or several fields."""
        if self._symbols is None:
            self._symbols = defaultdict(set)
            for e in Artifact.open(self._graph).edges(EdgeType.CLASSIFIED_AS).to_pylist():
                self._symbols[e["src"]].add(e["dst"].removeprefix("cpc:"))
        prefixes = tuple(cpc)
        out = set().union(*(self.field_patents[f] for f in wipo))
        if prefixes:
            out |= {p for p, syms in self._symbols.items()
                    if any(s.startswith(prefixes) for s in syms)}
        return frozenset(out)

    def _patents(self, field: str | frozenset[str]) -> set[str]:
        """A field's patents: a WIPO field node id, or a set of patents (`selection`)."""
        return set(field) if isinstance(field, frozenset) else self.field_patents[field]

    def in_years(self, patents: set[str], y0: int | None, y1: int | None) -> set[str]:
        return {
            p
            for p in patents
            if (y0 is None or (self.year[p] or 0) >= y0)
            and (y1 is None or (self.year[p] is not None and self.year[p] <= y1))
        }

    def direct(
        self,
        fa: str | frozenset[str],
        fb: str | frozenset[str],
        y0: int | None = None,
        y1: int | None = None,
        kinds: frozenset[str] = frozenset(),
    ) -> list[tuple[str, int, int]]:
        pa_, pb = (
            self.in_years(self._patents(fa), y0, y1),
            self.in_years(self._patents(fb), y0, y1),
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

    def passes(self, org: str, countries: frozenset[str], kinds: frozenset[str]) -> bool:
        """Whether an organisation passes one side of the filters (empty sets pass all)."""
        row = self.orgs[org]
        return (not countries or row["country"] in countries) and (
            not kinds or row["kind"] in kinds
        )

    def partnerships(
        self,
        fa: str | frozenset[str],
        fb: str | frozenset[str],
        y0: int | None = None,
        y1: int | None = None,
        side: tuple[frozenset[str], frozenset[str]] = (frozenset(), frozenset()),
        partner: tuple[frozenset[str], frozenset[str]] = (frozenset(), frozenset()),
    ) -> list[tuple[str, str, int, int, int, int]]:
        """(x, y, count in A or B, count in A, count in B, co-owned in any field), ranked as
        the contract says; x passes `side` (countries, kinds), y passes `partner`."""
        pa_ = self.in_years(self._patents(fa), y0, y1)
        pb = self.in_years(self._patents(fb), y0, y1)
        active_a = {o for o, p in self.org_patents.items() if p & pa_}
        active_b = {o for o, p in self.org_patents.items() if p & pb}
        pairs: set[tuple[str, str]] = set()
        for patent in self.in_years(set(self.patent_orgs), y0, y1):
            owners = sorted(self.patent_orgs[patent])
            pairs |= {(x, y) for i, x in enumerate(owners) for y in owners[i + 1 :]}
        out = []
        for x, y in pairs:
            co = self.in_years(self.co_owned(x, y), y0, y1)
            in_a, in_b = co & pa_, co & pb
            if not in_a | in_b:
                continue
            if not ((x in active_a and y in active_b) or (x in active_b and y in active_a)):
                continue
            if self.passes(x, *side) and self.passes(y, *partner):
                first, second = x, y
            elif self.passes(y, *side) and self.passes(x, *partner):
                first, second = y, x
            else:
                continue
            out.append((first, second, len(in_a | in_b), len(in_a), len(in_b), len(co)))
        return sorted(out, key=lambda r: (-r[2], -(r[3] + r[4]), r[0], r[1]))
