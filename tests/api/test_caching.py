"""HTTP caching of the API's answers (api/caching.py), in-process over the bundled sample: ETags
that name the version and the request, 304 Not Modified, the bounded answer cache keyed by the
version served, the store of answers worker processes share, and what is never cached (errors,
other media types, Neo4j). The move to a
newly built version with a real server and a real build is in test_serve_reload.py."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from ttkg.api.app import create_app
from ttkg.api.caching import ENTRY_SHARE, AnswerCache
from ttkg.api.shared_answers import SharedAnswers, remove_stale_stores, store_directory
from ttkg.core.settings import Settings
from ttkg.graph.backends.memory.backend import MemoryBackend

BRIDGES = {"field_a": "Semiconductors", "field_b": "Optics", "limit": 3, "country": ["US", "CN"]}


def _client(graph: Path, cache_mb: int = 64) -> TestClient:
    return TestClient(create_app(Settings(graph=graph, cache_mb=cache_mb)))


@pytest.fixture(scope="module")
def client(sample_graph: Path) -> Iterator[TestClient]:
    with _client(sample_graph) as c:
        yield c


def _cache(client: TestClient) -> AnswerCache:
    """The app's AnswerCache middleware (the stack is built by the first request)."""
    layer = client.app.middleware_stack  # type: ignore[attr-defined]
    while not isinstance(layer, AnswerCache):
        layer = layer.app
    return layer


def _build_id(graph: Path) -> str:
    return (graph / "CURRENT").read_text().strip()


def test_an_answer_names_its_version_and_request(client: TestClient, sample_graph: Path) -> None:
    first = client.get("/bridges", params=BRIDGES)
    assert first.status_code == 200
    etag = first.headers["etag"]
    assert etag.startswith(f'"{_build_id(sample_graph)}-') and etag.endswith('"')
    assert first.headers["cache-control"] == "no-cache"
    assert first.headers["vary"] == "Accept"
    # the same parameters in another order are the same request; the order of a repeated
    # parameter's values is kept, and so are other values and another Accept
    shuffled = dict(reversed(list(BRIDGES.items())))
    assert client.get("/bridges", params=shuffled).headers["etag"] == etag
    others = [
        client.get("/bridges", params={**BRIDGES, "country": ["CN", "US"]}),
        client.get("/bridges", params={**BRIDGES, "limit": 4}),
        client.get("/bridges", params=BRIDGES, headers={"Accept": "application/json"}),
        client.get(
            "/bridges", params={**BRIDGES, "field_a": "Optics", "field_b": "Semiconductors"}
        ),
    ]
    assert all(r.status_code == 200 for r in others)
    assert len({etag, *(r.headers["etag"] for r in others)}) == 5


def test_if_none_match_gets_304_without_a_body(client: TestClient) -> None:
    etag = client.get("/entities", params={"q": "Tsinghua"}).headers["etag"]
    for header in (etag, f"W/{etag}", f'"other", {etag}'):
        r = client.get("/entities", params={"q": "Tsinghua"}, headers={"If-None-Match": header})
        assert r.status_code == 304 and r.content == b""
        assert r.headers["etag"] == etag and r.headers["cache-control"] == "no-cache"
    # another tag, or another request with this tag: the whole answer
    r = client.get("/entities", params={"q": "Tsinghua"}, headers={"If-None-Match": '"other"'})
    assert r.status_code == 200 and r.json()["hits"]
    r = client.get("/entities", params={"q": "Stanford"}, headers={"If-None-Match": etag})
    assert r.status_code == 200 and r.headers["etag"] != etag
    assert (
        client.get(
            "/entities", params={"q": "Tsinghua"}, headers={"If-None-Match": "*"}
        ).status_code
        == 200
    )


def test_a_repeated_request_is_answered_from_the_cache_byte_for_byte(client: TestClient) -> None:
    params = {"source": "Tsinghua University", "target": "Optics", "k": 2}
    first = client.get("/paths", params=params)
    again = client.get("/paths", params=params)
    assert first.status_code == again.status_code == 200
    assert first.headers["cache-status"] == "ttkg; fwd=miss; stored"
    assert again.headers["cache-status"] == "ttkg; hit"
    assert again.content == first.content
    same = {k: v for k, v in first.headers.items() if k != "cache-status"}
    assert {k: v for k, v in again.headers.items() if k != "cache-status"} == same


def test_errors_and_other_media_types_are_never_cached(client: TestClient) -> None:
    """Unknown parameters, bad values and unknown entities answer as before, every time; CSV
    and the OpenAPI document carry no ETag of ours."""
    for _ in range(2):
        unknown = client.get("/bridges", params={**BRIDGES, "contry": "US"})
        assert unknown.status_code == 422 and "contry" in unknown.json()["detail"]
        bad = client.get("/bridges", params={**BRIDGES, "limit": 0})
        assert bad.status_code == 422 and "limit" in bad.json()["detail"]
        missing = client.get("/entities/No Such Organisation Anywhere")
        assert missing.status_code == 404
        for r in (unknown, bad, missing):
            assert "etag" not in r.headers and "cache-status" not in r.headers
            assert r.headers["content-type"] == "application/problem+json"
    csv = client.get("/bridges", params=BRIDGES, headers={"Accept": "text/csv"})
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert "etag" not in csv.headers and "cache-status" not in csv.headers
    assert "etag" not in client.get("/openapi.json").headers


