"""The serving index's array algorithms against plain oracles: edge rows by end point (a
counting sort), the walk matrices of the path search (the strongest hop per pair, ties by
relation name then stored direction), the hops by node, and end points that are no node.
"""

from __future__ import annotations

import shutil
from collections import defaultdict
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from benchmarks.compare_graphs import version_folder
from ttkg.core.errors import ArtifactError
from ttkg.graph.artifact import Artifact
from ttkg.graph.indexing.compute import _by_node, compute_index
from ttkg.graph.indexing.walks import Hops, build_walk, by_node


@pytest.mark.parametrize("kind", ["random", "sorted", "empty", "one"])
def test_rows_by_end_point_are_a_stable_sort(kind: str) -> None:
    rng = np.random.default_rng(7)
    n = 1000
    ends = {
        "random": rng.integers(0, n, 20_000),
        "sorted": np.sort(rng.integers(0, n, 5_000)),
        "empty": np.empty(0, np.int64),
        "one": np.array([n - 1]),
    }[kind].astype(np.int32)
    order, ptr = _by_node(ends, n)
    assert order.dtype == np.int32 and ptr.dtype == np.int32
    assert np.array_equal(order, np.argsort(ends, kind="stable"))
    for node in range(n):  # each node's rows are a slice of the order
        assert list(order[ptr[node]:ptr[node + 1]]) == list(np.flatnonzero(ends == node))


def _random_parts(seed: int, n: int) -> dict[str, Hops]:
    rng = np.random.default_rng(seed)
    parts = {}
    for name in ("CO_ASSIGNED", "ACTIVE_IN", "PART_OF", "LOCATED_IN"):
        m = int(rng.integers(0, 300))
        src, dst = rng.integers(0, n, m), rng.integers(0, n, m)
        weight = rng.integers(1, 4, m)  # few weights: many ties to break
        parts[name] = Hops(src, dst, weight, *by_node(src, dst, n))
    return parts


@pytest.mark.parametrize("seed", range(6))
def test_walks_keep_the_strongest_hop_per_pair(seed: int) -> None:
    n = 40  # few nodes: many pairs held by several hops, of one relation or several
    parts = _random_parts(seed, n)
    names = sorted(parts)
    for via in (names, names[:2], ["PART_OF"], ["NO_SUCH"]):
        walk = build_walk(parts, names, via, n)
        best: dict[tuple[int, int], tuple[int, int, int]] = {}
        for rel in via:
            if rel not in parts:
                continue
            p = parts[rel]
            for s, d, w in zip(p.src.tolist(), p.dst.tolist(), p.weight.tolist(), strict=True):
                for row, col, fwd in ((s, d, 1), (d, s, 0)):
                    key = (-w, names.index(rel), -fwd)  # smaller is better
                    if (row, col) not in best or key < best[(row, col)]:
                        best[(row, col)] = key
        m = walk.weight
        got = {}
        for row in range(n):
            for j in range(int(m.indptr[row]), int(m.indptr[row + 1])):
                got[(row, int(m.indices[j]))] = (
                    -int(m.data[j]), int(walk.relation[j]), -int(walk.row_is_src[j]))
            cols = m.indices[m.indptr[row]:m.indptr[row + 1]]
            assert np.all(np.diff(cols) > 0)  # each row's columns ascending, once
        assert got == best


def test_hops_by_node_touch_each_end_once() -> None:
    src, dst = np.array([0, 1, 2, 2]), np.array([1, 1, 0, 3])
    rows, ptr = by_node(src, dst, 4)
    want = defaultdict(list)
    for r, (s, d) in enumerate(zip(src, dst, strict=True)):
        want[int(s)].append(r)
        if d != s:
            want[int(d)].append(r)
    assert {i: sorted(rows[ptr[i]:ptr[i + 1]].tolist()) for i in range(4)} == {
        i: sorted(want[i]) for i in range(4)}


@pytest.mark.parametrize("side", ["src", "dst"])
def test_an_edge_end_point_that_is_no_node_is_an_error_naming_it(
    sample_graph: Path, tmp_path: Path, side: str
) -> None:
    """Patents (looked up last, all edge types at once) and the other labels alike."""
    copy = tmp_path / "copy"
    shutil.copytree(version_folder(sample_graph), copy)
    path = copy / "edges" / "ASSIGNED_TO.parquet"  # src: a patent, dst: an organisation
    table = pq.read_table(path)
    values = table.column(side).to_pylist()
    values[5] = "patent:USnope" if side == "src" else "org:nope"
    table = table.set_column(table.schema.get_field_index(side), side,
                             pa.array(values, table.schema.field(side).type))
    pq.write_table(table, path)
    with pytest.raises(ArtifactError, match=values[5]):
        compute_index(Artifact(copy, {}))
