"""Export a built graph as CSV files for `neo4j-admin database import full`: the bulk path that
loads full PatentsView scale into Neo4j in minutes, where a transactional push takes hours.

Layout written into DIR::

    nodes/<Label>.csv                       header row: id:ID(<Label>), typed properties, :LABEL
    nodes/TtkgGraph.csv                     the manifest node the Neo4j backend reads
    relationships/<TYPE>__<Src>__<Dst>.csv  :START_ID(<Src>), :END_ID(<Dst>), properties, :TYPE
    schema.cypher                           constraints and indexes to create after the import
    README.md                               the exact import command

Each label is its own ID space (ids are unique per label). Properties carry their types in the
header (`year:int`, `share:double`, `aliases:string[]`); nulls are empty fields, which the
importer skips. Values may hold newlines (real assignee names do), so the command passes
`--multiline-fields=true`; the array delimiter is chosen so that it occurs in no array value.
"""

from __future__ import annotations

import csv
import json
import logging
import shutil
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Final

from ttkg.core.errors import ArtifactError, TtkgError
from ttkg.core.model import PROPERTIES, SCHEMA, EdgeType, NodeLabel, PropType, label_of_id
from ttkg.core.progress import NO_PROGRESS, Progress
from ttkg.graph.artifact import Artifact
from ttkg.graph.backends.neo4j import cypher
from ttkg.graph.backends.neo4j.dialect import Dialect

__all__ = [
    "ARRAY_DELIMITER_CANDIDATES",
    "CSV_TYPES",
    "ImportExport",
    "edge_header",
    "export_neo4j_import",
    "import_command",
    "node_header",
]

log = logging.getLogger(__name__)

#: neo4j-admin header type of each artifact property type.
CSV_TYPES: Final[dict[PropType, str]] = {
    "string": "string",
    "int": "int",
    "float": "double",
    "bool": "boolean",
    "string[]": "string[]",
}

#: Array delimiters tried in order; the first that occurs in no array value is used.
ARRAY_DELIMITER_CANDIDATES: Final = ("|", ";", "\u001f", "\u001e")

DATABASE: Final = "neo4j"
#: Rows read and written at a time: memory is bounded by a batch, not by the graph.
BATCH_ROWS: Final = 10_000


@dataclass
class ImportExport:
    """What an export wrote: files with row counts, the delimiter, the command."""

    directory: Path
    array_delimiter: str
    node_files: dict[str, int] = field(default_factory=dict)  # relative path -> rows
    relationship_files: dict[str, int] = field(default_factory=dict)
    node_counts: dict[str, int] = field(default_factory=dict)  # label -> rows
    edge_counts: dict[str, int] = field(default_factory=dict)  # type -> rows
    command: str = ""


def _column(name: str, ptype: PropType) -> str:
    return name if ptype == "string" else f"{name}:{CSV_TYPES[ptype]}"


def _node_columns(label: NodeLabel) -> list[tuple[str, PropType]]:
    cols: list[tuple[str, PropType]] = list(PROPERTIES[label])
    cols.append(("source", "string"))
    if label in cypher.SEARCHABLE_LABELS:
        cols.append((cypher.SEARCH_KEYS, "string[]"))
    return cols


def node_header(label: NodeLabel) -> list[str]:
    """Header row of a label's node file: `id:ID(<Label>)`, typed properties, `:LABEL`."""
    return [f"id:ID({label.value})"] + [_column(n, t) for n, t in _node_columns(label)] + [":LABEL"]


def edge_header(src: NodeLabel, etype: EdgeType, dst: NodeLabel) -> list[str]:
    """Header row of a relationship file: start and end in their labels' ID spaces."""
    cols: list[tuple[str, PropType]] = [*PROPERTIES[etype], ("source", "string")]
    return (
        [f":START_ID({src.value})", f":END_ID({dst.value})"]
        + [_column(n, t) for n, t in cols]
        + [":TYPE"]
    )


def _meta_header() -> list[str]:
    return [f"key:ID({cypher.META_LABEL})", "build_id", "format", "manifest", "status", ":LABEL"]


def _cell(value: Any, ptype: PropType, delimiter: str) -> str:
    """One CSV cell: empty for null (the importer then sets no property)."""
    if value is None:
        return ""
    if ptype == "string[]":
        return delimiter.join(value)
    if ptype == "bool":
        return "true" if value else "false"
    if ptype == "float":
        return repr(float(value))
    return str(value)


def _delimiter_literal(delimiter: str) -> str:
    """The delimiter as neo4j-admin takes it on a command line, e.g. `U+007C`."""
    return f"U+{ord(delimiter):04X}"


