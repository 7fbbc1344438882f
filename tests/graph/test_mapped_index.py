"""The serving index: computed by the build, memory-mapped at open, and answering exactly what
a plain recomputation from the raw Parquet tables (pure Python, no ttkg code) answers."""

from __future__ import annotations

import json
import logging
import mmap
import shutil
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.parquet as pq
import pytest

from ttkg.core.model import NodeLabel
from ttkg.graph.artifact import Artifact
from ttkg.graph.backends.contract import FieldSpec, Filters
from ttkg.graph.backends.memory.backend import MemoryBackend
from ttkg.graph.indexing import INDEX_DIR
from ttkg.queries.bridges import bridges
from ttkg.queries.entity import entity_detail
from ttkg.queries.paths import paths


class Raw:
    """The artifact's Parquet tables read as rows, and the answers recomputed from them."""

    def __init__(self, version: Path) -> None:
        def rows(kind: str, name: str) -> list[dict[str, Any]]:
            path = version / kind / f"{name}.parquet"
            return pq.read_table(path).to_pylist() if path.is_file() else []

        self.patents = {r["id"]: r for r in rows("nodes", "Patent")}
        self.orgs = {r["id"]: r for r in rows("nodes", "Organization")}
        self.org_patents: dict[str, set[str]] = defaultdict(set)
        for e in rows("edges", "ASSIGNED_TO"):
            self.org_patents[e["dst"]].add(e["src"])
        self.field_patents: dict[str, set[str]] = defaultdict(set)
        for e in rows("edges", "IN_FIELD"):
            if e["src"] in self.patents:
                self.field_patents[e["dst"]].add(e["src"])
        self.counts = {
            kind: {p.stem: pq.read_metadata(p).num_rows for p in (version / kind).glob("*")}
            for kind in ("nodes", "edges")
        }

    def newest_first(self, patents: set[str]) -> list[str]:
        def key(p: str) -> tuple[int, str]:
            year = self.patents[p]["year"]
            return (-(year if year is not None else -1), self.patents[p]["number"])

        return sorted(patents, key=key)

    def pairs(self) -> dict[tuple[str, str], set[str]]:
        owners: dict[str, set[str]] = defaultdict(set)
        for org, pats in self.org_patents.items():
            for p in pats:
                owners[p].add(org)
        out: dict[tuple[str, str], set[str]] = defaultdict(set)
        for p, orgs in owners.items():
            for x in orgs:
                for y in orgs:
                    if x < y:
                        out[(x, y)].add(p)
        return out


def _is_mapped(a: np.ndarray[Any, Any]) -> bool:
    """Whether an array's memory is a file mapping (its base chain ends in an mmap)."""
    base: Any = a
    while base is not None:
        if isinstance(base, mmap.mmap):
            return True
        base = getattr(base, "base", None) if isinstance(base, np.ndarray) else None
    return False


@pytest.fixture(scope="module")
def raw(sample_build: Any) -> Raw:
    return Raw(sample_build.path)


def test_the_build_stores_the_index_and_the_backend_maps_it(
    sample_graph: Path, memory_backend: MemoryBackend
) -> None:
    version = Artifact.open(sample_graph).path
    assert (version / INDEX_DIR / "meta.json").is_file()
    data = memory_backend.index.data
    assert data.mapped
    mapped = [n for n, a in data.arrays.items() if _is_mapped(a)]
    assert "edge.CLASSIFIED_AS.src" in mapped and "op_ranked" in mapped
    assert all(not a.flags.writeable for a in data.arrays.values())


def test_counts_equal_the_parquet_row_counts(memory_backend: MemoryBackend, raw: Raw) -> None:
    assert memory_backend.node_counts() == {k: n for k, n in raw.counts["nodes"].items() if n}
    assert memory_backend.edge_counts() == {k: n for k, n in raw.counts["edges"].items() if n}


def test_patents_per_organisation_and_field_equal_the_raw_tables(
    memory_backend: MemoryBackend, raw: Raw
) -> None:
    for field, patents in sorted(raw.field_patents.items()):
        spec = FieldSpec("wipo_field", field.rsplit(":", 1)[1], field, field)
        want = {o: len(p & patents) for o, p in raw.org_patents.items() if p & patents}
        assert memory_backend.field_org_counts(spec, Filters()) == want, field


def test_evidence_lists_are_the_raw_patents_newest_first(
    memory_backend: MemoryBackend, raw: Raw
) -> None:
    for org in sorted(raw.org_patents)[::7]:
        total, refs = memory_backend.org_patents(org, None, Filters(), 10**6)
        assert total == len(raw.org_patents[org])
        assert [r.id for r in refs] == raw.newest_first(raw.org_patents[org])
        for r in refs[:3]:
            row = raw.patents[r.id]
            assert (r.number, r.year, r.title) == (row["number"], row["year"], row["title"])


