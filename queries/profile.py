"""Field profile: who holds a field (or publishes in a research field), where, and which
fields it co-occurs with."""

from __future__ import annotations

import heapq

from ttkg.core.errors import InvalidQueryError
from ttkg.core.model import country_id
from ttkg.graph.backends.contract import Filters, GraphBackend, field_parts
from ttkg.queries.common import check_page, only_filters, patent_coverage
from ttkg.queries.models import AppliedFilters, EntityRef, FieldProfile, RankedCount, year_series
from ttkg.queries.research import ResearchSpec, field_ref_of, organisation_level_only
from ttkg.queries.selections import field_arg_ref, field_set, resolve_field_arg
from ttkg.queries.themes import ThemeTable

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
        filters=AppliedFilters.of(filters),
        patents=total,
        organizations=[RankedCount(entity=EntityRef.of(nodes[o]), count=n) for o, n in orgs],
        countries=[
            RankedCount(entity=EntityRef.of(nodes[country_id(c)]), count=n) for c, n in countries
        ],
        cooccurring_fields=[RankedCount(entity=EntityRef.of(nodes[f]), count=n) for f, n in fields],
        by_year=year_series(backend.selection_years(spec, filters), patent_coverage(backend))
        if by_year else [],
    )


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
