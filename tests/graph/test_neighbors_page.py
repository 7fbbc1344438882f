"""An entity's page of neighbours when it has thousands of one kind: the ids Arrow picks are
those a full sort picks (oracle: the artifact's edge tables, sorted in Python)."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np

from ttkg.core.model import EdgeType, NodeLabel
from ttkg.graph.artifact import Artifact
from ttkg.graph.backends.memory.backend import MemoryBackend, contenders


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


def test_labels_in_id_order_are_those_whose_table_is_sorted_by_id(
    memory_backend: MemoryBackend, sample_graph: Path
) -> None:
    art = Artifact.open(sample_graph)
    want = set()
    for label in NodeLabel:
        ids = art.nodes(label, ["id"]).column("id").to_pylist()
        if all(a < b for a, b in itertools.pairwise(ids)):
            want.add(label)
    assert memory_backend.index.id_ordered == want
    assert NodeLabel.PATENT in want  # the page's integer path is taken for patents
    assert NodeLabel.ORGANIZATION not in want  # and the organisations' rank path


def _page_oracle(
    tables: dict[EdgeType, list[dict[str, str]]], node: str, limit: int
) -> list[tuple[str, str, str]]:
    """The first `limit` neighbours by id of each (edge type, direction), from the stored
    edge tables sorted in Python: (type, direction, other end)."""
    out = []
    for et, table in tables.items():
        for direction, here, there in (("out", "src", "dst"), ("in", "dst", "src")):
            ends = sorted(e[there] for e in table if e[here] == node)
            out += [(et.value, direction, end) for end in ends[:limit]]
    return out


def test_busy_pages_match_a_full_sort_of_the_stored_edges(
    memory_backend: MemoryBackend, sample_graph: Path
) -> None:
    """Patents of a field and of an organisation (picked by position), organisations of a
    country (by their rank), CPC classes' patents and subclasses: every kind of busy page."""
    art = Artifact.open(sample_graph)
    tables = {et: art.edges(et, ["src", "dst"]).to_pylist() for et in EdgeType}
    in_counts: dict[tuple[str, str], int] = {}
    for et in (EdgeType.ASSIGNED_TO, EdgeType.LOCATED_IN, EdgeType.CLASSIFIED_AS,
               EdgeType.IN_FIELD, EdgeType.BROADER):
        for dst in art.edges(et, ["dst"]).column("dst").to_pylist():
            in_counts[(et.value, dst)] = in_counts.get((et.value, dst), 0) + 1
    busiest = {}
    for (et, dst), n in in_counts.items():
        if n > busiest.get(et, ("", 0))[1]:
            busiest[et] = (dst, n)
    assert busiest[EdgeType.LOCATED_IN.value][1] > 300  # a country's many organisations
    assert busiest[EdgeType.ASSIGNED_TO.value][1] > 100
    for node, _ in busiest.values():
        for limit in (1, 7, 25):
            got = [(n.edge_type.value, n.direction, n.node.id)
                   for n in memory_backend.neighbors(node, limit)]
            assert got == _page_oracle(tables, node, limit), (node, limit)


def test_contenders_are_the_first_rows_and_their_ties_at_any_size() -> None:
    """The sampled bound (many rows) and the plain partial sort keep what a full sort keeps:
    every row whose value is at most the n-th smallest (oracle: Python's sort)."""
    rng = np.random.default_rng(9)
    for size, spread in ((50, 10), (5_000, 100), (200_000, 50_000), (300_000, 7)):
        values = rng.integers(0, spread, size)
        for n in (1, 3, 25, 60):
            cut = sorted(values.tolist())[min(n, size) - 1]
            want = [i for i, v in enumerate(values.tolist()) if v <= cut]
            got = contenders(values, n).tolist()
            assert set(want) <= set(got), (size, n)  # none missing
            if size > 2 * n:
                assert got == want, (size, n)  # and nothing else once partitioned
    descending = np.arange(300_000)[::-1].copy()  # the sample's bound is weakest here
    assert contenders(descending, 5).tolist() == list(range(299_995, 300_000))
