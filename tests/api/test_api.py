"""The HTTP API through FastAPI's test client, plus one real `ttkg serve` process."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.servers import start_serve, stop
from ttkg.api.app import create_app
from ttkg.core.model import NodeLabel
from ttkg.core.settings import Settings
from ttkg.graph.artifact import Artifact
from ttkg.graph.backends.contract import GraphBackend
from ttkg.queries.bridges import bridges
from ttkg.queries.common import make_filters


@pytest.fixture(scope="module")
def client(backend: GraphBackend) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(), backend=backend)) as c:
        yield c


def test_health_reports_the_manifest(client: TestClient, backend: GraphBackend) -> None:
    r = client.get("/health")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok"
    assert body["nodes"] == backend.node_counts()
    assert body["build_id"] == backend.manifest()["build_id"]
    assert body["sources"]["patentsview"]["licence"] == "CC-BY-4.0"


def test_bridges_json_is_the_query_result(client: TestClient, backend: GraphBackend) -> None:
    params = {
        "field_a": "Semiconductors",
        "field_b": "Optics",
        "kind": "university",
        "partner_kind": "company",
        "limit": 5,
    }
    r = client.get("/bridges", params=params)
    assert r.status_code == 200
    body = r.json()
    expected = bridges(
        backend,
        "Semiconductors",
        "Optics",
        filters=make_filters(kind="university", partner_kind="company"),
        limit=5,
        evidence=3,
    )
    assert body == expected.model_dump(mode="json")
    org = body["direct"][0]["organization"]
    assert set(org) == {"id", "name", "kind", "country", "country_basis", "country_confidence",
                        "ror_id"}
    assert {"organizations", "count", "evidence"} <= set(body["partnerships"][0])


def test_paths_partners_profile_and_entities(client: TestClient) -> None:
    r = client.get(
        "/paths",
        params={
            "source": "Tsinghua University",
            "target": "Hon Hai Precision Industry Co., Ltd.",
            "via": ["CO_ASSIGNED"],
            "k": 2,
        },
    )
    assert r.status_code == 200 and r.json()["paths"][0]["length"] == 1
    r = client.get("/organizations/ror:03cve4549/partners", params={"limit": 3})
    assert r.status_code == 200 and len(r.json()["partners"]) == 3
    r = client.get("/fields/H01L/profile", params={"limit": 3, "years": "2015-"})
    assert r.status_code == 200 and r.json()["field"]["kind"] == "cpc"
    r = client.get("/entities/cpc:H01L21/02")
    assert r.status_code == 200 and r.json()["entity"]["id"] == "cpc:H01L21/02"
    r = client.get("/entities", params={"q": "Samsung Disp", "label": "Organization"})
    assert r.json()["hits"][0]["entity"]["name"] == "Samsung Display Co., Ltd."


def test_errors_are_problem_json(client: TestClient) -> None:
    r = client.get("/entities/Nowhere Institute of Nothing")
    assert r.status_code == 404
    assert r.headers["content-type"] == "application/problem+json"
    assert "Nowhere Institute of Nothing" in r.json()["detail"]
    r = client.get(
        "/bridges", params={"field_a": "Optics", "field_b": "Semiconductors", "limit": 0}
    )
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["query", "limit"]
    r = client.get(
        "/bridges",
        params={
            "field_a": "Optics",
            "field_b": "Semiconductors",
            "years": "2020-2010",
        },
    )
    assert r.status_code == 422 and "empty" in r.json()["detail"]
    r = client.get("/paths", params={"source": "Optics", "target": "Optics"})
    assert r.status_code == 422
    r = client.get("/paths", params={"source": "Optics", "target": "CN", "max_hops": 7})
    assert r.status_code == 422
    r = client.get("/entities/Samsung")
    assert r.status_code == 422 and r.json()["candidates"]


def test_time_budget_is_a_504_with_partial_results(backend: GraphBackend) -> None:
    app = create_app(Settings(path_time_budget_s=1e-6), backend=backend)
    with TestClient(app) as c:
        r = c.get(
            "/paths",
            params={
                "source": "Tsinghua University",
                "target": "Massachusetts Institute of Technology",
            },
        )
    assert r.status_code == 504
    assert r.headers["content-type"] == "application/problem+json"
    assert "partial" in r.json()


def test_openapi_documents_every_route(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    assert {
        "/health",
        "/bridges",
        "/paths",
        "/entities",
        "/entities/{entity}",
        "/organizations/{organization}/partners",
        "/fields/{field}/profile",
    } <= set(doc["paths"])
    assert client.get("/docs").status_code == 200


@pytest.mark.slow
def test_real_ttkg_serve_process(sample_graph: Path, tmp_path: Path) -> None:
    env = dict(os.environ, TTKG_GRAPH=str(sample_graph))
    proc, base = start_serve([], env, tmp_path / "serve.log", timeout=60)
    try:
        health = httpx.get(f"{base}/health", timeout=2)
        assert health.status_code == 200
        r = httpx.get(f"{base}/bridges", params={"field_a": "8", "field_b": "9", "limit": 3})
        assert r.status_code == 200 and len(r.json()["direct"]) == 3
        r = httpx.get(f"{base}/entities/nothing-like-this-exists", timeout=5)
        assert r.status_code == 404 and json.loads(r.text)["status"] == 404
    finally:
        stop(proc)


def test_filters_are_validated_echoed_and_never_dropped(client: TestClient) -> None:
    # the example: ?years= was ignored; now it applies and is echoed
    r = client.get("/fields/Digital communication/profile", params={"years": "2015-2022"})
    assert r.status_code == 200 and r.json()["filters"]["years"] == [2015, 2022]
    everything = client.get("/fields/Digital communication/profile").json()
    assert r.json()["patents"] < everything["patents"]
    # an unknown parameter is an error listing the valid ones, not silently dropped
    r = client.get("/fields/Digital communication/profile", params={"year_from": 2015})
    assert r.status_code == 422
    assert "year_from" in r.json()["detail"] and "years" in r.json()["detail"]
    # several countries: repeated or comma-separated, the same answer
    params = {"field_a": "Semiconductors", "field_b": "Optics", "limit": 50, "evidence": 0}
    several = [*params.items(), ("country", "KR"), ("country", "JP")]
    repeated = client.get("/bridges", params=several)
    joined = client.get("/bridges", params={**params, "country": "KR,JP"})
    assert repeated.status_code == joined.status_code == 200
    assert repeated.json() == joined.json()
    body = joined.json()
    assert body["filters"]["countries"] == ["JP", "KR"]
    assert {d["organization"]["country"] for d in body["direct"]} == {"JP", "KR"}
    # an unknown country is a 422 naming it and the valid form
    r = client.get("/bridges", params={**params, "country": "XX"})
    assert r.status_code == 422 and "'XX'" in r.json()["detail"]
    assert "alpha-2" in r.json()["detail"]
    # a CPC symbol with a slash in the path
    r = client.get("/fields/G06F21/00/profile", params={"limit": 1})
    assert r.status_code == 200 and r.json()["field"]["id"] == "cpc:G06F21/00"
    # a word that names no field: a 404 with field suggestions
    r = client.get("/fields/apparatus/profile")
    assert r.status_code == 404
    assert "wipo:field:1" in [s["id"] for s in r.json()["suggestions"]]


def test_health_states_coverage_from_the_data(client: TestClient, sample_graph: Path) -> None:
    body = client.get("/health").json()
    patents = body["coverage"]["patents"]
    table = Artifact.open(sample_graph).nodes(NodeLabel.PATENT)
    dates = [d for d in table["date"].to_pylist() if d]
    assert (patents["first_grant"], patents["last_grant"]) == (min(dates), max(dates))
    assert patents["partial_last_year"] is (max(dates)[5:] < "12-24")
    sources = body["sources"]
    assert sources["patentsview"]["release"] == f"grants through {max(dates)}"
    assert sources["cpc"]["release"] == "2025-05-01"  # from cpc-section-*_20250501.txt
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", sources["ror"]["release"])
    assert sources["wipo"]["release"] is None  # the concordance states no version
