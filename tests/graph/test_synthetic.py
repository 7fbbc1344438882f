"""The streaming synthetic generator (`benchmarks/synthetic.py --patents N`): its folder goes
through the real build with no rejected row, and its shapes, computed here with pandas from
the written TSVs (not from the generator's counters), are the documented ones."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from benchmarks import synthetic
from ttkg.graph.build.builder import build_graph

N = 6_000


def _gen(out: Path, monkeypatch: pytest.MonkeyPatch, seed: int = 7) -> synthetic.SyntheticData:
    monkeypatch.setattr(synthetic, "_CHUNK", 1_000)  # several chunks on both sides of 10M
    cpc, concordance, freq = synthetic.inputs_from(None)
    return synthetic.generate_patents(
        out,
        patents=N,
        orgs=600,
        ror_only=100,
        seed=seed,
        cpc=cpc,
        concordance=concordance,
        cpc_frequencies=freq,
    )


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> synthetic.SyntheticData:
    with pytest.MonkeyPatch.context() as mp:
        return _gen(tmp_path_factory.mktemp("syn") / "data", mp)


def _table(data: synthetic.SyntheticData, name: str) -> pd.DataFrame:
    path = data.sources.patentsview / f"{name}.tsv.zip"
    return pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)


def test_the_real_build_accepts_every_row(
    generated: synthetic.SyntheticData, tmp_path: Path
) -> None:
    manifest = build_graph(generated.sources, tmp_path / "g").manifest
    assert manifest["rejected_rows"] == 0
    by_file = {f["file"]: f for f in manifest["inputs"]}
    for name in ("g_patent", "g_assignee_not_disambiguated", "g_cpc_current"):
        rows = len(_table(generated, name))
        assert by_file[f"{name}.tsv.zip"]["read"] == rows
        assert by_file[f"{name}.tsv.zip"]["accepted"] == rows


def test_shapes_match_the_documented_ones(generated: synthetic.SyntheticData) -> None:
    patents = _table(generated, "g_patent")
    assert len(patents) == N and patents["patent_id"].is_unique
    assert list(patents["patent_id"]) == sorted(patents["patent_id"])  # PatentsView's order
    years = patents["patent_date"].str[:4].astype(int)
    assert years.min() == synthetic.FIRST_YEAR and years.max() == synthetic.LAST_YEAR
    assert (years >= 2000).mean() > 0.6  # grants grow over the years
    assert pd.to_datetime(patents["patent_date"], format="%Y-%m-%d").notna().all()

    assignees = _table(generated, "g_assignee_not_disambiguated")
    orgs = assignees[assignees["raw_assignee_organization"] != ""]
    per_patent = orgs.groupby("patent_id").size()
    assert per_patent.max() <= 3
    assert (per_patent >= 2).mean() == pytest.approx(synthetic.MULTI_ASSIGNEE, abs=0.02)
    people = assignees[assignees["raw_assignee_individual_name_last"] != ""]
    assert len(people) / N == pytest.approx(synthetic.INDIVIDUAL, abs=0.005)
    unassigned = 1 - assignees["patent_id"].nunique() / N
    assert unassigned == pytest.approx(synthetic.UNASSIGNED, abs=0.012)

    cpc = _table(generated, "g_cpc_current")
    per = cpc.groupby("patent_id").size()
    assert set(per.index) == set(patents["patent_id"])
    assert per.mean() == pytest.approx(synthetic.CPC_MEAN, abs=0.6)
    assert not cpc.duplicated(["patent_id", "cpc_group"]).any()
    assert (cpc["cpc_group"].str[:4] == cpc["cpc_subclass"]).all()

    places = _table(generated, "g_location_not_disambiguated")
    assert places["rawlocation_id"].is_unique
    # every assignee row is located, in a place of the location table
    assert assignees["rawlocation_id"].isin(places["rawlocation_id"]).all()
    inventors = _table(generated, "g_inventor_not_disambiguated")
    first = inventors[inventors["inventor_sequence"] == "0"]
    assert len(first) == N and first["rawlocation_id"].isin(places["rawlocation_id"]).all()
    assert len(inventors) / N == pytest.approx(synthetic.INVENTOR_MEAN, abs=0.4)


def test_same_seed_same_bytes(
    generated: synthetic.SyntheticData, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def digests(data: synthetic.SyntheticData) -> dict[str, str]:
        return {
            p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(data.sources.patentsview.iterdir())
        }

    again = _gen(tmp_path / "again", monkeypatch)
    assert digests(again) == digests(generated)
    other = _gen(tmp_path / "other", monkeypatch, seed=8)
    assert digests(other)["g_patent.tsv.zip"] != digests(generated)["g_patent.tsv.zip"]


@pytest.mark.parametrize("patents", [1, 6_000, 7_609_730, 9_100_000])
def test_numbers_are_distinct_and_in_text_order(patents: int) -> None:
    step, ranges = synthetic._numbering(patents)
    positions = np.concatenate([np.arange(lo, hi) for lo, hi in ranges])
    assert np.array_equal(np.sort(positions), np.arange(patents))
    numbers = synthetic.FIRST_NUMBER + positions * step
    assert (np.diff(np.sort(numbers)) > 0).all()  # distinct patent ids
    # as text (the order the rows are written in): equal digit counts compare as numbers,
    # and every 8-digit number comes before every 7-digit one
    digits = np.floor(np.log10(numbers)).astype(np.int64) + 1
    key = np.where(digits == 8, 0, 1) * 10**8 + numbers
    assert set(digits.tolist()) <= {7, 8}
    assert (np.diff(key) > 0).all()
