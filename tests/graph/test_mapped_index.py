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
