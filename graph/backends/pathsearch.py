"""The k best paths between two entities, over the backend contract's `relations` primitive.

This is the reference search a backend calls from its `GraphBackend.best_paths` (Neo4j does;
the embedded backend hands over to it past its own index's bounds); a faster search must
return the same paths.

Which paths: simple paths over the entity graph (organisations, fields, countries; patents as
end points only) of the shortest length L within `max_hops` and, when fewer than k were
found, of length L + 1 (LONGER_BY; never beyond max_hops). Ranked by length, then by the
weakest hop (more evidence first), then by the total evidence, then by the node ids; the
weight of a hop between two adjacent nodes is that of its strongest relation (most evidence,
then relation name). The order is fully determined.

How: bidirectional breadth-first search (one `relations` call per level and side) finds L;
paths of each length are enumerated by joining two half-searches, at most MAX_HALF_PATHS
half-paths per side and MAX_JOINED candidates per length, so memory stays bounded (past a
bound the paths are the best of the candidates kept, and a warning is logged). A search
over its deadline raises QueryTimeoutError carrying the node ids of the paths found so far.
"""

from __future__ import annotations

import itertools
import logging
import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Final, Protocol

from ttkg.core.errors import QueryTimeoutError
from ttkg.core.model import NodeLabel, label_of_id
from ttkg.graph.backends.contract import FoundPath, Relation, RelationHop

__all__ = ["LONGER_BY", "FoundPath", "RelationSource", "path_rank", "search_paths"]

log = logging.getLogger(__name__)

#: Most half-paths kept per side and length while joining; keeps memory bounded.
MAX_HALF_PATHS: Final = 20_000
#: Most candidate paths of one length ranked per query.
MAX_JOINED: Final = 50_000
#: Paths at most this many hops longer than the shortest are considered when filling k.
LONGER_BY: Final = 1
_HUBS: Final = frozenset({NodeLabel.TECHNOLOGY_FIELD, NodeLabel.COUNTRY, NodeLabel.CPC_CLASS})


class RelationSource(Protocol):
    """What the search walks: a backend, or a view of its graph (the family level,
    `ttkg.graph.backends.familypaths`) with the same `relations` primitive."""

    def relations(self, node_ids: Collection[str], via: Collection[Relation]) -> list[RelationHop]:
        """As `GraphBackend.relations`."""
        ...


def strongest(hops: Collection[RelationHop]) -> RelationHop:
    """The hop that stands for a pair of adjacent nodes: most evidence, then relation name."""
    return min(hops, key=lambda h: (-h.weight, h.relation.value))


def path_rank(nodes: Sequence[str], weights: Sequence[int]) -> tuple[object, ...]:
    """Sort key of a path: length, weakest hop (desc), total weight (desc), node ids."""
    return (len(nodes), -min(weights), -sum(weights), tuple(nodes))


def _hub_cost(node: str) -> int:
    return 1000 if label_of_id(node) in _HUBS else 1


@dataclass
class _Search:
    """Adjacency learnt so far, with the deadline."""

    backend: RelationSource
    via: Collection[Relation]
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
        return strongest(self.adj[a][b])

    def weights(self, nodes: tuple[str, ...]) -> list[int]:
        return [self.best_hop(x, y).weight for x, y in itertools.pairwise(nodes)]

    def found_path(self, nodes: tuple[str, ...]) -> FoundPath:
        return FoundPath(nodes, tuple(self.best_hop(x, y) for x, y in itertools.pairwise(nodes)))


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
                        log.warning("paths %s-%s: ranked the first %d candidates", a, b, len(out))
                        return out
        s.check()
    return out


def search_paths(
    backend: RelationSource,
    a: str,
    b: str,
    via: Collection[Relation],
    max_hops: int,
    k: int,
    deadline: float,
) -> list[FoundPath]:
    """The k best paths from node a to node b (see the module docstring), best first."""
    s = _Search(backend, via, deadline)
    s.expand([a, b])
    chosen: list[tuple[str, ...]] = []
    shortest = _shortest_length(s, a, b, max_hops)
    if shortest is not None:
        for length in range(shortest, min(shortest + LONGER_BY, max_hops) + 1):
            found = _paths_of_length(s, a, b, length)
            found.sort(key=lambda p: path_rank(p, s.weights(p)))
            chosen += found[: k - len(chosen)]
            s.found = [list(p) for p in chosen]
            if len(chosen) >= k:
                break
    return [s.found_path(p) for p in chosen]