def choose_array_delimiter(values: Iterable[str]) -> str:
    """The first candidate delimiter that occurs in none of the values."""
    seen: set[str] = set()
    wanted = set(ARRAY_DELIMITER_CANDIDATES)
    for v in values:
        seen.update(wanted.intersection(v))
        if seen >= wanted:
            break
    for d in ARRAY_DELIMITER_CANDIDATES:
        if d not in seen:
            return d
    raise ArtifactError("every candidate array delimiter occurs in some array value")


def _array_values(artifact: Artifact, batch_size: int) -> Iterator[str]:
    """Every string that will be written inside an array cell (lists and search keys)."""
    for label in NodeLabel:
        arrays = [n for n, t in PROPERTIES[label] if t == "string[]"]
        names = ["name"] if label in cypher.SEARCHABLE_LABELS else []
        cols = arrays + names
        if not cols:
            continue
        for batch in artifact.iter_node_batches(label, batch_size):
            for col in cols:
                for v in batch.column(col).to_pylist():
                    if isinstance(v, list):
                        yield from (x for x in v if x)
                    elif v:
                        yield v


def _writer(fh: IO[str]) -> Any:
    # QUOTE_MINIMAL with doubled quotes: what neo4j-admin reads by default
    return csv.writer(fh, delimiter=",", quotechar='"', lineterminator="\n", doublequote=True)


def export_neo4j_import(
    artifact: Artifact,
    directory: Path,
    *,
    overwrite: bool = False,
    progress: Progress = NO_PROGRESS,
    batch_size: int = BATCH_ROWS,
) -> ImportExport:
    """Write the neo4j-admin import files of `artifact` into `directory` (created; it must be
    empty unless overwrite). Returns the files, row counts and the import command.

    Streams: every table is read `batch_size` rows at a time (Parquet record batches) and
    written out before the next is read, so memory stays bounded whatever the graph's size."""
    directory = Path(directory)
    if directory.exists() and any(directory.iterdir()):
        if not overwrite:
            raise TtkgError(f"{directory} is not empty (pass --force to replace its contents)")
        for sub in ("nodes", "relationships"):
            shutil.rmtree(directory / sub, ignore_errors=True)
    (directory / "nodes").mkdir(parents=True, exist_ok=True)
    (directory / "relationships").mkdir(exist_ok=True)

    with progress.task("choosing the array delimiter"):
        delimiter = choose_array_delimiter(_array_values(artifact, batch_size))
    result = ImportExport(directory, delimiter)

    for label in NodeLabel:
        n = _write_nodes(artifact, label, directory, delimiter, progress, batch_size)
        if n:
            result.node_files[f"nodes/{label.value}.csv"] = n
        else:
            (directory / "nodes" / f"{label.value}.csv").unlink()
        result.node_counts[label.value] = n
    _write_meta(artifact, directory)
    result.node_files[f"nodes/{cypher.META_LABEL}.csv"] = 1

    for etype in EdgeType:
        counts = _write_edges(artifact, etype, directory, delimiter, progress, batch_size)
        result.relationship_files.update(counts)
        result.edge_counts[etype.value] = sum(counts.values())

    result.command = import_command(
        list(result.node_files), list(result.relationship_files), delimiter
    )
    (directory / "schema.cypher").write_text(schema_script())
    (directory / "README.md").write_text(readme(artifact, result))
    log.info(
        "neo4j-admin import files of build %s written to %s",
        artifact.manifest.get("build_id"),
        directory,
    )
    return result


def _write_nodes(
    artifact: Artifact,
    label: NodeLabel,
    directory: Path,
    delimiter: str,
    progress: Progress,
    batch_size: int,
) -> int:
    cols = _node_columns(label)
    searchable = label in cypher.SEARCHABLE_LABELS
    total = int(artifact.node_counts.get(label.value, 0))
    rows = 0
    path = directory / "nodes" / f"{label.value}.csv"
    with (
        path.open("w", encoding="utf-8", newline="") as fh,
        progress.task(f"nodes {label.value}", total=total) as advance,
    ):
        w = _writer(fh)
        w.writerow(node_header(label))
        for batch in artifact.iter_node_batches(label, batch_size):
            for r in batch.to_pylist():
                if searchable:
                    r[cypher.SEARCH_KEYS] = cypher.search_keys(r)
                w.writerow(
                    [r["id"], *(_cell(r.get(n), t, delimiter) for n, t in cols), label.value]
                )
            rows += batch.num_rows
            advance(batch.num_rows)
    return rows


