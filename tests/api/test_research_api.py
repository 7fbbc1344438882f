"""Research fields through the HTTP API (`/bridges` takes them like technology fields) and the
Python API (`KnowledgeGraph.bridges`), on the bundled sample; counts checked against the raw
OpenAlex works (tests/queries/test_research.py's reader), not against the code's output."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import ttkg
from tests.queries.test_research import MATERIALS, RawWorks
from ttkg.api.app import create_app
from ttkg.core.settings import Settings
from ttkg.graph.backends.memory.backend import MemoryBackend


@pytest.fixture(scope="module")
def client(memory_backend: MemoryBackend) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(), backend=memory_backend)) as c:
        yield c


@pytest.fixture(scope="module")
def raw(sample_graph: Path) -> RawWorks:
    return RawWorks.read(sample_graph)


def test_bridges_route_takes_research_fields(client: TestClient, raw: RawWorks) -> None:
    params = {"field_a": "Materials Science", "field_b": "openalex:field:22", "years": "2018-"}
    r = client.get("/bridges", params={**params, "limit": 500})
    assert r.status_code == 200
    body = r.json()
    assert body["field_a"] == {
        "id": "openalex:field:25",
        "name": "Materials Science",
        "kind": "openalex_field",
        "value": "25",
        "parts": [],  # one field, not a theme or a set: nothing to expand
        "source": None,
    }
    a = raw.by_org(raw.in_field(MATERIALS, (2018, 2100)))
    b = raw.by_org(raw.in_field(22, (2018, 2100)))
    want = {o: [len(a[o]), len(b[o])] for o in a.keys() & b.keys()}
    assert {d["organization"]["id"]: [d["count_a"], d["count_b"]] for d in body["direct"]} == want
    works = [w for d in body["direct"] for side in "ab" for w in d["evidence"][side]["works"]]
    assert works and all(w["year"] >= 2018 and raw.doi[w["id"]] == w["doi"] for w in works)
    pair = body["partnerships"][0]
    assert pair["evidence"]["works"] and pair["co_authored_total"] >= pair["count"]
    assert body["filters"]["years"] == [2018, None]


def test_research_bridges_as_csv(client: TestClient) -> None:
    params = {"field_a": "Materials Science", "field_b": "Semiconductors", "limit": 3}
    r = client.get("/bridges", params=params, headers={"accept": "text/csv"})
    assert r.status_code == 200
    rows = list(csv.DictReader(io.StringIO(r.text)))
    direct = [row for row in rows if row["bridge"] == "direct"]
    assert direct and all(row["evidence_a_works"] for row in direct)
    assert all(row["evidence_b_patents"] and not row["evidence_b_works"] for row in direct)


def test_research_bridges_refuse_what_they_do_not_know(client: TestClient) -> None:
    r = client.get("/bridges", params={"field_a": "Biotechnology", "field_b": "Optics"})
    assert r.status_code == 422
    assert {c.split()[0] for c in r.json()["candidates"]} == {
        "wipo:field:15",
        "openalex:subfield:1305",
    }
    params = {"field_a": "Materials Science", "field_b": "Optics", "doi": "x"}
    r = client.get("/bridges", params=params)
    assert r.status_code == 422 and "doi" in r.json()["detail"]


def test_python_api_bridges_with_research_fields(sample_graph: Path, raw: RawWorks) -> None:
    with ttkg.open(sample_graph) as g:
        answer = g.bridges("openalex:field:25", "Semiconductors", years="2020-2025", limit=50)
        frame = answer.to_frame()
    in_r = raw.by_org(raw.in_field(MATERIALS, (2020, 2025)))
    assert {d.organization.id for d in answer.direct} <= set(in_r)
    assert all(d.count_a == len(in_r[d.organization.id]) for d in answer.direct)
    assert answer.direct and "evidence_a_works" in frame.columns
