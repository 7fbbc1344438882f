"""RDF renderings of query results for content negotiation (Accept: text/turtle,
application/n-triples, application/ld+json): the same IRIs and vocabulary as the bulk export."""

from __future__ import annotations

from fastapi import Request, Response

from ttkg.graph.backends.contract import GraphBackend
from ttkg.graph.rdf.subgraph import SubgraphEdge, negotiate, render_subgraph
from ttkg.graph.rdf.writers import MEDIA_TYPES
from ttkg.queries.models import BridgesResult, Evidence, PathsResult

__all__ = ["RDF_RESPONSES", "rdf_response"]

RDF_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {
        "description": "The result as JSON, or as RDF when the Accept header asks for it",
        "content": {media: {"schema": {"type": "string"}} for media in MEDIA_TYPES.values()},
    }
}


def _ids(e: Evidence) -> tuple[str, ...]:
    return tuple(p.id for p in e.patents)


def _paths_edges(result: PathsResult) -> list[SubgraphEdge]:
    edges = []
    for path in result.paths:
        for h in path.hops:
            src, dst = (h.source.id, h.target.id) if h.forward else (h.target.id, h.source.id)
            edges.append(
                SubgraphEdge(
                    src, h.relation, dst, evidence=_ids(h.evidence), evidence_total=h.evidence.total
                )
            )
    return edges


def _bridges_edges(result: BridgesResult) -> list[SubgraphEdge]:
    fa, fb = result.field_a.id, result.field_b.id
    edges = []
    for d in result.direct:
        org = d.organization.id
        for fld, ev in ((fa, d.evidence["a"]), (fb, d.evidence["b"])):
            edges.append(
                SubgraphEdge(org, "ACTIVE_IN", fld, evidence=_ids(ev), evidence_total=ev.total)
            )
    for p in result.partnerships:
        x, y = (o.id for o in p.organizations)
        edges.append(
            SubgraphEdge(
                min(x, y),
                "CO_ASSIGNED",
                max(x, y),
                evidence=_ids(p.evidence),
                evidence_total=p.evidence.total,
            )
        )
    return edges


def rdf_response(
    request: Request, backend: GraphBackend, result: PathsResult | BridgesResult
) -> Response | None:
    """An RDF response when the client's Accept header prefers RDF, else None (send JSON)."""
    fmt = negotiate(request.headers.get("accept"))
    if fmt is None:
        return None
    edges = _paths_edges(result) if isinstance(result, PathsResult) else _bridges_edges(result)
    ids = sorted(
        {e.src for e in edges} | {e.dst for e in edges} | {p for e in edges for p in e.evidence}
    )
    if isinstance(result, PathsResult):
        ids = sorted({*ids, result.source.id, result.target.id})
    nodes = backend.get_nodes(ids)
    body = render_subgraph(nodes.values(), edges, fmt, backend.manifest().get("sources"))
    return Response(body, media_type=MEDIA_TYPES[fmt])
