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
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from pydantic import BaseModel, Field

from ttkg.graph.backends.contract import CoOwnershipRow, FieldSpec, Filters, GraphBackend
from ttkg.queries.coauthored import co_authorships, has_works
from ttkg.queries.common import DEFAULT_EVIDENCE, MAX_LIMIT, Values, check_page, patent_coverage
from ttkg.queries.models import (
    AppliedFilters,
    Evidence,
    FieldRef,
    OrgRef,
    Row,
    Tabular,
    YearCount,
    evidence_data,
)
from ttkg.queries.research import newest_works
from ttkg.queries.selections import Selection, resolve_selections, selection_ref
from ttkg.queries.themes import ThemeTable
from ttkg.queries.yearly import widened, yearly_rows

__all__ = [
    "FLOW_SIDES",
    "CoAuthoredFlows",
    "CountryPairFlow",
    "CountryPairWorks",
    "FieldFlow",
    "FlowsResult",
    "OrgPairFlow",
    "OrgPairWorks",
    "SelectionRef",
    "WorkYearCount",
    "YearCount",
    "flows",
    "selection_ref",
    "year_counts",
]


#: What flows call the two country options (the CLI's --from/--to, the API's from/to).
FLOW_SIDES = ("from", "to")


#: A theme or a field the answer counts in: its parts and, for a theme, its source.
SelectionRef = FieldRef


class WorkYearCount(BaseModel):
    """Co-authored works published in one year."""

    year: int | None = Field(description="publication year; null for works without one")
    works: int


class CountryPairWorks(BaseModel):
    """Co-authored works between organisations of two countries (origin side first)."""

    country: str | None
    partner_country: str | None
    works: int
    organization_pairs: int
    by_field: dict[str, int] = Field(default_factory=dict, description="theme id -> works")
    by_year: list[WorkYearCount] = Field(default_factory=list)


class OrgPairWorks(BaseModel):
    """Two organisations, one on each side, and the works they co-author in the selection."""

    organizations: list[OrgRef] = Field(min_length=2, max_length=2)
    works: int
    first_year: int | None
    last_year: int | None
    by_year: list[WorkYearCount] = Field(default_factory=list)
    evidence: Evidence = Field(description="the works, newest first")


class CoAuthoredFlows(BaseModel):
    """Co-authored works between the two sides (OpenAlex works listing organisations of
    both among their authorships), kept apart from co-owned patents: in the research fields
    of the themes asked (a technology field has none: no works), every work without fields."""

    works: int = Field(description="distinct co-authored works between the two sides")
    total_organization_pairs: int
    country_pairs: list[CountryPairWorks]
    by_year: list[WorkYearCount] = Field(default_factory=list)
    organization_pairs: list[OrgPairWorks]


class CountryPairFlow(BaseModel):
    """Co-owned patents and co-authored works between organisations of two countries (origin
    side first)."""

    country: str | None = Field(description="origin side organisation's country (ISO alpha-2)")
    partner_country: str | None
    patents: int
    organization_pairs: int = Field(description="organisation pairs co-owning the patents")
    by_field: dict[str, int] = Field(default_factory=dict, description="selection id -> patents")
    by_year: list[YearCount] = Field(default_factory=list)


