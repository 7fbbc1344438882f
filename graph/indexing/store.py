"""The index on disk: `<version>/index/` holds meta.json, one `.npy` file per array (a CSR
matrix as `<name>.data.npy`, `.indices.npy`, `.indptr.npy`), and uncompressed Arrow IPC
files: `node_ids.arrow` (every node id at its position), `name_keys.arrow` (the sorted keys
of name lookups), `nodes/<Label>.arrow` (the node tables) and `edges/<TYPE>.arrow` (the edge
tables' properties, `edge_props`); all memory-mapped at open. `fuzzy/` holds the names fuzzy
search scores and their bigram index (`fuzzy`).
`bridges/` holds the optional stored bridge selections (`ttkg.graph.indexing.bridges`)."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from ttkg.core.errors import ArtifactError
from ttkg.core.model import EdgeType, NodeLabel
from ttkg.graph.artifact import Artifact
from ttkg.graph.indexing.data import INDEX_DIR, INDEX_FORMAT, IndexData
from ttkg.graph.indexing.edge_props import EDGES_DIR, copy_edge_props, read_edge_props
from ttkg.graph.indexing.files import IPC_BATCH, load_array, read_ipc, save_array, write_ipc
from ttkg.graph.indexing.fuzzy import FUZZY_DIR, write_fuzzy

__all__ = ["build_index", "load_index", "open_index", "write_index"]

log = logging.getLogger(__name__)

def write_index(data: IndexData, folder: Path, artifact: Artifact | None = None) -> None:
    """Write an index into `folder` (created); with its artifact, the edge properties too."""
    (folder / "nodes").mkdir(parents=True, exist_ok=True)
    for name, arr in data.arrays.items():
        save_array(folder / f"{name}.npy", arr)
    _write_rest(data, folder)
    if artifact is not None:
        _write_edge_props(artifact, folder)


def build_index(artifact: Artifact, folder: Path) -> None:
    """Compute an artifact's index straight into `folder` (created), in bounded memory:
    big arrays are written as they are computed (`compute_index(spill=...)`) and the
    Patent table is copied to Arrow IPC a batch at a time, never whole in memory. The
    files are those `write_index(compute_index(artifact), folder)` writes."""
    (folder / "nodes").mkdir(parents=True, exist_ok=True)
    from ttkg.graph.indexing.compute import compute_index  # scipy: only where computed

    data = compute_index(artifact, spill=folder)
    for name, arr in data.arrays.items():
        path = folder / f"{name}.npy"
        if not path.exists():  # a small array, kept in memory
            save_array(path, arr)
    patents = artifact.path / "nodes" / f"{NodeLabel.PATENT.value}.parquet"
    if patents.is_file():
        _copy_ipc(folder / "nodes" / f"{NodeLabel.PATENT.value}.arrow", patents)
    _write_rest(data, folder, skip=(NodeLabel.PATENT,) if patents.is_file() else ())
    _write_edge_props(artifact, folder)
    from ttkg.graph.indexing.bridges import BRIDGES_DIR, write_bridges

    write_bridges(data, folder / BRIDGES_DIR)  # optional: bridges between stored fields


def _write_edge_props(artifact: Artifact, folder: Path) -> None:
    """The artifact's edge tables' properties as mapped IPC files (`edge_props`)."""
    (folder / EDGES_DIR).mkdir(exist_ok=True)
    for etype in EdgeType:
        edges = artifact.path / "edges" / f"{etype.value}.parquet"
        if edges.is_file():
            copy_edge_props(edges, folder / EDGES_DIR / f"{etype.value}.arrow")


def _write_rest(data: IndexData, folder: Path, skip: tuple[NodeLabel, ...] = ()) -> None:
    """Node tables (but `skip`), node ids, name keys, fuzzy names and meta.json."""
    for label, table in data.tables.items():
        if label not in skip:
            write_ipc(folder / "nodes" / f"{label.value}.arrow", table)
    # one batch each: mapped as one array at open, no copy (1M-row batches meant a 200 MB
    # copy of the node ids at every open at 9.1M patents)
    write_ipc(folder / "node_ids.arrow", pa.table({"id": data.ids}), one_batch=True)
    write_ipc(folder / "name_keys.arrow", pa.table({"key": data.name_keys}), one_batch=True)
    write_fuzzy(data.tables, folder / FUZZY_DIR)
    (folder / "meta.json").write_text(json.dumps(data.meta, indent=1))


def _copy_ipc(path: Path, parquet: Path) -> None:
    """A Parquet table as an Arrow IPC file, batch by batch (as `_write_ipc` batches it)."""
    source = pq.ParquetFile(parquet)
    with pa.OSFile(str(path), "wb") as sink, \
            pa.ipc.new_file(sink, source.schema_arrow) as writer:
        for batch in source.iter_batches(batch_size=IPC_BATCH):
            writer.write_batch(batch)


def load_index(folder: Path) -> IndexData:
    """Memory-map a stored index (ArtifactError when a file of it is damaged or missing)."""
    try:
        return _load(folder)
    except (OSError, ValueError, KeyError, pa.ArrowException) as exc:
        raise ArtifactError(
            f"{folder}: damaged serving index ({exc}); rebuild with `ttkg build`"
        ) from exc


def _load(folder: Path) -> IndexData:
    meta = json.loads((folder / "meta.json").read_text())
    arrays = {p.name[: -len(".npy")]: load_array(p) for p in folder.glob("*.npy")}
    tables = {label: read_ipc(folder / "nodes" / f"{label.value}.arrow") for label in NodeLabel}
    ids = _one_array(read_ipc(folder / "node_ids.arrow").column("id"))
    keys = _one_array(read_ipc(folder / "name_keys.arrow").column("key"))
    return IndexData(meta, tables, ids, keys, arrays, mapped=True,
                     edge_props=read_edge_props(folder))


def _one_array(column: pa.ChunkedArray) -> pa.Array:
    return column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()


def _same_model(meta: dict[str, Any]) -> bool:
    """Whether an index was computed for this ttkg's node labels and edge types (in order)."""
    labels = list(meta.get("labels", {}))
    edges = list(meta.get("edge_rows", {}))
    return labels == [lb.value for lb in NodeLabel] and edges == [et.value for et in EdgeType]


def open_index(artifact: Artifact) -> IndexData:
    """The artifact's stored index, memory-mapped; an artifact without one, or with one for
    other node labels or edge types (both: built by an older ttkg), gets it computed in
    memory now, with a warning to rebuild."""
    folder = artifact.path / INDEX_DIR
    meta_file = folder / "meta.json"
    if meta_file.is_file():
        try:
            fmt = json.loads(meta_file.read_text()).get("format")
        except ValueError:
            fmt = None
        if fmt == INDEX_FORMAT and _same_model(json.loads(meta_file.read_text())):
            return load_index(folder)
    log.warning(
        "%s has no serving index (%s); computing it in memory, which takes a while at scale: "
        "rebuild with `ttkg build` to open this graph instantly",
        artifact.path,
        INDEX_FORMAT,
    )
    from ttkg.graph.indexing.compute import compute_index  # scipy: not when mapping an index

    started = time.perf_counter()
    data = compute_index(artifact)
    log.info("index computed in %.2f s", time.perf_counter() - started)
    return data
