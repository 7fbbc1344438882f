"""Edge properties as memory-mapped Arrow IPC: `<version>/index/edges/<TYPE>.arrow` holds
every column of an edge table but its end points, row for row, so that the properties of any
edge row are read in microseconds (mapped columns indexed), where the Parquet table costs a
row group's decoding per row read: 1-3 ms at 9.1M patents, for every edge an entity page or
an answer's evidence shows (60 % of an entity page's CPU in the API's load mix).

Written by the build from the Parquet tables, a batch at a time (bounded memory). Strings of
few distinct values (`artifact.few_values`: sources, CPC types, patterns) are stored as
dictionaries, one per column shared by every batch, and integers in the narrowest type that
holds them: the values read are those of the Parquet table (557 MB beside its 0.69 GB at
9.1M patents, 6 s of build). Optional: an index without `edges/` (built before it) reads
the Parquet table (`artifact.EdgeRows`).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Final

import pyarrow as pa
import pyarrow.parquet as pq

from ttkg.core.model import EdgeType
from ttkg.graph.artifact import few_values
from ttkg.graph.indexing.files import IPC_BATCH, read_ipc

__all__ = ["EDGES_DIR", "copy_edge_props", "read_edge_props"]

log = logging.getLogger(__name__)

EDGES_DIR: Final = "edges"
_ENDS: Final = ("src", "dst")
_INTS: Final = (pa.int8(), pa.int16(), pa.int32(), pa.int64())


def copy_edge_props(parquet: Path, path: Path) -> None:
    """Write the property columns of the edge table `parquet` to the IPC file `path`."""
    import pyarrow.compute as pc  # the build's: a process mapping the index never needs it

    meta = pq.read_metadata(parquet)
    names = [n for n in meta.schema.to_arrow_schema().names if n not in _ENDS]
    coded = [n for n in few_values(meta) if n in names]
    source = pq.ParquetFile(parquet, read_dictionary=coded)
    schema_in = source.schema_arrow
    ints = [n for n in names if pa.types.is_integer(schema_in.field(n).type)]
    # first pass: every value of the coded columns, the range of the integer ones
    values: dict[str, dict[Any, int]] = {n: {} for n in coded}
    low: dict[str, int] = {}
    high: dict[str, int] = {}
    for batch in source.iter_batches(batch_size=IPC_BATCH, columns=coded + ints):
        for n in coded:
            for v in batch.column(n).dictionary.to_pylist():
                values[n].setdefault(v, len(values[n]))
        for n in ints:
            span = pc.min_max(batch.column(n)).as_py()
            if span["min"] is not None:
                low[n] = min(low.get(n, span["min"]), span["min"])
                high[n] = max(high.get(n, span["max"]), span["max"])
    dictionaries = {n: pa.array(list(v), pa.string()) for n, v in values.items()}
    fields = []
    for n in names:
        kind = schema_in.field(n).type
        if n in dictionaries:
            kind = pa.dictionary(_narrowest(0, len(dictionaries[n])), pa.string())
        elif n in low:
            kind = _narrowest(low[n], high[n])
        fields.append(pa.field(n, kind))
    schema = pa.schema(fields)
    with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, schema) as writer:
        for batch in source.iter_batches(batch_size=IPC_BATCH, columns=names):
            columns = []
            for n, field in zip(names, schema, strict=True):
                column = batch.column(n)
                if n in dictionaries:  # the batch's own dictionary -> the column's
                    shared = dictionaries[n]
                    codes = pc.take(pc.index_in(column.dictionary, value_set=shared),
                                    column.indices)
                    column = pa.DictionaryArray.from_arrays(
                        codes.cast(field.type.index_type), shared)
                elif column.type != field.type:
                    column = column.cast(field.type)
                columns.append(column)
            writer.write_batch(pa.record_batch(columns, schema=schema))
    log.debug("%s: %d rows of %s", path.name, meta.num_rows, names)


def _narrowest(low: int, high: int) -> pa.DataType:
    """The narrowest signed integer type holding low..high."""
    for kind in _INTS:
        bits = kind.bit_width - 1
        if -(1 << bits) <= low and high < (1 << bits):
            return kind
    return pa.int64()


def read_edge_props(folder: Path) -> dict[EdgeType, pa.Table]:
    """The stored edge properties under an index folder, memory-mapped (none without
    `edges/`); ValueError for a file of no edge type."""
    found: dict[EdgeType, pa.Table] = {}
    for path in sorted((folder / EDGES_DIR).glob("*.arrow")):
        found[EdgeType(path.stem)] = read_ipc(path)
    return found
