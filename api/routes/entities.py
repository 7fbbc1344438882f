"""Entity search and lookup.

Handlers are `async def` and hand their query to the thread pool themselves, once: a plain `def`
handler also costs FastAPI a second trip through the pool to validate its return value."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from ttkg.api.deps import BackendDep, known_parameters_only
from ttkg.api.formats import FILE_RESPONSES, file_response
from ttkg.api.problems import PROBLEM_RESPONSES
from ttkg.api.threads import in_thread
from ttkg.core.model import NodeLabel
from ttkg.queries.entity import EntityDetail, entity_detail
from ttkg.queries.models import SearchResult
from ttkg.queries.resolve import search

router = APIRouter(
    prefix="/entities",
    tags=["entities"],
    responses=PROBLEM_RESPONSES,
    dependencies=[Depends(known_parameters_only)],
)


@router.get(
    "",
    response_model=SearchResult,
    responses=FILE_RESPONSES,
    summary="Search entities by name, id or code",
)
async def search_entities(
    request: Request,
    backend: BackendDep,
    q: Annotated[
        str,
        Query(
            min_length=1,
            max_length=300,
            description="Name (exact, prefix or "
            "fuzzy), ROR id, patent number, CPC symbol or ISO code",
        ),
    ],
    label: Annotated[list[NodeLabel] | None, Query(max_length=6)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
    fuzzy: bool = True,
) -> SearchResult | Response:
    result = await in_thread(search, backend, q, label or (), limit, fuzzy)
    return file_response(request, None, result, "search") or result


@router.get(
    "/{entity:path}",
    response_model=EntityDetail,
    summary="One entity with its properties and neighbours",
)
async def get_entity(
    backend: BackendDep,
    entity: Annotated[str, Path(min_length=1, max_length=300, description="Id, name or code")],
    limit: Annotated[int, Query(ge=1, le=500, description="Neighbours per relation type")] = 25,
) -> EntityDetail:
    return await in_thread(entity_detail, backend, entity, limit=limit)
