"""HTTP caching of the API's answers: a graph version never changes, so an answer is a
function of the version served, the path, the query parameters and the Accept header.

* Every JSON 200 answer of an API route carries `ETag: "<build id>-<digest of the request>"`
  (the digest over the path, the parameters in canonical order and Accept), `Cache-Control:
  no-cache` (a client may keep it but asks again: the server moves to new versions without the
  URL changing) and `Vary: Accept`. A GET whose `If-None-Match` names that tag gets `304 Not
  Modified` at once, before routing: the tag exists only for an answer this version gave.
* A bounded server-side cache (least recently used out, `Settings.cache_mb`) keeps the answers'
  bytes for the version currently served, so a repeated request is answered without routing,
  parameters, query or serialisation; a move to another version empties it, and an answer of
  a version no longer current is neither read from it nor stored. `Cache-Status` (RFC 9211)
  says `ttkg; hit` or `ttkg; fwd=miss`.
* Under `ttkg serve --workers N`, the workers also share the answers (api/shared_answers.py,
  `Settings.shared_cache`): an answer missing from a worker's own cache is looked up there
  before it is computed (`ttkg; hit; detail=shared`), and every answer a worker stores goes
  there too.

Only a graph that cannot change under the server is cached (the embedded backend: a version
directory is written once); Neo4j's data changes under its own control.
"""

from __future__ import annotations

import hashlib
import logging
import urllib.parse
from collections import OrderedDict
from dataclasses import dataclass
from typing import Final

from fastapi.routing import APIRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ttkg.api.serving import BACKEND_KEY, ServedGraph
from ttkg.api.shared_answers import SharedAnswers

__all__ = ["IMMUTABLE_BACKENDS", "AnswerCache", "canonical_query"]

log = logging.getLogger(__name__)

#: Backends whose graph version never changes once built (versions are written once).
IMMUTABLE_BACKENDS: Final = frozenset({"memory"})
#: One answer larger than this share of the cache is not kept (it would evict too many).
ENTRY_SHARE: Final = 16
JSON: Final = b"application/json"


@dataclass(frozen=True, slots=True)
class _Answer:
    headers: list[tuple[bytes, bytes]]
    body: bytes

    @property
    def size(self) -> int:
        return len(self.body) + sum(len(k) + len(v) for k, v in self.headers)


def canonical_query(query_string: bytes) -> tuple[tuple[str, str], ...]:
    """The query parameters as the app reads them (decoded), ordered by name; the values of a
    repeated name keep their order, which a list parameter's answer may depend on.

    >>> canonical_query(b"limit=5&field_b=Optics&country=US&field_a=3&country=CN")
    (('country', 'US'), ('country', 'CN'), ('field_a', '3'), ('field_b', 'Optics'), ('limit', '5'))
    >>> canonical_query(b"q=Tsinghua+University") == canonical_query(b"q=Tsinghua%20University")
    True
    """
    pairs = urllib.parse.parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)
    return tuple(sorted(pairs, key=lambda pair: pair[0]))


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value)
    return None


def _matches(if_none_match: bytes | None, etag: bytes) -> bool:
    """Whether If-None-Match names `etag` (weak comparison, as RFC 9110 says for it). `*` is
    not honoured: it would make a 304 of any request, an invalid one too."""
    if not if_none_match:
        return False
    tags = (t.strip().removeprefix(b"W/") for t in if_none_match.split(b","))
    return etag in tags


class AnswerCache:
    """Pure ASGI middleware, inside `HoldGraph` (it reads the backend a request holds): ETags,
    304s and the bounded cache of answers described in the module's docstring."""

    def __init__(self, app: ASGIApp, max_bytes: int, shared: SharedAnswers | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.shared = shared if max_bytes else None
        self._answers: OrderedDict[tuple[object, ...], _Answer] = OrderedDict()
        self._size = 0
        self._version: str | None = None  # the version whose answers `_answers` holds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        backend = scope.get(BACKEND_KEY) if scope["type"] == "http" else None
        if backend is None or scope["method"] != "GET" or backend.name not in IMMUTABLE_BACKENDS:
            await self.app(scope, receive, send)
            return
        build_id = backend.manifest().get("build_id")
        if build_id is None:  # a graph without a version cannot be told from its successor
            await self.app(scope, receive, send)
            return
        version = str(build_id)
        accept = _header(scope, b"accept") or b""
        key = (version, scope["path"], canonical_query(scope["query_string"]), accept)
        digest = hashlib.blake2b(repr(key[1:]).encode(), digest_size=12).hexdigest()
        etag = f'"{version}-{digest}"'.encode()
        validators = [(b"etag", etag), (b"cache-control", b"no-cache"), (b"vary", b"Accept")]
        if _matches(_header(scope, b"if-none-match"), etag):
            await send({"type": "http.response.start", "status": 304, "headers": validators})
            await send({"type": "http.response.body", "body": b""})
            return
        current = self._current(scope, version)
        stored = self._answers.get(key) if current else None
        status = b"ttkg; hit"
        if stored is not None:
            self._answers.move_to_end(key)
        elif current and self.shared is not None:
            found = self.shared.get(repr(key))
            if found is not None:
                stored = _Answer(*found)
                self._store(key, stored, share=False)
                status = b"ttkg; hit; detail=shared"
        if stored is not None:
            headers = [*stored.headers, (b"cache-status", status)]
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": stored.body})
            return

        keep: list[tuple[bytes, bytes]] | None = None  # the answer's headers, while kept
        body: list[bytes] = []

        async def send_validated(message: Message) -> None:
            nonlocal keep
            if message["type"] == "http.response.start":
                route = scope.get("route")
                headers = list(message.get("headers", []))
                json = any(k == b"content-type" and v.startswith(JSON) for k, v in headers)
                if message["status"] == 200 and isinstance(route, APIRoute) and json:
                    headers += validators
                    keep = headers if current and self.max_bytes else None
                    status = b"ttkg; fwd=miss" + (b"; stored" if keep is not None else b"")
                    message = {**message, "headers": [*headers, (b"cache-status", status)]}
            elif message["type"] == "http.response.body" and keep is not None:
                body.append(message.get("body", b""))
                if not message.get("more_body", False):
                    self._store(key, _Answer(keep, b"".join(body)))
            await send(message)

        await self.app(scope, receive, send_validated)

    def _current(self, scope: Scope, version: str) -> bool:
        """Whether `version` is the one the app serves now (an answer of a replaced version,
        still finishing, is neither read nor stored); a new one empties the cache."""
        served = getattr(scope["app"].state, "graph", None)
        if isinstance(served, ServedGraph) and served.version != version:
            return False
        if version != self._version:
            if self._answers:
                log.info(
                    "graph version %s served: %d cached answers dropped",
                    version,
                    len(self._answers),
                )
            self._answers.clear()
            self._size = 0
            self._version = version
        return True

    def _store(self, key: tuple[object, ...], answer: _Answer, share: bool = True) -> None:
        if answer.size > self.max_bytes // ENTRY_SHARE or key[0] != self._version:
            return
        if share and self.shared is not None:
            self.shared.put(repr(key), answer.headers, answer.body)
        old = self._answers.pop(key, None)
        self._size += answer.size - (old.size if old is not None else 0)
        self._answers[key] = answer
        while self._size > self.max_bytes:
            _, evicted = self._answers.popitem(last=False)
            self._size -= evicted.size
