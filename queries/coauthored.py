"""Co-authored works between two sides of countries or groups: the works half of flows.

A work is co-authored by two organisations when both are among its authorships'
organisations (AUTHORED_BY); it is between the two sides when one of them passes the origin
side (countries, kinds) and the other the destination side, counted once per pair as
co-owned patents are: the backend primitive `co_authorships`, the twin of `co_ownerships`.

Works count in a field only through research fields: a theme lists the OpenAlex fields it
corresponds to (`themes.toml`, `openalex`), and a work is in the theme when it is in one of
them; a technology field (WIPO, CPC) has no research field, so no works are counted for it.
"""

from __future__ import annotations

from collections.abc import Sequence

from ttkg.graph.backends.contract import CoOwnershipRow, Filters, GraphBackend

__all__ = ["co_authorships", "has_works"]


def has_works(backend: GraphBackend) -> bool:
    """Whether the graph holds scholarly works (OpenAlex) at all."""
    return bool((backend.manifest().get("nodes") or {}).get("Work"))


def co_authorships(
    backend: GraphBackend, research: Sequence[str] | None, filters: Filters
) -> list[CoOwnershipRow]:
    """(work id, publication year, x, y, x's country, y's country) for each co-authored work
    between the sides, in one of the research fields (any work when `research` is None, none
    when it is empty) and the years."""
    return backend.co_authorships(research, filters)
