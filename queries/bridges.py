"""Field bridges: which organisations, and which partnerships, connect two technology fields."""

from __future__ import annotations

from ttkg.core.errors import InvalidQueryError
from ttkg.graph.backends.contract import FieldSpec, Filters, GraphBackend
from ttkg.queries.common import DEFAULT_EVIDENCE, check_page, parse_kinds
from ttkg.queries.models import BridgesResult, FieldRef, evidence_data, org_data
from ttkg.queries.resolve import resolve_field

__all__ = ["bridges", "field_ref"]


def field_ref(spec: FieldSpec) -> FieldRef:
    """The JSON form of a resolved field."""
    return FieldRef(id=spec.node_id, name=spec.name, kind=spec.kind, value=spec.value)


def bridges(
    backend: GraphBackend,
    field_a: str,
    field_b: str,
    filters: Filters = Filters(),
    *,
    partner_kinds: str | list[str] | frozenset[str] | None = None,
    min_evidence: int = 1,
    limit: int = 10,
    offset: int = 0,
    evidence: int = DEFAULT_EVIDENCE,
) -> BridgesResult:
    """Organisations holding patents in both fields (direct bridges), ranked by
    min(count in A, count in B) then the sum; and pairs of co-owners, one active in A and
    the other in B (partnerships), ranked by co-owned patents. Each carries patent evidence.

    Filters: grant years, organisation country and kinds (for partnerships: one member has
    a kind in `filters.kinds`, the other one in `partner_kinds`).
    """
    check_page(limit, offset, evidence)
    if min_evidence < 1:
        raise InvalidQueryError(f"min_evidence must be at least 1, got {min_evidence}")
    a, b = resolve_field(backend, field_a), resolve_field(backend, field_b)
    total_direct, direct_page = backend.direct_bridges(a, b, filters, min_evidence, offset, limit)
    total_pairs, pair_page = backend.partnership_bridges(
        a, b, filters, parse_kinds(partner_kinds), min_evidence, offset, limit
    )
    ids = {o for o, _, _ in direct_page} | {x for p in pair_page for x in p[:2]}
    orgs = {k: org_data(v) for k, v in backend.get_nodes(sorted(ids)).items()}
    years = Filters(filters.year_from, filters.year_to)
    # one validation of the whole answer from plain data (pydantic-core, not Python loops)
    return BridgesResult.model_validate(
        {
            "field_a": field_ref(a),
            "field_b": field_ref(b),
            "direct": [
                {
                    "organization": orgs[o],
                    "count_a": ca,
                    "count_b": cb,
                    "evidence": {
                        "a": evidence_data(backend.org_patents(o, a, years, evidence)),
                        "b": evidence_data(backend.org_patents(o, b, years, evidence)),
                    },
                }
                for o, ca, cb in direct_page
            ],
            "partnerships": [
                {
                    "organizations": [orgs[x], orgs[y]],
                    "count": n,
                    "count_a": ca,
                    "count_b": cb,
                    "evidence": evidence_data(
                        backend.co_assigned_patents(x, y, None, years, evidence)
                    ),
                }
                for x, y, n, ca, cb in pair_page
            ],
            "total_direct": total_direct,
            "total_partnerships": total_pairs,
            "offset": offset,
            "limit": limit,
        }
    )
