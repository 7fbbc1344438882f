"""Partners of an organisation: its co-owners and its co-authors, kept apart, optionally
within a field and years."""

from __future__ import annotations

from ttkg.core.model import EdgeType, NodeLabel
from ttkg.graph.backends.contract import Filters, GraphBackend, NodeRecord, field_parts
from ttkg.queries.common import DEFAULT_EVIDENCE, check_page, only_filters
from ttkg.queries.models import (
    AppliedFilters,
    Evidence,
    OrgRef,
    PartnerResult,
    PartnersResult,
    evidence_data,
)
from ttkg.queries.research import ResearchSpec, newest_works, organisation_level_only, passing
from ttkg.queries.resolve import resolve_entity
from ttkg.queries.selections import field_arg_ref, field_set, resolve_field_arg
from ttkg.queries.themes import ThemeTable

__all__ = ["family_head", "family_note", "partners"]


def family_head(backend: GraphBackend, org: NodeRecord) -> NodeRecord:
    """The head of an organisation's family (its `family_id`), the organisation itself when
    it heads its own family."""
    head = org.props.get("family_id")
    if not head or head == org.id:
        return org
    return backend.get_nodes([head]).get(head, org)


def _ranked(counts: dict[str, int]) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda t: (-t[1], t[0]))


def family_note(backend: GraphBackend, asked: NodeRecord, head: NodeRecord,
                filters: Filters) -> str | None:
    """What the level did with the organisation asked for (None when there is nothing to say):
    at the family level, which family answers and why the organisation is in it; at the
    organisation level, that an organisation without patents of its own is in a family whose
    patents another organisation holds (a campus of a university system whose board holds
    them), and how to ask for them."""
    if head.id == asked.id:
        if not filters.family and not asked.props.get("patent_count"):
            return f"{asked.name} holds no patents in this graph"
        return None
    why = next((n.props.get("reason") for n in backend.neighbors(asked.id, limit=1)
                if n.edge_type is EdgeType.MEMBER_OF and n.direction == "out"), None)
    family = f"the family of {head.name} ({head.id}" + (f"; {why})" if why else ")")
    if filters.family:
        return f"family level: {asked.name} answers as {family}"
    if asked.props.get("patent_count"):
        return None
    return (f"{asked.name} holds no patents of its own; it is in {family}, which holds "
            f"{head.props.get('patent_count') or 0} patents: ask at the family level "
            f"(--level family, level=family) or for {head.id}")


def partners(
    backend: GraphBackend,
    organization: str,
    field: str | None = None,
    filters: Filters = Filters(),
    *,
    limit: int = 20,
    offset: int = 0,
    evidence: int = DEFAULT_EVIDENCE,
    themes: ThemeTable | None = None,
) -> PartnersResult:
    """Co-owners of an organisation ranked by co-owned patents (then id), and co-authors
    ranked by co-authored works (then id), each with evidence; `limit` and `offset` page each
    list. A technology field restricts the co-owners to it (no co-authors listed), a research
    field the co-authors (no co-owners listed). Filters: years (grant, publication);
    partner_country and partner_kind select the partners. At the family level, the co-owners
    of the organisation's family are other families: the answer's `organization` is the
    family's head (`asked` the organisation asked for, when another), and patents the
    family's members co-own among themselves are no partnership; co-authors are counted per
    organisation only (none listed at the family level, a research field refused). The field
    may be a theme or several fields at once (`AI`, `H01L,Optics`): co-owned patents in any
    of them, each once."""
    check_page(limit, offset, evidence)
    only_filters(filters, "partners", "partner_country", "partner_kind")
    asked = resolve_entity(backend, organization, (NodeLabel.ORGANIZATION,))
    head = family_head(backend, asked)
    org = head if filters.family else asked
    spec = resolve_field_arg(backend, field, themes) if field else None
    if isinstance(spec, ResearchSpec):
        organisation_level_only(filters, "partners")
    years = filters.years_only()
    owners: list[tuple[str, int]] = []
    if not isinstance(spec, ResearchSpec):
        tech = None if spec is None else field_set(spec)
        pairs = backend.co_assignment_counts([org.id], tech, filters.partner_side())
        owners = _ranked({y if x == org.id else x: n for (x, y), n in pairs.items()})
    authors: list[tuple[str, int]] = []
    works: dict[str, list[str]] = {}
    if (spec is None or isinstance(spec, ResearchSpec)) and not filters.family:
        rows = backend.research_works(spec.node_id if spec else None, org.id, years)
        for row in rows:
            for o in row.orgs:
                if o != org.id:
                    works.setdefault(o, []).append(row.id)
        keep = passing(backend, works, filters.partner_countries, filters.partner_kinds)
        authors = _ranked({o: len(ws) for o, ws in works.items() if o in keep})
    owners_page = owners[offset : offset + limit]
    authors_page = authors[offset : offset + limit]
    nodes = backend.get_nodes(sorted({p for p, _ in owners_page + authors_page}))
    specs = [] if spec is None or isinstance(spec, ResearchSpec) else field_parts(field_set(spec))
    return PartnersResult(
        organization=OrgRef.of(org),
        asked=OrgRef.of(asked) if asked.id != org.id else None,
        field=field_arg_ref(spec) if spec else None,
        filters=AppliedFilters.of(filters),
        note=family_note(backend, asked, head, filters),
        partners=[
            PartnerResult(
                organization=OrgRef.of(nodes[p]),
                count=n,
                evidence=Evidence.of(
                    backend.co_assigned_patents(org.id, p, specs, years, evidence)
                ),
            )
            for p, n in owners_page
        ],
        total=len(owners),
        co_authors=[
            PartnerResult(
                organization=OrgRef.of(nodes[p]),
                count=n,
                evidence=Evidence.model_validate(
                    evidence_data((n, []), newest_works(backend, works[p], evidence))
                ),
            )
            for p, n in authors_page
        ],
        total_co_authors=len(authors),
        offset=offset,
        limit=limit,
    )
