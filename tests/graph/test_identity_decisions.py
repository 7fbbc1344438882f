"""Issue 13: the build stores its identity decisions; `explain --graph` reads them; reviewed
overrides go into the build and its manifest. On the bundled real sample."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
from typer.testing import CliRunner

from ttkg.cli.identity_commands import app as identity_app
from ttkg.core.model import EdgeType, NodeLabel
from ttkg.graph.artifact import Artifact
from ttkg.graph.build.builder import build_graph
from ttkg.graph.identity import IdentitySettings
from ttkg.graph.identity.stored import NAMES_FILE, read_decision

runner = CliRunner()


def test_every_assignee_string_has_a_stored_decision(sample_graph: Path) -> None:
    art = Artifact.open(sample_graph)
    names = pq.read_table(art.path / NAMES_FILE).to_pylist()
    by_name = {r["name"]: r for r in names}
    edges = art.edges(EdgeType.ASSIGNED_TO).to_pylist()
    orgs = {r["id"]: r for r in art.nodes(NodeLabel.ORGANIZATION).to_pylist()}
    for e in edges:
        # the stored decision names the very node the patent is assigned to
        assert by_name[e["raw_name"]]["organization"] == e["dst"], e["raw_name"]
    assert all(0.0 < r["score"] <= 1.0 and r["reason"] for r in names)
    assert art.manifest["identity"]["names_file"] == NAMES_FILE
    assert art.manifest["identity"]["overrides"] is None
    holders = {e["dst"] for e in edges}
    for node in holders:
        o = orgs[node]
        assert o["merge_reason"], node
        assert o["link_reason"], node  # why linked, or why not
        if o["ror_id"]:
            assert 0.0 < o["link_score"] <= 1.0, node
        assert o["country_basis"] is None or o["country_confidence"] is None or (
            0.0 < o["country_confidence"] <= 1.0
        )


def test_explain_reads_the_built_decision(sample_graph: Path) -> None:
    art = Artifact.open(sample_graph)
    decision = read_decision(art.path, "Tsinghua University")
    assert decision is not None
    assert decision.organization["ror_id"] == "https://ror.org/03cve4549"
    result = runner.invoke(identity_app, ["explain", "TSINGHUA UNIVERSITY", "--graph",
                                          str(sample_graph)])
    assert result.exit_code == 0, result.output
    assert "stored decision of the build" in result.output
    assert "ror:03cve4549" in result.output and "basis ror" in result.output
    # the stored family: the MEMBER_OF edge of the organisation, or its own family
    family = next(line for line in decision.lines() if line.startswith("family:"))
    member_of = pq.read_table(art.path / "edges" / "MEMBER_OF.parquet").to_pylist()
    edge = next((e for e in member_of if e["src"] == "ror:03cve4549"), None)
    assert (edge["dst"] in family and edge["reason"] in family) if edge else \
        "its own family" in family
    missing = runner.invoke(identity_app, ["explain", "No Such Assignee Ltd", "--graph",
                                           str(sample_graph)])
    assert missing.exit_code == 1
    assert "not an assignee string" in missing.output


def test_reviewed_overrides_change_the_build_and_are_reported(tmp_path: Path) -> None:
    overrides = tmp_path / "reviewed.csv"
    overrides.write_text(
        "action,name,target,note\n"
        "unlink,Tsinghua University,,a reviewer's decision\n"
        "unlink,TSINGHUA UNIVERSITY,,a reviewer's decision\n"
        "merge,No Such Assignee Ltd,Tsinghua University,\n",
        encoding="utf-8",
    )
    result = build_graph(out=tmp_path / "g",
                         identity=IdentitySettings(overrides_path=overrides))
    applied = result.manifest["identity"]["overrides"]
    assert applied["file"] == str(overrides)
    assert applied["decisions"]["unlink"] == 2 and applied["decisions"]["merge"] == 1
    assert applied["names_not_in_data"] == ["No Such Assignee Ltd"]
    decision = read_decision(result.path, "Tsinghua University")
    assert decision is not None
    assert decision.organization["ror_id"] is None
    assert decision.names[0].decided_by == "override"
    assert "refused by override" in decision.organization["link_reason"] or \
        decision.organization["link_reason"].startswith("not linked")
    manifest = json.loads((result.path / "manifest.json").read_text())
    assert manifest["identity"]["overrides"]["names_in_data"] == 2


def test_families_are_stored_as_member_of_edges(sample_graph: Path) -> None:
    art = Artifact.open(sample_graph)
    orgs = {r["id"]: r for r in art.nodes(NodeLabel.ORGANIZATION).to_pylist()}
    holders = {e["dst"] for e in art.edges(EdgeType.ASSIGNED_TO).to_pylist()}
    assert all(orgs[h]["family_id"] for h in holders)
    edges = art.edges(EdgeType.MEMBER_OF).to_pylist()
    assert edges, "the sample has organisations in larger families"
    for e in edges:
        assert e["src"] != e["dst"] and e["dst"] in orgs
        assert orgs[e["src"]]["family_id"] == e["dst"]
        assert 0.0 < e["score"] <= 1.0 and e["reason"]
