"""What a warmed embedded backend leaves the garbage collector: the caches of things shown
(patent references, nodes, edge properties) hold only tuples of atoms, which the collector
stops tracking, so a server's full collections do not grow with its traffic."""

from __future__ import annotations

import gc
import itertools
from pathlib import Path

from ttkg.graph.backends.memory.backend import MemoryBackend
from ttkg.queries.bridges import bridges
from ttkg.queries.entity import entity_detail


def _collect() -> None:
    """Two full collections: a tuple of tuples is untracked once its inner tuples are."""
    gc.collect()
    gc.collect()


def test_full_caches_add_no_tracked_objects(sample_graph: Path) -> None:
    backend = MemoryBackend.open(sample_graph)
    try:
        backend.warm_up()
        ix = backend.index
        fields = list(ix.fields.ids)
        # first calls build what the queries read on first use; then only the caches fill
        bridges(backend, fields[0], fields[1], limit=20, evidence=10)
        entity_detail(backend, ix.orgs.ids[0], limit=25)
        _collect()
        before = len(gc.get_objects())
        for a, b in itertools.pairwise(fields):
            bridges(backend, a, b, limit=20, evidence=10)
        for org in list(ix.orgs.ids)[:300]:
            entity_detail(backend, org, limit=25)
        filled = [
            backend._patent_row.cache_info().currsize,
            backend._node_row.cache_info().currsize,
            backend._edge_row.cache_info().currsize,
        ]
        assert min(filled) > 300, filled
        _collect()
        after = len(gc.get_objects())
        # thousands of cache entries; at most a few objects of the test's own
        assert after - before < 100, (before, after, filled)
        # and what they give back is as before: new dicts and lists per call
        detail = entity_detail(backend, ix.orgs.ids[0], limit=25)
        assert detail == entity_detail(backend, ix.orgs.ids[0], limit=25)
    finally:
        backend.close()