def test_the_cache_is_bounded(sample_graph: Path) -> None:
    with _client(sample_graph, cache_mb=1) as small:
        small.get("/health")
        cache = _cache(small)
        cache.max_bytes = 64 * 1024  # a few answers' worth, to see eviction
        sizes = []
        for year in range(1990, 2022):
            r = small.get("/fields/Semiconductors/profile", params={"years": f"{year}-"})
            assert r.status_code == 200
            sizes.append(len(r.content))
            assert cache._size <= cache.max_bytes
        assert max(sizes) <= cache.max_bytes // ENTRY_SHARE < sum(sizes)  # kept, then evicted
        assert 0 < len(cache._answers) < len(sizes)
        # the least recently used went first: the last answer is kept, the first is not
        last = small.get("/fields/Semiconductors/profile", params={"years": "2021-"})
        assert last.headers["cache-status"] == "ttkg; hit"
        first = small.get("/fields/Semiconductors/profile", params={"years": "1990-"})
        assert first.headers["cache-status"].startswith("ttkg; fwd=miss")


def test_no_cache_keeps_etags_and_304(sample_graph: Path) -> None:
    with _client(sample_graph, cache_mb=0) as uncached:
        params = {"q": "Samsung"}
        first, again = (
            uncached.get("/entities", params=params),
            uncached.get("/entities", params=params),
        )
        assert first.headers["cache-status"] == again.headers["cache-status"] == "ttkg; fwd=miss"
        assert first.content == again.content and first.headers["etag"] == again.headers["etag"]
        etag = first.headers["etag"]
        assert (
            uncached.get("/entities", params=params, headers={"If-None-Match": etag}).status_code
            == 304
        )


def test_another_version_swapped_in_is_never_answered_from_the_old(
    sample_graph: Path, tmp_path: Path
) -> None:
    """A second version (the sample's files under another build id) swapped in between
    requests: the old answers are not served, their ETags not honoured, and the cache holds
    the new version's answers only."""
    graph = tmp_path / "graph"
    old = _build_id(sample_graph)
    new = "20990101T000000-cafe00"
    shutil.copytree(sample_graph / "versions" / old, graph / "versions" / new)
    manifest = graph / "versions" / new / "manifest.json"
    manifest.write_text(json.dumps({**json.loads(manifest.read_text()), "build_id": new}))
    (graph / "CURRENT").write_text(new + "\n")
    with _client(sample_graph) as c:
        first = c.get("/bridges", params=BRIDGES)
        assert c.get("/bridges", params=BRIDGES).headers["cache-status"] == "ttkg; hit"
        c.app.state.graph.swap(MemoryBackend.open(graph))  # type: ignore[attr-defined]
        assert c.get("/health").json()["build_id"] == new
        moved = c.get("/bridges", params=BRIDGES, headers={"If-None-Match": first.headers["etag"]})
        assert moved.status_code == 200 and moved.headers["cache-status"].startswith(
            "ttkg; fwd=miss"
        )
        assert moved.headers["etag"].startswith(f'"{new}-')
        assert moved.json() == first.json()  # the same files: the same answer
        cache = _cache(c)
        assert cache._version == new and all(key[0] == new for key in cache._answers)
        assert c.get("/bridges", params=BRIDGES).headers["cache-status"] == "ttkg; hit"


def _shared_client(graph: Path, shared: Path, cache_mb: int = 64) -> TestClient:
    return TestClient(create_app(Settings(graph=graph, cache_mb=cache_mb, shared_cache=shared)))


def test_processes_sharing_a_store_answer_each_others_requests(
    sample_graph: Path, tmp_path: Path
) -> None:
    """Two apps over one shared directory stand for two worker processes of `ttkg serve`: an
    answer the first computed is a hit in the second, byte for byte, and then in its own
    cache; an app without the store computes it again."""
    shared = tmp_path / "answers"
    params = {"source": "Tsinghua University", "target": "Optics", "k": 2}
    with _shared_client(sample_graph, shared) as one, _shared_client(sample_graph, shared) as two:
        first = one.get("/paths", params=params)
        assert first.headers["cache-status"] == "ttkg; fwd=miss; stored"
        other = two.get("/paths", params=params)
        assert other.headers["cache-status"] == "ttkg; hit; detail=shared"
        assert other.content == first.content
        same = {k: v for k, v in first.headers.items() if k != "cache-status"}
        assert {k: v for k, v in other.headers.items() if k != "cache-status"} == same
        assert two.get("/paths", params=params).headers["cache-status"] == "ttkg; hit"
        # what neither has asked is computed once, by whichever asks first
        fresh = two.get("/bridges", params=BRIDGES)
        assert fresh.headers["cache-status"] == "ttkg; fwd=miss; stored"
        assert one.get("/bridges", params=BRIDGES).headers["cache-status"] == (
            "ttkg; hit; detail=shared"
        )
    with _client(sample_graph) as alone:
        assert alone.get("/paths", params=params).headers["cache-status"].startswith(
            "ttkg; fwd=miss"
        )


