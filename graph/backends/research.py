"""The research aggregates of the contract, written once over `research_works` and the
patent primitives: the reference answers a backend without faster ones gives (Neo4j does;
the embedded backend answers from its serving index and must give the same).

What is counted is what the contract's `research_*` methods say; in short, a work is in a
research field when one of its topics is that field or falls under it, an organisation
publishes in the field with its works there, and two organisations co-author the works
that list both.
"""

from __future__ import annotations

import heapq
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from ttkg.core.model import NodeLabel
from ttkg.graph.backends.contract import (
    CoOwnershipRow,
    FieldSet,
    FieldSpec,
    Filters,
    GraphBackend,
    ResearchCounts,
    Side,
    WorkRef,
    WorkRow,
)

__all__ = [
    "co_authored",
    "co_authored_works",
    "org_works",
    "passing",
    "research_direct",
    "research_partnerships",
    "research_profile_counts",
    "work_refs",
    "works_by_org",
]

Pair = tuple[str, str]


def works_by_org(rows: Iterable[WorkRow]) -> dict[str, list[str]]:
    """Organisation -> its works among rows, in the rows' order (newest first)."""
    out: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        for o in row.orgs:
            out[o].append(row.id)
    return dict(out)


def co_authored(rows: Iterable[WorkRow]) -> dict[Pair, list[str]]:
    """Unordered pairs (x < y) of organisations -> the works among rows they co-author, in
    the rows' order."""
    out: dict[Pair, list[str]] = defaultdict(list)
    for row in rows:
        orgs = row.orgs
        for i, x in enumerate(orgs):
            for y in orgs[i + 1 :]:
                out[(x, y)].append(row.id)
    return dict(out)


def passing(
    backend: GraphBackend, orgs: Collection[str], countries: frozenset[str], kinds: frozenset[str]
) -> set[str]:
    """The organisations among orgs located in one of the countries and of one of the kinds
    (an empty set does not filter)."""
    if not countries and not kinds:
        return set(orgs)
    nodes = backend.get_nodes(sorted(orgs))
    return {
        o
        for o, n in nodes.items()
        if (not countries or n.props.get("country") in countries)
        and (not kinds or n.props.get("kind") in kinds)
    }


def work_refs(backend: GraphBackend, ranked: Sequence[str], limit: int) -> list[WorkRef]:
    """References of the first `limit` of works already ranked newest first."""
    ids = list(ranked[: max(limit, 0)])
    nodes = backend.get_nodes(ids)
    return [WorkRef.of_node(nodes[w]) for w in ids if w in nodes]


def _counts(backend: GraphBackend, side: Side, years: Filters) -> dict[str, int]:
    if not isinstance(side, str):  # a technology selection
        return backend.field_org_counts(side, years)
    works = works_by_org(backend.research_works(side, None, years))
    return {o: len(w) for o, w in works.items()}


def research_direct(
    backend: GraphBackend,
    a: Side,
    b: Side,
    filters: Filters,
    min_count: int,
    offset: int,
    limit: int,
) -> tuple[int, list[tuple[str, int, int]]]:
    """The contract's `research_direct`."""
    years = filters.years_only()
    ca, cb = _counts(backend, a, years), _counts(backend, b, years)
    low = max(min_count, 1)
    both = [o for o, n in ca.items() if n >= low and cb.get(o, 0) >= low]
    keep = passing(backend, both, filters.countries, filters.kinds)
    rows = [(o, ca[o], cb[o]) for o in both if o in keep]
    rows.sort(key=lambda r: (-min(r[1], r[2]), -(r[1] + r[2]), r[0]))
    return len(rows), rows[offset : offset + limit]


@dataclass
class _Joined:
    """A pair's co-authored works and co-owned patents, counted by side."""

    works: int
    patents: int
    count_a: int
    count_b: int


def _joined_research(backend: GraphBackend, a: str, b: str, years: Filters) -> dict[Pair, _Joined]:
    rows_a = backend.research_works(a, None, years)
    rows_b = backend.research_works(b, None, years)
    in_a, in_b = {r.id for r in rows_a}, {r.id for r in rows_b}
    orgs_a, orgs_b = set(works_by_org(rows_a)), set(works_by_org(rows_b))
    union = {r.id: r for r in (*rows_a, *rows_b)}
    out = {}
    for (x, y), works in co_authored(union.values()).items():
        if (x in orgs_a and y in orgs_b) or (x in orgs_b and y in orgs_a):
            out[(x, y)] = _Joined(
                len(works), 0, sum(w in in_a for w in works), sum(w in in_b for w in works)
            )
    return out


def _joined_science(
    backend: GraphBackend, r: str, t: FieldSet, years: Filters, research_first: bool
) -> dict[Pair, _Joined]:
    rows = backend.research_works(r, None, years)
    tech = backend.field_org_counts(t, years)
    out: dict[Pair, _Joined] = {}
    for (x, y), works in co_authored(rows).items():
        if x in tech or y in tech:
            out[(x, y)] = _Joined(len(works), 0, 0, 0)
    publishing = list(works_by_org(rows))
    for pair, n in backend.co_assignment_counts(publishing, t, years).items():
        out.setdefault(pair, _Joined(0, 0, 0, 0)).patents = n
    for j in out.values():
        j.count_a, j.count_b = (j.works, j.patents) if research_first else (j.patents, j.works)
    return out


