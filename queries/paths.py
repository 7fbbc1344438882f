"""Paths between any two entities, each hop with the patents (or works) behind it.

The backend finds the k best paths (`GraphBackend.best_paths`; which paths and in which order
is defined in `ttkg.graph.backends.pathsearch`); this module validates the request, resolves
the end points
and attaches the evidence of every hop. A query over its time budget raises
QueryTimeoutError carrying the paths found so far; it never returns an empty answer that would
look like "no path".
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Collection
from typing import Any, Final

from ttkg.core.errors import InvalidQueryError, QueryTimeoutError
from ttkg.core.model import EdgeType
from ttkg.graph.backends.contract import (
    DEFAULT_VIA,
    FoundPath,
    GraphBackend,
    PatentRef,
    Relation,
    RelationHop,
)
from ttkg.graph.backends.familypaths import FamilyRelations, family_hop_evidence
from ttkg.graph.backends.pathsearch import search_paths
from ttkg.queries.common import (
    DEFAULT_EVIDENCE,
    DEFAULT_HOPS,
    MAX_EVIDENCE,
    MAX_HOPS,
    MAX_K,
    parse_level,
)
from ttkg.queries.models import EntityRef, Evidence, Hop, Path, PathsResult, evidence_data
from ttkg.queries.resolve import resolve_entity

__all__ = ["DEFAULT_HOPS", "MAX_HOPS", "MAX_K", "parse_via", "paths"]

MAX_BUDGET_S: Final = 60.0
ALL_RELATIONS: Final = tuple(Relation)


def parse_via(via: str | Collection[str] | None) -> tuple[Relation, ...]:
    """Relation names (comma-separated or a list; case-insensitive) -> Relation tuple; none:
    `DEFAULT_VIA` (every relation but CO_AUTHORED)."""
    if not via:
        return DEFAULT_VIA
    items = via.split(",") if isinstance(via, str) else list(via)
    out: list[Relation] = []
    for item in items:
        name = item.strip().upper()
        if not name:
            continue
        try:
            rel = Relation(name)
        except ValueError:
            valid = ", ".join(r.value for r in Relation)
            raise InvalidQueryError(f"unknown relation {item!r}; valid: {valid}") from None
        if rel not in out:
            out.append(rel)
    return tuple(out) or DEFAULT_VIA


def paths(
    backend: GraphBackend,
    source: str,
    target: str,
    *,
    max_hops: int = DEFAULT_HOPS,
    via: str | Collection[str] | None = None,
    k: int = 3,
    time_budget: float = 5.0,
    evidence: int = DEFAULT_EVIDENCE,
    level: str | None = None,
) -> PathsResult:
    """The k best shortest paths between two entities (names, ids or codes), each hop with
    evidence. Raises QueryTimeoutError when the time budget runs out.

    `level="family"` walks the graph with each family contracted into its head
    (`ttkg.graph.backends.familypaths`, the same on every backend): an organisation asked for
    stands as its family's head, and co-ownership inside a family is no hop."""
    if not 1 <= max_hops <= MAX_HOPS:
        raise InvalidQueryError(f"max_hops must be between 1 and {MAX_HOPS}, got {max_hops}")
    if not 1 <= k <= MAX_K:
        raise InvalidQueryError(f"k must be between 1 and {MAX_K}, got {k}")
    if not 0 < time_budget <= MAX_BUDGET_S:
        raise InvalidQueryError(f"time_budget must be in (0, {MAX_BUDGET_S}] seconds")
    if not 0 <= evidence <= MAX_EVIDENCE:
        raise InvalidQueryError(f"evidence must be between 0 and {MAX_EVIDENCE}")
    relations = parse_via(via)
    family = parse_level(level) == "family"
    if family and Relation.CO_AUTHORED in relations:
        raise InvalidQueryError(
            "paths: co-authorship (CO_AUTHORED) is counted per organisation; level family "
            "cannot walk it"
        )
    a, b = resolve_entity(backend, source), resolve_entity(backend, target)
    if a.id == b.id:
        raise InvalidQueryError(f"source and target are the same entity ({a.id})")
    deadline = time.monotonic() + time_budget
    if not family:
        found = backend.best_paths(a.id, b.id, relations, max_hops, k, deadline)
        return _result(backend, a.id, b.id, found, max_hops, relations, evidence, deadline)
    view = FamilyRelations(backend)
    ha, hb = view.head(a.id), view.head(b.id)
    if ha == hb:
        raise InvalidQueryError(
            f"source and target are in the same family (headed by {ha}): at the family level "
            "there is no path between them; ask at the organization level"
        )
    found = search_paths(view, ha, hb, relations, max_hops, k, deadline)

    def facts(hop: RelationHop) -> dict[str, Any]:
        origins = sorted(view.origins.get(hop, ()), key=lambda o: (o.src, o.dst))
        if not origins:
            return {}
        props = _stored_properties(backend, origins[0])
        members = sorted({n for o in origins for n in (o.src, o.dst)} - {hop.src, hop.dst})
        return props | ({"via_members": members} if members else {})

    result = _result(
        backend, ha, hb, found, max_hops, relations, evidence, deadline,
        evidence_of=lambda hop, n: family_hop_evidence(backend, hop, n), facts_of=facts,
    )
    nodes = backend.get_nodes([x.id for x in (a, b) if view.head(x.id) != x.id])
    return result.model_copy(update={
        "source_asked": EntityRef.of(nodes[a.id]) if a.id in nodes else None,
        "target_asked": EntityRef.of(nodes[b.id]) if b.id in nodes else None,
    })


