"""The embedded backend's selection cache (patent masks and rows, counts per organisation)
stays within its byte budget, counting only arrays of its own, and answers the same however
small the budget."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ttkg.graph.backends.memory import backend as backend_module
from ttkg.graph.backends.memory.backend import MemoryBackend
from ttkg.queries.common import make_filters
from ttkg.queries.profile import field_profile

FIELDS = ["Computer technology", "Semiconductors", "Pharmaceuticals", "Optics", "H01L", "G06F",
          "A61K", "wipo:sector:1", "wipo:sector:2", "Computer technology,Optics"]
OPTIONS = [{}, {"years": "2010-"}, {"years": "2000-2012"}, {"kind": "company"}]


def test_a_small_budget_bounds_the_cache_and_changes_no_answer(
    sample_graph: Path, memory_backend: MemoryBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    small = MemoryBackend.open(sample_graph)
    budget = 3 * small.index.patents.n  # three patent masks' bytes
    monkeypatch.setattr(backend_module, "_SELECTION_BYTES", budget)
    peak = 0
    for field in FIELDS:
        for options in OPTIONS:
            filters = make_filters(**options)
            got = field_profile(small, field, filters, limit=20, by_year=True)
            assert got == field_profile(memory_backend, field, filters, limit=20, by_year=True)
            held = [a for a in small._sel_cache.values() if a.flags.owndata]
            assert small._sel_bytes == sum(a.nbytes for a in held) <= budget
            peak = max(peak, small._sel_bytes)
    assert peak > budget // 2  # the budget was reached, so entries were let go
    small.close()


def test_an_array_over_the_budget_is_answered_and_not_kept(
    sample_graph: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    backend = MemoryBackend.open(sample_graph)
    monkeypatch.setattr(backend_module, "_SELECTION_BYTES", 100)
    big = backend._cached(("test", 1), lambda: np.arange(1000))
    assert np.array_equal(big, np.arange(1000)) and not big.flags.writeable
    assert ("test", 1) not in backend._sel_cache and backend._sel_bytes == 0
    backend.close()


def test_the_least_recently_read_array_goes_first(
    sample_graph: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An array read again (an organisation side most requests share) outlives arrays put in
    after it and not read since (one year range's counts)."""
    backend = MemoryBackend.open(sample_graph)
    monkeypatch.setattr(backend_module, "_SELECTIONS", 3)
    backend._sel_cache.clear()
    backend._sel_bytes = 0
    computed: list[str] = []

    def read(name: str) -> None:
        def compute() -> np.ndarray:
            computed.append(name)
            return np.zeros(8)
        backend._cached(("test", name), compute)

    for name in ("side", "year 1", "year 2"):
        read(name)
    read("side")  # a hit: the newest again
    read("year 3")  # full: "year 1" goes, the least recently read
    assert [k[1] for k in backend._sel_cache] == ["year 2", "side", "year 3"]
    read("side")
    read("year 1")
    assert computed == ["side", "year 1", "year 2", "year 3", "year 1"]
    assert backend._sel_bytes == sum(a.nbytes for a in backend._sel_cache.values())
    backend.close()
