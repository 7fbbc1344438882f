"""Brokerage on an organisation cooperation network: who lies on the shortest paths between
two sets of organisations (subset betweenness: for v, the sum over s in A, t in B of the share
of shortest s-t paths through v, s != v != t), with a shortest path through each broker.

Written over plain edge lists, so that it runs on any backend's answer. The betweenness is
igraph's (C, `Graph.betweenness(sources=, targets=)`): on the full shared data's co-ownership
network (3,856 organisations, 4,526 links; Asia as A: 3,008 organisations, the US as B: 601)
it is exact in 0.15 s where networkx's `betweenness_centrality_subset` takes 34 s.

What it costs is Brandes' algorithm's work: one search per source, over the organisations and
links of the source's component. Only organisations sharing a component with the other side
are searched from (the others bridge nothing), from whichever side costs less (on an
undirected network the score is the same both ways). Within `budget`, that is the answer.

Over it, the score is split in two, after the block-cut decomposition behind exact speed-ups
of betweenness (Puzis et al. 2012, "Heuristics for speeding up betweenness centrality
computation"; Sariyuce et al. 2013, "Shattering and compressing networks for betweenness
centrality"). (1) The pairs (s, t) that v separates (v an articulation point, s and t in
different pieces of the network without v) have every shortest path through v: they are
counted exactly, for every v at once, in linear time on the block-cut tree. (2) Every other
shortest path through v crosses a block (a biconnected component) with v inside it, one that
is not a clique (a clique is crossed in one hop). For such a block B and an organisation x of
B, a search from x towards the other side's ends, minus the pairs separated, weighted by the
searched side's ends that reach B through x, gives all of B's paths entering at x. These
searches are the units: all are made when they fit the budget (the answer is then exact),
else a seeded Poisson sample, each unit with a chance proportional to the searched side's
ends behind x times the other side's ends in the component, a bound on the pairs entering B
through x (capped at 1: the largest are certain) whose expected work is the budget (at least
40 searches expected). The part (2) estimate is the Horvitz-Thompson sum. The searches that
share weights are made in one igraph call (a call's setup costs about a search), the sampled
ones spread over 20 random groups: the standard error is the spread of the groups' estimates
(the random-group variance estimator: it overstates the variance by about 1 / (1 - chance),
close to 1 when few of the units are drawn).
On a forest the answer is exact; the heavy tails of plain source sampling (a broker's score
carried by the few sources behind it) are in part (1). What sampling can still miss: a
broker's part (2) carried by units none of which was drawn (then its standard error is 0 too).
"""

from __future__ import annotations

import math
import random
from collections.abc import Collection, Sequence
from dataclasses import dataclass

import igraph as ig
import numpy as np

__all__ = ["WORK_BUDGET", "Brokerage", "brokerage"]

#: Work (sources x (organisations + links) of their components) beyond which the betweenness
#: is estimated. Any question on the full shared data costs at most 9.3M (the whole network,
#: every organisation a source), about 0.1 s; at 1M synthetic patents a search from one source
#: of the giant component (86,477 organisations and links) costs about 8 ms, so the budget
#: buys about 230 of them, about 2 s.
WORK_BUDGET = 20_000_000
_MIN_SEARCHES = 40
_GROUPS = 20


@dataclass(frozen=True, slots=True)
class Brokerage:
    """Scores of the top brokers, best first, with a path through each: from v to its
    nearest A organisation and to its nearest other B organisation (ties by id), A end first;
    and, when estimated, each score's standard error."""

    ranked: list[tuple[str, float, float]]  # (organisation, score, standard error)
    paths: dict[str, tuple[str, ...]]
    exact: bool
    sources: int  # |A| in the network
    targets: int  # |B| in the network
    side: str  # the side searched from: "A" or "B"
    reaching: int  # organisations of that side sharing a component with the other side
    # searches the answer needs: when within budget, the reaching organisations; else one
    # per organisation of a block that is not a clique with pairs entering it there
    population: int
    sampled: int  # of those, made (= population when exact)
    work: int  # the exact answer's work: sum over reaching of their component's size
    budget: int
    nodes: int
    edges: int


