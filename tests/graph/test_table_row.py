"""`table_row` reads a row as Arrow's own row conversion does, on every stored table of the
built sample: node tables (lists, nulls, numbers) and every edge table's row groups."""

from __future__ import annotations

from pathlib import Path

from ttkg.core.model import EdgeType, NodeLabel
from ttkg.graph.artifact import Artifact, table_row


def test_table_row_is_arrows_row_on_every_node_and_edge_table(sample_graph: Path) -> None:
    art = Artifact.open(sample_graph)
    checked = 0
    for label in NodeLabel:
        table = art.nodes(label)
        # the oracle: Arrow's own conversion of the whole table, row by row
        assert [table_row(table, i) for i in range(table.num_rows)] == table.to_pylist()
        checked += table.num_rows
    for etype in EdgeType:
        rows = art.edge_rows(etype)
        table = rows.columns(rows.names)
        assert [table_row(table, i) for i in range(table.num_rows)] == table.to_pylist()
        # and through the row-group reader the backend uses, every stored column
        assert [rows.row(i) for i in range(table.num_rows)] == table.to_pylist()
        checked += table.num_rows
    assert checked > 10_000
