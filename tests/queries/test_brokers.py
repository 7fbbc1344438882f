"""Brokers between two fields, themes or groups of countries, on the bundled real sample and
every backend, checked against networkx's subset betweenness (an independent implementation)
on a network rebuilt from the artifact's tables."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tests.parity import assert_same
from ttkg.api.app import create_app
from ttkg.cli.main import app
from ttkg.core.errors import InvalidQueryError
from ttkg.core.model import EdgeType, NodeLabel
from ttkg.core.settings import Settings
from ttkg.facade import KnowledgeGraph
from ttkg.graph.artifact import Artifact
from ttkg.graph.backends.brokerage import brokerage
from ttkg.graph.backends.contract import Filters, GraphBackend
from ttkg.queries.brokers import brokers
from ttkg.queries.common import make_filters

BIO, PHARMA = "wipo:field:15", "wipo:field:16"


@pytest.fixture(scope="module")
def network(sample_graph: Path) -> tuple[nx.Graph, set[str], set[str], dict[str, str | None]]:
    """Co-ownership of patents in Biotechnology or Pharmaceuticals; A: organisations with
    patents in Biotechnology, B: in Pharmaceuticals; every organisation's country."""
    art = Artifact.open(sample_graph)
    fields: dict[str, set[str]] = defaultdict(set)
    for e in art.edges(EdgeType.IN_FIELD).to_pylist():
        fields[e["src"]].add(e["dst"])
    owners: dict[str, set[str]] = defaultdict(set)
    for e in art.edges(EdgeType.ASSIGNED_TO).to_pylist():
        owners[e["src"]].add(e["dst"])
    graph, a, b = nx.Graph(), set(), set()
    for patent, orgs in owners.items():
        if BIO in fields[patent]:
            a |= orgs
        if PHARMA in fields[patent]:
            b |= orgs
        if fields[patent] & {BIO, PHARMA}:
            graph.add_edges_from((x, y) for x in orgs for y in orgs if x < y)
    country = {r["id"]: r["country"] for r in art.nodes(NodeLabel.ORGANIZATION).to_pylist()}
    return graph, a, b, country


def test_brokers_between_two_fields_equal_networkx_subset_betweenness(
    backend: GraphBackend, network: tuple[nx.Graph, set[str], set[str], dict[str, str | None]]
) -> None:
    graph, a, b, _ = network
    r = brokers(backend, "Biotechnology", "Pharmaceuticals", limit=10, evidence=2)
    want = nx.betweenness_centrality_subset(graph, [n for n in graph if n in a],
                                            [n for n in graph if n in b], normalized=False)
    # networkx counts each pair of an undirected graph half; ours is the sum over (s, t)
    top = sorted((v for v, s in want.items() if s > 0),
                 key=lambda v: (-round(want[v], 9), v))[:10]
    assert_same([(x.organization.id, round(x.score, 4)) for x in r.brokers],
                [(v, round(2 * want[v], 4)) for v in top])
    assert r.method["exact"] and r.method["network_organizations"] == graph.number_of_nodes()
    for broker in r.brokers:
        ids = [o.id for o in broker.path]
        assert ids[0] in a and ids[-1] in b and broker.organization.id in ids[1:-1]
        assert nx.shortest_path_length(graph, ids[0], broker.organization.id) == ids.index(
            broker.organization.id)
        for hop in broker.hops:
            assert graph.has_edge(hop.source.id, hop.target.id) and hop.evidence.total >= 1


def test_large_selections_are_estimated_with_a_stated_error(backend: GraphBackend) -> None:
    exact = brokers(backend, "Biotechnology", "Pharmaceuticals", limit=3)
    approx = brokers(backend, "Biotechnology", "Pharmaceuticals", limit=3, max_sources=60)
    assert not approx.method["exact"] and approx.method["sampled"] == 60
    assert "estimated from 60 of" in str(approx.method["how"])
    assert all(x.standard_error > 0 for x in approx.brokers)
    assert approx.brokers[0].organization.id in {x.organization.id for x in exact.brokers}


