"""Review file of borderline cases: exported, edited by a person, fed back as overrides."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from ttkg.core.errors import InputError
from ttkg.graph.identity import AssigneeName, IdentitySettings, OrganizationResolver
from ttkg.graph.identity.overrides import read_overrides, write_review
from ttkg.loaders.records import RorRecord

KIA = [AssigneeName("Kia Motors Corporation", "3", "KR", 417),
       AssigneeName("Kia Motots Corporation", "3", "KR", 1)]


def test_borderline_pair_goes_to_review_and_the_decision_is_applied(
    ror_slice: list[RorRecord], tmp_path: Path
) -> None:
    strict = IdentitySettings(merge_threshold=0.95, review_threshold=0.85)
    res = OrganizationResolver(ror_slice, strict).resolve(KIA)
    assert res.cluster_of["Kia Motors Corporation"] != res.cluster_of["Kia Motots Corporation"]
    assert res.review, "the 0.89 pair must be offered for review"
    review = tmp_path / "review.csv"
    assert write_review(res.review, review) == len(res.review)

    rows = list(csv.DictReader(review.open(encoding="utf-8")))
    assert {"decision", "action", "name", "target", "score", "reason"} <= set(rows[0])
    for row in rows:  # a person confirms the merge
        row["decision"] = "yes"
    with review.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)

    settings = IdentitySettings(merge_threshold=0.95, review_threshold=0.85,
                                overrides_path=review)
    again = OrganizationResolver(ror_slice, settings).resolve(KIA)
    assert again.cluster_of["Kia Motors Corporation"] == again.cluster_of["Kia Motots Corporation"]
    assert "override" in again.clusters[again.cluster_of["Kia Motots Corporation"]].merge_reason \
        or "override" in again.name_reason["Kia Motots Corporation"]


def test_split_link_and_unlink_overrides(ror_slice: list[RorRecord], tmp_path: Path) -> None:
    names = [AssigneeName("Microsoft Corporation", "2", "US", 356),
             AssigneeName("Microsft Corporation", "2", "US", 1),
             AssigneeName("Samsung Electronics Co., Ltd.", "3", "KR", 5276),
             AssigneeName("Wisconsin Alumni Research Foundation", "2", "US", 35)]
    path = tmp_path / "overrides.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([
            ["action", "name", "target", "note"],
            ["split", "Microsft Corporation", "Microsoft Corporation", "checked by hand"],
            ["unlink", "Samsung Electronics Co., Ltd.", "", ""],
            ["link", "Wisconsin Alumni Research Foundation", "https://ror.org/01y2jtd41", "test"],
        ])
    res = OrganizationResolver(ror_slice, IdentitySettings(overrides_path=path)).resolve(names)
    assert res.cluster_of["Microsoft Corporation"] != res.cluster_of["Microsft Corporation"]
    assert res.clusters[res.cluster_of["Samsung Electronics Co., Ltd."]].ror_id is None
    warf = res.clusters[res.cluster_of["Wisconsin Alumni Research Foundation"]]
    assert warf.ror_id == "https://ror.org/01y2jtd41" and warf.link_reason == "set by override"


@pytest.mark.parametrize(
    ("content", "line", "field"),
    [
        ("action,name,target\nmerge,A Corp,\n", 2, "target"),
        ("action,name,target\nfuse,A Corp,B Corp\n", 2, "action"),
        ("action,name,target\nlink,A Corp,Q123\n", 2, "target"),
        ("action,name,target,decision\nmerge,A Corp,B Corp,maybe\n", 2, "decision"),
    ],
)
def test_bad_override_rows_name_file_line_and_field(
    tmp_path: Path, content: str, line: int, field: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_overrides(path)
    assert err.value.line == line and err.value.field == field
    assert "bad.csv" in str(err.value)


def test_missing_columns_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("name,target\nA,B\n", encoding="utf-8")
    with pytest.raises(InputError, match="action"):
        read_overrides(path)
