"""Routes the web explorer needs beyond the query routes: an organisation at a glance."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response

from ttkg.api.deps import BackendDep, PartnerFiltersDep, known_parameters_only
from ttkg.api.formats import FILE_RESPONSES, file_response
from ttkg.api.problems import PROBLEM_RESPONSES
from ttkg.api.threads import in_thread
from ttkg.queries.organization import OrganizationOverview, organization_overview

router = APIRouter(
    tags=["queries"],
    responses=PROBLEM_RESPONSES,
    dependencies=[Depends(known_parameters_only)],
)


@router.get(
    "/organizations/{organization}/overview",
    response_model=OrganizationOverview,
    responses=FILE_RESPONSES,
    summary="An organisation's patents by year, its fields and its co-owners' countries "
    "(years filter the patents; partner_country and partner_kind the co-owners)",
)
async def get_overview(
    request: Request,
    backend: BackendDep,
    filters: PartnerFiltersDep,
    organization: Annotated[str, Path(min_length=1, max_length=300)],
) -> OrganizationOverview | Response:
    result = await in_thread(organization_overview, backend, organization, filters)
    return file_response(request, None, result, "organization") or result
