"""Brokers: the organisations that bridge two fields, two themes or two groups of countries
on the organisation cooperation network (co-owned patents), ranked by their brokerage, each
with a shortest path through it as evidence (every hop with its co-owned patents).

Two ways to name the two ends:
- two fields or themes (`a`, `b`): A is the organisations holding patents in a (passing the
  filters' organisation side), B those holding patents in b (passing the partner side); the
  network is co-ownership of patents in a or b;
- two sides of countries or groups (the filters' countries/kinds and partner ones, no a/b):
  the network is co-ownership in the fields or themes given (any field when none).

Brokerage is subset betweenness (`ttkg.graph.backends.brokerage`): exact when the work it
costs (searches from one side x the size of their components) is within `budget`; else the
pairs each organisation separates are counted exactly and the rest comes from searches inside
the blocks that are not cliques, all of them or a seeded sample, each score then with the
standard error of that part.
"""

from __future__ import annotations

import itertools

from pydantic import BaseModel, Field

from ttkg.core.errors import InvalidQueryError
from ttkg.graph.backends.brokerage import WORK_BUDGET, brokerage
from ttkg.graph.backends.contract import FieldSpec, Filters, GraphBackend
from ttkg.queries.common import DEFAULT_EVIDENCE, Values, check_page
from ttkg.queries.flows import SelectionRef, selection_ref
from ttkg.queries.models import AppliedFilters, Evidence, OrgRef, Row, Tabular
from ttkg.queries.selections import Selection, resolve_selections
from ttkg.queries.themes import ThemeTable

__all__ = ["Broker", "BrokerHop", "BrokersResult", "brokers"]


class BrokerHop(BaseModel):
    """One hop of a broker's path: two organisations and the patents they co-own."""

    source: OrgRef
    target: OrgRef
    evidence: Evidence


class Broker(BaseModel):
    """An organisation on shortest paths between A and B."""

    organization: OrgRef
    score: float = Field(description="subset betweenness: shortest A-B paths through it")
    standard_error: float = Field(
        description="0 when exact; else that of the part estimated from sampled searches")
    in_a: bool
    in_b: bool
    path: list[OrgRef] = Field(description="a shortest path through it, from A to B")
    hops: list[BrokerHop]


class BrokersResult(Tabular):
    """Brokers between two ends, best first. As rows: one per broker."""

    mode: str = Field(description="fields (two fields or themes) or countries (two sides)")
    side_a: list[SelectionRef]
    side_b: list[SelectionRef]
    fields: list[SelectionRef] = Field(description="the network's fields (countries mode)")
    filters: AppliedFilters
    method: dict[str, object]
    brokers: list[Broker]
    limit: int
    note: str | None = Field(
        default=None, description="why the list is empty, when it is (never an error)"
    )

    def rows(self) -> list[Row]:
        return [
            {"rank": i, "organization_id": b.organization.id,
             "organization_name": b.organization.name, "kind": b.organization.kind,
             "country": b.organization.country, "score": b.score,
             "standard_error": b.standard_error, "in_a": b.in_a, "in_b": b.in_b,
             "path": " > ".join(o.name for o in b.path),
             "evidence_patents": " | ".join(" ".join(p.number for p in h.evidence.patents)
                                            for h in b.hops)}
            for i, b in enumerate(self.brokers, 1)
        ]

    def columns(self) -> list[str]:
        return ["rank", "organization_id", "organization_name", "kind", "country", "score",
                "standard_error", "in_a", "in_b", "path", "evidence_patents"]


def _active(backend: GraphBackend, parts: tuple[FieldSpec, ...], filters: Filters) -> set[str]:
    out: set[str] = set()
    for part in parts:
        out |= {o for o, n in backend.field_org_counts(part, filters).items() if n}
    return out


def _parts(selections: list[Selection]) -> tuple[FieldSpec, ...]:
    return tuple(p for s in selections for p in s.parts)


