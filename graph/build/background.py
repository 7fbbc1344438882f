"""A step of the build run in a forked process while the build goes on with another that
needs nothing of it (issue 14: the second core).

`Background(work, what=...)` forks at once; the child computes `work(True)` on its copy of
the process and sends the result back pickled; `result()` waits for it. The build reads the
PatentsView tables this way while it reads the ROR registry and indexes it (results of
Arrow arrays and numpy, which pickle as buffers; the index is Python objects, which would
not), and the OpenAlex works while it finds families.

The result is always `work()`'s: where `fork` does not exist (Windows), when told not to
fork, or when the child fails or dies, `result()` computes `work(False)` in this process, so
an error (a corrupt input, say) is raised here as it would have been without the child. The
argument tells the work where it runs: in the child it must leave the parent's progress bar
alone (its lock may be held by another thread at the fork). The
child's log records are kept, not emitted (a handler's lock held by another thread of the
parent at the fork, a progress bar's, would never be released in the child), and replayed
here by `result()` in their order (a failed child's are dropped: computing it again makes
them again). The child leaves by `os._exit`; `close()` (or the end of
the `with` block) kills and reaps a child whose result was never asked for; on Linux the
kernel kills it when the parent dies.
"""

from __future__ import annotations

import ctypes
import logging
import os
import pickle
import resource
import signal
import sys
import time
import traceback
from collections.abc import Callable
from functools import cache
from types import TracebackType
from typing import Any, BinaryIO, Generic, TypeVar

__all__ = ["Background"]

log = logging.getLogger(__name__)

T = TypeVar("T")


class Background(Generic[T]):
    """`work()` computed in a forked child (see the module doc)."""

    def __init__(self, work: Callable[[bool], T], *, what: str, fork: bool = True) -> None:
        self.work = work
        self.what = what
        #: the child's wall and CPU seconds and peak RSS in MB (None until its result is in)
        self.wall: float | None = None
        self.cpu: float | None = None
        self.peak_mb: float | None = None
        self._child: tuple[int, int] | None = None  # (pid, read end of its pipe)
        #: whether a child was forked for the work
        self.forked = fork and hasattr(os, "fork")
        if self.forked:
            parent = os.getpid()
            prctl = _prctl()  # (looked up here: no dynamic loading in the child)
            read, write = os.pipe()
            pid = os.fork()
            if pid == 0:
                os.close(read)
                _die_with_parent(prctl, parent)
                _child(work, write)
            os.close(write)
            self._child = (pid, read)

    def result(self) -> T:
        """The child's result (its log records replayed here), or `work(False)` computed in
        this process when there is no child or it failed."""
        if self._child is None:
            return self.work(False)
        pid, read = self._child
        self._child = None  # (reaped below, whatever happens)
        try:
            with os.fdopen(read, "rb", buffering=_BUFFER) as pipe:
                got = _receive(pipe)
        except BaseException:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            raise
        _, status = os.waitpid(pid, 0)
        if got is None:
            log.warning("%s: the forked process ended without a result (%s); computing it "
                        "here", self.what, _status_text(status))
            return self.work(False)
        error, records, (self.wall, self.cpu, self.peak_mb), value = got
        if error is not None:  # (its log records too are made again)
            log.debug("%s failed in the forked process; computing it here:\n%s", self.what,
                      error)
            return self.work(False)
        for record in records:
            logging.getLogger(record.name).handle(record)
        result: T = value
        return result

    def close(self) -> None:
        """Kill and reap a child whose result was never asked for."""
        if self._child is not None:
            pid, read = self._child
            self._child = None
            os.close(read)
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)

    def __enter__(self) -> Background[T]:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


@cache
def _prctl() -> Callable[..., int] | None:
    """libc's `prctl` (Linux), else None."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        found: Callable[..., int] = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    return found


def _die_with_parent(prctl: Callable[..., int] | None, parent: int) -> None:
    """Have the kernel kill this child when the parent dies (Linux `PR_SET_PDEATHSIG`): a
    build killed midway leaves no process behind writing into its scratch folder. Elsewhere
    the child ends at its next write to the pipe, which has no reader."""
    if prctl is None:
        return
    prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # the parent died before the call
        os._exit(1)


#: Bytes the pipe's file objects buffer (large buffers, numpy's and Arrow's, pass unbuffered).
_BUFFER = 1 << 20


def _receive(pipe: BinaryIO) -> tuple[str | None, list[logging.LogRecord],
                                      tuple[float, float, float], Any] | None:
    """(the child's error, its log records, its usage, its result) as `_child` sends them;
    None when the stream ends early (the child died, or its result did not pickle)."""
    try:
        error, records, usage = pickle.load(pipe)
        value = pickle.load(pipe) if error is None else None
    except Exception:  # EOFError, UnpicklingError, ...: a stream cut short
        return None
    return error, records, usage, value


def _child(work: Callable[[bool], Any], write: int) -> None:
    """In the forked child: compute; pickle (error or None, log records, (wall, CPU, peak
    RSS)), then the result, to `write` as a stream (no copy of the whole: a build's
    PatentsView result is ~1 GB at 9.1M patents); exit without running the parent's exit
    handlers. A result that does not pickle cuts the stream short: the parent computes it."""
    code = 0
    try:
        records: list[logging.LogRecord] = []

        def keep(self: logging.Logger, record: logging.LogRecord) -> None:
            records.append(record)

        logging.Logger.handle = keep  # type: ignore[method-assign]
        wall, cpu = time.perf_counter(), time.process_time()
        error: str | None = None
        value: Any = None
        try:
            value = work(True)
        except BaseException:  # the parent computes it again, and raises it
            error = traceback.format_exc()
        usage = (time.perf_counter() - wall, time.process_time() - cpu,
                 resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
        with os.fdopen(write, "wb", buffering=_BUFFER) as pipe:
            pickle.dump((error, [_picklable(r) for r in records], usage), pipe,
                        protocol=pickle.HIGHEST_PROTOCOL)
            if error is None:
                pickle.dump(value, pipe, protocol=pickle.HIGHEST_PROTOCOL)
    except BaseException:  # the parent sees no result and computes it itself
        code = 1
    finally:
        os._exit(code)


def _picklable(record: logging.LogRecord) -> logging.LogRecord:
    """The record with its message formatted and its traceback as text (arguments and
    exceptions need not pickle)."""
    record.msg, record.args = record.getMessage(), None
    if record.exc_info:
        record.exc_text = logging.Formatter().formatException(record.exc_info)
        record.exc_info = None
    return record


def _status_text(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"killed by signal {os.WTERMSIG(status)}"
    return f"exit status {os.waitstatus_to_exitcode(status)}"
