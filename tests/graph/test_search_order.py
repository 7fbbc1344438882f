"""Search hits are ranked by label, patents (most first) and id: the organisations' order
from their stored counts and ranks is that of a Python sort of the artifact's tables (the
oracle: every node's label, id and patent_count read from the Parquet tables)."""

from __future__ import annotations

from pathlib import Path

from ttkg.core.model import NodeLabel
from ttkg.graph.artifact import Artifact
from ttkg.graph.backends.memory.backend import MemoryBackend


def test_prefix_hits_are_ranked_as_a_sort_of_the_tables(
    memory_backend: MemoryBackend, sample_graph: Path
) -> None:
    art = Artifact.open(sample_graph)
    order = {label: i for i, label in enumerate(NodeLabel)}
    key: dict[str, tuple[int, int, str]] = {}
    for label in NodeLabel:
        cols = ["id", "patent_count"] if label is NodeLabel.ORGANIZATION else ["id"]
        for r in art.nodes(label, cols).to_pylist():
            key[r["id"]] = (order[label], -(r.get("patent_count") or 0), r["id"])
    ix = memory_backend.index
    checked = 0
    for prefix in ("u", "un", "univ", "s", "c", "ch", "in", "t", "a", "ja", "m", "b"):
        hits = {ix.nodes.ids[p] for p in ix.names.prefixed(prefix)}
        for limit in (1, 10, 100):
            want = sorted(hits, key=key.__getitem__)[:limit]
            got = [n.id for n in memory_backend.search_prefix(prefix, (), limit)]
            assert got == want, (prefix, limit)
            checked += len(got)
        for labels in ({NodeLabel.COUNTRY}, {NodeLabel.ORGANIZATION, NodeLabel.COUNTRY}):
            want = sorted((h for h in hits if NodeLabel(
                list(NodeLabel)[key[h][0]]) in labels), key=key.__getitem__)[:10]
            assert [n.id for n in memory_backend.search_prefix(prefix, labels, 10)] == want
    assert checked > 500
