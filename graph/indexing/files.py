"""The index's files: arrays as `.npy` and tables as uncompressed Arrow IPC, written once by
the build and memory-mapped by every process that opens the version (what `store`, `bridges`,
`edge_props` and `fuzzy` write and read)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pyarrow as pa

__all__ = ["IPC_BATCH", "load_array", "read_ipc", "save_array", "write_ipc"]

#: Arrays stored in fewer bytes than this are read rather than mapped.
_MAP_FROM: Final = 1 << 16
#: Rows per record batch of a table written in batches.
IPC_BATCH: Final = 1 << 20


def save_array(path: Path, arr: npt.NDArray[Any]) -> None:
    """Store an array as `.npy` (contiguous, no pickled objects)."""
    np.save(path, np.ascontiguousarray(arr), allow_pickle=False)


def load_array(path: Path) -> npt.NDArray[Any]:
    """A stored array, memory-mapped read-only (small ones are read: a page is a page)."""
    if path.stat().st_size < _MAP_FROM:
        arr: npt.NDArray[Any] = np.load(path, allow_pickle=False)
        arr.flags.writeable = False
        return arr
    mapped: npt.NDArray[Any] = np.load(path, mmap_mode="r", allow_pickle=False)
    # a plain ndarray over the same mapping: np.memmap's Python-level __getitem__ costs
    # microseconds per scalar read
    return mapped.view(np.ndarray)


def write_ipc(path: Path, table: pa.Table, one_batch: bool = False) -> None:
    """Store a table as an Arrow IPC file, in batches of IPC_BATCH rows or in one (mapped
    as one array at open, no copy)."""
    table = table.combine_chunks()
    rows = max(table.num_rows, 1) if one_batch else IPC_BATCH
    with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table, max_chunksize=rows)


def read_ipc(path: Path) -> pa.Table:
    """A stored Arrow IPC table, memory-mapped."""
    return pa.ipc.open_file(pa.memory_map(str(path), "r")).read_all()
