"""The worker threads that run the queries, away from the event loop.

A query is handed over with asyncio's own executor (`loop.run_in_executor`: a C `SimpleQueue`
and one wake-up of the loop when it is done) rather than anyio's `to_thread` (Starlette's
`run_in_threadpool`), whose `queue.Queue` and `Condition` hand-over, cancel scope and context
copy cost more event-loop CPU per request than the middleware stack: measured with py-spy on
a server under load, 13 % of all CPU held with the GIL was anyio's hand-over."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

__all__ = ["in_thread", "query_threads"]

P = ParamSpec("P")
T = TypeVar("T")


def query_threads(threads: int) -> ThreadPoolExecutor:
    """Make `threads` query threads the running loop's default executor (`in_thread` uses
    it); the caller shuts it down when the app stops."""
    executor = ThreadPoolExecutor(threads, thread_name_prefix="ttkg-query")
    asyncio.get_running_loop().set_default_executor(executor)
    return executor


async def in_thread(fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
    """`fn(*args, **kwargs)` in a query thread."""
    call = functools.partial(fn, *args, **kwargs) if kwargs else fn
    return await asyncio.get_running_loop().run_in_executor(None, call, *([] if kwargs else args))
