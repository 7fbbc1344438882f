"""Limits and headers of the API, mostly against a real `ttkg serve` process: request size
limits (with and without Content-Length), URI limits, CORS off by default and configurable,
no stack traces in responses, structured JSON access logs."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.servers import HOST, LiveServer, start_serve, stop, wait_until
from ttkg.core.model import EdgeType
from ttkg.graph.artifact import Artifact
from ttkg.graph.indexing import INDEX_DIR
from ttkg.graph.indexing.edge_props import EDGES_DIR

PROBLEM = "application/problem+json"
LIMIT = 16_384  # Settings.max_request_bytes default


def _raw_get(url: str, target: str) -> bytes:
    """Send `GET target` on a plain socket (HTTP clients refuse such URLs); the status line."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        # the server may answer and close before reading everything
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(f"GET {target} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
        return sock.makefile("rb").readline()


def _start(
    graph: Path, log: Path, extra_env: dict[str, str] | None = None
) -> tuple[subprocess.Popen[bytes], str]:
    """`ttkg serve` on loopback over `graph` (settings from the environment), once it answers."""
    env = dict(os.environ, TTKG_GRAPH=str(graph), **(extra_env or {}))
    return start_serve(["--host", HOST], env, log)


def _problem(r: httpx.Response, status: int) -> dict[str, object]:
    assert r.status_code == status, r.text[:300]
    assert r.headers["content-type"] == PROBLEM
    body: dict[str, object] = r.json()
    assert body["status"] == status
    return body


# -- request size ------------------------------------------------------------------------------


def test_body_over_the_limit_is_413(live_server: LiveServer) -> None:
    r = httpx.request("GET", f"{live_server.url}/health", content=b"x" * (LIMIT + 1))
    assert "limited to 16384 bytes" in str(_problem(r, 413)["detail"])
    r = httpx.request("GET", f"{live_server.url}/health", content=b"x" * 100)
    assert r.status_code == 200  # a small body is tolerated (and ignored)


def test_chunked_body_without_content_length_is_limited_too(live_server: LiveServer) -> None:
    def chunks(n: int) -> Iterator[bytes]:
        for _ in range(n):
            yield b"y" * 4096

    with httpx.Client(base_url=live_server.url, timeout=30) as client:
        request = client.build_request("GET", "/health", content=chunks(16))
        assert "content-length" not in request.headers
        assert request.headers["transfer-encoding"] == "chunked"
        _problem(client.send(request), 413)
    with httpx.Client(base_url=live_server.url, timeout=30) as client:
        small = client.build_request("GET", "/health", content=chunks(2))
        assert client.send(small).status_code == 200
    assert httpx.get(f"{live_server.url}/health").status_code == 200


def test_uri_limits(live_server: LiveServer) -> None:
    url = f"{live_server.url}/entities"
    # a name longer than any name: refused by validation
    _problem(httpx.get(url, params={"q": "a" * 301}), 422)
    # past the application's URI limit: 414
    body = _problem(httpx.get(url, params={"q": "a" * 9000}), 414)
    assert "8192" in str(body["detail"])
    # a megabyte of query string never reaches the application: the HTTP layer refuses it
    # after reading a bounded amount (16 KiB, api/http_protocol.py), and the server carries on
    assert _raw_get(live_server.url, "/entities?q=" + "a" * (1 << 20)).startswith(b"HTTP/1.1 400")
    # repeated parameters are capped too
    many: dict[str, list[str]] = {"q": ["Samsung"], "label": ["Organization"] * 50}
    _problem(httpx.get(url, params=many), 422)
    assert httpx.get(f"{live_server.url}/health").status_code == 200


def test_request_heads_are_bounded(live_server: LiveServer) -> None:
    """A head over 16 KiB is refused by the HTTP layer however it is made: one huge header,
    many small ones, a URL; a head under the bound is answered; the server carries on."""
    host, port = live_server.url.removeprefix("http://").split(":")

    def status(headers: str, target: str = "/health") -> bytes:
        with socket.create_connection((host, int(port)), timeout=30) as sock:
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                sock.sendall(f"GET {target} HTTP/1.1\r\nHost: {host}\r\n{headers}\r\n".encode())
            return sock.makefile("rb").readline()

    assert status("X-Big: " + "a" * (1 << 20) + "\r\n").startswith(b"HTTP/1.1 400")
    many = "".join(f"X-H{i}: {'b' * 60}\r\n" for i in range(2000))
    assert status(many).startswith(b"HTTP/1.1 400")
    assert status("X-Fine: " + "c" * 8000 + "\r\n").startswith(b"HTTP/1.1 200")
    assert httpx.get(f"{live_server.url}/health").status_code == 200


def test_every_operation_documents_the_limit_answers(live_server: LiveServer) -> None:
    """413 and 414 can answer any request: the OpenAPI document says so for every operation,
    with the problem+json body they have."""
    doc = httpx.get(f"{live_server.url}/openapi.json").json()
    operations = [op for ops in doc["paths"].values() for op in ops.values()]
    # health, entity search and detail, the four queries, overview, flows and brokers
    assert len(operations) == 10
    assert {"/flows", "/brokers", "/bridges", "/paths", "/health"} <= set(doc["paths"])
    for op in operations:
        for status in ("413", "414"):
            content = op["responses"][status]["content"]
            assert PROBLEM in content  # documented as the other problems are
            assert content["application/json"]["schema"] == {"$ref": "#/components/schemas/Problem"}


# -- CORS ----------------------------------------------------------------------------------------


def test_cors_is_off_by_default(live_server: LiveServer) -> None:
    origin = {"Origin": "https://elsewhere.example"}
    r = httpx.get(f"{live_server.url}/health", headers=origin)
    assert r.status_code == 200
    assert not [h for h in r.headers if h.startswith("access-control-")]
    preflight = httpx.options(
        f"{live_server.url}/health",
        headers={**origin, "Access-Control-Request-Method": "GET"},
    )
    assert preflight.status_code == 405
    assert not [h for h in preflight.headers if h.startswith("access-control-")]


@pytest.mark.slow
def test_cors_origins_from_the_environment(sample_graph: Path, tmp_path: Path) -> None:
    allowed = "https://app.example.org"
    env = {"TTKG_CORS_ORIGINS": f"{allowed}, https://other.example.org"}
    proc, url = _start(sample_graph, tmp_path / "serve.log", env)
    try:
        r = httpx.get(f"{url}/health", headers={"Origin": allowed})
        assert r.headers["access-control-allow-origin"] == allowed
        r = httpx.get(f"{url}/health", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in r.headers
        r = httpx.options(
            f"{url}/bridges",
            headers={"Origin": allowed, "Access-Control-Request-Method": "GET"},
        )
        assert r.status_code == 200
        assert r.headers["access-control-allow-origin"] == allowed
        assert "GET" in r.headers["access-control-allow-methods"]
        r = httpx.options(
            f"{url}/bridges",
            headers={"Origin": allowed, "Access-Control-Request-Method": "DELETE"},
        )
        assert r.status_code == 400  # only GET is ever allowed
    finally:
        stop(proc)


# -- errors and logs ---------------------------------------------------------------------------


@pytest.mark.slow
def test_internal_error_is_a_plain_500_without_stack_trace(
    sample_graph: Path, tmp_path: Path
) -> None:
    """A real internal failure: the BROADER edge table (its rows are read lazily, when an
    edge is shown) is damaged on disk after the server started. The graph is one whose index
    has no mapped copy of the edge properties (`index/edges/`, as built before it), so that
    they are read from that Parquet table, a row group at a time."""
    graph = tmp_path / "graph"
    shutil.copytree(sample_graph, graph)
    shutil.rmtree(Artifact.open(graph).path / INDEX_DIR / EDGES_DIR)
    log = tmp_path / "serve.log"
    proc, url = _start(graph, log)
    try:
        table = Artifact.open(graph).path / "edges" / f"{EdgeType.BROADER.value}.parquet"
        assert table.is_file()
        table.write_bytes(b"PAR1 this is not a parquet file any more")
        r = httpx.get(f"{url}/entities/cpc:H01L21/02")
        body = _problem(r, 500)
        assert body == {
            "type": "about:blank",
            "title": "Internal error",
            "status": 500,
            "detail": "the server could not answer this request",
            "instance": "/entities/cpc:H01L21/02",
        }
        for leak in ("Traceback", 'File "', "parquet", "arrow", str(graph)):
            assert leak.lower() not in r.text.lower()
        assert httpx.get(f"{url}/health").status_code == 200  # still serving

        def logged() -> list[dict[str, Any]]:
            """The access log's entries for the failed request (none until it is written)."""
            lines = log.read_text(errors="replace").splitlines()
            entries = [json.loads(x) for x in lines if x.startswith("{")]
            return [e for e in entries if e["path"] == "/entities/cpc:H01L21/02"]

        entries = wait_until(logged, 10, what="the failed request's access log entry")
        assert {"path": "/entities/cpc:H01L21/02", "status": 500} in [
            {"path": e["path"], "status": e["status"]} for e in entries
        ]
    finally:
        stop(proc)


def test_access_log_is_one_json_object_per_request(live_server: LiveServer) -> None:
    marker = f"/entities/no-such-entity-{time.monotonic_ns()}"
    before = datetime.now(UTC)
    assert httpx.get(f"{live_server.url}{marker}", params={"limit": 2}).status_code == 404
    after = datetime.now(UTC)
    httpx.get(f"{live_server.url}/health")

    def mine() -> list[dict[str, Any]]:
        entries = []
        for line in live_server.log_lines():
            if line.startswith("{"):
                entries.append(json.loads(line))  # every JSON-looking line parses
        return [e for e in entries if e["path"] == marker]

    found = wait_until(mine, 5, what=f"the access log entry of {marker}")
    assert len(found) == 1
    entry = found[0]
    assert set(entry) == {"time", "method", "path", "status", "ms", "client", "pid"}
    assert (entry["method"], entry["status"], entry["client"]) == ("GET", 404, "127.0.0.1")
    # when the request began (UTC, to the millisecond) and which process answered: the server
    began = datetime.fromisoformat(entry["time"])
    assert entry["time"].endswith("Z") and before - timedelta(milliseconds=1) <= began <= after
    assert isinstance(entry["pid"], int) and entry["pid"] != os.getpid()
    assert Path(f"/proc/{entry['pid']}").exists()  # the serving process, still running
    assert isinstance(entry["ms"], int | float) and entry["ms"] >= 0
    assert "limit=2" not in json.dumps(entry)  # query strings (user input) are not logged
