"""`ttkg export rdf` as a user runs it."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph
import rdflib
from rdflib.namespace import VOID
from typer.testing import CliRunner

from tests.rdf.conftest import parse
from ttkg.cli.main import app
from ttkg.graph.rdf import RdfFormat

runner = CliRunner()


def test_export_rdf_writes_the_file_and_its_description(
    fixture_graph: Path, tmp_path: Path
) -> None:
    out = tmp_path / "ttkg.nt"
    result = runner.invoke(app, ["export", "rdf", "--format", "nt", "--graph", str(fixture_graph),
                                 str(out)])
    assert result.exit_code == 0, result.output
    g = parse(out, RdfFormat.NT)
    assert f"wrote {len(g):,} triples" in result.output
    void = rdflib.Graph().parse(tmp_path / "ttkg.nt.void.ttl")
    assert len(void) > 20
    dumps = list(void.objects(None, VOID.dataDump))
    assert dumps == [rdflib.URIRef(out.resolve().as_uri())]


def test_the_void_description_has_only_absolute_iris(fixture_graph: Path, tmp_path: Path) -> None:
    """Oxigraph, a strict parser, refused `void:dataDump <sample.nt>`; with --base-url the
    dump is where the file will be published."""
    out = tmp_path / "ttkg.nt"
    result = runner.invoke(app, ["export", "rdf", "--format", "nt", "--graph", str(fixture_graph),
                                 "--base-url", "https://data.example.org/ttkg/", str(out)])
    assert result.exit_code == 0, result.output
    text = (tmp_path / "ttkg.nt.void.ttl").read_bytes()
    quads = list(pyoxigraph.parse(text, format=pyoxigraph.RdfFormat.TURTLE))  # no base IRI
    assert len(quads) > 20
    dumps = [q.object.value for q in quads if q.predicate.value == str(VOID.dataDump)]
    assert dumps == ["https://data.example.org/ttkg/ttkg.nt"]


def test_export_rdf_gzip_and_default_turtle(fixture_graph: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["export", "rdf", "--gzip", "--graph", str(fixture_graph),
                                 str(tmp_path / "ttkg.ttl")])
    assert result.exit_code == 0, result.output
    assert len(parse(tmp_path / "ttkg.ttl.gz", RdfFormat.TURTLE)) > 1000
    assert (tmp_path / "ttkg.ttl.gz.void.ttl").is_file()


def test_export_rdf_without_a_graph_says_so(tmp_path: Path) -> None:
    result = runner.invoke(app, ["export", "rdf", "--graph", str(tmp_path / "nothing"),
                                 str(tmp_path / "x.ttl")])
    assert result.exit_code == 1
    assert "no graph at" in result.output
    assert not (tmp_path / "x.ttl").exists()


def test_export_rdf_refuses_an_unknown_format(fixture_graph: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["export", "rdf", "--format", "rdfxml", "--graph",
                                 str(fixture_graph), str(tmp_path / "x")])
    assert result.exit_code == 2
