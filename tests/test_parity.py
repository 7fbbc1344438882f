"""The parity helpers refuse an empty == empty comparison, and an expected-empty case needs its
reason to hold."""

from __future__ import annotations

from typing import Any

import pytest

from tests.parity import assert_both_empty, assert_same, is_nothing


@pytest.mark.parametrize(
    "value", [None, False, 0, 0.0, "", [], {}, set(), (0, []), ((0, []), {}), {"nodes": {}}]
)
def test_nothing(value: Any) -> None:
    assert is_nothing(value)
    with pytest.raises(AssertionError, match="both sides answered nothing"):
        assert_same(value, value)


@pytest.mark.parametrize("value", [True, 1, "x", [0], {"a": 1}, (3, []), (0, ["p"]), object()])
def test_something(value: Any) -> None:
    assert not is_nothing(value)
    assert_same(value, value)


def test_different_answers_fail() -> None:
    with pytest.raises(AssertionError, match="lookup"):
        assert_same([1], [2], "lookup")


def test_expected_nothing_needs_its_reason_and_nothing() -> None:
    assert_both_empty([], [], because="no such id", confirmed=True)
    with pytest.raises(AssertionError, match="does not hold"):
        assert_both_empty([], [], because="no such id", confirmed=False)
    with pytest.raises(AssertionError, match="expected nothing"):
        assert_both_empty([1], [1], because="no such id", confirmed=True)
    with pytest.raises(AssertionError):
        assert_both_empty([1], [], because="no such id", confirmed=True)
