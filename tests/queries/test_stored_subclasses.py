"""Stored CPC subclasses (`ttkg.graph.indexing.year_counts`, `sc.*`, written by the build):
every subclass's patents, patents per grant year, countries, co-occurring fields and
organisations' patent counts, read from the stored arrays, equal a plain count over the artifact's
Parquet rows (no ttkg code) for several year ranges; the same graph without the arrays (as
graphs built before them) answers alike by computing, with organisation filters too; and
`add_subclasses` gives such a graph the arrays the build writes."""

from __future__ import annotations

import json
import shutil
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from ttkg.graph.artifact import Artifact
from ttkg.graph.backends.contract import FieldSpec, Filters
from ttkg.graph.backends.memory.backend import MemoryBackend
from ttkg.graph.indexing import INDEX_DIR
from ttkg.graph.indexing.year_counts import add_subclasses
from ttkg.queries.common import make_filters
from ttkg.queries.profile import field_profile

#: Year ranges as `Filters` takes them (the sample's grants run 1976-2024).
YEARS = [(None, None), (2010, None), (None, 2015), (2012, 2016), (2021, 2021), (1790, 1900)]
#: Arrays of the stored subclasses.
SC_FILES = "sc.*.npy"


class PlainSubclasses:
    """Each CPC subclass's patents with their years, holders' countries and IN_FIELD rows,
    read in Python from the artifact's Parquet rows."""

    def __init__(self, version: Path) -> None:
        def rows(name: str) -> list[dict[str, object]]:
            return pq.read_table(version / "edges" / f"{name}.parquet").to_pylist()

        patents = pq.read_table(version / "nodes" / "Patent.parquet", columns=["id", "year"])
        self.year = {str(r["id"]): r["year"] for r in patents.to_pylist()}
        orgs = pq.read_table(version / "nodes" / "Organization.parquet", columns=["id", "country"])
        country = {str(r["id"]): r["country"] for r in orgs.to_pylist()}
        self.countries: dict[str, set[str]] = defaultdict(set)  # a patent's holders' countries
        self.holders: dict[str, set[str]] = defaultdict(set)
        for e in rows("ASSIGNED_TO"):
            self.holders[str(e["src"])].add(str(e["dst"]))
            where = country.get(str(e["dst"]))
            if where:
                self.countries[str(e["src"])].add(str(where))
        self.in_field: dict[str, Counter[str]] = defaultdict(Counter)
        for e in rows("IN_FIELD"):
            if str(e["src"]) in self.year:
                self.in_field[str(e["src"])][str(e["dst"])] += 1
        self.subclass: dict[str, set[str]] = defaultdict(set)
        for e in rows("CLASSIFIED_AS"):
            symbol = str(e["dst"]).removeprefix("cpc:").replace(" ", "")
            if len(symbol) >= 4:
                self.subclass[symbol[:4]].add(str(e["src"]))

    def patents(self, subclass: str, y0: int | None, y1: int | None) -> list[str]:
        out = []
        for p in self.subclass[subclass]:
            year = self.year[p]
            y = -1 if year is None else int(year)  # type: ignore[call-overload]
            if (y0 is None or y >= y0) and (y1 is None or 0 <= y <= y1):
                out.append(p)
        return out

    def answers(self, subclass: str, y0: int | None, y1: int | None) -> dict[str, object]:
        found = self.patents(subclass, y0, y1)
        years: Counter[int | None] = Counter()
        countries: Counter[str] = Counter()
        fields: Counter[str] = Counter()
        orgs: Counter[str] = Counter()
        for p in found:
            year = self.year[p]
            years[None if year is None else int(year)] += 1  # type: ignore[call-overload]
            countries.update(self.countries[p])
            fields.update(self.in_field[p])
            orgs.update(self.holders[p])
        return {"size": len(found), "years": dict(years), "countries": dict(countries),
                "fields": dict(fields), "orgs": dict(orgs)}


def _answers(backend: MemoryBackend, spec: FieldSpec, filters: Filters) -> dict[str, object]:
    return {
        "size": backend.selection_size(spec, filters),
        "years": backend.selection_years(spec, filters),
        "countries": backend.field_country_counts(spec, filters),
        "fields": backend.field_cooccurrence(spec, filters),
        "orgs": backend.field_org_counts(spec, filters),
    }


