"""PatentsView loaders on real slices of the published tables and on broken variants."""

from __future__ import annotations

import csv
import io
import shutil
import zipfile
from pathlib import Path

import pytest

from tests.loaders.slices import BROKEN, PATENTSVIEW, assert_balanced
from ttkg.core.errors import InputError
from ttkg.loaders.patentsview import (
    CPC_GROUP,
    find_tables,
    read_assignees,
    read_cpc,
    read_inventor_names,
    read_inventors,
    read_locations,
    read_patents,
)
from ttkg.loaders.records import (
    AssigneeRecord,
    CpcRecord,
    InventorRecord,
    LocationRecord,
    PatentRecord,
)
from ttkg.loaders.report import LoadReport

PATENT = PATENTSVIEW / "g_patent.tsv.zip"
ASSIGNEE = PATENTSVIEW / "g_assignee_not_disambiguated.tsv.zip"
CPC = PATENTSVIEW / "g_cpc_current.tsv.zip"
INVENTOR = PATENTSVIEW / "g_inventor_not_disambiguated.tsv.zip"
LOCATION = PATENTSVIEW / "g_location_not_disambiguated.tsv.zip"


def member_text(archive: Path) -> str:
    with zipfile.ZipFile(archive) as zf:
        return zf.read(zf.namelist()[0]).decode("utf-8")


def rejections(report: LoadReport) -> list[tuple[str, int, str]]:
    return [(r.file, r.line, r.field) for r in report.rejections]


# ------------------------------------------------------------------ find_tables


def test_find_tables_on_the_published_layout() -> None:
    files = find_tables(PATENTSVIEW)
    assert files.patent == PATENT
    assert files.assignee == ASSIGNEE
    assert files.cpc == CPC
    assert files.inventor == INVENTOR
    assert files.location == LOCATION
    assert files.abstract == PATENTSVIEW / "g_patent_abstract.tsv.zip"
    assert files.assignee_disambiguated is False


def test_find_tables_accepts_plain_tsv_and_the_disambiguated_assignees(tmp_path: Path) -> None:
    (tmp_path / "g_patent.tsv").write_text(member_text(PATENT), encoding="utf-8")
    shutil.copy(CPC, tmp_path / CPC.name)
    shutil.copy(
        BROKEN / "disambiguated" / "g_assignee_disambiguated.tsv",
        tmp_path / "g_assignee_disambiguated.tsv",
    )
    shutil.copy(ASSIGNEE, tmp_path / ASSIGNEE.name)  # both given: disambiguated wins
    files = find_tables(tmp_path)
    assert files.patent == tmp_path / "g_patent.tsv"
    assert files.assignee == tmp_path / "g_assignee_disambiguated.tsv"
    assert files.assignee_disambiguated is True
    assert (files.inventor, files.location, files.abstract) == (None, None, None)


def test_find_tables_names_the_directory_and_the_missing_table(tmp_path: Path) -> None:
    shutil.copy(PATENT, tmp_path / PATENT.name)
    shutil.copy(ASSIGNEE, tmp_path / ASSIGNEE.name)
    with pytest.raises(InputError) as err:
        find_tables(tmp_path)
    assert err.value.file == str(tmp_path)
    assert "g_cpc_current" in err.value.reason
    (tmp_path / ASSIGNEE.name).unlink()
    with pytest.raises(InputError, match="g_assignee_not_disambiguated"):
        find_tables(tmp_path)
    with pytest.raises(InputError, match="not a directory"):
        find_tables(tmp_path / "nowhere")


# ------------------------------------------------------------------ g_patent


def test_read_patents_yields_the_slice_exactly() -> None:
    report = LoadReport()
    patents = list(read_patents(PATENT, report))
    assert len(patents) == 45
    assert report.file("g_patent.tsv.zip").as_dict() == {
        "file": "g_patent.tsv.zip",
        "read": 45,
        "accepted": 45,
        "rejected": 0,
    }
    by_id = {p.patent_id: p for p in patents}
    assert patents[0] == PatentRecord(
        "10000002",
        "utility",
        "2018-06-19",
        "Method for manufacturing polymer film and co-extruded film",
        "B2",
        9,
        False,
    )
    assert by_id["10001866"].withdrawn is True
    # PatentsView escaped these quotes twice; the loader keeps the published value
    assert by_id["5063808"].title == '"Linear actuator improvement to prevent ""back driving"""'
    assert by_id["10005747"].title == "Process for the production of γ-valerolactone"
    assert by_id["PP10935"] == PatentRecord(
        "PP10935", "plant", "1999-06-01", "Mini plant Mentha arvensis `Himalaya`", "P", 1, False
    )
    assert {p.patent_type for p in patents} == {
        "utility",
        "design",
        "plant",
        "reissue",
        "statutory invention registration",
        "defensive publication",
    }