def _path(graph: ig.Graph, v: int, ends: Sequence[int]) -> list[int]:
    """A shortest path from v to the nearest of ends (ties: the end with the smallest
    name), v first; [] when none is reachable."""
    if not ends:
        return []
    dist = graph.distances(source=[v], target=list(ends))[0]
    names = graph.vs["name"]
    reachable = [(d, names[e], e) for d, e in zip(dist, ends, strict=True)
                 if math.isfinite(d) and e != v]
    if not reachable:
        return []
    end = min(reachable)[2]
    found: list[int] = graph.get_shortest_paths(v, to=end, output="vpath")[0]
    return found


def brokerage(
    edges: Collection[tuple[str, str]],
    a: Collection[str],
    b: Collection[str],
    limit: int,
    *,
    budget: int = WORK_BUDGET,
    seed: int = 0,
) -> Brokerage:
    """Brokers between organisation sets a and b on the undirected network of `edges`
    (each pair once; parallel edges are merged), exact when its work is within `budget`,
    else estimated (see the module's description). Ties by organisation id."""
    names = sorted({n for e in edges for n in e})
    index = {n: i for i, n in enumerate(names)}
    pairs = sorted({(index[x], index[y]) if index[x] < index[y] else (index[y], index[x])
                    for x, y in edges if x != y})
    graph = ig.Graph(n=len(names), edges=pairs, directed=False)
    graph.vs["name"] = names
    ends_a = sorted(index[n] for n in set(a) if n in index)
    ends_b = sorted(index[n] for n in set(b) if n in index)
    # Brandes' work per source: the organisations and links of its component
    member = graph.connected_components().membership
    size = [0] * (max(member, default=-1) + 1)
    for v in range(len(names)):
        size[member[v]] += 1
    for x, _ in pairs:
        size[member[x]] += 1
    shared = {member[v] for v in ends_a} & {member[v] for v in ends_b}
    src = [v for v in ends_a if member[v] in shared]
    dst = [v for v in ends_b if member[v] in shared]
    work_a, work_b = (sum(size[member[v]] for v in side) for side in (src, dst))
    side, work = ("B", work_b) if work_b < work_a else ("A", work_a)
    if side == "B":
        src, dst = dst, src
    # igraph (like networkx's betweenness_centrality_subset) counts each pair of an undirected
    # network half: twice its value is the sum over (s, t) of the share of paths through v
    population = len(src)
    if work <= budget:
        scores = (2 * np.asarray(graph.betweenness(directed=False, sources=src, targets=dst))
                  if src else np.zeros(len(names)))
        errors, sample = np.zeros(len(names)), len(src)
    else:  # the pairs separated exactly, the rest from searches in blocks (the module's doc)
        scores, errors, population, sample = _decomposed(graph, src, dst, size, member,
                                                         budget, seed)
    exact = sample >= population
    value: list[float] = scores.tolist()
    ranked = sorted((i for i, s in enumerate(value) if s > 1e-12),
                    key=lambda i: (-round(value[i], 9), names[i]))[:limit]
    paths = {}
    for v in ranked:
        left = _path(graph, v, ends_a)
        right = _path(graph, v, [t for t in ends_b if not left or t != left[-1]])
        if left and right:
            paths[names[v]] = tuple(names[i] for i in [*reversed(left), *right[1:]])
    return Brokerage(
        [(names[i], round(value[i], 6), round(float(errors[i]), 6)) for i in ranked],
        paths, exact, len(ends_a), len(ends_b), side, len(src), population, sample, work,
        budget, len(names), len(pairs),
    )


