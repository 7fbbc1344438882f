"""The build's column tools against plain Python: Counters filled row by row, most common
with ties to the smaller name, first appearances and first rows of pairs as a dict filled
row by row finds them, and row groups that are the table's rows in order."""

from __future__ import annotations

import random
from collections import Counter

import numpy as np
import pyarrow as pa
import pytest

import ttkg.graph.build.columns as columns
from ttkg.core.model import EdgeType
from ttkg.graph.artifact import ROW_GROUP, edge_schema
from ttkg.graph.build.columns import Part, Table, counters, first_order, first_rows, top_per_key

NAMES = ["DE", "FR", "US", "JP", "CN", "KR"]


def _rows(seed: int, n: int = 5_000) -> tuple[list[int], list[int], list[int]]:
    rng = random.Random(seed)
    keys = [rng.randrange(300) for _ in range(n)]
    values = [rng.randrange(len(NAMES)) for _ in range(n)]
    weights = [rng.randrange(1, 4) for _ in range(n)]
    return keys, values, weights


def test_counters_are_the_counters_a_row_by_row_pass_fills() -> None:
    for seed in range(3):
        keys, values, weights = _rows(seed)
        expected: dict[int, Counter[str]] = {}
        for k, v, w in zip(keys, values, weights, strict=True):
            expected.setdefault(k, Counter())[NAMES[v]] += w
        got = counters(np.array(keys), np.array(values), np.array(weights), NAMES)
        assert list(got) == list(expected)
        for k in expected:  # insertion order too: most_common breaks ties by it
            assert list(got[k].items()) == list(expected[k].items())


def test_top_per_key_is_min_of_minus_count_then_name() -> None:
    rank = np.empty(len(NAMES), np.int64)
    rank[np.argsort(np.array(NAMES, dtype=object))] = np.arange(len(NAMES))
    for seed in range(3):
        keys, values, weights = _rows(seed)
        totals: dict[int, Counter[str]] = {}
        for k, v, w in zip(keys, values, weights, strict=True):
            totals.setdefault(k, Counter())[NAMES[v]] += w
        got = top_per_key(np.array(keys), np.array(values), np.array(weights), 300, rank)
        for k in range(300):
            if k in totals:
                best = min(totals[k].items(), key=lambda kv: (-kv[1], kv[0]))[0]
                assert NAMES[got[k]] == best
            else:
                assert got[k] == -1


def test_batches_are_the_rows_in_row_groups() -> None:
    schema = edge_schema(EdgeType.CLASSIFIED_AS)
    n = ROW_GROUP + 1234
    rng = np.random.default_rng(1)
    src = rng.integers(0, 50, n)
    types = rng.integers(-1, 2, n)
    table = Table.for_schema(schema)
    table.add_part(Part(n, {
        "src": (src, pa.array([f"patent:US{i}" for i in range(50)])),
        "dst": pa.array([f"cpc:A01B{i % 7}/00" for i in range(n)]),
        "sequence": pa.array(np.arange(n)),
        "cpc_type": (types, pa.array(["inventional", "additional"])),
        "source": "patentsview",
    }))
    batches = list(table.batches(schema))
    assert [b.num_rows for b in batches] == [ROW_GROUP, 1234]
    rows = pa.concat_tables(batches).to_pylist()
    assert len(rows) == len(table) == n
    for i in (0, 1, ROW_GROUP - 1, ROW_GROUP, n - 1):
        assert rows[i] == {
            "src": f"patent:US{src[i]}", "dst": f"cpc:A01B{i % 7}/00", "sequence": i,
            "cpc_type": None if types[i] < 0 else ["inventional", "additional"][types[i]],
            "source": "patentsview",
        }


def test_first_order_is_a_dict_filled_row_by_row() -> None:
    rng = random.Random(5)
    for dtype in (np.int32, np.int64):
        keys = [rng.randrange(-3, 400) for _ in range(3_000)]
        first: dict[int, int] = {}
        count: Counter[int] = Counter()
        for i, k in enumerate(keys):
            first.setdefault(k, i)
            count[k] += 1
        uniq, positions, counts = first_order(np.array(keys, dtype))
        assert uniq.tolist() == list(first)
        assert positions.tolist() == list(first.values())
        assert counts.tolist() == [count[k] for k in first]
    uniq, positions, counts = first_order(np.empty(0, np.int32))
    assert len(uniq) == len(positions) == len(counts) == 0


def test_first_rows_of_pairs_chunked_or_not(monkeypatch: pytest.MonkeyPatch) -> None:
    """The first row of every (group, other) pair, whether the groups come together (then
    chunk by chunk, chunks far smaller than the rows here) or are scattered."""
    rng = random.Random(7)
    monkeypatch.setattr(columns, "_CHUNK_ROWS", 37)
    for together in (True, False):
        groups = [rng.randrange(60) for _ in range(2_000)]
        if together:
            groups.sort()
        others = [rng.randrange(9) for _ in range(2_000)]
        seen: dict[tuple[int, int], int] = {}
        for i, pair in enumerate(zip(groups, others, strict=True)):
            seen.setdefault(pair, i)
        got = first_rows(np.array(groups, np.int32), np.array(others, np.int32), 9)
        assert got.tolist() == sorted(seen.values())
