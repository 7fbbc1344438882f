"""`neo4j-admin database import full` CSV export: headers in the importer's format, row counts
equal to the manifest, values that read back to the artifact's, the command in the README.

Set TTKG_FULL_GRAPH to a graph directory built from the full shared data to check that export
too (it is not part of the default suite: the build takes minutes).
"""

from __future__ import annotations

import csv
import os
import re
from pathlib import Path
from typing import Any

import pytest

from ttkg.core.errors import ArtifactError, TtkgError
from ttkg.core.model import PROPERTIES, SCHEMA, EdgeType, NodeLabel
from ttkg.graph.artifact import Artifact
from ttkg.graph.backends.neo4j import cypher
from ttkg.graph.backends.neo4j.bulk_import import (
    ImportExport,
    choose_array_delimiter,
    export_neo4j_import,
)

csv.field_size_limit(1 << 30)

HEADER_TYPES = {"int", "double", "boolean", "string", "string[]"}
SPECIAL = re.compile(r"^(?:(\w*):ID\((\w+)\)|:START_ID\((\w+)\)|:END_ID\((\w+)\)|:LABEL|:TYPE)$")


def parse_header(header: list[str]) -> dict[str, Any]:
    """Check every column against the neo4j-admin header grammar; return its parts."""
    out: dict[str, Any] = {"props": {}, "id": None, "start": None, "end": None}
    for col in header:
        m = SPECIAL.match(col)
        if m:
            if m.group(2):
                out["id"] = (m.group(1), m.group(2))
            out["start"] = m.group(3) or out["start"]
            out["end"] = m.group(4) or out["end"]
            continue
        name, _, ptype = col.partition(":")
        assert re.fullmatch(r"[a-z_][a-z0-9_]*", name), col
        assert (ptype or "string") in HEADER_TYPES, col
        out["props"][name] = ptype or "string"
    return out


def read_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    return rows[0], rows[1:]


def check_export(artifact: Artifact, out: Path, result: ImportExport) -> None:
    """Headers parse, every file is in the command, rows per label/type match the manifest."""
    readme = (out / "README.md").read_text()
    command = result.command
    assert command.startswith("neo4j-admin database import full neo4j")
    assert command in readme
    node_rows: dict[str, int] = {}
    for rel in result.node_files:
        assert f"--nodes={rel}" in command
        header, rows = read_rows(out / rel)
        h = parse_header(header)
        label = h["id"][1]
        assert header[-1] == ":LABEL" and {r[-1] for r in rows} == {label}
        assert len({r[0] for r in rows}) == len(rows)  # ids unique in their ID space
        if label != cypher.META_LABEL:
            expected = {n: t for n, t in PROPERTIES[NodeLabel(label)]}
            for name, ptype in expected.items():
                want = {"float": "double", "bool": "boolean"}.get(ptype, ptype)
                assert h["props"][name] == want, (label, name)
        node_rows[label] = len(rows)
    edge_rows: dict[str, int] = {}
    for rel in result.relationship_files:
        assert f"--relationships={rel}" in command
        header, rows = read_rows(out / rel)
        h = parse_header(header)
        etype = EdgeType(rows[0][-1]) if rows else None
        assert etype is not None and {r[-1] for r in rows} == {etype.value}
        assert (NodeLabel(h["start"]), etype, NodeLabel(h["end"])) in SCHEMA
        edge_rows[etype.value] = edge_rows.get(etype.value, 0) + len(rows)
    assert node_rows.pop(cypher.META_LABEL) == 1
    assert node_rows == {k: v for k, v in artifact.node_counts.items() if v}
    assert edge_rows == {k: v for k, v in artifact.edge_counts.items() if v}
    assert result.node_counts == {
        label.value: artifact.node_counts.get(label.value, 0) for label in NodeLabel
    }


def typed(value: str, ptype: str, delimiter: str) -> Any:
    """A cell read back the way neo4j-admin reads it (empty = no property)."""
    if value == "":
        return [] if ptype == "string[]" else None
    if ptype == "string[]":
        return value.split(delimiter)
    if ptype == "int":
        return int(value)
    if ptype == "double":
        return float(value)
    if ptype == "boolean":
        return value == "true"
    return value


@pytest.fixture(scope="module")
def sample_export(sample_graph: Path, tmp_path_factory: pytest.TempPathFactory) -> ImportExport:
    return export_neo4j_import(Artifact.open(sample_graph), tmp_path_factory.mktemp("n4j"))


