"""The path questions: bridges between fields, paths between entities, partners, profiles.

Handlers are `async def` and hand their query to the thread pool themselves, once: a plain `def`
handler also costs FastAPI a second trip through the pool to validate its return value."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from ttkg.api.deps import (
    BackendDep,
    Level,
    OrgFiltersDep,
    PairFiltersDep,
    PartnerFiltersDep,
    SettingsDep,
    ThemesDep,
    known_parameters_only,
)
from ttkg.api.formats import FILE_AND_RDF_RESPONSES, FILE_RESPONSES, file_response
from ttkg.api.problems import PROBLEM_RESPONSES
from ttkg.api.threads import in_thread
from ttkg.queries.bridges import bridges
from ttkg.queries.common import DEFAULT_EVIDENCE, MAX_EVIDENCE, MAX_LIMIT, MAX_OFFSET
from ttkg.queries.models import BridgesResult, FieldProfile, PartnersResult, PathsResult
from ttkg.queries.partners import partners
from ttkg.queries.paths import MAX_HOPS, MAX_K, paths
from ttkg.queries.profile import field_profile

router = APIRouter(
    tags=["queries"],
    responses=PROBLEM_RESPONSES,
    dependencies=[Depends(known_parameters_only)],
)

FieldParam = Annotated[
    str,
    Query(
        min_length=1,
        max_length=300,
        description="WIPO field name or number, sector, CPC symbol, or OpenAlex domain, field, "
        "subfield or topic (name or id such as openalex:field:25); or a theme (AI, health...) "
        "or several fields or themes comma-separated (H01L,Optics), counted as their union",
    ),
]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]
EvidenceCap = Annotated[int, Query(ge=0, le=MAX_EVIDENCE, description="Evidence patents per item")]


@router.get(
    "/bridges",
    response_model=BridgesResult,
    responses=FILE_AND_RDF_RESPONSES,
    summary="Organisations and partnerships connecting two fields (technology or research)",
)
async def get_bridges(
    request: Request,
    backend: BackendDep,
    themes: ThemesDep,
    filters: PairFiltersDep,
    field_a: FieldParam,
    field_b: FieldParam,
    min_evidence: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    limit: Limit = 10,
    offset: Offset = 0,
    evidence: EvidenceCap = DEFAULT_EVIDENCE,
    by_year: Annotated[bool, Query(description="counted patents per grant year")] = False,
) -> BridgesResult | Response:
    def answer() -> BridgesResult | Response:
        result = bridges(
            backend,
            field_a,
            field_b,
            filters,
            min_evidence=min_evidence,
            limit=limit,
            offset=offset,
            evidence=evidence,
            by_year=by_year,
            themes=themes,
        )
        return file_response(request, backend, result, "bridges") or result

    return await in_thread(answer)


@router.get(
    "/paths",
    response_model=PathsResult,
    responses=FILE_AND_RDF_RESPONSES,
    summary="The k shortest paths between two entities, with evidence per hop",
)
async def get_paths(
    request: Request,
    backend: BackendDep,
    settings: SettingsDep,
    source: Annotated[str, Query(min_length=1, max_length=300)],
    target: Annotated[str, Query(min_length=1, max_length=300)],
    max_hops: Annotated[int, Query(ge=1, le=MAX_HOPS)] = 4,
    via: Annotated[
        list[str] | None,
        Query(max_length=16, description="Relations to walk (default: all but CO_AUTHORED)"),
    ] = None,
    k: Annotated[int, Query(ge=1, le=MAX_K)] = 3,
    evidence: EvidenceCap = DEFAULT_EVIDENCE,
    level: Level = None,
) -> PathsResult | Response:
    def answer() -> PathsResult | Response:
        result = paths(
            backend,
            source,
            target,
            max_hops=max_hops,
            via=via,
            k=k,
            time_budget=settings.path_time_budget_s,
            evidence=evidence,
            level=level,
        )
        return file_response(request, backend, result, "paths") or result

    return await in_thread(answer)


@router.get(
    "/organizations/{organization}/partners",
    response_model=PartnersResult,
    responses=FILE_RESPONSES,
    summary="Co-owners of an organisation, with co-owned patents",
)
async def get_partners(
    request: Request,
    backend: BackendDep,
    themes: ThemesDep,
    filters: PartnerFiltersDep,
    organization: Annotated[str, Path(min_length=1, max_length=300)],
    field: Annotated[
        str | None,
        Query(max_length=300, description="a field, a theme, or several comma-separated"),
    ] = None,
    limit: Limit = 20,
    offset: Offset = 0,
    evidence: EvidenceCap = DEFAULT_EVIDENCE,
) -> PartnersResult | Response:
    result = await in_thread(
        partners,
        backend,
        organization,
        field,
        filters,
        limit=limit,
        offset=offset,
        evidence=evidence,
        themes=themes,
    )
    return file_response(request, None, result, "partners") or result


@router.get(
    "/fields/{field:path}/profile",
    response_model=FieldProfile,
    responses=FILE_RESPONSES,
    summary="Top organisations and countries of a field, and co-occurring fields",
)
async def get_profile(
    request: Request,
    backend: BackendDep,
    themes: ThemesDep,
    filters: OrgFiltersDep,
    field: Annotated[str, Path(min_length=1, max_length=300)],
    limit: Limit = 10,
    by_year: Annotated[bool, Query(description="counted patents per grant year")] = False,
) -> FieldProfile | Response:
    result = await in_thread(
        field_profile, backend, field, filters, limit=limit, by_year=by_year, themes=themes
    )
    return file_response(request, None, result, "profile") or result
