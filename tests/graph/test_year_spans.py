"""Patent rows of a year range read from the runs of non-decreasing grant years
(`MemoryIndex.year_spans`) are the rows a pass over the years keeps (oracle: the artifact's
Patent table, its year column read in Python, rows in table order)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ttkg.core.model import NodeLabel
from ttkg.graph.artifact import Artifact
from ttkg.graph.backends.contract import Filters
from ttkg.graph.backends.memory.backend import MemoryBackend


def test_year_spans_hold_the_patents_of_every_year_range(
    memory_backend: MemoryBackend, sample_graph: Path
) -> None:
    years = Artifact.open(sample_graph).nodes(NodeLabel.PATENT, ["year"]).column("year")
    year = [-1 if y is None else y for y in years.to_pylist()]
    ix = memory_backend.index
    assert 1 < len(ix.year_runs) - 1 <= 64  # a few runs: the binary-search path is taken
    known = sorted({y for y in year if y >= 0})
    bounds = [None, -5, known[0], known[0] + 1, known[len(known) // 2], known[-1], 2100]
    for lo in bounds:
        for hi in bounds:
            want = [i for i, y in enumerate(year)
                    if (lo is None or y >= lo) and (hi is None or 0 <= y <= hi)]
            spans = ix.year_spans(lo, hi)
            assert spans is not None
            assert [i for a, b in spans for i in range(a, b)] == want, (lo, hi)
            filters = Filters(year_from=lo, year_to=hi)
            rows = np.arange(len(year))
            for ascending in (True, False):
                kept = memory_backend._in_years(rows, filters, ascending)
                assert np.flatnonzero(kept).tolist() == want
            assert np.flatnonzero(memory_backend._compute_years(filters)).tolist() == want