def _write_meta(artifact: Artifact, directory: Path) -> None:
    m = artifact.manifest
    with (directory / "nodes" / f"{cypher.META_LABEL}.csv").open(
        "w", encoding="utf-8", newline=""
    ) as fh:
        w = _writer(fh)
        w.writerow(_meta_header())
        w.writerow(
            [
                cypher.META_KEY,
                str(m.get("build_id", "")),
                str(m.get("format", "")),
                json.dumps(m, sort_keys=True),
                "complete",
                cypher.META_LABEL,
            ]
        )


def _write_edges(
    artifact: Artifact,
    etype: EdgeType,
    directory: Path,
    delimiter: str,
    progress: Progress,
    batch_size: int,
) -> dict[str, int]:
    """One file per (source label, target label) of the type; returns rows per file."""
    cols: list[tuple[str, PropType]] = [*PROPERTIES[etype], ("source", "string")]
    files: dict[tuple[NodeLabel, NodeLabel], tuple[IO[str], Any]] = {}
    counts: dict[str, int] = {}
    total = int(artifact.edge_counts.get(etype.value, 0))
    try:
        with progress.task(f"relationships {etype.value}", total=total) as advance:
            for batch in artifact.iter_edge_batches(etype, batch_size):
                for r in batch.to_pylist():
                    src, dst = label_of_id(r["src"]), label_of_id(r["dst"])
                    if src is None or dst is None or (src, etype, dst) not in SCHEMA:
                        raise ArtifactError(
                            f"edges/{etype.value}: ({r['src']})-[:{etype.value}]->({r['dst']}) "
                            "does not fit the schema"
                        )
                    if (src, dst) not in files:
                        name = f"relationships/{etype.value}__{src.value}__{dst.value}.csv"
                        opened: IO[str] = (directory / name).open("w", encoding="utf-8", newline="")
                        header = _writer(opened)
                        header.writerow(edge_header(src, etype, dst))
                        files[(src, dst)] = (opened, header)
                        counts[name] = 0
                    _, w = files[(src, dst)]
                    w.writerow(
                        [
                            r["src"],
                            r["dst"],
                            *(_cell(r.get(n), t, delimiter) for n, t in cols),
                            etype.value,
                        ]
                    )
                    counts[f"relationships/{etype.value}__{src.value}__{dst.value}.csv"] += 1
                advance(batch.num_rows)
    finally:
        for handle, _ in files.values():
            handle.close()
    return counts


def import_command(
    node_files: list[str], relationship_files: list[str], delimiter: str, prefix: str = ""
) -> str:
    """The `neo4j-admin database import full` command for the files (paths relative to the
    export folder, or under `prefix`)."""
    lines = [
        f"neo4j-admin database import full {DATABASE}",
        "--overwrite-destination=true",
        f'--array-delimiter="{_delimiter_literal(delimiter)}"',
        "--multiline-fields=true",
        "--id-type=string",
    ]
    lines += [f"--nodes={prefix}{f}" for f in node_files]
    lines += [f"--relationships={prefix}{f}" for f in relationship_files]
    return " \\\n  ".join(lines)


def schema_script() -> str:
    """Constraints and indexes to create once the imported database is running (the same
    statements a push creates), one per line, for `cypher-shell -f schema.cypher`."""
    return "".join(f"{q};\n" for q, _ in cypher.schema_statements(Dialect.NEO4J))


def readme(artifact: Artifact, result: ImportExport) -> str:
    """README.md of an export folder: what is in it and the exact commands."""
    m = artifact.manifest
    docker_cmd = import_command(
        list(result.node_files),
        list(result.relationship_files),
        result.array_delimiter,
        prefix="/import/",
    )
    counts = "\n".join(
        f"| {k} | {v:,} |"
        for k, v in [*result.node_counts.items(), *result.edge_counts.items()]
        if v
    )
    return f"""# ttkg graph for `neo4j-admin database import`

Build `{m.get("build_id")}` (format `{m.get("format")}`), written by `ttkg export neo4j-import`.
Node files have one ID space per label; relationship files are split by type and by the labels
of their ends. Array properties use the delimiter `{_delimiter_literal(result.array_delimiter)}`.

| label / type | rows |
|---|---|
{counts}

## Import (Neo4j 5, database stopped or not yet created)

From this folder:

```sh
{result.command}
```

With the project's docker-compose (Neo4j stopped, this folder mounted at /import):

```sh
docker compose stop neo4j
docker compose run --rm --no-deps -v "$PWD:/import:ro" neo4j \\
  {docker_cmd.replace(chr(10), chr(10) + "  ")}
docker compose start neo4j
```

## Then create the constraints and indexes

```sh
cypher-shell -u neo4j -p <password> -d {DATABASE} -f schema.cypher
```

`ttkg serve --backend neo4j` (or any `ttkg query ... --backend neo4j`) then reads this graph.
"""
