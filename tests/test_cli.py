"""The CLI end to end on the bundled sample (Typer's runner, real backend, real files)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from ttkg.cli.main import app
from ttkg.graph.backends.contract import GraphBackend
from ttkg.queries.bridges import bridges
from ttkg.queries.common import make_filters

runner = CliRunner()


def test_stats_json_is_keyed_by_label_and_type(
    sample_graph: Path, memory_backend: GraphBackend
) -> None:
    r = runner.invoke(app, ["stats", "--graph", str(sample_graph), "--format", "json"])
    assert r.exit_code == 0, r.output
    body = json.loads(r.output)
    assert body["nodes"] == memory_backend.node_counts()
    assert body["edges"] == memory_backend.edge_counts()
    assert body["nodes"]["Patent"] == 15000
    manifest = memory_backend.manifest()
    assert body["coverage"] == manifest["coverage"]
    assert body["releases"]["cpc"] == manifest["sources"]["cpc"]["release"] == "2025-05-01"


def test_bridges_json_equals_the_api_result(
    sample_graph: Path, memory_backend: GraphBackend
) -> None:
    r = runner.invoke(
        app,
        [
            "query",
            "bridges",
            "Semiconductors",
            "Optics",
            "--years",
            "2010-2020",
            "--kind",
            "university",
            "--partner-kind",
            "company",
            "--limit",
            "3",
            "--graph",
            str(sample_graph),
            "--format",
            "json",
        ],
    )
    assert r.exit_code == 0, r.output
    want = bridges(
        memory_backend,
        "Semiconductors",
        "Optics",
        make_filters("2010-2020", kind="university", partner_kind="company"),
        limit=3,
        evidence=3,
    )
    assert json.loads(r.output) == want.model_dump(mode="json")


def test_table_output_is_readable(sample_graph: Path) -> None:
    r = runner.invoke(
        app,
        [
            "query",
            "paths",
            "Tsinghua University",
            "Hon Hai Precision Industry Co., Ltd.",
            "--via",
            "CO_ASSIGNED",
            "--graph",
            str(sample_graph),
        ],
        terminal_width=200,
    )
    assert r.exit_code == 0, r.output
    assert "Path 1 (1 hop)" in r.output and "CO_ASSIGNED" in r.output
    r = runner.invoke(
        app, ["show", "cpc:H01L21/02", "--graph", str(sample_graph)], terminal_width=200
    )
    assert r.exit_code == 0 and "BROADER" in r.output


def test_errors_are_one_line_not_tracebacks(sample_graph: Path, tmp_path: Path) -> None:
    r = runner.invoke(app, ["show", "Nowhere Institute", "--graph", str(sample_graph)])
    assert r.exit_code == 3 and "Traceback" not in r.output
    r = runner.invoke(
        app,
        [
            "query",
            "bridges",
            "Optics",
            "Semiconductors",
            "--years",
            "20x0",
            "--graph",
            str(sample_graph),
        ],
    )
    assert r.exit_code == 2 and "years must look like" in r.output
    r = runner.invoke(app, ["stats", "--graph", str(tmp_path)])
    assert r.exit_code == 1 and "ttkg build" in r.output


def test_build_writes_a_versioned_graph(tmp_path: Path) -> None:
    r = runner.invoke(app, ["build", "--out", str(tmp_path / "g"), "--format", "json"])
    assert r.exit_code == 0, r.output
    manifest = json.loads(r.output)
    assert (tmp_path / "g" / "CURRENT").read_text().strip() == manifest["build_id"]
    assert manifest["nodes"]["Patent"] == 15000
