"""The bad-input corpus (tests/data/bad/, see its README) through the whole build.

Each case replaces one input of the bundled sample and runs `build_graph`: a file that cannot
be read at all is an InputError naming file (and line and field where there is one) and leaves
the previous graph current; a file with broken rows builds, and every broken row is a counted
rejection naming file, line and field, in the manifest and in rejections.tsv. Nothing is
silently dropped or doubled.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from datetime import date
from pathlib import Path

import pytest

from tests.hardening.inputs import (
    BAD,
    PV,
    assert_accounted,
    assert_unknown_patents_rejected,
    data_rows,
    inputs,
    sources_with,
)
from ttkg.core.errors import InputError
from ttkg.core.model import EdgeType, NodeLabel, cpc_id, patent_id
from ttkg.graph.artifact import Artifact
from ttkg.graph.build.builder import BuildResult, build_graph


def build_with(tmp_path: Path, case: str) -> BuildResult:
    return build_graph(sources_with(tmp_path, BAD / case), tmp_path / "graph")


def patents(result: BuildResult) -> dict[str, dict[str, object]]:
    table = Artifact.open(result.path).nodes(NodeLabel.PATENT).to_pylist()
    return {r["number"]: r for r in table}


def mine(rows: list[dict[str, str]], file: str) -> list[tuple[int, str, str]]:
    """(line, field, reason) of the rejections of one file, in file order."""
    return [(int(r["line"]), r["field"], r["reason"]) for r in rows if r["file"] == file]


# -- files that cannot be read: a clear error, the previous graph untouched ------------------

UNREADABLE = [
    # case, file named, line, field, words of the reason
    ("truncated_zip/g_cpc_current.tsv.zip", "g_cpc_current.tsv.zip", None, None, "truncated"),
    ("wrong_delimiter/g_patent.tsv", "g_patent.tsv", 1, "patent_id", "tab-separated"),
    ("wrong_delimiter/ipc_technology.csv", "ipc_technology.csv", 1, "Field_number", "','-sep"),
    (
        "missing_column/g_assignee_not_disambiguated.tsv",
        "g_assignee_not_disambiguated.tsv",
        1,
        "assignee_sequence",
        "missing required column",
    ),
    ("empty/g_patent.tsv", "g_patent.tsv", 1, None, "empty file"),
    (
        "empty_member/g_inventor_not_disambiguated.tsv.zip",
        "g_inventor_not_disambiguated.tsv.zip",
        1,
        None,
        "empty file",
    ),
    ("truncated_json/ror-data_schema_v2.json", "ror-data_schema_v2.json", 4, None, "JSON"),
]


@pytest.mark.parametrize(("case", "file", "line", "field", "words"), UNREADABLE)
def test_unreadable_file_is_a_clear_error_and_keeps_the_previous_graph(
    sample_graph: Path,
    tmp_path: Path,
    case: str,
    file: str,
    line: int | None,
    field: str | None,
    words: str,
) -> None:
    graph = tmp_path / "graph"
    shutil.copytree(sample_graph, graph)
    before = Artifact.open(graph).manifest["build_id"]
    with pytest.raises(InputError) as caught:
        build_graph(sources_with(tmp_path, BAD / case), graph)
    err = caught.value
    assert (err.file, err.line, err.field) == (file, line, field)
    assert words in err.reason
    assert str(err).startswith(file)
    after = Artifact.open(graph)
    assert after.manifest["build_id"] == before
    assert after.nodes(NodeLabel.PATENT).num_rows == after.manifest["nodes"]["Patent"]
    assert not [p for p in (graph / "versions").iterdir() if p.name.startswith(".")]


# -- files with broken rows: counted rejections naming file, line and field --------------------


def test_dates_out_of_range_are_rejected_row_by_row(tmp_path: Path) -> None:
    result = build_with(tmp_path, "dates_out_of_range/g_patent.tsv")
    rows = assert_accounted(result)
    years = f"year outside 1790..{date.today().year + 1}"
    assert mine(rows, "g_patent.tsv") == [
        (2, "patent_date", years),
        (3, "patent_date", years),
        (4, "patent_date", "not a calendar date"),
        (5, "patent_date", "not a calendar date"),
        (6, "patent_date", "not an ISO date (yyyy-mm-dd)"),
    ]
    file_rows = data_rows(BAD / "dates_out_of_range/g_patent.tsv")
    assert inputs(result)["g_patent.tsv"] == {
        "file": "g_patent.tsv",
        "read": len(file_rows),
        "accepted": len(file_rows) - 5,
        "rejected": 5,
    }
    got = patents(result)
    rejected = {r[0] for r in file_rows[:5]}
    assert set(got) == {r[0] for r in file_rows} - rejected
    no_date, first_patent_day = file_rows[5][0], file_rows[6][0]
    assert got[no_date]["date"] is None and got[no_date]["year"] is None
    assert got[first_patent_day]["year"] == 1790
    assert_unknown_patents_rejected(rows, result, set(got))


def test_duplicate_patent_ids_are_rejected_not_doubled(tmp_path: Path) -> None:
    result = build_with(tmp_path, "duplicate_keys/g_patent.tsv")
    rows = assert_accounted(result)  # includes: no node id twice
    assert mine(rows, "g_patent.tsv") == [
        (32, "patent_id", "duplicate patent_id (an earlier row was kept)"),
        (33, "patent_id", "duplicate patent_id (an earlier row was kept)"),
    ]
    file_rows = data_rows(BAD / "duplicate_keys/g_patent.tsv")
    got = patents(result)
    assert len(got) == result.manifest["nodes"]["Patent"] == len(file_rows) - 2
    kept = file_rows[3]  # line 5: its patent is repeated on line 33 with another title
    assert file_rows[-1][0] == kept[0] and file_rows[-1][3] != kept[3]
    assert got[kept[0]]["title"] == kept[3]
    assert_unknown_patents_rejected(rows, result, set(got))


def test_duplicate_location_ids_are_rejected_first_row_kept(tmp_path: Path) -> None:
    result = build_with(tmp_path, "duplicate_keys/g_location_not_disambiguated.tsv")
    rows = assert_accounted(result)
    reason = "duplicate location id (an earlier row was kept)"
    assert mine(rows, "g_location_not_disambiguated.tsv") == [
        (32, "rawlocation_id", reason),
        (33, "rawlocation_id", reason),
    ]


def test_duplicate_cpc_rows_are_merged_and_counted(tmp_path: Path) -> None:
    result = build_with(tmp_path, "duplicate_keys/g_cpc_current.tsv")
    assert_accounted(result)
    file_rows = data_rows(BAD / "duplicate_keys/g_cpc_current.tsv")
    pairs = {(r[0], r[5]) for r in file_rows}
    assert len(pairs) == len(file_rows) - 1
    assert inputs(result)["g_cpc_current.tsv"]["accepted"] == len(file_rows)
    assert result.manifest["notes"]["cpc_rows_duplicate_patent_symbol_merged"] == 1
    edges = Artifact.open(result.path).edges(EdgeType.CLASSIFIED_AS).to_pylist()
    assert len(edges) == len(pairs)
    assert {(e["src"], e["dst"]) for e in edges} == {(patent_id(p), cpc_id(c)) for p, c in pairs}


def test_bad_utf8_rejects_the_rows_whose_used_fields_are_not_utf8(tmp_path: Path) -> None:
    case = "bad_utf8/g_assignee_not_disambiguated.tsv"
    result = build_with(tmp_path, case)
    rows = assert_accounted(result)
    org = "raw_assignee_organization"
    assert mine(rows, "g_assignee_not_disambiguated.tsv") == [
        (22, org, "not valid UTF-8"),
        (23, org, "not valid UTF-8"),
        (24, org, "not valid UTF-8"),
    ]
    file_rows = data_rows(BAD / case)
    counts = inputs(result)["g_assignee_not_disambiguated.tsv"]
    assert (counts["read"], counts["accepted"]) == (len(file_rows), len(file_rows) - 3)
    assigned = Artifact.open(result.path).edges(EdgeType.ASSIGNED_TO).to_pylist()
    names = {e["raw_name"] for e in assigned}
    assert "UNIVERSITÉ DE MONTPELLIER" in names  # valid UTF-8 next to the broken rows
    assert file_rows[-1][7] == "\udcff"  # an undecodable byte in a column nobody reads...
    assert file_rows[-1][5] in names  # ...does not cost the row


def test_embedded_line_breaks_keep_values_and_physical_line_numbers(tmp_path: Path) -> None:
    case = "embedded_newlines/g_assignee_not_disambiguated.tsv"
    result = build_with(tmp_path, case)
    rows = assert_accounted(result)
    file_rows = data_rows(BAD / case)
    text = (BAD / case).read_text()
    last_line = text.count("\n")  # the damaged row is the file's last physical line
    assert len(file_rows) < last_line - 1  # some rows span two lines
    assert mine(rows, "g_assignee_not_disambiguated.tsv") == [
        (last_line, "assignee_sequence", "not an integer")
    ]
    assigned = Artifact.open(result.path).edges(EdgeType.ASSIGNED_TO).to_pylist()
    names = {e["raw_name"] for e in assigned}
    multi_line = {r[5] for r in file_rows if "\n" in r[5]}
    assert len(multi_line) == 6 and multi_line <= names


def test_embedded_quotes_are_read_as_published(tmp_path: Path) -> None:
    case = "embedded_quotes/g_patent.tsv"
    result = build_with(tmp_path, case)
    rows = assert_accounted(result)
    assert mine(rows, "g_patent.tsv") == []
    file_rows = data_rows(BAD / case)
    got = patents(result)
    assert set(got) == {r[0] for r in file_rows}
    quoted = {r[0]: r[3] for r in file_rows if '"' in r[3]}
    assert len(quoted) == 2
    for number, title in quoted.items():
        assert got[number]["title"] == title
    assert_unknown_patents_rejected(rows, result, set(got))


def test_stray_quote_swallowing_rows_is_a_rejection_naming_the_lines(tmp_path: Path) -> None:
    case = "unbalanced_quote/g_patent.tsv"
    result = build_with(tmp_path, case)
    rows = assert_accounted(result)
    lines = (BAD / case).read_text().count("\n")
    assert mine(rows, "g_patent.tsv") == [
        (
            5,
            "(row)",
            f"a quoted field holds whole rows (the row runs over lines 5-{lines}: a stray quote?)",
        )
    ]
    rejected = next(r for r in rows if r["file"] == "g_patent.tsv")
    text_rows = (BAD / case).read_text().splitlines()
    assert text_rows[5].split("\t")[0] in rejected["value"]  # the swallowed rows are shown
    got = patents(result)
    assert set(got) == {line.split("\t")[0] for line in text_rows[1:4]}
    assert_unknown_patents_rejected(rows, result, set(got))


def test_extra_columns_are_ignored_and_split_rows_rejected(tmp_path: Path) -> None:
    case = "extra_columns/g_cpc_current.tsv"
    result = build_with(tmp_path, case)
    rows = assert_accounted(result)
    assert mine(rows, "g_cpc_current.tsv") == [
        (5, "(row)", "expected 9 columns, found 10"),
        (9, "(row)", "expected 9 columns, found 10"),
    ]
    file_rows = data_rows(BAD / case)
    kept = {(r[0], r[5]) for r in file_rows if len(r) == 9}
    assert len(kept) == len(file_rows) - 2
    edges = Artifact.open(result.path).edges(EdgeType.CLASSIFIED_AS).to_pylist()
    assert {(e["src"], e["dst"]) for e in edges} == {(patent_id(p), cpc_id(c)) for p, c in kept}


def test_header_only_table_builds_with_nothing_from_it(tmp_path: Path) -> None:
    result = build_with(tmp_path, "header_only/g_cpc_current.tsv.zip")
    assert_accounted(result)
    assert inputs(result)["g_cpc_current.tsv.zip"]["read"] == 0
    assert result.manifest["edges"].get("CLASSIFIED_AS", 0) == 0
    # said, not only counted: the manifest warns about the table that gave nothing
    assert result.manifest["warnings"] == [
        "g_cpc_current.tsv.zip: no data rows; nothing was loaded from it"
    ]


# -- a "2 GB line": bounded memory, a clear error --------------------------------------------


def test_huge_line_in_a_zipped_table_is_an_error_naming_file_and_line(tmp_path: Path) -> None:
    """A 64 MiB line inside a zip member (what a damaged export looks like once zipped)."""
    with zipfile.ZipFile(PV / "g_cpc_current.tsv.zip") as zf:
        head = zf.read(zf.namelist()[0]).split(b"\n")[:4]
    archive = tmp_path / "in" / "g_cpc_current.tsv.zip"
    archive.parent.mkdir()
    with (
        zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf,
        zf.open("g_cpc_current.tsv", "w") as member,
    ):
        member.write(b"\n".join(head) + b'\n"10000060"\t"9"\t"')
        block = b"H" * (1 << 20)
        for _ in range(64):
            member.write(block)
    with pytest.raises(InputError) as caught:
        build_graph(sources_with(tmp_path, archive), tmp_path / "graph")
    assert (caught.value.file, caught.value.line) == ("g_cpc_current.tsv.zip", 5)
    assert "longer than 1,048,576 characters" in caught.value.reason


def test_huge_line_in_cpc_titles_is_an_error_naming_member_and_line(tmp_path: Path) -> None:
    src = PV.parent / "cpc" / "CPCTitleList202505.zip"
    archive = tmp_path / src.name
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename.startswith("cpc-section-H"):
                lines = data.split(b"\r\n")
                lines[2] = lines[2] + b" " + b"x" * (3 << 20)  # a title run on for 3 MiB
                data = b"\r\n".join(lines)
            zout.writestr(info, data)
    member = next(n for n in zipfile.ZipFile(src).namelist() if n.startswith("cpc-section-H"))
    with pytest.raises(InputError) as caught:
        build_graph(sources_with(tmp_path, archive), tmp_path / "graph")
    assert (caught.value.file, caught.value.line) == (f"{src.name}/{member}", 3)


def test_2gb_line_fails_fast_with_bounded_memory(tmp_path: Path) -> None:
    """A g_patent.tsv whose fifth line never ends: 2 GiB of zeros, as a download manager
    leaves a preallocated file it did not finish (sparse here, so it costs no disk). The
    build must stop at that line with a one-line error, never holding the line in memory."""
    pv = tmp_path / "patentsview"
    shutil.copytree(PV, pv)
    (pv / "g_patent.tsv.zip").unlink()
    with zipfile.ZipFile(PV / "g_patent.tsv.zip") as zf:
        head = zf.read(zf.namelist()[0]).split(b"\n")[:4]
    with (pv / "g_patent.tsv").open("wb") as fh:
        fh.write(b"\n".join(head) + b'\n"10000060"\t"utility"\t"2018-06-19"\t"')
        fh.truncate(2 << 30)
    out = tmp_path / "graph"
    # A child forked from this (large) test process would inherit its RSS high-water mark, so
    # the build runs under a small launcher that reports its own child's peak RSS.
    launcher = (
        "import resource, subprocess, sys\n"
        "code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, code)\n"
    )
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            launcher,
            sys.executable,
            "-m",
            "ttkg",
            "build",
            "--patentsview",
            str(pv),
            "--out",
            str(out),
        ],
        capture_output=True,
        env=dict(os.environ, COLUMNS="200"),
    )
    stderr = proc.stderr.decode()
    maxrss_kib, returncode = (int(x) for x in proc.stdout.split())
    assert returncode == 1, stderr
    assert "g_patent.tsv, line 5: line longer than 1,048,576 characters" in stderr
    assert "Traceback" not in stderr
    peak_mib = maxrss_kib / 1024  # kilobytes on Linux
    assert peak_mib < 512, f"peak RSS {peak_mib:.0f} MiB reading a 2 GiB line"
