"""`ttkg neo4j push` and `ttkg export neo4j-import` end to end (Typer's runner, real files,
the real Bolt server), and the Neo4j backend selected from the query CLI."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.neo4j.bolt import BoltServer, pushed_sample
from tests.neo4j.subgraph import write_slice
from tests.parity import assert_same
from tests.servers import free_port
from ttkg.cli.main import app
from ttkg.graph.artifact import Artifact
from ttkg.graph.backends.memory.backend import MemoryBackend

runner = CliRunner()


def test_export_writes_files_and_prints_the_command(sample_graph: Path, tmp_path: Path) -> None:
    out = tmp_path / "import"
    r = runner.invoke(app, ["export", "neo4j-import", str(out), "--graph", str(sample_graph), "-q"])
    assert r.exit_code == 0, r.output
    assert "neo4j-admin database import full neo4j" in r.output
    assert (out / "README.md").is_file() and (out / "schema.cypher").is_file()
    assert (out / "nodes" / "Patent.csv").is_file()
    again = runner.invoke(app, ["export", "neo4j-import", str(out), "--graph", str(sample_graph)])
    assert again.exit_code == 1 and "--force" in again.output
    forced = runner.invoke(
        app, ["export", "neo4j-import", str(out), "--graph", str(sample_graph), "--force", "-q"]
    )
    assert forced.exit_code == 0, forced.output


def test_push_to_a_server_that_is_down_fails_cleanly(sample_graph: Path) -> None:
    uri = f"bolt://127.0.0.1:{free_port()}"
    r = runner.invoke(
        app,
        ["neo4j", "push", "--graph", str(sample_graph), "--uri", uri, "--password", "pw-XYZ-123"],
    )
    assert r.exit_code == 1
    assert "cannot reach Neo4j" in r.output and uri in r.output
    assert "pw-XYZ-123" not in r.output
    assert "Traceback" not in r.output


@pytest.mark.bolt
def test_push_prints_counts_and_is_repeatable(
    scratch_server: BoltServer, sample_graph: Path, tmp_path: Path
) -> None:
    graph = write_slice(sample_graph, tmp_path / "slice", patents=20, offset=100).path.parent.parent
    s = scratch_server
    args = [
        "neo4j",
        "push",
        "--graph",
        str(graph),
        "--uri",
        s.uri,
        "--user",
        s.user,
        "--database",
        s.database,
        "-q",
    ]
    env = {"TTKG_NEO4J_PASSWORD": s.password}
    first = runner.invoke(app, [*args, "--replace"], env=env)
    assert first.exit_code == 0, first.output
    assert "Pushed build" in first.output
    artifact = Artifact.open(graph)
    patents = artifact.node_counts["Patent"]
    assert re.search(rf"│ Patent +│ {patents:,} +│ {patents:,} +│", first.output), first.output
    assert re.search(r"│ ACTIVE_IN \(derived\) +│ [1-9][\d,]* +│ - +│", first.output), first.output
    again = runner.invoke(app, args, env=env)
    assert again.exit_code == 0, again.output
    assert s.password not in first.output + again.output


@pytest.mark.bolt
def test_query_commands_read_from_neo4j(
    bolt_server: BoltServer, sample_graph: Path, memory_backend: MemoryBackend
) -> None:
    s = pushed_sample(bolt_server, sample_graph)
    env = {"TTKG_NEO4J_PASSWORD": s.password}
    r = runner.invoke(
        app,
        [
            "stats",
            "--backend",
            "neo4j",
            "--uri",
            s.uri,
            "--user",
            s.user,
            "--database",
            s.database,
            "--format",
            "json",
        ],
        env=env,
    )
    assert r.exit_code == 0, r.output
    body = json.loads(r.output)
    assert_same(
        {"nodes": body["nodes"], "edges": body["edges"]},
        {"nodes": memory_backend.node_counts(), "edges": memory_backend.edge_counts()},
        "ttkg stats --backend neo4j",
    )
    assert body["coverage"] == memory_backend.manifest()["coverage"]  # pushed with the build
