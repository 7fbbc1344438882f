"""Column tools of the build: tables that hold big parts as codes and write them a row group
at a time, and grouping of integer keys that keeps the order Python counters would have.

A big edge table (57M CPC rows at full PatentsView) never exists as Arrow strings in memory:
its columns stay integer codes into small value arrays (`Part`), turned into strings one
Parquet row group at a time when the artifact is written.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from ttkg.core.arrays import distinct
from ttkg.graph.artifact import ROW_GROUP

__all__ = ["Part", "Table", "counters", "first_order", "first_rows", "top_per_key"]

IntArray = npt.NDArray[np.int64]
#: Integer codes of any width (int32 codes of the loaders, int64 keys of the build).
Ints: TypeAlias = npt.NDArray[np.integer[Any]]
#: A column of a part: whole values, (codes into values with -1 for null, values), or one
#: string repeated on every row.
Column: TypeAlias = pa.Array | tuple[Ints, pa.Array] | str
#: Rows of one chunk of `first_rows` (its keys and sort take ~40 bytes a row).
_CHUNK_ROWS = 1 << 22


@dataclass(frozen=True)
class Part:
    """Rows of a table kept as columns (`Column`); absent columns are null."""

    rows: int
    columns: dict[str, Column]

    def slice(self, start: int, stop: int, schema: pa.Schema) -> pa.Table:
        """Rows start..stop as an Arrow table of `schema`."""
        n = stop - start
        out = {}
        for f in schema:
            col = self.columns.get(f.name)
            if col is None:
                out[f.name] = pa.nulls(n, f.type)
            elif isinstance(col, str):
                out[f.name] = pa.array([col], f.type).take(np.zeros(n, np.int64))
            elif isinstance(col, tuple):
                codes, values = col
                part = codes[start:stop]
                idx = pa.array(part, mask=part < 0)
                out[f.name] = values.cast(f.type).take(idx)
            else:
                out[f.name] = col.slice(start, n).cast(f.type)
        return pa.table(out, schema=schema)


@dataclass
class Table:
    """Column-wise accumulator for one node or edge table: big parts first (`add_part`),
    then rows added one by one (`add`)."""

    columns: dict[str, list[Any]]
    parts: list[Part] = field(default_factory=list)

    @classmethod
    def for_schema(cls, schema: pa.Schema) -> Table:
        return cls({name: [] for name in schema.names})

    def add(self, **values: Any) -> None:
        for name, col in self.columns.items():
            col.append(values.get(name))

    def extend(self, rows: int, **columns: list[Any]) -> None:
        """`rows` rows at once, a list per column (absent columns: None)."""
        for name, col in self.columns.items():
            values = columns.get(name)
            col.extend(values if values is not None else [None] * rows)

    def add_part(self, part: Part) -> None:
        if self._pending():
            raise ValueError("a part must come before rows added one by one")
        self.parts.append(part)

    def seal(self, schema: pa.Schema) -> None:
        """Turn the rows added one by one so far into a part of Arrow columns (the values
        `batches` would make of them): a table that crosses processes pickles as buffers,
        not a Python object per value. Rows may be added after, not read back by column."""
        rows = self._pending()
        if rows:
            self.parts.append(Part(rows, {
                name: pa.array(col, type=schema.field(name).type)
                for name, col in self.columns.items()}))
            for col in self.columns.values():
                col.clear()

    def _pending(self) -> int:
        return len(next(iter(self.columns.values())))

    def __len__(self) -> int:
        return sum(p.rows for p in self.parts) + self._pending()

    def batches(self, schema: pa.Schema) -> Iterator[pa.Table]:
        """The table in row groups of `ROW_GROUP` rows (the last may be shorter)."""
        pieces: list[pa.Table] = []
        held = 0
        sources: list[tuple[Part | None, int]] = [(p, p.rows) for p in self.parts]
        if self._pending():
            sources.append((None, self._pending()))
        for part, rows in sources:
            start = 0
            while start < rows:
                stop = min(rows, start + ROW_GROUP - held)
                if part is None:
                    pieces.append(pa.table(
                        {n: pa.array(c[start:stop], type=schema.field(n).type)
                         for n, c in self.columns.items()}, schema=schema))
                else:
                    pieces.append(part.slice(start, stop, schema))
                held += stop - start
                start = stop
                if held == ROW_GROUP:
                    yield pa.concat_tables(pieces).combine_chunks()
                    pieces, held = [], 0
        if pieces or not len(self):
            yield (pa.concat_tables(pieces).combine_chunks() if pieces
                   else schema.empty_table())


def first_order(keys: Ints) -> tuple[Ints, IntArray, IntArray]:
    """Distinct keys in order of first appearance, with their first position and count.

    One pass of Arrow's hash table (no sort): `dictionary_encode` numbers the keys in order
    of first appearance, so a row is its key's first exactly where its number passes every
    number before it; that this order holds is checked, not assumed."""
    if not len(keys):
        empty = np.empty(0, np.int64)
        return keys[:0], empty, empty
    enc = pc.dictionary_encode(pa.array(keys))
    code = enc.indices.to_numpy()
    uniq = enc.dictionary.to_numpy()
    first = np.empty(len(code), bool)
    first[0] = True
    np.greater(code[1:], np.maximum.accumulate(code)[:-1], out=first[1:])
    positions = np.flatnonzero(first)
    if len(positions) != len(uniq) or code[0] != 0:
        raise RuntimeError("dictionary_encode did not number keys by first appearance")
    counts = np.bincount(code, minlength=len(uniq)).astype(np.int64)
    return uniq, positions.astype(np.int64), counts


def first_rows(group: Ints, other: Ints, width: int) -> IntArray:
    """Positions, ascending, of the first row of every distinct (group, other) pair, with
    `0 <= other < width`. When each group's rows come together (PatentsView tables are
    sorted by patent), pairs are found chunk by chunk, cut where the group changes, so
    that memory holds one chunk's keys and sort (~160 MB), not 40 bytes per row of a 63M
    row table; else over all rows at once."""
    n = len(group)
    if not n:
        return np.empty(0, np.int64)
    starts = np.flatnonzero(group[1:] != group[:-1]) + 1
    grouped = len(starts) + 1 == int(np.count_nonzero(np.bincount(group)))
    if grouped and n > _CHUNK_ROWS:
        at = distinct(starts[np.searchsorted(starts, np.arange(_CHUNK_ROWS, n, _CHUNK_ROWS))
                              .clip(max=len(starts) - 1)])
        cuts = [0, *at.tolist(), n]
    else:
        cuts = [0, n]
    del starts
    out = []
    for a, b in pairwise(cuts):
        if a >= b:
            continue
        key = group[a:b].astype(np.int64) * width + other[a:b]
        _, first = np.unique(key, return_index=True)
        del key
        first.sort()
        out.append(first + a)
    return np.concatenate(out).astype(np.int64)


def top_per_key(
    key: Ints, value: Ints, weight: IntArray, n_keys: int, rank: IntArray
) -> IntArray:
    """Per key, the value of largest total weight, ties to the lowest `rank[value]` (as
    `min(counter.items(), key=(-count, value))`); -1 for keys without values."""
    out = np.full(n_keys, -1, np.int64)
    if not len(key):
        return out
    width = int(value.max()) + 1
    pair, inverse = np.unique(key.astype(np.int64) * width + value, return_inverse=True)
    total = np.bincount(inverse, weights=weight).astype(np.int64)
    k, v = pair // width, pair % width
    order = np.lexsort((rank[v], -total, k))
    k, v = k[order], v[order]
    first = np.ones(len(k), bool)
    first[1:] = k[1:] != k[:-1]
    out[k[first]] = v[first]
    return out


def counters(
    key: Ints, value: Ints, weight: IntArray, names: list[str]
) -> dict[int, Counter[str]]:
    """Per key a Counter of value names with summed weights, keys and values inserted in
    order of first appearance (as `counter[name] += weight` row by row would). One stable
    sort (a radix sort for integers) groups the rows and finds each pair's first row:
    `np.unique(..., return_inverse=True)` and a hash table cost 17 s at 9.1M patents."""
    out: dict[int, Counter[str]] = {}
    if not len(key):
        return out
    width = int(value.max()) + 1
    keyed = key.astype(np.int64) * width + value
    order = np.argsort(keyed, kind="stable")
    ranked = keyed[order]
    starts = np.flatnonzero(np.r_[True, ranked[1:] != ranked[:-1]])
    sums = np.add.reduceat(np.asarray(weight, np.int64)[order], starts)
    by_first = np.argsort(order[starts], kind="stable")  # a group's first row comes first
    for p, n in zip(ranked[starts][by_first].tolist(), sums[by_first].tolist(), strict=True):
        k, v = divmod(p, width)
        c = out.get(k)
        if c is None:
            c = out[k] = Counter()
        c[names[v]] = n
    return out
    width = int(value.max()) + 1
    keyed = key.astype(np.int64) * width + value
    pair, _, _ = first_order(keyed)  # in order of first appearance
    ordered, inverse = np.unique(keyed, return_inverse=True)
    sums = np.bincount(inverse, weights=weight).astype(np.int64)
    totals = sums[np.searchsorted(ordered, pair)]
    for p, n in zip(pair.tolist(), totals.tolist(), strict=True):
        k, v = divmod(p, width)
        c = out.get(k)
        if c is None:
            c = out[k] = Counter()
        c[names[v]] = n
    return out
