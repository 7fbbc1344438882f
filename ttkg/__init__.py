"""ttkg: a knowledge graph of institutions and technologies for technology-transfer research.

Everything installs under this one name. For notebooks::

    import ttkg
    g = ttkg.open()                    # the default graph folder, or a path, or backend="neo4j"
    g.bridges("Semiconductors", "Optics").to_frame()

See `ttkg.facade` for the whole Python API.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from ttkg.facade import KnowledgeGraph, open

__all__ = ["KnowledgeGraph", "__version__", "open"]


def __getattr__(name: str) -> Any:
    """`ttkg.open` and `ttkg.KnowledgeGraph` load the query stack on first use only, so that
    importing a low floor (`ttkg.core.model`) stays cheap."""
    if name in ("open", "KnowledgeGraph"):
        return getattr(import_module("ttkg.facade"), name)
    raise AttributeError(f"module 'ttkg' has no attribute {name!r}")
