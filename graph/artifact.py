"""The built graph artifact: a versioned folder of Parquet node/edge tables and a manifest.

Layout of a graph directory::

    <graph dir>/CURRENT                      name of the current version (swapped atomically)
    <graph dir>/versions/<build id>/manifest.json
    <graph dir>/versions/<build id>/nodes/<Label>.parquet   id, <properties>, source
    <graph dir>/versions/<build id>/edges/<TYPE>.parquet    src, dst, <properties>, source
    <graph dir>/versions/<build id>/rejections.tsv          every rejected input row

A build writes a new version into a temporary folder and only then points CURRENT at it with
`os.replace`, so a failed or killed build leaves the previous graph intact and readable.
The temporary folder is named after the writing process (`.tmp-<pid>-<build id>`), so the
next successful commit removes folders left behind by killed builds and keeps those of
builds still running.
"""

from __future__ import annotations

import bisect
import json
import logging
import os
import shutil
import tempfile
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Final, Protocol

import pyarrow as pa
import pyarrow.parquet as pq

from ttkg.core.errors import ArtifactError, GraphNotFoundError
from ttkg.core.model import PROPERTIES, EdgeType, NodeLabel, PropType

__all__ = [
    "FORMAT",
    "Artifact",
    "ArtifactWriter",
    "EdgeRows",
    "RowReader",
    "TableRows",
    "current_version",
    "default_graph_dir",
    "edge_schema",
    "few_values",
    "node_schema",
    "scratch_folder",
    "table_row",
    "write_batches",
]

log = logging.getLogger(__name__)

FORMAT: Final = "ttkg-graph/1"
KEEP_VERSIONS: Final = 2
#: Rows per Parquet row group: one stored row is read with the rows of its group.
ROW_GROUP: Final = 1 << 16
#: Row groups an EdgeRows keeps (each a few MB of Arrow columns at most).
ROW_GROUPS_KEPT: Final = 8

_ARROW: Final[dict[PropType, pa.DataType]] = {
    "string": pa.string(),
    "int": pa.int64(),
    "float": pa.float64(),
    "bool": pa.bool_(),
    "string[]": pa.list_(pa.string()),
}


def write_batches(path: Path, tables: Iterable[pa.Table], schema: pa.Schema) -> None:
    """A Parquet table of the artifact (zstd, `ROW_GROUP` rows a group) from pieces of
    `schema`, never holding the whole; ArtifactError when a piece has another schema."""
    with pq.ParquetWriter(path, schema, compression="zstd") as out:
        for table in tables:
            if not table.schema.equals(schema, check_metadata=False):
                raise ArtifactError(f"{path.name}: schema {table.schema} differs from {schema}")
            out.write_table(table, row_group_size=ROW_GROUP)


def scratch_folder(graph_dir: Path) -> tempfile.TemporaryDirectory[str]:
    """A temporary folder for a build's early tables, inside the graph's versions folder
    (same file system as the version it ends up in: files move, never copy) and named like
    an unfinished version (`.tmp-<pid>-scratch-...`), so that a killed build's leftovers go
    with the next commit's sweep. Removed when the `with` block ends."""
    versions = Path(graph_dir) / "versions"
    versions.mkdir(parents=True, exist_ok=True)
    return tempfile.TemporaryDirectory(prefix=f"{_TMP_PREFIX}{os.getpid()}-scratch-",
                                       dir=versions)


def default_graph_dir() -> Path:
    """Where graphs live unless told otherwise: $TTKG_GRAPH, else the per-user data folder."""
    env = os.environ.get("TTKG_GRAPH")
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "ttkg" / "graph"


def current_version(graph_dir: Path | str | None = None) -> str | None:
    """The build id CURRENT names in a graph directory (None for a version folder itself, or
    a directory without CURRENT). One small read: cheap enough to poll every second."""
    root = Path(graph_dir) if graph_dir is not None else default_graph_dir()
    try:
        return (root / "CURRENT").read_text().strip() or None
    except (FileNotFoundError, NotADirectoryError):
        return None


