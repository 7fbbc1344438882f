"""The embedded backend's research aggregates, as sparse products and array passes over the
works of the serving index (`ttkg.graph.indexing.compute._works`): a research field's works
are a row of the field x work matrix (the taxonomy closure is stored), an organisation's
counts a product with the work x organisation matrix, and co-authorship the stored
(pair, work) arrays, grouped by pair, restricted to the selection by a mask. The answers are
the reference answers (`ttkg.graph.backends.research`), without a Python loop per work or
pair.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from ttkg.core.arrays import distinct
from ttkg.core.model import NodeLabel
from ttkg.graph.backends.contract import CoOwnershipRow, Filters, ResearchCounts, Side, WorkRef
from ttkg.graph.backends.memory.bridges import passes
from ttkg.graph.backends.memory.index import IntArray, MemoryIndex
from ttkg.graph.indexing import Csr

if TYPE_CHECKING:
    from ttkg.graph.backends.memory.backend import MemoryBackend

__all__ = ["WorkArrays"]

BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True, repr=False)
class WorkArrays:
    """Works (rows: position - off) and research fields (rows: position - r_off)."""

    off: int
    n: int
    r_off: int
    year: npt.NDArray[np.int32]  # (works,) publication year, -1 when unknown
    wo: Csr  # work x organisation, 0/1
    ow: Csr  # organisation x work
    ow_ranked: IntArray  # ow.indices, newest first within each row
    rw: Csr  # research field x work: 1 where the work is in the field (closure)
    is_field: BoolArray  # (research fields,) of level `field`
    co_counts: Csr  # organisation x organisation: co-authored works
    pair_keys: IntArray  # unordered pair key lo * organisations + hi, ascending
    pair_works: IntArray  # its works, newest first within a key
    research_ids: list[str]  # (research fields,) node ids
    research_rank: IntArray  # (research fields,) place in id order

    @classmethod
    def load(cls, index: MemoryIndex) -> WorkArrays:
        data, nodes = index.data, index.nodes
        a = data.array
        r_off = nodes.offset[NodeLabel.RESEARCH_FIELD]
        research = list(nodes.ids[r_off : r_off + nodes.tables[NodeLabel.RESEARCH_FIELD].num_rows])
        rank = np.empty(len(research), np.int64)
        rank[np.argsort(np.array(research, dtype=object), kind="stable")] = np.arange(len(research))
        return cls(
            nodes.offset[NodeLabel.WORK],
            nodes.tables[NodeLabel.WORK].num_rows,
            nodes.offset[NodeLabel.RESEARCH_FIELD],
            a("work.year"),
            data.csr("wo"),
            data.csr("ow"),
            a("ow_ranked"),
            data.csr("rw"),
            a("research.is_field"),
            data.csr("cw.counts"),
            a("cw.pair_keys"),
            a("cw.pair_works"),
            research,
            rank,
        )


def _years(b: MemoryBackend, filters: Filters) -> BoolArray | None:
    if filters.year_from is None and filters.year_to is None:
        return None
    key = ("work_years", filters.year_from, filters.year_to)
    return b._cached(key, lambda: _year_mask(b, filters))


def _year_mask(b: MemoryBackend, filters: Filters) -> BoolArray:
    year = b.work_arrays.year
    keep = year >= 0
    if filters.year_from is not None:
        keep &= year >= filters.year_from
    if filters.year_to is not None:
        keep &= year <= filters.year_to
    return keep


def works_mask(b: MemoryBackend, field_id: str | None, filters: Filters) -> BoolArray | None:
    """Works in a research field (any when None), years filtered; None when nothing
    restricts them."""
    if field_id is None:
        return _years(b, filters)
    return field_works(b, field_id, filters)


def field_works(b: MemoryBackend, field_id: str, filters: Filters) -> BoolArray:
    """Works in a research field, years filtered (cached; callers must not modify)."""
    key = ("works", field_id, filters.year_from, filters.year_to)
    return b._cached(key, lambda: _field_works(b, field_id, filters))


def _field_works(b: MemoryBackend, field_id: str, filters: Filters) -> BoolArray:
    w = b.work_arrays
    mask = np.zeros(w.n, dtype=bool)
    i = b.index.nodes.position.get(field_id)
    if i is not None and b.index.nodes.label(i) is NodeLabel.RESEARCH_FIELD:
        r = i - w.r_off
        mask[w.rw.indices[w.rw.indptr[r] : w.rw.indptr[r + 1]]] = True
    years = _years(b, filters)
    return mask if years is None else mask & years


def research_org_counts(b: MemoryBackend, field_id: str, filters: Filters) -> IntArray:
    """Works per organisation row in a research field (years filtered)."""
    key = ("research_orgs", field_id, filters.year_from, filters.year_to)

    def compute() -> IntArray:
        mask = field_works(b, field_id, filters)
        return np.asarray(b.work_arrays.ow.matrix @ mask.astype(np.int32), dtype=np.int64)

    return b._cached(key, compute)


def _side_counts(b: MemoryBackend, side: Side, years: Filters) -> IntArray:
    if not isinstance(side, str):  # a technology selection
        return b._org_counts(side, years)
    return research_org_counts(b, side, years)


def research_direct(
    b: MemoryBackend, a: Side, c: Side, filters: Filters, min_count: int, offset: int, limit: int
) -> tuple[int, list[tuple[str, int, int]]]:
    years = filters.years_only()
    ca, cb = _side_counts(b, a, years), _side_counts(b, c, years)
    return b._rank_direct(ca, cb, filters, min_count, offset, limit)


def _grouped(keys: IntArray, *weights: npt.NDArray[np.int64]) -> tuple[IntArray, list[IntArray]]:
    """Distinct keys of an ascending key array, with each weight summed per key."""
    if not len(keys):
        return keys, [np.empty(0, np.int64) for _ in weights]
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    return keys[starts], [np.add.reduceat(w, starts).astype(np.int64) for w in weights]


def _work_pairs(
    b: MemoryBackend, mask: BoolArray, *sides: BoolArray
) -> tuple[IntArray, list[IntArray]]:
    """Pairs co-authoring works in mask: keys, works in mask, then works in each side."""
    w = b.work_arrays
    inside = mask[w.pair_works]
    keys, works = w.pair_keys[inside], w.pair_works[inside]
    ones = np.ones(len(keys), np.int64)
    return _grouped(keys, ones, *(s[works].astype(np.int64) for s in sides))


def _pair_counts(b: MemoryBackend, a: Side, c: Side, years: Filters) -> IntArray:
    """(4, pairs) int64: key, count, count_a, count_b of the pairs a partnership bridge
    between a and c counts (years filtered, organisation filters not applied)."""
    n = b.index.orgs.n
    if isinstance(a, str) and isinstance(c, str):
        sa, sc = field_works(b, a, years), field_works(b, c, years)
        keys, (count, count_a, count_b) = _work_pairs(b, sa | sc, sa, sc)
        in_a, in_b = research_org_counts(b, a, years) > 0, research_org_counts(b, c, years) > 0
        x, y = keys // n, keys % n
        ok = (in_a[x] & in_b[y]) | (in_b[x] & in_a[y])
        return np.stack([keys[ok], count[ok], count_a[ok], count_b[ok]])
    research_first = isinstance(a, str)
    r, t = (a, c) if research_first else (c, a)
    assert isinstance(r, str) and not isinstance(t, str)
    sr = field_works(b, r, years)
    in_r, in_t = research_org_counts(b, r, years) > 0, b._org_counts(t, years) > 0
    wkeys, (nw,) = _work_pairs(b, sr)
    wok = in_t[wkeys // n] | in_t[wkeys % n]  # one of them patents in t
    co = b.index.co
    once = co.pp_x < co.pp_y
    inside = b._selection(t, years)[co.pp_patent[once]]
    pkeys, (npat,) = _grouped(
        np.sort(co.pp_x[once][inside] * n + co.pp_y[once][inside]),
        np.ones(int(inside.sum()), np.int64),
    )
    pok = in_r[pkeys // n] | in_r[pkeys % n]  # one of them publishes in r
    n_wok = int(wok.sum())
    keys, inverse = np.unique(np.concatenate([wkeys[wok], pkeys[pok]]), return_inverse=True)
    n_w = np.bincount(inverse[:n_wok], weights=nw[wok], minlength=len(keys)).astype(np.int64)
    n_p = np.bincount(inverse[n_wok:], weights=npat[pok], minlength=len(keys)).astype(np.int64)
    count_a, count_b = (n_w, n_p) if research_first else (n_p, n_w)
    return np.stack([keys, n_w + n_p, count_a, count_b])


def research_partnerships(
    b: MemoryBackend, a: Side, c: Side, filters: Filters, min_count: int, offset: int, limit: int
) -> tuple[int, list[tuple[str, str, int, int, int]]]:
    from ttkg.graph.backends.memory.backend import first_ranked

    orgs, years = b.index.orgs, filters.years_only()
    n = orgs.n
    # per pair of sides and years, like the selections and organisation counts
    pairs = b._cached(
        ("research_pairs", a, c, years.year_from, years.year_to),
        lambda: _pair_counts(b, a, c, years),
    )
    keys, count, count_a, count_b = pairs
    x, y = keys // n, keys % n
    ok = np.ones(len(keys), dtype=bool)
    ok &= count >= max(min_count, 1)
    side = b._side_mask(filters.countries, filters.kinds)
    partner = b._side_mask(filters.partner_countries, filters.partner_kinds)
    forward = passes(side, x) & passes(partner, y)
    backward = passes(side, y) & passes(partner, x)
    ok &= forward | backward
    swap = ~forward | (backward & (orgs.rank[y] < orgs.rank[x]))
    x, y = np.where(swap, y, x)[ok], np.where(swap, x, y)[ok]
    count, count_a, count_b = count[ok], count_a[ok], count_b[ok]
    both = count_a + count_b
    score = -(count * (int(both.max(initial=0)) + 1) + both)
    order = first_ranked(offset + limit, [score, orgs.rank[x], orgs.rank[y]])[offset:]
    return len(x), [
        (orgs.ids[x[i]], orgs.ids[y[i]], int(count[i]), int(count_a[i]), int(count_b[i]))
        for i in order
    ]


def _refs(
    b: MemoryBackend, ranked: IntArray, keep: BoolArray | None, limit: int
) -> tuple[int, list[WorkRef]]:
    if keep is not None:
        ranked = ranked[keep[ranked]]
    off = b.work_arrays.off
    # by position: the work's node record (cached) without looking its id up
    return len(ranked), [WorkRef.of_node(b._record(off + int(w))) for w in ranked[: max(limit, 0)]]


def org_works(
    b: MemoryBackend, org_id: str, field_id: str | None, filters: Filters, limit: int
) -> tuple[int, list[WorkRef]]:
    o = b.index.org_row(org_id)
    if o is None:
        return 0, []
    w = b.work_arrays
    ranked = w.ow_ranked[w.ow.indptr[o] : w.ow.indptr[o + 1]]
    return _refs(b, ranked, works_mask(b, field_id, filters.years_only()), limit)


def co_authored_works(
    b: MemoryBackend,
    org_a: str,
    org_b: str,
    field_ids: Sequence[str],
    filters: Filters,
    limit: int,
) -> tuple[int, list[WorkRef]]:
    ix, w = b.index, b.work_arrays
    x, y = ix.org_row(org_a), ix.org_row(org_b)
    if x is None or y is None:
        return 0, []
    years = filters.years_only()
    keep: BoolArray | None = None
    for f in field_ids:
        m = field_works(b, f, years)
        keep = m if keep is None else keep | m
    if not field_ids:
        keep = works_mask(b, None, years)
    if x == y:
        ranked = w.ow_ranked[w.ow.indptr[x] : w.ow.indptr[x + 1]]
    else:
        key = min(x, y) * ix.orgs.n + max(x, y)
        lo, hi = np.searchsorted(w.pair_keys, [key, key + 1])
        ranked = w.pair_works[lo:hi]
    return _refs(b, ranked, keep, limit)


def research_profile_counts(
    b: MemoryBackend, field_id: str, filters: Filters, limit: int
) -> ResearchCounts:
    import scipy.sparse as sp  # products of matrices: imported by the queries that need them

    from ttkg.graph.backends.memory.backend import first_ranked

    ix, w = b.index, b.work_arrays
    orgs = ix.orgs
    years = filters.years_only()
    selected = field_works(b, field_id, years)
    rows = np.flatnonzero(selected)
    sub = w.wo.matrix[rows]
    org_mask = b._org_mask(filters)
    if org_mask is not None:
        sub = sub @ sp.diags(org_mask.astype(np.int32), dtype=np.int32)
        sub.eliminate_zeros()
    counted = np.diff(sub.indptr) > 0  # works with a passing organisation
    sub = sub[counted].tocsr()
    works = rows[counted]
    per_org = np.bincount(sub.indices, minlength=orgs.n).astype(np.int64)
    # countries: distinct (work, country) of the located organisations
    work_of = np.repeat(np.arange(sub.shape[0]), np.diff(sub.indptr))
    located = orgs.located[sub.indices]
    n_codes = len(orgs.countries)
    pairs = distinct(work_of[located] * n_codes + orgs.country[sub.indices[located]])
    per_country = np.bincount(pairs % n_codes, minlength=n_codes).astype(np.int64)
    # OpenAlex fields (level field) the works are in, the field itself excluded
    in_works = np.zeros(w.n, dtype=np.int32)
    in_works[works] = 1
    per_research = np.asarray(w.rw.matrix @ in_works, dtype=np.int64)
    per_research[~w.is_field] = 0
    own = ix.nodes.position.get(field_id)
    if own is not None and 0 <= own - w.r_off < len(per_research):
        per_research[own - w.r_off] = 0
    # WIPO fields: the publishing organisations (passing) with patents there, years filtered
    publishing = np.flatnonzero(per_org)
    patents = b._year_mask(years)
    if patents is None:
        held = ix.incidence.of.matrix[publishing]
    else:
        held = (
            ix.incidence.op.matrix[publishing]
            @ sp.diags(patents.astype(np.int32), dtype=np.int32)
            @ ix.incidence.pf.matrix
        ).tocsr()
    per_field = np.bincount(held.indices[held.data > 0], minlength=held.shape[1])
    wipo = sorted(
        (-int(per_field[f]), fid)
        for f, fid in enumerate(ix.fields.ids)
        if per_field[f] and fid.startswith("wipo:field:")
    )

    def top(counts: IntArray, rank: IntArray, names: Sequence[str]) -> list[tuple[str, int]]:
        cand = np.flatnonzero(counts)
        first = first_ranked(limit, [-counts[cand], rank[cand]])
        return [(names[int(cand[i])], int(counts[cand[i]])) for i in first]

    codes = np.arange(n_codes, dtype=np.int64)
    return ResearchCounts(
        len(works),
        top(per_org, orgs.rank, orgs.ids),
        top(per_country, codes, orgs.countries),
        top(per_research, w.research_rank, w.research_ids),
        [(fid, -n) for n, fid in wipo[: max(limit, 0)]],
    )



def co_authored_arrays(
    b: MemoryBackend, research: Sequence[str] | None, filters: Filters
) -> tuple[IntArray, IntArray, IntArray]:
    """(work, x, y) rows of `co_authorships`, unordered: both orientations of every pair of a
    work in the selection, kept where the sides pass (as `co_ownerships` keeps co-owned
    patents' pairs)."""

    w, orgs = b.work_arrays, b.index.orgs
    if research is not None and not research:
        return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.int64)
    mask = _years(b, filters) if research is None else np.logical_or.reduce(
        [field_works(b, r, filters) for r in research])
    keys, works = w.pair_keys, w.pair_works
    if mask is not None:
        keep = mask[works]
        keys, works = keys[keep], works[keep]
    lo, hi = keys // orgs.n, keys % orgs.n
    x, y, works = np.concatenate([lo, hi]), np.concatenate([hi, lo]), np.concatenate([works,
                                                                                     works])
    side = b._side_mask(filters.countries, filters.kinds)
    partner = b._side_mask(filters.partner_countries, filters.partner_kinds)
    forward = passes(side, x) & passes(partner, y)
    backward = passes(side, y) & passes(partner, x)
    ok = forward & (~backward | (orgs.rank[x] < orgs.rank[y]))
    return works[ok], x[ok], y[ok]