def brokers(
    backend: GraphBackend,
    a: Values = None,
    b: Values = None,
    filters: Filters = Filters(),
    *,
    fields: Values = None,
    theme: Values = None,
    themes: ThemeTable | None = None,
    limit: int = 10,
    evidence: int = DEFAULT_EVIDENCE,
    budget: int = WORK_BUDGET,
) -> BrokersResult:
    """Organisations ranked by brokerage between a and b (fields or themes), or between the
    filters' two sides of countries or groups (see the module's description)."""
    check_page(limit, 0, evidence)
    sel_a = resolve_selections(backend, a, themes)
    sel_b = resolve_selections(backend, b, themes)
    years = filters.years_only()
    if sel_a or sel_b:
        if not (sel_a and sel_b):
            raise InvalidQueryError("brokers needs two ends: two fields or themes (a and b)")
        if fields or theme:
            raise InvalidQueryError("brokers between two fields takes no field or theme option")
        mode, network_sel = "fields", sel_a + sel_b
        parts = _parts(network_sel)
        rows = backend.co_ownerships(parts, years)
        ends_a = _active(backend, _parts(sel_a), filters)
        ends_b = _active(backend, _parts(sel_b), filters.partner_side())
    else:
        if not ((filters.countries or filters.kinds)
                and (filters.partner_countries or filters.partner_kinds)):
            raise InvalidQueryError(
                "brokers needs two ends: two fields or themes, or two sides of countries or "
                "groups (from and to)"
            )
        mode = "countries"
        network_sel = resolve_selections(backend, fields, themes)
        network_sel += [s for s in resolve_selections(backend, theme, themes, themes_only=True)
                        if s.id not in {n.id for n in network_sel}]
        parts = _parts(network_sel)
        rows = backend.co_ownerships(parts, years)
        country = {x: cx for _, _, x, _, cx, _ in rows} | {y: cy for *_, y, _, cy in rows}
        kinds: dict[str, str | None] = {}
        if filters.kinds or filters.partner_kinds:
            kinds = {k: n.props.get("kind") for k, n in backend.get_nodes(sorted(country)).items()}

        def passes(org: str, countries: frozenset[str], wanted: frozenset[str]) -> bool:
            return (not countries or country[org] in countries) and (
                not wanted or kinds.get(org) in wanted)

        ends_a = {o for o in country if passes(o, filters.countries, filters.kinds)}
        ends_b = {o for o in country
                  if passes(o, filters.partner_countries, filters.partner_kinds)}
    found = brokerage({(x, y) for _, _, x, y, _, _ in rows}, ends_a, ends_b, limit,
                      budget=budget)
    shown = {o for o, _, _ in found.ranked} | {o for p in found.paths.values() for o in p}
    nodes = backend.get_nodes(sorted(shown))
    out = []
    for org, score, error in found.ranked:
        path = found.paths.get(org, ())
        hops = [BrokerHop(source=OrgRef.of(nodes[x]), target=OrgRef.of(nodes[y]),
                          evidence=Evidence.of(backend.co_assigned_patents(
                              x, y, parts, years, evidence)))
                for x, y in itertools.pairwise(path)]
        out.append(Broker(organization=OrgRef.of(nodes[org]), score=score,
                          standard_error=error, in_a=org in ends_a, in_b=org in ends_b,
                          path=[OrgRef.of(nodes[o]) for o in path], hops=hops))
    other = "B" if found.side == "A" else "A"
    direct = (f"searched from all {found.reaching:,} side-{found.side} organisations that "
              f"reach side {other} (work {found.work:,}, budget {found.budget:,})")
    split = ("the pairs each organisation separates counted exactly on the block-cut tree, the "
             "other shortest paths (inside blocks that are not cliques) from ")
    over = (f", as searching from all {found.reaching:,} side-{found.side} organisations that "
            f"reach side {other} costs {found.work:,}, over the budget ({found.budget:,})")
    if found.work <= found.budget:
        how = f"exact: {direct}"
    elif found.exact:
        how = f"exact: {split}all {found.population:,} searches from their organisations{over}"
    else:
        how = (f"estimated: {split}a seeded sample (seed 0) of {found.sampled:,} of the "
               f"{found.population:,} searches from their organisations{over}; each score "
               "with the standard_error of that estimated part")
    note = None
    if not out:
        if not found.sources or not found.targets:
            side = "A" if not found.sources else "B"
            note = (f"no organisation of side {side} co-owns a patent in the selection's "
                    f"co-ownership network ({found.nodes:,} organisations, {found.edges:,} links), "
                    "so nothing can bridge the two sides")
        else:
            note = (f"no shortest path joins side A ({found.sources:,} organisations) to side B "
                    f"({found.targets:,}) in the selection's co-ownership network "
                    f"({found.nodes:,} organisations, {found.edges:,} links): the two sides are "
                    "not connected through co-owned patents")
    return BrokersResult(
        note=note,
        mode=mode,
        side_a=[selection_ref(s) for s in sel_a],
        side_b=[selection_ref(s) for s in sel_b],
        fields=[selection_ref(s) for s in network_sel] if mode == "countries" else [],
        filters=AppliedFilters.of(filters),
        method={"measure": "subset betweenness on the co-ownership network (igraph), "
                           "shortest A-B paths through the organisation, unweighted hops",
                "exact": found.exact, "how": how, "a_organizations": found.sources,
                "b_organizations": found.targets, "searched_side": found.side,
                "reaching": found.reaching, "population": found.population,
                "sampled": found.sampled, "work": found.work,
                "budget": found.budget,
                "network_organizations": found.nodes, "network_links": found.edges},
        brokers=out,
        limit=limit,
    )
