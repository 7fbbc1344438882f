"""FastAPI dependencies as Annotated aliases: the open backend and settings.

They are `async def` because they do no I/O and no real work: FastAPI runs a plain `def`
dependency in the thread pool, one more thread hop per dependency per request."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from ttkg.api.serving import BACKEND_KEY
from ttkg.core.errors import InvalidQueryError
from ttkg.core.settings import Settings
from ttkg.graph.backends.contract import Filters, GraphBackend
from ttkg.queries.common import make_filters
from ttkg.queries.themes import ThemeTable, default_themes, load_themes

__all__ = [
    "BackendDep",
    "Countries",
    "Kinds",
    "OrgFiltersDep",
    "PairFiltersDep",
    "PartnerFiltersDep",
    "SettingsDep",
    "ThemesDep",
    "Years",
    "known_parameters_only",
]


async def get_backend(request: Request) -> GraphBackend:
    """The backend this request answers from, taken once at its start and held to its end
    (`HoldGraph`): a graph version swapped in meanwhile serves the next requests
    (api/serving.py)."""
    backend: GraphBackend = request.scope[BACKEND_KEY]
    return backend


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


@functools.cache
def _themes(path: Path | None) -> ThemeTable:
    return load_themes(path) if path else default_themes()


async def get_themes(request: Request) -> ThemeTable:
    """The themes table every field parameter reads: the bundled one, with the settings'
    file (TTKG_THEMES) over it, read once."""
    settings: Settings = request.app.state.settings
    return _themes(settings.themes)


Years = Annotated[
    str | None,
    Query(
        max_length=9,
        description="Grant years, inclusive: 2010-2020, 2015-, -2020 or 2018",
        examples=["2010-2020"],
    ),
]
Countries = Annotated[
    list[str] | None,
    Query(
        max_length=100,
        description="ISO 3166-1 alpha-2 codes or country groups (OIC, EU27, OECD, G7, G20, "
        "BRICS, ASEAN, GCC, ARAB_LEAGUE, AFRICAN_UNION, UN M49 regions by name or M49:145); "
        "several: repeat the parameter or comma-separate (SA,MY); any of them matches",
    ),
]
Kinds = Annotated[
    list[str] | None,
    Query(
        max_length=7,
        description="Organisation kinds (university, company, government, hospital, nonprofit, "
        "individual, other); repeat or comma-separate",
    ),
]

Level = Annotated[
    str | None,
    Query(
        max_length=20,
        description="organization (default: each organisation counts) or family (a company "
        "group, a university system with its campuses, boards and transfer offices, the US "
        "government count as one, their head standing for them); echoed in filters.level",
        examples=["family"],
    ),
]


async def get_pair_filters(
    years: Years = None,
    country: Countries = None,
    kind: Kinds = None,
    partner_country: Countries = None,
    partner_kind: Kinds = None,
    level: Level = None,
) -> Filters:
    """Filters of a pair query: the organisation side and the partner side, and the level."""
    return make_filters(years, country, kind, partner_country, partner_kind, level)


async def get_org_filters(
    years: Years = None, country: Countries = None, kind: Kinds = None, level: Level = None
) -> Filters:
    """Filters of the organisations (or families) counted."""
    return make_filters(years, country, kind, level=level)


async def get_partner_filters(
    years: Years = None,
    partner_country: Countries = None,
    partner_kind: Kinds = None,
    level: Level = None,
) -> Filters:
    """Filters of an organisation's partners, and the level."""
    return make_filters(
        years, partner_country=partner_country, partner_kind=partner_kind, level=level
    )


def _query_names(dependant: Dependant) -> set[str]:
    """The query parameters a route takes, its dependencies' included."""
    names = {p.alias for p in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


async def known_parameters_only(request: Request) -> None:
    """A query parameter the route does not take is an error naming it and the valid ones:
    a misspelt filter must never be silently ignored."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    # found once per route (the walk over its dependencies is not free), kept by the app
    state = request.app.state
    known: dict[int, frozenset[str]] | None = getattr(state, "route_parameters", None)
    if known is None:
        known = state.route_parameters = {}
    valid = known.get(id(route))
    if valid is None:
        valid = known[id(route)] = frozenset(_query_names(route.dependant))
    unknown = sorted(set(request.query_params) - valid)
    if unknown:
        raise InvalidQueryError(
            f"unknown query parameter(s) {', '.join(unknown)}; "
            f"valid: {', '.join(sorted(valid)) or 'none'}"
        )


BackendDep = Annotated[GraphBackend, Depends(get_backend)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
ThemesDep = Annotated[ThemeTable, Depends(get_themes)]
PairFiltersDep = Annotated[Filters, Depends(get_pair_filters)]
OrgFiltersDep = Annotated[Filters, Depends(get_org_filters)]
PartnerFiltersDep = Annotated[Filters, Depends(get_partner_filters)]
