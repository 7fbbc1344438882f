"""GET /health: liveness plus the graph's manifest (sources, build time, counts).

Handlers are `async def` and hand their query to the thread pool themselves, once: a plain `def`
handler also costs FastAPI a second trip through the pool to validate its return value."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from ttkg.api.deps import BackendDep, known_parameters_only
from ttkg.api.threads import in_thread
from ttkg.graph.backends.contract import GraphBackend

router = APIRouter(tags=["health"], dependencies=[Depends(known_parameters_only)])


class Health(BaseModel):
    """Service status and what graph it serves."""

    status: str
    backend: str
    build_id: str | None
    created: str | None
    sources: dict[str, Any] = Field(
        description="each source with its release as its data states it (release) and files"
    )
    coverage: dict[str, Any] = Field(
        description="grant dates of the patents: first_grant, last_grant, partial_last_year"
    )
    nodes: dict[str, int]
    edges: dict[str, int]


@router.get("/health", response_model=Health, summary="Service status and graph manifest")
async def health(backend: BackendDep) -> Health:
    return await in_thread(_health, backend)


def _health(backend: GraphBackend) -> Health:
    m = backend.manifest()
    return Health(
        status="ok",
        backend=backend.name,
        build_id=m.get("build_id"),
        created=m.get("created"),
        sources=m.get("sources", {}),
        coverage=m.get("coverage", {}),
        nodes=backend.node_counts(),
        edges=backend.edge_counts(),
    )
