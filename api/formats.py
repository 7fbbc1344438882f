"""Query answers as files, by content negotiation: `Accept: text/csv` (the answer's `rows()`),
`application/graphml+xml` or `application/gexf+xml` (the answer's subgraph), and for paths and
bridges the RDF types of `ttkg.api.rdf_views`. JSON stays the default (`*/*`, no header)."""

from __future__ import annotations

from typing import Final

from fastapi import Request, Response

from ttkg.api.rdf_views import rdf_response
from ttkg.graph.backends.contract import GraphBackend
from ttkg.graph.rdf.subgraph import accept_items
from ttkg.graph.rdf.writers import MEDIA_TYPES
from ttkg.queries.formats import GRAPH_ANSWERS, answer_graph, csv_text, graph_text
from ttkg.queries.models import BridgesResult, PathsResult, Tabular

__all__ = [
    "CSV",
    "FILE_AND_RDF_RESPONSES",
    "FILE_RESPONSES",
    "GEXF",
    "GRAPHML",
    "file_response",
    "preferred_file_type",
]

CSV: Final = "text/csv"
GRAPHML: Final = "application/graphml+xml"
GEXF: Final = "application/gexf+xml"
_FILE_TYPES: Final = (CSV, GRAPHML, GEXF)


def _responses(media_types: tuple[str, ...], rdf: bool) -> dict[int | str, dict[str, object]]:
    content: dict[str, object] = {m: {"schema": {"type": "string"}} for m in media_types}
    if rdf:
        content.update({m: {"schema": {"type": "string"}} for m in MEDIA_TYPES.values()})
    what = "CSV (one row per item), GraphML or GEXF (the answer's subgraph)"
    return {
        200: {
            "description": f"The result as JSON, or as {what}"
            + (" or RDF" if rdf else "")
            + " when the Accept header asks for it",
            "content": content,
        }
    }


# OpenAPI: the alternative media types of the 200 answer of each kind of route
FILE_RESPONSES: Final = _responses(_FILE_TYPES, rdf=False)
FILE_AND_RDF_RESPONSES: Final = _responses(_FILE_TYPES, rdf=True)


def preferred_file_type(accept: str | None, offered: tuple[str, ...] = _FILE_TYPES) -> str | None:
    """The offered media type the Accept header prefers over JSON, or None for JSON.

    Only types named in the header count (`*/*` and `text/*` mean JSON); the highest quality
    wins, ties keep the header's order; JSON named with a higher quality wins over them.

    >>> preferred_file_type("text/csv")
    'text/csv'
    >>> preferred_file_type("application/json, text/csv;q=0.5") is None
    True
    >>> preferred_file_type("*/*") is None
    True
    """
    best: tuple[float, str] | None = None
    json_q = 0.0
    for media, q in accept_items(accept):
        if media == "application/json":
            json_q = max(json_q, q)
        elif media in offered and q > 0 and (best is None or q > best[0]):
            best = (q, media)
    return best[1] if best and best[0] > json_q else None


def file_response(
    request: Request, backend: GraphBackend | None, result: Tabular, name: str
) -> Response | None:
    """The answer as the file the Accept header asks for (CSV, GraphML, GEXF, or RDF for paths
    and bridges when `backend` is given), else None (send JSON). `name` is the file name's
    stem offered in Content-Disposition."""
    offered = (CSV, GRAPHML, GEXF) if isinstance(result, GRAPH_ANSWERS) else (CSV,)
    media = preferred_file_type(request.headers.get("accept"), offered)
    if media is None:
        if backend is not None and isinstance(result, PathsResult | BridgesResult):
            return rdf_response(request, backend, result)
        return None
    if media == CSV:
        body, ext = csv_text(result), "csv"
    else:
        fmt = "graphml" if media == GRAPHML else "gexf"
        body, ext = graph_text(answer_graph(result), fmt), fmt  # type: ignore[arg-type]
    headers = {"Content-Disposition": f'inline; filename="{name}.{ext}"'}
    return Response(body, media_type=media, headers=headers)