_STRUCTURAL: Final = {
    Relation.LOCATED_IN: EdgeType.LOCATED_IN,
    Relation.PART_OF: EdgeType.PART_OF,
    Relation.ACTS_FOR: EdgeType.ACTS_FOR,
    Relation.BROADER: EdgeType.BROADER,
}


def _stored_properties(backend: GraphBackend, hop: RelationHop) -> dict[str, Any]:
    """A structural hop's own evidence: the stored edge's properties (basis, share, score,
    reason, source...); empty for hops whose evidence is patents."""
    etype = _STRUCTURAL.get(hop.relation)
    return {} if etype is None else backend.edge_properties(hop.src, etype, hop.dst)


def _result(
    backend: GraphBackend,
    a: str,
    b: str,
    found: list[FoundPath],
    max_hops: int,
    relations: tuple[Relation, ...],
    evidence: int,
    deadline: float,
    evidence_of: Callable[[RelationHop, int], tuple[int, list[PatentRef]]] | None = None,
    facts_of: Callable[[RelationHop], dict[str, Any]] | None = None,
) -> PathsResult:
    facts_for = facts_of or (lambda hop: _stored_properties(backend, hop))
    ids = sorted({n for p in found for n in p.nodes} | {a, b})
    nodes = {k: EntityRef.of(v) for k, v in backend.get_nodes(ids).items()}
    cache: dict[RelationHop, Evidence] = {}
    facts: dict[RelationHop, dict[str, Any]] = {}
    out: list[Path] = []
    for p in found:
        hops = []
        for (x, y), hop in zip(itertools.pairwise(p.nodes), p.hops, strict=True):
            if hop not in cache:
                if time.monotonic() > deadline:
                    raise QueryTimeoutError(
                        "path search ran past its time budget",
                        partial=[list(q.nodes) for q in found],
                    )
                if evidence_of is None:  # organisations: patents, or works (CO_AUTHORED)
                    cache[hop] = Evidence.model_validate(
                        evidence_data(backend.hop_evidence(hop, evidence),
                                      backend.hop_works(hop, evidence)[1])
                    )
                else:
                    cache[hop] = Evidence.of(evidence_of(hop, evidence))
                facts[hop] = facts_for(hop)
            hops.append(
                Hop(
                    source=nodes[x],
                    relation=hop.relation.value,
                    target=nodes[y],
                    forward=hop.src == x,
                    weight=hop.weight,
                    evidence=cache[hop],
                    properties=facts[hop],
                )
            )
        out.append(Path(length=len(hops), nodes=[nodes[n] for n in p.nodes], hops=hops))
    return PathsResult(
        source=nodes[a],
        target=nodes[b],
        max_hops=max_hops,
        via=[r.value for r in relations],
        level="family" if facts_of is not None else "organization",
        source_asked=None,
        target_asked=None,
        paths=out,
    )
