"""Worker processes for `ttkg serve --workers N`, each listening on the same port with its own
socket (SO_REUSEPORT, Linux), so that the kernel spreads new connections over the workers.

uvicorn's own workers share one listening socket, and whichever wakes first accepts every
connection waiting: a burst of keep-alive connections (a proxy's pool, a batch client, users
arriving together) stays on one worker for its lifetime. Measured with 2 workers: 20 clients
connecting at once all went to one worker, 200 split about 150/50; with one socket per worker,
8/12 and 105/95. Where SO_REUSEPORT does not balance (not Linux), uvicorn's workers are used.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import multiprocessing.connection
import os
import signal
import socket
import sys
from types import FrameType
from typing import Any

__all__ = ["balanced_workers_supported", "run_workers"]

log = logging.getLogger(__name__)

#: uvicorn's exit code for a worker whose application failed to start
STARTUP_FAILURE = 3
STOP_TIMEOUT_S = 30.0


def balanced_workers_supported() -> bool:
    """Whether the kernel balances connections over sockets sharing a port (Linux)."""
    return sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")


def listening_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to host:port that other sockets may share (SO_REUSEPORT).

    Made with proto IPPROTO_TCP, which accepted sockets inherit: asyncio sets TCP_NODELAY only
    on sockets that say so. uvicorn's own workers leave it at 0 (its issue #3149), and every
    answer sent in two writes (head, then body) then waited ~40 ms for the client's delayed
    ACK (Nagle's algorithm): measured, 20 clients got 376 req/s at p50 49 ms.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


def _worker(app: str, host: str, port: int, options: dict[str, Any]) -> None:
    """One worker: its own socket on the shared port, one uvicorn server, the app built by
    the `app` factory (settings from the environment)."""
    import uvicorn

    if hasattr(signal, "SIGHUP"):  # until the app handles it (reload): not the end of us
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
    sock = listening_socket(host, port)
    server = uvicorn.Server(uvicorn.Config(app, factory=True, **options))
    server.run(sockets=[sock])
    if not server.started:
        sys.exit(STARTUP_FAILURE)


def run_workers(n: int, app: str, host: str, port: int, options: dict[str, Any]) -> int:
    """Run `n` workers until SIGINT or SIGTERM (passed on to them as SIGTERM: each finishes
    its requests) or until one fails to start (all stop). A worker that dies later is
    replaced. SIGHUP is passed on to every worker (each moves to the graph's current
    version). Returns the exit code for the command."""
    # held, not listening, for the whole run: the port is taken (or refused) here, once
    reserved = listening_socket(host, port)
    context = multiprocessing.get_context("spawn")
    stopping: list[int] = []

    def start() -> multiprocessing.process.BaseProcess:
        process = context.Process(target=_worker, args=(app, host, port, options))
        process.start()
        return process

    def stop(signum: int, frame: FrameType | None) -> None:
        stopping.append(signum)

    def reload(signum: int, frame: FrameType | None) -> None:
        # each worker moves to the graph's current version on its own
        for worker in workers:
            if worker.pid is not None and worker.exitcode is None:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(worker.pid, signum)

    workers: list[multiprocessing.process.BaseProcess] = []
    handled = [signal.SIGINT, signal.SIGTERM]
    previous = {s: signal.signal(s, stop) for s in handled}
    if hasattr(signal, "SIGHUP"):
        previous[signal.SIGHUP] = signal.signal(signal.SIGHUP, reload)
    workers += [start() for _ in range(n)]
    code = 0
    try:
        while not stopping:
            sentinels = [w.sentinel for w in workers]
            multiprocessing.connection.wait(sentinels, timeout=0.5)
            for i, worker in enumerate(workers):
                if worker.exitcode is None or stopping:
                    continue
                if worker.exitcode == STARTUP_FAILURE:
                    log.error("a worker failed to start; stopping")
                    code = STARTUP_FAILURE
                    stopping.append(0)
                    break
                log.error("worker %d exited with code %s; starting another", i, worker.exitcode)
                workers[i] = start()
    finally:
        for worker in workers:
            if worker.exitcode is None:
                worker.terminate()  # SIGTERM: uvicorn's graceful shutdown
        for worker in workers:
            worker.join(STOP_TIMEOUT_S)
            if worker.exitcode is None:
                worker.kill()
                worker.join()
        reserved.close()
        for s, handler in previous.items():
            signal.signal(s, handler)
    return code
