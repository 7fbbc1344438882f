"""RDF exports of the ttkg graph for researchers.

* `export_rdf(graph_dir, out, fmt, gzipped)`: the whole graph as Turtle, N-Triples or JSON-LD,
  streamed batch by batch, with a VoID/DCAT description next to the file;
* `render_subgraph(nodes, edges, fmt)`: the RDF of a query result, for content negotiation
  (`negotiate(accept)` picks the format from an HTTP Accept header);
* the vocabulary (`vocab`), IRI minting (`iris`) and the mapping (`mapping`) behind both.

Shipped files: ontology.ttl (the `ttkg:` vocabulary), shapes.ttl (SHACL), context.jsonld.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from ttkg.graph.rdf.export import ExportResult, export_rdf
from ttkg.graph.rdf.subgraph import SubgraphEdge, negotiate, render_subgraph, resolve_format
from ttkg.graph.rdf.writers import EXTENSIONS, MEDIA_TYPES, RdfFormat

__all__ = [
    "CONTEXT_PATH",
    "EXTENSIONS",
    "MEDIA_TYPES",
    "ONTOLOGY_PATH",
    "SHAPES_PATH",
    "ExportResult",
    "RdfFormat",
    "SubgraphEdge",
    "export_rdf",
    "negotiate",
    "render_subgraph",
    "resolve_format",
]

_HERE: Final = Path(__file__).resolve().parent
ONTOLOGY_PATH: Final = _HERE / "ontology.ttl"
SHAPES_PATH: Final = _HERE / "shapes.ttl"
CONTEXT_PATH: Final = _HERE / "context.jsonld"
