"""OpenAlex works and topic-table loaders on real slices (tests/data/openalex, cut by
cut_openalex.py from the shared capture). Expected values are computed from the raw JSON
lines with the json module, independently of the loader."""

from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from ttkg.core.errors import InputError
from ttkg.loaders.openalex import WorkSlice, find_work_files, read_topics, read_works
from ttkg.loaders.report import LoadReport

DATA = Path(__file__).resolve().parents[1] / "data" / "openalex"


def _raw(path: Path) -> list[dict[str, Any]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _balanced(report: LoadReport) -> None:
    for rep in report.files.values():
        assert rep.read == rep.accepted + rep.rejected + rep.skipped, rep


@pytest.mark.parametrize("name", ["works.jsonl", "works.jsonl.gz"])
def test_works_match_the_raw_lines(name: str) -> None:
    raw = _raw(DATA / name)
    report = LoadReport()
    works = list(read_works(DATA / name, report))
    _balanced(report)
    assert report.rejections == []
    assert [w.openalex_id for w in works] == [r["id"].rsplit("/", 1)[1] for r in raw]
    for w, r in zip(works, raw, strict=True):
        assert w.year == r["publication_year"] and w.type == r["type"]
        assert w.doi == (r["doi"].removeprefix("https://doi.org/").lower() if r["doi"] else None)
        assert {t.topic for t in w.topics} == {int(t["id"].rsplit("T", 1)[1]) for t in r["topics"]}
        primary = [t.topic for t in w.topics if t.primary]
        pt = r["primary_topic"]
        assert primary == ([int(pt["id"].rsplit("T", 1)[1])] if pt else [])
        assert len(w.authorships) == len(r["authorships"])
        mine = {(i.openalex_id, i.ror_id) for a in w.authorships for i in a.institutions}
        theirs = {
            (i["id"].rsplit("/", 1)[1], i["ror"])
            for a in r["authorships"]
            for i in a["institutions"]
            if i["id"] is not None
        }
        assert mine == theirs


def test_null_institution_is_not_an_institution() -> None:
    works = {w.openalex_id: w for w in read_works(DATA / "works.jsonl", LoadReport())}
    raw = next(r for r in _raw(DATA / "works.jsonl") if r["id"].endswith("W4248448689"))
    placeholder = [
        (i, a)
        for i, a in enumerate(raw["authorships"])
        if any(x["id"] is None for x in a["institutions"])
    ]
    assert placeholder, "the slice keeps a work with an unresolved-affiliation placeholder"
    i, a = placeholder[0]
    kept = works["W4248448689"].authorships[i]
    assert kept.institutions == ()
    assert kept.raw_affiliations == tuple(a["raw_affiliation_strings"])


def test_snapshot_layout_newest_partition_wins() -> None:
    files = find_work_files(DATA / "snapshot")
    assert [f.parent.name for f in files] == ["updated_date=2025-01-01", "updated_date=2024-01-01"]
    report = LoadReport()
    works = list(read_works(files, report))
    _balanced(report)
    ids = [r["id"].rsplit("/", 1)[1] for f in files for r in _raw(f)]
    assert len(works) == len(set(ids)) == len(ids) - 1
    (dup,) = report.rejections
    assert (dup.file, dup.line, dup.field) == ("updated_date=2024-01-01/part_000.gz", 1, "id")
    assert "duplicate" in dup.reason


def test_folder_of_files_and_errors(tmp_path: Path) -> None:
    folder = tmp_path / "works"
    folder.mkdir()
    for name in ("works.jsonl", "works.jsonl.gz", "broken.jsonl"):
        (folder / name).write_bytes((DATA / name).read_bytes())
    (folder / "notes.txt").write_text("not works")
    assert [p.name for p in find_work_files(folder)] == [
        "broken.jsonl",
        "works.jsonl",
        "works.jsonl.gz",
    ]
    assert find_work_files(DATA)[0].parent.name.startswith("updated_date=")  # snapshot below
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InputError):
        find_work_files(empty)
    with pytest.raises(InputError):
        find_work_files(tmp_path / "missing")
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes((DATA / "works.jsonl.gz").read_bytes()[:-300])
    with pytest.raises(InputError, match=r"cut\.jsonl\.gz"):
        list(read_works(cut, LoadReport()))


def test_rejections_name_file_line_field() -> None:
    report = LoadReport()
    works = list(read_works(DATA / "broken.jsonl", report))
    _balanced(report)
    assert [(r.line, r.field) for r in report.rejections] == [
        (2, "(row)"),
        (3, "(row)"),
        (4, "publication_year"),
        (5, "doi"),
        (6, "authorships[0].institutions[0].ror"),
        (9, "id"),
    ]
    assert {r.file for r in report.rejections} == {"broken.jsonl"}
    assert len(works) == 2 and report.file("broken.jsonl").read == 8  # blank line 7 not a record


def test_slices() -> None:
    raw = _raw(DATA / "works.jsonl")

    def countries(r: dict[str, Any]) -> set[str]:
        out = {
            i["country_code"]
            for a in r["authorships"]
            for i in a["institutions"]
            if i["country_code"]
        }
        return out | {c for a in r["authorships"] for c in a["countries"]}

    cases = [
        (WorkSlice(years=(2000, None)), lambda r: r["publication_year"] >= 2000),
        (WorkSlice(years=(None, 1999)), lambda r: r["publication_year"] <= 1999),
        (WorkSlice(types=frozenset({"article"})), lambda r: r["type"] == "article"),
        (WorkSlice(countries=frozenset({"US"})), lambda r: "US" in countries(r)),
    ]
    for selection, keep in cases:
        report = LoadReport()
        got = [w.openalex_id for w in read_works(DATA / "works.jsonl", report, selection)]
        want = [r["id"].rsplit("/", 1)[1] for r in raw if keep(r)]
        assert got == want and 0 < len(want) < len(raw), selection
        assert report.file("works.jsonl").skipped == len(raw) - len(want)
        _balanced(report)


def test_topics_table() -> None:
    with (DATA / "openalex_topics.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    report = LoadReport()
    topics = list(read_topics(DATA / "openalex_topics.csv", report))
    _balanced(report)
    assert [(t.topic, t.name, t.subfield, t.field, t.domain) for t in topics] == [
        (int(r["topic_id"]), r["new_topic_label"], int(r["subfield_id"]), int(r["field_id"]),
         int(r["domain_id"]))
        for r in rows
    ]  # fmt: skip
    assert topics[0].subfield_name == "Geophysics" and topics[0].domain_name == "Physical Sciences"
