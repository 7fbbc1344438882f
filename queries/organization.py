"""An organisation at a glance, for the explorer: its patents by grant year (the timeline),
the WIPO fields it is active in, and the countries of its co-owners."""

from __future__ import annotations

from collections import Counter

from pydantic import BaseModel

from ttkg.core.model import NodeLabel, country_id
from ttkg.graph.backends.contract import FieldSpec, Filters, GraphBackend, Relation
from ttkg.queries.common import only_filters, organization_level_only
from ttkg.queries.models import EntityRef, OrgRef, RankedCount, Row, Tabular
from ttkg.queries.resolve import resolve_entity

__all__ = ["OrganizationOverview", "YearCount", "organization_overview"]

MAX_TIMELINE_PATENTS = 1_000_000


class YearCount(BaseModel):
    """Patents granted in one year."""

    year: int
    count: int


class OrganizationOverview(Tabular):
    """Patents of an organisation by year, its fields and its co-owners' countries (years
    filtered; the partner filters apply to the co-owners). As rows: one per item,
    `section` saying which list it is from (timeline rows have the year as `name`)."""

    organization: OrgRef
    patents: int
    timeline: list[YearCount]
    fields: list[RankedCount]
    partner_countries: list[RankedCount]

    def rows(self) -> list[Row]:
        out: list[Row] = [
            {"section": "timeline", "rank": None, "id": None, "label": None, "name": str(y.year),
             "count": y.count}
            for y in self.timeline
        ]
        for name, ranked in (("field", self.fields), ("partner_country", self.partner_countries)):
            out += [
                {"section": name, "rank": rank, "id": r.entity.id, "label": r.entity.label,
                 "name": r.entity.name, "count": r.count}
                for rank, r in enumerate(ranked, 1)
            ]
        return out

    def columns(self) -> list[str]:
        return ["section", "rank", "id", "label", "name", "count"]


def _ranked(counts: Counter[str], backend: GraphBackend) -> list[RankedCount]:
    nodes = backend.get_nodes(list(counts))
    return [
        RankedCount(entity=EntityRef.of(nodes[k]), count=n)
        for k, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        if n and k in nodes
    ]


def organization_overview(
    backend: GraphBackend, organization: str, filters: Filters = Filters()
) -> OrganizationOverview:
    """Timeline, fields (patents in each, most first) and co-owners' countries (co-owners in
    each, most first) of an organisation. Filters: years; partner_country and partner_kind
    select the co-owners counted."""
    only_filters(filters, "overview", "partner_country", "partner_kind")
    organization_level_only(filters, "overview")
    org = resolve_entity(backend, organization, (NodeLabel.ORGANIZATION,))
    years = filters.years_only()
    total, _ = backend.org_patents(org.id, None, years, 0)
    _, patents = backend.org_patents(org.id, None, years, min(total, MAX_TIMELINE_PATENTS))
    by_year = Counter(p.year for p in patents if p.year is not None)
    fields: Counter[str] = Counter()
    for hop in backend.relations([org.id], [Relation.ACTIVE_IN]):
        spec = FieldSpec("wipo_field", hop.dst, hop.dst, hop.dst)
        fields[hop.dst] = backend.org_patents(org.id, spec, years, 0)[0]
    pairs = backend.co_assignment_counts([org.id], None, filters.partner_side())
    partners = [y if x == org.id else x for x, y in pairs]
    countries = Counter(
        country_id(n.props["country"])
        for n in backend.get_nodes(partners).values()
        if n.props.get("country")
    )
    return OrganizationOverview(
        organization=OrgRef.of(org),
        patents=total,
        timeline=[YearCount(year=y, count=by_year[y]) for y in sorted(by_year)],
        fields=_ranked(fields, backend),
        partner_countries=_ranked(countries, backend),
    )
