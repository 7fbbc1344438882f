"""Backend registry: a name -> opener map that fails listing the valid names."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from ttkg.core.errors import BackendError
from ttkg.graph.backends.contract import GraphBackend

__all__ = ["BACKENDS", "open_backend"]


def _open_memory(graph: Path | str | None = None, **_: Any) -> GraphBackend:
    from ttkg.graph.backends.memory.backend import MemoryBackend

    return MemoryBackend.open(graph)


def _open_neo4j(**options: Any) -> GraphBackend:
    from ttkg.graph.backends.neo4j.backend import Neo4jBackend

    return Neo4jBackend.connect(**{k: v for k, v in options.items() if k != "graph"})


BACKENDS: dict[str, Callable[..., GraphBackend]] = {
    "memory": _open_memory,
    "neo4j": _open_neo4j,
}


def open_backend(name: str = "memory", **options: Any) -> GraphBackend:
    """Open a backend by name. memory: graph=DIR; neo4j: uri, user, password, database."""
    try:
        opener = BACKENDS[name]
    except KeyError:
        raise BackendError(
            f"unknown backend {name!r}; valid backends: {', '.join(sorted(BACKENDS))}"
        ) from None
    return opener(**options)
