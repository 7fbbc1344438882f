"""Flows counted, the reference: the contract's `patent_flows` and `work_flows` written once
over `co_ownerships` and `co_authorships` rows, aggregated in Python (what a backend without
faster ones gives; the embedded backend counts the same with array passes).

A row is (item, year, x, y, x's country, y's country), distinct per (item, x, y). With a
year-by-year membership, a row counts when both owners' countries belonged to their side in
the item's year; one that passes only the other way round is turned round when the owners'
kinds pass too.
"""

from __future__ import annotations

import heapq
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence

from ttkg.graph.backends.contract import (
    CoOwnershipRow,
    CountryPairTally,
    FieldSpec,
    Filters,
    FlowCounts,
    FlowTally,
    GraphBackend,
    OrgPairTally,
    YearlyMembership,
)

__all__ = ["count_rows", "patent_flows", "work_flows", "yearly_rows"]

Kinds = Callable[[list[str]], dict[str, str | None]]


def yearly_rows(rows: list[CoOwnershipRow], filters: Filters, membership: YearlyMembership,
                kinds_of: Kinds) -> list[CoOwnershipRow]:
    """The rows that count year by year (`filters`: the widened ones the rows were asked
    with), turned round where they pass only the other way round."""
    m = membership
    origin, dest = (m.origin, filters.countries), (m.destination, filters.partner_countries)
    out: list[CoOwnershipRow] = []
    turn: list[CoOwnershipRow] = []
    for row in rows:
        _, year, _, _, cx, cy = row
        if m.member(cx, year, *origin) and m.member(cy, year, *dest):
            out.append(row)
        elif m.member(cy, year, *origin) and m.member(cx, year, *dest):
            turn.append(row)
    if turn:
        kinds = kinds_of(sorted({o for r in turn for o in r[2:4]}))
        for p, year, x, y, cx, cy in turn:
            if ((not filters.kinds or kinds.get(y) in filters.kinds)
                    and (not filters.partner_kinds or kinds.get(x) in filters.partner_kinds)):
                out.append((p, year, y, x, cy, cx))
    return out


def _tally(items: dict[str, int | None], in_sel: Sequence[set[str]],
           per_selection_year: bool = False, by_year: bool = True) -> FlowTally:
    """Items (id -> year) counted in all, per year (with `by_year`) and per selection."""
    years = Counter(items.values()) if by_year else Counter[int | None]()
    sel_year: tuple[dict[int | None, int], ...] = ()
    if per_selection_year:
        sel_year = tuple(dict(Counter(y for i, y in items.items() if i in s)) for s in in_sel)
    return FlowTally(len(items), dict(years), tuple(len(s & items.keys()) for s in in_sel),
                     sel_year)


def count_rows(rows: list[CoOwnershipRow], in_sel: Sequence[set[str]], limit: int,
               country_limit: int, evidence: int = 0, by_year: bool = True) -> FlowCounts:
    """Rows (distinct per item and pair) counted; `in_sel`: each selection's items;
    `evidence`: ids of each top pair's first items, newest first (works); without
    `by_year`, the country pairs' years are left empty."""
    year_of = {r[0]: r[1] for r in rows}
    Pair = tuple[str | None, str | None]
    by_country: dict[Pair, dict[str, int | None]] = defaultdict(dict)
    by_pair: dict[tuple[str, str], dict[str, int | None]] = defaultdict(dict)
    country_of: dict[tuple[str, str], Pair] = {}
    for item, year, x, y, cx, cy in rows:
        by_country[(cx, cy)][item] = year
        by_pair[(x, y)][item] = year
        country_of[(x, y)] = (cx, cy)
    orgs_per_country = Counter(country_of.values())
    countries = sorted(by_country.items(), key=lambda kv: (-len(kv[1]), kv[0][0] or "~",
                                                           kv[0][1] or "~"))[:country_limit]
    top = heapq.nsmallest(limit, ((-len(v), k) for k, v in by_pair.items()))
    return FlowCounts(
        tally=_tally(year_of, in_sel, per_selection_year=True),
        organization_pairs=len(by_pair),
        country_pairs=tuple(CountryPairTally(cx, cy, orgs_per_country[(cx, cy)],
                                             _tally(items, in_sel, by_year=by_year))
                            for (cx, cy), items in countries),
        top_pairs=tuple(OrgPairTally(
            x, y, _tally(by_pair[(x, y)], in_sel),
            tuple(sorted(by_pair[(x, y)], key=lambda i: (-(year_of[i] or -1), i))[:evidence]))
            for _, (x, y) in top),
    )


def _kinds(backend: GraphBackend) -> Kinds:
    return lambda ids: {k: n.props.get("kind") for k, n in backend.get_nodes(ids).items()}


def _counted(backend: GraphBackend, per_sel: list[list[CoOwnershipRow]],
             rows: list[CoOwnershipRow], filters: Filters, membership: YearlyMembership | None,
             limit: int, country_limit: int, evidence: int, by_year: bool) -> FlowCounts:
    if membership is not None:
        rows = yearly_rows(rows, filters, membership, _kinds(backend))
    kept = {r[0] for r in rows}
    in_sel = [{r[0] for r in sel} & kept for sel in per_sel]
    return count_rows(rows, in_sel, limit, country_limit, evidence, by_year)


def patent_flows(backend: GraphBackend, selections: Sequence[tuple[FieldSpec, ...]],
                 filters: Filters, membership: YearlyMembership | None, limit: int,
                 country_limit: int, by_year: bool = True) -> FlowCounts:
    """The contract's `patent_flows`, over `co_ownerships` (one call per selection)."""
    per_sel = [backend.co_ownerships(parts, filters) for parts in selections]
    if selections:
        merged = {(r[0], r[2], r[3]): r for rows in per_sel for r in rows}
        rows = [merged[k] for k in sorted(merged)]
    else:
        rows = backend.co_ownerships((), filters)
    return _counted(backend, per_sel, rows, filters, membership, limit, country_limit, 0,
                    by_year)


def work_flows(backend: GraphBackend, selections: Sequence[tuple[str, ...]] | None,
               filters: Filters, membership: YearlyMembership | None, limit: int,
               country_limit: int, evidence: int, by_year: bool = True) -> FlowCounts:
    """The contract's `work_flows`, over `co_authorships` (one call per selection)."""
    if selections is None:
        per_sel: list[list[CoOwnershipRow]] = []
        rows = backend.co_authorships(None, filters)
    else:
        per_sel = [backend.co_authorships(fields, filters) for fields in selections]
        merged = {(r[0], r[2], r[3]): r for sel in per_sel for r in sel}
        rows = [merged[k] for k in sorted(merged)]
    return _counted(backend, per_sel, rows, filters, membership, limit, country_limit,
                    evidence, by_year)
