"""One entity with its properties and neighbours (for `ttkg show` and GET /entities/{id})."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from ttkg.graph.backends.contract import GraphBackend
from ttkg.queries.common import check_page
from ttkg.queries.models import EntityRef
from ttkg.queries.resolve import resolve_entity

__all__ = ["EntityDetail", "NeighborOut", "entity_detail"]


class NeighborOut(BaseModel):
    """An edge at the entity and the entity at its other end."""

    relation: str
    direction: str
    entity: EntityRef
    properties: dict[str, Any]


class EntityDetail(BaseModel):
    """An entity, its stored properties and its first neighbours."""

    entity: EntityRef
    properties: dict[str, Any]
    neighbors: list[NeighborOut]
    limit: int


def entity_detail(backend: GraphBackend, text: str, *, limit: int = 25) -> EntityDetail:
    """Resolve `text` to one entity and list up to `limit` of its edges."""
    check_page(limit, 0, 0)
    node = resolve_entity(backend, text)
    return EntityDetail(
        entity=EntityRef.of(node),
        properties={k: v for k, v in node.props.items() if v not in (None, [], "")},
        neighbors=[
            NeighborOut(
                relation=n.edge_type.value,
                direction=n.direction,
                entity=EntityRef.of(n.node),
                properties={k: v for k, v in n.props.items() if v is not None},
            )
            for n in backend.neighbors(node.id, limit)
        ],
        limit=limit,
    )
