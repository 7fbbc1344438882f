"""CPC Title List loader on a real slice of CPCTitleList202505.zip."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from tests.loaders.slices import BROKEN, CPC, assert_balanced
from ttkg.core.errors import InputError
from ttkg.loaders.cpc import read_cpc_titles
from ttkg.loaders.records import CpcTitleRecord
from ttkg.loaders.report import LoadReport


def test_read_cpc_titles_slice() -> None:
    report = LoadReport()
    rows = list(read_cpc_titles(CPC, report))
    assert_balanced(report)
    members = sorted(f"CPCTitleList202505.zip/cpc-section-{s}_20250501.txt" for s in "ABCDEFGHY")
    assert sorted(report.files) == members
    with zipfile.ZipFile(CPC) as zf:
        lines = sum(zf.read(n).count(b"\r\n") for n in zf.namelist())
    assert len(rows) == lines == 9 * 12 + 10  # 12 first lines per section + 10 chosen
    by_symbol = {r.symbol: r for r in rows}
    assert rows[0] == CpcTitleRecord("A", "section", None, "HUMAN NECESSITIES")
    assert by_symbol["H01"] == CpcTitleRecord("H01", "class", None, "ELECTRIC ELEMENTS")
    assert by_symbol["H01B"].level == "subclass"
    assert by_symbol["H01B1/00"].level == "main_group" and by_symbol["H01B1/00"].dots == 0
    assert by_symbol["H01B1/02"] == CpcTitleRecord(
        "H01B1/02", "group", 1, "mainly consisting of metals or alloys"
    )
    assert by_symbol["H01L21/0201"] == CpcTitleRecord(
        "H01L21/0201", "group", 5, "{Specific process step}"
    )
    assert by_symbol["A01B29/041"].title == (
        '{of "Cambridge"-type, i.e. the soil-pressing rings being stacked on a shaft}'
    )
    assert by_symbol["H04N3/00"].dots == 0
    assert {r.symbol for r in rows if r.level == "section"} == set("ABCDEFGHY")


def test_damaged_section_file() -> None:
    report = LoadReport()
    rows = list(read_cpc_titles(BROKEN / "cpc" / "CPCTitleList-damaged.zip", report))
    member = "CPCTitleList-damaged.zip/cpc-section-H_20250501.txt"
    assert [(r.file, r.line, r.field) for r in report.rejections] == [
        (member, 2, "symbol"),
        (member, 4, "dots"),
        (member, 5, "title"),
        (member, 6, "(row)"),
    ]
    assert report.rejections[2].value == "mainly consisting of m\ufffdtals or alloys"
    assert rows[0] == CpcTitleRecord("H", "section", None, "ELECTRICITY")
    assert len(rows) == report.file(member).read - 4
    assert_balanced(report)


def test_plain_section_file_and_archive_without_sections(tmp_path: Path) -> None:
    with zipfile.ZipFile(CPC) as zf:
        zf.extract("cpc-section-D_20250501.txt", tmp_path)
    plain = list(read_cpc_titles(tmp_path / "cpc-section-D_20250501.txt", LoadReport()))
    assert plain == [r for r in read_cpc_titles(CPC, LoadReport()) if r.symbol[0] == "D"]
    other = tmp_path / "titles.zip"
    with zipfile.ZipFile(other, "w") as zf:
        zf.writestr("readme.txt", "CPC\r\n")
    with pytest.raises(InputError, match="no cpc-section"):
        list(read_cpc_titles(other, LoadReport()))
    cut = tmp_path / "CPCTitleList202505.zip"
    cut.write_bytes(CPC.read_bytes()[:-100])
    with pytest.raises(InputError) as err:
        list(read_cpc_titles(cut, LoadReport()))
    assert err.value.file == "CPCTitleList202505.zip"