class FieldFlow(BaseModel):
    """Co-owned patents (between the two sides) in one field or theme, and co-authored works
    in the research fields of a theme (null for a technology field: it has none)."""

    field: SelectionRef
    patents: int
    by_year: list[YearCount] = Field(default_factory=list)
    works: int | None = None
    works_by_year: list[WorkYearCount] = Field(default_factory=list)


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
    (country_pair_year) and per organisation pair (organization_pair); co-authored works per
    country pair (works_country_pair), year (works_year) and organisation pair
    (works_organization_pair)."""

    filters: AppliedFilters
    fields: list[SelectionRef]
    patents: int = Field(description="distinct co-owned patents between the two sides")
    total_organization_pairs: int
    country_pairs: list[CountryPairFlow]
    by_field: list[FieldFlow]
    by_year: list[YearCount]
    organization_pairs: list[OrgPairFlow]
    co_authored: CoAuthoredFlows | None = Field(
        default=None, description="co-authored works (null when the graph holds no works)")
    coverage: dict[str, Any] = Field(description="grant dates the data covers")
    notes: list[str] = Field(default_factory=list, description="what the data holds, in words")
    limit: int

    def rows(self) -> list[Row]:
        def row(section: str, rank: int, **cells: Any) -> Row:
            return {c: None for c in self.columns()} | {"section": section, "rank": rank} | cells

        out = [row("country_pair", i, country=c.country, partner_country=c.partner_country,
                   patents=c.patents)
               for i, c in enumerate(self.country_pairs, 1)]
        out += [row("field", i, field_id=f.field.id, field_name=f.field.name, patents=f.patents,
                    works=f.works)
                for i, f in enumerate(self.by_field, 1)]
        w = self.co_authored
        out += [row("works_country_pair", i, country=c.country,
                    partner_country=c.partner_country, works=c.works)
                for i, c in enumerate(w.country_pairs if w else [], 1)]
        out += [row("works_year", i, year=y.year, works=y.works)
                for i, y in enumerate(w.by_year if w else [], 1)]
        out += [row("works_organization_pair", i, country=p.organizations[0].country,
                    partner_country=p.organizations[1].country,
                    organization_id=p.organizations[0].id,
                    organization_name=p.organizations[0].name,
                    partner_id=p.organizations[1].id, partner_name=p.organizations[1].name,
                    works=p.works)
                for i, p in enumerate(w.organization_pairs if w else [], 1)]
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
                    patents=p.patents,
                    evidence_patents=" ".join(e.number for e in p.evidence.patents))
                for i, p in enumerate(self.organization_pairs, 1)]
        return out

    def columns(self) -> list[str]:
        return ["section", "rank", "country", "partner_country", "field_id", "field_name", "year",
                "partial_year", "organization_id", "organization_name", "partner_id",
                "partner_name", "patents", "works", "evidence_patents"]


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


def _works_notes(study: bool, works: int, selections: list[Selection]) -> list[str]:
    """What the works half of a flows answer counts, in words."""
    if not study:
        return ["The graph holds no scholarly works: co-authored works are not counted "
                "(build it with OpenAlex works to count them)."]
    out = [f"Co-authored works: {works} OpenAlex work(s) listing organisations of both sides "
           "among their authorships" + (" (in the themes' research fields)." if selections
                                        else ".")]
    plain = [s.name for s in selections if not s.research]
    if plain:
        out.append("Works count in themes' OpenAlex research fields only; no works are "
                   f"counted for {', '.join(plain)} (no OpenAlex field is mapped to it).")
    return out


def _co_authored(
    backend: GraphBackend,
    rows: list[CoOwnershipRow],
    in_sel: dict[str, set[str]],
    year_of: dict[str, int | None],
    years: Callable[[set[str]], list[WorkYearCount]],
    limit: int,
    evidence: int,
) -> CoAuthoredFlows:
    """The works half of a flows answer, from (work, year, x, y, cx, cy) rows (one per work
    and pair: counted with Counters, the works themselves gathered for the pairs shown)."""
    Pair = tuple[str | None, str | None]
    per_pair = Counter((r[2], r[3]) for r in rows)  # rows are distinct (work, x, y)
    country_of = {(r[2], r[3]): (r[4], r[5]) for r in rows}
    orgs_per_country = Counter(country_of.values())
    by_country: dict[Pair, set[str]] = defaultdict(set)
    for work, _, _, _, cx, cy in rows:
        by_country[(cx, cy)].add(work)
    countries = [
        CountryPairWorks(country=cx, partner_country=cy, works=len(ws),
                         organization_pairs=orgs_per_country[(cx, cy)],
                         by_field={sid: len(ws & w) for sid, w in in_sel.items() if ws & w},
                         by_year=years(ws))
        for (cx, cy), ws in sorted(by_country.items(), key=lambda kv: (
            -len(kv[1]), kv[0][0] or "~", kv[0][1] or "~"))
    ]
    top = [k for _, k in heapq.nsmallest(limit, ((-n, k) for k, n in per_pair.items()))]
    shown = set(top)
    by_pair: dict[tuple[str, str], set[str]] = defaultdict(set)
    for work, _, x, y, _, _ in rows:
        if (x, y) in shown:
            by_pair[(x, y)].add(work)
    nodes = backend.get_nodes(sorted({o for pair in top for o in pair}))
    pairs = []
    for x, y in top:
        ws = by_pair[(x, y)]
        newest = sorted(ws, key=lambda w: (-(year_of[w] or -1), w))
        known = [y for y in (year_of[w] for w in ws) if y is not None]
        pairs.append(OrgPairWorks(
            organizations=[OrgRef.of(nodes[x]), OrgRef.of(nodes[y])], works=len(ws),
            first_year=min(known, default=None), last_year=max(known, default=None),
            by_year=years(ws),
            evidence=Evidence.model_validate(evidence_data(
                (len(ws), []), newest_works(backend, newest, evidence)))))
    return CoAuthoredFlows(works=len(year_of), total_organization_pairs=len(per_pair),
                           country_pairs=countries[:MAX_LIMIT], by_year=years(set(year_of)),
                           organization_pairs=pairs)


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
    grant year; the top `limit` organisation pairs with `evidence` patents each. With
    `by_year`, a group's membership is applied year by year (`ttkg.queries.yearly`): every
    count then holds only patents whose owners' countries were members of their side in the
    patent's grant year."""
    check_page(limit, 0, evidence)
    selections = resolve_selections(backend, fields, themes)
    seen = {s.id for s in selections}
    selections += [s for s in resolve_selections(backend, theme, themes, themes_only=True)
                   if s.id not in seen]
    coverage = patent_coverage(backend)
    yearly = by_year and bool(filters.country_groups or filters.partner_country_groups)
    asked = widened(filters) if yearly else filters

    def co_owned(parts: tuple[FieldSpec, ...]) -> list[CoOwnershipRow]:
        found = backend.co_ownerships(parts, asked)
        return yearly_rows(backend, found, filters) if yearly else found

    if selections:
        per_sel = {s.id: co_owned(s.parts) for s in selections}
        merged = {(r[0], r[2], r[3]): r for rows in per_sel.values() for r in rows}
        rows = [merged[k] for k in sorted(merged)]
    else:
        per_sel, rows = {}, co_owned(())
    in_sel = {sid: {r[0] for r in sel_rows} for sid, sel_rows in per_sel.items()}
    year_of = {r[0]: r[1] for r in rows}
    study = has_works(backend)

    def co_authored(research: tuple[str, ...] | None) -> list[CoOwnershipRow]:
        found = co_authorships(backend, research, asked)
        return yearly_rows(backend, found, filters) if yearly else found

    w_in_sel: dict[str, set[str]] = {}
    wrows: list[CoOwnershipRow] = []
    if study and selections:
        per_w = {s.id: co_authored(s.research) for s in selections if s.research}
        merged = {(r[0], r[2], r[3]): r for ws in per_w.values() for r in ws}
        wrows = [merged[k] for k in sorted(merged)]
        w_in_sel = {sid: {r[0] for r in ws} for sid, ws in per_w.items()}
    elif study:
        wrows = co_authored(None)
    work_year = {r[0]: r[1] for r in wrows}

    def breakdown(patents: set[str]) -> tuple[dict[str, int], list[YearCount]]:
        fields_ = {sid: len(patents & ps) for sid, ps in in_sel.items() if patents & ps}
        years_ = year_counts(((p, year_of[p]) for p in patents), coverage) if by_year else []
        return fields_, years_

    def work_years(works: set[str]) -> list[WorkYearCount]:
        per = Counter(work_year[w] for w in works)
        return [WorkYearCount(year=y, works=per[y])
                for y in sorted(per, key=lambda y: (y is None, y or 0))] if by_year else []

    Pair = tuple[str | None, str | None]
    by_country: dict[Pair, set[str]] = defaultdict(set)
    for patent, _, _, _, cx, cy in rows:
        by_country[(cx, cy)].add(patent)
    per_pair = Counter((r[2], r[3]) for r in rows)  # rows are distinct (patent, x, y)
    orgs_per_country = Counter({(r[2], r[3]): (r[4], r[5]) for r in rows}.values())
    country_pairs = []
    for (cx, cy), ps in sorted(by_country.items(),
                               key=lambda kv: (-len(kv[1]), kv[0][0] or "~", kv[0][1] or "~")):
        f, yc = breakdown(ps)
        country_pairs.append(CountryPairFlow(country=cx, partner_country=cy, patents=len(ps),
                                             organization_pairs=orgs_per_country[(cx, cy)],
                                             by_field=f, by_year=yc))
    top = [k for _, k in heapq.nsmallest(limit, ((-n, k) for k, n in per_pair.items()))]
    shown = set(top)
    by_pair: dict[tuple[str, str], set[str]] = defaultdict(set)
    for patent, _, x, y, _, _ in rows:
        if (x, y) in shown:
            by_pair[(x, y)].add(patent)
    nodes = backend.get_nodes(sorted({o for pair in top for o in pair}))
    parts = [p for s in selections for p in s.parts]
    pairs = []
    for x, y in top:
        ps = by_pair[(x, y)]
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
    co_authored_flows = _co_authored(backend, wrows, w_in_sel, work_year, work_years,
                                     limit, evidence) if study else None
    all_patents = set(year_of)
    notes = _notes(backend, rows, parts, asked, coverage)
    notes[1:1] = _works_notes(study, len(work_year), selections)
    return FlowsResult(
        filters=AppliedFilters.of(asked, by_year=by_year),
        fields=[selection_ref(s) for s in selections],
        patents=len(all_patents),
        total_organization_pairs=len(per_pair),
        country_pairs=country_pairs[:MAX_LIMIT],
        by_field=[FieldFlow(field=selection_ref(s), patents=len(in_sel[s.id]),
                            by_year=year_counts(((p, year_of[p]) for p in in_sel[s.id]),
                                                coverage) if by_year else [],
                            works=len(w_in_sel.get(s.id, ())) if study and s.research else None,
                            works_by_year=work_years(w_in_sel.get(s.id, set())))
                  for s in selections],
        by_year=year_counts(((p, year_of[p]) for p in all_patents), coverage) if by_year else [],
        organization_pairs=pairs,
        co_authored=co_authored_flows,
        coverage=coverage,
        notes=notes,
        limit=limit,
    )

