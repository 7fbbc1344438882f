"""Shape of the labelled real sets (tests/data/identity/README.md): columns, one label per
string, no string in two sets, one family and one ROR id per gold organisation, and the CSVs
agree with the hand-written label files they are built from."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1] / "data" / "identity"
COLUMNS = ["name", "count", "assignee_type", "country", "gold_cluster", "gold_family",
           "gold_ror", "family"]
# set -> (label file, strings, gold organisations, gold families) as the README states them
SETS = {
    "heldout2_assignees.csv": ("heldout2.txt", 395, 249, 204),
    "dev2_assignees.csv": ("dev2.txt", 356, 235, 187),
    "dev3_assignees.csv": ("dev3.txt", 320, 208, 171),
    "dev4_assignees.csv": ("dev4.txt", 316, 228, 194),
    "dev5_assignees.csv": ("dev5.txt", 331, 218, 172),
    "dev6_assignees.csv": ("dev6.txt", 141, 95, 73),
    "dev7_assignees.csv": ("dev7.txt", 324, 242, 206),
}


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _labels(path: Path) -> dict[str, tuple[str, str, str]]:
    """name -> (cluster, family, ROR id) read from a label file, independently of the builder."""
    out: dict[str, tuple[str, str, str]] = {}
    current = ("", "", "")
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith("="):
            head, *meta = line[1:].split()
            opts = dict(m.split("=", 1) for m in meta)
            ror = "https://ror.org/" + opts["ror"] if "ror" in opts else ""
            current = (head, opts.get("family", head), ror)
        else:
            out[line.replace("\\n", "\n")] = current
    return out


@pytest.mark.parametrize("name", sorted(SETS))
def test_set_matches_its_label_file(name: str) -> None:
    label_file, strings, orgs, families = SETS[name]
    rows = _rows(name)
    with (DATA / name).open(encoding="utf-8", newline="") as fh:
        assert next(csv.reader(fh)) == COLUMNS
    assert len(rows) == strings
    assert len({r["gold_cluster"] for r in rows}) == orgs
    assert len({r["gold_family"] for r in rows}) == families
    labels = _labels(DATA / "labelling" / label_file)
    assert {r["name"]: (r["gold_cluster"], r["gold_family"], r["gold_ror"]) for r in rows} == labels
    for r in rows:
        assert r["count"].isdigit() and r["gold_cluster"], r
        assert not r["gold_ror"] or re.fullmatch(r"https://ror\.org/0[a-z0-9]{8}", r["gold_ror"]), r
    per_cluster: dict[str, set[tuple[str, str]]] = {}
    for r in rows:
        per_cluster.setdefault(r["gold_cluster"], set()).add((r["gold_family"], r["gold_ror"]))
    assert {c: v for c, v in per_cluster.items() if len(v) > 1} == {}


def test_no_string_is_in_two_sets() -> None:
    seen: dict[str, str] = {}
    for name in ("labelled_assignees.csv", "heldout_assignees.csv", *sorted(SETS)):
        for r in _rows(name):
            assert r["name"] not in seen, (r["name"], seen.get(r["name"]), name)
            seen[r["name"]] = name
