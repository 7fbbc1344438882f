"""FastAPI application factory: read-only graph API with OpenAPI docs at /docs."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from ttkg.api.allocator import limit_malloc_arenas
from ttkg.api.caching import AnswerCache
from ttkg.api.docs_pages import install_docs
from ttkg.api.explorer import install_explorer
from ttkg.api.middleware import LimitsAndAccessLog
from ttkg.api.problems import LIMIT_RESPONSES, install_problem_handlers
from ttkg.api.routes import cooperation, entities, explore, health, queries
from ttkg.api.serving import HoldGraph, ServedGraph, reload_on_signal_and_watch
from ttkg.api.shared_answers import SharedAnswers
from ttkg.api.threads import in_thread, query_threads
from ttkg.core.settings import Settings
from ttkg.graph.backends.contract import GraphBackend
from ttkg.graph.backends.registry import open_backend
from ttkg.queries.resolve import warm_up_search
from ttkg.queries.warm import warm_up_queries

__all__ = ["create_app"]


def create_app(settings: Settings | None = None, backend: GraphBackend | None = None) -> FastAPI:
    """The API over `backend` (or the one `settings` select, opened at start-up)."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = backend is None
        if settings.malloc_arenas:  # before the query threads start
            limit_malloc_arenas(settings.malloc_arenas)
        opened = backend if backend is not None else open_backend(settings)
        # CPU-bound in-process queries contend for the GIL: few threads serve them best;
        # a Neo4j backend mostly waits on the network and can use many
        threads = settings.threads or (4 if opened.name == "memory" else 40)
        executor = query_threads(threads)
        await in_thread(_warm, opened, settings)
        # an embedded graph the app opened itself moves to newly built versions
        served = app.state.graph = ServedGraph(
            opened,
            reopen=_reopen(settings) if owned and opened.name == "memory" else None,
            graph_dir=settings.graph,
            freeze_gc=settings.gc_freeze,
        )
        del opened  # this frame lives as long as the app: it must not hold a replaced version
        served.settle()
        try:
            async with reload_on_signal_and_watch(served, settings.watch):
                yield
        finally:
            if owned:
                served.close()
            executor.shutdown(wait=False)

    app = FastAPI(
        title="ttkg graph API",
        summary="Institutions, patents, countries and technology fields, with evidence.",
        description="Read-only API over the ttkg knowledge graph. Every answer carries the "
        "patents behind it. Errors are application/problem+json.",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,  # served offline by install_docs
        redoc_url=None,
    )
    app.state.settings = settings
    install_problem_handlers(app)
    install_docs(app)
    install_explorer(app)
    # added first: innermost; answers of the version a request holds (api/caching.py)
    app.add_middleware(AnswerCache, max_bytes=settings.cache_mb << 20, shared=_shared(settings))
    # each request holds the graph version it began with to its end
    app.add_middleware(HoldGraph)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET"],
            allow_headers=["Accept"],
        )

    # added last: outermost, so that it logs and limits every request, CORS preflights too
    app.add_middleware(LimitsAndAccessLog, max_request_bytes=settings.max_request_bytes)
    for routes in (health, entities, queries, cooperation, explore):
        app.include_router(routes.router, responses=LIMIT_RESPONSES)
    return app


def _shared(settings: Settings) -> SharedAnswers | None:
    """The answers this server's worker processes share, when `ttkg serve` made a store."""
    if settings.shared_cache is None or not settings.cache_mb:
        return None
    return SharedAnswers(settings.shared_cache, settings.cache_mb << 20)


def _reopen(settings: Settings) -> Callable[[], GraphBackend]:
    """Opens the graph's current version, warmed up, for a reload."""

    def reopen() -> GraphBackend:
        opened = open_backend(settings)
        _warm(opened, settings)
        return opened

    return reopen


def _warm(opened: GraphBackend, settings: Settings) -> None:
    """Build the lazy indexes now, not inside the first requests; over the embedded graph,
    also ask the warm-up questions (a cold process, not a database's)."""
    opened.warm_up()
    warm_up_search(opened)
    if settings.warm_up_s and opened.name == "memory":
        warm_up_queries(opened, settings.warm_up_s)
