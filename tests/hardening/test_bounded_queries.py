"""Every query refuses unbounded requests (pages, evidence, hops, k, time budget, text) on
every backend, caps what it returns, and a path query over its time budget fails explicitly
with the paths found so far (API: 504 problem+json with `partial`)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from ttkg.api.app import create_app
from ttkg.core.errors import InvalidQueryError, QueryTimeoutError
from ttkg.core.settings import Settings
from ttkg.graph.backends.contract import GraphBackend, PatentRef, RelationHop
from ttkg.queries.bridges import bridges
from ttkg.queries.entity import entity_detail
from ttkg.queries.models import Evidence
from ttkg.queries.partners import partners
from ttkg.queries.paths import MAX_HOPS, MAX_K, paths
from ttkg.queries.profile import field_profile
from ttkg.queries.resolve import search

ORG = "ror:03cve4549"  # Tsinghua University, in the sample
FAR_A, FAR_B = "Tsinghua University", "Massachusetts Institute of Technology"
LONG = "x" * 301

Call = Callable[[GraphBackend], Any]

REFUSED: list[tuple[str, Call]] = [
    ("bridges limit 0", lambda b: bridges(b, "Semiconductors", "Optics", limit=0)),
    ("bridges limit 501", lambda b: bridges(b, "Semiconductors", "Optics", limit=501)),
    ("bridges offset -1", lambda b: bridges(b, "Semiconductors", "Optics", offset=-1)),
    ("bridges offset 100001", lambda b: bridges(b, "Semiconductors", "Optics", offset=100_001)),
    ("bridges evidence 101", lambda b: bridges(b, "Semiconductors", "Optics", evidence=101)),
    ("bridges evidence -1", lambda b: bridges(b, "Semiconductors", "Optics", evidence=-1)),
    ("bridges min_evidence 0", lambda b: bridges(b, "Semiconductors", "Optics", min_evidence=0)),
    ("bridges long field", lambda b: bridges(b, LONG, "Optics")),
    ("partners limit 501", lambda b: partners(b, ORG, limit=501)),
    ("partners offset 100001", lambda b: partners(b, ORG, offset=100_001)),
    ("partners evidence 101", lambda b: partners(b, ORG, evidence=101)),
    ("partners long name", lambda b: partners(b, LONG)),
    ("profile limit 0", lambda b: field_profile(b, "H01L", limit=0)),
    ("profile limit 501", lambda b: field_profile(b, "H01L", limit=501)),
    ("entity limit 501", lambda b: entity_detail(b, ORG, limit=501)),
    ("entity limit 0", lambda b: entity_detail(b, ORG, limit=0)),
    ("entity long text", lambda b: entity_detail(b, LONG)),
    ("search limit 101", lambda b: search(b, "Samsung", limit=101)),
    ("search limit 0", lambda b: search(b, "Samsung", limit=0)),
    ("search long text", lambda b: search(b, LONG)),
    ("paths hops 7", lambda b: paths(b, FAR_A, FAR_B, max_hops=MAX_HOPS + 1)),
    ("paths hops 0", lambda b: paths(b, FAR_A, FAR_B, max_hops=0)),
    ("paths k 21", lambda b: paths(b, FAR_A, FAR_B, k=MAX_K + 1)),
    ("paths k 0", lambda b: paths(b, FAR_A, FAR_B, k=0)),
    ("paths budget 0", lambda b: paths(b, FAR_A, FAR_B, time_budget=0)),
    ("paths budget 61 s", lambda b: paths(b, FAR_A, FAR_B, time_budget=61)),
    ("paths evidence 101", lambda b: paths(b, FAR_A, FAR_B, evidence=101)),
    ("paths unknown relation", lambda b: paths(b, FAR_A, FAR_B, via="KNOWS")),
    ("paths long source", lambda b: paths(b, LONG, FAR_B)),
]


@pytest.mark.parametrize(("name", "call"), REFUSED, ids=[n for n, _ in REFUSED])
def test_unbounded_requests_are_refused(backend: GraphBackend, name: str, call: Call) -> None:
    with pytest.raises(InvalidQueryError):
        call(backend)


def _evidence(ev: Evidence, cap: int) -> int:
    assert len(ev.patents) <= cap and ev.total >= len(ev.patents)
    return ev.total


def test_results_are_capped(backend: GraphBackend) -> None:
    """Small caps truncate real answers (totals show there was more), never exceed them."""
    r = bridges(backend, "Semiconductors", "Optics", limit=2, evidence=1)
    assert len(r.direct) == 2 < r.total_direct
    assert len(r.partnerships) <= 2 < r.total_partnerships
    totals = [_evidence(d.evidence[s], 1) for d in r.direct for s in ("a", "b")]
    totals += [_evidence(p.evidence, 1) for p in r.partnerships]
    assert max(totals) > 1
    page2 = bridges(backend, "Semiconductors", "Optics", limit=2, offset=2, evidence=0)
    assert [d.organization.id for d in page2.direct] != [d.organization.id for d in r.direct]
    assert all(not d.evidence["a"].patents for d in page2.direct)

    p = partners(backend, ORG, limit=3, evidence=2)
    assert len(p.partners) == 3 < p.total
    assert max(_evidence(x.evidence, 2) for x in p.partners) > 2

    prof = field_profile(backend, "H01L", limit=4)
    assert len(prof.organizations) == len(prof.countries) == len(prof.cooccurring_fields) == 4

    detail = entity_detail(backend, ORG, limit=2)
    per_kind: dict[tuple[str, str], int] = {}
    for n in detail.neighbors:
        key = (n.relation, n.direction)
        per_kind[key] = per_kind.get(key, 0) + 1
    assert max(per_kind.values()) == 2

    hits = search(backend, "University", limit=5).hits
    assert len(hits) == 5

    found = paths(backend, FAR_A, FAR_B, max_hops=MAX_HOPS, k=MAX_K, evidence=1)
    assert 0 < len(found.paths) <= MAX_K
    for path in found.paths:
        assert path.length == len(path.hops) <= MAX_HOPS
        for hop in path.hops:
            _evidence(hop.evidence, 1)


# -- time budget -------------------------------------------------------------------------------


@pytest.fixture
def slow_evidence(backend: GraphBackend, monkeypatch: pytest.MonkeyPatch) -> Iterator[float]:
    """Make the backend's hop_evidence take `delay` seconds per call (a slow database), with a
    delay longer than the time the whole path search takes on this backend."""
    started = time.monotonic()
    paths(backend, FAR_A, FAR_B)  # warm caches (entity graph, names)
    delay = max(0.3, 2 * (time.monotonic() - started))
    real = backend.hop_evidence

    def slow(hop: RelationHop, limit: int) -> tuple[int, list[PatentRef]]:
        time.sleep(delay)  # the slow database itself (what the time budget is tested against)
        return real(hop, limit)

    monkeypatch.setattr(backend, "hop_evidence", slow)
    yield delay


def _unhurried_paths(backend: GraphBackend) -> list[list[str]]:
    """The node ids of the paths found with all the time allowed (slowed evidence too)."""
    found = paths(backend, FAR_A, FAR_B, evidence=0, time_budget=60)
    return [[n.id for n in p.nodes] for p in found.paths]


def test_path_query_over_budget_fails_with_the_paths_found(
    backend: GraphBackend, slow_evidence: float
) -> None:
    expected = _unhurried_paths(backend)
    assert len(expected) == 3 and max(len(p) for p in expected) > 2
    started = time.monotonic()
    with pytest.raises(QueryTimeoutError) as caught:
        paths(backend, FAR_A, FAR_B, time_budget=slow_evidence)
    elapsed = time.monotonic() - started
    assert caught.value.partial == expected  # found, then out of time fetching evidence
    assert elapsed < 3 * slow_evidence  # stopped at the budget, not after every hop
    with pytest.raises(QueryTimeoutError) as caught:
        paths(backend, FAR_A, FAR_B, time_budget=1e-6)  # never "no path" when out of time
    assert caught.value.partial == []


def test_api_path_query_over_budget_is_504_with_partial(
    backend: GraphBackend, slow_evidence: float
) -> None:
    expected = _unhurried_paths(backend)
    app = create_app(Settings(path_time_budget_s=slow_evidence), backend=backend)
    with TestClient(app) as client:
        r = client.get("/paths", params={"source": FAR_A, "target": FAR_B})
    assert r.status_code == 504
    assert r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert body["title"] == "Time budget exceeded" and body["partial"] == expected


# -- the API cannot be asked for more ----------------------------------------------------------


def test_every_api_parameter_is_bounded(backend: GraphBackend) -> None:
    """In the OpenAPI document, every integer parameter has a minimum and a maximum, every
    string a maximum length (or an enum or pattern), every list a maximum number of items;
    the URI limit (test_limits) bounds the rest."""
    with TestClient(create_app(Settings(), backend=backend)) as client:
        doc = client.get("/openapi.json").json()
    seen = 0
    for path, ops in doc["paths"].items():
        for op in ops.values():
            for param in op.get("parameters", []):
                schema = param["schema"]
                options = schema.get("anyOf", [schema])
                for s in options:
                    if s.get("type") == "null":
                        continue
                    where = f"{path} {param['name']}"
                    seen += 1
                    if s.get("type") == "integer":
                        assert "maximum" in s and "minimum" in s, where
                    elif s.get("type") == "string":
                        assert {"maxLength", "pattern", "enum"} & set(s), where
                    elif s.get("type") == "array":  # items: within the 8 KiB URI limit
                        assert "maxItems" in s, where
                    elif s.get("type") == "boolean":
                        pass
                    else:
                        raise AssertionError(f"unexpected parameter type: {where} {s}")
    assert seen > 20
