"""The embedded backend's flows: co-owned patents (and co-authored works) between two sides
counted with array passes over the stored owner pairs, not as Python rows.

The rows are the stored owner pairs of every co-owned patent (co-authored work), both
orientations: a "universe" per kind of item, with what does not depend on the request
computed once (each row's twin, the other orientation; the rows' order by organisation pair
and by (country pair, item)). A request is a mask over the universe: the rows
`co_ownerships` / `co_authorships` report, with the year-by-year membership read from a
(country, year) table per side (a row passing only the other way round is swapped for its
twin). Every count is then a distinct count of keys read in a stored order (a pass, no
sort): a patent with several owners counts once per country pair, selection and year, as
the reference (`ttkg.graph.backends.flowcounts`) counts it. Only the top organisation pairs
and the first country pairs become Python objects.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from ttkg.graph.backends.contract import (
    CountryPairTally,
    FieldSpec,
    Filters,
    FlowCounts,
    FlowTally,
    OrgPairTally,
    Spans,
    YearlyMembership,
)
from ttkg.graph.backends.memory.bridges import passes
from ttkg.graph.backends.memory.index import IntArray

if TYPE_CHECKING:
    from ttkg.graph.backends.memory.backend import MemoryBackend

__all__ = ["patent_flows", "work_flows"]

BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True, repr=False)
class _Universe:
    """Every stored (item, x, y) row of one kind, both orientations, and what the counts read
    (request-independent, built once per backend)."""

    item: IntArray
    x: IntArray
    y: IntArray
    twin: IntArray  # the row of (item, y, x)
    year: IntArray  # per item: year, -1 when unknown
    n_items: int
    by_pair: IntArray  # rows ordered by (x, y)
    pair_key: IntArray  # x * organisations + y, in that order
    by_cp: IntArray  # rows ordered by (country pair, item)
    cp_key: IntArray  # country pair * items + item, in that order


def _universe(b: MemoryBackend, kind: str) -> _Universe:
    """The patents' (stored per-patent owner pairs) or works' (stored co-authoring pairs,
    turned both ways) universe, built on first use."""
    found: _Universe | None = b.flow_universes.get(kind)
    if found is not None:
        return found
    orgs = b.index.orgs
    code, names, _ = _country_codes(b)
    if kind == "patents":
        co = b.index.co
        item, x, y = (a.astype(np.int64) for a in (co.pp_patent, co.pp_x, co.pp_y))
        twin = np.empty(len(item), np.int64)  # rows are in (item, x, y) order: symmetric
        twin[np.lexsort((x, y, item))] = np.arange(len(item))
        year, n_items = b.index.patents.year.astype(np.int64), b.index.patents.n
    else:
        w = b.work_arrays
        lo, hi = w.pair_keys // orgs.n, w.pair_keys % orgs.n
        x, y = np.concatenate([lo, hi]), np.concatenate([hi, lo])
        item = np.concatenate([w.pair_works, w.pair_works]).astype(np.int64)
        m = len(w.pair_keys)
        twin = np.concatenate([np.arange(m, 2 * m), np.arange(m)])
        year, n_items = w.year.astype(np.int64), w.n
    pair = x * orgs.n + y
    by_pair = np.argsort(pair, kind="stable")
    cp = (code[x] * len(names) + code[y]) * n_items + item
    by_cp = np.argsort(cp, kind="stable")
    u = _Universe(item, x, y, twin, year, n_items, by_pair, pair[by_pair], by_cp, cp[by_cp])
    b.flow_universes[kind] = u
    return u


def _country_codes(b: MemoryBackend) -> tuple[IntArray, list[str | None], IntArray]:
    """Per organisation row its country code (one code, the last, for no country), the
    codes' names, and each code's rank in name order (no country last) (cached)."""
    orgs = b.index.orgs
    names: list[str | None] = [c or None for c in orgs.countries] + [None]
    none = len(orgs.countries)
    named = np.array([n is not None for n in names[:-1]] + [False])

    def compute() -> IntArray:
        code = np.where(orgs.located, orgs.country, none).astype(np.int64)
        code[~named[code]] = none
        return code

    def ranks() -> IntArray:
        order = sorted(range(len(names)), key=lambda i: (names[i] is None, names[i] or ""))
        rank = np.empty(len(names), np.int64)
        rank[order] = np.arange(len(names))
        return rank

    return b._cached(("flow_country",), compute), names, b._cached(("flow_crank",), ranks)


def _side_table(b: MemoryBackend, spans: Spans | None, countries: frozenset[str], y0: int,
                years: int) -> BoolArray:
    """(country code, year - y0) -> the country counts for the side that year; the last
    column is for items without a year."""
    orgs = b.index.orgs
    n = len(orgs.countries) + 1
    listed = np.zeros(n, dtype=bool)
    for c in countries:
        i = orgs.country_code(c)
        if i >= 0:
            listed[i] = True
    if spans is None:
        col = np.ones(n, dtype=bool) if not countries else listed
        return np.repeat(col[:, None], years + 1, axis=1)
    table = np.zeros((n, years + 1), dtype=bool)
    for c, lo, hi in spans:
        i = orgs.country_code(c)
        if i < 0:
            continue
        a = 0 if lo is None else max(lo - y0, 0)
        z = years - 1 if hi is None else min(hi - y0, years - 1)
        if a <= z:
            table[i, a : z + 1] = True
    table[:, years] = listed
    return table


def _yearly(b: MemoryBackend, u: _Universe, rows: BoolArray, filters: Filters,
            membership: YearlyMembership) -> BoolArray:
    """The rows that count year by year, a row passing only the other way round swapped for
    its twin when the kinds pass too."""

    code, _, _ = _country_codes(b)
    at = np.flatnonzero(rows)
    x, y = u.x[at], u.y[at]
    year = u.year[u.item[at]]
    known = year >= 0
    y0 = int(year[known].min()) if known.any() else 0
    years = int(year[known].max()) - y0 + 1 if known.any() else 1
    col = np.where(known, year - y0, years)
    origin = _side_table(b, membership.origin, filters.countries, y0, years)
    dest = _side_table(b, membership.destination, filters.partner_countries, y0, years)
    cx, cy = code[x], code[y]
    forward = origin[cx, col] & dest[cy, col]
    turn = ~forward & origin[cy, col] & dest[cx, col]
    if turn.any():
        kinds = b._side_mask(frozenset(), filters.kinds)
        partner = b._side_mask(frozenset(), filters.partner_kinds)
        turn &= passes(kinds, y) & passes(partner, x)
    out = np.zeros(len(rows), dtype=bool)
    out[at[forward]] = True
    out[u.twin[at[turn]]] = True
    return out


def _runs(keys: IntArray) -> IntArray:
    """Start of each run of equal keys (sorted keys), and the end."""
    return np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1], [True])))


def _years_dict(year: IntArray) -> dict[int | None, int]:
    """Items per year (-1: None), by counting into one bin per year."""
    if not len(year):
        return {}
    lo = int(year.min())
    counts = np.bincount(year - lo)
    at = np.flatnonzero(counts)
    return {(int(v) if v >= 0 else None): int(n)
            for v, n in zip((at + lo).tolist(), counts[at].tolist(), strict=True)}


def _tally(u: _Universe, selected: list[BoolArray], items: IntArray,
           per_selection_year: bool = False) -> FlowTally:
    """Distinct items counted."""
    year = u.year[items]
    bits = [sel[items] for sel in selected]
    return FlowTally(
        len(items), _years_dict(year), tuple(int(b.sum()) for b in bits),
        tuple(_years_dict(year[b]) for b in bits) if per_selection_year else (),
    )


def _country_pairs(u: _Universe, selected: list[BoolArray], group: IntArray, items: IntArray,
                   order: IntArray, by_year: bool, keys: IntArray, orgs: IntArray,
                   names: list[str | None]) -> list[CountryPairTally]:
    """The tallies of the country pairs `order` picks (`items`: distinct per country pair,
    `group` the pair's place in `keys`, ascending), counted per selection and (with
    `by_year`) per year for all of them at once: one pass, not one per pair."""
    nc = len(names)
    size = np.bincount(group, minlength=len(keys))[order].tolist()
    per_sel = [np.bincount(group, weights=sel[items], minlength=len(keys))[order]
               .astype(np.int64).tolist() for sel in selected]
    per_year: list[dict[int | None, int]] = [{} for _ in size]
    if by_year:
        place = np.full(len(keys), -1, np.int64)
        place[order] = np.arange(len(order))
        mine = place[group] >= 0
        year = u.year[items[mine]]
        at = place[group[mine]]
        known = year >= 0
        y0 = int(year[known].min()) if known.any() else 0
        span = (int(year[known].max()) - y0 + 2) if known.any() else 1
        cells = np.bincount(at * span + np.where(known, year - y0, span - 1),
                            minlength=len(order) * span)
        hit = np.flatnonzero(cells)  # ascending: by shown pair, then year
        year_of = [(y0 + s if s < span - 1 else None) for s in range(span)]
        for i, s, n in zip((hit // span).tolist(), (hit % span).tolist(), cells[hit].tolist(),
                           strict=True):
            per_year[i][year_of[s]] = n
    cp, n_orgs = keys[order].tolist(), orgs[order].tolist()
    return [CountryPairTally(names[cp[i] // nc], names[cp[i] % nc], n_orgs[i],
                             FlowTally(size[i], per_year[i], tuple(sel[i] for sel in per_sel)))
            for i in range(len(cp))]


def _count(b: MemoryBackend, u: _Universe, rows: BoolArray, selected: list[BoolArray],
           limit: int, country_limit: int, evidence: int, item_rank: IntArray | None,
           by_year: bool) -> FlowCounts:
    """The rows of the universe a request keeps, counted as `flowcounts.count_rows` counts
    them: distinct keys read in the universe's stored orders."""
    from ttkg.graph.backends.memory.backend import first_ranked

    orgs = b.index.orgs
    if not rows.any():
        return FlowCounts(FlowTally(0, {}, tuple(0 for _ in selected),
                                    tuple({} for _ in selected)), 0, (), ())
    code, names, crank = _country_codes(b)
    nc = len(names)
    # organisation pairs: rows are distinct per (item, x, y), so a pair's items are its rows
    in_pairs = rows[u.by_pair]
    pair_rows, pair_keys = u.by_pair[in_pairs], u.pair_key[in_pairs]
    edges = _runs(pair_keys)
    keys, sizes = pair_keys[edges[:-1]], np.diff(edges)
    xs, ys = keys // orgs.n, keys % orgs.n
    cp_orgs = np.bincount(code[xs] * nc + code[ys], minlength=nc * nc)
    # country pairs: distinct (country pair, item), ascending
    cp_item = u.cp_key[rows[u.by_cp]]
    cp_item = cp_item[_runs(cp_item)[:-1]]
    cpair, items = cp_item // u.n_items, cp_item % u.n_items
    starts = _runs(cpair)
    cp_keys, cp_items = cpair[starts[:-1]], np.diff(starts)
    order = np.lexsort((crank[cp_keys % nc], crank[cp_keys // nc], -cp_items))[:country_limit]
    countries = _country_pairs(u, selected, np.repeat(np.arange(len(cp_keys)), cp_items),
                               items, order, by_year, cp_keys, cp_orgs[cp_keys], names)
    # the top organisation pairs: most items, then by ids
    top = first_ranked(limit, [-sizes, orgs.rank[xs], orgs.rank[ys]])
    pairs = []
    for k in top.tolist():
        mine = u.item[pair_rows[edges[k] : edges[k + 1]]]
        shown: tuple[str, ...] = ()
        if evidence and item_rank is not None:
            newest = np.lexsort((item_rank[mine], -u.year[mine]))[:evidence]
            shown = tuple(b.index.nodes.ids.take(mine[newest] + b.work_arrays.off))
        pairs.append(OrgPairTally(orgs.ids[int(xs[k])], orgs.ids[int(ys[k])],
                                  _tally(u, selected, mine), shown))
    seen = np.zeros(u.n_items, dtype=bool)
    seen[u.item[rows]] = True
    return FlowCounts(_tally(u, selected, np.flatnonzero(seen), per_selection_year=True),
                      len(keys), tuple(countries), tuple(pairs))


def patent_flows(b: MemoryBackend, selections: Sequence[tuple[FieldSpec, ...]],
                 filters: Filters, membership: YearlyMembership | None, limit: int,
                 country_limit: int, by_year: bool = True) -> FlowCounts:
    """The contract's `patent_flows` over the stored per-patent owner pairs."""
    u = _universe(b, "patents")
    keep = b._patent_mask([p for parts in selections for p in parts], filters)
    rows = b._pair_sides(filters)
    rows = rows & keep[u.item] if keep is not None else rows.copy()
    if membership is not None:
        rows = _yearly(b, u, rows, filters, membership)
    return _count(b, u, rows, [b._selection(parts, filters) for parts in selections], limit,
                  country_limit, 0, None, by_year)


def _work_sides(b: MemoryBackend, u: _Universe, filters: Filters) -> BoolArray:
    """Works' universe rows whose x passes the organisation side and y the partner side, a
    pair passing both ways once (x < y) (cached per sides)."""

    def compute() -> BoolArray:
        rank = b.index.orgs.rank
        side = b._side_mask(filters.countries, filters.kinds)
        partner = b._side_mask(filters.partner_countries, filters.partner_kinds)
        forward = passes(side, u.x) & passes(partner, u.y)
        backward = passes(side, u.y) & passes(partner, u.x)
        out: BoolArray = forward & (~backward | (rank[u.x] < rank[u.y]))
        return out

    return b._cached(("work_sides", filters.countries, filters.kinds, filters.partner_countries,
                      filters.partner_kinds), compute)


def work_flows(b: MemoryBackend, selections: Sequence[tuple[str, ...]] | None,
               filters: Filters, membership: YearlyMembership | None, limit: int,
               country_limit: int, evidence: int, by_year: bool = True) -> FlowCounts:
    """The contract's `work_flows` over the stored co-authoring pairs."""
    from ttkg.graph.backends.memory import research

    w = b.work_arrays
    u = _universe(b, "works")
    selected = [np.logical_or.reduce([research.field_works(b, f, filters) for f in s])
                if s else np.zeros(w.n, dtype=bool) for s in selections or ()]
    if selections is None:
        keep = research.works_mask(b, None, filters)
    else:
        keep = np.logical_or.reduce(selected) if selected else np.zeros(w.n, dtype=bool)
    rows = _work_sides(b, u, filters)
    rows = rows & keep[u.item] if keep is not None else rows.copy()
    if membership is not None:
        rows = _yearly(b, u, rows, filters, membership)
    return _count(b, u, rows, selected, limit, country_limit, evidence, research.work_rank(b),
                  by_year)