def test_extra_and_reordered_columns_are_read_by_name() -> None:
    report = LoadReport()
    reordered = list(read_patents(BROKEN / "extra_column" / "g_patent.tsv", report))
    assert reordered == list(read_patents(PATENT, LoadReport()))
    assert_balanced(report)


def test_bad_row_values_are_rejected_with_file_line_and_field() -> None:
    report = LoadReport()
    accepted = list(read_patents(BROKEN / "rows" / "g_patent.tsv", report))
    assert rejections(report) == [
        ("g_patent.tsv", 2, "patent_date"),  # 1789-12-31
        ("g_patent.tsv", 3, "patent_date"),  # 2999-06-19
        ("g_patent.tsv", 4, "patent_date"),  # 2018-02-30
        ("g_patent.tsv", 5, "patent_date"),  # 20180619
        ("g_patent.tsv", 7, "patent_id"),
        ("g_patent.tsv", 8, "num_claims"),
        ("g_patent.tsv", 9, "withdrawn"),
        ("g_patent.tsv", 11, "(row)"),  # 5 columns
        ("g_patent.tsv", 12, "(row)"),  # 9 columns
    ]
    assert [r.reason for r in report.rejections[:4]] == [
        report.rejections[0].reason,
        report.rejections[0].reason,
        "not a calendar date",
        "not an ISO date (yyyy-mm-dd)",
    ]
    assert report.rejections[0].reason.startswith("year outside 1790..")
    assert report.rejections[0].value == "1789-12-31"
    assert report.rejections[7].reason == "expected 8 columns, found 5"
    assert accepted == [
        PatentRecord(
            "10000192",
            "utility",
            None,
            "Electro-mechanical brake for increasing braking force",
            "B2",
            16,
            False,
        ),
        PatentRecord(
            "10000474",
            "utility",
            "1790-07-31",
            "Histone deacetylase inhibitors and uses thereof",
            "B2",
            16,
            False,
        ),
    ]
    assert report.file("g_patent.tsv").read == 11
    assert_balanced(report)


def test_bad_utf8_rejects_the_row_naming_line_and_field() -> None:
    report = LoadReport()
    patents = list(read_patents(BROKEN / "bad_utf8" / "g_patent.tsv", report))
    assert len(patents) == 44
    assert "10005747" not in {p.patent_id for p in patents}
    (rej,) = report.rejections
    assert (rej.file, rej.line, rej.field, rej.reason) == (
        "g_patent.tsv",
        14,
        "patent_title",
        "not valid UTF-8",
    )
    assert rej.value == "Process for the production of \ufffd-valerolactone"
    assert_balanced(report)


@pytest.mark.parametrize(
    ("path", "reason", "line", "field"),
    [
        (BROKEN / "truncated" / "g_patent.tsv.zip", "not a readable zip archive", None, None),
        (BROKEN / "not_a_zip" / "g_patent.tsv.zip", "not a readable zip archive", None, None),
        (BROKEN / "no_member" / "g_patent.tsv.zip", "no .tsv member", None, None),
        (BROKEN / "empty" / "g_patent.tsv", "empty file", 1, None),
        (BROKEN / "comma" / "g_patent.tsv", "is the file tab-separated?", 1, "patent_id"),
    ],
)
def test_unreadable_files_are_input_errors_naming_the_file(
    path: Path, reason: str, line: int | None, field: str | None
) -> None:
    with pytest.raises(InputError) as err:
        list(read_patents(path, LoadReport()))
    assert err.value.file == path.name
    assert reason in err.value.reason
    assert (err.value.line, err.value.field) == (line, field)


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        list(read_patents(tmp_path / "g_patent.tsv.zip", LoadReport()))


def test_header_only_file_yields_nothing_and_is_reported() -> None:
    report = LoadReport()
    assert list(read_patents(BROKEN / "header_only" / "g_patent.tsv.zip", report)) == []
    assert report.file("g_patent.tsv.zip").as_dict()["read"] == 0


def test_unterminated_quote_rejects_the_last_row() -> None:
    report = LoadReport()
    patents = list(read_patents(BROKEN / "unterminated" / "g_patent.tsv", report))
    assert [p.patent_id for p in patents] == ["10000002", "10000060", "10000128"]
    assert rejections(report) == [("g_patent.tsv", 5, "(row)")]


# ------------------------------------------------------------------ g_assignee