class _BlockCutTree:
    """The network's block-cut tree (its organisations and its blocks, the biconnected
    components, each organisation linked to the blocks it is in), rooted at one organisation
    per component: v's pieces (the components of the network without v) are the subtrees of
    v's child blocks and the rest of v's component."""

    def __init__(self, graph: ig.Graph, member: Sequence[int]) -> None:
        n = graph.vcount()
        self.blocks = [np.sort(np.asarray(b, dtype=np.int64))
                       for b in graph.biconnected_components()]
        nb = len(self.blocks)
        comp = np.asarray(member, dtype=np.int64)
        _, roots = np.unique(comp, return_index=True)
        top = n + nb  # a root above every component's root organisation
        ties = [(int(v), n + i) for i, block in enumerate(self.blocks) for v in block]
        tree = ig.Graph(n=top + 1, edges=ties + [(top, int(r)) for r in roots])
        order, starts, parents = tree.bfs(top)
        self.n, self.nb = n, nb
        self.parent = np.asarray(parents, dtype=np.int64)
        self.parent[top] = top
        order_a = np.asarray(order, dtype=np.int64)
        # the layers below the root, deepest first, for summing over subtrees
        self.layers = [order_a[starts[i]:starts[i + 1]] for i in range(len(starts) - 2, 0, -1)]
        self.root = np.asarray(roots, dtype=np.int64)[comp]  # each organisation's root
        # a block is a clique when it holds all k(k-1)/2 links between its k organisations:
        # a shortest path crosses it in one hop, so only inside the other blocks do shortest
        # paths pass through an organisation that does not separate their ends
        pairs = np.asarray(graph.get_edgelist(), dtype=np.int64).reshape(-1, 2)
        px, py = self.parent[pairs[:, 0]], self.parent[pairs[:, 1]]
        home = np.where((px == py) | (self.parent[px] == pairs[:, 1]), px, py) - n
        links = np.bincount(home, minlength=nb)
        size = np.array([len(b) for b in self.blocks], dtype=np.int64)
        self.open = np.flatnonzero(links < size * (size - 1) // 2)

    def subtree(self, weight: np.ndarray) -> np.ndarray:
        """Per node of the tree, the sum of weight over the organisations in its subtree."""
        acc = np.zeros(self.n + self.nb + 1)
        acc[:self.n] = weight
        for nodes in self.layers:
            np.add.at(acc, self.parent[nodes], acc[nodes])
        return acc

    def separated(self, s: np.ndarray, t: np.ndarray) -> np.ndarray:
        """Per organisation v, the weighted count of ordered pairs (x in s, y in t) that v
        separates: x and y connected, in different pieces of the network without v (so
        x, y != v and x != y); every shortest x-y path passes through v."""
        n = self.n
        sub_s, sub_t = self.subtree(s), self.subtree(t)
        comp_s, comp_t = sub_s[self.root], sub_t[self.root]
        pieces = np.zeros(n)
        kids = np.arange(n, n + self.nb)
        np.add.at(pieces, self.parent[kids], sub_s[kids] * sub_t[kids])
        pieces += (comp_s - sub_s[:n]) * (comp_t - sub_t[:n])
        out: np.ndarray = (comp_s - s) * (comp_t - t) - pieces
        return out

    def hanging(self, block: int, weight: np.ndarray, sub: np.ndarray) -> np.ndarray:
        """For each organisation x of the block, the weight of the organisations that reach
        the block through x (x's piece away from the block, x included); sub: subtree(weight)."""
        members, node = self.blocks[block], self.n + block
        up = self.parent[node]
        out: np.ndarray = np.where(members == up, sub[self.root[up]] - sub[node], sub[members])
        return out


def _decomposed(graph: ig.Graph, src: list[int], dst: list[int], size: list[int],
                member: list[int], budget: int, seed: int
                ) -> tuple[np.ndarray, np.ndarray, int, int]:
    """Scores with their standard errors, the number of units (searches from organisations of
    the blocks that are not cliques) and how many were made: the pairs each organisation
    separates counted exactly, the rest from the units, all when they fit `budget`, else a
    seeded Poisson sample (see the module's description)."""
    n = graph.vcount()
    tree = _BlockCutTree(graph, member)
    ind_s, ind_t = np.zeros(n), np.zeros(n)
    ind_s[src], ind_t[dst] = 1.0, 1.0
    scores = tree.separated(ind_s, ind_t)
    sub_s, sub_t = tree.subtree(ind_s), tree.subtree(ind_t)
    # A search from an organisation x of an open block B towards T, scaled by the S weight
    # behind x (its piece away from B, x included), gives the pairs entering B at x and
    # leaving it elsewhere, with their share of paths through each other member v of B, once
    # the pairs that v separates (the T weight behind v, v excluded) are taken off
    entries: dict[int, list[tuple[int, float, np.ndarray]]] = {}
    routed: dict[int, float] = {}
    for b in tree.open.tolist():
        members = tree.blocks[b]
        hs, ht = tree.hanging(b, ind_s, sub_s), tree.hanging(b, ind_t, sub_t)
        behind = ht - ind_t[members]
        total_t = float(ht.sum())
        for x, ws, wt in zip(members.tolist(), hs.tolist(), ht.tolist(), strict=True):
            if ws * (total_t - wt) > 0:  # pairs (s, t) entering B at x, leaving elsewhere
                entries.setdefault(x, []).append((b, ws, behind))
                # at most ws x total_t of them: the unit's size (the same factor for every
                # unit of a block, so that their searches share igraph calls)
                routed[x] = routed.get(x, 0.0) + ws * total_t
    units = sorted(routed)
    cost = np.array([size[member[x]] for x in units], dtype=float)
    chance = _inclusion(np.array([routed[x] for x in units]), cost, budget)
    rng = random.Random(seed)
    picked = [(x, p) for x, p in zip(units, chance.tolist(), strict=True) if rng.random() < p]
    if len(picked) == len(units):  # every search made: the exact answer
        picked = [(x, 1.0) for x in units]
    # Searches that share a component, blocks and weights (weight / chance per block) are one
    # igraph call (a call's setup costs about a search). The sampled ones are spread over
    # `_GROUPS` random groups, whose estimates' spread gives the variance (random groups:
    # Wolter, "Introduction to variance estimation", ch. 2); the certain ones are group -1.
    calls: dict[tuple[int, int, tuple[tuple[int, float], ...]], list[int]] = {}
    for x, p in picked:
        group = -1 if p >= 1.0 else rng.randrange(_GROUPS)
        key = tuple((b, ws / p) for b, ws, _ in entries[x])
        calls.setdefault((member[x], group, key), []).append(x)
    comp = np.asarray(member, dtype=np.int64)
    order = np.argsort(comp, kind="stable")
    first = np.searchsorted(comp[order], np.arange(len(size) + 1))
    behind_of = {b: behind for x, _ in picked for b, _, behind in entries[x]}
    rest, per_group = np.zeros(n), np.zeros((_GROUPS, n))
    local = np.full(n, -1, dtype=np.int64)
    by_component: dict[int, list[tuple[int, tuple[tuple[int, float], ...], list[int]]]] = {}
    for (c, group, key), xs in calls.items():
        by_component.setdefault(c, []).append((group, key, xs))
    for c in sorted(by_component):
        verts = order[first[c]:first[c + 1]]
        local[verts] = np.arange(len(verts))
        sub = graph.induced_subgraph(verts.tolist())
        ends = local[[t for t in dst if member[t] == c]].tolist()
        for group, key, xs in by_component[c]:
            area = (tree.blocks[key[0][0]] if len(key) == 1 else
                    np.unique(np.concatenate([tree.blocks[b] for b, _ in key])))
            through = np.zeros(n)
            through[area] = 2 * np.asarray(sub.betweenness(
                vertices=local[area].tolist(), directed=False,
                sources=local[xs].tolist(), targets=ends))
            z = np.zeros(n)
            for b, factor in key:
                members, behind = tree.blocks[b], behind_of[b]
                z[members] += factor * (through[members] - len(xs) * behind)
                # a search's own organisation gets nothing from it: put back its -behind
                z[xs] += factor * behind[np.searchsorted(members, xs)]
            if group < 0:
                rest += z
            else:
                per_group[group] += z
    total = per_group.sum(axis=0)
    rest += total
    var = _GROUPS / (_GROUPS - 1) * ((per_group - total / _GROUPS) ** 2).sum(axis=0)
    scores += rest
    return scores, np.sqrt(var), len(units), len(picked)


def _inclusion(size: np.ndarray, cost: np.ndarray, budget: int) -> np.ndarray:
    """Inclusion chances proportional to size, capped at 1 (the largest units are taken for
    certain), whose expected cost is the budget, and covering at least `_MIN_SEARCHES` units
    in expectation; all 1 when every unit fits the budget."""
    if float(cost.sum()) <= budget or len(size) <= _MIN_SEARCHES:
        return np.ones(len(size))
    chance = np.zeros(len(size))
    sure = np.zeros(len(size), dtype=bool)
    for _ in range(len(size)):  # water-filling: cap at 1, share the rest by size
        left = budget - float(cost[sure].sum())
        free = ~sure
        scale = left / float((size[free] * cost[free]).sum())
        # at least _MIN_SEARCHES units expected
        scale = max(scale, (_MIN_SEARCHES - int(sure.sum())) / float(size[free].sum()))
        chance = np.where(sure, 1.0, np.minimum(1.0, scale * size))
        capped = free & (chance >= 1.0)
        if not capped.any():
            break
        sure |= capped
    return chance
