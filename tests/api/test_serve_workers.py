"""`ttkg serve --workers N`: real processes. Settings given as options reach every worker,
each writes the JSON access log, connections opened together are spread over the workers, a
worker that dies is replaced, and a bad setup fails once, with a clear message."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from tests.servers import (
    START_TIMEOUT_S,
    env_without_ttkg,
    free_port,
    listening_sockets,
    log_tail,
    open_connections,
    spawn_serve,
    start_serve,
    stop,
    wait_until,
)
from ttkg.api.serve_workers import listening_socket

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="reads /proc; one socket per worker is Linux's"
)


def _children(pid: int) -> list[int]:
    out: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        out += [int(c) for c in (task / "children").read_text().split()]
    return out


def _workers(pid: int) -> list[int]:
    """The supervisor's worker processes (not multiprocessing's resource tracker)."""
    return [p for p in _children(pid) if b"spawn_main" in Path(f"/proc/{p}/cmdline").read_bytes()]


def _port(url: str) -> int:
    port = urlsplit(url).port
    assert port is not None, url
    return port


def _start_workers(
    graph: Path,
    log: Path,
    env: dict[str, str] | None = None,
    workers: int = 2,
    options: tuple[str, ...] = (),
) -> tuple[subprocess.Popen[bytes], str]:
    """`ttkg serve --workers N` on a free port, once every worker has loaded the graph and
    accepts connections (each listens on its own socket only after its start-up), and holds
    no connection."""
    port = free_port()
    args = ["--graph", str(graph), "--workers", str(workers), *options]

    def all_listening(proc: subprocess.Popen[bytes]) -> bool:
        return len(_workers(proc.pid)) == workers and listening_sockets(port) == workers

    proc, url = start_serve(args, env or env_without_ttkg(), log, port=port, ready=all_listening)
    # the workers are idle (the tests count their sockets) once the start-up /health
    # connection is closed on the server's side too
    wait_until(lambda: open_connections(port) == 0, 10, what="the start-up connection to close")
    return proc, url


def _sockets(pid: int) -> int:
    n = 0
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            n += os.readlink(fd).startswith("socket:")
        except OSError:
            continue
    return n


@pytest.mark.slow
def test_two_workers_serve_with_the_options_given(sample_graph: Path, tmp_path: Path) -> None:
    env = env_without_ttkg(TTKG_MAX_REQUEST_BYTES="100")  # from the environment, as before
    log = tmp_path / "serve.log"
    # the graph and the cache size are given only as options: workers get them from the
    # serve command
    proc, url = _start_workers(sample_graph, log, env, options=("--cache-mb", "0"))
    try:
        workers = _workers(proc.pid)
        assert len(workers) == 2
        # each worker's event loop is uvloop's (a dependency where it exists): its extension
        # is mapped into every worker process
        for pid in workers:
            assert "/uvloop/loop." in Path(f"/proc/{pid}/maps").read_text(), pid
            # their query threads share one malloc arena (api/allocator.py): the cap is in
            # the environment each started with, which glibc reads before any thread starts
            environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
            assert b"GLIBC_TUNABLES=glibc.malloc.arena_max=1" in environ, pid
        # many fresh connections: whichever worker takes each, every answer is right
        statuses = []
        for i in range(40):
            if i % 2:
                r = httpx.get(f"{url}/bridges", params={"field_a": "8", "field_b": "9", "limit": 2})
                statuses.append(r.status_code)
                assert len(r.json()["direct"]) == 2
                assert r.headers["cache-status"] == "ttkg; fwd=miss"  # no answer kept
            else:
                r = httpx.request("GET", f"{url}/health", content=b"x" * 101)
                statuses.append(r.status_code)
        assert statuses == [413, 200] * 20
        assert _workers(proc.pid) == workers  # no worker died and was replaced

        def access_log() -> list[dict[str, Any]]:
            """The JSON entries, once the 40 requests above are all written."""
            lines = [x for x in log.read_text(errors="replace").splitlines() if x.startswith("{")]
            entries = [json.loads(x) for x in lines]
            bridges = sum(1 for e in entries if e["path"] == "/bridges")
            refused = sum(1 for e in entries if e["status"] == 413)
            return entries if bridges >= 20 and refused >= 20 else []

        entries = wait_until(
            access_log, 10, what="the 40 requests' access log lines", details=lambda: log_tail(log)
        )
        served = [(e["path"], e["status"]) for e in entries if e["path"] != "/health"]
        assert served == [("/bridges", 200)] * 20
        assert sum(1 for e in entries if e["status"] == 413) == 20
        assert "Traceback" not in log.read_text(errors="replace")
    finally:
        stop(proc)
    assert all(not Path(f"/proc/{p}").exists() for p in workers)  # stopped with the supervisor


@pytest.mark.slow
def test_workers_share_their_answers(sample_graph: Path, tmp_path: Path) -> None:
    """With the answer cache on (the default), an answer one worker computed is a hit in the
    other (`detail=shared`), byte for byte; the store is the server's own directory, removed
    when it stops."""
    log = tmp_path / "serve.log"
    proc, url = _start_workers(sample_graph, log, env_without_ttkg())
    params: dict[str, str | int] = {"field_a": "8", "field_b": "9", "limit": 3}
    try:
        workers = _workers(proc.pid)
        stores = {
            Path(dict(
                v.split("=", 1) for v in Path(f"/proc/{pid}/environ").read_text().split("\0") if v
            )["TTKG_SHARED_CACHE"])
            for pid in workers
        }
        assert len(stores) == 1
        store = stores.pop()
        assert store.is_dir() and store.name.startswith("ttkg-answers-")

        answers: dict[int, list[httpx.Response]] = {pid: [] for pid in workers}

        def served() -> list[dict[str, Any]]:
            lines = [x for x in log.read_text(errors="replace").splitlines() if x.startswith("{")]
            return [json.loads(x) for x in lines if '"/bridges"' in x]

        def both_answered() -> bool:
            """One more request on a fresh connection, filed under the worker that answered it
            (its access log line); true once each worker answered one."""
            r = httpx.get(f"{url}/bridges", params=params, timeout=30)
            sent = sum(map(len, answers.values())) + 1
            logged: list[dict[str, Any]] = wait_until(
                lambda: served() if len(served()) >= sent else None, 10,
                what="the request's access log line")
            answers[logged[sent - 1]["pid"]].append(r)
            return all(answers.values())

        wait_until(both_answered, 30, what="an answer from each worker")
        firsts = sorted((r for rs in answers.values() for r in rs[:1]),
                        key=lambda r: r.headers["cache-status"])
        assert [r.headers["cache-status"] for r in firsts] == [
            "ttkg; fwd=miss; stored", "ttkg; hit; detail=shared"]
        assert firsts[0].content == firsts[1].content
    finally:
        stop(proc)
    assert not store.exists()


@pytest.mark.slow
def test_a_missing_graph_fails_once_before_starting_workers(tmp_path: Path) -> None:
    missing = tmp_path / "no-graph-here"
    args = ["--graph", str(missing), "--workers", "2", "--port", str(free_port())]
    log = tmp_path / "serve.log"
    proc = spawn_serve(args, env_without_ttkg(), log)
    try:
        assert proc.wait(timeout=60) == 1
    finally:
        stop(proc)
    text = log.read_text(errors="replace")
    assert "error:" in text and str(missing.name) in text
    assert "Traceback" not in text


def test_workers_must_be_at_least_one(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "ttkg", "serve", "--workers", "0"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "--workers" in done.stderr


@pytest.mark.slow
def test_connections_opened_together_are_spread_over_the_workers(
    sample_graph: Path, tmp_path: Path
) -> None:
    proc, url = _start_workers(sample_graph, tmp_path / "serve.log")
    try:
        workers = _workers(proc.pid)
        idle = {p: _sockets(p) for p in workers}

        async def hold(n: int) -> dict[int, int]:
            clients = [httpx.AsyncClient(base_url=url) for _ in range(n)]
            try:
                answers = await asyncio.gather(*(c.get("/health") for c in clients))
                assert all(a.status_code == 200 for a in answers)
                return {p: _sockets(p) - idle[p] for p in workers}  # while all are open
            finally:
                await asyncio.gather(*(c.aclose() for c in clients))

        held = asyncio.run(hold(40))
        assert sum(held.values()) == 40
        # one socket per worker: the kernel hashes connections over them (an even split
        # is likeliest; fewer than 5 of 40 on either has a probability under 1e-6)
        assert min(held.values()) >= 5, held
    finally:
        stop(proc)


@pytest.mark.slow
def test_a_worker_that_dies_is_replaced(sample_graph: Path, tmp_path: Path) -> None:
    log = tmp_path / "serve.log"
    proc, url = _start_workers(sample_graph, log)
    try:
        first, second = _workers(proc.pid)
        os.kill(first, signal.SIGKILL)

        def replaced() -> list[int]:
            now = _workers(proc.pid)
            return now if len(now) == 2 and first not in now else []

        now = wait_until(
            replaced, START_TIMEOUT_S, 0.2, what="a new worker", details=lambda: log_tail(log)
        )
        assert second in now
        assert "exited with code -9; starting another" in log.read_text(errors="replace")
        # the replacement loads the graph, then listens next to the other worker's socket
        wait_until(
            lambda: listening_sockets(_port(url)) == 2,
            START_TIMEOUT_S,
            0.2,
            what="the replacement worker to listen",
            details=lambda: log_tail(log),
        )
        for _ in range(10):
            assert httpx.get(f"{url}/health").status_code == 200
    finally:
        stop(proc)


@pytest.mark.slow
def test_a_worker_that_cannot_start_stops_the_server(sample_graph: Path, tmp_path: Path) -> None:
    """The graph directory looks fine (its manifest opens) but a table the backend loads at
    start-up (the organisations of the serving index it maps) is damaged: every worker fails
    to start, and serve exits with uvicorn's code 3."""
    graph = tmp_path / "graph"
    shutil.copytree(sample_graph, graph)
    (table,) = graph.glob("versions/*/index/nodes/Organization.arrow")
    table.write_bytes(b"ARROW1 this is not an Arrow file any more")
    log = tmp_path / "serve.log"
    args = ["--graph", str(graph), "--workers", "2", "--port", str(free_port())]
    proc = spawn_serve(args, env_without_ttkg(), log)
    try:
        assert proc.wait(timeout=START_TIMEOUT_S) == 3
    finally:
        stop(proc)
    assert "a worker failed to start; stopping" in log.read_text(errors="replace")


@pytest.mark.slow
def test_a_port_in_use_is_a_clear_error(sample_graph: Path, tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        args = ["--graph", str(sample_graph), "--workers", "2", "--port", str(port)]
        done = subprocess.run(
            [sys.executable, "-m", "ttkg", "serve", *args],
            env=env_without_ttkg(),
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr
    assert "Traceback" not in done.stderr


def test_accepted_connections_send_without_delay() -> None:
    """Sockets accepted on a worker's socket get TCP_NODELAY from asyncio (it needs the
    listening socket's proto to be IPPROTO_TCP): no answer waits for a delayed ACK."""
    listener = listening_socket("127.0.0.1", 0)
    listener.listen()
    port = listener.getsockname()[1]
    seen: list[int] = []

    class Note(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            sock = transport.get_extra_info("socket")
            seen.append(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            transport.close()

    async def accept_one() -> None:
        server = await asyncio.get_running_loop().create_server(Note, sock=listener)
        async with server:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            for _ in range(100):
                if seen:
                    break
                await asyncio.sleep(0.01)
            writer.close()

    asyncio.run(accept_one())
    assert seen and seen[0] != 0
