"""Vectorised k-best path search of the embedded backend, for paths of up to four hops.

The reference search (`ttkg.graph.backends.pathsearch`) walks the entity graph node by node:
through a hub
(a field holds thousands of organisations, a country too) it builds thousands of Python
objects per query. Here the entity graph is one weighted sparse matrix per set of relations
walked, and the candidates of each length are whole arrays:

* 1 hop: the entry W[a, b];
* 2 hops: the common neighbours of a and b (two sorted rows intersected);
* 3 hops: the entries of W in rows N(a) and columns N(b), gathered from the side whose rows
  hold fewer entries;
* 4 hops: two-hop halves from each end, joined on their middle node.

Candidates are ranked as the reference search ranks them (weakest hop, then total weight,
then node ids through each node's rank in id order) with a partial sort, so a query through
a hub costs milliseconds. The answer is the reference answer, without its bounds on
candidates; when the paths asked for need a fifth hop, or more than MAX_JOIN candidates,
`best_paths` returns None and the backend runs the reference search.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

from ttkg.core.errors import QueryTimeoutError
from ttkg.graph.backends.contract import FoundPath, Relation, RelationHop
from ttkg.graph.backends.pathsearch import LONGER_BY
from ttkg.graph.indexing import IndexData
from ttkg.graph.indexing.walks import Hops, Walk, build_walk

__all__ = ["PathIndex"]

IntArray = npt.NDArray[np.int64]
#: Longest path this index ranks itself.
MAX_VECTOR_HOPS: Final = 4
#: Most candidate paths (or gathered matrix entries) of one length ranked as arrays; past
#: it the reference search, with its own bounds and the time budget, answers.
MAX_JOIN: Final = 2_000_000
#: The arrays of one relation's hops in the index (`path.<relation>.<array>`).
_HOPS_ARRAYS: Final = ("src", "dst", "weight", "by_node", "node_ptr")


@dataclass(frozen=True)
class _Candidates:
    """Paths of one length: columns of inner nodes (local indices) and of hop weights."""

    nodes: list[IntArray]
    weights: list[IntArray]

    def __len__(self) -> int:
        return len(self.weights[0])


def _expand(starts: IntArray, counts: IntArray) -> tuple[IntArray, IntArray]:
    """For runs [starts[i], starts[i] + counts[i]): each position's run number, and the
    positions themselves (CSR rows gathered without a Python loop)."""
    owner = np.repeat(np.arange(len(counts)), counts)
    first = np.cumsum(counts) - counts
    return owner, np.arange(int(counts.sum())) - first[owner] + starts[owner]


class PathIndex:
    """Entity-graph matrices over local node indices 0..n-1, with each node's id and rank in
    id order (the reference search's tie-break): each relation's hops and the walks of the
    usual relation sets as the build stored them (`ttkg.graph.indexing.walks`, mapped); the
    walk of another set of relations is built on its first use, once."""

    def __init__(
        self,
        ids: Sequence[str],
        rank: IntArray,
        relations: Sequence[Relation],
        parts: Mapping[Relation, Hops],
        walks: Mapping[frozenset[Relation], Walk],
    ) -> None:
        self.ids = ids
        self.n = len(ids)
        self.rank = rank
        self._relations = list(relations)  # a walk's relation codes index this list
        self._parts = dict(parts)
        self._walks = dict(walks)  # by the relations with hops (those of `_parts`)
        self._stored = frozenset(walks)
        self._lock = threading.Lock()

    @classmethod
    def load(cls, data: IndexData, ids: Sequence[str]) -> PathIndex:
        """The stored arrays of an index (`path.*`, `walk.*`), with the entity nodes' ids."""
        meta = data.meta["path"]
        relations = [Relation(name) for name in meta["relations"]]
        parts = {
            r: Hops(*(data.array(f"path.{r.value}.{f}") for f in _HOPS_ARRAYS))
            for r in relations
        }
        walks = {
            frozenset(Relation(name) for name in via): Walk(
                data.csr(f"walk.{key}"),
                data.array(f"walk.{key}.relation"),
                data.array(f"walk.{key}.row_is_src"),
            )
            for key, via in meta["walks"].items()
        }
        return cls(ids, data.array("path.rank"), relations, parts, walks)

    def warm_up(self, via: Collection[Relation]) -> None:
        """Have the walk of one set of relations ready now (stored ones are)."""
        self._walk(via)

    def hops(self, node: int, via: Collection[Relation]) -> list[RelationHop]:
        """Every hop of the relations `via` with `node` (a local index) at either end, in
        stored direction (a CO_ASSIGNED hop from the smaller id), each stored hop once.

        Read from the relation arrays through their stored incidence (arrays too), not from
        Python objects per hop: a server holds no object per edge of the entity graph,
        which a full garbage collection would walk."""
        out: list[RelationHop] = []
        for rel in via:
            part = self._parts.get(rel)
            if part is None:
                continue
            for row in part.by_node[part.node_ptr[node] : part.node_ptr[node + 1]]:
                src, dst = self.ids[part.src[row]], self.ids[part.dst[row]]
                if rel is Relation.CO_ASSIGNED and dst < src:
                    src, dst = dst, src
                out.append(RelationHop(src, rel, dst, int(part.weight[row])))
        return out

    def walk_is_stored(self, via: Collection[Relation]) -> bool:
        """Whether the walk of these relations came with the index (not built here)."""
        return frozenset(via).intersection(self._parts) in self._stored

    def _walk(self, via: Collection[Relation]) -> Walk:
        key = frozenset(via).intersection(self._parts)
        walk = self._walks.get(key)
        if walk is None:
            with self._lock:
                walk = self._walks.get(key)
                if walk is None:
                    parts = {r.value: p for r, p in self._parts.items()}
                    names = [r.value for r in self._relations]
                    walk = build_walk(parts, names, [r.value for r in key], self.n)
                    self._walks[key] = walk
        return walk

    # -- search ------------------------------------------------------------------------------

    def best_paths(
        self, a: int, b: int, via: Collection[Relation], max_hops: int, k: int, deadline: float
    ) -> list[FoundPath] | None:
        """The k best paths from a to b (local indices) as the reference search ranks them,
        or None when they may need more than MAX_VECTOR_HOPS hops or MAX_JOIN candidates.
        Raises QueryTimeoutError past `deadline` (`time.monotonic()`) with the paths found."""
        walk = self._walk(frozenset(via))
        chosen: list[FoundPath] = []
        shortest: int | None = None
        for length in range(1, max_hops + 1):
            if shortest is not None and length > shortest + LONGER_BY:
                break
            if length > MAX_VECTOR_HOPS:
                return None
            if time.monotonic() > deadline:
                raise QueryTimeoutError(
                    "path search ran past its time budget", partial=[list(p.nodes) for p in chosen]
                )
            found = self._candidates(walk, a, b, length)
            if found is None:
                return None
            if len(found) == 0:
                continue
            shortest = length if shortest is None else shortest
            chosen += self._top(walk, a, b, found, k - len(chosen))
            if len(chosen) >= k:
                break
        return chosen

    def _row(self, walk: Walk, node: int) -> tuple[IntArray, IntArray]:
        m = walk.weight
        lo, hi = m.indptr[node], m.indptr[node + 1]
        return m.indices[lo:hi].astype(np.int64), m.data[lo:hi]

    def _candidates(self, walk: Walk, a: int, b: int, length: int) -> _Candidates | None:
        """Every path of `length` hops from a to b, or None when there would be more than
        MAX_JOIN to rank (the reference search then answers)."""
        na, wa = self._row(walk, a)
        nb, wb = self._row(walk, b)
        if length == 1:
            return _Candidates([], [wa[na == b]])
        if length == 2:
            mids, ia, ib = np.intersect1d(na, nb, assume_unique=True, return_indices=True)
            return _Candidates([mids], [wa[ia], wb[ib]])
        deg = np.diff(walk.weight.indptr)
        if length == 3:  # a-x-y-b: gather the rows of the side whose rows hold fewer entries
            if min(deg[na].sum(), deg[nb].sum()) > MAX_JOIN:
                return None
            if deg[na].sum() <= deg[nb].sum():
                x, y, w1, w2, w3 = self._bridge(walk, na, wa, nb, wb, a, b)
            else:
                y, x, w3, w2, w1 = self._bridge(walk, nb, wb, na, wa, b, a)
            return _Candidates([x, y], [w1, w2, w3])
        # four hops a-x-m-y-b: two-hop halves from each end, joined on the middle node m
        if max(deg[na].sum(), deg[nb].sum()) > MAX_JOIN:
            return None
        lx, lm, l1, l2 = self._halves(walk, na, wa, a, b)
        ry, rm, r1, r2 = self._halves(walk, nb, wb, b, a)
        on_right = np.zeros(self.n, bool)
        on_right[rm] = True
        keep = np.flatnonzero(on_right[lm])
        lx, lm, l1, l2 = lx[keep], lm[keep], l1[keep], l2[keep]
        by_mid = np.argsort(rm, kind="stable")
        ry, rm, r1, r2 = ry[by_mid], rm[by_mid], r1[by_mid], r2[by_mid]
        lo, hi = np.searchsorted(rm, lm, "left"), np.searchsorted(rm, lm, "right")
        left, right = _expand(lo, hi - lo)
        if len(left) > MAX_JOIN:
            return None
        ok = np.flatnonzero(lx[left] != ry[right])
        left, right = left[ok], right[ok]
        return _Candidates(
            [lx[left], lm[left], ry[right]], [l1[left], l2[left], r2[right], r1[right]]
        )

    def _halves(
        self, walk: Walk, near: IntArray, near_w: IntArray, start: int, end: int
    ) -> tuple[IntArray, IntArray, IntArray, IntArray]:
        """Two-hop half paths start-x-m (x not end; m neither start nor end): x, m and the
        weights start-x and x-m."""
        near, near_w, owner, pos = self._gather(walk, near, near_w, end)
        mid = walk.weight.indices[pos].astype(np.int64)
        ok = np.flatnonzero((mid != start) & (mid != end))
        owner, pos, mid = owner[ok], pos[ok], mid[ok]
        return near[owner], mid, near_w[owner], walk.weight.data[pos]

    def _bridge(
        self,
        walk: Walk,
        near: IntArray,
        near_w: IntArray,
        far: IntArray,
        far_w: IntArray,
        start: int,
        end: int,
    ) -> tuple[IntArray, IntArray, IntArray, IntArray, IntArray]:
        """Pairs (x, y), x a neighbour of start (not end), y one of end (not start), x-y a hop:
        x, y and the weights start-x, x-y, y-end."""
        near, near_w, owner, pos = self._gather(walk, near, near_w, end)
        y = walk.weight.indices[pos].astype(np.int64)
        slot = np.searchsorted(far, y)
        slot[slot == len(far)] = 0
        hit = (far[slot] == y) & (y != start) if len(far) else np.zeros(len(y), bool)
        sel = np.flatnonzero(hit)
        return (
            near[owner[sel]],
            y[sel],
            near_w[owner[sel]],
            walk.weight.data[pos[sel]],
            far_w[slot[sel]],
        )

    @staticmethod
    def _gather(
        walk: Walk, near: IntArray, near_w: IntArray, end: int
    ) -> tuple[IntArray, IntArray, IntArray, IntArray]:
        """The neighbours of a start node but `end`, with their weights, and every entry of
        their rows: each entry's position in `near` (owner) and in the matrix (pos)."""
        keep = near != end
        near, near_w = near[keep], near_w[keep]
        m = walk.weight
        owner, pos = _expand(m.indptr[near], m.indptr[near + 1] - m.indptr[near])
        return near, near_w, owner, pos

    def _top(self, walk: Walk, a: int, b: int, found: _Candidates, k: int) -> list[FoundPath]:
        weights = np.vstack(found.weights)
        weakest, total = weights.min(axis=0), weights.sum(axis=0)
        score = weakest * (int(total.max()) + 1) + total  # higher is better
        if len(score) > k:
            cut = np.partition(score, len(score) - k)[len(score) - k]
            idx = np.flatnonzero(score >= cut)
        else:
            idx = np.arange(len(score))
        keys = [self.rank[col[idx]] for col in reversed(found.nodes)]
        order = idx[np.lexsort((*keys, -total[idx], -weakest[idx]))][:k]
        return [self._found(walk, [a, *(int(c[i]) for c in found.nodes), b]) for i in order]

    def _found(self, walk: Walk, nodes: list[int]) -> FoundPath:
        hops = tuple(self._hop(walk, x, y) for x, y in itertools.pairwise(nodes))
        return FoundPath(tuple(self.ids[n] for n in nodes), hops)

    def _hop(self, walk: Walk, x: int, y: int) -> RelationHop:
        m = walk.weight
        lo, hi = int(m.indptr[x]), int(m.indptr[x + 1])
        j = lo + int(np.searchsorted(m.indices[lo:hi], y))
        src, dst = (x, y) if walk.row_is_src[j] else (y, x)
        relation = self._relations[int(walk.relation[j])]
        return RelationHop(self.ids[src], relation, self.ids[dst], int(m.data[j]))