def test_brokers_between_two_countries(
    backend: GraphBackend, network: tuple[nx.Graph, set[str], set[str], dict[str, str | None]]
) -> None:
    country = network[3]
    r = brokers(backend, filters=make_filters(country="KR", partner_country="US"), limit=5)
    assert r.mode == "countries" and r.brokers
    for x in r.brokers:
        assert country[x.path[0].id] == "KR" and country[x.path[-1].id] == "US"
    assert r.method["a_organizations"] > 0 and r.method["b_organizations"] > 0


def test_no_brokers_says_why(backend: GraphBackend, sample_graph: Path) -> None:
    """OIC members -> US on the whole co-ownership network: the sample's OIC holders reach no
    US holder (checked with networkx on the network rebuilt from the raw tables), so the list
    is empty and the answer says the sides are not connected; KR -> US has brokers, no note."""
    art = Artifact.open(sample_graph)
    owners: dict[str, set[str]] = defaultdict(set)
    for e in art.edges(EdgeType.ASSIGNED_TO).to_pylist():
        owners[e["src"]].add(e["dst"])
    graph = nx.Graph()
    for orgs in owners.values():
        graph.add_edges_from((x, y) for x in orgs for y in orgs if x < y)
    country = {r["id"]: r["country"] for r in art.nodes(NodeLabel.ORGANIZATION).to_pylist()}
    r = brokers(backend, filters=make_filters(country="OIC", partner_country="US"))
    oic = set(r.filters.countries)
    a = {o for o in graph if country.get(o) in oic}
    b = {o for o in graph if country.get(o) == "US"}
    assert a and b
    assert not any(nx.has_path(graph, x, y) for x in a for y in b)
    assert r.brokers == [] and r.note and "not connected" in r.note
    assert brokers(backend, filters=make_filters(country="KR", partner_country="US")).note is None


def test_brokerage_counts_every_pair_of_ends() -> None:
    """a-v-c is the one shortest a-c path: v brokers one pair, fully."""
    found = brokerage([("a", "v"), ("v", "c"), ("a", "w"), ("w", "b"), ("b", "c")], ["a"],
                      ["c"], 5)
    assert found.ranked == [("v", 1.0, 0.0)] and found.paths == {"v": ("a", "v", "c")}


def test_one_end_only_is_an_error(backend: GraphBackend) -> None:
    with pytest.raises(InvalidQueryError, match="two ends"):
        brokers(backend, "Biotechnology")
    with pytest.raises(InvalidQueryError, match="two ends"):
        brokers(backend, filters=make_filters(country="KR"))
    with pytest.raises(InvalidQueryError, match="unknown theme"):
        brokers(backend, filters=Filters(countries=frozenset({"KR"}),
                                         partner_countries=frozenset({"US"})), theme="AIX")


@pytest.fixture(scope="module")
def client(backend: GraphBackend) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(), backend=backend)) as c:
        yield c


def test_api_cli_and_python_give_the_query_result(
    client: TestClient, backend: GraphBackend, sample_graph: Path
) -> None:
    want = brokers(backend, "AI", "health", limit=3).model_dump(mode="json")
    r = client.get("/brokers", params={"a": "AI", "b": "health", "limit": 3})
    assert r.status_code == 200 and r.json() == want
    assert client.get("/brokers", params={"a": "AI", "c": "x"}).status_code == 422
    assert KnowledgeGraph(backend).brokers("AI", "health", limit=3).model_dump(
        mode="json") == want
    if backend.name == "memory":
        out = CliRunner().invoke(app, ["query", "brokers", "AI", "health", "--limit", "3",
                                       "--graph", str(sample_graph), "--format", "json"])
        assert out.exit_code == 0, out.output
        assert json.loads(out.output) == want
