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

from dataclasses import dataclass
from typing import Any

from ttkg.graph.backends.contract import FieldSpec, Filters, GraphBackend, WorkRow
from ttkg.queries.models import AppliedFilters, BridgesResult, evidence_data, org_data
from ttkg.queries.research import (
    ResearchSpec,
    co_authored,
    field_ref_of,
    newest_works,
    organisation_level_only,
    passing,
    works_by_org,
)

__all__ = ["research_bridges"]

Pair = tuple[str, str]


@dataclass
class _Side:
    """One field of a bridge: its organisations' counts (years filtered, no org filter), and
    for a research field its works."""

    spec: FieldSpec | ResearchSpec
    counts: dict[str, int]
    rows: list[WorkRow] | None = None  # research: the works, newest first
    works: dict[str, list[str]] | None = None  # research: organisation -> its works


def _side(backend: GraphBackend, spec: FieldSpec | ResearchSpec, years: Filters) -> _Side:
    if isinstance(spec, ResearchSpec):
        rows = backend.research_works(spec.node_id, None, years)
        works = works_by_org(rows)
        return _Side(spec, {o: len(w) for o, w in works.items()}, rows, works)
    return _Side(spec, backend.field_org_counts(spec, years))


def _side_evidence(
    backend: GraphBackend, side: _Side, org: str, years: Filters, limit: int
) -> dict[str, Any]:
    if side.works is not None:
        ranked = side.works.get(org, [])
        return evidence_data((len(ranked), []), newest_works(backend, ranked, limit))
    assert isinstance(side.spec, FieldSpec)
    return evidence_data(backend.org_patents(org, side.spec, years, limit))


def _direct(
    backend: GraphBackend, a: _Side, b: _Side, filters: Filters, min_count: int
) -> list[tuple[str, int, int]]:
    both = [
        o
        for o, n in a.counts.items()
        if n >= min_count and b.counts.get(o, 0) >= min_count
    ]
    keep = passing(backend, both, filters.countries, filters.kinds)
    rows = [(o, a.counts[o], b.counts[o]) for o in both if o in keep]
    return sorted(rows, key=lambda r: (-min(r[1], r[2]), -(r[1] + r[2]), r[0]))


@dataclass
class _Joined:
    """A pair's items in A or B: co-authored works (ranked) and co-owned patents counted."""

    works: list[str]
    count_a: int
    count_b: int
    patents: int = 0


def _joined_research(a: _Side, b: _Side) -> dict[Pair, _Joined]:
    """Research x research: works co-authored in A or B, one partner in A, the other in B."""
    assert a.rows is not None and b.rows is not None
    in_a, in_b = {r.id for r in a.rows}, {r.id for r in b.rows}
    union = {r.id: r for r in (*a.rows, *b.rows)}
    rows = sorted(union.values(), key=lambda r: (-(r.year if r.year is not None else -1), r.id))
    out = {}
    for (x, y), works in co_authored(rows).items():
        if not ((x in a.counts and y in b.counts) or (x in b.counts and y in a.counts)):
            continue
        out[(x, y)] = _Joined(works, sum(w in in_a for w in works), sum(w in in_b for w in works))
    return out


def _joined_science(
    backend: GraphBackend, r: _Side, t: _Side, years: Filters, research_first: bool
) -> dict[Pair, _Joined]:
    """Research x technology: co-authored works in R (one partner patents in T) and co-owned
    patents in T (one partner publishes in R)."""
    assert r.rows is not None and isinstance(t.spec, FieldSpec)
    out: dict[Pair, _Joined] = {}
    for (x, y), works in co_authored(r.rows).items():
        if x in t.counts or y in t.counts:
            out[(x, y)] = _Joined(works, 0, 0)
    for pair, n in backend.co_assignment_counts(list(r.counts), t.spec, years).items():
        out.setdefault(pair, _Joined([], 0, 0)).patents = n
    for j in out.values():
        n_r, n_t = len(j.works), j.patents
        j.count_a, j.count_b = (n_r, n_t) if research_first else (n_t, n_r)
    return out


def _oriented(
    backend: GraphBackend, joined: dict[Pair, _Joined], filters: Filters, min_count: int
) -> list[tuple[str, str, _Joined]]:
    """Pairs with at least min_count items, the first member passing the organisation side
    of the filters and the second the partner side (passing both ways: x < y), ranked."""
    pairs = {p: j for p, j in joined.items() if len(j.works) + j.patents >= min_count}
    members = {o for p in pairs for o in p}
    side = passing(backend, members, filters.countries, filters.kinds)
    partner = passing(backend, members, filters.partner_countries, filters.partner_kinds)
    out = []
    for (x, y), j in pairs.items():
        if x in side and y in partner:
            out.append((x, y, j))
        elif y in side and x in partner:
            out.append((y, x, j))
    return sorted(
        out,
        key=lambda t: (-(len(t[2].works) + t[2].patents), -(t[2].count_a + t[2].count_b),
                       t[0], t[1]),
    )


def _pair_data(
    backend: GraphBackend,
    x: str,
    y: str,
    j: _Joined,
    tech: FieldSpec | None,
    years: Filters,
    limit: int,
) -> dict[str, Any]:
    co_owned = backend.co_assigned_patents(x, y, (), years, 0)[0]
    co_authored_total = sum(y in r.orgs for r in backend.research_works(None, x, years))
    patents = (
        backend.co_assigned_patents(x, y, [tech], years, limit)[1]
        if tech is not None and j.patents
        else []
    )
    count = len(j.works) + j.patents
    return {
        "count": count,
        "count_a": j.count_a,
        "count_b": j.count_b,
        "co_owned_total": co_owned,
        "co_authored_total": co_authored_total,
        "evidence": evidence_data((count, patents), newest_works(backend, j.works, limit)),
    }


def research_bridges(
    backend: GraphBackend,
    a_spec: FieldSpec | ResearchSpec,
    b_spec: FieldSpec | ResearchSpec,
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
    a, b = _side(backend, a_spec, years), _side(backend, b_spec, years)
    direct = _direct(backend, a, b, filters, min_evidence)
    if a.rows is not None and b.rows is not None:
        joined = _joined_research(a, b)
        tech = None
    elif a.rows is not None:
        joined = _joined_science(backend, a, b, years, research_first=True)
        tech = b.spec if isinstance(b.spec, FieldSpec) else None
    else:
        joined = _joined_science(backend, b, a, years, research_first=False)
        tech = a.spec if isinstance(a.spec, FieldSpec) else None
    pairs = _oriented(backend, joined, filters, min_evidence)
    direct_page = direct[offset : offset + limit]
    pair_page = pairs[offset : offset + limit]
    ids = {o for o, _, _ in direct_page} | {o for x, y, _ in pair_page for o in (x, y)}
    orgs = {k: org_data(v) for k, v in backend.get_nodes(sorted(ids)).items()}
    return BridgesResult.model_validate(
        {
            "field_a": field_ref_of(a_spec),
            "field_b": field_ref_of(b_spec),
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
                for o, ca, cb in direct_page
            ],
            "partnerships": [
                {
                    "organizations": [orgs[x], orgs[y]],
                    **_pair_data(backend, x, y, j, tech, years, evidence),
                }
                for x, y, j in pair_page
            ],
            "total_direct": len(direct),
            "total_partnerships": len(pairs),
            "offset": offset,
            "limit": limit,
        }
    )
