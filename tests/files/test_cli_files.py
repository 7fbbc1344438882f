"""`--format csv|graphml|gexf` on the query commands and `ttkg export graphml`, read back with
the csv module and networkx and compared with the commands' own JSON (the API's JSON)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from typer.testing import CliRunner

from ttkg.cli.main import app
from ttkg.core.model import NodeLabel
from ttkg.graph.backends.contract import Relation
from ttkg.graph.backends.memory.backend import MemoryBackend

runner = CliRunner()

COMMANDS = {
    "bridges": ["query", "bridges", "Semiconductors", "Optics", "--kind", "university",
                "--partner-kind", "company", "--limit", "3", "--evidence", "2"],
    "paths": ["query", "paths", "Tsinghua University", "Hon Hai Precision Industry Co., Ltd.",
              "-k", "2", "--evidence", "2"],
    "partners": ["query", "partners", "Tsinghua University", "--limit", "4"],
    "profile": ["query", "profile", "Optics", "--limit", "4"],
    "search": ["search", "tsinghua"],
}


def run(sample_graph: Path, args: list[str], fmt: str) -> str:
    r = runner.invoke(app, [*args, "--graph", str(sample_graph), "--format", fmt])
    assert r.exit_code == 0, r.output
    return r.stdout


def edges(g: nx.Graph, a: str, b: str) -> list[dict[str, Any]]:
    """Attributes of the edges a -> b (whether the reader built a multigraph or not)."""
    data = g.get_edge_data(a, b) or {}
    return list(data.values()) if g.is_multigraph() else [data]


def cell(value: Any) -> str:
    return "" if value is None else str(value)


@pytest.mark.parametrize("name", COMMANDS)
def test_csv_is_the_rows_of_the_json(sample_graph: Path, name: str) -> None:
    from ttkg.queries import models

    answer = json.loads(run(sample_graph, COMMANDS[name], "json"))
    rows = list(csv.DictReader(io.StringIO(run(sample_graph, COMMANDS[name], "csv"))))
    model = {"bridges": models.BridgesResult, "paths": models.PathsResult,
             "partners": models.PartnersResult, "profile": models.FieldProfile,
             "search": models.SearchResult}[name].model_validate(answer)
    assert rows and rows == [{k: cell(v) for k, v in r.items()} for r in model.rows()]


def test_paths_graphml_holds_every_hop_with_its_evidence(sample_graph: Path) -> None:
    answer = json.loads(run(sample_graph, COMMANDS["paths"], "json"))
    g = nx.read_graphml(io.StringIO(run(sample_graph, COMMANDS["paths"], "graphml")))
    hops = [h for p in answer["paths"] for h in p["hops"]]
    assert hops
    for h in hops:
        a, b = (h["source"], h["target"]) if h["forward"] else (h["target"], h["source"])
        data = [d for u, v, d in g.edges(data=True)
                if (u, v, d["relation"]) == (a["id"], b["id"], h["relation"])]
        assert len(data) == 1
        assert data[0]["weight"] == h["weight"]
        assert data[0]["evidence"].split() == [p["number"] for p in h["evidence"]["patents"]]


def test_search_gexf_is_its_matches(sample_graph: Path) -> None:
    answer = json.loads(run(sample_graph, COMMANDS["search"], "json"))
    g = nx.read_gexf(io.StringIO(run(sample_graph, COMMANDS["search"], "gexf")))
    assert sorted(g.nodes) == sorted(h["entity"]["id"] for h in answer["hits"])


@pytest.mark.parametrize("suffix", ["graphml", "gexf"])
def test_export_the_organisation_and_field_graph(
    sample_graph: Path, memory_backend: MemoryBackend, tmp_path: Path, suffix: str
) -> None:
    out = tmp_path / f"ttkg.{suffix}"
    r = runner.invoke(app, ["export", "graphml", str(out), "--graph", str(sample_graph),
                            "--evidence", "2"])
    assert r.exit_code == 0, r.output
    g = nx.read_graphml(out) if suffix == "graphml" else nx.read_gexf(out)
    # the oracle: the backend's own entity graph (what path queries walk)
    eg = memory_backend.entity_graph
    named = memory_backend.names([NodeLabel.ORGANIZATION, NodeLabel.TECHNOLOGY_FIELD,
                                  NodeLabel.COUNTRY])
    assert g.number_of_nodes() == len(named)
    assert g.number_of_edges() == eg.number_of_edges()
    tsinghua = g.nodes["ror:03cve4549"]
    assert (tsinghua["label"], tsinghua["type"], tsinghua["kind"], tsinghua["country"]) == (
        "Tsinghua University", "Organization", "university", "CN")
    # co-ownership weight and evidence equal the partners answer
    partners = json.loads(run(sample_graph, [*COMMANDS["partners"], "--evidence", "2"], "json"))
    for p in partners["partners"]:
        other = p["organization"]["id"]
        a, b = sorted(("ror:03cve4549", other))
        (edge,) = [d for d in edges(g, a, b) if d["relation"] == Relation.CO_ASSIGNED.value]
        assert int(edge["weight"]) == p["count"]
        assert edge["evidence"].split() == [x["number"] for x in p["evidence"]["patents"]]