def test_sample_export_matches_the_manifest(
    sample_graph: Path, sample_export: ImportExport
) -> None:
    check_export(Artifact.open(sample_graph), sample_export.directory, sample_export)


def test_values_read_back_as_the_artifact_holds_them(
    sample_graph: Path, sample_export: ImportExport
) -> None:
    artifact = Artifact.open(sample_graph)
    d = sample_export.array_delimiter
    for label in (NodeLabel.ORGANIZATION, NodeLabel.CPC_CLASS, NodeLabel.PATENT):
        header, rows = read_rows(sample_export.directory / "nodes" / f"{label.value}.csv")
        h = parse_header(header)
        names = list(h["props"])
        want = {r["id"]: r for r in artifact.nodes(label).to_pylist()}
        for row in rows:
            got = {n: typed(v, h["props"][n], d) for n, v in zip(names, row[1:-1], strict=True)}
            keys = got.pop(cypher.SEARCH_KEYS, None)
            assert got == {k: v for k, v in want[row[0]].items() if k != "id"}
            if label is NodeLabel.ORGANIZATION:
                assert keys == cypher.search_keys(want[row[0]])
    # real values with newlines, quotes and the usual delimiters survive the round trip
    header, rows = read_rows(sample_export.directory / "nodes" / "Organization.csv")
    assert any("\n" in cell for row in rows for cell in row)
    assert any('"' in cell for row in rows for cell in row)
    assert "--multiline-fields=true" in sample_export.command


def test_relationships_read_back_as_the_artifact_holds_them(
    sample_graph: Path, sample_export: ImportExport
) -> None:
    """Every relationship file read with the csv module, independently of the writer: per
    type, the rows of its files are the artifact's edges, typed as the header says."""
    artifact = Artifact.open(sample_graph)
    d = sample_export.array_delimiter
    for etype in EdgeType:
        got: list[tuple[Any, ...]] = []
        for path in sorted((sample_export.directory / "relationships").glob(f"{etype.value}__*")):
            header, rows = read_rows(path)
            h = parse_header(header)
            assert (etype.value, h["start"], h["end"]) == tuple(path.stem.split("__"))
            for row in rows:
                assert row[-1] == etype.value
                props = [
                    typed(v, t, d) for v, t in zip(row[2:-1], h["props"].values(), strict=True)
                ]
                got.append((row[0], row[1], *props))
        want = [tuple(r.values()) for r in artifact.edges(etype).to_pylist()]
        assert sorted(got, key=repr) == sorted(want, key=repr), etype
        assert len(got) == sample_export.edge_counts[etype.value]


def test_the_output_does_not_depend_on_the_batch_size(
    sample_graph: Path, sample_export: ImportExport, tmp_path: Path
) -> None:
    """Streamed a few rows at a time (batches that split row groups, files and labels), the
    export writes the same bytes as with its default batches."""
    small = export_neo4j_import(Artifact.open(sample_graph), tmp_path, batch_size=997)
    assert small.command == sample_export.command
    files = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    assert files == sorted(
        p.relative_to(sample_export.directory)
        for p in sample_export.directory.rglob("*")
        if p.is_file()
    )
    for name in files:
        assert (tmp_path / name).read_bytes() == (sample_export.directory / name).read_bytes()


def test_array_delimiter_avoids_every_value() -> None:
    assert choose_array_delimiter(["a;b", "c"]) == "|"
    assert choose_array_delimiter(["a|b", "c;d"]) == "\u001f"
    with pytest.raises(ArtifactError, match="delimiter"):
        choose_array_delimiter(["|;\u001f\u001e"])


def test_export_refuses_a_non_empty_folder(sample_graph: Path, tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("x")
    with pytest.raises(TtkgError, match="not empty"):
        export_neo4j_import(Artifact.open(sample_graph), tmp_path)


@pytest.mark.slow
@pytest.mark.skipif(not os.environ.get("TTKG_FULL_GRAPH"), reason="TTKG_FULL_GRAPH not set")
def test_full_shared_data_export(tmp_path: Path) -> None:
    artifact = Artifact.open(os.environ["TTKG_FULL_GRAPH"])
    result = export_neo4j_import(artifact, tmp_path / "full")
    check_export(artifact, tmp_path / "full", result)
