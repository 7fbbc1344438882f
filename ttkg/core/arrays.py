"""Array helpers every floor may use.

`in_sorted(values, keys)` is `np.isin(keys, values)` for ascending `values`: one binary
search per key, no sort of both.

`distinct(values)` is `np.unique(values)` computed by a sort. numpy 2.3 and later answer
`np.unique` without `return_*` flags from a hash table, which is fast for few distinct values
and slow for millions: 17.9 s of CPU for 9.4M int64 co-ownership keys (numpy 2.4.6) where a
stable sort (a radix sort for integers) and a mask take 0.3 s. With any `return_*` flag
numpy still sorts, so those calls are left as they are.
"""

from __future__ import annotations

from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

__all__ = ["distinct", "in_sorted"]

S = TypeVar("S", bound=np.generic)


def distinct(values: npt.NDArray[S]) -> npt.NDArray[S]:
    """The sorted distinct values of an integer array, as `np.unique(values)` gives them.

    >>> distinct(np.array([3, 1, 3, 2, 1])).tolist()
    [1, 2, 3]
    """
    flat: npt.NDArray[Any] = np.sort(np.ravel(values), kind="stable")
    if len(flat) < 2:
        return flat
    keep = np.empty(len(flat), bool)
    keep[0] = True
    np.not_equal(flat[1:], flat[:-1], out=keep[1:])
    return flat[keep]


def in_sorted(values: npt.NDArray[Any], keys: npt.NDArray[Any]) -> npt.NDArray[np.bool_]:
    """Whether each key is among the ascending `values` (a binary search per key).

    >>> in_sorted(np.array([2, 5, 9]), np.array([9, 1, 5, 10])).tolist()
    [True, False, True, False]
    """
    if not len(values):
        return np.zeros(len(keys), dtype=bool)
    at = np.minimum(np.searchsorted(values, keys), len(values) - 1)
    found: npt.NDArray[np.bool_] = values[at] == keys
    return found
