"""Cooperation between countries and groups of countries: flows, and who bridges them.

The parameters have the CLI's names: `from`, `to` (countries or groups: OIC, EU27, BRICS...),
`kind`, `partner_kind`, `field` (fields or themes), `theme`, `years`, `by_year`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from ttkg.api.deps import BackendDep, Countries, Kinds, ThemesDep, Years, known_parameters_only
from ttkg.api.formats import FILE_RESPONSES, file_response
from ttkg.api.problems import PROBLEM_RESPONSES
from ttkg.api.threads import in_thread
from ttkg.graph.backends.contract import Filters
from ttkg.queries.brokers import BrokersResult, brokers
from ttkg.queries.common import DEFAULT_EVIDENCE, MAX_EVIDENCE, MAX_LIMIT, make_filters
from ttkg.queries.flows import FLOW_SIDES, FlowsResult, flows

router = APIRouter(
    tags=["cooperation"],
    responses=PROBLEM_RESPONSES,
    dependencies=[Depends(known_parameters_only)],
)

Selections = Annotated[
    list[str] | None,
    Query(
        max_length=20,
        description="Fields or themes: WIPO field name or number, sector, CPC symbol, or a "
        "theme (AI, agriculture, digital security, energy, health...); repeat or comma-separate",
    ),
]
ThemesParam = Annotated[
    list[str] | None,
    Query(
        max_length=20, description="Themes only (an unknown theme is a 422 naming the near ones)"
    ),
]


async def get_flow_filters(
    years: Years = None,
    origin: Annotated[Countries, Query(alias="from")] = None,
    destination: Annotated[Countries, Query(alias="to")] = None,
    kind: Kinds = None,
    partner_kind: Kinds = None,
) -> Filters:
    """The two sides of a flow: `from` and `kind`, `to` and `partner_kind`."""
    return make_filters(years, origin, kind, destination, partner_kind, sides=FLOW_SIDES)


@router.get(
    "/flows",
    response_model=FlowsResult,
    responses=FILE_RESPONSES,
    summary="Co-owned patents between countries or groups, per country pair, field and year",
)
async def get_flows(
    request: Request,
    backend: BackendDep,
    themes: ThemesDep,
    filters: Annotated[Filters, Depends(get_flow_filters)],
    field: Selections = None,
    theme: ThemesParam = None,
    by_year: Annotated[bool, Query(description="Break every count down by year")] = False,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 10,
    evidence: Annotated[int, Query(ge=0, le=MAX_EVIDENCE)] = DEFAULT_EVIDENCE,
) -> FlowsResult | Response:
    def answer() -> FlowsResult:
        return flows(backend, filters, field, theme, themes=themes,
                     by_year=by_year, limit=limit, evidence=evidence)

    result = await in_thread(answer)
    return file_response(request, None, result, "flows") or result


@router.get(
    "/brokers",
    response_model=BrokersResult,
    responses=FILE_RESPONSES,
    summary="Organisations bridging two fields, themes, or countries and groups",
)
async def get_brokers(
    request: Request,
    backend: BackendDep,
    themes: ThemesDep,
    filters: Annotated[Filters, Depends(get_flow_filters)],
    a: Selections = None,
    b: Selections = None,
    field: Selections = None,
    theme: ThemesParam = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 10,
    evidence: Annotated[int, Query(ge=0, le=MAX_EVIDENCE)] = DEFAULT_EVIDENCE,
) -> BrokersResult | Response:
    def answer() -> BrokersResult:
        return brokers(backend, a, b, filters, fields=field, theme=theme,
                       themes=themes, limit=limit, evidence=evidence)

    result = await in_thread(answer)
    return file_response(request, None, result, "brokers") or result