def _without_subclasses(graph: Path, copy: Path) -> Path:
    """A copy of a graph directory without the stored subclasses' arrays."""
    shutil.copytree(graph, copy, symlinks=True)
    removed = list(copy.glob(f"versions/*/{INDEX_DIR}/{SC_FILES}"))
    assert removed
    for p in removed:
        p.unlink()
    return copy


def _spec(symbol: str) -> FieldSpec:
    return FieldSpec("cpc", symbol, f"cpc:{symbol}", symbol)


@pytest.fixture(scope="module")
def computed(sample_graph: Path, tmp_path_factory: pytest.TempPathFactory
             ) -> Iterator[MemoryBackend]:
    """The sample's graph without the stored subclasses (as one built before them)."""
    backend = MemoryBackend.open(
        _without_subclasses(sample_graph, tmp_path_factory.mktemp("no-subclasses") / "graph"))
    assert backend._subclass_rows == {}
    yield backend
    backend.close()


def test_every_subclass_read_from_the_stored_arrays_equals_a_plain_count(
    sample_graph: Path, memory_backend: MemoryBackend, computed: MemoryBackend,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    plain = PlainSubclasses(Artifact.open(sample_graph).path)
    subclasses = memory_backend.index.data.meta["subclasses"]
    # the scheme's subclasses, those without a patent of the graph too (their answers empty)
    assert set(plain.subclass) < set(subclasses) and len(plain.subclass) > 100

    def fail(*_: object) -> None:
        raise AssertionError("computed from the CPC classes' rows, not read as stored")

    for name in ("_rows_patents", "_field_entries", "_held_patents", "_few_patents",
                 "_selection_patents", "_dated_counts", "_selection"):
        monkeypatch.setattr(memory_backend, name, fail)
    answered = 0
    for symbol in subclasses:
        for y0, y1 in YEARS:
            filters = Filters(year_from=y0, year_to=y1)
            want = plain.answers(symbol, y0, y1)
            assert _answers(memory_backend, _spec(symbol), filters) == want, (symbol, y0, y1)
            assert _answers(computed, _spec(symbol), filters) == want, (symbol, y0, y1)
            answered += bool(want["size"])
    assert answered > 400


@pytest.mark.parametrize("options", [
    {}, {"years": "2005-2015"}, {"kind": "company"}, {"country": "US"},
    {"country": "JP", "years": "2010-"}, {"level": "family"},
])
def test_profiles_of_the_biggest_subclasses_equal_the_computed_ones(
    memory_backend: MemoryBackend, computed: MemoryBackend, options: dict[str, str]
) -> None:
    """Whole answers (ranked organisations, countries, fields, by year) with every filter a
    profile takes: the stored path where it applies, the computed one where not."""
    sizes = np.diff(memory_backend.index.data.array("sc.patents.indptr"))
    subclasses = memory_backend.index.data.meta["subclasses"]
    biggest = [subclasses[i] for i in np.argsort(-sizes, kind="stable")[:12]]
    filters = make_filters(**options)
    for symbol in biggest:
        got = field_profile(memory_backend, symbol, filters, limit=25, by_year=True)
        assert got == field_profile(computed, symbol, filters, limit=25, by_year=True), symbol
        assert got.patents > 0 or options


def test_add_subclasses_gives_an_older_graph_the_arrays_the_build_writes(
    sample_graph: Path, tmp_path: Path
) -> None:
    older = _without_subclasses(sample_graph, tmp_path / "graph")
    built = Artifact.open(sample_graph).path / INDEX_DIR
    folder = Artifact.open(older).path / INDEX_DIR
    add_subclasses(folder)
    names = sorted(p.name for p in built.glob(SC_FILES))
    assert names == sorted(p.name for p in folder.glob(SC_FILES)) and len(names) == 8
    for name in names:
        assert np.array_equal(np.load(built / name), np.load(folder / name)), name
    reopened = MemoryBackend.open(older)
    subclasses = reopened.index.data.meta["subclasses"]
    assert subclasses == json.loads((built / "meta.json").read_text())["subclasses"]
    assert reopened._subclass_rows == {s: i for i, s in enumerate(subclasses)}
    reopened.close()
