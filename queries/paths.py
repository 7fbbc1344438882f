"""Paths between any two entities, each hop with the patents behind it.

The walk runs over the entity graph (`graph.backend.Relation`): organisations, WIPO fields,
countries, with patents as possible end points. Search is bidirectional breadth-first (one
`relations` call per level and side), then paths of the shortest length L and, when fewer
than k were found, of length L + 1 (LONGER_BY; never beyond max_hops) are enumerated by
joining the two half-searches (at most MAX_HALF_PATHS half-paths per side and MAX_JOINED
candidates per length, so memory stays bounded). Paths are
ranked by length, then by their weakest hop (more evidence first), then by total evidence,
then by node ids: the order is fully determined, so every backend gives the same answer.

A query over its time budget raises QueryTimeoutError carrying the paths found so far;
it never returns an empty answer that would look like "no path".
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Final

from graph.backend import GraphBackend, Relation, RelationHop
from graph.errors import InvalidQueryError, QueryTimeoutError
from graph.model import NodeLabel, label_of_id
from queries.common import MAX_EVIDENCE
from queries.models import EntityRef, Evidence, Hop, Path, PathsResult
from queries.resolve import resolve_entity

__all__ = ["DEFAULT_HOPS", "MAX_HOPS", "MAX_K", "parse_via", "paths"]

DEFAULT_HOPS: Final = 4
MAX_HOPS: Final = 6
MAX_K: Final = 20
MAX_BUDGET_S: Final = 60.0
#: Most half-paths kept per side and length while joining; keeps memory bounded.
MAX_HALF_PATHS: Final = 20_000
#: Most candidate paths of one length ranked per query.
MAX_JOINED: Final = 50_000
#: Paths at most this many hops longer than the shortest are considered when filling k.
LONGER_BY: Final = 1
ALL_RELATIONS: Final = tuple(Relation)
_HUBS: Final = frozenset({NodeLabel.TECHNOLOGY_FIELD, NodeLabel.COUNTRY})


def _hub_cost(node: str) -> int:
    return 1000 if label_of_id(node) in _HUBS else 1


def parse_via(via: str | Collection[str] | None) -> tuple[Relation, ...]:
    """Relation names (comma-separated or a list; case-insensitive) -> Relation tuple."""
    if not via:
        return ALL_RELATIONS
    items = via.split(",") if isinstance(via, str) else list(via)
    out: list[Relation] = []
    for item in items:
        name = item.strip().upper()
        if not name:
            continue
        try:
            rel = Relation(name)
        except ValueError:
            valid = ", ".join(r.value for r in Relation)
            raise InvalidQueryError(f"unknown relation {item!r}; valid: {valid}") from None
        if rel not in out:
            out.append(rel)
    return tuple(out) or ALL_RELATIONS


@dataclass
class _Search:
    """Adjacency learnt so far, with the time budget."""

    backend: GraphBackend
    via: tuple[Relation, ...]
    deadline: float
    adj: dict[str, dict[str, list[RelationHop]]] = field(default_factory=dict)
    expanded: set[str] = field(default_factory=set)
    found: list[list[str]] = field(default_factory=list)

    def check(self) -> None:
        if time.monotonic() > self.deadline:
            raise QueryTimeoutError("path search ran past its time budget", partial=self.found)

    def expand(self, nodes: Collection[str]) -> None:
        todo = sorted(n for n in nodes if n not in self.expanded)
        if not todo:
            return
        self.check()
        for hop in self.backend.relations(todo, self.via):
            self.adj.setdefault(hop.src, {}).setdefault(hop.dst, []).append(hop)
            self.adj.setdefault(hop.dst, {}).setdefault(hop.src, []).append(hop)
        self.expanded.update(todo)
        self.check()

    def cost(self, nodes: Collection[str]) -> int:
        """Estimated cost of expanding nodes: hubs (fields, countries) fan out to thousands of
        organisations. Only decides which side a search grows, never what it finds."""
        return sum(_hub_cost(n) for n in nodes if n not in self.expanded)

    def neighbours(self, node: str) -> list[str]:
        return sorted(self.adj.get(node, {}))

    def bfs_layers(self, start: str, depth: int) -> list[set[str]]:
        """Layers of nodes at distance 0..depth from start (expanding as needed)."""
        layers = [{start}]
        seen = {start}
        for _ in range(depth):
            self.expand(layers[-1])
            nxt = {m for n in layers[-1] for m in self.adj.get(n, {}) if m not in seen}
            if not nxt:
                break
            seen |= nxt
            layers.append(nxt)
        return layers

    def half_paths(
        self, start: str, length: int, avoid: str | None
    ) -> dict[str, list[tuple[str, ...]]]:
        """All simple paths of exactly `length` hops from start (not through `avoid`),
        grouped by end node, in node-id order; at most MAX_HALF_PATHS."""
        frontier: list[tuple[str, ...]] = [(start,)]
        for _ in range(length):
            self.expand({p[-1] for p in frontier})
            nxt: list[tuple[str, ...]] = []
            for p in frontier:
                for m in self.neighbours(p[-1]):
                    if m not in p and m != avoid:
                        nxt.append((*p, m))
                        if len(nxt) >= MAX_HALF_PATHS:
                            break
                if len(nxt) >= MAX_HALF_PATHS:
                    break
            frontier = nxt
            self.check()
        out: dict[str, list[tuple[str, ...]]] = {}
        for p in frontier:
            out.setdefault(p[-1], []).append(p)
        return out

    def best_hop(self, a: str, b: str) -> RelationHop:
        """The strongest hop between two adjacent nodes (most evidence, then relation name)."""
        return min(self.adj[a][b], key=lambda h: (-h.weight, h.relation.value))


def _shortest_length(s: _Search, a: str, b: str, max_hops: int) -> int | None:
    """Bidirectional BFS: the length of a shortest path, or None within max_hops."""
    dist_a, dist_b = {a: 0}, {b: 0}
    front_a, front_b = {a}, {b}
    best: int | None = None
    while front_a and front_b:
        da, db = max(dist_a.values()), max(dist_b.values())
        if best is not None and da + db >= best:
            return best
        if da + db >= max_hops:
            return best
        grow_a = s.cost(front_a) <= s.cost(front_b)
        front, dist, other = (front_a, dist_a, dist_b) if grow_a else (front_b, dist_b, dist_a)
        s.expand(front)
        level = (da if grow_a else db) + 1
        nxt: set[str] = set()
        for n in front:
            for m in s.adj.get(n, {}):
                if m not in dist:
                    dist[m] = level
                    nxt.add(m)
                if m in other:
                    total = dist[m] + other[m]
                    best = total if best is None else min(best, total)
        if grow_a:
            front_a = nxt
        else:
            front_b = nxt
    return best


def _paths_of_length(s: _Search, a: str, b: str, length: int) -> list[tuple[str, ...]]:
    left = (length + 1) // 2
    if left > length - left and s.cost(s.adj.get(a, {})) > s.cost(s.adj.get(b, {})):
        left = length - left  # grow the longer half from the cheaper end
    right = length - left
    # an end point may only appear as the end of a half-path when the other half is empty
    fwd = s.half_paths(a, left, avoid=b if right else None) if left else {a: [(a,)]}
    back = s.half_paths(b, right, avoid=a if left else None) if right else {b: [(b,)]}
    out: list[tuple[str, ...]] = []
    for mid in sorted(set(fwd) & set(back)):
        for p in fwd[mid]:
            for q in back[mid]:
                tail = tuple(reversed(q))[1:]
                if not set(p) & set(tail):
                    out.append(p + tail)
                    if len(out) >= MAX_JOINED:
                        return out
        s.check()
    return out


def _rank(s: _Search, path: tuple[str, ...]) -> tuple[object, ...]:
    weights = [s.best_hop(x, y).weight for x, y in itertools.pairwise(path)]
    return (len(path), -min(weights), -sum(weights), path)


def paths(
    backend: GraphBackend,
    source: str,
    target: str,
    *,
    max_hops: int = DEFAULT_HOPS,
    via: str | Collection[str] | None = None,
    k: int = 3,
    time_budget: float = 5.0,
    evidence: int = 3,
) -> PathsResult:
    """The k best shortest paths between two entities (names, ids or codes), each hop with
    evidence. Raises QueryTimeoutError when the time budget runs out."""
    if not 1 <= max_hops <= MAX_HOPS:
        raise InvalidQueryError(f"max_hops must be between 1 and {MAX_HOPS}, got {max_hops}")
    if not 1 <= k <= MAX_K:
        raise InvalidQueryError(f"k must be between 1 and {MAX_K}, got {k}")
    if not 0 < time_budget <= MAX_BUDGET_S:
        raise InvalidQueryError(f"time_budget must be in (0, {MAX_BUDGET_S}] seconds")
    if not 0 <= evidence <= MAX_EVIDENCE:
        raise InvalidQueryError(f"evidence must be between 0 and {MAX_EVIDENCE}")
    relations = parse_via(via)
    a, b = resolve_entity(backend, source), resolve_entity(backend, target)
    if a.id == b.id:
        raise InvalidQueryError(f"source and target are the same entity ({a.id})")
    s = _Search(backend, relations, time.monotonic() + time_budget)
    s.expand([a.id, b.id])
    chosen: list[tuple[str, ...]] = []
    shortest = _shortest_length(s, a.id, b.id, max_hops)
    if shortest is not None:
        for length in range(shortest, min(shortest + LONGER_BY, max_hops) + 1):
            found = sorted(_paths_of_length(s, a.id, b.id, length), key=lambda p: _rank(s, p))
            chosen += found[: k - len(chosen)]
            s.found = [list(p) for p in chosen]
            if len(chosen) >= k:
                break
    return _result(s, a.id, b.id, chosen, max_hops, relations, evidence)


def _result(
    s: _Search,
    a: str,
    b: str,
    chosen: list[tuple[str, ...]],
    max_hops: int,
    relations: tuple[Relation, ...],
    evidence: int,
) -> PathsResult:
    ids = sorted({n for p in chosen for n in p} | {a, b})
    nodes = {k: EntityRef.of(v) for k, v in s.backend.get_nodes(ids).items()}
    cache: dict[RelationHop, Evidence] = {}
    out: list[Path] = []
    for p in chosen:
        hops = []
        for x, y in itertools.pairwise(p):
            hop = s.best_hop(x, y)
            if hop not in cache:
                s.check()
                cache[hop] = Evidence.of(s.backend.hop_evidence(hop, evidence))
            hops.append(
                Hop(
                    source=nodes[x],
                    relation=hop.relation.value,
                    target=nodes[y],
                    forward=hop.src == x,
                    weight=hop.weight,
                    evidence=cache[hop],
                )
            )
        out.append(Path(length=len(hops), nodes=[nodes[n] for n in p], hops=hops))
    return PathsResult(
        source=nodes[a],
        target=nodes[b],
        max_hops=max_hops,
        via=[r.value for r in relations],
        paths=out,
    )
