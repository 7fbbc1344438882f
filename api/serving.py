"""The graph a running server answers from, and moving it to a newly built version.

`ttkg build` commits a new version by switching the graph directory's CURRENT pointer; a
running server keeps answering from the version it opened until told to move (SIGHUP) or,
with `--watch`, until it sees CURRENT change. It then opens the new version beside the old
one (in a worker thread, warmed up, while requests go on), and swaps it in between requests:

* every request takes one backend at its start (`ServedGraph.lease`, held by the `HoldGraph`
  middleware to the answer's last byte, read by the `BackendDep` dependency) and answers
  from it alone, so an answer never mixes two versions;
* the old backend is closed once the last request that holds it ends;
* a version pruned by later builds while still served keeps working: its arrays are mapped
  and its Parquet files were opened at open (only their directory entries go).

A version that fails to open (damaged, pruned before it could be read) is logged and the
served one kept. Only an embedded backend the app opened itself moves; Neo4j is a server
whose data changes under its own control.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
import threading
import weakref
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Final

import anyio
import anyio.to_thread
from starlette.types import ASGIApp, Receive, Scope, Send

from ttkg.graph.artifact import current_version, default_graph_dir
from ttkg.graph.backends.contract import GraphBackend

__all__ = ["BACKEND_KEY", "RELOAD_SIGNAL", "HoldGraph", "ServedGraph", "reload_on_signal_and_watch"]

log = logging.getLogger(__name__)

#: The signal that makes `ttkg serve` move to the graph's current version.
RELOAD_SIGNAL: Final = getattr(signal, "SIGHUP", None)
#: Seconds between tries to free a replaced backend and freeze the rest (ServedGraph.settle).
SETTLE_RETRY_S: Final = 1.0
#: Tries before giving up freezing (a replaced backend still alive then is held for good).
SETTLE_TRIES: Final = 60


def _version(backend: GraphBackend) -> str | None:
    build_id = backend.manifest().get("build_id")
    return None if build_id is None else str(build_id)


class ServedGraph:
    """The backend requests are answered from; swapped atomically between requests."""

    def __init__(
        self,
        backend: GraphBackend,
        *,
        reopen: Callable[[], GraphBackend] | None = None,
        graph_dir: Path | None = None,
        freeze_gc: bool = False,
    ) -> None:
        """`reopen` opens (and warms up) the graph's current version; without it the
        backend is never replaced. `graph_dir` is where CURRENT is read. With `freeze_gc`
        (a server process), what exists once the backend is warm is frozen (`settle`)."""
        self._backend = backend
        self._freeze_gc = freeze_gc
        self.settle_due = False  # a replaced backend is to be freed, then the rest frozen
        self._settle_tries = 0
        self._replaced: list[weakref.ref[GraphBackend]] = []
        self.version = _version(backend)
        self._reopen = reopen
        self._graph_dir = graph_dir if graph_dir is not None else default_graph_dir()
        self._lock = threading.Lock()
        self._users: dict[int, int] = {}  # id(backend) -> requests holding it
        self._retired: dict[int, GraphBackend] = {}  # replaced, closed when unused
        self._reloading = anyio.Lock()
        # one thread opens new versions: the request threads stay with the requests
        self._opener = anyio.CapacityLimiter(1)

    def settle(self) -> bool:
        """With freeze_gc: collect, then move every object that exists now (the imported
        modules' ~60k functions, classes and dicts, the warm backend) out of the collector's
        sight with `gc.freeze()`: they live as long as the process, and each full collection
        would walk them again (~0.04 s of CPU with the GIL held, every request waiting).

        After a swap the replaced backend must be freed first (it holds reference cycles: a
        frozen one would never be): while one is still in use or alive, nothing is frozen
        and `settle_due` stays set, for the reloader to try again. True once frozen."""
        if not self._freeze_gc:
            return False
        with self._lock:
            if self._retired:
                return False
        gc.unfreeze()
        gc.collect()
        self._replaced = [ref for ref in self._replaced if ref() is not None]
        if self._replaced:
            self._settle_tries += 1
            # a full collection a second is no way to run: a replaced version still alive
            # after a while is referenced for good (a bug); the collector then sees all
            self.settle_due = self._settle_tries < SETTLE_TRIES
            if not self.settle_due:
                log.warning("a replaced graph version is still referenced; not freezing")
            return False
        self._settle_tries = 0
        gc.freeze()
        self.settle_due = False
        log.info("froze %d objects out of the garbage collector's sight", gc.get_freeze_count())
        return True

    @property
    def backend(self) -> GraphBackend:
        """The backend new requests get."""
        return self._backend

    @property
    def reloadable(self) -> bool:
        return self._reopen is not None

    @contextlib.contextmanager
    def lease(self) -> Iterator[GraphBackend]:
        """The current backend, held for the block: it is not closed before the block ends,
        even if another version is swapped in meanwhile."""
        with self._lock:
            backend = self._backend
            key = id(backend)
            self._users[key] = self._users.get(key, 0) + 1
        try:
            yield backend
        finally:
            with self._lock:
                left = self._users[key] = self._users[key] - 1
                if left == 0:
                    del self._users[key]
                done = self._retired.pop(key) if left == 0 and key in self._retired else None
            if done is not None:
                _close(done)

    def pending_version(self) -> str | None:
        """The version CURRENT names, if it is not the one served (else None)."""
        if self._reopen is None:
            return None
        current = current_version(self._graph_dir)
        return current if current is not None and current != self.version else None

    async def reload(self) -> bool:
        """Open the graph's current version and serve it from the next request on, if it
        is not the one served. True when the served version changed."""
        if self._reopen is None:
            return False
        async with self._reloading:
            wanted = self.pending_version()
            if wanted is None:
                return False
            log.warning("graph version %s committed; opening it (serving %s)", wanted, self.version)
            try:
                new = await anyio.to_thread.run_sync(self._reopen, limiter=self._opener)
            except Exception:
                log.exception("cannot open graph version %s; serving %s", wanted, self.version)
                return False
            old = self.swap(new)
            log.warning("now serving graph version %s (was %s)", self.version, _version(old))
            return True

    def swap(self, new: GraphBackend) -> GraphBackend:
        """Serve `new` from the next lease on; the old backend is closed once unused.
        Returns the old backend."""
        with self._lock:
            old, self._backend = self._backend, new
            self.version = _version(new)
            unused = id(old) not in self._users
            if not unused:
                self._retired[id(old)] = old
            if self._freeze_gc:
                with contextlib.suppress(TypeError):  # a backend without weak references
                    self._replaced.append(weakref.ref(old))
                self.settle_due = True
        if unused:
            _close(old)
        return old

    def close(self) -> None:
        """Close the served backend and any replaced one still held (at shutdown)."""
        with self._lock:
            backends = [self._backend, *self._retired.values()]
            self._retired.clear()
        for backend in backends:
            _close(backend)


#: Where `HoldGraph` puts the backend a request answers from, in the request's ASGI scope.
BACKEND_KEY: Final = "ttkg.backend"


class HoldGraph:
    """Pure ASGI middleware: every HTTP request of an app whose `state.graph` is a
    ServedGraph holds a lease of its backend (scope[BACKEND_KEY]) from its start to its
    answer's last byte.

    Here rather than in an async-generator dependency: FastAPI runs each of those in an exit
    stack of its own, which cost more CPU per request than this whole middleware."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        served = getattr(scope["app"].state, "graph", None) if scope["type"] == "http" else None
        if not isinstance(served, ServedGraph):
            await self.app(scope, receive, send)
            return
        with served.lease() as backend:
            scope[BACKEND_KEY] = backend
            await self.app(scope, receive, send)


def _close(backend: GraphBackend) -> None:
    try:
        backend.close()
    except Exception:  # a backend that fails to close must not fail a request
        log.exception("closing the replaced %s backend failed", backend.name)


@contextlib.asynccontextmanager
async def reload_on_signal_and_watch(served: ServedGraph, watch_s: float) -> AsyncIterator[None]:
    """While the block runs: move `served` to the graph's current version on SIGHUP (when
    this is the main thread, as in `ttkg serve`) and, with watch_s > 0, whenever CURRENT is
    seen to change (checked every watch_s seconds)."""
    if not served.reloadable:
        yield
        return
    loop = asyncio.get_running_loop()
    wake = asyncio.Event()
    handled = False
    if RELOAD_SIGNAL is not None and threading.current_thread() is threading.main_thread():
        try:
            loop.add_signal_handler(RELOAD_SIGNAL, wake.set)
            handled = True
        except (NotImplementedError, RuntimeError, ValueError) as exc:
            log.info("no reload on SIGHUP here: %s", exc)

    async def reloader() -> None:
        while True:
            timeout = watch_s if watch_s > 0 else None
            if served.settle_due:  # soon: the replaced backend's requests end
                timeout = min(timeout or SETTLE_RETRY_S, SETTLE_RETRY_S)
            woken = False
            with contextlib.suppress(TimeoutError):  # a check of CURRENT is due
                woken = await asyncio.wait_for(wake.wait(), timeout=timeout)
            wake.clear()
            try:
                if woken or watch_s > 0:
                    await served.reload()
                if served.settle_due:
                    served.settle()
            except Exception:  # the reloader must outlive any one failure
                log.exception("graph reload failed")

    task = asyncio.create_task(reloader(), name="ttkg-graph-reload")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        if handled and RELOAD_SIGNAL is not None:
            loop.remove_signal_handler(RELOAD_SIGNAL)
