"""The limits-and-access-log ASGI middleware, in-process: around a small real Starlette app
that reads request bodies (the graph API itself reads none), and around the API."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, StreamingResponse
from starlette.routing import Route

from ttkg.api.app import create_app
from ttkg.api.middleware import MAX_URL_CHARS, LimitsAndAccessLog
from ttkg.core.settings import Settings
from ttkg.graph.backends.contract import GraphBackend

LIMIT = 1000
PROBLEM = "application/problem+json"


async def _echo(request: Request) -> JSONResponse:
    body = await request.body()
    return JSONResponse({"size": len(body), "sha256": hashlib.sha256(body).hexdigest()})


async def _fail(request: Request) -> PlainTextResponse:
    raise RuntimeError("a bug, not for the client's eyes")


async def _fail_midway(request: Request) -> StreamingResponse:
    async def parts() -> AsyncIterator[bytes]:
        yield b"first part"
        raise RuntimeError("broken while streaming")

    return StreamingResponse(parts())


_calls: list[str] = []


async def _counted(request: Request) -> PlainTextResponse:
    _calls.append(request.url.path)
    return PlainTextResponse("ok")


def _app() -> Starlette:
    """Mounted as the API mounts it: inside Starlette's outermost ServerErrorMiddleware."""
    routes = [
        Route("/echo", _echo, methods=["GET", "POST"]),
        Route("/fail", _fail),
        Route("/fail-midway", _fail_midway),
        Route("/counted", _counted, methods=["POST"]),
    ]
    middleware = [Middleware(LimitsAndAccessLog, max_request_bytes=LIMIT)]
    return Starlette(routes=routes, middleware=middleware)


def _send(request: httpx.Request, raise_app_exceptions: bool = True) -> httpx.Response:
    """Send through httpx's ASGI transport, which hands a streamed body to the application in
    several `http.request` messages, as a server does with a chunked body."""

    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(_app(), raise_app_exceptions=raise_app_exceptions)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            response = await c.send(request)
            await response.aread()
            return response

    return asyncio.run(go())


def _parts(n: int, size: int) -> list[bytes]:
    return [bytes([65 + i % 26]) * size for i in range(n)]


async def _chunks(n: int, size: int) -> AsyncIterator[bytes]:
    for part in _parts(n, size):
        yield part


@pytest.fixture
def access(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.INFO, logger="ttkg.access")
    return caplog


def _entries(caplog: pytest.LogCaptureFixture) -> list[dict[str, object]]:
    return [json.loads(r.getMessage()) for r in caplog.records if r.name == "ttkg.access"]


def test_a_chunked_body_under_the_limit_reaches_the_app_whole(
    access: pytest.LogCaptureFixture,
) -> None:
    body = b"".join(_parts(4, 200))
    request = httpx.Request("POST", "http://testserver/echo", content=_chunks(4, 200))
    assert "content-length" not in request.headers
    r = _send(request)
    assert r.status_code == 200
    assert r.json() == {"size": 800, "sha256": hashlib.sha256(body).hexdigest()}
    assert [(e["path"], e["status"]) for e in _entries(access)] == [("/echo", 200)]


def test_a_chunked_body_over_the_limit_is_413_and_the_app_never_runs(
    access: pytest.LogCaptureFixture,
) -> None:
    _calls.clear()
    r = _send(httpx.Request("POST", "http://testserver/counted", content=_chunks(6, 200)))
    assert r.status_code == 413
    assert r.headers["content-type"] == PROBLEM
    assert r.json()["detail"] == f"request bodies are limited to {LIMIT} bytes"
    assert r.json()["instance"] == "/counted"
    assert _calls == []
    assert [(e["path"], e["status"]) for e in _entries(access)] == [("/counted", 413)]


def test_content_length_decides_without_reading(access: pytest.LogCaptureFixture) -> None:
    _calls.clear()
    over = _send(httpx.Request("POST", "http://testserver/counted", content=b"x" * (LIMIT + 1)))
    assert over.status_code == 413 and _calls == []
    at_limit = _send(httpx.Request("POST", "http://testserver/echo", content=b"x" * LIMIT))
    assert at_limit.json()["size"] == LIMIT
    assert [e["status"] for e in _entries(access)] == [413, 200]


def test_an_unexpected_error_is_a_plain_500_and_logged(
    access: pytest.LogCaptureFixture,
) -> None:
    r = _send(httpx.Request("GET", "http://testserver/fail"))
    assert r.status_code == 500
    assert r.json() == {
        "type": "about:blank",
        "title": "Internal error",
        "status": 500,
        "detail": "the server could not answer this request",
        "instance": "/fail",
    }
    assert "client's eyes" not in r.text
    errors = [rec for rec in access.records if rec.name == "ttkg.api.middleware"]
    assert len(errors) == 1 and errors[0].exc_info is not None  # the traceback goes to the log
    assert [(e["path"], e["status"]) for e in _entries(access)] == [("/fail", 500)]


def test_an_error_after_the_answer_began_is_not_answered_twice(
    access: pytest.LogCaptureFixture,
) -> None:
    with pytest.raises(RuntimeError, match="broken while streaming"):
        _send(httpx.Request("GET", "http://testserver/fail-midway"))
    # the status already sent is the one logged
    assert [(e["path"], e["status"]) for e in _entries(access)] == [("/fail-midway", 200)]


def test_no_access_log_work_when_the_logger_is_off(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="ttkg.access")
    assert _send(httpx.Request("GET", "http://testserver/echo")).status_code == 200
    assert _entries(caplog) == []


@pytest.fixture(scope="module")
def api(memory_backend: GraphBackend) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(), backend=memory_backend)) as c:
        yield c


def test_the_api_logs_every_answer_once_without_query_strings(
    api: TestClient, access: pytest.LogCaptureFixture
) -> None:
    before = datetime.now(UTC)
    assert api.get("/entities", params={"q": "Samsung", "limit": 2}).status_code == 200
    assert api.get("/entities/no-such-entity-anywhere").status_code == 404
    assert api.get("/entities", params={"q": "a" * MAX_URL_CHARS}).status_code == 414
    assert api.get("/bridges", params={"field_a": "8"}).status_code == 422
    entries = _entries(access)
    assert [(e["method"], e["path"], e["status"]) for e in entries] == [
        ("GET", "/entities", 200),
        ("GET", "/entities/no-such-entity-anywhere", 404),
        ("GET", "/entities", 414),
        ("GET", "/bridges", 422),
    ]
    for e in entries:
        assert set(e) == {"time", "method", "path", "status", "ms", "client", "pid"}
        assert isinstance(e["ms"], float) and e["ms"] >= 0
        assert e["pid"] == os.getpid()  # the process that answered: a worker of several
        assert isinstance(e["time"], str) and e["time"].endswith("Z")
        began = datetime.fromisoformat(e["time"])  # UTC, to the millisecond
        assert before - timedelta(milliseconds=1) <= began <= datetime.now(UTC)
    assert [e["time"] for e in entries] == sorted(e["time"] for e in entries)
    assert "Samsung" not in json.dumps(entries)


def test_the_lifespan_passes_through(sample_graph: Path) -> None:
    """Non-HTTP scopes (the lifespan) reach the app: the backend opens at start-up."""
    with TestClient(create_app(Settings(graph=sample_graph))) as c:
        r = c.get("/health")
        assert r.status_code == 200 and r.json()["backend"] == "memory"
