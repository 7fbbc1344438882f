"""One malloc arena for a server process (glibc): its query threads share the memory the
warm-up and earlier requests left free instead of each faulting in pages of its own.

Why: glibc gives each thread that allocates an arena of its own (up to 8 per core), and a
fresh arena has no memory yet: each page the thread's first requests allocate is faulted in
and zeroed by the kernel.
The query threads of a server start after its warm-up, so every worker's first seconds were
page faults: at 9.1M patents (load benchmark, two workers), 17k-28k minor faults a second
per worker with 20-60 % of its CPU in the kernel, holding the interpreter's lock; the first
second's p99 (server-side) was 69-273 ms, and the run's p99 52-163 ms (nine runs). With one
arena (the main thread's, which the warm-up grew): 5k-9k faults a second, 5-16 % in the
kernel, first-second p99 29-74 ms, the run's p99 34-70 ms (nine runs; docs/performance.md,
session 16).

The threads hold the interpreter's lock while they allocate, so sharing one arena's lock
costs them little. How: `ttkg serve --workers N` starts its workers with the cap in their
environment (GLIBC_TUNABLES `glibc.malloc.arena_max`, read by glibc when the process starts,
before its imports start threads of their own); a single-process server sets it with
`mallopt(M_ARENA_MAX, 1)` before its query threads start (threads that already have an arena
keep it). A cap the user set in the environment is left as it is. Elsewhere than glibc
(musl, macOS, Windows) nothing is changed.

Set from the app's start only, the workers' first second still took 10k-18k faults a second
(a thread an import started had an arena of its own, which the query threads then shared),
and the run's p99 was 44-114 ms (six runs); from the environment, as above. Keeping freed
memory instead (fixed trim and mmap thresholds, an arena per thread) left the faults as they
were (14k-28k a second, one run).
"""

from __future__ import annotations

import ctypes
import logging
import os
import platform
from typing import Final

__all__ = ["limit_malloc_arenas", "tunables_with_arena_cap"]

log = logging.getLogger(__name__)

#: mallopt's parameter for the most arenas (glibc's malloc.h).
M_ARENA_MAX: Final = -8
_TUNABLE: Final = "glibc.malloc.arena_max"


def tunables_with_arena_cap(current: str | None, arenas: int) -> str:
    """GLIBC_TUNABLES for a child process: `current` (colon-separated name=value pairs) with
    a cap of `arenas` arenas added, unless it has one (the user's is kept)."""
    parts = _tunables(current)
    if not _has_cap(parts):
        parts.append(f"{_TUNABLE}={arenas}")
    return ":".join(parts)


def _tunables(value: str | None) -> list[str]:
    return [p for p in (value or "").split(":") if p]


def _has_cap(tunables: list[str]) -> bool:
    return any(p.startswith(f"{_TUNABLE}=") for p in tunables)


def _capped_by_environment() -> bool:
    return "MALLOC_ARENA_MAX" in os.environ or _has_cap(
        _tunables(os.environ.get("GLIBC_TUNABLES")))


def limit_malloc_arenas(arenas: int) -> bool:
    """Cap glibc's malloc at `arenas` arenas for the threads this process starts from now
    on; True when glibc took it, False where there is no glibc or the environment this
    process started with set a cap (nothing is changed)."""
    if arenas < 1:
        raise ValueError(f"arenas must be at least 1, got {arenas}")
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return False
    if _capped_by_environment():
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    took = bool(mallopt(M_ARENA_MAX, arenas))
    if not took:
        log.warning("glibc refused mallopt(M_ARENA_MAX, %d)", arenas)
    return took
