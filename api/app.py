"""FastAPI application factory: read-only graph API with OpenAPI docs at /docs."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI, Request, Response
from fastapi.middleware.cors import CORSMiddleware

from api.problems import install_problem_handlers, problem
from api.routes import entities, health, queries
from api.settings import Settings
from graph.backend import GraphBackend

__all__ = ["create_app"]

access_log = logging.getLogger("ttkg.access")
log = logging.getLogger(__name__)


def _open(settings: Settings) -> GraphBackend:
    from graph.backends import open_backend

    if settings.backend == "neo4j":
        password = settings.neo4j_password.get_secret_value() if settings.neo4j_password else None
        return open_backend(
            "neo4j",
            uri=settings.neo4j_uri,
            user=settings.neo4j_user,
            password=password,
            database=settings.neo4j_database,
        )
    return open_backend("memory", graph=settings.graph)


async def _body_too_large(request: Request, limit: int) -> bool:
    """Whether the request body exceeds `limit` bytes: by its Content-Length, or, for a body
    sent without one (chunked), by reading at most `limit` + one chunk of it."""
    length = request.headers.get("content-length")
    if length is not None:
        return not length.isdigit() or int(length) > limit
    if "transfer-encoding" not in request.headers:
        return False
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return True
    return False


def _warm_up(backend: GraphBackend) -> None:
    backend.search_prefix("a", limit=1)
    backend.relations([], ())


def create_app(settings: Settings | None = None, backend: GraphBackend | None = None) -> FastAPI:
    """The API over `backend` (or the one `settings` select, opened at start-up)."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = backend is None
        app.state.backend = backend if backend is not None else _open(settings)
        # CPU-bound in-process queries contend for the GIL: few threads serve them best;
        # a Neo4j backend mostly waits on the network and can use many
        threads = settings.threads or (4 if app.state.backend.name == "memory" else 40)
        anyio.to_thread.current_default_thread_limiter().total_tokens = threads
        # build lazy indexes (names, entity graph) now, not inside the first requests
        await anyio.to_thread.run_sync(_warm_up, app.state.backend)
        try:
            yield
        finally:
            if owned:
                app.state.backend.close()

    app = FastAPI(
        title="ttkg graph API",
        summary="Institutions, patents, countries and technology fields, with evidence.",
        description="Read-only API over the ttkg knowledge graph. Every answer carries the "
        "patents behind it. Errors are application/problem+json.",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.settings = settings
    install_problem_handlers(app)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET"],
            allow_headers=["Accept"],
        )

    @app.middleware("http")
    async def limits_and_access_log(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        started = time.perf_counter()
        if await _body_too_large(request, settings.max_request_bytes):
            response: Response = problem(
                request,
                413,
                "Request too large",
                f"request bodies are limited to {settings.max_request_bytes} bytes",
            )
        elif len(str(request.url)) > 8192:
            response = problem(
                request, 414, "URI too long", "request URIs are limited to 8192 characters"
            )
        else:
            try:
                response = await call_next(request)
            except Exception:  # answered here so that the access log records the 500 too
                log.exception("unexpected error on %s", request.url.path)
                response = problem(
                    request, 500, "Internal error", "the server could not answer this request"
                )
        access_log.info(
            json.dumps(
                {
                    "method": request.method,
                    "path": request.url.path,
                    "status": response.status_code,
                    "ms": round((time.perf_counter() - started) * 1000, 2),
                    "client": request.client.host if request.client else None,
                }
            )
        )
        return response

    app.include_router(health.router)
    app.include_router(entities.router)
    app.include_router(queries.router)
    return app
