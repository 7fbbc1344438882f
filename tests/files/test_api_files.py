"""Every query route answers `Accept: text/csv` with the rows of its JSON answer, and the graph
answers (paths, bridges, partners, profile) GraphML and GEXF of their subgraph: read back with
the csv module and networkx and compared with the JSON the same route answers."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

import networkx as nx
import pytest
from fastapi.testclient import TestClient

from ttkg.api.app import create_app
from ttkg.core.settings import Settings
from ttkg.graph.backends.memory.backend import MemoryBackend

BRIDGES = ("/bridges", {"field_a": "Semiconductors", "field_b": "Optics", "kind": "university",
                        "partner_kind": "company", "limit": 5, "evidence": 2})
PATHS = ("/paths", {"source": "Tsinghua University",
                    "target": "Hon Hai Precision Industry Co., Ltd.", "k": 3, "evidence": 2})
PARTNERS = ("/organizations/Tsinghua University/partners", {"limit": 5, "evidence": 2})
PROFILE = ("/fields/Optics/profile", {"limit": 5})
SEARCH = ("/entities", {"q": "tsinghua", "limit": 5})
OVERVIEW = ("/organizations/Tsinghua University/overview", {"years": "2015-"})
ROUTES = {"bridges": BRIDGES, "paths": PATHS, "partners": PARTNERS, "profile": PROFILE,
          "search": SEARCH, "overview": OVERVIEW}


@pytest.fixture(scope="module")
def client(memory_backend: MemoryBackend) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(), backend=memory_backend)) as c:
        yield c


def read_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def cell(value: Any) -> str:
    return "" if value is None else str(value)


@pytest.mark.parametrize("name", ROUTES)
def test_csv_holds_the_rows_of_the_json_answer(client: TestClient, name: str) -> None:
    from ttkg.queries import models, organization

    path, params = ROUTES[name]
    as_json = client.get(path, params=params)
    assert as_json.status_code == 200
    r = client.get(path, params=params, headers={"accept": "text/csv"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = read_csv(r.text)
    assert rows, "the sample answers every one of these questions"
    model = {"bridges": models.BridgesResult, "paths": models.PathsResult,
             "partners": models.PartnersResult, "profile": models.FieldProfile,
             "search": models.SearchResult,
             "overview": organization.OrganizationOverview}[name].model_validate(as_json.json())
    assert list(rows[0]) == model.columns()
    assert rows == [{k: cell(v) for k, v in row.items()} for row in model.rows()]


def test_bridges_csv_against_the_json_fields(client: TestClient) -> None:
    path, params = BRIDGES
    answer = client.get(path, params=params).json()
    rows = read_csv(client.get(path, params=params, headers={"accept": "text/csv"}).text)
    direct = [r for r in rows if r["bridge"] == "direct"]
    pairs = [r for r in rows if r["bridge"] == "partnership"]
    assert [(r["organization_name"], int(r["count_a"]), int(r["count_b"])) for r in direct] == [
        (d["organization"]["name"], d["count_a"], d["count_b"]) for d in answer["direct"]
    ]
    assert [(r["organization_id"], r["partner_id"], int(r["count"])) for r in pairs] == [
        (p["organizations"][0]["id"], p["organizations"][1]["id"], p["count"])
        for p in answer["partnerships"]
    ]
    assert [r["evidence_patents"].split() for r in pairs] == [
        [x["number"] for x in p["evidence"]["patents"]] for p in answer["partnerships"]
    ]


def test_json_stays_the_default_and_wins_when_preferred(client: TestClient) -> None:
    path, params = PARTNERS
    for accept in (None, "*/*", "text/*", "application/json, text/csv;q=0.5"):
        headers = {"accept": accept} if accept else {}
        r = client.get(path, params=params, headers=headers)
        assert r.headers["content-type"] == "application/json", accept
    r = client.get(path, params=params, headers={"accept": "application/json;q=0.5, text/csv"})
    assert r.headers["content-type"].startswith("text/csv")


def test_search_graph_is_its_matches(client: TestClient) -> None:
    path, params = SEARCH
    hits = client.get(path, params=params).json()["hits"]
    r = client.get(path, params=params, headers={"accept": "application/graphml+xml"})
    assert r.headers["content-type"].startswith("application/graphml+xml")
    g = nx.read_graphml(io.BytesIO(r.content))
    assert list(g.nodes) == [h["entity"]["id"] for h in hits] and g.number_of_edges() == 0
    assert [g.nodes[n]["label"] for n in g.nodes] == [h["entity"]["name"] for h in hits]


def test_openapi_documents_the_file_types(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()["paths"]
    for route, types in (
        ("/bridges", {"text/csv", "application/graphml+xml", "application/gexf+xml",
                      "text/turtle"}),
        ("/paths", {"text/csv", "application/graphml+xml", "text/turtle"}),
        ("/organizations/{organization}/partners", {"text/csv", "application/graphml+xml"}),
        ("/fields/{field}/profile", {"text/csv", "application/gexf+xml"}),
        ("/entities", {"text/csv", "application/graphml+xml"}),
        ("/organizations/{organization}/overview", {"text/csv", "application/graphml+xml"}),
    ):
        content = spec[route]["get"]["responses"]["200"]["content"]
        assert types | {"application/json"} <= set(content), route


def graph_of(client: TestClient, route: tuple[str, dict[str, Any]], media: str) -> nx.Graph:
    r = client.get(route[0], params=route[1], headers={"accept": media})
    assert r.status_code == 200 and r.headers["content-type"].startswith(media)
    if media == "application/graphml+xml":
        return nx.read_graphml(io.BytesIO(r.content))
    return nx.read_gexf(io.BytesIO(r.content))


@pytest.mark.parametrize("media", ["application/graphml+xml", "application/gexf+xml"])
def test_paths_graph_is_the_hops_of_the_json_answer(client: TestClient, media: str) -> None:
    answer = client.get(PATHS[0], params=PATHS[1]).json()
    g = graph_of(client, PATHS, media)
    hops = {}
    for p in answer["paths"]:
        for h in p["hops"]:
            a, b = (h["source"], h["target"]) if h["forward"] else (h["target"], h["source"])
            hops[(a["id"], h["relation"], b["id"])] = h
            for e in (a, b):
                name = g.nodes[e["id"]]["label"]
                assert name == e["name"] and g.nodes[e["id"]]["type"] == e["label"]
    edges = {(u, d["relation"], v): d for u, v, d in g.edges(data=True)}
    assert set(edges) == set(hops)
    for key, h in hops.items():
        assert edges[key]["evidence"].split() == [x["number"] for x in h["evidence"]["patents"]]
        assert int(edges[key]["evidence_total"]) == h["evidence"]["total"]


def test_bridges_graphml_is_the_answer(client: TestClient) -> None:
    answer = client.get(BRIDGES[0], params=BRIDGES[1]).json()
    g = graph_of(client, BRIDGES, "application/graphml+xml")
    fa, fb = answer["field_a"]["id"], answer["field_b"]["id"]
    for d in answer["direct"]:
        org = d["organization"]
        assert g.nodes[org["id"]]["kind"] == org["kind"]
        weights = {v: d2["weight"] for _, v, d2 in g.out_edges(org["id"], data=True)
                   if d2["relation"] == "ACTIVE_IN"}
        assert weights == {fa: d["count_a"], fb: d["count_b"]}
    co = {(u, v): d["weight"] for u, v, d in g.edges(data=True) if d["relation"] == "CO_ASSIGNED"}
    assert co == {(p["organizations"][0]["id"], p["organizations"][1]["id"]): p["count"]
                  for p in answer["partnerships"]}


def test_partners_and_profile_graphs(client: TestClient) -> None:
    answer = client.get(PARTNERS[0], params=PARTNERS[1]).json()
    g = graph_of(client, PARTNERS, "application/graphml+xml")
    me = answer["organization"]["id"]
    assert {v: d["weight"] for _, v, d in g.out_edges(me, data=True)} == {
        p["organization"]["id"]: p["count"] for p in answer["partners"]
    }
    profile = client.get(PROFILE[0], params=PROFILE[1]).json()
    g = graph_of(client, PROFILE, "application/gexf+xml")
    field = profile["field"]["id"]
    assert {u: d["weight"] for u, _, d in g.in_edges(field, data=True)
            if d["relation"] == "ACTIVE_IN"} == {
        r["entity"]["id"]: r["count"] for r in profile["organizations"] + profile["countries"]
    }


def test_overview_timeline_counts_the_patents_in_the_years(client: TestClient) -> None:
    path, params = OVERVIEW
    answer = client.get(path, params=params).json()
    assert answer["timeline"] and all(y["year"] >= 2015 for y in answer["timeline"])
    assert sum(y["count"] for y in answer["timeline"]) == answer["patents"]
    everything = client.get(path).json()
    assert answer["patents"] < everything["patents"]
    partners = client.get(PARTNERS[0], params={"limit": 100}).json()
    assert sum(c["count"] for c in everything["partner_countries"]) == sum(
        1 for p in partners["partners"] if p["organization"]["country"])
