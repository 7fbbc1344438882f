"""The index's mapped copy of the edge properties (`ttkg.graph.indexing.edge_props`) holds,
row for row, the values of the artifact's Parquet edge tables: read back through the backend's
row reader and compared with pyarrow's own reading of the Parquet files (the oracle)."""

from __future__ import annotations

import random
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from benchmarks.compare_graphs import version_folder
from ttkg.core.model import EdgeType
from ttkg.graph.artifact import TableRows
from ttkg.graph.backends.memory.backend import MemoryBackend
from ttkg.graph.indexing import INDEX_DIR
from ttkg.graph.indexing.edge_props import EDGES_DIR, copy_edge_props, read_edge_props


def test_every_edge_row_reads_as_in_the_parquet_table(sample_graph: Path) -> None:
    version = version_folder(sample_graph)
    stored = read_edge_props(version / INDEX_DIR)
    tables = sorted(p.stem for p in (version / "edges").glob("*.parquet"))
    assert sorted(e.value for e in stored) == tables
    for etype, table in stored.items():
        parquet = pq.read_table(version / "edges" / f"{etype.value}.parquet")
        expected = parquet.to_pylist()
        rows = TableRows(table)
        assert rows.names == [n for n in parquet.column_names if n not in ("src", "dst")]
        got = [rows.row(i) for i in range(table.num_rows)]
        assert got == [{k: v for k, v in r.items() if k not in ("src", "dst")}
                       for r in expected], etype


def test_the_backend_reads_the_mapped_copy(memory_backend: MemoryBackend,
                                           sample_graph: Path) -> None:
    edges = memory_backend.index.edges[EdgeType.CLASSIFIED_AS]
    assert isinstance(edges.reader, TableRows)
    parquet = pq.read_table(version_folder(sample_graph) / "edges" / "CLASSIFIED_AS.parquet")
    last = parquet.num_rows - 1
    assert edges.props(last) == {
        k: v for k, v in parquet.slice(last, 1).to_pylist()[0].items() if k not in ("src", "dst")
    }
    with pytest.raises(IndexError):
        edges.reader.row(parquet.num_rows)


def test_few_values_become_one_dictionary_and_integers_narrow(tmp_path: Path) -> None:
    # two row groups with different dictionaries (a null in one), and small integers in an int64
    n, pick = 5000, random.Random(7)  # random codes: their pages do not compress away
    table = pa.table({
        "src": [f"patent:{i}" for i in range(n)],
        "dst": ["x"] * n,
        "sequence": pa.array([i % 7 for i in range(n)], pa.int64()),
        "kind": [None if i == 3 else pick.choice("abcdef" if i < n // 2 else "fgh")
                 for i in range(n)],
        "source": ["patentsview"] * n,
    })
    parquet = tmp_path / "T.parquet"
    pq.write_table(table, parquet, row_group_size=n // 2)
    out = tmp_path / INDEX_DIR / EDGES_DIR
    out.mkdir(parents=True)
    copy_edge_props(parquet, out / "CLASSIFIED_AS.arrow")
    stored = read_edge_props(tmp_path / INDEX_DIR)[EdgeType.CLASSIFIED_AS]
    assert stored.schema.field("sequence").type == pa.int8()
    assert pa.types.is_dictionary(stored.schema.field("kind").type)
    assert stored.to_pylist() == table.drop_columns(["src", "dst"]).to_pylist()
