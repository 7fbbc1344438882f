"""Flows: cooperation between countries or groups of countries, as co-owned patents.

For an origin side and a destination side (countries or groups, organisation kinds), fields or
themes and years: the co-owned patents per country pair and per field, the top organisation
pairs with their evidence, and with `by_year` the same by grant year (a partial last year
marked). Written over one backend primitive, `co_ownerships`, which lists each co-owned patent
with each two of its owners, one on each side.

When nothing matches, the answer says what the data covers: the patents' grant dates, and how
many co-owned patents each side has with anyone (so that "none" can be told from "no data").
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, Field

from ttkg.graph.backends.contract import CoOwnershipRow, FieldSpec, Filters, GraphBackend
from ttkg.queries.common import DEFAULT_EVIDENCE, MAX_LIMIT, Values, check_page, patent_coverage
from ttkg.queries.models import (
    AppliedFilters,
    Evidence,
    FieldRef,
    OrgRef,
    Row,
    Tabular,
    YearCount,
)
from ttkg.queries.selections import Selection, resolve_selections
from ttkg.queries.themes import ThemeTable

__all__ = [
    "FLOW_SIDES",
    "CountryPairFlow",
    "FieldFlow",
    "FlowsResult",
    "OrgPairFlow",
    "SelectionRef",
    "YearCount",
    "flows",
    "selection_ref",
    "year_counts",
]


#: What flows call the two country options (the CLI's --from/--to, the API's from/to).
FLOW_SIDES = ("from", "to")


class SelectionRef(BaseModel):
    """A theme or a field the answer counts in, with its parts and, for a theme, its source."""

    id: str = Field(description="theme:ai, or the field's node id")
    name: str
    kind: str = Field(description="theme, wipo_field, wipo_sector or cpc")
    parts: list[FieldRef]
    source: str | None = None


def selection_ref(sel: Selection) -> SelectionRef:
    """The JSON form of a resolved selection."""
    return SelectionRef(
        id=sel.id, name=sel.name, kind=sel.kind, source=sel.source,
        parts=[FieldRef(id=p.node_id, name=p.name, kind=p.kind, value=p.value)
               for p in sel.parts],
    )


class CountryPairFlow(BaseModel):
    """Co-owned patents between organisations of two countries (origin side first)."""

    country: str | None = Field(description="origin side organisation's country (ISO alpha-2)")
    partner_country: str | None
    patents: int
    organization_pairs: int
    by_field: dict[str, int] = Field(default_factory=dict, description="selection id -> patents")
    by_year: list[YearCount] = Field(default_factory=list)


class FieldFlow(BaseModel):
    """Co-owned patents (between the two sides) in one field or theme."""

    field: SelectionRef
    patents: int
    by_year: list[YearCount] = Field(default_factory=list)


class OrgPairFlow(BaseModel):
    """Two organisations, one on each side, and the patents they co-own in the selection."""

    organizations: list[OrgRef] = Field(min_length=2, max_length=2)
    patents: int
    first_year: int | None
    last_year: int | None
    by_field: dict[str, int] = Field(default_factory=dict)
    by_year: list[YearCount] = Field(default_factory=list)
    evidence: Evidence


class FlowsResult(Tabular):
    """Cooperation between two sides. As rows: one per country pair (`section`
    country_pair), per field (field), per year (year), per country pair and year
    (country_pair_year) and per organisation pair (organization_pair)."""

    filters: AppliedFilters
    fields: list[SelectionRef]
    patents: int = Field(description="distinct co-owned patents between the two sides")
    total_organization_pairs: int
    country_pairs: list[CountryPairFlow]
    by_field: list[FieldFlow]
    by_year: list[YearCount]
    organization_pairs: list[OrgPairFlow]
    coverage: dict[str, Any] = Field(description="grant dates the data covers")
    notes: list[str] = Field(default_factory=list, description="what the data holds, in words")
    limit: int

    def rows(self) -> list[Row]:
        def row(section: str, rank: int, **cells: Any) -> Row:
            return {c: None for c in self.columns()} | {"section": section, "rank": rank} | cells

        out = [row("country_pair", i, country=c.country, partner_country=c.partner_country,
                   patents=c.patents)
               for i, c in enumerate(self.country_pairs, 1)]
        out += [row("field", i, field_id=f.field.id, field_name=f.field.name, patents=f.patents)
                for i, f in enumerate(self.by_field, 1)]
        out += [row("year", i, year=y.year, partial_year=y.partial, patents=y.patents)
                for i, y in enumerate(self.by_year, 1)]
        out += [row("country_pair_year", i, country=c.country, partner_country=c.partner_country,
                    year=y.year, partial_year=y.partial, patents=y.patents)
                for i, c in enumerate(self.country_pairs, 1) for y in c.by_year]
        out += [row("organization_pair", i, country=p.organizations[0].country,
                    partner_country=p.organizations[1].country,
                    organization_id=p.organizations[0].id,
                    organization_name=p.organizations[0].name,
                    partner_id=p.organizations[1].id, partner_name=p.organizations[1].name,
                    patents=p.patents, evidence_patents=" ".join(e.number
                                                                 for e in p.evidence.patents))
                for i, p in enumerate(self.organization_pairs, 1)]
        return out

    def columns(self) -> list[str]:
        return ["section", "rank", "country", "partner_country", "field_id", "field_name", "year",
                "partial_year", "organization_id", "organization_name", "partner_id",
                "partner_name", "patents", "evidence_patents"]


def year_counts(patents: Iterable[tuple[str, int | None]], coverage: dict[str, Any]) -> list[
    YearCount
]:
    """Distinct patents per year, oldest first (no year last), the partial last year marked."""
    per: dict[int | None, set[str]] = defaultdict(set)
    for patent, year in patents:
        per[year].add(patent)
    last = coverage.get("last_year") if coverage.get("partial_last_year") else None
    return [YearCount(year=y, patents=len(per[y]), partial=y is not None and y == last)
            for y in sorted(per, key=lambda y: (y is None, y or 0))]


def _notes(backend: GraphBackend, rows: list[CoOwnershipRow], specs: list[FieldSpec],
           filters: Filters, coverage: dict[str, Any]) -> list[str]:
    """What the data holds around an empty or thin answer, in words."""
    span = f"patents granted {coverage.get('first_grant')} to {coverage.get('last_grant')}"
    if coverage.get("partial_last_year"):
        span += f" ({coverage.get('last_year')} partial)"
    notes = [f"The graph covers US {span} (PatentsView); co-ownership means two organisations "
             "assigned the same patent."]
    if len({r[0] for r in rows}) >= 10:
        return notes
    anyone = Filters(filters.year_from, filters.year_to)
    origin = Filters(filters.year_from, filters.year_to, filters.countries, filters.kinds)
    dest = Filters(filters.year_from, filters.year_to, filters.partner_countries,
                   filters.partner_kinds)
    for what, side in (("The origin side", origin), ("The destination side", dest)):
        if side == anyone:
            continue
        text = f"{what} co-owns {backend.co_owned_count(specs, side)} patent(s)"
        if specs:
            text += " in the fields asked"
        text += " with anyone"
        if specs:
            text += f", {backend.co_owned_count((), side)} in any field"
        notes.append(text + ".")
    if specs and not rows:
        n = backend.co_owned_count((), filters)
        notes.append(f"Between the two sides, in any field: {n} co-owned patent(s).")
    return notes


def flows(
    backend: GraphBackend,
    filters: Filters = Filters(),
    fields: Values = None,
    theme: Values = None,
    *,
    themes: ThemeTable | None = None,
    by_year: bool = False,
    limit: int = 10,
    evidence: int = DEFAULT_EVIDENCE,
) -> FlowsResult:
    """Co-owned patents between the origin side (the filters' countries and kinds: countries
    or groups) and the destination side (partner countries and kinds), in the fields or
    themes given (`fields`: fields or themes; `theme`: themes only; any field when none),
    per country pair, per field and, with `by_year`, per
    grant year; the top `limit` organisation pairs with `evidence` patents each."""
    check_page(limit, 0, evidence)
    selections = resolve_selections(backend, fields, themes)
    seen = {s.id for s in selections}
    selections += [s for s in resolve_selections(backend, theme, themes, themes_only=True)
                   if s.id not in seen]
    coverage = patent_coverage(backend)
    if selections:
        per_sel = {s.id: backend.co_ownerships(s.parts, filters) for s in selections}
        merged = {(r[0], r[2], r[3]): r for rows in per_sel.values() for r in rows}
        rows = [merged[k] for k in sorted(merged)]
    else:
        per_sel, rows = {}, backend.co_ownerships((), filters)
    in_sel = {sid: {r[0] for r in sel_rows} for sid, sel_rows in per_sel.items()}
    year_of = {r[0]: r[1] for r in rows}

    def breakdown(patents: set[str]) -> tuple[dict[str, int], list[YearCount]]:
        fields_ = {sid: len(patents & ps) for sid, ps in in_sel.items() if patents & ps}
        years_ = year_counts(((p, year_of[p]) for p in patents), coverage) if by_year else []
        return fields_, years_

    by_country: dict[tuple[str | None, str | None], set[str]] = defaultdict(set)
    country_orgs: dict[tuple[str | None, str | None], set[tuple[str, str]]] = defaultdict(set)
    by_pair: dict[tuple[str, str], set[str]] = defaultdict(set)
    for patent, _, x, y, cx, cy in rows:
        by_country[(cx, cy)].add(patent)
        country_orgs[(cx, cy)].add((x, y))
        by_pair[(x, y)].add(patent)
    country_pairs = []
    for (cx, cy), ps in sorted(by_country.items(),
                               key=lambda kv: (-len(kv[1]), kv[0][0] or "~", kv[0][1] or "~")):
        f, yc = breakdown(ps)
        country_pairs.append(CountryPairFlow(country=cx, partner_country=cy, patents=len(ps),
                                             organization_pairs=len(country_orgs[(cx, cy)]),
                                             by_field=f, by_year=yc))
    top = heapq.nsmallest(limit, by_pair.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    nodes = backend.get_nodes(sorted({o for (x, y), _ in top for o in (x, y)}))
    parts = [p for s in selections for p in s.parts]
    pairs = []
    for (x, y), ps in top:
        years = [y for y in (year_of[p] for p in ps) if y is not None]
        f, yc = breakdown(ps)
        pairs.append(OrgPairFlow(
            organizations=[OrgRef.of(nodes[x]), OrgRef.of(nodes[y])], patents=len(ps),
            first_year=min(years, default=None), last_year=max(years, default=None),
            by_field=f, by_year=yc,
            evidence=Evidence.of(
                backend.co_assigned_patents(x, y, parts, filters.years_only(), evidence)
            ),
        ))
    all_patents = set(year_of)
    return FlowsResult(
        filters=AppliedFilters.of(filters),
        fields=[selection_ref(s) for s in selections],
        patents=len(all_patents),
        total_organization_pairs=len(by_pair),
        country_pairs=country_pairs[:MAX_LIMIT],
        by_field=[FieldFlow(field=selection_ref(s), patents=len(in_sel[s.id]),
                            by_year=year_counts(((p, year_of[p]) for p in in_sel[s.id]),
                                                coverage) if by_year else [])
                  for s in selections],
        by_year=year_counts(((p, year_of[p]) for p in all_patents), coverage) if by_year else [],
        organization_pairs=pairs,
        coverage=coverage,
        notes=_notes(backend, rows, parts, filters, coverage),
        limit=limit,
    )

