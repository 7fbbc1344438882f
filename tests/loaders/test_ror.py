"""ROR v2 dump loader on a real slice of the ROR data dump and on broken variants."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

import ttkg.loaders.ror
from tests.loaders.slices import BROKEN, ROR, assert_balanced
from ttkg.core.errors import InputError
from ttkg.loaders.records import RorRelationship
from ttkg.loaders.report import LoadReport
from ttkg.loaders.ror import read_ror


def by_name(path: Path = ROR) -> dict[str, object]:
    return {r.name: r for r in read_ror(path, LoadReport())}


def test_read_ror_slice_counts_and_order() -> None:
    report = LoadReport()
    records = list(read_ror(ROR, report))
    assert report.file("ror-data-sample.zip").as_dict() == {
        "file": "ror-data-sample.zip",
        "read": 12,
        "accepted": 12,
        "rejected": 0,
    }
    assert [r.ror_id for r in records] == sorted(r.ror_id for r in records)  # dump order
    names = {r.name for r in records}
    assert {
        "Massachusetts Institute of Technology",
        "Stanford University",
        "Tsinghua University",
        "University of Michigan",
        "Samsung (South Korea)",
        "Samsung Electronics (South Korea)",
    } <= names


def test_mit_record() -> None:
    mit = next(r for r in read_ror(ROR, LoadReport()) if r.ror_id == "https://ror.org/042nb2s44")
    assert mit.name == "Massachusetts Institute of Technology"
    assert mit.labels == ("Instituto Tecnológico de Massachusetts",)
    assert mit.aliases == ()
    assert mit.acronyms == ("MIT",)
    assert mit.types == ("education", "funder")
    assert mit.country == "US"
    assert mit.status == "active"
    assert mit.established == 1861
    assert mit.domains == ("mit.edu",)
    assert len(mit.relationships) == 23
    assert mit.relationships[0] == RorRelationship(
        "child", "https://ror.org/032q5ym94", "Athinoula A. Martinos Center for Biomedical Imaging"
    )
    assert RorRelationship("related", "https://ror.org/05a0ya142", "Broad Institute") in (
        mit.relationships
    )


def test_samsung_inactive_and_withdrawn_records() -> None:
    records = {r.ror_id: r for r in read_ror(ROR, LoadReport())}
    samsung = records["https://ror.org/04w3jy968"]
    assert (samsung.name, samsung.labels, samsung.country) == (
        "Samsung (South Korea)",
        ("삼성",),
        "KR",
    )
    assert samsung.types == ("company", "funder")
    assert (
        RorRelationship("child", "https://ror.org/020m7t761", "Samsung Electronics (South Korea)")
        in samsung.relationships
    )
    l3 = records["https://ror.org/000nwmh60"]
    assert (l3.name, l3.status, l3.established, l3.country) == (
        "L-3 Communications (United States)",
        "inactive",
        1997,
        "US",
    )
    assert l3.relationships == (
        RorRelationship("successor", "https://ror.org/05fhwtx59", "L3Harris (United States)"),
    )
    cha = records["https://ror.org/000bmd763"]
    assert (cha.status, cha.established, cha.aliases, cha.labels) == (
        "withdrawn",
        None,
        ("CHA Bundang Medical Center",),
        ("차 의료원",),
    )


def test_plain_json_reads_like_the_zip(tmp_path: Path) -> None:
    with zipfile.ZipFile(ROR) as zf:
        zf.extract("ror-data-sample_schema_v2.json", tmp_path)
    plain = tmp_path / "ror-data-sample_schema_v2.json"
    assert list(read_ror(plain, LoadReport())) == list(read_ror(ROR, LoadReport()))


def test_dump_with_v1_and_v2_members_uses_schema_v2() -> None:
    records = list(read_ror(BROKEN / "ror" / "dump-with-v1.zip", LoadReport()))
    assert [r.name for r in records] == [
        "Thailand Science Research and Innovation",
        "All India Institute of Ayurveda, New Delhi",
        "World Water Watch",
    ]


def test_bad_records_are_rejected_by_position() -> None:
    report = LoadReport()
    records = list(read_ror(BROKEN / "ror" / "records.json", report))
    assert [(r.line, r.field) for r in report.rejections] == [
        (2, "id"),
        (3, "names"),
        (4, "(row)"),
    ]
    assert report.rejections[1].value == "https://ror.org/00003g016"
    assert [r.ror_id for r in records] == ["https://ror.org/000025p04", "https://ror.org/000nwmh60"]
    assert_balanced(report)


def test_bad_utf8_rejects_the_record() -> None:
    report = LoadReport()
    records = list(read_ror(BROKEN / "ror" / "bad_utf8.json", report))
    assert [(r.line, r.reason, r.value) for r in report.rejections] == [
        (1, "not valid UTF-8", "https://ror.org/000025p04")
    ]
    assert len(records) == 2


@pytest.mark.parametrize(
    ("name", "reason", "line"),
    [
        ("truncated.json", "invalid JSON", 2),
        ("object.json", "not a JSON array", 1),
        ("v1.json", "schema v1", 1),
    ],
)
def test_unreadable_dumps_are_input_errors(name: str, reason: str, line: int) -> None:
    with pytest.raises(InputError) as err:
        list(read_ror(BROKEN / "ror" / name, LoadReport()))
    assert err.value.file == name
    assert reason in err.value.reason
    assert err.value.line == line


def test_truncated_archive_and_empty_file(tmp_path: Path) -> None:
    cut = tmp_path / "ror-data.zip"
    cut.write_bytes(ROR.read_bytes()[:2000])
    with pytest.raises(InputError, match="not a readable zip archive"):
        list(read_ror(cut, LoadReport()))
    empty = tmp_path / "ror-data.json"
    empty.write_bytes(b"")
    with pytest.raises(InputError, match="empty file"):
        list(read_ror(empty, LoadReport()))


def test_records_spanning_read_chunks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With a tiny read size every record straddles chunk boundaries."""

    monkeypatch.setattr(ttkg.loaders.ror, "_CHUNK", 97)
    assert list(read_ror(ROR, LoadReport())) == list(by_name().values())
