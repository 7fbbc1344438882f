"""A tiny progress protocol so library code can report long steps without printing.

The CLI passes a rich-based implementation; library callers get `NO_PROGRESS`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Protocol

__all__ = ["NO_PROGRESS", "NullProgress", "Progress"]

Advance = Callable[[int], None]


class Progress(Protocol):
    """Reports a named step; the yielded callable advances it by n units."""

    def task(
        self, description: str, total: int | None = None
    ) -> AbstractContextManager[Advance]: ...


class NullProgress:
    """Progress that reports nothing."""

    @contextmanager
    def task(self, description: str, total: int | None = None) -> Iterator[Advance]:
        yield _ignore


def _ignore(n: int) -> None:
    return None


NO_PROGRESS = NullProgress()
