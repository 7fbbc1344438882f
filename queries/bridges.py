"""Field bridges: which organisations, and which partnerships, connect two fields.

Two technology fields are answered by the backend's bridge primitives (patents); a research
field on either side by `research_bridges` (works, and patents for a technology side).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from ttkg.core.errors import InvalidQueryError
from ttkg.graph.backends.contract import Filters, GraphBackend, PatentRef, field_parts
from ttkg.queries.common import DEFAULT_EVIDENCE, check_page, patent_coverage
from ttkg.queries.models import (
    AppliedFilters,
    BridgesResult,
    evidence_data,
    org_data,
    partial_year,
    year_series,
)
from ttkg.queries.research import ResearchSpec
from ttkg.queries.research_bridges import research_bridges
from ttkg.queries.selections import field_arg_ref, field_set, resolve_field_arg
from ttkg.queries.themes import ThemeTable
from ttkg.queries.yearly import in_year

__all__ = ["bridges"]


def bridges(
    backend: GraphBackend,
    field_a: str,
    field_b: str,
    filters: Filters = Filters(),
    *,
    min_evidence: int = 1,
    limit: int = 10,
    offset: int = 0,
    evidence: int = DEFAULT_EVIDENCE,
    by_year: bool = False,
    themes: ThemeTable | None = None,
) -> BridgesResult:
    """Organisations holding patents in both fields (direct bridges), ranked by
    min(count in A, count in B) then the sum; and partnerships: pairs co-owning patents in A
    or B, one active in A and the other in B, ranked by those co-owned patents (`count`; the
    pair's co-owned total in any field is reported beside it). Every count carries its
    evidence: for a partnership, co-owned patents in A or B only.

    Either field may be an OpenAlex research field: then works count for it (publishing in
    it; co-authoring in it), as `ttkg.queries.research_bridges` says exactly. Either may be a
    theme (`AI`; `themes`: the table, default the bundled one) or several fields or themes
    comma-separated (`H01L,Optics`): a patent counts for that side when it is in any of them,
    once; the answer's `field_a`/`field_b` echo the expansion.

    Filters: grant years (every count); country and kind (the direct bridge's organisation,
    a partnership's first member); partner_country and partner_kind (a partnership's other
    member).

    `by_year`: each direct bridge and partnership also gets its counted patents per grant
    year (all of them, not only the evidence shown; the data's partial last year marked);
    a country group's membership is applied year by year there (`ttkg.queries.yearly`): a
    year counts only where the organisations' countries were members of their side in it.
    """
    check_page(limit, offset, evidence)
    if min_evidence < 1:
        raise InvalidQueryError(f"min_evidence must be at least 1, got {min_evidence}")
    a_any = resolve_field_arg(backend, field_a, themes)
    b_any = resolve_field_arg(backend, field_b, themes)
    if isinstance(a_any, ResearchSpec) or isinstance(b_any, ResearchSpec):
        if by_year:
            raise InvalidQueryError(
                "by_year is answered for two technology fields (patents), not with a research "
                "field"
            )
        return research_bridges(
            backend,
            a_any,
            b_any,
            filters,
            min_evidence=min_evidence,
            limit=limit,
            offset=offset,
            evidence=evidence,
        )
    a, b = field_set(a_any), field_set(b_any)
    total_direct, direct_page = backend.direct_bridges(a, b, filters, min_evidence, offset, limit)
    total_pairs, pair_page = backend.partnership_bridges(
        a, b, filters, min_evidence, offset, limit
    )
    ids = {o for o, _, _ in direct_page} | {x for p in pair_page for x in p[:2]}
    orgs = {k: org_data(v) for k, v in backend.get_nodes(sorted(ids)).items()}
    years = filters.years_only()
    coverage = patent_coverage(backend) if by_year else {}
    last = partial_year(coverage)
    # with by_year, every counted patent is fetched once: its evidence is the first of them
    keep = (lambda n: max(n, evidence)) if by_year else (lambda n: evidence)

    def counted(found: tuple[int, list[PatentRef]]) -> dict[str, Any]:
        return evidence_data((found[0], found[1][:evidence]))

    direct = []
    for o, ca, cb in direct_page:
        in_a = backend.org_patents(o, a, years, keep(ca))
        in_b = backend.org_patents(o, b, years, keep(cb))
        item: dict[str, Any] = {
            "organization": orgs[o], "count_a": ca, "count_b": cb,
            "evidence": {"a": counted(in_a), "b": counted(in_b)},
        }
        if by_year:
            country = orgs[o]["country"]
            per_a, per_b = (Counter(p.year for p in found[1]
                                    if in_year(filters, country, p.year))
                            for found in (in_a, in_b))
            item["by_year"] = [
                {"year": y, "count_a": per_a[y], "count_b": per_b[y],
                 "partial": y is not None and y == last}
                for y in sorted(per_a.keys() | per_b.keys(), key=lambda y: (y is None, y or 0))
            ]
        direct.append(item)
    partnerships = []
    for x, y, n, ca, cb, total in pair_page:
        joint = backend.co_assigned_patents(x, y, field_parts(a) + field_parts(b), years,
                                             keep(n))
        partnerships.append({
            "organizations": [orgs[x], orgs[y]], "count": n, "count_a": ca, "count_b": cb,
            "co_owned_total": total, "evidence": counted(joint),
            "by_year": year_series(Counter(p.year for p in joint[1]
                                           if _pair_in_year(filters, orgs[x], orgs[y], p.year)),
                                   coverage) if by_year else [],
        })
    # one validation of the whole answer from plain data (pydantic-core, not Python loops)
    return BridgesResult.model_validate(
        {
            "field_a": field_arg_ref(a_any),
            "field_b": field_arg_ref(b_any),
            "filters": AppliedFilters.of(filters, breakdown=by_year),
            "direct": direct,
            "partnerships": partnerships,
            "total_direct": total_direct,
            "total_partnerships": total_pairs,
            "offset": offset,
            "limit": limit,
        }
    )


def _pair_in_year(filters: Filters, x: dict[str, Any], y: dict[str, Any], year: int | None
                  ) -> bool:
    """Whether a partnership counts in a year: one member's country counts for the
    organisation side in it and the other's for the partner side (either way round, the
    kinds passing as the partnership was counted)."""
    def way(a: dict[str, Any], b: dict[str, Any]) -> bool:
        return ((not filters.kinds or a["kind"] in filters.kinds)
                and (not filters.partner_kinds or b["kind"] in filters.partner_kinds)
                and in_year(filters, a["country"], year)
                and in_year(filters, b["country"], year, partner=True))

    return way(x, y) or way(y, x)
