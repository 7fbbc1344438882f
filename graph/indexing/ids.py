"""Node ids by position and positions by id, over a (memory-mapped) Arrow string array.

No Python object per node: `Strings[i]` reads one value of the array, and `Positions` finds
an id by binary search over the positions in id order (Arrow sorts strings by their UTF-8
bytes, which is Python's code-point order).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, overload

import numpy as np
import numpy.typing as npt
import pyarrow as pa

__all__ = ["Picked", "Positions", "Strings", "arrow_indices", "bisect_left", "bisect_right"]

IntArray = npt.NDArray[np.int64]


def arrow_indices(positions: npt.NDArray[Any]) -> pa.Array:
    """An int64 Arrow array over the numpy array's buffer (`pa.array` would import pandas,
    a second of a CLI call, to check whether it was given a pandas object)."""
    values = np.ascontiguousarray(positions, dtype=np.int64)
    return pa.Array.from_buffers(pa.int64(), len(values), [None, pa.py_buffer(values)])


class Strings(Sequence[str]):
    """Position -> node id."""

    __slots__ = ("_array",)

    def __init__(self, array: pa.Array) -> None:
        self._array = array

    def __len__(self) -> int:
        return len(self._array)

    def at(self, positions: npt.NDArray[Any]) -> Picked:
        """The ids of some positions as a sequence of their own, copying nothing (an Arrow
        `take` would import pyarrow.compute: 0.2 s of a CLI call)."""
        return Picked(self, positions)

    @overload
    def __getitem__(self, i: int) -> str: ...
    @overload
    def __getitem__(self, i: slice) -> list[str]: ...
    def __getitem__(self, i: int | slice) -> str | list[str]:
        if isinstance(i, slice):
            start, stop, step = i.indices(len(self._array))
            if step != 1:
                return [self[j] for j in range(start, stop, step)]
            out: list[str] = self._array.slice(start, max(stop - start, 0)).to_pylist()
            return out
        value: str = self._array[int(i)].as_py()
        return value

    def take(self, positions: npt.NDArray[Any]) -> list[str]:
        """The ids of many positions at once."""
        out: list[str] = self._array.take(arrow_indices(positions)).to_pylist()
        return out

    def first_in_order(self, positions: npt.NDArray[Any], n: int) -> IntArray:
        """Indices into `positions` of those whose ids are among the n smallest, ties at the
        cut included (input order): an ordered page of many nodes, with only its ids read
        into Python (Arrow selects them in C++)."""
        if len(positions) <= n:
            return np.arange(len(positions))
        import pyarrow.compute as pc  # what `take` uses too

        taken = self._array.take(arrow_indices(positions))
        first = pc.select_k_unstable(taken, k=n, sort_keys=[("id", "ascending")])
        cut = max(taken.take(first).to_pylist())
        keep = pc.less_equal(taken, cut).to_numpy(zero_copy_only=False)
        return np.flatnonzero(keep)

    def __iter__(self) -> Iterator[str]:
        yield from self._array.to_pylist()


class Picked(Sequence[str]):
    """The ids of some positions (`Strings.at`): item i is the id at `positions[i]`."""

    __slots__ = ("_ids", "_positions")

    def __init__(self, ids: Strings, positions: npt.NDArray[Any]) -> None:
        self._ids = ids
        self._positions = positions

    def __len__(self) -> int:
        return len(self._positions)

    @overload
    def __getitem__(self, i: int) -> str: ...
    @overload
    def __getitem__(self, i: slice) -> list[str]: ...
    def __getitem__(self, i: int | slice) -> str | list[str]:
        if isinstance(i, slice):
            return self._ids.take(self._positions[i])
        return self._ids[int(self._positions[i])]

    def __iter__(self) -> Iterator[str]:
        for p in self._positions.tolist():
            yield self._ids[p]


def bisect_left(values: Sequence[str], key: str, order: IntArray | None = None) -> int:
    """Where `key` goes in sorted `values` (read through `order` when given), leftmost."""
    lo, hi = 0, len(values) if order is None else len(order)
    while lo < hi:
        mid = (lo + hi) // 2
        if values[mid if order is None else int(order[mid])] < key:
            lo = mid + 1
        else:
            hi = mid
    return lo


def bisect_right(values: Sequence[str], key: str) -> int:
    """Where `key` goes in sorted `values`, rightmost."""
    lo, hi = 0, len(values)
    while lo < hi:
        mid = (lo + hi) // 2
        if key < values[mid]:
            hi = mid
        else:
            lo = mid + 1
    return lo


class Positions:
    """Node id -> position, a read-only mapping: a dict of the few nodes looked up all the
    time (fields, countries, and the organisations once `know` added them: `known`), else
    binary search over all ids."""

    __slots__ = ("_ids", "_known", "_order")

    def __init__(self, ids: Strings, order: IntArray, known: dict[str, int]) -> None:
        self._ids = ids
        self._order = order  # positions, their ids ascending
        self._known = known

    def know(self, start: int, stop: int) -> None:
        """Add the nodes at positions [start, stop) to the dict (a server, at warm-up: a
        one-off query finds them by binary search instead of hashing 0.4M ids at open)."""
        known = dict(self._known)
        known.update(zip(self._ids[start:stop], range(start, stop), strict=True))
        self._known = known  # one assignment: readers see the old dict or the new one

    def get(self, node_id: str, default: int | None = None) -> int | None:
        hit = self._known.get(node_id)
        if hit is not None:
            return hit
        order, ids = self._order, self._ids
        lo = bisect_left(ids, node_id, order)
        if lo < len(order):
            found = int(order[lo])
            if ids[found] == node_id:
                return found
        return default

    def __getitem__(self, node_id: str) -> int:
        found = self.get(node_id)
        if found is None:
            raise KeyError(node_id)
        return found

    def __contains__(self, node_id: object) -> bool:
        return isinstance(node_id, str) and self.get(node_id) is not None

    def __len__(self) -> int:
        return len(self._order)
