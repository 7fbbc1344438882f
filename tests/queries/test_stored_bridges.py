"""Bridges from the stored selections (`ttkg.graph.indexing.bridges`, written by the build)
equal bridges computed without them: the same graph copied without its `index/bridges/`
folder answers by computing, as graphs built before it do. Every pair of stored selections
(WIPO fields, sectors, CPC sections), on the bundled real sample and on a real PatentsView
slice, with side filters and pages deep enough to count every candidate."""

from __future__ import annotations

import itertools
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.loaders.slices import PATENTSVIEW
from ttkg.graph.backends.contract import FieldSpec, Filters
from ttkg.graph.backends.memory import bridges as stored_module
from ttkg.graph.backends.memory.backend import MemoryBackend
from ttkg.graph.build.builder import build_graph
from ttkg.graph.indexing import INDEX_DIR
from ttkg.graph.indexing.bridges import BRIDGES_DIR
from ttkg.loaders.sources import SourcePaths
from ttkg.queries.bridges import bridges
from ttkg.queries.common import make_filters

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
