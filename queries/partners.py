"""Partners of an organisation: its co-owners, optionally within a field and years."""

from __future__ import annotations

from ttkg.core.model import NodeLabel
from ttkg.graph.backends.contract import Filters, GraphBackend, NodeRecord
from ttkg.queries.bridges import field_ref
from ttkg.queries.common import DEFAULT_EVIDENCE, check_page, only_filters
from ttkg.queries.models import AppliedFilters, Evidence, OrgRef, PartnerResult, PartnersResult
from ttkg.queries.resolve import resolve_entity, resolve_field

__all__ = ["family_head", "partners"]


def family_head(backend: GraphBackend, org: NodeRecord) -> NodeRecord:
    """The head of an organisation's family (its `family_id`), the organisation itself when
    it heads its own family."""
    head = org.props.get("family_id")
    if not head or head == org.id:
        return org
    return backend.get_nodes([head]).get(head, org)


def partners(
    backend: GraphBackend,
    organization: str,
    field: str | None = None,
    filters: Filters = Filters(),
    *,
    limit: int = 20,
    offset: int = 0,
    evidence: int = DEFAULT_EVIDENCE,
) -> PartnersResult:
    """Co-owners of an organisation ranked by co-owned patents (then id), with evidence.
    Filters: years; partner_country and partner_kind select the partners. At the family
    level, the co-owners of the organisation's family are other families: the answer's
    `organization` is the family's head (`asked` the organisation asked for, when another),
    and patents the family's members co-own among themselves are no partnership."""
    check_page(limit, offset, evidence)
    only_filters(filters, "partners", "partner_country", "partner_kind")
    asked = resolve_entity(backend, organization, (NodeLabel.ORGANIZATION,))
    org = family_head(backend, asked) if filters.family else asked
    spec = resolve_field(backend, field) if field else None
    pairs = backend.co_assignment_counts([org.id], spec, filters.partner_side())
    ranked = sorted(
        ((y if x == org.id else x, n) for (x, y), n in pairs.items()), key=lambda t: (-t[1], t[0])
    )
    page = ranked[offset : offset + limit]
    nodes = backend.get_nodes([p for p, _ in page])
    years = filters.years_only()
    specs = [spec] if spec is not None else []
    return PartnersResult(
        organization=OrgRef.of(org),
        asked=OrgRef.of(asked) if asked.id != org.id else None,
        field=field_ref(spec) if spec else None,
        filters=AppliedFilters.of(filters),
        partners=[
            PartnerResult(
                organization=OrgRef.of(nodes[p]),
                count=n,
                evidence=Evidence.of(
                    backend.co_assigned_patents(org.id, p, specs, years, evidence)
                ),
            )
            for p, n in page
        ],
        total=len(ranked),
        offset=offset,
        limit=limit,
    )
