"""The serving index the build writes (`build_index`: arrays saved as computed and mapped
back, the Patent table copied a batch at a time) holds what the in-memory computation
(`write_index(compute_index(...))`) writes, compared by `benchmarks/compare_graphs.py`; and
that comparison sees a changed array, table row or manifest."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from benchmarks.compare_graphs import _index_differences, differences, version_folder
from ttkg.core.model import NodeLabel
from ttkg.graph.artifact import Artifact
from ttkg.graph.indexing import INDEX_DIR, write_index
from ttkg.graph.indexing import compute as compute_module
from ttkg.graph.indexing.compute import compute_index


def test_build_index_equals_the_index_computed_in_memory(
    sample_graph: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    version = version_folder(sample_graph)
    in_memory = tmp_path / "in-memory"
    write_index(compute_index(Artifact(version, {})), in_memory, Artifact(version, {}))
    assert _index_differences(version / INDEX_DIR, in_memory) == []  # what the build wrote
    # the sample's arrays are small: spill every one of them, as a 9.1M build spills its own
    monkeypatch.setattr(compute_module, "_SPILL_FROM", 0)
    spilled = tmp_path / "spilled"
    spilled.mkdir()
    data = compute_index(Artifact(version, {}), spill=spilled)
    assert sorted(p.name for p in spilled.glob("*.npy")) == sorted(
        f"{name}.npy" for name in data.arrays)
    for name, arr in data.arrays.items():
        assert not arr.flags.writeable, name
        assert np.array_equal(arr, np.load(in_memory / f"{name}.npy")), name
    assert data.tables[NodeLabel.PATENT].column_names == compute_module.PATENT_COLUMNS


def test_compare_graphs_sees_a_changed_row_and_array(sample_graph: Path, tmp_path: Path) -> None:
    version = version_folder(sample_graph)
    copy = tmp_path / "copy"
    shutil.copytree(version, copy)
    assert differences(version, copy) == []
    table = pq.read_table(copy / "edges" / "ASSIGNED_TO.parquet")
    seq = table.column("sequence").to_pylist()
    seq[0] = (seq[0] or 0) + 1
    table = table.set_column(table.schema.get_field_index("sequence"), "sequence",
                             pa.array(seq, pa.int64()))
    pq.write_table(table, copy / "edges" / "ASSIGNED_TO.parquet")
    name = "patent.rank.npy"
    arr = np.load(copy / INDEX_DIR / name)
    arr[[0, 1]] = arr[[1, 0]]
    np.save(copy / INDEX_DIR / name, arr)
    found = differences(version, copy)
    assert any("ASSIGNED_TO.parquet" in d for d in found)
    assert any(name in d for d in found)


def test_compare_graphs_accepts_what_a_newer_index_format_added(
    sample_graph: Path, tmp_path: Path
) -> None:
    """An index of format 4 (no stored path search) against this one: the path and walk
    arrays and the `path` meta key that format 5 added are no difference; anything else
    missing still is."""
    index = version_folder(sample_graph) / INDEX_DIR
    old = tmp_path / "old"
    shutil.copytree(index, old)
    for p in [*old.glob("path.*.npy"), *old.glob("walk.*.npy")]:
        p.unlink()
    meta = json.loads((old / "meta.json").read_text())
    del meta["path"]
    meta["shapes"] = {k: v for k, v in meta["shapes"].items() if not k.startswith("walk.")}
    meta["format"] = "ttkg-index/4"
    (old / "meta.json").write_text(json.dumps(meta))
    assert _index_differences(old, index) == []
    (old / "patent.rank.npy").unlink()
    assert any("patent.rank.npy" in d for d in _index_differences(old, index))
    meta["format"] = "ttkg-index/5"  # the same format: the missing arrays are differences
    (old / "meta.json").write_text(json.dumps(meta))
    assert len(_index_differences(old, index)) >= 2
