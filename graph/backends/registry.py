"""Backend registry: the settings' backend name -> opener, failing with the valid names."""

from __future__ import annotations

from collections.abc import Callable

from ttkg.core.errors import BackendError
from ttkg.core.settings import Settings
from ttkg.graph.backends.contract import GraphBackend

__all__ = ["BACKENDS", "open_backend"]


def _open_memory(settings: Settings) -> GraphBackend:
    from ttkg.graph.backends.memory.backend import MemoryBackend

    return MemoryBackend.open(settings.graph)


def _open_neo4j(settings: Settings) -> GraphBackend:
    from ttkg.graph.backends.neo4j.backend import Neo4jBackend

    return Neo4jBackend.connect(settings.neo4j)


BACKENDS: dict[str, Callable[[Settings], GraphBackend]] = {
    "memory": _open_memory,
    "neo4j": _open_neo4j,
}


def open_backend(settings: Settings | None = None) -> GraphBackend:
    """Open the backend the settings select (default: `Settings()`, from the environment):
    memory reads `settings.graph`, neo4j connects as `settings.neo4j` says."""
    settings = settings or Settings()
    try:
        opener = BACKENDS[settings.backend]
    except KeyError:
        raise BackendError(
            f"unknown backend {settings.backend!r}; valid backends: {', '.join(sorted(BACKENDS))}"
        ) from None
    return opener(settings)
