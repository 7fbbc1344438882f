"""Forked processes for the independent parts of `resolve` (issue 14: use every core).

`fork_map(work, n, workers)` runs `work(start, stop)` (a list of results for items
`start..stop-1`) over `n` items cut into small chunks, in this process and `workers - 1`
processes forked from it. The work and everything it reads (name groups, the ROR index) are
inherited copy-on-write, never pickled; only results come back, pickled, and the chunks'
results are put back in chunk order: the output is the same list whatever the number of
workers. Process `p` of `P` takes chunks `p, p + P, p + 2P, ...` (neighbouring items cost
alike, so interleaved small chunks share the work evenly), and this process takes its share
too, so only `workers - 1` copies of the pages the work touches are made.

Objects are frozen out of the garbage collector's sight before the fork (`gc.freeze`) and the
children do not collect: a collection writes to the header of every object it visits and
would copy every page. Children do not log or print (a lock held by another thread of the
parent at the fork, a progress bar's, would never be released in the child) and leave by
`os._exit`. Where `fork` does not exist (Windows), or for `workers <= 1` or fewer than
`min_items` items, `work(0, n)` runs here alone.
"""

from __future__ import annotations

import gc
import logging
import os
import pickle
import signal
import time
import traceback
from collections.abc import Callable, Sequence
from typing import TypeVar

from ttkg.core.errors import TtkgError

__all__ = ["WorkerError", "available_cores", "fork_map", "worker_count"]

log = logging.getLogger(__name__)

R = TypeVar("R")

#: Items per chunk, by default: small enough that interleaved chunks balance the processes,
#: large enough that a chunk's result pickles in one piece.
CHUNK = 2_000


class WorkerError(TtkgError):
    """A forked worker of the identity engine failed or died (its error is in the message)."""


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity where the system tells it)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def worker_count(setting: int | None) -> int:
    """Processes to use for a `workers` setting: itself, or every core when None."""
    return available_cores() if setting is None else max(1, setting)


def fork_map(
    work: Callable[[int, int], Sequence[R]],
    n: int,
    workers: int,
    *,
    min_items: int,
    chunk: int = CHUNK,
    what: str = "work",
) -> list[R]:
    """`work(0, n)`, computed chunk by chunk in `workers` processes (see the module doc);
    `what` names the step in the debug log (time spent, bytes pickled back) and in a
    `WorkerError`."""
    if workers <= 1 or n < max(min_items, 2) or not hasattr(os, "fork"):
        return list(work(0, n))
    chunk = max(1, min(chunk, -(-n // workers)))
    bounds = [(s, min(s + chunk, n)) for s in range(0, n, chunk)]
    procs = min(workers, len(bounds))
    wall = time.perf_counter()
    children: list[tuple[int, int]] = []  # (pid, read end of its pipe)
    gc.freeze()  # (until the children are gone: the parent's collections copy pages too)
    try:
        try:
            for p in range(1, procs):
                read, write = os.pipe()
                pid = os.fork()
                if pid == 0:  # the child: compute its chunks, send them, leave
                    os.close(read)
                    _child(work, bounds[p::procs], write)
                os.close(write)
                children.append((pid, read))
        except BaseException:
            _stop(children)
            raise
        parts, received = _gather(work, bounds[0::procs], children, what)
    finally:
        gc.unfreeze()
    out: list[R] = []
    for i in range(len(bounds)):
        out.extend(parts[i % procs][i // procs])
    log.debug("%s: %d items in %d chunks on %d processes, %.2f s wall, %d bytes pickled back",
              what, n, len(bounds), procs, time.perf_counter() - wall, received)
    return out


def _child(work: Callable[[int, int], Sequence[R]], bounds: list[tuple[int, int]],
           write: int) -> None:
    """In the forked child: compute, pickle the chunks' results (or the error) to `write`,
    exit without running the parent's exit handlers."""
    code = 0
    try:
        gc.disable()
        try:
            payload = pickle.dumps((True, [list(work(s, e)) for s, e in bounds]),
                                   protocol=pickle.HIGHEST_PROTOCOL)
        except BaseException:  # reported to the parent, which raises it
            payload = pickle.dumps((False, traceback.format_exc()))
        with os.fdopen(write, "wb") as pipe:
            pipe.write(payload)
    except BaseException:  # the parent sees no result and reports how the child ended
        code = 1
    finally:
        os._exit(code)


def _gather(
    work: Callable[[int, int], Sequence[R]],
    mine: list[tuple[int, int]],
    children: list[tuple[int, int]],
    what: str,
) -> tuple[list[list[list[R]]], int]:
    """This process's chunks, then each child's: [[chunk results] per process], and the bytes
    received. Every child is waited for; on any failure the others are stopped and a
    `WorkerError` names the step and says what happened."""
    parts: list[list[list[R]]] = []
    received = 0
    failure: str | None = None
    pending = list(children)
    try:
        parts.append([list(work(s, e)) for s, e in mine])
        while pending:
            pid, read = pending.pop(0)
            with os.fdopen(read, "rb") as pipe:
                payload = pipe.read()
            _, status = os.waitpid(pid, 0)
            received += len(payload)
            if not payload:
                failure = (f"{what}: a worker process ended without a result "
                           f"({_status_text(status)})")
                break
            ok, value = pickle.loads(payload)
            if not ok:
                failure = f"{what}: a worker process failed:\n{value}"
                break
            parts.append(value)
    finally:
        _stop(pending)  # (after a failure here or in a child) stop the others
    if failure is not None:
        raise WorkerError(failure)
    return parts, received


def _stop(children: list[tuple[int, int]]) -> None:
    """Kill the children (they hold nothing to clean up: a SIGTERM handler inherited from
    the parent could keep one running) and reap them."""
    for pid, read in children:
        os.close(read)
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)


def _status_text(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"killed by signal {os.WTERMSIG(status)}"
    return f"exit status {os.waitstatus_to_exitcode(status)}"