def test_a_shared_answer_of_another_version_is_never_served(
    sample_graph: Path, tmp_path: Path
) -> None:
    """A process serving another version (the sample's files under another build id) reads
    nothing the first stored: the version is part of every key."""
    graph = tmp_path / "graph"
    new = "20990101T000000-cafe01"
    shutil.copytree(sample_graph / "versions" / _build_id(sample_graph), graph / "versions" / new)
    manifest = graph / "versions" / new / "manifest.json"
    manifest.write_text(json.dumps({**json.loads(manifest.read_text()), "build_id": new}))
    (graph / "CURRENT").write_text(new + "\n")
    shared = tmp_path / "answers"
    with _shared_client(sample_graph, shared) as old, _shared_client(graph, shared) as moved:
        first = old.get("/bridges", params=BRIDGES)
        assert first.headers["cache-status"] == "ttkg; fwd=miss; stored"
        answer = moved.get("/bridges", params=BRIDGES)
        assert answer.headers["cache-status"] == "ttkg; fwd=miss; stored"
        assert answer.headers["etag"].startswith(f'"{new}-')
        assert answer.json() == first.json()  # the same files: the same answer, computed


def test_the_shared_store_is_bounded(tmp_path: Path) -> None:
    """Past its size the store lets the oldest answers go (diskcache over SQLite, real
    files): what it takes on disk stays near the bound, the newest answer is kept, the
    oldest is not."""
    store = SharedAnswers(tmp_path / "answers", max_bytes=2 << 20)
    headers = [(b"content-type", b"application/json")]
    bodies = {f"key-{i}": bytes([i % 251]) * 40_000 for i in range(200)}  # 8 MB in all
    for key, body in bodies.items():
        store.put(key, headers, body)
    assert store.volume() <= (2 << 20) + 512 * 1024  # the bound, and the database's pages
    assert store.get("key-199") == (headers, bodies["key-199"])
    assert store.get("key-0") is None
    store.close()


def test_a_failing_shared_store_never_fails_a_request(
    sample_graph: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A store that cannot be read or written costs hits, never an answer: an answer whose
    file was removed is computed again; a write that waits on another process's lock past
    `LOCK_WAIT_S` is given up (logged) and the answer still sent."""
    shared = tmp_path / "answers"
    # an answer over diskcache's 32 KiB, so kept as a file beside the database
    params = {"source": "Tsinghua University", "target": "Optics", "k": 10, "evidence": 100}
    with _shared_client(sample_graph, shared) as one, _shared_client(sample_graph, shared) as two:
        first = one.get("/paths", params=params)
        assert first.headers["cache-status"] == "ttkg; fwd=miss; stored"
        assert len(first.content) > 32 * 1024
        files = list(shared.rglob("*.val"))
        assert len(files) == 1
        files[0].unlink()
        again = two.get("/paths", params=params)
        assert again.status_code == 200 and again.content == first.content
        assert again.headers["cache-status"].startswith("ttkg; fwd=miss")
        # another process holds the database's write lock
        holder = sqlite3.connect(shared / "cache.db", timeout=0, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            with caplog.at_level("WARNING", logger="ttkg.api.shared_answers"):
                computed = two.get("/bridges", params=BRIDGES)
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert computed.status_code == 200 and computed.json()["direct"]
        assert "shared answer store" in caplog.text and "write failed" in caplog.text
        # not stored there: the other process computes it too
        assert one.get("/bridges", params=BRIDGES).headers["cache-status"].startswith(
            "ttkg; fwd=miss"
        )


def test_a_killed_servers_store_is_removed_by_the_next(tmp_path: Path) -> None:
    """A store's directory names its server's process: one whose process is gone (a real
    process, run and ended) is removed when another server makes its store; a live
    process's is kept, and so is the new one until its server ends."""
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                           capture_output=True, text=True, check=True)
    gone = tmp_path / f"ttkg-answers-{int(ended.stdout)}-x1"
    alive = tmp_path / f"ttkg-answers-{os.getpid()}-x2"
    for store in (gone, alive):
        store.mkdir()
        (store / "cache.db").write_bytes(b"")
    assert remove_stale_stores(tmp_path) == [gone]
    assert not gone.exists() and alive.exists()
    with store_directory(1 << 20) as made:
        assert made.is_dir() and made.name.startswith(f"ttkg-answers-{os.getpid()}-")
    assert not made.exists()
