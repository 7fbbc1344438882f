"""Comparing two answers to the same question (the Neo4j backend against the embedded one, a
backend against an independent recomputation): equal is not enough, since two sides that both
answer nothing agree without proving anything.

- `assert_same(got, expected)`: equal, and not nothing;
- `assert_both_empty(got, expected, because=..., confirmed=...)`: for a case whose right answer
  is nothing, equal and nothing, with the reason checked independently by the caller
  (`confirmed`) and stated (`because`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sized
from typing import Any


def is_nothing(value: Any) -> bool:
    """Whether an answer says nothing: None, False, zero, an empty string or collection, or a
    record (tuple, or mapping's values) of such: a backend's `(total, rows)` with total 0 and
    no rows, `{"nodes": {}, "edges": {}}`. A non-empty list is rows found: something."""
    if value is None or isinstance(value, bool):
        return not value
    if isinstance(value, int | float):
        return value == 0
    if isinstance(value, tuple):
        return all(is_nothing(v) for v in value)
    if isinstance(value, Mapping):
        return all(is_nothing(v) for v in value.values())
    if isinstance(value, Sized):
        return len(value) == 0
    return False


def assert_same(got: Any, expected: Any, what: str = "") -> None:
    """`got == expected`, and the answer is not nothing (empty == empty proves nothing)."""
    label = f"{what}: " if what else ""
    assert got == expected, f"{label}got {got!r}, expected {expected!r}"
    assert not is_nothing(expected), (
        f"{label}both sides answered nothing ({expected!r}): the comparison proves nothing; "
        "choose inputs with an answer, or use assert_both_empty with an independent reason"
    )


def assert_both_empty(
    got: Any, expected: Any, *, because: str, confirmed: bool, what: str = ""
) -> None:
    """Nothing is the right answer, for a reason the caller checked independently of either
    side (`confirmed`, e.g. from the artifact's tables or the contract), and both say so."""
    label = f"{what}: " if what else ""
    assert confirmed, f"{label}the reason to expect nothing does not hold: {because}"
    assert is_nothing(expected), f"{label}expected nothing ({because}), got {expected!r}"
    assert got == expected, f"{label}got {got!r}, expected {expected!r} (nothing: {because})"
