"""The entity graph the path search walks, as arrays: each relation's hops, and the walk
matrices of the relation sets a path query walks unless told otherwise.

The build computes them (`compute_index`) and the backend maps them at open, so that the
first path query of a process answers in its normal time: at 9.1M patents, building them at
that query cost 4.8 s of CPU and ran past the query's time budget. Relations are named by
their names (the values of `ttkg.graph.backends.contract.Relation`, which this floor cannot
import); a walk's relation codes index the names in sorted order, so that equal weights
prefer the relation whose name sorts first.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from ttkg.graph.indexing.data import Csr

__all__ = ["STORED_WALKS", "Hops", "Walk", "build_walk", "by_node", "walk_arrays"]

IntArray = npt.NDArray[np.int64]
#: The walks the build stores: over every relation, and over every one but co-authorship
#: (what a path query walks when no relations are named: the contract's `DEFAULT_VIA`).
STORED_WALKS: Final = {"all": frozenset[str](), "default": frozenset({"CO_AUTHORED"})}


@dataclass(frozen=True)
class Hops:
    """The hops of one relation in stored orientation, as local node indices, and the hops
    by node (either end): rows `by_node[node_ptr[i]:node_ptr[i + 1]]` touch node i."""

    src: IntArray
    dst: IntArray
    weight: IntArray
    by_node: IntArray
    node_ptr: IntArray


@dataclass(frozen=True)
class Walk:
    """The entity graph over some relations: symmetric CSR of the strongest weight between
    two nodes (rows read as arrays), with that hop's relation code (its name's place in the
    sorted names of every relation stored) and whether the row is its source."""

    weight: Csr
    relation: npt.NDArray[np.int8]  # aligned with weight.data
    row_is_src: npt.NDArray[np.bool_]


def by_node(src: IntArray, dst: IntArray, n: int) -> tuple[IntArray, IntArray]:
    """Rows of hops by node, either end (a hop from a node to itself once), and each node's
    first place: the incidence `Hops.by_node`, `Hops.node_ptr`."""
    ends = np.concatenate([src, dst])
    rows = np.concatenate([np.arange(len(src))] * 2)
    keep = np.concatenate([np.ones(len(src), bool), src != dst])
    ends, rows = ends[keep], rows[keep]
    order = np.argsort(ends, kind="stable")
    ptr = np.zeros(n + 1, np.int64)
    np.cumsum(np.bincount(ends, minlength=n), out=ptr[1:])
    return rows[order].astype(np.int64), ptr


def build_walk(
    parts: Mapping[str, Hops], names: list[str], via: Collection[str], n: int
) -> Walk:
    """The walk over the relations `via` (names; those without hops are left out): per pair
    of nodes (both orientations), the strongest hop, then the relation whose name sorts
    first, then the stored direction. One stable sort by pair, then the best of the few
    pairs held by several hops; not a lexsort of five keys (3.6 s at 9.1M patents)."""
    code = {name: i for i, name in enumerate(names)}
    used = sorted((r for r in via if r in parts), key=code.__getitem__)
    if not used or not sum(len(parts[r].src) for r in used):
        none = np.empty(0, np.int64)
        empty = Csr(none, none.astype(np.int32), np.zeros(n + 1, np.int64), (n, n))
        return Walk(empty, np.empty(0, np.int8), np.empty(0, bool))
    rows, cols, weights, codes, forward = [], [], [], [], []
    for rel in used:
        p = parts[rel]
        c = np.full(len(p.src), code[rel], np.int8)
        for r, col, is_src in ((p.src, p.dst, True), (p.dst, p.src, False)):
            rows.append(r)
            cols.append(col)
            weights.append(p.weight)
            codes.append(c)
            forward.append(np.full(len(r), is_src))
    row, col = np.concatenate(rows).astype(np.int64), np.concatenate(cols).astype(np.int64)
    w, rel_code = np.concatenate(weights).astype(np.int64), np.concatenate(codes)
    fwd = np.concatenate(forward)
    order = np.argsort(row * n + col, kind="stable")
    row, col, w, rel_code, fwd = row[order], col[order], w[order], rel_code[order], fwd[order]
    new = np.ones(len(row), bool)
    new[1:] = (row[1:] != row[:-1]) | (col[1:] != col[:-1])
    keep = new.copy()
    shared = np.flatnonzero(~new)
    if len(shared):  # pairs held by several hops: keep each one's best
        group = np.cumsum(new) - 1
        many = np.zeros(int(group[-1]) + 1, bool)
        many[group[shared]] = True
        members = np.flatnonzero(many[group])
        keep[members] = False
        best = np.lexsort((~fwd[members], rel_code[members], -w[members], group[members]))
        ranked = members[best]
        first = np.ones(len(ranked), bool)
        first[1:] = group[ranked][1:] != group[ranked][:-1]
        keep[ranked[first]] = True
    row, col, w, rel_code, fwd = row[keep], col[keep], w[keep], rel_code[keep], fwd[keep]
    indptr = np.zeros(n + 1, np.int64)
    np.cumsum(np.bincount(row, minlength=n), out=indptr[1:])
    return Walk(Csr(w, col.astype(np.int32), indptr, (n, n)), rel_code, fwd)


def walk_arrays(name: str, walk: Walk) -> dict[str, npt.NDArray[Any]]:
    """A walk's arrays as the index stores them (`<name>.data`, `.indices`, `.indptr`,
    `.relation`, `.row_is_src`)."""
    m = walk.weight
    return {
        f"{name}.data": m.data,
        f"{name}.indices": m.indices,
        f"{name}.indptr": m.indptr,
        f"{name}.relation": walk.relation,
        f"{name}.row_is_src": walk.row_is_src,
    }
