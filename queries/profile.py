"""Field profile: who holds a field (or publishes in a research field), where, and which
fields it co-occurs with."""

from __future__ import annotations

import dataclasses
import heapq

from ttkg.core.errors import InvalidQueryError
from ttkg.core.model import country_id
from ttkg.graph.backends.contract import FieldSet, Filters, GraphBackend, field_parts
from ttkg.queries.common import check_page, only_filters, patent_coverage
from ttkg.queries.models import (
    AppliedFilters,
    EntityRef,
    FieldProfile,
    RankedCount,
    YearCount,
    year_series,
)
from ttkg.queries.research import ResearchSpec, field_ref_of, organisation_level_only
from ttkg.queries.selections import field_arg_ref, field_set, resolve_field_arg
from ttkg.queries.themes import ThemeTable
from ttkg.queries.yearly import membership, periods

__all__ = ["field_profile"]


def _top(counts: dict[str, int], limit: int) -> list[tuple[str, int]]:
    """The `limit` largest counts, ties by id (a partial sort: thousands of organisations)."""
    return heapq.nsmallest(limit, counts.items(), key=lambda kv: (-kv[1], kv[0]))


def field_profile(
    backend: GraphBackend,
    field: str,
    filters: Filters = Filters(),
    *,
    limit: int = 10,
    by_year: bool = False,
    themes: ThemeTable | None = None,
) -> FieldProfile:
    """Top organisations and countries of a field (by distinct patents) and the WIPO fields
    its patents are also in (the field itself excluded); with `by_year`, the field's patents
    per grant year (the data's partial last year marked). A research field: by distinct
    works, as `FieldProfile` says (no `by_year`). A theme or several fields at once
    (`AI`, `H01L,Optics`): their union, each patent once (the WIPO fields among its parts
    excluded from the co-occurring ones)."""
    check_page(limit, 0, 0)
    only_filters(filters, "profile", "country", "kind")
    found = resolve_field_arg(backend, field, themes)
    if isinstance(found, ResearchSpec):
        if by_year:
            raise InvalidQueryError(
                "by_year is answered for a technology field (patents), not a research field"
            )
        return research_profile(backend, found, filters, limit=limit)
    spec = field_set(found)
    own = {p.node_id for p in field_parts(spec)}
    orgs = backend.top_field_orgs(spec, filters, limit)
    countries = _top(backend.field_country_counts(spec, filters), limit)
    co = backend.field_cooccurrence(spec, filters)
    total = backend.selection_size(spec, filters)
    fields = _top({k: v for k, v in co.items() if k not in own}, limit)
    ids = [o for o, _ in orgs] + [country_id(c) for c, _ in countries] + [f for f, _ in fields]
    nodes = backend.get_nodes(ids)
    return FieldProfile(
        field=field_arg_ref(found),
        filters=AppliedFilters.of(filters, breakdown=by_year),
        patents=total,
        organizations=[RankedCount(entity=EntityRef.of(nodes[o]), count=n) for o, n in orgs],
        countries=[
            RankedCount(entity=EntityRef.of(nodes[country_id(c)]), count=n) for c, n in countries
        ],
        cooccurring_fields=[RankedCount(entity=EntityRef.of(nodes[f]), count=n) for f, n in fields],
        by_year=_years(backend, spec, filters) if by_year else [],
    )


def _years(backend: GraphBackend, spec: FieldSet, filters: Filters) -> list[YearCount]:
    """The selection's patents per grant year; with a country group, year by year: a year's
    patents held by an organisation whose country counted in that year (one count per run of
    years with the same members, `ttkg.queries.yearly.periods`)."""
    coverage = patent_coverage(backend)
    m = membership(filters)
    if m is None or m.origin is None:
        return year_series(backend.selection_years(spec, filters), coverage)
    first = filters.year_from or int(str(coverage.get("first_grant") or "1")[:4])
    last = filters.year_to or int(coverage.get("last_year") or first)
    counts: dict[int | None, int] = {}
    for lo, hi, countries in periods(filters, first, last):
        if countries:
            found = backend.selection_years(spec, dataclasses.replace(
                filters, year_from=lo, year_to=hi, countries=countries))
            counts |= {y: n for y, n in found.items() if y is not None and lo <= y <= hi}
    if filters.year_from is None and filters.year_to is None:  # no year: range membership
        none = backend.selection_years(spec, filters).get(None)
        if none:
            counts[None] = none
    return year_series(counts, coverage)


def _ranked(backend: GraphBackend, counts: list[tuple[str, int]]) -> list[RankedCount]:
    nodes = backend.get_nodes([i for i, _ in counts])
    return [RankedCount(entity=EntityRef.of(nodes[i]), count=n) for i, n in counts if i in nodes]


def research_profile(
    backend: GraphBackend, spec: ResearchSpec, filters: Filters, *, limit: int
) -> FieldProfile:
    """Organisations publishing in a research field (works), their countries (works with an
    organisation located there), the OpenAlex fields its works are also in, and the WIPO
    fields its organisations patent in (organisations). With an org part in the filters,
    only passing organisations count, and only works with one of them."""
    organisation_level_only(filters, "profile")
    counts = backend.research_profile_counts(spec.node_id, filters, limit)
    return FieldProfile(
        field=field_ref_of(spec),
        filters=AppliedFilters.of(filters),
        patents=0,
        works=counts.works,
        organizations=_ranked(backend, counts.organizations),
        countries=_ranked(backend, [(country_id(c), n) for c, n in counts.countries]),
        cooccurring_fields=_ranked(backend, counts.technology_fields),
        cooccurring_research_fields=_ranked(backend, counts.research_fields),
    )