def test_read_assignees_keeps_embedded_newlines_and_raw_type_codes() -> None:
    report = LoadReport()
    rows = list(read_assignees(ASSIGNEE, report))
    assert len(rows) == 56
    assert_balanced(report)
    assert rows[0] == AssigneeRecord(
        "10000002", 0, "KOLON INDUSTRIES, INC.", None, None, "3", None, None
    )
    by_key = {(r.patent_id, r.sequence): r for r in rows}
    assert (
        by_key[("11061269", 1)].organization
        == "Chongqing HKC Optoelectronics \nTechnology Co., Ltd."
    )
    assert by_key[("10036778", 3)] == AssigneeRecord(
        "10036778", 3, None, "Xiangjun", "Li", "5", None, None
    )
    assert by_key[("4084748", 0)] == AssigneeRecord(
        "4084748", 0, None, "Jack W.", "Anderson", None, None, None
    )
    assert by_key[("6451937", 1)].assignee_type == "0"
    assert by_key[("4407291", 0)].assignee_type == "13"
    assert [by_key[("10011488", s)].organization for s in (0, 1)] == [
        "Tsinghua University",
        "HON HAI PRECISION INDUSTRY CO., LTD.",
    ]


def test_disambiguated_layout_is_read_by_header_name_and_float_types_normalised() -> None:
    report = LoadReport()
    path = BROKEN / "disambiguated" / "g_assignee_disambiguated.tsv"
    assert "3.0" in path.read_text(encoding="utf-8")
    rows = list(read_assignees(path, report))
    assert rows == list(read_assignees(ASSIGNEE, LoadReport()))
    assert_balanced(report)


def test_quoted_tab_newline_and_quotes_survive_and_later_lines_stay_right() -> None:
    report = LoadReport()
    rows = list(read_assignees(BROKEN / "embedded" / "g_assignee_not_disambiguated.tsv", report))
    assert rows[0].organization == 'KOLON\tINDUSTRIES,\n"INC."'
    assert rows[1:] == list(read_assignees(ASSIGNEE, LoadReport()))[1:]


def test_line_numbers_are_physical_lines_after_multi_line_fields(tmp_path: Path) -> None:
    text = member_text(ASSIGNEE)
    damaged = text.replace('"11098278"\t"0"', '"11098278"\t"zero"').replace(
        '"D940325"\t"0"', '"D940325"\t"zero"'
    )
    path = tmp_path / "g_assignee_not_disambiguated.tsv"
    path.write_text(damaged, encoding="utf-8")
    physical = damaged.split("\n")
    expected = [
        next(i for i, ln in enumerate(physical, 1) if ln.startswith(f'"{pid}"\t"zero"'))
        for pid in ("11098278", "D940325")
    ]
    report = LoadReport()
    list(read_assignees(path, report))
    assert [r.line for r in report.rejections] == expected
    assert {r.field for r in report.rejections} == {"assignee_sequence"}
    # multi-line records come before them, so record numbers and physical lines differ
    records = list(csv.reader(io.StringIO(damaged, newline=""), delimiter="\t"))
    assert expected[1] > next(i for i, r in enumerate(records, 1) if r[0] == "D940325")


def test_bad_utf8_organisation_is_rejected() -> None:
    report = LoadReport()
    rows = list(read_assignees(BROKEN / "bad_utf8" / "g_assignee_not_disambiguated.tsv", report))
    assert len(rows) == 55
    assert rejections(report) == [
        ("g_assignee_not_disambiguated.tsv", 28, "raw_assignee_organization")
    ]
    assert report.rejections[0].value == "L'OR\ufffdAL"


def test_rows_of_unknown_patents_are_rejected_when_known_patents_given() -> None:
    known = {p.patent_id for p in read_patents(PATENT, LoadReport())} - {"10036778"}
    report = LoadReport()
    rows = list(read_assignees(ASSIGNEE, report, known_patents=known))
    assert len(rows) == 56 - 9
    assert {(r.field, r.value) for r in report.rejections} == {("patent_id", "10036778")}
    assert_balanced(report)


# ------------------------------------------------------------------ g_cpc_current


def test_read_cpc_yields_group_symbols_and_types() -> None:
    report = LoadReport()
    rows = list(read_cpc(CPC, report))
    assert len(rows) == 330
    assert_balanced(report)
    assert rows[0] == CpcRecord("10000002", 0, "B29C48/21", "inventional")
    assert rows[19] == CpcRecord("10000002", 19, "B29C48/07", "additional")
    assert all(CPC_GROUP.match(r.symbol) for r in rows)
    assert {r.cpc_type for r in rows} == {"inventional", "additional"}
    assert [r.sequence for r in rows if r.patent_id == "10000002"] == list(range(39))