def test_co_ownership_equals_the_raw_tables(memory_backend: MemoryBackend, raw: Raw) -> None:
    pairs = raw.pairs()
    assert len(pairs) > 100
    got = memory_backend.co_assignment_counts(list(raw.orgs), None, Filters())
    assert got == {k: len(v) for k, v in pairs.items()}
    for (x, y), patents in sorted(pairs.items())[::5]:
        total, refs = memory_backend.co_assigned_patents(x, y, (), Filters(), 10**6)
        assert total == len(patents)
        assert [r.id for r in refs] == raw.newest_first(patents)


def test_nodes_and_lookups_equal_the_raw_rows(memory_backend: MemoryBackend, raw: Raw) -> None:
    some = sorted(raw.orgs)[::50] + sorted(raw.patents)[::500]
    got = memory_backend.get_nodes([*some, "org:no such organisation"])
    assert sorted(got) == sorted(some)
    for node_id in some:
        want = dict(raw.orgs.get(node_id) or raw.patents[node_id])
        del want["id"]
        assert got[node_id].props == want
    position = memory_backend.index.nodes.position
    assert "patent:no-such" not in position and position.get("") is None


def test_an_artifact_without_the_index_computes_it_at_open_with_the_same_answers(
    sample_graph: Path,
    memory_backend: MemoryBackend,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    old = tmp_path / "old"
    shutil.copytree(Artifact.open(sample_graph).path, old)
    shutil.rmtree(old / INDEX_DIR)
    with caplog.at_level(logging.WARNING):
        backend = MemoryBackend.open(old)
    assert "rebuild with `ttkg build`" in caplog.text
    assert not backend.index.data.mapped
    try:
        for a, b in (("Semiconductors", "Optics"), ("Computer technology", "H01M")):
            assert bridges(backend, a, b, limit=20, evidence=3) == bridges(
                memory_backend, a, b, limit=20, evidence=3
            )
        src, dst = "Tsinghua University", "Hon Hai Precision Industry Co., Ltd."
        assert paths(backend, src, dst, k=3) == paths(memory_backend, src, dst, k=3)
        assert backend.index.nodes.tables[NodeLabel.PATENT].num_rows > 0
    finally:
        backend.close()


def test_a_running_backend_keeps_answering_when_its_version_is_removed(
    sample_graph: Path, memory_backend: MemoryBackend, tmp_path: Path
) -> None:
    """A later build prunes old versions: a process still serving one must not break (its
    files are mapped or open; only their directory entries go)."""
    graph = tmp_path / "graph"
    shutil.copytree(sample_graph, graph)
    backend = MemoryBackend.open(graph)
    try:
        shutil.rmtree(backend.index.artifact.path)
        name = "Tsinghua University"
        assert entity_detail(backend, name) == entity_detail(memory_backend, name)
        patent = memory_backend.index.nodes.ids[memory_backend.index.patents.off]
        assert entity_detail(backend, patent) == entity_detail(memory_backend, patent)
        assert bridges(backend, "Semiconductors", "Optics", evidence=3) == bridges(
            memory_backend, "Semiconductors", "Optics", evidence=3
        )
        # the works and research taxonomy are read at the first research query, here after
        # the removal (a server reads them at warm-up; a CLI or Python process may not)
        science = bridges(backend, "openalex:field:25", "Semiconductors", limit=50)
        assert science.total_direct > 0
        assert science == bridges(memory_backend, "openalex:field:25", "Semiconductors", limit=50)
    finally:
        backend.close()


def test_an_index_for_other_node_labels_is_computed_again_at_open(
    sample_graph: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """An index written by a ttkg with other node labels (a label added since) is not
    mapped with the wrong positions: it is computed again, with the warning to rebuild."""
    old = tmp_path / "old"
    shutil.copytree(Artifact.open(sample_graph).path, old)
    meta_file = old / INDEX_DIR / "meta.json"
    meta = json.loads(meta_file.read_text())
    meta["labels"].pop(NodeLabel.COUNTRY.value)
    meta_file.write_text(json.dumps(meta))
    with caplog.at_level(logging.WARNING):
        backend = MemoryBackend.open(old)
    try:
        assert "rebuild with `ttkg build`" in caplog.text
        assert not backend.index.data.mapped
        assert backend.lookup("DE")[0].id == "country:DE"
    finally:
        backend.close()


# -- the stored profile counts by year, partnerships, partners in a field --------------------

_YEARS = [(None, None), (2010, 2020), (None, 2015), (2019, None), (2021, 2021)]


def _in_years(raw: Raw, patents: set[str], y0: int | None, y1: int | None) -> set[str]:
    def ok(year: int | None) -> bool:
        if y0 is not None and (year is None or year < y0):
            return False
        return y1 is None or (year is not None and year <= y1)

    return {p for p in patents if ok(raw.patents[p]["year"])}


def _selections(version: Path, raw: Raw) -> dict[FieldSpec, set[str]]:
    """Every WIPO field and sector with its patents, from IN_FIELD and BROADER rows."""
    fields = pq.read_table(version / "nodes" / "TechnologyField.parquet").to_pylist()
    sector_fields: dict[str, set[str]] = defaultdict(set)
    for e in pq.read_table(version / "edges" / "BROADER.parquet").to_pylist():
        if e["src"].startswith("wipo:field:") and e["dst"].startswith("wipo:sector:"):
            sector_fields[e["dst"]].add(e["src"])
    out: dict[FieldSpec, set[str]] = {}
    for f in fields:
        node = f["id"]
        if node.startswith("wipo:sector:"):
            spec = FieldSpec("wipo_sector", node.rsplit(":", 1)[1], node, node)
            out[spec] = set().union(*(raw.field_patents[c] for c in sector_fields[node]))
        else:
            spec = FieldSpec("wipo_field", node.rsplit(":", 1)[1], node, node)
            out[spec] = set(raw.field_patents[node])
    return out


def test_field_profile_counts_by_year_equal_the_raw_tables(
    sample_build: Any, memory_backend: MemoryBackend, raw: Raw
) -> None:
    """Size, years, co-occurring fields and countries of every WIPO field and sector, from
    the stored field x year arrays, against a plain count over the Parquet rows."""
    owners: dict[str, set[str]] = defaultdict(set)
    for org, pats in raw.org_patents.items():
        for p in pats:
            owners[p].add(org)
    patent_fields: dict[str, set[str]] = defaultdict(set)
    for field, pats in raw.field_patents.items():
        for p in pats:
            patent_fields[p].add(field)
    selections = _selections(sample_build.path, raw)
    assert any(s.kind == "wipo_sector" for s in selections)
    for spec, patents in selections.items():
        for y0, y1 in _YEARS:
            filters = Filters(year_from=y0, year_to=y1)
            assert memory_backend._by_year(spec, filters) is not None  # the stored arrays
            sel = _in_years(raw, patents, y0, y1)
            where = (spec.node_id, y0, y1)
            assert memory_backend.selection_size(spec, filters) == len(sel), where
            years: dict[int | None, int] = defaultdict(int)
            for p in sel:
                years[raw.patents[p]["year"]] += 1
            got_years = memory_backend.selection_years(spec, filters)
            assert got_years == dict(years), where
            assert list(got_years) == sorted(years, key=lambda y: -1 if y is None else y)
            cooc: dict[str, int] = defaultdict(int)
            countries: dict[str, int] = defaultdict(int)
            for p in sel:
                for f in patent_fields[p]:
                    cooc[f] += 1
                for c in {raw.orgs[o]["country"] for o in owners[p]} - {None, ""}:
                    countries[c] += 1
            assert memory_backend.field_cooccurrence(spec, filters) == dict(cooc), where
            assert memory_backend.field_country_counts(spec, filters) == dict(countries), where


def test_top_field_orgs_equal_the_raw_tables(memory_backend: MemoryBackend, raw: Raw) -> None:
    for field, patents in sorted(raw.field_patents.items())[::3]:
        spec = FieldSpec("wipo_field", field.rsplit(":", 1)[1], field, field)
        for y0, y1 in _YEARS[:2]:
            sel = _in_years(raw, patents, y0, y1)
            counts = {o: len(p & sel) for o, p in raw.org_patents.items() if p & sel}
            want = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
            filters = Filters(year_from=y0, year_to=y1)
            assert memory_backend.top_field_orgs(spec, filters, 10) == want, field
            unis = Filters(year_from=y0, year_to=y1, kinds=frozenset({"university"}))
            want = [kv for kv in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
                    if raw.orgs[kv[0]]["kind"] == "university"][:5]
            assert memory_backend.top_field_orgs(spec, unis, 5) == want, field


def test_partnerships_and_partners_in_a_field_equal_the_raw_tables(
    memory_backend: MemoryBackend, raw: Raw
) -> None:
    """Every partnership of two fields (counts in a or b, in a, in b, all co-owned; the
    order of the contract), and co-owners within a field, against the raw pairs."""
    pairs = raw.pairs()
    fields = sorted(raw.field_patents, key=lambda f: -len(raw.field_patents[f]))[:6]
    for fa, fb in zip(fields, fields[1:] + fields[:1], strict=True):
        a = FieldSpec("wipo_field", fa.rsplit(":", 1)[1], fa, fa)
        b = FieldSpec("wipo_field", fb.rsplit(":", 1)[1], fb, fb)
        for y0, y1 in _YEARS[:3]:
            pa_ = _in_years(raw, raw.field_patents[fa], y0, y1)
            pb = _in_years(raw, raw.field_patents[fb], y0, y1)
            active_a = {o for o, p in raw.org_patents.items() if p & pa_}
            active_b = {o for o, p in raw.org_patents.items() if p & pb}
            want = []
            for (x, y), patents in pairs.items():
                inside = patents & (pa_ | pb)
                if not inside or not ((x in active_a and y in active_b)
                                      or (y in active_a and x in active_b)):
                    continue
                n_a, n_b = len(patents & pa_), len(patents & pb)
                total = len(_in_years(raw, patents, y0, y1))
                want.append((x, y, len(inside), n_a, n_b, total))
            want.sort(key=lambda r: (-r[2], -(r[3] + r[4]), r[0], r[1]))
            filters = Filters(year_from=y0, year_to=y1)
            got = memory_backend.partnership_bridges(a, b, filters, 1, 0, 10**6)
            assert got == (len(want), want), (fa, fb, y0, y1)
        busy = sorted(raw.org_patents, key=lambda o: -len(raw.org_patents[o]))[:5]
        filters = Filters(year_from=2010)
        got = memory_backend.co_assignment_counts(busy, a, filters)
        sel = _in_years(raw, raw.field_patents[fa], 2010, None)
        want_co = {k: len(v & sel) for k, v in pairs.items()
                   if (k[0] in busy or k[1] in busy) and v & sel}
        assert got == want_co, fa


def test_the_family_level_is_stored_by_the_build(memory_backend: MemoryBackend) -> None:
    """The family holders are views of stored `fam.*` arrays (computed nothing at first
    use); what they hold is checked against a plain oracle in tests/queries/test_family_level."""
    data = memory_backend.index.data
    held = memory_backend.index.holders(family=True)
    assert held.head is data.arrays["fam.head"]
    assert held.co.pair_keys is data.arrays["fam.co.pair_keys"]
    assert held.incidence.op_ranked is data.arrays["fam.op_ranked"]
    assert (held.head != np.arange(len(held.head))).any()  # the sample has families


def test_field_profile_counts_with_an_organisation_filter_equal_the_raw_tables(
    sample_build: Any, memory_backend: MemoryBackend, raw: Raw
) -> None:
    """With an organisation filter a profile counts the selection's patents held by a
    passing organisation, and each country of a passing organisation holding them."""
    owners: dict[str, set[str]] = defaultdict(set)
    for org, pats in raw.org_patents.items():
        for p in pats:
            owners[p].add(org)
    patent_fields: dict[str, set[str]] = defaultdict(set)
    for field, pats in raw.field_patents.items():
        for p in pats:
            patent_fields[p].add(field)
    selections = sorted(_selections(sample_build.path, raw).items(), key=lambda kv: kv[0].node_id)
    sides: list[tuple[frozenset[str], frozenset[str]]] = [
        (frozenset(), frozenset({"university"})),
        (frozenset({"CN", "JP"}), frozenset()),
        (frozenset({"US"}), frozenset({"company"})),
    ]
    answered = 0
    for spec, patents in selections[::3]:
        for (countries, kinds), (y0, y1) in zip(sides * 2, _YEARS, strict=False):
            filters = Filters(year_from=y0, year_to=y1, countries=countries, kinds=kinds)

            def passes(org: str, countries: frozenset[str] = countries,
                       kinds: frozenset[str] = kinds) -> bool:
                row = raw.orgs[org]
                return (not countries or row["country"] in countries) and (
                    not kinds or row["kind"] in kinds
                )

            sel = {p for p in _in_years(raw, patents, y0, y1) if any(map(passes, owners[p]))}
            where = (spec.node_id, countries, kinds, y0, y1)
            assert memory_backend.selection_size(spec, filters) == len(sel), where
            years: dict[int | None, int] = defaultdict(int)
            cooc: dict[str, int] = defaultdict(int)
            found: dict[str, int] = defaultdict(int)
            for p in sel:
                years[raw.patents[p]["year"]] += 1
                for f in patent_fields[p]:
                    cooc[f] += 1
                for c in {raw.orgs[o]["country"] for o in owners[p] if passes(o)} - {None, ""}:
                    found[c] += 1
            assert memory_backend.selection_years(spec, filters) == dict(years), where
            assert memory_backend.field_cooccurrence(spec, filters) == dict(cooc), where
            assert memory_backend.field_country_counts(spec, filters) == dict(found), where
            answered += bool(sel)
    assert answered >= 20  # most of the questions have an answer to compare
