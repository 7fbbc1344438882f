"""Bridges from the stored selections (`ttkg.graph.indexing.bridges`, written by the build)
equal bridges computed without them: the same graph copied without its `index/bridges/`
folder answers by computing, as graphs built before it do. Every pair of stored selections
(WIPO fields, sectors, CPC sections), on the bundled real sample and on a real PatentsView
slice, with side filters and pages deep enough to count every candidate."""

from __future__ import annotations

import csv
import io
import itertools
import json
import shutil
import zipfile
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from tests.hardening.inputs import PV, sources_with
from tests.loaders.slices import PATENTSVIEW
from ttkg.graph.artifact import Artifact
from ttkg.graph.backends.contract import FieldSpec, Filters
from ttkg.graph.backends.memory import bridges as stored_module
from ttkg.graph.backends.memory.backend import MemoryBackend
from ttkg.graph.build.builder import build_graph
from ttkg.graph.indexing import INDEX_DIR
from ttkg.graph.indexing import bridges as bridges_module
from ttkg.graph.indexing.bridges import BRIDGES_DIR
from ttkg.loaders.sources import SourcePaths
from ttkg.queries.bridges import bridges
from ttkg.queries.common import make_filters
from ttkg.queries.profile import field_profile

FILTERS = [
    Filters(),
    make_filters(kind="university", partner_kind="company"),
    make_filters(kind="company"),
    make_filters(country="US"),
    make_filters(country="TW", kind="university"),
    make_filters(partner_country="CN"),
    make_filters(country="JP", partner_country="JP"),
]
PAGES = [(0, 10), (3, 5), (0, 100_000), (50, 2)]


def _without_stored(graph: Path, tmp: Path) -> MemoryBackend:
    copy = tmp / "computed"
    shutil.copytree(graph, copy, symlinks=True)
    for folder in copy.glob(f"versions/*/{INDEX_DIR}/{BRIDGES_DIR}"):
        shutil.rmtree(folder)
    backend = MemoryBackend.open(copy)
    assert backend.stored_bridges is None
    return backend


def _specs(backend: MemoryBackend) -> list[FieldSpec]:
    stored = backend.stored_bridges
    assert stored is not None
    return [FieldSpec(kind, value, node, value)  # type: ignore[arg-type]
            for kind, value, node in stored.listed]


def _same_primitives(stored: MemoryBackend, computed: MemoryBackend,
                     pairs: list[tuple[FieldSpec, FieldSpec]], filters: list[Filters],
                     pages: list[tuple[int, int]]) -> int:
    """Compare both primitives on every case; the number of non-empty answers seen."""
    answered = 0
    for (a, b), f, (offset, limit) in itertools.product(pairs, filters, pages):
        for name in ("direct_bridges", "partnership_bridges"):
            want = getattr(computed, name)(a, b, f, 1, offset, limit)
            got = getattr(stored, name)(a, b, f, 1, offset, limit)
            assert got == want, (name, a.node_id, b.node_id, f, offset, limit)
            answered += bool(want[1])
    return answered


@pytest.fixture(scope="module")
def computed(sample_graph: Path, tmp_path_factory: pytest.TempPathFactory
             ) -> Iterator[MemoryBackend]:
    backend = _without_stored(sample_graph, tmp_path_factory.mktemp("computed"))
    yield backend
    backend.close()


def test_the_build_stores_fields_sectors_and_cpc_sections(memory_backend: MemoryBackend
                                                          ) -> None:
    specs = _specs(memory_backend)
    kinds = [s.kind for s in specs]
    assert kinds.count("wipo_field") == 35 and kinds.count("wipo_sector") == 5
    assert {s.value for s in specs if s.kind == "cpc"} >= set("ABCDEFGHY")


def test_every_pair_of_stored_selections_equals_the_computed_answer(
    memory_backend: MemoryBackend, computed: MemoryBackend
) -> None:
    specs = _specs(memory_backend)
    pairs = list(itertools.product(specs, specs))
    assert _same_primitives(memory_backend, computed, pairs, [Filters()], [(0, 10)]) > 1000


