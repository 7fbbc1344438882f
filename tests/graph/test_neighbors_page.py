"""An entity's page of neighbours when it has thousands of one kind: the ids Arrow picks are
those a full sort picks (oracle: the artifact's edge tables, sorted in Python)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ttkg.core.model import EdgeType
from ttkg.graph.artifact import Artifact
from ttkg.graph.backends.memory.backend import MemoryBackend


def test_first_in_order_keeps_the_smallest_ids_and_their_ties(
    memory_backend: MemoryBackend,
) -> None:
    ids = memory_backend.index.nodes.ids
    rng = np.random.default_rng(14)
    positions = rng.integers(0, len(ids), 5000)
    positions = np.concatenate([positions, positions[:300]])  # repeated ids: ties
    for n in (1, 25, 300):
        kept = ids.first_in_order(positions, n)
        names = ids.take(positions)
        want = sorted(names)[n - 1]
        assert sorted(i for i, s in enumerate(names) if s <= want) == kept.tolist()


def test_neighbours_of_a_busy_node_match_a_full_sort(
    memory_backend: MemoryBackend, sample_graph: Path
) -> None:
    art = Artifact.open(sample_graph)
    edges = art.edges(EdgeType.IN_FIELD, ["src", "dst"]).to_pylist()
    counts: dict[str, int] = {}
    for e in edges:
        counts[e["dst"]] = counts.get(e["dst"], 0) + 1
    field = max(counts, key=lambda f: (counts[f], f))
    assert counts[field] > 2000  # the Arrow path (over 1,024 of one kind) is taken
    for limit in (1, 25, 50):
        got = [
            n.node.id
            for n in memory_backend.neighbors(field, limit)
            if n.edge_type is EdgeType.IN_FIELD and n.direction == "in"
        ]
        assert got == sorted(e["src"] for e in edges if e["dst"] == field)[:limit]
