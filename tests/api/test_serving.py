"""ServedGraph, the holder of the backend a server answers from: a lease keeps its backend
open across a swap, a replaced backend is closed by its last lease, and one that a server
froze out of the collector's sight (gc.freeze) is still freed."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator
from pathlib import Path

import pytest

from ttkg.api.serving import ServedGraph
from ttkg.graph.backends.memory.backend import MemoryBackend


@pytest.fixture
def unfrozen() -> Iterator[None]:
    """Whatever a test freezes is unfrozen after it (the session's objects stay collectable)."""
    yield
    gc.unfreeze()


class Closing(MemoryBackend):
    closed = 0

    def close(self) -> None:
        type(self).closed += 1
        super().close()


def test_a_lease_holds_its_backend_across_a_swap(sample_graph: Path, unfrozen: None) -> None:
    first, second = Closing.open(sample_graph), Closing.open(sample_graph)
    served = ServedGraph(first, freeze_gc=True)
    served.settle()
    assert gc.get_freeze_count() > 0
    gone = weakref.ref(first)
    Closing.closed = 0
    with served.lease() as held:
        assert held is first
        assert served.swap(second) is first
        assert served.backend is second
        with served.lease() as fresh:
            assert fresh is second
        assert Closing.closed == 0  # still answering a request
        assert held.node_counts()
    assert Closing.closed == 1
    assert served.settle_due and not served.settle()  # `first` is still alive here
    del first, held
    assert served.settle() and not served.settle_due
    assert gone() is None, "a replaced backend frozen by the server must still be freed"
    assert gc.get_freeze_count() > 0
    served.close()


def test_an_unused_backend_is_closed_at_the_swap(sample_graph: Path) -> None:
    served = ServedGraph(Closing.open(sample_graph))
    Closing.closed = 0
    served.swap(Closing.open(sample_graph))
    assert Closing.closed == 1
    assert not served.reloadable and served.pending_version() is None