@pytest.mark.parametrize("first_depth", [None, 1])
def test_side_filters_and_pages_equal_the_computed_answer(
    memory_backend: MemoryBackend, computed: MemoryBackend, first_depth: int | None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Also with the threshold scan starting at depth 4 x the page (`first_depth` 1): on
    the sample the rankings are short enough to be counted whole at the default depth."""
    if first_depth is not None:
        monkeypatch.setattr(stored_module, "_FIRST_DEPTH", first_depth)
    by_id = {s.node_id: s for s in _specs(memory_backend)}
    chosen = [by_id[i] for i in ("wipo:field:8", "wipo:field:9", "wipo:field:6",
                                 "wipo:sector:1", "cpc:H", "cpc:G", "cpc:Y")]
    pairs = list(itertools.combinations_with_replacement(chosen, 2))
    assert _same_primitives(memory_backend, computed, pairs, FILTERS, PAGES) > 200


@pytest.mark.parametrize(
    ("a", "b", "kwargs"),
    [
        ("Semiconductors", "Optics", {"limit": 5, "evidence": 5}),
        ("Semiconductors", "Optics",
         {"filters": make_filters(kind="university", partner_kind="company"), "evidence": 3}),
        ("H", "G", {"limit": 20, "offset": 3}),
        ("Electrical engineering", "Optics", {"evidence": 0}),
        ("Semiconductors", "Optics", {"filters": make_filters("2010-2020"), "evidence": 2}),
        ("Semiconductors", "Optics", {"by_year": True}),
        ("Semiconductors", "Optics", {"min_evidence": 2}),
        ("Semiconductors", "Optics", {"filters": make_filters(level="family")}),
        ("H01L", "Optics", {}),
    ],
)
def test_whole_answers_with_evidence_are_the_same(
    memory_backend: MemoryBackend, computed: MemoryBackend, a: str, b: str,
    kwargs: dict[str, object]
) -> None:
    """Evidence (read through the stored patent bits) included; years, by_year,
    min_evidence, families and unions are computed on both but read evidence alike."""
    want = bridges(computed, a, b, **kwargs)  # type: ignore[arg-type]
    got = bridges(memory_backend, a, b, **kwargs)  # type: ignore[arg-type]
    assert got.model_dump() == want.model_dump()
    assert want.direct and want.partnerships


@pytest.mark.parametrize("limit", [1, 10, 100_000])
def test_top_organisations_of_a_stored_selection_equal_the_computed_ranking(
    memory_backend: MemoryBackend, computed: MemoryBackend, limit: int
) -> None:
    """A profile's top organisations read from the stored ranking (`_stored_ranking`) with
    every side filter; the page of 100,000 holds every active organisation."""
    seen = 0
    for spec, f in itertools.product(_specs(memory_backend), FILTERS):
        f = Filters(countries=f.countries, kinds=f.kinds)  # the organisation side only
        want = computed.top_field_orgs(spec, f, limit)
        assert memory_backend.top_field_orgs(spec, f, limit) == want, (spec.node_id, f)
        seen += len(want)
    assert seen > (100 if limit == 1 else 1000)


def test_a_real_patentsview_slice_answers_alike(tmp_path: Path) -> None:
    """The loader tests' PatentsView slice (45 patents, 43 co-owned pair rows) with the
    sample's ROR, CPC and WIPO tables."""
    built = build_graph(SourcePaths.sample().with_overrides(patentsview=PATENTSVIEW),
                        tmp_path / "graph")
    graph = built.path.parent.parent
    stored = MemoryBackend.open(graph)
    computed = _without_stored(graph, tmp_path)
    specs = _specs(stored)
    pairs = list(itertools.product(specs, specs))
    answered = _same_primitives(stored, computed, pairs, FILTERS[:4], [(0, 10), (1, 3)])
    assert answered > 0


def test_stored_bridges_of_another_index_are_not_used(
    sample_graph: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A folder computed for another index (here: its patent count changed) is ignored with a
    warning, and bridges are computed."""
    copy = tmp_path / "stale"
    shutil.copytree(sample_graph, copy, symlinks=True)
    (meta_file,) = copy.glob(f"versions/*/{INDEX_DIR}/{BRIDGES_DIR}/meta.json")
    meta = json.loads(meta_file.read_text())
    meta["patents"] += 1
    meta_file.write_text(json.dumps(meta))
    backend = MemoryBackend.open(copy)
    assert backend.stored_bridges is None
    assert "stored bridges of another index" in caplog.text
    assert bridges(backend, "Semiconductors", "Optics").total_direct > 0


# -- counts by grant year (`dated_counts`) ------------------------------------------------------

#: Year ranges as `Filters` takes them: open ranges, one year, every year, none, and (a query
#: takes 1790..2100 only) a lower bound below 0, which keeps unknown years where an upper bound
#: drops them.
YEARS = [(None, None), (2010, None), (None, 2015), (2012, 2016), (2021, 2021), (1976, None),
         (None, 1976), (2022, None), (1790, None), (2030, None), (1790, 1900), (-1, None),
         (-1, 2015), (-5, 2030)]


class PlainCounts:
    """Patents per organisation of every stored selection and year range, counted in Python
    over the artifact's Parquet rows (ASSIGNED_TO, IN_FIELD, BROADER, CLASSIFIED_AS, the
    patents' years), no ttkg code."""

    def __init__(self, version: Path) -> None:
        def rows(name: str) -> list[dict[str, object]]:
            return pq.read_table(version / "edges" / f"{name}.parquet").to_pylist()

        patents = pq.read_table(version / "nodes" / "Patent.parquet", columns=["id", "year"])
        self.year = {str(r["id"]): r["year"] for r in patents.to_pylist()}
        self.holders: dict[str, set[str]] = defaultdict(set)
        for e in rows("ASSIGNED_TO"):
            self.holders[str(e["src"])].add(str(e["dst"]))
        self.field: dict[str, set[str]] = defaultdict(set)
        self.in_field: dict[str, list[str]] = defaultdict(list)  # a patent's IN_FIELD rows
        for e in rows("IN_FIELD"):
            if str(e["src"]) in self.year:
                self.field[str(e["dst"])].add(str(e["src"]))
                self.in_field[str(e["src"])].append(str(e["dst"]))
        for e in rows("BROADER"):
            if str(e["src"]).startswith("wipo:field:"):
                self.field[str(e["dst"])] |= self.field[str(e["src"])]
        self.section: dict[str, set[str]] = defaultdict(set)
        for e in rows("CLASSIFIED_AS"):
            self.section[str(e["dst"]).removeprefix("cpc:")[0]].add(str(e["src"]))

    def patents(self, kind: str, value: str, node: str, y0: int | None, y1: int | None
                ) -> list[str]:
        """The selection's patents granted within [y0, y1] (no year: -1, within a lower
        bound below 0 only)."""
        found = self.section[value] if kind == "cpc" else self.field[node]
        out = []
        for p in found:
            year = self.year[p]
            y = -1 if year is None else int(year)  # type: ignore[call-overload]
            if (y0 is None or y >= y0) and (y1 is None or 0 <= y <= y1):
                out.append(p)
        return out

    def counts(self, kind: str, value: str, node: str, y0: int | None, y1: int | None
               ) -> dict[str, int]:
        """{organisation: its patents in the selection granted within [y0, y1]}."""
        out: dict[str, int] = defaultdict(int)
        for p in self.patents(kind, value, node, y0, y1):
            for org in self.holders[p]:
                out[org] += 1
        return dict(out)


def _without_dates(tmp: Path, every: int) -> Path:
    """The sample's g_patent.tsv with every `every`-th patent's grant date blanked (a patent
    without a year, as PatentsView has a few)."""
    with zipfile.ZipFile(PV / "g_patent.tsv.zip") as z:
        text = z.read("g_patent.tsv").decode("utf-8")
    table = list(csv.reader(io.StringIO(text), delimiter="\t"))
    date = table[0].index("patent_date")
    for row in table[1::every]:
        row[date] = ""
    out = io.StringIO()
    csv.writer(out, delimiter="\t", quoting=csv.QUOTE_ALL, lineterminator="\n").writerows(table)
    path = tmp / "g_patent.tsv"
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def undated_graph(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample with a seventh of its patents without a grant year."""
    tmp = tmp_path_factory.mktemp("undated")
    built = build_graph(sources_with(tmp, _without_dates(tmp, 7)), tmp / "graph")
    return built.path.parent.parent


def _no_computing(backend: MemoryBackend, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every computed path of `_org_counts` fail: what it answers is stored."""
    def fail(*_: object) -> None:
        raise AssertionError("computed, not read from dated_counts")

    for name in ("_few_patents", "_selection_patents", "_dated_counts", "_span_counts",
                 "_selection"):
        monkeypatch.setattr(backend, name, fail)


@pytest.mark.parametrize("graph_name", ["sample_graph", "undated_graph"])
def test_dated_counts_equal_a_plain_count_of_the_parquet_rows(
    graph_name: str, request: pytest.FixtureRequest, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every stored selection x every year range: the stored rows (a slice of the kept
    buckets, or the undated row less the buckets outside), `field_org_counts` reading them
    (no computed path taken), and the same graph computing without `index/bridges/`, all
    equal a plain count. The sample has every grant year; the other graph a seventh unknown."""
    graph: Path = request.getfixturevalue(graph_name)
    plain = PlainCounts(Artifact.open(graph).path)
    unknown = sum(y is None for y in plain.year.values())
    assert (unknown == 0) == (graph_name == "sample_graph")
    backend = MemoryBackend.open(graph)
    computed = _without_stored(graph, tmp_path)
    stored = backend.stored_bridges
    assert stored is not None and stored.dated_counts is not None
    _no_computing(backend, monkeypatch)
    ids = backend.index.orgs.ids
    answered = 0
    for s, (kind, value, node) in enumerate(stored.listed):
        spec = FieldSpec(kind, value, node, value)  # type: ignore[arg-type]
        for y0, y1 in YEARS:
            want = plain.counts(kind, value, node, y0, y1)
            where = (node, y0, y1)
            if y0 is not None or y1 is not None:
                dense = stored.dated_org_counts(s, y0, y1)
                assert dense is not None
                assert {ids[o]: int(dense[o]) for o in np.flatnonzero(dense)} == want, where
            filters = Filters(year_from=y0, year_to=y1)
            assert backend.field_org_counts(spec, filters) == want, where
            assert computed.field_org_counts(spec, filters) == want, where
            answered += bool(want)
    assert answered > 400
    if unknown:  # a lower bound below 0 counts the patents without a year
        node = stored.listed[0][2]
        assert plain.counts("", "", node, -1, None) != plain.counts("", "", node, 0, None)


def test_cpc_sections_read_their_stored_bits_and_answer_alike(
    sample_graph: Path, computed: MemoryBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A stored CPC section's mask is its bit of the stored `patent_bits`, never gathered
    from its CPC x patent rows (its list of patents: that mask's when its rows hold more
    than a sixteenth of the patents, else its rows'). Sizes, years and co-occurring fields
    (a product for the big ones) equal a plain count; whole profiles, with years and an
    organisation filter, equal the graph computing without `index/bridges/`."""
    backend = MemoryBackend.open(sample_graph)
    plain = PlainCounts(Artifact.open(sample_graph).path)
    read_bits = []
    stored_section = backend._stored_section

    def counted(spec: FieldSpec) -> object:
        found = stored_section(spec)
        read_bits.append(spec.value)
        return found

    def fail(*_: object) -> None:
        raise AssertionError("a stored CPC section gathered from its rows")

    monkeypatch.setattr(backend, "_stored_section", counted)
    monkeypatch.setattr(backend, "_rows_mask", fail)
    sections = [s for s in _specs(backend) if s.kind == "cpc"]
    for spec in sections:
        for y0, y1 in YEARS:
            filters = Filters(year_from=y0, year_to=y1)
            want = plain.patents(spec.kind, spec.value, spec.node_id, y0, y1)
            where = (spec.value, y0, y1)
            assert backend.selection_size(spec, filters) == len(want), where
            years: dict[int | None, int] = defaultdict(int)
            for p in want:
                years[plain.year[p]] += 1  # type: ignore[index]
            assert backend.selection_years(spec, filters) == dict(years), where
            cooc = Counter(f for p in want for f in plain.in_field[p])
            assert backend.field_cooccurrence(spec, filters) == dict(cooc), where
        for years_text, kind in (("2010-", None), ("-2015", "company"), ("2016-2020", None)):
            filters = make_filters(years_text, kind=kind)
            want_profile = field_profile(computed, spec.value, filters).model_dump()
            assert field_profile(backend, spec.value, filters).model_dump() == want_profile
    assert {"H", "G"} <= set(read_bits)  # the big sections of the sample


def test_dated_bridges_equal_the_computed_answer(
    memory_backend: MemoryBackend, computed: MemoryBackend
) -> None:
    """Both bridges primitives with a year filter (organisations' counts from the stored
    buckets, the rest computed) on pairs of stored selections, sides and pages."""
    by_id = {s.node_id: s for s in _specs(memory_backend)}
    chosen = [by_id[i] for i in ("wipo:field:8", "wipo:field:9", "wipo:sector:1", "cpc:H",
                                 "cpc:G")]
    pairs = list(itertools.combinations_with_replacement(chosen, 2))
    dated = [make_filters(years) for years in ("2010-2020", "2015-", "-2012", "2021-2021")]
    dated += [make_filters("2005-", kind="university", partner_kind="company"),
              make_filters("2012-2018", country="US")]
    assert _same_primitives(memory_backend, computed, pairs, dated, PAGES) > 200


def test_marked_rows_equal_a_count_of_the_rows_in_each(monkeypatch: pytest.MonkeyPatch
                                                       ) -> None:
    """Both ways of marking the co-owned rows of a and of b (sorting few, a mask of many)
    give the rows in either, ascending, marked 1 / 2 / 3 as a set count says."""
    rng = np.random.default_rng(7)
    n = 5_000
    for size_a, size_b in [(0, 0), (0, 40), (40, 0), (30, 30), (300, 250), (4_000, 3_500)]:
        rows_a = np.sort(rng.choice(n, size_a, replace=False))
        rows_b = np.sort(rng.choice(n, size_b, replace=False))
        in_a, in_b = set(rows_a.tolist()), set(rows_b.tolist())
        want = [(r, (r in in_a) + 2 * (r in in_b)) for r in sorted(in_a | in_b)]
        for sparse in (0, 10**9):  # always sorted, always a mask
            monkeypatch.setattr(stored_module, "_SPARSE", sparse)
            rows, code = stored_module.marked_rows(rows_a, rows_b, n)
            assert list(zip(rows.tolist(), code.tolist(), strict=True)) == want


def test_dated_partnerships_are_the_same_whichever_way_rows_are_marked(
    memory_backend: MemoryBackend, computed: MemoryBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Dated partnership bridges (each selection's co-owned rows by year, stored or
    computed) give the same pages with the rows marked by sorting or by a mask."""
    by_id = {s.node_id: s for s in _specs(memory_backend)}
    chosen = [by_id[i] for i in ("wipo:field:8", "wipo:sector:1", "cpc:H", "cpc:G")]
    dated = [make_filters(years) for years in ("2010-2020", "2015-", "-2012")]
    answers = []
    for sparse in (0, 10**9):
        monkeypatch.setattr(stored_module, "_SPARSE", sparse)
        answers.append([backend.partnership_bridges(a, b, f, 1, 0, 100)
                        for backend in (memory_backend, computed)
                        for a, b in itertools.combinations(chosen, 2) for f in dated])
    assert answers[0] == answers[1]
    assert sum(bool(page) for _, page in answers[0]) > 10


def test_a_format_1_folder_serves_undated_bridges_and_computes_dated_counts(
    sample_graph: Path, memory_backend: MemoryBackend, tmp_path: Path
) -> None:
    """A folder written before `dated_counts` (format 1: its files and meta entries gone) is
    still read: bridges without years come from it, and year-filtered counts are computed,
    equal to those read from a folder of the current format."""
    copy = tmp_path / "format1"
    shutil.copytree(sample_graph, copy, symlinks=True)
    (folder,) = copy.glob(f"versions/*/{INDEX_DIR}/{BRIDGES_DIR}")
    for part in folder.glob("dated_counts.*.npy"):
        part.unlink()
    meta = json.loads((folder / "meta.json").read_text())
    meta["format"] = "ttkg-bridges/1"
    del meta["year_buckets"], meta["shapes"]["dated_counts"]
    (folder / "meta.json").write_text(json.dumps(meta))
    old = MemoryBackend.open(copy)
    stored = old.stored_bridges
    assert stored is not None and stored.dated_counts is None
    specs = _specs(memory_backend)
    assert stored_module.stored_pair(old, specs[0], specs[1], Filters(), 1) is not None
    for spec in specs[::4]:
        for y0, y1 in YEARS[1:6]:
            filters = Filters(year_from=y0, year_to=y1)
            want = memory_backend.field_org_counts(spec, filters)
            assert old.field_org_counts(spec, filters) == want, (spec.node_id, y0, y1)
    assert bridges(old, "Semiconductors", "Optics", filters=make_filters("2010-2020")
                   ).model_dump() == bridges(memory_backend, "Semiconductors", "Optics",
                                             filters=make_filters("2010-2020")).model_dump()


def test_counts_past_uint16_are_stored_as_int32() -> None:
    """A selection's counts are uint16 when they fit; one that does not makes the whole
    column int32, every value kept."""
    small, big = np.array([1, 65_535]), np.array([3, 65_536])
    assert bridges_module._narrow(small).dtype == np.uint16
    assert bridges_module._narrow(big).dtype == np.int32
    both = np.concatenate([bridges_module._narrow(small), bridges_module._narrow(big)])
    assert both.dtype == np.int32 and both.tolist() == [1, 65_535, 3, 65_536]


def test_a_selections_patent_mask_is_its_bit_of_the_patent_bits(
    memory_backend: MemoryBackend
) -> None:
    stored = memory_backend.stored_bridges
    assert stored is not None
    bits = np.asarray(stored.patent_bits)
    for s in range(len(stored.listed)):
        want = ((bits >> np.uint64(s)) & np.uint64(1)).astype(bool)
        assert np.array_equal(stored.patent_mask(s), want), s
        assert want.any()