def co_authorships(
    b: MemoryBackend, research: Sequence[str] | None, filters: Filters
) -> list[CoOwnershipRow]:
    """The contract's `co_authorships` over the co-authoring pairs' arrays, ordered by work,
    then x, then y."""
    w, orgs = b.work_arrays, b.index.orgs
    works, x, y = co_authored_arrays(b, research, filters)
    order = np.lexsort((orgs.rank[y], orgs.rank[x], work_rank(b)[works]))  # work, x, y
    x, y, works = x[order], y[order], works[order]
    ids = b.index.nodes.ids.take(works + w.off)
    names: list[str | None] = [c or None for c in orgs.countries]
    country = np.where(orgs.located, orgs.country, -1)
    out: list[CoOwnershipRow] = [
        (i, yr if yr >= 0 else None, orgs.ids[a], orgs.ids[c],
         names[d] if d >= 0 else None, names[e] if e >= 0 else None)
        for i, yr, a, c, d, e in zip(ids, w.year[works].tolist(), x.tolist(), y.tolist(),
                                     country[x].tolist(), country[y].tolist(), strict=True)
    ]
    return out


def work_rank(b: MemoryBackend) -> IntArray:
    """Each work row's place in id order (cached)."""
    def compute() -> IntArray:
        w = b.work_arrays
        ids = np.array(list(b.index.nodes.ids.take(np.arange(w.n) + w.off)), dtype=object)
        rank = np.empty(w.n, np.int64)
        rank[np.argsort(ids, kind="stable")] = np.arange(w.n)
        return rank

    return b._cached(("work_rank",), compute)
