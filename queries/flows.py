"""Flows: cooperation between countries or groups of countries, as co-owned patents.

For an origin side and a destination side (countries or groups, organisation kinds), fields or
themes and years: the co-owned patents per country pair and per field, the top organisation
pairs with their evidence, and with `by_year` the same by grant year (a partial last year
marked). Written over two backend primitives, `patent_flows` and `work_flows`, which count
the co-owned patents (co-authored works) between the sides per country pair, selection and
year, and rank the organisation pairs: aggregates, not a row per patent and owner pair.

When nothing matches, the answer says what the data covers: the patents' grant dates, and how
many co-owned patents each side has with anyone (so that "none" can be told from "no data").
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import BaseModel, Field

from ttkg.graph.backends.contract import (
    FieldSpec,
    Filters,
    FlowCounts,
    FlowTally,
    GraphBackend,
)
from ttkg.queries.coauthored import has_works
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
from ttkg.queries.yearly import membership, widened

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
    return _years({y: len(ps) for y, ps in per.items()}, coverage)


def _ordered(years: Iterable[int | None]) -> list[int | None]:
    return sorted(years, key=lambda y: (y is None, y or 0))


def _years(per: Mapping[int | None, int], coverage: dict[str, Any]) -> list[YearCount]:
    """Patents per year, oldest first (no year last), the partial last year marked."""
    last = coverage.get("last_year") if coverage.get("partial_last_year") else None
    return [YearCount(year=y, patents=per[y], partial=y is not None and y == last)
            for y in _ordered(per)]


def _work_years(per: Mapping[int | None, int]) -> list[WorkYearCount]:
    return [WorkYearCount(year=y, works=per[y]) for y in _ordered(per)]


def _span(t: FlowTally) -> tuple[int | None, int | None]:
    known = [y for y in t.by_year if y is not None]
    return min(known, default=None), max(known, default=None)


def _notes(backend: GraphBackend, patents: int, specs: list[FieldSpec],
           filters: Filters, coverage: dict[str, Any]) -> list[str]:
    """What the data holds around an empty or thin answer, in words."""
    span = f"patents granted {coverage.get('first_grant')} to {coverage.get('last_grant')}"
    if coverage.get("partial_last_year"):
        span += f" ({coverage.get('last_year')} partial)"
    notes = [f"The graph covers US {span} (PatentsView); co-ownership means two organisations "
             "assigned the same patent."]
    if patents >= 10:
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
    if specs and not patents:
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


def _co_authored(backend: GraphBackend, counts: FlowCounts, ids: list[str], by_year: bool,
                 evidence: int) -> CoAuthoredFlows:
    """The works half of a flows answer, from the backend's counts (`ids`: the selections
    the counts are per, those with research fields)."""
    def years(t: FlowTally) -> list[WorkYearCount]:
        return _work_years(t.by_year) if by_year else []

    nodes = backend.get_nodes(sorted({o for p in counts.top_pairs for o in (p.x, p.y)}))
    pairs = []
    for p in counts.top_pairs:
        first, last = _span(p.tally)
        pairs.append(OrgPairWorks(
            organizations=[OrgRef.of(nodes[p.x]), OrgRef.of(nodes[p.y])], works=p.tally.items,
            first_year=first, last_year=last, by_year=years(p.tally),
            evidence=Evidence.model_validate(evidence_data(
                (p.tally.items, []), newest_works(backend, list(p.evidence), evidence)))))
    return CoAuthoredFlows(
        works=counts.tally.items, total_organization_pairs=counts.organization_pairs,
        country_pairs=[CountryPairWorks(
            country=c.country, partner_country=c.partner_country, works=c.tally.items,
            organization_pairs=c.organization_pairs,
            by_field={sid: n for sid, n in zip(ids, c.tally.by_selection, strict=True) if n},
            by_year=years(c.tally)) for c in counts.country_pairs],
        by_year=years(counts.tally), organization_pairs=pairs)


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
    yearly = membership(filters) if by_year else None
    asked = widened(filters) if yearly else filters
    counts = backend.patent_flows([s.parts for s in selections], asked, yearly, limit,
                                  MAX_LIMIT, by_year)
    ids = [s.id for s in selections]
    study = has_works(backend)
    research = [s for s in selections if s.research]
    works = backend.work_flows(
        [tuple(s.research) for s in research] if selections else None, asked, yearly, limit,
        MAX_LIMIT, evidence, by_year) if study else None
    work_ids = [s.id for s in research]
    works_in = dict(zip(work_ids, works.tally.by_selection, strict=True)) if works else {}
    works_years = (dict(zip(work_ids, works.tally.by_selection_year, strict=True))
                   if works else {})

    def breakdown(t: FlowTally) -> tuple[dict[str, int], list[YearCount]]:
        return ({sid: n for sid, n in zip(ids, t.by_selection, strict=True) if n},
                _years(t.by_year, coverage) if by_year else [])

    country_pairs = []
    for c in counts.country_pairs:
        f, yc = breakdown(c.tally)
        country_pairs.append(CountryPairFlow(country=c.country, partner_country=c.partner_country,
                                             patents=c.tally.items,
                                             organization_pairs=c.organization_pairs,
                                             by_field=f, by_year=yc))
    nodes = backend.get_nodes(sorted({o for p in counts.top_pairs for o in (p.x, p.y)}))
    parts = [p for s in selections for p in s.parts]
    pairs = []
    for p in counts.top_pairs:
        first, last = _span(p.tally)
        f, yc = breakdown(p.tally)
        pairs.append(OrgPairFlow(
            organizations=[OrgRef.of(nodes[p.x]), OrgRef.of(nodes[p.y])], patents=p.tally.items,
            first_year=first, last_year=last, by_field=f, by_year=yc,
            evidence=Evidence.of(
                backend.co_assigned_patents(p.x, p.y, parts, filters.years_only(), evidence)
            ),
        ))
    whole = counts.tally
    notes = _notes(backend, whole.items, parts, asked, coverage)
    notes[1:1] = _works_notes(study, works.tally.items if works else 0, selections)
    return FlowsResult(
        filters=AppliedFilters.of(asked, by_year=by_year),
        fields=[selection_ref(s) for s in selections],
        patents=whole.items,
        total_organization_pairs=counts.organization_pairs,
        country_pairs=country_pairs,
        by_field=[FieldFlow(field=selection_ref(s), patents=n,
                            by_year=_years(per, coverage) if by_year else [],
                            works=works_in.get(s.id, 0) if study and s.research else None,
                            works_by_year=_work_years(works_years.get(s.id, {}))
                            if by_year else [])
                  for s, n, per in zip(selections, whole.by_selection, whole.by_selection_year,
                                       strict=True)],
        by_year=_years(whole.by_year, coverage) if by_year else [],
        organization_pairs=pairs,
        co_authored=_co_authored(backend, works, work_ids, by_year, evidence) if works
        else None,
        coverage=coverage,
        notes=notes,
        limit=limit,
    )
