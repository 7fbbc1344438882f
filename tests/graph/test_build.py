"""The build on the bundled real sample: accounting, model, provenance, atomicity."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import zipfile
from pathlib import Path

import pytest

from ttkg.core.errors import GraphNotFoundError, InputError
from ttkg.core.model import SCHEMA, EdgeType, NodeLabel, label_of_id
from ttkg.graph.artifact import Artifact
from ttkg.graph.build.builder import BuildResult, build_graph
from ttkg.loaders.sources import SAMPLE_DIR, SourcePaths


def _rows_in_zip(path: Path) -> int:
    with zipfile.ZipFile(path) as zf:
        text = zf.read(zf.namelist()[0]).decode("utf-8")
    return sum(1 for _ in csv.reader(io.StringIO(text), delimiter="\t")) - 1


def test_manifest_accounts_for_every_input_row(sample_build: BuildResult) -> None:
    m = sample_build.manifest
    by_file = {f["file"]: f for f in m["inputs"]}
    for f in m["inputs"]:
        assert f["read"] == f["accepted"] + f["rejected"], f
    pv = SAMPLE_DIR / "patentsview"
    for name in ("g_patent", "g_assignee_not_disambiguated", "g_cpc_current"):
        assert by_file[f"{name}.tsv.zip"]["read"] == _rows_in_zip(pv / f"{name}.tsv.zip")
    assert m["rejected_rows"] == sum(f["rejected"] for f in m["inputs"])
    assert m["warnings"] == []  # every input of the sample holds data


def test_counts_match_the_sample(sample_build: BuildResult) -> None:
    m = sample_build.manifest
    assert m["nodes"]["Patent"] == _rows_in_zip(SAMPLE_DIR / "patentsview" / "g_patent.tsv.zip")
    merged = m["notes"].get("cpc_rows_duplicate_patent_symbol_merged", 0)
    assert m["edges"]["CLASSIFIED_AS"] + merged == _rows_in_zip(
        SAMPLE_DIR / "patentsview" / "g_cpc_current.tsv.zip"
    )
    assert m["nodes"]["TechnologyField"] == 35 + 5
    assert m["nodes"]["Country"] >= 249


def test_every_edge_respects_the_schema_and_has_provenance(sample_graph: Path) -> None:
    art = Artifact.open(sample_graph)
    for etype in EdgeType:
        table = art.edges(etype)
        if not table.num_rows:
            continue
        pairs = {
            (label_of_id(s), label_of_id(d))
            for s, d in zip(
                table.column("src").to_pylist(), table.column("dst").to_pylist(), strict=True
            )
        }
        for src, dst in pairs:
            assert src is not None and dst is not None
            assert (src, etype, dst) in SCHEMA, (src, etype, dst)
        assert None not in set(table.column("source").to_pylist())
    sources = art.manifest["sources"]
    for label in NodeLabel:
        for key in set(art.nodes(label).column("source").to_pylist()):
            assert key in sources and sources[key]["licence"]


def test_patents_in_a_field_follow_the_concordance(sample_graph: Path) -> None:
    art = Artifact.open(sample_graph)
    in_field = art.edges(EdgeType.IN_FIELD).to_pylist()
    patent_fields = {(e["src"], e["dst"]) for e in in_field if e["src"].startswith("patent:")}
    # the rule itself, on every real row: each patent->field edge has a CPC symbol of the
    # patent that matches the recorded LIKE pattern (subclass, or subclass + main group exactly)
    classified: dict[str, list[str]] = {}
    for e in art.edges(EdgeType.CLASSIFIED_AS).to_pylist():
        classified.setdefault(e["src"], []).append(e["dst"][4:])
    for e in in_field:
        if not e["src"].startswith("patent:"):
            continue
        m = re.match(r"^([A-HY]\d\d[A-Z])\s*(\d*)/?%$", e["pattern"])
        assert m is not None, e
        sub, group = m.groups()
        want = f"{sub}{group}/" if group else sub
        assert any(s.startswith(want) for s in classified[e["src"]]), e
    assert len({p for p, _ in patent_fields}) == art.manifest["notes"]["patents_in_a_wipo_field"]


def test_organisations_merge_variants_and_link_ror(sample_graph: Path) -> None:
    art = Artifact.open(sample_graph)
    orgs = {r["id"]: r for r in art.nodes(NodeLabel.ORGANIZATION).to_pylist()}
    tsinghua = orgs["ror:03cve4549"]
    assert tsinghua["name"] == "Tsinghua University"
    assert tsinghua["kind"] == "university" and tsinghua["country"] == "CN"
    assert {"TSINGHUA UNIVERSITY"} <= set(tsinghua["aliases"])  # case variant merged
    assert tsinghua["country_basis"] == "ror"
    # an organisation not in ROR gets its country from its inventors, marked as inferred
    hon_hai = [o for o in orgs.values() if o["name"] == "Hon Hai Precision Industry Co., Ltd."]
    assert len(hon_hai) == 1
    assert hon_hai[0]["ror_id"] is None
    # (a foreign assignee type: its non-US inventors decide, never the US)
    assert hon_hai[0]["country_basis"] == "inventors_foreign"
    assert hon_hai[0]["country"] not in (None, "US")
    assert 0 < hon_hai[0]["country_confidence"] < 1


def test_cpc_hierarchy_follows_dot_levels(sample_graph: Path) -> None:
    art = Artifact.open(sample_graph)
    parent = {e["src"]: e["dst"] for e in art.edges(EdgeType.BROADER).to_pylist()}
    assert parent["cpc:H01L21/02"] == "cpc:H01L21/00"
    assert parent["cpc:H01L21/00"] == "cpc:H01L"
    assert parent["cpc:H01L"] == "cpc:H01"
    assert parent["cpc:H01"] == "cpc:H"
    assert parent["wipo:field:8"] == "wipo:sector:1"


def test_failed_build_leaves_previous_graph_intact(sample_graph: Path, tmp_path: Path) -> None:
    out = tmp_path / "g"
    first = build_graph(SourcePaths.sample(), out)
    broken = tmp_path / "pv"
    shutil.copytree(SAMPLE_DIR / "patentsview", broken)
    data = (broken / "g_cpc_current.tsv.zip").read_bytes()
    (broken / "g_cpc_current.tsv.zip").write_bytes(data[: len(data) // 2])  # truncated download
    with pytest.raises(InputError, match="g_cpc_current"):
        build_graph(SourcePaths.sample().with_overrides(patentsview=broken), out)
    art = Artifact.open(out)
    assert art.manifest["build_id"] == first.manifest["build_id"]
    assert art.nodes(NodeLabel.PATENT).num_rows == first.manifest["nodes"]["Patent"]
    assert not [p for p in (out / "versions").iterdir() if p.name.startswith(".tmp")]


def test_missing_graph_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(GraphNotFoundError, match="ttkg build"):
        Artifact.open(tmp_path)


def test_rejections_file_lists_rejected_rows(tmp_path: Path) -> None:
    pv = tmp_path / "pv"
    shutil.copytree(SAMPLE_DIR / "patentsview", pv)
    src = pv / "g_patent.tsv.zip"
    with zipfile.ZipFile(src) as zf:
        name = zf.namelist()[0]
        lines = zf.read(name).decode("utf-8").split("\n")
    cells = lines[1].split("\t")
    cells[2] = '"2018-13-45"'  # an impossible date on a real row
    lines[1] = "\t".join(cells)
    with zipfile.ZipFile(src, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(name, "\n".join(lines))
    result = build_graph(SourcePaths.sample().with_overrides(patentsview=pv), tmp_path / "g")
    rep = {f["file"]: f for f in result.manifest["inputs"]}["g_patent.tsv.zip"]
    assert rep["rejected"] == 1 and rep["read"] == rep["accepted"] + 1
    rows = list(csv.DictReader((result.path / "rejections.tsv").open(), delimiter="\t"))
    assert any(
        r["file"] == "g_patent.tsv.zip" and r["line"] == "2" and r["field"] == "patent_date"
        for r in rows
    )
    assert json.loads((result.path / "manifest.json").read_text())["rejected_rows"] >= 1


def test_assignees_own_locations_become_their_countries(tmp_path: Path) -> None:
    import numpy as np
    import pyarrow as pa

    from ttkg.graph.build.builder import _Countries, _read_assignments, _State, _Where

    path = tmp_path / "g_assignee_not_disambiguated.tsv"
    path.write_text(
        "patent_id\tassignee_sequence\traw_assignee_organization\tassignee_type\trawlocation_id\n"
        "10000002\t0\tKOLON INDUSTRIES, INC.\t3\tloc-1\n"
        "10000060\t0\tTsinghua University\t3\tloc-unknown\n",
        encoding="utf-8",
    )
    st = _State()
    countries = _Countries()
    where = _Where(pa.array(["loc-1"]), countries.of(["KR"]), countries)
    rows = _read_assignments(st, path, pa.array(["10000002", "10000060"]), where,
                             lambda n: None)
    assert isinstance(rows.patent, np.ndarray)
    assert rows.rows(countries) == [
        ("KOLON INDUSTRIES, INC.", "KR"), ("Tsinghua University", None)
    ]
    assert st.notes["assignee_rows_with_own_location"] == 1
    assert st.notes["assignee_locations_unknown_or_without_country"] == 1
