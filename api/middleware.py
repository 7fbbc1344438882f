"""Request limits and the JSON access log as one pure ASGI middleware.

Pure ASGI rather than Starlette's `BaseHTTPMiddleware` (`@app.middleware("http")`), which runs
every request in an extra task behind a memory stream: measured, that cost more CPU per
request than the lighter queries themselves.
"""

from __future__ import annotations

import json
import logging
import os
import time
from datetime import UTC, datetime

from starlette.datastructures import URL
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ttkg.api.problems import problem

__all__ = ["MAX_URL_CHARS", "LimitsAndAccessLog"]

access_log = logging.getLogger("ttkg.access")
log = logging.getLogger(__name__)

MAX_URL_CHARS = 8192


class LimitsAndAccessLog:
    """Refuse request bodies over `max_request_bytes` (413; by Content-Length, or by reading at
    most the limit plus one chunk of a chunked body) and URLs over 8192 characters (414);
    answer an unexpected exception with a plain 500 problem; log one JSON object per request
    (time the request began, UTC; method, path, status, ms, client; never the query string;
    and the serving process's pid, which tells `ttkg serve --workers N`'s workers apart) on
    the `ttkg.access` logger."""

    def __init__(self, app: ASGIApp, max_request_bytes: int) -> None:
        self.app = app
        self.max_request_bytes = max_request_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        began, started = time.time(), time.perf_counter()
        url = URL(scope=scope)
        status = 0

        async def send_and_note_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            too_large, receive = await self._read_limited(scope, receive)
            if too_large:
                limit = self.max_request_bytes
                detail = f"request bodies are limited to {limit} bytes"
                response = problem(Request(scope), 413, "Request too large", detail)
                await response(scope, receive, send_and_note_status)
            elif len(str(url)) > MAX_URL_CHARS:
                detail = f"request URIs are limited to {MAX_URL_CHARS} characters"
                response = problem(Request(scope), 414, "URI too long", detail)
                await response(scope, receive, send_and_note_status)
            else:
                await self.app(scope, receive, send_and_note_status)
        except Exception:  # answered here so that the access log records the 500 too
            log.exception("unexpected error on %s", url.path)
            if status:  # the answer had begun: nothing better than to close the connection
                raise
            detail = "the server could not answer this request"
            await problem(Request(scope), 500, "Internal error", detail)(
                scope, receive, send_and_note_status
            )
        finally:  # one line per request, however it ended
            if access_log.isEnabledFor(logging.INFO):
                client = scope.get("client")
                entry = {
                    "time": _utc(began),
                    "method": scope["method"],
                    "path": url.path,
                    "status": status,
                    "ms": round((time.perf_counter() - started) * 1000, 2),
                    "client": client[0] if client else None,
                    "pid": os.getpid(),
                }
                access_log.info(json.dumps(entry))

    async def _read_limited(self, scope: Scope, receive: Receive) -> tuple[bool, Receive]:
        """Whether the body is over the limit, and the `receive` the application should use
        (one that replays what was read here first)."""
        length = _header(scope, b"content-length")
        if length is not None:
            valid = length.isascii() and length.isdigit()
            return not valid or int(length) > self.max_request_bytes, receive
        if _header(scope, b"transfer-encoding") is None:
            return False, receive
        read: list[Message] = []
        size = 0
        while True:
            message = await receive()
            read.append(message)
            if message["type"] != "http.request":
                break
            size += len(message.get("body", b""))
            if size > self.max_request_bytes:
                return True, receive
            if not message.get("more_body", False):
                break

        async def replay() -> Message:
            return read.pop(0) if read else await receive()

        return False, replay


def _utc(seconds: float) -> str:
    """A Unix time as ISO 8601 UTC to the millisecond: '2026-12-04T13:54:17.123Z'."""
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="milliseconds")[:-6] + "Z"


def _header(scope: Scope, name: bytes) -> str | None:
    """The first value of a header (names in ASGI scopes are lower-case)."""
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None