def research_partnerships(
    backend: GraphBackend,
    a: Side,
    b: Side,
    filters: Filters,
    min_count: int,
    offset: int,
    limit: int,
) -> tuple[int, list[tuple[str, str, int, int, int]]]:
    """The contract's `research_partnerships`."""
    years = filters.years_only()
    if isinstance(a, str) and isinstance(b, str):
        joined = _joined_research(backend, a, b, years)
    elif isinstance(a, str):
        assert not isinstance(b, str)
        joined = _joined_science(backend, a, b, years, research_first=True)
    elif isinstance(b, str):
        joined = _joined_science(backend, b, a, years, research_first=False)
    else:
        raise ValueError("research_partnerships needs a research field on one side")
    pairs = {p: j for p, j in joined.items() if j.works + j.patents >= max(min_count, 1)}
    members = {o for p in pairs for o in p}
    side = passing(backend, members, filters.countries, filters.kinds)
    partner = passing(backend, members, filters.partner_countries, filters.partner_kinds)
    out = []
    for (x, y), j in pairs.items():
        if x in side and y in partner:
            out.append((x, y, j.works + j.patents, j.count_a, j.count_b))
        elif y in side and x in partner:
            out.append((y, x, j.works + j.patents, j.count_a, j.count_b))
    out.sort(key=lambda t: (-t[2], -(t[3] + t[4]), t[0], t[1]))
    return len(out), out[offset : offset + limit]


def org_works(
    backend: GraphBackend, org_id: str, field_id: str | None, filters: Filters, limit: int
) -> tuple[int, list[WorkRef]]:
    """The contract's `org_works`."""
    rows = backend.research_works(field_id, org_id, filters.years_only())
    return len(rows), work_refs(backend, [r.id for r in rows], limit)


def co_authored_works(
    backend: GraphBackend,
    org_a: str,
    org_b: str,
    field_ids: Sequence[str],
    filters: Filters,
    limit: int,
) -> tuple[int, list[WorkRef]]:
    """The contract's `co_authored_works`."""
    years = filters.years_only()
    rows = backend.research_works(None, org_a, years)
    if field_ids:
        inside = {r.id for f in field_ids for r in backend.research_works(f, org_a, years)}
        rows = [r for r in rows if r.id in inside]
    ids = [r.id for r in rows if org_b in r.orgs]
    return len(ids), work_refs(backend, ids, limit)


def _top(counts: dict[str, int], limit: int) -> list[tuple[str, int]]:
    return heapq.nsmallest(limit, counts.items(), key=lambda kv: (-kv[1], kv[0]))


def research_profile_counts(
    backend: GraphBackend, field_id: str, filters: Filters, limit: int
) -> ResearchCounts:
    """The contract's `research_profile_counts`."""
    years = filters.years_only()
    rows = backend.research_works(field_id, None, years)
    everyone = {o for r in rows for o in r.orgs}
    keep = passing(backend, everyone, filters.countries, filters.kinds)
    nodes = backend.get_nodes(sorted(keep))
    orgs: Counter[str] = Counter()
    countries: Counter[str] = Counter()
    fields: Counter[str] = Counter()
    total = 0
    for r in rows:
        mine = [o for o in r.orgs if o in keep]
        if not mine:
            continue
        total += 1
        orgs.update(mine)
        countries.update({c for o in mine if (c := nodes[o].props.get("country"))})
        fields.update(f for f in r.fields if f != field_id)
    wipo: dict[str, int] = {}
    for node_id, name in backend.names([NodeLabel.TECHNOLOGY_FIELD]):
        if node_id.startswith("wipo:field:"):
            held = backend.field_org_counts(
                FieldSpec("wipo_field", node_id.rsplit(":", 1)[1], node_id, name), years
            )
            n = len(keep & held.keys())
            if n:
                wipo[node_id] = n
    return ResearchCounts(
        total,
        _top(dict(orgs), limit),
        _top(dict(countries), limit),
        _top(dict(fields), limit),
        _top(wipo, limit),
    )


def co_authorships(
    backend: GraphBackend, research: Sequence[str] | None, filters: Filters
) -> list[CoOwnershipRow]:
    """The contract's `co_authorships`, over `research_works` and the organisations' nodes."""
    if research is not None and not research:
        return []
    years = filters.years_only()
    works: dict[str, WorkRow] = {}
    for field in [None] if research is None else research:
        for row in backend.research_works(field, None, years):
            if len(row.orgs) > 1:
                works.setdefault(row.id, row)
    nodes = backend.get_nodes(sorted({o for w in works.values() for o in w.orgs}))
    props = {o: n.props for o, n in nodes.items()}

    def side(o: str, countries: frozenset[str], kinds: frozenset[str]) -> bool:
        p = props.get(o)
        return p is not None and (not countries or p.get("country") in countries) and (
            not kinds or p.get("kind") in kinds)

    out: list[CoOwnershipRow] = []
    for w in works.values():
        members = sorted(set(w.orgs))
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                if side(a, filters.countries, filters.kinds) and side(
                        b, filters.partner_countries, filters.partner_kinds):
                    x, y = a, b
                elif side(b, filters.countries, filters.kinds) and side(
                        a, filters.partner_countries, filters.partner_kinds):
                    x, y = b, a
                else:
                    continue
                out.append((w.id, w.year, x, y, props[x].get("country") or None,
                            props[y].get("country") or None))
    out.sort(key=lambda r: (r[0], r[2], r[3]))
    return out
