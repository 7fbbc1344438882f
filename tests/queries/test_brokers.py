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


def _work(graph: nx.Graph, side: set[str], other: set[str]) -> tuple[int, int]:
    """Organisations of side sharing a component with other, and Brandes' work from them:
    the sum of their components' organisations and links."""
    reaching, work = 0, 0
    for comp in nx.connected_components(graph):
        if comp & other:
            n = len(comp & side)
            reaching += n
            work += n * (len(comp) + graph.subgraph(comp).number_of_edges())
    return reaching, work


def test_large_selections_are_estimated_with_a_stated_error(
    backend: GraphBackend, network: tuple[nx.Graph, set[str], set[str], dict[str, str | None]]
) -> None:
    """With a budget an eighth of the exact answer's work, the scores are estimated from a
    sample of sources: the exact scores (networkx, every pair of ends) lie within 3 of the
    reported standard errors of the estimates for each of the top 10, and the answer says it
    is an estimate, from how many sources of how many."""
    graph, a, b, _ = network
    exact = brokers(backend, "Biotechnology", "Pharmaceuticals", limit=10)
    m = exact.method
    side, other = (a, b) if m["searched_side"] == "A" else (b, a)
    assert (m["reaching"], m["work"]) == _work(graph, side, other)
    assert m["work"] <= min(_work(graph, a, b)[1], _work(graph, b, a)[1])
    assert m["exact"] and m["sampled"] == m["reaching"] and str(m["how"]).startswith("exact")
    approx = brokers(backend, "Biotechnology", "Pharmaceuticals", limit=10,
                     budget=m["work"] // 8)
    m = approx.method
    assert not m["exact"] and 0 < m["sampled"] < m["reaching"]
    assert f"sample (seed 0) of {m['sampled']:,} of the {m['reaching']:,}" in str(m["how"])
    want = nx.betweenness_centrality_subset(graph, [n for n in graph if n in a],
                                            [n for n in graph if n in b], normalized=False)
    assert len(approx.brokers) == 10
    for x in approx.brokers:
        assert x.standard_error > 0
        assert abs(x.score - 2 * want[x.organization.id]) <= 3 * x.standard_error, x
    assert approx.brokers[0].organization.id in {x.organization.id for x in exact.brokers[:3]}


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
    """a-v-c is the one shortest a-c path: v brokers one pair, fully. x, in A, shares no
    component with B: it is not searched from, and the work is a's component's 5 organisations
    and 5 links."""
    found = brokerage([("a", "v"), ("v", "c"), ("a", "w"), ("w", "b"), ("b", "c"),
                       ("x", "y")], ["a", "x"], ["c"], 5)
    assert found.ranked == [("v", 1.0, 0.0)] and found.paths == {"v": ("a", "v", "c")}
    assert (found.side, found.reaching, found.work, found.exact) == ("A", 1, 10, True)


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
