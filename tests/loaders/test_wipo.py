"""WIPO IPC->technology concordance loader on a real slice of ipc_technology.csv."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from tests.loaders.slices import BROKEN, WIPO, assert_balanced
from ttkg.core.errors import InputError
from ttkg.loaders.records import WipoFieldPattern
from ttkg.loaders.report import LoadReport
from ttkg.loaders.wipo import read_wipo


def test_read_wipo_slice() -> None:
    raw = WIPO.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw  # as published
    report = LoadReport()
    rows = list(read_wipo(WIPO, report))
    assert_balanced(report)
    assert len(rows) == 47  # first row of each of the 35 fields + 12 H04N main groups
    assert rows[0] == WipoFieldPattern(
        1, "Electrical machinery, apparatus, energy", "Electrical engineering", "F21H%"
    )
    assert {r.field_number for r in rows} == set(range(1, 36))
    assert len({r.sector_name for r in rows}) == 5
    spaced = [r for r in rows if r.pattern.startswith("H04N ")]
    assert spaced[0] == WipoFieldPattern(2, "Audio-visual technology", "Electrical engineering",
                                         "H04N   3/%")  # fmt: skip
    assert not raw.endswith(b"\n")  # the last line has no line end, as published
    assert rows[-1] == WipoFieldPattern(35, "Civil engineering", "Other fields", "E01B%")


def test_wipo_row_rejections() -> None:
    report = LoadReport()
    rows = list(read_wipo(BROKEN / "rows" / "ipc_technology.csv", report))
    assert [(r.line, r.field, r.reason) for r in report.rejections] == [
        (2, "Field_number", "not an integer"),
        (3, "IPC_code", "empty pattern"),
        (4, "IPC_code", "not an IPC LIKE pattern"),
        (5, "Field_en", "empty field name"),
    ]
    assert len(rows) == 1
    assert_balanced(report)


def test_wipo_inside_a_zip_and_missing_column(tmp_path: Path) -> None:
    archive = tmp_path / "ipc_technology.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(WIPO, "ipc_technology.csv")
    assert list(read_wipo(archive, LoadReport())) == list(read_wipo(WIPO, LoadReport()))
    cut = tmp_path / "ipc_technology.csv"
    cut.write_text(WIPO.read_text(encoding="utf-8-sig").replace("IPC_code", "IPC"), "utf-8")
    with pytest.raises(InputError) as err:
        list(read_wipo(cut, LoadReport()))
    assert (err.value.file, err.value.line, err.value.field) == (
        "ipc_technology.csv",
        1,
        "IPC_code",
    )
