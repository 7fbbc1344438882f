"""The shared table reader: layouts of other PatentsView releases, archives, odd lines."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pytest

from tests.loaders.slices import PATENTSVIEW, assert_balanced
from ttkg.core.errors import InputError
from ttkg.loaders.patentsview import read_cpc, read_patents
from ttkg.loaders.report import LoadReport
from ttkg.loaders.tabular import Col, read_rows

CPC = PATENTSVIEW / "g_cpc_current.tsv.zip"


def slice_rows(archive: Path) -> list[list[str]]:
    with zipfile.ZipFile(archive) as zf:
        text = zf.read(zf.namelist()[0]).decode("utf-8")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter="\t"))


def unquoted(rows: list[list[str]]) -> str:
    """Quoted only where a field needs it, as older (pandas-written) releases were."""
    buf = io.StringIO()
    csv.writer(buf, delimiter="\t", lineterminator="\n").writerows(rows)
    return buf.getvalue()


def test_pre_2022_cpc_current_layout_is_read_through_aliases(tmp_path: Path) -> None:
    """The older `cpc_current.tsv`: uuid, section_id..subgroup_id, category, sequence;
    not quoted, like those releases."""
    rows = slice_rows(CPC)
    head = rows[0]
    old = [["uuid", "patent_id", "section_id", "subsection_id", "group_id", "subgroup_id",
            "category", "sequence"]]  # fmt: skip
    for k, r in enumerate(rows[1:]):
        get = dict(zip(head, r, strict=True))
        old.append([f"u{k}", get["patent_id"], get["cpc_section"], get["cpc_class"],
                    get["cpc_subclass"], get["cpc_group"], get["cpc_type"],
                    get["cpc_sequence"]])  # fmt: skip
    path = tmp_path / "cpc_current.tsv"
    path.write_text(unquoted(old), encoding="utf-8")
    report = LoadReport()
    assert list(read_cpc(path, report)) == list(read_cpc(CPC, LoadReport()))
    assert_balanced(report)


def test_header_names_match_case_insensitively_and_blank_lines_are_skipped(
    tmp_path: Path,
) -> None:
    rows = slice_rows(PATENTSVIEW / "g_patent.tsv.zip")
    rows[0] = [h.upper() for h in rows[0]]
    text = unquoted(rows[:3]) + "\n" + unquoted(rows[3:])
    path = tmp_path / "g_patent.tsv"
    path.write_text(text, encoding="utf-8")
    report = LoadReport()
    patents = list(read_patents(path, report))
    assert patents == list(read_patents(PATENTSVIEW / "g_patent.tsv.zip", LoadReport()))
    assert report.file("g_patent.tsv").read == len(rows) - 1


def test_archive_with_several_members_uses_the_one_named_like_it(tmp_path: Path) -> None:
    with zipfile.ZipFile(CPC) as zf:
        data = zf.read("g_cpc_current.tsv")
    both = tmp_path / "g_cpc_current.tsv.zip"
    with zipfile.ZipFile(both, "w") as zf:
        zf.writestr("old/g_cpc_current_2021.tsv", b"patent_id\n")
        zf.writestr("g_cpc_current.tsv", data)
    assert list(read_cpc(both, LoadReport())) == list(read_cpc(CPC, LoadReport()))
    other = tmp_path / "cpc.zip"
    with zipfile.ZipFile(other, "w") as zf:
        zf.writestr("a.tsv", data)
        zf.writestr("b.tsv", data)
    with pytest.raises(InputError, match="several candidate members"):
        list(read_cpc(other, LoadReport()))


def test_read_rows_gives_values_stripped_and_none_for_empty_or_absent(tmp_path: Path) -> None:
    path = tmp_path / "t.tsv"
    path.write_text('a\tb\n"  x "\t""\n', encoding="utf-8")
    cols = (Col.of("a"), Col.of("b"), Col.of("c", required=False))
    assert list(read_rows(path, cols, LoadReport())) == [(2, ["x", None, None])]
