"""Blocks of items that share a key, found without holding every key in memory.

Blocking gives every name group tens of keys (its one-letter deletions alone are one per
letter), nearly all of them its own: at 9.1M patents some twenty million keys, of which a
few percent are shared. A dictionary of every key string was the largest object of the
identity engine (several GB). Here the keys are made twice: first only their hashes are
kept (an int64 array), which tells which hashes occur on two or more items; then only the
keys with such a hash are kept as strings, with their items. The blocks are exact, as a
dictionary of all keys would give them (a hash shared by chance only lets a few more key
strings through to the second pass, where strings decide), and items keep the order given.
Both passes run over chunks of items in forked workers (`parallel.fork_map`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence

import numpy as np

from ttkg.core.arrays import in_sorted
from ttkg.graph.identity.parallel import fork_map

__all__ = ["crossing", "key_blocks", "key_hashes", "repeated"]

#: Items per worker chunk (a chunk's keys are a few tens of thousands of strings).
_CHUNK = 2_000
_MIN_ITEMS = 4_000  # fewer items are keyed in this process (a fork would not pay)


def key_hashes(items: Sequence[int], keys_of: Callable[[int], Iterable[str]],
               workers: int) -> tuple[np.ndarray, np.ndarray]:
    """The hashes of each item's distinct keys, all items' concatenated (int64), and the item
    each hash belongs to."""

    def work(start: int, stop: int) -> list[tuple[np.ndarray, np.ndarray]]:
        out: list[int] = []
        counts: list[int] = []
        for i in items[start:stop]:
            mine = {hash(k) for k in keys_of(i)}
            out.extend(mine)
            counts.append(len(mine))
        return [(np.array(out, dtype=np.int64),
                 np.repeat(np.asarray(items[start:stop], dtype=np.int64), counts))]

    parts = fork_map(work, len(items), workers, min_items=_MIN_ITEMS, chunk=_CHUNK,
                     what="key hashes")
    empty = np.zeros(0, dtype=np.int64)
    return (np.concatenate([empty, *(h for h, _ in parts)]),
            np.concatenate([empty, *(o for _, o in parts)]))


def repeated(hashes: np.ndarray) -> np.ndarray:
    """Sorted distinct values that occur at least twice."""
    values, counts = np.unique(hashes, return_counts=True)
    return values[counts >= 2]


def crossing(hashes: np.ndarray, sides: np.ndarray, other: np.ndarray,
             other_sides: np.ndarray) -> np.ndarray:
    """Sorted distinct hashes found in both `hashes` and `other` with a different side
    somewhere (a side such as the cluster of the item: keys that meet only their own cluster
    are of no use)."""
    u1, lo1, hi1 = _span(hashes, sides)
    u2, lo2, hi2 = _span(other, other_sides)
    common, i1, i2 = np.intersect1d(u1, u2, assume_unique=True, return_indices=True)
    alone = (lo1[i1] == hi1[i1]) & (lo2[i2] == hi2[i2]) & (lo1[i1] == lo2[i2])
    kept: np.ndarray = common[~alone]
    return kept


def _span(hashes: np.ndarray, sides: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct hashes (sorted) with the lowest and the highest side each is found with."""
    if not len(hashes):
        return hashes, sides, sides
    order = np.lexsort((sides, hashes))
    h, s = hashes[order], sides[order]
    first = np.flatnonzero(np.r_[True, h[1:] != h[:-1]])
    last = np.r_[first[1:] - 1, len(h) - 1]
    return h[first], s[first], s[last]


def key_blocks(items: Sequence[int], keys_of: Callable[[int], Iterable[str]], workers: int,
               wanted: np.ndarray) -> dict[str, list[int]]:
    """Key -> the items having it (in the order of `items`), for the keys whose hash is in
    `wanted` (sorted; e.g. `repeated(key_hashes(...))`)."""

    def work(start: int, stop: int) -> list[tuple[str, int]]:
        if not len(wanted):
            return []
        keys: list[str] = []
        owner: list[int] = []
        for i in items[start:stop]:
            mine = set(keys_of(i))
            keys.extend(mine)
            owner.extend([i] * len(mine))
        h = np.fromiter((hash(k) for k in keys), dtype=np.int64, count=len(keys))
        return [(keys[n], owner[n]) for n in np.flatnonzero(in_sorted(wanted, h)).tolist()]

    blocks: dict[str, list[int]] = defaultdict(list)
    for key, i in fork_map(work, len(items), workers, min_items=_MIN_ITEMS, chunk=_CHUNK,
                           what="key blocks"):
        blocks[key].append(i)
    return blocks