def node_schema(label: NodeLabel) -> pa.Schema:
    """Arrow schema of a node table: id, the label's properties, source."""
    fields = [pa.field("id", pa.string(), nullable=False)]
    fields += [pa.field(n, _ARROW[t]) for n, t in PROPERTIES[label]]
    fields.append(pa.field("source", pa.string()))
    return pa.schema(fields)


def edge_schema(etype: EdgeType) -> pa.Schema:
    """Arrow schema of an edge table: src, dst, the type's properties, source."""
    fields = [
        pa.field("src", pa.string(), nullable=False),
        pa.field("dst", pa.string(), nullable=False),
    ]
    fields += [pa.field(n, _ARROW[t]) for n, t in PROPERTIES[etype]]
    fields.append(pa.field("source", pa.string()))
    return pa.schema(fields)


class ArtifactWriter:
    """Writes one new version of a graph directory; commit() makes it current atomically.

    Use as a context manager: leaving the block with an exception (or without commit())
    deletes the temporary folder and leaves CURRENT untouched.
    """

    def __init__(self, graph_dir: Path) -> None:
        self.graph_dir = Path(graph_dir)
        self.build_id = time.strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
        self._versions = self.graph_dir / "versions"
        self.tmp = self._versions / f"{_TMP_PREFIX}{os.getpid()}-{self.build_id}"
        self._committed = False

    def __enter__(self) -> ArtifactWriter:
        (self.tmp / "nodes").mkdir(parents=True)
        (self.tmp / "edges").mkdir()
        return self

    def __exit__(self, *exc: object) -> None:
        if not self._committed:
            shutil.rmtree(self.tmp, ignore_errors=True)

    def write_nodes(self, label: NodeLabel, table: pa.Table) -> None:
        """Write a node table; it must have exactly the label's schema."""
        self._write(self.tmp / "nodes" / f"{label.value}.parquet", table, node_schema(label))

    def write_edges(self, etype: EdgeType, table: pa.Table) -> None:
        """Write an edge table; it must have exactly the type's schema."""
        self._write(self.tmp / "edges" / f"{etype.value}.parquet", table, edge_schema(etype))

    def write_node_batches(self, label: NodeLabel, tables: Iterable[pa.Table]) -> None:
        """Write a node table from pieces of the label's schema, one row group per piece
        of `ROW_GROUP` rows (the pieces of `Table.batches`), never holding the whole."""
        self._write_batches(self.tmp / "nodes" / f"{label.value}.parquet", tables,
                            node_schema(label))

    def write_edge_batches(self, etype: EdgeType, tables: Iterable[pa.Table]) -> None:
        """Write an edge table from pieces of the type's schema (see write_node_batches)."""
        self._write_batches(self.tmp / "edges" / f"{etype.value}.parquet", tables,
                            edge_schema(etype))

    def adopt_nodes(self, label: NodeLabel, path: Path) -> None:
        """Take a node table written earlier by `write_batches` (moved, not copied)."""
        shutil.move(path, self.tmp / "nodes" / f"{label.value}.parquet")

    def adopt_edges(self, etype: EdgeType, path: Path) -> None:
        """Take an edge table written earlier by `write_batches` (moved, not copied)."""
        shutil.move(path, self.tmp / "edges" / f"{etype.value}.parquet")

    @staticmethod
    def _write_batches(path: Path, tables: Iterable[pa.Table], schema: pa.Schema) -> None:
        write_batches(path, tables, schema)

    @staticmethod
    def _write(path: Path, table: pa.Table, schema: pa.Schema) -> None:
        if not table.schema.equals(schema, check_metadata=False):
            raise ArtifactError(f"{path.name}: schema {table.schema} differs from {schema}")
        pq.write_table(table, path, compression="zstd", row_group_size=ROW_GROUP)

    def commit(self, manifest: dict[str, Any]) -> Path:
        """Write the manifest, move the version into place and point CURRENT at it."""
        manifest = {"format": FORMAT, "build_id": self.build_id, **manifest}
        (self.tmp / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=False))
        final = self._versions / self.build_id
        os.replace(self.tmp, final)
        current_tmp = self.graph_dir / f".CURRENT.{self.build_id}"
        current_tmp.write_text(self.build_id + "\n")
        os.replace(current_tmp, self.graph_dir / "CURRENT")
        self._committed = True
        self._prune()
        log.info("graph %s committed at %s", self.build_id, final)
        return final

    def _prune(self) -> None:
        versions = sorted(p for p in self._versions.iterdir() if not p.name.startswith("."))
        for old in versions[:-KEEP_VERSIONS]:
            shutil.rmtree(old, ignore_errors=True)
        for stale in self._versions.glob(f"{_TMP_PREFIX}*"):
            if stale != self.tmp and not _writer_alive(stale.name):
                log.info("removing %s, left by a build that did not finish", stale)
                shutil.rmtree(stale, ignore_errors=True)


