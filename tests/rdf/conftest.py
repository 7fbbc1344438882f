"""Fixtures of the RDF tests: a small graph artifact built from real rows, its exports, and
the exports of the bundled sample (`sample_graph` from tests/conftest.py)."""

from __future__ import annotations

import gzip
import hashlib
import json
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
import rdflib

from ttkg.core.model import EdgeType, NodeLabel
from ttkg.graph.artifact import ArtifactWriter, edge_schema, node_schema
from ttkg.graph.rdf import ExportResult, RdfFormat, export_rdf

ROWS = Path(__file__).resolve().parents[1] / "data" / "rdf" / "graph_rows.json"
RDFLIB_FORMAT = {RdfFormat.NT: "nt", RdfFormat.TURTLE: "turtle", RdfFormat.JSONLD: "json-ld"}


def fixture_rows() -> dict[str, Any]:
    """The real rows of tests/data/rdf/graph_rows.json (see make_fixture.py there)."""
    rows: dict[str, Any] = json.loads(ROWS.read_text(encoding="utf-8"))
    return rows


def build_fixture_graph(graph_dir: Path) -> Path:
    """Write the fixture rows as a graph artifact (the layout `ttkg build` writes)."""
    data = fixture_rows()
    with ArtifactWriter(graph_dir) as w:
        for label in NodeLabel:
            rows = data["nodes"].get(label.value, [])
            w.write_nodes(label, pa.Table.from_pylist(rows, schema=node_schema(label)))
        for etype in EdgeType:
            rows = data["edges"].get(etype.value, [])
            w.write_edges(etype, pa.Table.from_pylist(rows, schema=edge_schema(etype)))
        w.commit({
            "created": "2026-01-01T00:00:00Z",
            "sources": data["sources"],
            "nodes": {k: len(v) for k, v in data["nodes"].items()},
            "edges": {k: len(v) for k, v in data["edges"].items()},
        })
    return graph_dir


def parse(path: Path, fmt: RdfFormat | str) -> rdflib.Graph:
    """Parse an export file (gzipped or not) with rdflib."""
    g = rdflib.Graph()
    data = path.read_bytes()
    if path.suffix == ".gz":
        data = gzip.decompress(data)
    g.parse(data=data, format=RDFLIB_FORMAT[RdfFormat(fmt)])
    return g


def digest(g: rdflib.Graph) -> str:
    """A fingerprint of a graph's triples (exports have no blank nodes)."""
    h = hashlib.sha256()
    for line in sorted(f"{s.n3()} {p.n3()} {o.n3()}" for s, p, o in g):
        h.update(line.encode("utf-8"))
        h.update(b"\n")
    return h.hexdigest()


def parse_and_digest(path: str, fmt: str) -> tuple[int, str]:
    """(triple count, digest) of an export parsed with rdflib; runs in a worker process."""
    g = parse(Path(path), fmt)
    return len(g), digest(g)


@pytest.fixture(scope="session")
def fixture_graph(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A graph directory holding the hand-picked real slice (18 patents, 12 organisations)."""
    return build_fixture_graph(tmp_path_factory.mktemp("rdf-fixture-graph"))


@pytest.fixture(scope="session")
def fixture_exports(
    fixture_graph: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[RdfFormat, ExportResult]:
    """The fixture graph exported in every format."""
    out = tmp_path_factory.mktemp("rdf-fixture-exports")
    return {f: export_rdf(fixture_graph, out / f"ttkg{'.' + f.value}", f) for f in RdfFormat}


@pytest.fixture(scope="session")
def fixture_rdf(fixture_exports: dict[RdfFormat, ExportResult]) -> rdflib.Graph:
    """The fixture's N-Triples export parsed with rdflib."""
    return parse(fixture_exports[RdfFormat.NT].path, RdfFormat.NT)


@pytest.fixture(scope="session")
def sample_exports(
    sample_graph: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[RdfFormat, ExportResult]:
    """The bundled sample exported in every format."""
    out = tmp_path_factory.mktemp("rdf-sample-exports")
    return {f: export_rdf(sample_graph, out / f"sample.{f.value}", f) for f in RdfFormat}


@pytest.fixture(scope="session")
def sample_other_formats(
    sample_exports: dict[RdfFormat, ExportResult],
) -> dict[RdfFormat, Future[tuple[int, str]]]:
    """Turtle and JSON-LD exports of the sample parsed with rdflib in a second process (the
    machine has two cores), while this one parses and validates the N-Triples export."""
    pool = ProcessPoolExecutor(max_workers=1)
    futures = {
        f: pool.submit(parse_and_digest, str(sample_exports[f].path), f.value)
        for f in (RdfFormat.TURTLE, RdfFormat.JSONLD)
    }
    pool.shutdown(wait=False)
    return futures


@pytest.fixture(scope="session")
def sample_rdf(
    sample_exports: dict[RdfFormat, ExportResult],
    sample_other_formats: dict[RdfFormat, Future[tuple[int, str]]],
) -> rdflib.Graph:
    """The sample's N-Triples export parsed with rdflib (the other formats parse meanwhile)."""
    return parse(sample_exports[RdfFormat.NT].path, RdfFormat.NT)
