"""The embedded backend's vectorised path search returns the reference search's paths.

The reference (`ttkg.graph.backends.pathsearch.search_paths`) walks the contract's `relations`
primitive,
as the Neo4j backend does; the embedded backend answers from sparse matrices instead. Both
must give the same paths, in the same order, with the same hops, on real end points: top and
ordinary organisations, fields, sectors and countries, with several relation sets.
"""

from __future__ import annotations

import itertools
import time
from collections import Counter
from pathlib import Path

import pytest

from ttkg.core.model import NodeLabel
from ttkg.graph.backends import pathsearch
from ttkg.graph.backends.contract import DEFAULT_VIA, Relation
from ttkg.graph.backends.memory.backend import MemoryBackend
from ttkg.graph.backends.pathsearch import search_paths

FAR = time.monotonic() + 3600


def _end_points(backend: MemoryBackend) -> list[str]:
    nodes = backend.get_nodes([i for i, _ in backend.names([NodeLabel.ORGANIZATION])])
    ids = sorted(nodes, key=lambda i: (-(nodes[i].props.get("patent_count") or 0), i))
    picked = ids[:8] + ids[50:400:70] + ids[-3:]  # leaders, ordinary ones, and the least active
    fields = ["wipo:field:8", "wipo:field:16", "wipo:field:24"]
    return [*picked, *fields, "wipo:sector:1", "country:KR", "country:US"]


def _local_indices(backend: MemoryBackend) -> dict[str, int]:
    """Node id -> index in the path index (white box: the vectorised search itself, which
    must answer every comparison below without handing over to the reference search)."""
    return {node_id: i for i, node_id in enumerate(backend.index.path_index.ids)}


VIAS = [
    tuple(Relation),
    (Relation.CO_ASSIGNED,),
    (Relation.CO_ASSIGNED, Relation.LOCATED_IN),
    (Relation.CO_AUTHORED, Relation.CO_ASSIGNED),
    (Relation.ACTIVE_IN, Relation.BROADER, Relation.PART_OF, Relation.ACTS_FOR),
]


@pytest.mark.parametrize("via", VIAS, ids=lambda v: "+".join(r.value for r in v))
def test_vectorised_paths_equal_the_reference_search(
    memory_backend: MemoryBackend, via: tuple[Relation, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    # the reference search without its memory bounds: on the sample it can rank every
    # candidate, as the vectorised search does
    monkeypatch.setattr(pathsearch, "MAX_HALF_PATHS", 10**9)
    monkeypatch.setattr(pathsearch, "MAX_JOINED", 10**9)
    points = _end_points(memory_backend)
    assert len(points) >= 18
    index, local = memory_backend.index.path_index, _local_indices(memory_backend)
    compared, lengths = 0, Counter[int]()
    for a, b in itertools.combinations(points, 2):
        for max_hops, k in ((4, 3), (2, 5)):
            fast = index.best_paths(local[a], local[b], via, max_hops, k, FAR)
            reference = search_paths(memory_backend, a, b, via, max_hops, k, FAR)
            assert fast == reference, (a, b, max_hops, k)
            assert memory_backend.best_paths(a, b, via, max_hops, k, FAR) == reference
            compared += 1
            lengths.update(len(p.hops) for p in fast)
    assert compared == 2 * len(points) * (len(points) - 1) // 2
    # the comparison covers non-empty answers of every length the vectorised search ranks
    assert min(lengths[1], lengths[2], lengths[3], lengths[4]) >= 5, lengths


def test_warm_up_builds_the_lazy_indexes_a_server_needs(sample_graph: Path) -> None:
    backend = MemoryBackend.open(sample_graph)
    lazy = ("names", "country_patents", "path_index")
    assert not any(name in backend.index.__dict__ for name in (*lazy, "entity_graph"))
    backend.warm_up()
    assert all(name in backend.index.__dict__ for name in lazy)
    # what a path's evidence and its structural hops read first: the stored bridges, and a
    # LOCATED_IN row (the Parquet reader's start, ~40 ms of CPU, paid here, not by a query)
    assert "stored_bridges" in backend.__dict__
    assert backend._edge_row.cache_info().currsize == 1
    # the networkx entity graph (an object per edge, all walked by every full garbage
    # collection) is not needed to serve: only built when asked for
    assert "entity_graph" not in backend.index.__dict__
    # the walks of every relation and of the default ones came with the index: mapped,
    # not computed by the first path query
    assert backend.index.path_index.walk_is_stored(tuple(Relation))
    assert backend.index.path_index.walk_is_stored(DEFAULT_VIA)
    assert not backend.index.path_index.walk_is_stored((Relation.CO_ASSIGNED,))


def test_relations_are_the_entity_graphs_hops(memory_backend: MemoryBackend) -> None:
    """`relations` reads the relation arrays; the networkx entity graph, built from the
    same index independently, is the oracle: for every node of it and every relation, the
    same hops (patents and CPC classes, end points only, are tested with the contract).

    One known difference: the undirected MultiGraph keys an edge by its relation, so two
    organisations each PART_OF the other (the full ROR data has such pairs) are one edge
    there, and two hops in `relations`, as in Neo4j."""
    graph = memory_backend.entity_graph
    structural = [r for r in Relation if r not in (Relation.ASSIGNED_TO, Relation.IN_FIELD)]
    nodes = sorted(graph.nodes)
    assert len(nodes) > 1000
    for rel in structural:
        for node in nodes:
            want = {
                d["hop"] for keyed in graph[node].values() for r, d in keyed.items() if r is rel
            }
            got = [
                h
                for h in memory_backend.relations([node], [rel])
                if h.relation is rel and node in (h.src, h.dst)
            ]
            assert len(got) == len(set(got)), (node, rel)
            assert want <= set(got), (node, rel)
            for extra in set(got) - want:
                reverse = (extra.dst, extra.src)
                assert any((h.src, h.dst) == reverse for h in want), (node, extra)
    # several nodes at once: each hop once
    some = nodes[:: max(1, len(nodes) // 50)]
    hops = memory_backend.relations(some, structural)
    assert len(hops) == len({(h.src, h.relation, h.dst) for h in hops})
