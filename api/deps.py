"""FastAPI dependencies as Annotated aliases: the open backend and settings.

They are `async def` because they do no I/O and no real work: FastAPI runs a plain `def`
dependency in the thread pool, one more thread hop per dependency per request."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request

from ttkg.core.settings import Settings
from ttkg.graph.backends.contract import Filters, GraphBackend
from ttkg.queries.common import make_filters

__all__ = ["BackendDep", "FiltersDep", "SettingsDep"]


async def get_backend(request: Request) -> GraphBackend:
    backend: GraphBackend = request.app.state.backend
    return backend


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_filters(
    year_from: Annotated[
        int | None, Query(ge=1790, le=2100, description="First grant year")
    ] = None,
    year_to: Annotated[int | None, Query(ge=1790, le=2100, description="Last grant year")] = None,
    country: Annotated[
        str | None, Query(pattern="^[A-Za-z]{2}$", description="Organisation country, ISO alpha-2")
    ] = None,
    kind: Annotated[
        list[str] | None, Query(max_length=7, description="Organisation kinds (repeatable)")
    ] = None,
) -> Filters:
    return make_filters(year_from, year_to, country, kind)


BackendDep = Annotated[GraphBackend, Depends(get_backend)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
FiltersDep = Annotated[Filters, Depends(get_filters)]
