"""Query results as RDF by content negotiation: they parse, and carry the evidence."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import rdflib
from fastapi.testclient import TestClient

from ttkg.api.app import create_app
from ttkg.core.settings import Settings
from ttkg.graph.backends.memory.backend import MemoryBackend

PATHS = {
    "source": "Tsinghua University",
    "target": "Hon Hai Precision Industry Co., Ltd.",
    "via": "CO_ASSIGNED",
    "k": 1,
    "evidence": 3,
}


@pytest.fixture(scope="module")
def client(memory_backend: MemoryBackend) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(), backend=memory_backend)) as c:
        yield c


@pytest.mark.parametrize(
    ("accept", "parser"),
    [
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/ld+json", "json-ld"),
    ],
)
def test_paths_as_rdf(client: TestClient, accept: str, parser: str) -> None:
    r = client.get("/paths", params=PATHS, headers={"accept": accept})
    assert r.status_code == 200 and r.headers["content-type"].startswith(accept)
    g = rdflib.Graph().parse(data=r.text, format=parser)
    as_json = client.get("/paths", params=PATHS).json()
    hop = as_json["paths"][0]["hops"][0]
    patents = {
        rdflib.URIRef(f"https://w3id.org/ttkg/id/patent/{p['id'].split(':')[1]}")
        for p in hop["evidence"]["patents"]
    }
    objects = set(g.objects())
    assert patents <= objects, "the evidence patents of the hop are in the RDF"
    assert rdflib.URIRef("https://ror.org/03cve4549") in set(g.subjects()) | objects


def test_json_stays_the_default(client: TestClient) -> None:
    for accept in (None, "*/*", "application/json"):
        headers = {"accept": accept} if accept else {}
        r = client.get(
            "/bridges", params={"field_a": "8", "field_b": "9", "limit": 2}, headers=headers
        )
        assert r.headers["content-type"] == "application/json"
    r = client.get(
        "/bridges",
        params={"field_a": "8", "field_b": "9", "limit": 2},
        headers={"accept": "text/turtle"},
    )
    g = rdflib.Graph().parse(data=r.text, format="turtle")
    assert len(g) > 20