_TMP_PREFIX: Final = ".tmp-"


def _writer_alive(tmp_name: str) -> bool:
    """Whether the process that named a temporary version folder still runs (False for
    folders not named `.tmp-<pid>-...`)."""
    pid = tmp_name[len(_TMP_PREFIX) :].split("-", 1)[0]
    if not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by another user
        return True
    return True


def table_row(table: pa.Table, i: int) -> dict[str, Any]:
    """Row i of a table as a dict (a new one per call). One scalar per column: 2.5-4x less
    CPU than `table.slice(i, 1).to_pylist()[0]` (6-25 us against 18-80 us a row on the full
    shared data's node and edge tables), the same values."""
    names, columns = table.column_names, table.columns
    return {name: column[i].as_py() for name, column in zip(names, columns, strict=True)}


def few_values(meta: pq.FileMetaData) -> list[str]:
    """String columns whose dictionary page is small against the data (repeated values:
    sources, CPC types, patterns...). Read as Arrow dictionaries, a row group of them costs
    a fifth of its decoding into one string per row (~1 ms for 65,536 rows, not ~5): what
    an entity page's edge properties, a group read per row shown, mostly cost. Columns of
    many distinct values (raw names) decode faster as plain strings. Judged on up to 8 row
    groups spread over the file; the values read are the same either way."""
    groups = meta.num_row_groups
    picked = sorted({g * groups // 8 for g in range(8)}) if groups else []
    dict_bytes: dict[str, int] = {}
    all_bytes: dict[str, int] = {}
    for g in picked:
        rg = meta.row_group(g)
        for j in range(rg.num_columns):
            col = rg.column(j)
            if col.physical_type != "BYTE_ARRAY" or "." in col.path_in_schema:
                continue  # not a flat string column (lists have dotted paths)
            name = col.path_in_schema
            dictionary = (col.data_page_offset - col.dictionary_page_offset
                          if col.has_dictionary_page else col.total_compressed_size)
            dict_bytes[name] = dict_bytes.get(name, 0) + dictionary
            all_bytes[name] = all_bytes.get(name, 0) + col.total_compressed_size
    return [n for n, b in dict_bytes.items() if 8 * b <= all_bytes[n]]


class RowReader(Protocol):
    """Rows of a stored table by row number."""

    @property
    def names(self) -> list[str]:
        """The table's column names."""

    def row(self, i: int, columns: list[str] | None = None) -> dict[str, Any]:
        """Row i as a dict of its columns (or of `columns`; a new dict per call)."""


class TableRows:
    """Rows of a memory-mapped Arrow table by row number (the index's edge properties,
    `ttkg.graph.indexing.edge_props`): a row costs microseconds, no group is decoded."""

    def __init__(self, table: pa.Table) -> None:
        self._table = table
        self._names = list(table.column_names)

    @property
    def names(self) -> list[str]:
        return list(self._names)

    def row(self, i: int, columns: list[str] | None = None) -> dict[str, Any]:
        if not 0 <= i < self._table.num_rows:
            raise IndexError(f"no row {i}")
        if columns is None or columns == self._names:
            return table_row(self._table, i)
        return table_row(self._table.select(columns), i)


class EdgeRows:
    """Rows of one stored table by row number, reading only the row group that holds a row,
    and only the columns asked for (the last ROW_GROUPS_KEPT groups read are kept, as Arrow
    columns). Thread-safe."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._lock_footer = threading.Lock()
        # opened now (microseconds), so that the file stays readable if a later build prunes
        # this version; its footer is read on first use (the 11 footers of a 9.1M-patent
        # graph took 0.12 s of every open). Read with pread, not mapped: a file damaged or
        # cut short on disk is then an error of the request that reads it (a 500), where a
        # mapping would kill the server with SIGBUS
        self._source = pa.OSFile(str(path), "r") if path.is_file() else None
        self._parquet: pq.ParquetFile | None = None
        self._by_rows: pq.ParquetFile | None = None
        self._starts = [0]
        self._groups: OrderedDict[tuple[int, tuple[str, ...]], pa.Table] = OrderedDict()
        # read once: every edge shown asks for them (the schema is rebuilt at each read)
        self._names: list[str] = []

    @property
    def _file(self) -> pq.ParquetFile | None:
        """The Parquet file, its footer read on first use (row group starts, names)."""
        if self._parquet is None and self._source is not None:
            with self._lock_footer:
                if self._parquet is None:
                    meta = pq.read_metadata(self._source)
                    for g in range(meta.num_row_groups):
                        self._starts.append(self._starts[-1] + meta.row_group(g).num_rows)
                    # rows are read with repeated strings as dictionaries, whole columns
                    # as plain strings (what their callers expect)
                    self._by_rows = pq.ParquetFile(self._source, metadata=meta,
                                                   read_dictionary=few_values(meta))
                    parquet = pq.ParquetFile(self._source, metadata=meta)
                    self._names = list(parquet.schema_arrow.names)
                    self._parquet = parquet
        return self._parquet

    def row(self, i: int, columns: list[str] | None = None) -> dict[str, Any]:
        """Row i as a dict of its columns (or of `columns`; a new dict per call).

        Random rows of a big table (the evidence of an entity's neighbours) cost a row
        group's read each: reading only the columns wanted and keeping a few groups as Arrow
        columns, not Python rows, makes that ~5-10 ms instead of ~100-250 ms (full shared
        data: the whole group with its long src and dst strings, then 65,536 dicts), and
        repeated strings read as dictionaries (`few_values`) ~1 ms at 9.1M patents."""
        source = self._by_rows if self._file is not None else None
        with self._lock:
            g = bisect.bisect_right(self._starts, i) - 1
            if source is None or not 0 <= i < self._starts[-1]:
                raise IndexError(f"{self.path.name}: no row {i}")
            key = (g, tuple(columns) if columns is not None else ())
            group = self._groups.get(key)
            if group is None:
                group = self._groups[key] = source.read_row_group(g, columns=columns,
                                                                  use_threads=False)
                while len(self._groups) > ROW_GROUPS_KEPT:
                    self._groups.popitem(last=False)
            else:
                self._groups.move_to_end(key)
        return table_row(group, i - self._starts[g])

    @property
    def names(self) -> list[str]:
        """The table's column names (none when the graph has no such table)."""
        _ = self._file
        return list(self._names)

    def columns(self, names: list[str]) -> pa.Table:
        """Whole columns of the table, read through the file opened at open (so they stay
        readable after the version is pruned); empty when the graph has no such table."""
        source = self._file
        if source is None:
            return pa.table({n: pa.array([], pa.string()) for n in names})
        with self._lock:
            return source.read(columns=names)


class Artifact:
    """Read access to one version of a built graph."""

    def __init__(self, path: Path, manifest: dict[str, Any]) -> None:
        self.path = path
        self.manifest = manifest

    @classmethod
    def open(cls, graph_dir: Path | str | None = None) -> Artifact:
        """Open the current version of a graph directory (or a version folder itself)."""
        root = Path(graph_dir) if graph_dir is not None else default_graph_dir()
        if (root / "manifest.json").is_file():
            path = root
        else:
            current = root / "CURRENT"
            if not current.is_file():
                raise GraphNotFoundError(
                    f"no graph at {root} (run `ttkg build` first, or pass --graph DIR)"
                )
            path = root / "versions" / current.read_text().strip()
        try:
            manifest = json.loads((path / "manifest.json").read_text())
        except (OSError, ValueError) as exc:
            raise ArtifactError(f"{path}: unreadable manifest ({exc})") from exc
        if manifest.get("format") != FORMAT:
            raise ArtifactError(
                f"{path}: graph format {manifest.get('format')!r}, this ttkg reads {FORMAT!r};"
                " rebuild with `ttkg build`"
            )
        return cls(path, manifest)

    def nodes(self, label: NodeLabel, columns: list[str] | None = None) -> pa.Table:
        """The node table of a label (empty if the graph has none)."""
        return self._read(
            self.path / "nodes" / f"{label.value}.parquet", node_schema(label), columns
        )

    def edges(
        self,
        etype: EdgeType,
        columns: list[str] | None = None,
        *,
        endpoints_as_dictionary: bool = False,
    ) -> pa.Table:
        """The edge table of a type (empty if the graph has none). With
        endpoints_as_dictionary, src and dst come dictionary-encoded (fast to index)."""
        path = self.path / "edges" / f"{etype.value}.parquet"
        if endpoints_as_dictionary and path.is_file():
            return pq.read_table(path, columns=columns, read_dictionary=["src", "dst"])
        return self._read(path, edge_schema(etype), columns)

    def edge_count(self, etype: EdgeType) -> int:
        """Rows of an edge table (0 if the graph has none), from its Parquet metadata."""
        path = self.path / "edges" / f"{etype.value}.parquet"
        return pq.read_metadata(path).num_rows if path.is_file() else 0

    def iter_edge_endpoints(self, etype: EdgeType, rows: int) -> Iterator[pa.Table]:
        """The src and dst columns of an edge table, dictionary-encoded (a dictionary per
        row group), a few row groups of about `rows` rows in all at a time: bounded memory
        for the serving index of a table of 63M rows."""
        path = self.path / "edges" / f"{etype.value}.parquet"
        if not path.is_file():
            return
        source = pq.ParquetFile(path, read_dictionary=["src", "dst"])
        meta, groups, at = source.metadata, [], 0
        for g in range(meta.num_row_groups):
            groups.append(g)
            at += meta.row_group(g).num_rows
            if at >= rows or g == meta.num_row_groups - 1:
                yield source.read_row_groups(groups, columns=["src", "dst"])
                groups, at = [], 0

    def iter_node_batches(
        self, label: NodeLabel, batch_size: int = 10_000
    ) -> Iterator[pa.RecordBatch]:
        """Stream a node table in record batches (bounded memory for exports)."""
        yield from self._batches(self.path / "nodes" / f"{label.value}.parquet", batch_size)

    def iter_edge_batches(
        self, etype: EdgeType, batch_size: int = 10_000
    ) -> Iterator[pa.RecordBatch]:
        """Stream an edge table in record batches (bounded memory for exports)."""
        yield from self._batches(self.path / "edges" / f"{etype.value}.parquet", batch_size)

    def edge_rows(self, etype: EdgeType) -> EdgeRows:
        """Random access to the rows of an edge table, a row group at a time."""
        return EdgeRows(self.path / "edges" / f"{etype.value}.parquet")

    @staticmethod
    def _batches(path: Path, batch_size: int) -> Iterator[pa.RecordBatch]:
        if path.is_file():
            yield from pq.ParquetFile(path).iter_batches(batch_size=batch_size)

    @staticmethod
    def _read(path: Path, schema: pa.Schema, columns: list[str] | None) -> pa.Table:
        if not path.is_file():
            empty = schema.empty_table()
            return empty.select(columns) if columns else empty
        return pq.read_table(path, columns=columns)

    @property
    def node_counts(self) -> dict[str, int]:
        """Node counts by label, from the manifest."""
        return dict(self.manifest.get("nodes", {}))

    @property
    def edge_counts(self) -> dict[str, int]:
        """Edge counts by type, from the manifest."""
        return dict(self.manifest.get("edges", {}))
