"""`ttkg.core.arrays.distinct` against numpy's own `np.unique` and Python's `sorted(set())`."""

from __future__ import annotations

import numpy as np
import pytest

from ttkg.core.arrays import distinct


@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.uint8])
@pytest.mark.parametrize("size", [0, 1, 2, 1_000, 100_000])
def test_distinct_is_numpys_unique(dtype: type[np.integer], size: int) -> None:
    rng = np.random.default_rng(size)
    high = min(np.iinfo(dtype).max, 5 * size + 1)
    values = rng.integers(0, high, size, dtype=dtype)
    got = distinct(values)
    assert got.dtype == values.dtype
    assert np.array_equal(got, np.unique(values))
    assert got.tolist() == sorted(set(values.tolist()))


def test_distinct_of_a_2d_array_is_flat_like_numpys() -> None:
    values = np.array([[5, 1], [1, -3]], np.int64)
    assert distinct(values).tolist() == np.unique(values).tolist() == [-3, 1, 5]
