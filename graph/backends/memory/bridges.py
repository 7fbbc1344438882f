"""Bridges between two stored selections (`ttkg.graph.indexing.bridges`): exact answers
from stored rows, without passing over every organisation or co-owned patent.

Totals are counts of packed bits (active in both fields; a pair co-owning a patent in either,
one member active in each), a few kilobytes per query. The page is found by a threshold
scan (Fagin's threshold algorithm) down the stored rankings of the two selections: the
candidates are what the first d entries of either ranking name, each counted exactly; an
entry below depth d in both counts at most `bound` (min of the two counts at depth d for an
organisation, their sum for a pair), so once the page's last item ranks strictly above that
bound no other can enter it, and the page is exact (ties with it included: the bound is
strict). Otherwise d grows, and past a quarter of the rankings every eligible candidate is
counted at once.

Used for organisation-level queries without a year filter and with `min_count` 1, both sides
a stored selection; anything else is computed by the backend as without stored selections.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import numpy.typing as npt

from ttkg.core.arrays import in_sorted
from ttkg.graph.backends.contract import FieldSet, FieldSpec, Filters, field_parts
from ttkg.graph.indexing.bridges import HAS, X_ACTIVE, Y_ACTIVE, StoredBridges

if TYPE_CHECKING:
    from ttkg.graph.backends.memory.backend import MemoryBackend

__all__ = [
    "distinct",
    "marked_rows",
    "org_evidence_total",
    "selection_bits",
    "stored_direct",
    "stored_pair",
    "stored_partnerships",
]

IntArray = npt.NDArray[np.int64]
Packed = npt.NDArray[np.uint8]
#: Bits set in each byte value.
_POPCOUNT: Final = np.array([bin(i).count("1") for i in range(256)], dtype=np.int64)
#: First depth of the threshold scan, at least this many per ranking (then 4x each round).
_FIRST_DEPTH: Final = 64


def _count(packed: Packed) -> int:
    return int(_POPCOUNT[packed].sum())


def _bit(packed: Packed, at: IntArray) -> npt.NDArray[np.bool_]:
    """Whether bit `at` of a packed (big-endian, `np.packbits`) vector is set."""
    shift = (7 - (at & 7)).astype(np.uint8)
    found: npt.NDArray[np.bool_] = ((packed[at >> 3] >> shift) & 1).astype(bool)
    return found


def distinct(*arrays: npt.NDArray[Any]) -> IntArray:
    """The values of arrays, once each, ascending (np.unique imports numpy.ma: 28 ms,
    the first time, of a query from a shell)."""
    both = np.sort(np.concatenate(arrays).astype(np.int64))
    out: IntArray = both[np.concatenate(([True], both[1:] != both[:-1]))] if len(both) else both
    return out


#: Rows in a or b at most 1/_SPARSE of all are marked by sorting them, more by a mask of all.
_SPARSE = 16


def marked_rows(rows_a: IntArray, rows_b: IntArray, n: int) -> tuple[IntArray, Packed]:
    """The rows (ascending, of n) in a or in b, both ascending, and a mark for each: 1 in a,
    2 in b, 3 in both. Few rows are merged by sorting them; many by a mask of all n."""
    if (len(rows_a) + len(rows_b)) * _SPARSE > n:
        mark = np.zeros(n, np.uint8)
        mark[rows_a] = 1
        mark[rows_b] |= 2
        rows = np.flatnonzero(mark)
        return rows, mark[rows]
    rows = distinct(rows_a, rows_b)
    code = in_sorted(rows_a, rows).astype(np.uint8)
    code |= in_sorted(rows_b, rows).astype(np.uint8) << 1
    return rows, code


def _one(stored: StoredBridges, spec: FieldSet) -> int | None:
    parts = field_parts(spec)
    if len(parts) != 1:
        return None
    return stored.find(parts[0].kind, parts[0].value, parts[0].node_id)


def stored_pair(
    backend: MemoryBackend, a: FieldSet, b: FieldSet, filters: Filters, min_count: int
) -> tuple[StoredBridges, int, int] | None:
    """(stored, selection of a, selection of b) when both are stored and the query can be
    answered from them: organisation level, no year filter, min_count 1; else None."""
    stored = backend.stored_bridges
    if (stored is None or filters.family or min_count > 1 or filters.year_from is not None
            or filters.year_to is not None):
        return None
    sa, sb = _one(stored, a), _one(stored, b)
    return None if sa is None or sb is None else (stored, sa, sb)


def selection_bits(stored: StoredBridges, specs: list[FieldSpec]) -> np.uint64 | None:
    """The `patent_bits` mask of the union of selections, None unless all are stored."""
    mask = 0
    for spec in specs:
        s = stored.find(spec.kind, spec.value, spec.node_id)
        if s is None:
            return None
        mask |= 1 << s
    return np.uint64(mask)


def _packed_side(backend: MemoryBackend, countries: frozenset[str], kinds: frozenset[str]
                 ) -> Packed | None:
    """An organisation side mask, packed (cached); None when it filters nothing."""
    mask = backend._side_mask(countries, kinds)
    if mask is None:
        return None
    return backend._cached(("packed side", countries, kinds), lambda: np.packbits(mask))


def _deepening(
    lengths: tuple[int, int], k: int, scan: Callable[[int], bool]
) -> None:
    """Call `scan(depth)` at growing depths until it says the page is exact; the last call
    is with every entry of both rankings (depth past both)."""
    longest = max(lengths)
    depth = max(_FIRST_DEPTH, 4 * k)
    while depth < longest // 4:
        if scan(depth):
            return
        depth *= 4
    scan(longest)


def stored_direct(
    backend: MemoryBackend, stored: StoredBridges, sa: int, sb: int, filters: Filters,
    offset: int, limit: int,
) -> tuple[int, list[tuple[str, int, int]]]:
    """`direct_bridges` between stored selections sa and sb (see the module)."""
    orgs = backend.index.orgs
    both = stored.org_active[sa] & stored.org_active[sb]
    side = _packed_side(backend, filters.countries, filters.kinds)
    if side is not None:
        both = both & side
    total = _count(both)
    k = offset + limit
    if total == 0 or k <= 0 or offset >= total:
        return total, []
    rank_a, count_a = stored.ranked_orgs(sa)
    rank_b, count_b = stored.ranked_orgs(sb)
    found: list[tuple[IntArray, IntArray, IntArray]] = []

    def scan(depth: int) -> bool:
        if depth >= max(len(rank_a), len(rank_b)):  # every eligible organisation
            cand = np.flatnonzero(np.unpackbits(both, count=orgs.n))
        else:
            cand = distinct(rank_a[:depth], rank_b[:depth])
            cand = cand[_bit(both, cand)]
        ca, cb = stored.org_count(sa, cand), stored.org_count(sb, cand)
        low = np.minimum(ca, cb)
        order = np.lexsort((orgs.rank[cand], -(ca + cb), -low))[:k]
        found[:] = [(cand[order], ca[order], cb[order])]
        if len(order) < min(k, total):
            return False
        bound = min(_at(count_a, depth), _at(count_b, depth))
        return len(order) == total or bool(low[order[-1]] > bound)

    _deepening((len(rank_a), len(rank_b)), k, scan)
    rows, ca, cb = found[0]
    return total, [
        (orgs.ids[r], int(x), int(y))
        for r, x, y in zip(rows[offset:].tolist(), ca[offset:].tolist(), cb[offset:].tolist(),
                           strict=True)
    ]


def _at(counts: npt.NDArray[Any], depth: int) -> int:
    """The count at a depth of a ranking (0 past its end)."""
    return int(counts[depth]) if depth < len(counts) else 0


def _pair_sides(backend: MemoryBackend, stored: StoredBridges, filters: Filters
                ) -> tuple[Packed | None, npt.NDArray[np.bool_] | None,
                           npt.NDArray[np.bool_] | None]:
    """Pairs passing the sides either way round, packed, and the side and partner masks
    over organisations (None: not filtered)."""
    side = backend._side_mask(filters.countries, filters.kinds)
    partner = backend._side_mask(filters.partner_countries, filters.partner_kinds)
    if side is None and partner is None:
        return None, None, None
    key = ("stored pair sides", filters.countries, filters.kinds, filters.partner_countries,
           filters.partner_kinds)

    def compute() -> Packed:
        x, y = stored.pair_x, stored.pair_y
        fwd = (True if side is None else side[x]) & (True if partner is None else partner[y])
        bwd = (True if side is None else side[y]) & (True if partner is None else partner[x])
        return np.packbits(np.asarray(fwd | bwd, dtype=bool))

    return backend._cached(key, compute), side, partner


def stored_partnerships(
    backend: MemoryBackend, stored: StoredBridges, sa: int, sb: int, filters: Filters,
    offset: int, limit: int,
) -> tuple[int, list[tuple[str, str, int, int, int, int]]]:
    """`partnership_bridges` between stored selections sa and sb (see the module)."""
    orgs = backend.index.orgs
    fa, fb = stored.pair_flags[sa], stored.pair_flags[sb]
    eligible = (fa[HAS] | fb[HAS]) & ((fa[X_ACTIVE] & fb[Y_ACTIVE]) | (fb[X_ACTIVE] & fa[Y_ACTIVE]))
    sides, side, partner = _pair_sides(backend, stored, filters)
    if sides is not None:
        eligible &= sides
    total = _count(eligible)
    k = offset + limit
    if total == 0 or k <= 0 or offset >= total:
        return total, []
    rank_a, count_a = stored.ranked_pairs(sa)
    rank_b, count_b = stored.ranked_pairs(sb)
    found: list[tuple[IntArray, ...]] = []

    def scan(depth: int) -> bool:
        if depth >= max(len(rank_a), len(rank_b)):
            cand = np.flatnonzero(np.unpackbits(eligible, count=stored.n_pairs))
        else:
            cand = distinct(rank_a[:depth], rank_b[:depth])
            cand = cand[_bit(eligible, cand)]
        count, ca, cb = _pair_counts(stored, sa, sb, cand)
        x, y = stored.pair_x[cand].astype(np.int64), stored.pair_y[cand].astype(np.int64)
        px, py = orient_pairs(orgs.rank, side, partner, x, y)
        order = np.lexsort((orgs.rank[py], orgs.rank[px], -(ca + cb), -count))[:k]
        found[:] = [(cand[order], px[order], py[order], count[order], ca[order], cb[order])]
        if len(order) < min(k, total):
            return False
        bound = _at(count_a, depth) + _at(count_b, depth)
        return len(order) == total or bool(count[order[-1]] > bound)

    _deepening((len(rank_a), len(rank_b)), k, scan)
    pairs, px, py, count, ca, cb = (a[offset:] for a in found[0])
    co_owned = stored.pair_start[pairs + 1] - stored.pair_start[pairs]
    return total, [
        (orgs.ids[x], orgs.ids[y], n, a, b, t)
        for x, y, n, a, b, t in zip(px.tolist(), py.tolist(), count.tolist(), ca.tolist(),
                                    cb.tolist(), co_owned.tolist(), strict=True)
    ]


def passes(mask: npt.NDArray[np.bool_] | None, rows: IntArray) -> npt.NDArray[np.bool_]:
    """Whether each organisation row passes a side mask (None: every one does)."""
    return np.ones(len(rows), dtype=bool) if mask is None else mask[rows]


def orient_pairs(
    rank: IntArray, side: npt.NDArray[np.bool_] | None, partner: npt.NDArray[np.bool_] | None,
    x: IntArray, y: IntArray,
) -> tuple[IntArray, IntArray]:
    """Pairs of organisation rows put as (organisation side, partner side): x is the member
    on the organisation side; with no sides, or passing both ways, the first by id."""
    if side is None and partner is None:
        swap = rank[y] < rank[x]
    else:
        forward = passes(side, x) & passes(partner, y)
        backward = passes(side, y) & passes(partner, x)
        swap = ~forward | (backward & (rank[y] < rank[x]))
    return np.where(swap, y, x), np.where(swap, x, y)


def _pair_counts(
    stored: StoredBridges, sa: int, sb: int, pairs: IntArray
) -> tuple[IntArray, IntArray, IntArray]:
    """Co-owned patents of pairs in a or b, in a, in b: the last two stored, the first
    their sum less the patents in both, read from the rows of the pairs in both."""
    ca, cb = stored.pair_count(sa, pairs), stored.pair_count(sb, pairs)
    count = ca + cb
    both = np.flatnonzero((ca > 0) & (cb > 0)) if sa != sb else np.empty(0, np.int64)
    if sa == sb:
        count = ca.copy()
    if len(both):
        starts = stored.pair_start[pairs[both]]
        sizes = stored.pair_start[pairs[both] + 1] - starts
        offsets = np.cumsum(sizes) - sizes
        at = np.arange(int(sizes.sum()), dtype=np.int64) + np.repeat(starts - offsets, sizes)
        mask = np.uint64((1 << sa) | (1 << sb))
        inside = ((stored.pair_bits[at] & mask) == mask).astype(np.int64)
        count[both] -= np.add.reduceat(inside, offsets)
    return count, ca, cb


def org_evidence_total(stored: StoredBridges, spec: FieldSpec, row: int) -> int | None:
    """Patents an organisation row holds in a stored selection (None: not stored)."""
    s = stored.find(spec.kind, spec.value, spec.node_id)
    if s is None:
        return None
    return int(stored.org_count(s, np.array([row], np.int64))[0])