def test_cpc_row_rejections_and_space_normalisation() -> None:
    report = LoadReport()
    rows = list(read_cpc(BROKEN / "rows" / "g_cpc_current.tsv", report))
    assert rejections(report) == [
        ("g_cpc_current.tsv", 2, "cpc_sequence"),
        ("g_cpc_current.tsv", 4, "cpc_group"),
        ("g_cpc_current.tsv", 5, "cpc_group"),
        ("g_cpc_current.tsv", 6, "cpc_type"),
    ]
    assert rows[0] == CpcRecord("10000002", 1, "H04N3/00", "inventional")
    assert rows[1] == CpcRecord("10000002", 5, "B32B1/00", None)
    assert len(rows) == 5
    assert_balanced(report)


def test_missing_required_column_names_file_and_column() -> None:
    with pytest.raises(InputError) as err:
        list(read_cpc(BROKEN / "missing_column" / "g_cpc_current.tsv", LoadReport()))
    assert (err.value.file, err.value.field) == ("g_cpc_current.tsv", "cpc_group")
    assert "missing required column 'cpc_group'" in str(err.value)


def test_corrupt_archive_is_an_input_error_not_a_zipfile_traceback() -> None:
    with pytest.raises(InputError) as err:
        list(read_cpc(BROKEN / "corrupt" / "g_cpc_current.tsv.zip", LoadReport()))
    assert err.value.file == "g_cpc_current.tsv.zip"
    assert "corrupt or truncated" in err.value.reason
    assert err.value.line is not None


# ------------------------------------------------------------------ inventors and locations


def test_read_inventors_and_locations_join_on_rawlocation_id() -> None:
    report = LoadReport()
    inventors = list(read_inventors(INVENTOR, report))
    locations = {r.rawlocation_id: r for r in read_locations(LOCATION, report)}
    assert_balanced(report)
    assert len(inventors) == 189
    assert len(locations) == 120
    assert inventors[:2] == [
        InventorRecord("10000002", 0, "4759d3f957387af3"),
        InventorRecord("10000002", 1, None),
    ]
    located = {i.patent_id: i.rawlocation_id for i in inventors if i.rawlocation_id}
    assert located and all(lid in locations for lid in located.values())
    country = {pid: locations[lid].country for pid, lid in located.items()}
    # raw codes JPX, DT, JA, GB2, SU, NY, empty -> ISO alpha-2 or None
    assert country["4144646"] == "JP"
    assert country["3991971"] == "DE"
    assert country["3930564"] == "JP"
    assert country["4101676"] == "GB"
    assert country["5061964"] == "US"
    assert country["3982456"] is None
    assert country["10225963"] is None


def test_read_inventor_names_gives_each_rows_first_and_last_name() -> None:
    """The names the family step's shared-inventor evidence reads (not stored in the graph),
    row for row with `read_inventors`, and the same report."""
    report, plain = LoadReport(), LoadReport()
    named = list(read_inventor_names(INVENTOR, report))
    rows = list(read_inventors(INVENTOR, plain))
    assert_balanced(report)
    assert [p for p, _, _ in named] == [r.patent_id for r in rows]
    assert named[:2] == [("10000002", "Yun-Jo", "Kim"), ("10000002", "Si-Min", "Kim")]
    assert report.file(INVENTOR.name) == plain.file(INVENTOR.name)


def test_location_with_a_newline_in_the_city() -> None:
    rows = {r.rawlocation_id: r for r in read_locations(LOCATION, LoadReport())}
    assert rows["9ebf0760c7517fcc"] == LocationRecord(
        "9ebf0760c7517fcc", "Yunlin \nCounty", None, "TW"
    )


def test_bad_utf8_in_a_column_the_loader_does_not_read_is_harmless() -> None:
    report = LoadReport()
    path = BROKEN / "bad_utf8" / "g_inventor_not_disambiguated.tsv"
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().split(b"\n")[74].decode("utf-8")  # line 75 holds Latin-1
    rows = list(read_inventors(path, report))
    assert rows == list(read_inventors(INVENTOR, LoadReport()))
    assert report.rejections == []


def test_read_assignees_keeps_the_assignees_own_location_key(tmp_path: Path) -> None:
    # the real bulk table's header (rawlocation_id is empty in the shared extract, filled in
    # the full download): the key is kept so the build can read the assignee's own country
    path = tmp_path / "g_assignee_not_disambiguated.tsv"
    path.write_text(
        '"patent_id"\t"assignee_sequence"\t"assignee_id"\t"raw_assignee_individual_name_first"'
        '\t"raw_assignee_individual_name_last"\t"raw_assignee_organization"\t"assignee_type"'
        '\t"rawlocation_id"\n'
        '"10000002"\t"0"\t""\t""\t""\t"KOLON INDUSTRIES, INC."\t"3"\t"loc-kr-1"\n'
        '"10000060"\t"0"\t""\t""\t""\t"Tsinghua University"\t"3"\t""\n',
        encoding="utf-8",
    )
    rows = list(read_assignees(path, LoadReport()))
    assert [r.rawlocation_id for r in rows] == ["loc-kr-1", None]
