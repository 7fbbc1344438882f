"""A server process's query threads share one glibc malloc arena (api/allocator.py), the
main thread's: they add none to those the process has when the app starts.

Each check runs in a fresh interpreter (the setting holds for threads started after it) and
reads the arenas from glibc itself: `malloc_stats()` prints one "Arena N:" block per arena.
Each has its control, the same run without the setting, which must show more arenas: else
the check would not tell the two apart."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest

from ttkg.api.allocator import limit_malloc_arenas, tunables_with_arena_cap
from ttkg.cli.main import _settings_environment
from ttkg.core.settings import Settings

pytestmark = pytest.mark.skipif(
    platform.system() != "Linux" or platform.libc_ver()[0] != "glibc",
    reason="malloc arenas are glibc's",
)

# four threads alive at once, each allocating: without a cap each gets an arena of its own
_THREADS = """
import ctypes, sys, threading
from ttkg.api.allocator import limit_malloc_arenas
if sys.argv[1] == "1":
    assert limit_malloc_arenas(1)
alive = threading.Barrier(4)
def work():
    kept = [bytearray(64 << 10) for _ in range(16)]  # malloc'd (over Python's 512 bytes)
    alive.wait()
threads = [threading.Thread(target=work) for _ in range(4)]
for t in threads: t.start()
for t in threads: t.join()
ctypes.CDLL(None).malloc_stats()
"""

# the app as `ttkg serve` runs it (lifespan, then concurrent requests on its query threads),
# driven as ASGI from this thread so that no other thread exists before the app's start
_APP = """
import asyncio, ctypes, json, sys
from ttkg.api.app import create_app
from ttkg.core.settings import Settings
graph, arenas, requests = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3])

async def get(app, path):
    sent = []
    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}
    async def send(message):
        sent.append(message)
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": "GET", "scheme": "http", "path": path, "raw_path": path.encode(),
             "query_string": b"", "root_path": "", "headers": [(b"host", b"test")],
             "client": ("127.0.0.1", 1), "server": ("test", 80)}
    await app(scope, receive, send)
    return sent[0]["status"]

async def main():
    print("-- before the app", file=sys.stderr, flush=True)
    ctypes.CDLL(None).malloc_stats()  # the imports' threads (a BLAS pool) have theirs
    print("-- after it", file=sys.stderr, flush=True)
    app = create_app(Settings(graph=graph, malloc_arenas=arenas, warm_up_s=0, cache_mb=0))
    inbox, outbox = asyncio.Queue(), asyncio.Queue()
    await inbox.put({"type": "lifespan.startup"})
    life = asyncio.create_task(app({"type": "lifespan", "asgi": {"version": "3.0"},
                                    "state": {}}, inbox.get, outbox.put))
    assert (await outbox.get())["type"] == "lifespan.startup.complete"
    statuses = await asyncio.gather(*(get(app, p) for p in requests))
    await inbox.put({"type": "lifespan.shutdown"})
    await life
    return statuses

print(json.dumps(asyncio.run(main())), flush=True)
ctypes.CDLL(None).malloc_stats()
"""


def _arenas(stderr: str) -> int:
    return sum(line.startswith("Arena ") for line in stderr.splitlines())


def _arenas_before_and_after(stderr: str) -> tuple[int, int]:
    before, _, after = stderr.partition("-- after it")
    return _arenas(before.partition("-- before the app")[2]), _arenas(after)


def _run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items()
             if k not in ("GLIBC_TUNABLES", "MALLOC_ARENA_MAX")}
    return subprocess.run([sys.executable, "-c", *args], capture_output=True, text=True,
                          timeout=240, check=True, env={**clean, **env})


def test_one_arena_for_the_threads_started_after_the_cap() -> None:
    assert _arenas(_run(_THREADS, "0").stderr) >= 3  # the control: glibc's default
    assert _arenas(_run(_THREADS, "1").stderr) == 1


def test_a_served_app_runs_its_query_threads_on_one_arena(sample_graph: Path) -> None:
    requests = [f"/entities/cpc:{c}" for c in "ABCDEFGH"] * 4
    counts = {}
    for arenas in (0, 1):
        run = _run(_APP, str(sample_graph), str(arenas), json.dumps(requests))
        statuses = json.loads(run.stdout.strip().splitlines()[-1])
        assert statuses == [200] * len(requests)
        counts[arenas] = _arenas_before_and_after(run.stderr)
    before, after = counts[0]
    assert after >= before + 2, counts  # the control: the query threads took arenas
    before, after = counts[1]
    assert after == before, counts  # the query threads took none


def test_the_cap_from_the_environment_holds_from_the_start() -> None:
    """How `ttkg serve` gives it to its workers: glibc reads it before any thread starts;
    the app's own call then leaves it as it is."""
    tunables = tunables_with_arena_cap(None, 1)
    assert tunables == "glibc.malloc.arena_max=1"
    assert _arenas(_run(_THREADS, "0", GLIBC_TUNABLES=tunables).stderr) == 1
    kept = _run("from ttkg.api.allocator import limit_malloc_arenas as cap; print(cap(1))",
                GLIBC_TUNABLES="glibc.malloc.arena_max=4")
    assert kept.stdout.strip() == "False"  # the user's cap stands


def test_a_cap_the_user_set_is_kept() -> None:
    assert tunables_with_arena_cap("glibc.malloc.tcache_count=0", 1) == (
        "glibc.malloc.tcache_count=0:glibc.malloc.arena_max=1")
    assert tunables_with_arena_cap("glibc.malloc.arena_max=4:x.y=1", 1) == (
        "glibc.malloc.arena_max=4:x.y=1")


def test_serve_passes_the_cap_to_its_worker_processes() -> None:
    env = _settings_environment(Settings(malloc_arenas=1))
    assert env["TTKG_MALLOC_ARENAS"] == "1"
    # what a worker reads back from its environment
    assert Settings.model_validate({"malloc_arenas": env["TTKG_MALLOC_ARENAS"]}).malloc_arenas == 1


def test_a_cap_under_one_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        limit_malloc_arenas(0)
