"""SPARQL queries over the RDF export reproduce `queries.bridges` of the embedded backend:
the same organisations and partnerships, in the same order, with the same counts (a
partnership's co-owned patents in A or B, in A, in B and in all) and evidence.

Runs on the fixture slice always and on the bundled sample when the session provides it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path

import pytest
import rdflib

from ttkg.core.model import EdgeType
from ttkg.graph.artifact import Artifact
from ttkg.graph.backends.contract import GraphBackend
from ttkg.graph.backends.memory.backend import MemoryBackend
from ttkg.graph.rdf import ExportResult, RdfFormat, examples
from ttkg.graph.rdf.iris import IriMinter
from ttkg.queries.bridges import bridges
from ttkg.queries.common import MAX_EVIDENCE, MAX_LIMIT

MINT = IriMinter()


def busiest_field_pairs(graph_dir: Path, n: int) -> list[tuple[str, str]]:
    """Consecutive pairs among the n+1 WIPO fields with most patents in the graph."""
    table = Artifact.open(graph_dir).edges(EdgeType.IN_FIELD, columns=["src", "dst"])
    counts = Counter(d for s, d in zip(table["src"].to_pylist(), table["dst"].to_pylist(),
                                       strict=True) if s.startswith("patent:"))
    top = [f for f, _ in counts.most_common(n + 1)]
    return list(pairwise(top))


def compare(backend: GraphBackend, g: rdflib.Graph, field_a: str, field_b: str) -> tuple[int, int]:
    """Assert SPARQL answers == queries.bridges for two WIPO field ids; (#direct, #pairs)."""
    num_a, num_b = field_a.rsplit(":", 1)[1], field_b.rsplit(":", 1)[1]
    answer = bridges(backend, num_a, num_b, limit=MAX_LIMIT, evidence=MAX_EVIDENCE)
    iri_a, iri_b = MINT.node(field_a), MINT.node(field_b)

    rows = list(g.query(examples.direct_bridges(iri_a, iri_b)))
    assert len(rows) == answer.total_direct
    assert [(str(r.id), int(r.countA), int(r.countB)) for r in rows[:MAX_LIMIT]] == [
        (d.organization.id, d.count_a, d.count_b) for d in answer.direct
    ]
    assert [str(r.name) for r in rows[:MAX_LIMIT]] == [d.organization.name for d in answer.direct]

    rows = list(g.query(examples.partnership_bridges(iri_a, iri_b)))
    assert len(rows) == answer.total_partnerships
    assert [(str(r.xid), str(r.yid), int(r["count"]), int(r.countA), int(r.countB),
             int(r.coOwned)) for r in rows[:MAX_LIMIT]] == [
        (p.organizations[0].id, p.organizations[1].id, p.count, p.count_a, p.count_b,
         p.co_owned_total)
        for p in answer.partnerships
    ]

    # the evidence of the top direct bridge, newest first, as the API lists it
    if answer.direct:
        top = answer.direct[0]
        for side, field_iri in (("a", iri_a), ("b", iri_b)):
            rows = list(g.query(examples.field_evidence(MINT.node(top.organization.id), field_iri)))
            evidence = top.evidence[side]
            assert len(rows) == evidence.total
            assert [str(r.number) for r in rows[: len(evidence.patents)]] == [
                p.number for p in evidence.patents
            ]
    # the evidence of the top partnership: their co-owned patents in A or B, newest first
    if answer.partnerships:
        first = answer.partnerships[0]
        x, y = (MINT.node(o.id) for o in first.organizations)
        rows = list(g.query(examples.partnership_evidence(x, y, iri_a, iri_b)))
        assert len(rows) == first.evidence.total == first.count
        assert [str(r.number) for r in rows[: len(first.evidence.patents)]] == [
            p.number for p in first.evidence.patents
        ]
    return len(answer.direct), len(answer.partnerships)


@pytest.fixture(scope="module")
def fixture_backend(fixture_graph: Path) -> Iterator[MemoryBackend]:
    be = MemoryBackend.open(fixture_graph)
    yield be
    be.close()


def test_sparql_reproduces_bridges_on_the_fixture(
    fixture_graph: Path, fixture_backend: MemoryBackend, fixture_rdf: rdflib.Graph
) -> None:
    found = [compare(fixture_backend, fixture_rdf, a, b)
             for a, b in busiest_field_pairs(fixture_graph, 6)]
    assert sum(d for d, _ in found) > 0 and sum(p for _, p in found) > 0


@pytest.mark.slow
def test_sparql_reproduces_bridges_on_the_sample(
    sample_graph: Path, memory_backend: MemoryBackend, sample_rdf: rdflib.Graph,
    sample_exports: dict[RdfFormat, ExportResult],
) -> None:
    found = [compare(memory_backend, sample_rdf, a, b)
             for a, b in busiest_field_pairs(sample_graph, 2)]
    assert all(d > 10 and p > 10 for d, p in found), found
