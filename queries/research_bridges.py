"""Bridges with a research field on at least one side: research x research and
science x technology, direct and through partnerships, with works (and patents) as evidence.

What is counted, exactly (R, R1, R2 research fields; T a technology field):

* direct, R1 x R2: organisations publishing in both (count_a: works in R1, count_b: works in
  R2; a work in both counts on both sides);
* direct, R x T: organisations publishing in R and holding patents in T (works in R; patents
  in T, as technology bridges count them);
* partnership, R1 x R2: pairs co-authoring works in R1 or R2, one of them publishing in R1 and
  the other in R2 (either way round): count = co-authored works in R1 or R2, count_a / count_b
  those in R1 / R2 (the twin of co-owned patents for two technology fields);
* partnership, R x T: pairs that co-author works in R where one of them patents in T, or that
  co-own patents in T where one of them publishes in R: count = co-authored works in R plus
  co-owned patents in T (count_a and count_b split it by side). A pair co-authoring in R
  always both publish in R, and a pair co-owning in T both patent in T, so the two counts
  never need a condition of their own beyond that: the pair qualifies when it has either;
* every count at least `min_evidence`; ranking as for technology bridges: direct by the
  smaller count, then the sum, then id; partnerships by count, then count_a + count_b, then
  the two ids; evidence: the newest works (DOI, year, title) and patents behind each count.

Filters: years (works by publication year, patents by grant year); country and kind select
the direct bridge's organisation and a partnership's first member, partner_country and
partner_kind the other member, as for technology bridges.
"""

from __future__ import annotations

from typing import Any

from ttkg.graph.backends.contract import Filters, GraphBackend, Side, field_parts
from ttkg.queries.models import AppliedFilters, BridgesResult, evidence_data, org_data
from ttkg.queries.research import ResearchSpec, organisation_level_only
from ttkg.queries.selections import FieldArg, field_arg_ref, field_set

__all__ = ["research_bridges"]


def _side(spec: FieldArg) -> Side:
    """The backend's side of a bridge: a technology selection (one field or several) or a
    research field id."""
    return spec.node_id if isinstance(spec, ResearchSpec) else field_set(spec)


def _side_evidence(
    backend: GraphBackend, side: Side, org: str, years: Filters, limit: int
) -> dict[str, Any]:
    if isinstance(side, str):
        total, works = backend.org_works(org, side, years, limit)
        return evidence_data((total, []), works)
    return evidence_data(backend.org_patents(org, side, years, limit))


def _pair_data(
    backend: GraphBackend,
    x: str,
    y: str,
    counts: tuple[int, int, int],
    a: Side,
    b: Side,
    years: Filters,
    limit: int,
) -> dict[str, Any]:
    count, count_a, count_b = counts
    research = [s for s in (a, b) if isinstance(s, str)]
    tech = [p for s in (a, b) if not isinstance(s, str) for p in field_parts(s)]
    co_owned = backend.co_assigned_patents(x, y, (), years, 0)[0]
    co_authored_total = backend.co_authored_works(x, y, (), years, 0)[0]
    n_works, works = backend.co_authored_works(x, y, research, years, limit)
    patents = (
        backend.co_assigned_patents(x, y, tech, years, limit)[1]
        if tech and count > n_works
        else []
    )
    return {
        "count": count,
        "count_a": count_a,
        "count_b": count_b,
        "co_owned_total": co_owned,
        "co_authored_total": co_authored_total,
        "evidence": evidence_data((count, patents), works),
    }


def research_bridges(
    backend: GraphBackend,
    a_spec: FieldArg,
    b_spec: FieldArg,
    filters: Filters,
    *,
    min_evidence: int,
    limit: int,
    offset: int,
    evidence: int,
) -> BridgesResult:
    """Direct and partnership bridges between two resolved fields, at least one of them a
    research field (the module docstring says what is counted)."""
    organisation_level_only(filters, "bridges")
    years = filters.years_only()
    a, b = _side(a_spec), _side(b_spec)
    total_direct, direct = backend.research_direct(a, b, filters, min_evidence, offset, limit)
    total_pairs, pairs = backend.research_partnerships(a, b, filters, min_evidence, offset, limit)
    ids = {o for o, _, _ in direct} | {o for x, y, *_ in pairs for o in (x, y)}
    orgs = {k: org_data(v) for k, v in backend.get_nodes(sorted(ids)).items()}
    return BridgesResult.model_validate(
        {
            "field_a": field_arg_ref(a_spec),
            "field_b": field_arg_ref(b_spec),
            "filters": AppliedFilters.of(filters),
            "direct": [
                {
                    "organization": orgs[o],
                    "count_a": ca,
                    "count_b": cb,
                    "evidence": {
                        "a": _side_evidence(backend, a, o, years, evidence),
                        "b": _side_evidence(backend, b, o, years, evidence),
                    },
                }
                for o, ca, cb in direct
            ],
            "partnerships": [
                {
                    "organizations": [orgs[x], orgs[y]],
                    **_pair_data(backend, x, y, (n, na, nb), a, b, years, evidence),
                }
                for x, y, n, na, nb in pairs
            ],
            "total_direct": total_direct,
            "total_partnerships": total_pairs,
            "offset": offset,
            "limit": limit,
        }
    )
