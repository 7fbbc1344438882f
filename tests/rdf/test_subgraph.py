"""RDF of query results (for the API's content negotiation): same IRIs and triples as the
whole-graph export, every media type parses, the Accept header picks the format."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import rdflib

from tests.rdf.conftest import RDFLIB_FORMAT, fixture_rows
from ttkg.core.errors import InvalidQueryError
from ttkg.graph.backends.contract import NodeRecord, Relation
from ttkg.graph.backends.memory.backend import MemoryBackend
from ttkg.graph.rdf import MEDIA_TYPES, RdfFormat, SubgraphEdge, negotiate, render_subgraph
from ttkg.graph.rdf.subgraph import resolve_format

TSINGHUA = "ror:03cve4549"


@pytest.fixture(scope="module")
def backend(fixture_graph: Path) -> Iterator[MemoryBackend]:
    be = MemoryBackend.open(fixture_graph)
    yield be
    be.close()


def _neighbourhood(be: MemoryBackend, node_id: str) -> tuple[list[NodeRecord], list[SubgraphEdge]]:
    """A node, its stored edges and its derived relations with their full evidence."""
    nodes = dict(be.get_nodes([node_id]))
    edges = []
    for n in be.neighbors(node_id, limit=500):
        nodes[n.node.id] = n.node
        src, dst = (node_id, n.node.id) if n.direction == "out" else (n.node.id, node_id)
        edges.append(SubgraphEdge(src, n.edge_type, dst, n.props))
    for hop in be.relations([node_id], [Relation.CO_ASSIGNED, Relation.ACTIVE_IN]):
        total, patents = be.hop_evidence(hop, 500)
        edges.append(SubgraphEdge(hop.src, hop.relation, hop.dst,
                                  evidence=tuple(p.id for p in patents), evidence_total=total))
    return list(nodes.values()), edges


@pytest.mark.parametrize("fmt", [*RdfFormat, *MEDIA_TYPES.values()])
def test_rendered_neighbourhood_is_part_of_the_export(
    backend: MemoryBackend, fixture_rdf: rdflib.Graph, fmt: str
) -> None:
    nodes, edges = _neighbourhood(backend, TSINGHUA)
    text = render_subgraph(nodes, edges, fmt, sources=fixture_rows()["sources"])
    g = rdflib.Graph().parse(data=text, format=RDFLIB_FORMAT[resolve_format(fmt)])
    assert len(g) > 100
    assert set(g) <= set(fixture_rdf)
    ttkg = rdflib.Namespace("https://w3id.org/ttkg/vocab#")
    tsinghua = rdflib.URIRef("https://ror.org/03cve4549")
    assert len(list(g.objects(tsinghua, ttkg.coOwnerWith))) == 2
    assert len(list(g.objects(tsinghua, ttkg.qualifiedActivity))) > 1


def test_a_first_page_of_evidence_keeps_the_total(backend: MemoryBackend) -> None:
    hop = next(h for h in backend.relations([TSINGHUA], [Relation.CO_ASSIGNED]) if h.weight > 2)
    total, first = backend.hop_evidence(hop, 2)
    text = render_subgraph([], [SubgraphEdge(hop.src, hop.relation, hop.dst,
                                             evidence=tuple(p.id for p in first),
                                             evidence_total=total)], "nt")
    g = rdflib.Graph().parse(data=text, format="nt")
    ttkg = rdflib.Namespace("https://w3id.org/ttkg/vocab#")
    prov = rdflib.Namespace("http://www.w3.org/ns/prov#")
    co = next(g.subjects(ttkg.patentCount, None))
    assert g.value(co, ttkg.patentCount).toPython() == total == hop.weight
    assert len(list(g.objects(co, prov.wasDerivedFrom))) == 2


def test_unknown_format_and_edge_type_are_refused() -> None:
    with pytest.raises(InvalidQueryError, match="unknown RDF format"):
        render_subgraph([], [], "application/rdf+xml")
    with pytest.raises(InvalidQueryError, match="cannot render edge type"):
        render_subgraph([], [SubgraphEdge("org:a", "KNOWS", "org:b")], "nt")


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("text/turtle", RdfFormat.TURTLE),
        ("application/n-triples", RdfFormat.NT),
        ("application/ld+json", RdfFormat.JSONLD),
        ("application/ld+json;q=0.5, text/turtle;q=0.9", RdfFormat.TURTLE),
        ("text/html, application/n-triples;q=0.8, */*;q=0.1", RdfFormat.NT),
        ("text/turtle;q=0, application/ld+json", RdfFormat.JSONLD),
        ("application/json", None),
        ("*/*", None),
        ("", None),
        (None, None),
    ],
)
def test_negotiate(accept: str | None, expected: RdfFormat | None) -> None:
    assert negotiate(accept) == expected
