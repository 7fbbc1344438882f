"""Builds of the bundled sample with one input replaced by a bad file, and the checks every
such build must pass (each input row accounted for, every rejection located)."""

from __future__ import annotations

import csv
import io
import shutil
import zipfile
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

from ttkg.core.model import NodeLabel
from ttkg.graph.artifact import Artifact
from ttkg.graph.build.builder import BuildResult
from ttkg.loaders.sources import SAMPLE_DIR, SourcePaths

BAD = Path(__file__).resolve().parents[1] / "data" / "bad"
PV = SAMPLE_DIR / "patentsview"
#: Reason the build gives for rows of other tables whose patent is not in g_patent.
UNKNOWN_PATENT = "patent not among the patents read"


def sources_with(tmp: Path, replacement: Path) -> SourcePaths:
    """The sample's sources with `replacement` standing in for the input of the same kind:
    a PatentsView table (both its .tsv and .tsv.zip forms removed from a copy of the
    sample folder), the ROR dump (.json), the WIPO concordance (.csv) or the CPC titles."""
    name = replacement.name
    if name.startswith("g_"):
        pv = tmp / "patentsview"
        shutil.copytree(PV, pv)
        table = name.split(".", 1)[0]
        for old in pv.glob(f"{table}.tsv*"):
            old.unlink()
        shutil.copy(replacement, pv / name)
        return SourcePaths.sample().with_overrides(patentsview=pv)
    if name.endswith(".json"):
        return SourcePaths.sample().with_overrides(ror=replacement)
    if name.endswith(".csv"):
        return SourcePaths.sample().with_overrides(wipo=replacement)
    if name.startswith("CPCTitleList"):
        return SourcePaths.sample().with_overrides(cpc=replacement)
    raise ValueError(f"no input of the sample is called like {name}")


def rejections(result: BuildResult) -> list[dict[str, str]]:
    """rejections.tsv of a build, as dicts."""
    with (result.path / "rejections.tsv").open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def inputs(result: BuildResult) -> dict[str, dict[str, Any]]:
    """Manifest input counts by file name."""
    return {f["file"]: f for f in result.manifest["inputs"]}


def assert_accounted(result: BuildResult) -> list[dict[str, str]]:
    """Every input row is read = accepted + rejected; rejections.tsv lists exactly the
    rejected rows, each with file, line, field and reason; no node id appears twice.
    Returns the rejections."""
    m = result.manifest
    rows = rejections(result)
    for f in m["inputs"]:
        assert f["read"] == f["accepted"] + f["rejected"], f
    assert len(rows) == m["rejected_rows"] == sum(f["rejected"] for f in m["inputs"])
    per_file = Counter(r["file"] for r in rows)
    assert per_file == Counter({f["file"]: f["rejected"] for f in m["inputs"] if f["rejected"]})
    for r in rows:
        assert r["line"].isdigit() and int(r["line"]) >= 1, r
        assert r["field"] and r["reason"], r
    art = Artifact.open(result.path)
    for label in NodeLabel:
        ids = art.nodes(label, ["id"]).column("id").to_pylist()
        assert len(ids) == len(set(ids)), f"{label}: duplicate node ids"
        assert len(ids) == m["nodes"].get(label.value, 0)
    return rows


def data_rows(path: Path) -> list[list[str]]:
    """The data rows of a tab-separated table (plain or zipped) as the csv module reads
    them, undecodable bytes kept as surrogate escapes: an oracle independent of loaders/."""
    if path.name.endswith(".zip"):
        with zipfile.ZipFile(path) as zf:
            raw = zf.read(zf.namelist()[0])
    else:
        raw = path.read_bytes()
    text = raw.decode("utf-8", "surrogateescape")
    return [r for r in csv.reader(io.StringIO(text, newline=""), delimiter="\t") if r][1:]


@cache
def sample_patent_ids(table: str) -> tuple[str, ...]:
    """patent_id of every data row of a sample PatentsView table, in file order."""
    return tuple(r[0] for r in data_rows(PV / f"{table}.tsv.zip"))


def assert_unknown_patents_rejected(
    rows: list[dict[str, str]], result: BuildResult, accepted: set[str]
) -> None:
    """With g_patent replaced, each other table's rows of patents not accepted are rejected,
    one by one, as unknown patents (and nothing else of those tables is rejected)."""
    counts = inputs(result)
    for table in ("g_cpc_current", "g_assignee_not_disambiguated", "g_inventor_not_disambiguated"):
        name = f"{table}.tsv.zip"
        ids = sample_patent_ids(table)
        expected = Counter(p for p in ids if p not in accepted)
        theirs = [r for r in rows if r["file"] == name]
        assert all(r["field"] == "patent_id" and UNKNOWN_PATENT in r["reason"] for r in theirs)
        assert Counter(r["value"] for r in theirs) == expected
        assert counts[name]["read"] == len(ids)
        assert counts[name]["accepted"] == len(ids) - expected.total()
