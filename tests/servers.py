"""Real servers for the test suite, in one place: free loopback ports, `ttkg serve` processes
started (ready once /health answers) and stopped, and `wait_until`, the polling that replaces
fixed sleeps (wait for the condition itself: a port accepting, a file or log line appearing,
a process exiting).

Registered as a plugin by the root conftest (`pytest_plugins`), it also provides the session
fixture `live_server`: `ttkg serve` with default settings over the built sample.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import httpx
import pytest

T = TypeVar("T")

HOST = "127.0.0.1"
START_TIMEOUT_S = 90.0
STOP_TIMEOUT_S = 30.0


def free_port() -> int:
    """A currently free TCP port on the loopback interface."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def wait_until(
    predicate: Callable[[], T | None],
    timeout: float,
    interval: float = 0.1,
    *,
    what: str = "the condition",
    details: Callable[[], str] | None = None,
    ignore: tuple[type[BaseException], ...] = (),
) -> T:
    """Call `predicate` every `interval` seconds until it returns a true value, and return that
    value; after `timeout` seconds raise AssertionError naming `what` (and `details()`, e.g. a
    log's tail). Exceptions in `ignore` count as "not yet"; any other propagates, so that a
    predicate can give up early (a process that exited will never answer)."""
    deadline = time.monotonic() + timeout
    last: BaseException | None = None
    while True:
        try:
            value = predicate()
        except ignore as exc:
            value, last = None, exc
        if value:
            return value
        if time.monotonic() >= deadline:
            message = f"timed out after {timeout:g} s waiting for {what}"
            if last is not None:
                message += f" (last error: {last!r})"
            if details is not None:
                message += f"\n{details()}"
            raise AssertionError(message)
        time.sleep(interval)


def log_tail(path: Path, lines: int = 40) -> str:
    """The last lines of a log file (or a note that it is missing)."""
    if not path.exists():
        return f"({path} does not exist)"
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def env_without_ttkg(**extra: str) -> dict[str, str]:
    """This process's environment without any TTKG_ setting, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TTKG_")}
    env.update(extra)
    return env


def _tcp_states(port: int) -> list[str]:
    """The TCP state (hex, as in /proc/net/tcp*) of every socket whose local port is `port`."""
    states = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port:
                states.append(fields[3])
    return states


def listening_sockets(port: int) -> int:
    """How many sockets listen on a TCP port (Linux: /proc/net/tcp*). A socket listens once
    its server accepts connections; bound but not listening does not count."""
    return sum(state == "0A" for state in _tcp_states(port))  # 0A: LISTEN


def open_connections(port: int) -> int:
    """How many connections a server on `port` still holds (every state but LISTEN and
    TIME_WAIT, which no process holds any more)."""
    return sum(state not in ("0A", "06") for state in _tcp_states(port))


def spawn_serve(
    args: Sequence[str], env: Mapping[str, str], log_path: Path
) -> subprocess.Popen[bytes]:
    """Start `python -m ttkg serve *args` (stdout and stderr to `log_path`), without waiting."""
    with log_path.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "ttkg", "serve", *args],
            env=dict(env),
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def start_serve(
    args: Sequence[str],
    env: Mapping[str, str],
    log_path: Path,
    *,
    port: int | None = None,
    ready: Callable[[subprocess.Popen[bytes]], bool] | None = None,
    timeout: float = START_TIMEOUT_S,
) -> tuple[subprocess.Popen[bytes], str]:
    """Start `python -m ttkg serve *args --port PORT` (a free port unless given) and poll
    until `ready(proc)` (if given) holds and /health answers 200; return the process and its
    base URL. If the process exits first, or the timeout passes, stop it and fail with the
    log's tail."""
    port = port or free_port()
    proc = spawn_serve([*args, "--port", str(port)], env, log_path)
    url = f"http://{HOST}:{port}"

    def answering() -> bool:
        if proc.poll() is not None:
            raise AssertionError(
                f"ttkg serve {' '.join(args)} exited with code {proc.returncode} before "
                f"answering {url}/health; its log ends:\n{log_tail(log_path)}"
            )
        if ready is not None and not ready(proc):
            return False
        return httpx.get(f"{url}/health", timeout=5).status_code == 200

    try:
        wait_until(
            answering,
            timeout,
            0.2,
            what=f"ttkg serve at {url} to answer /health",
            details=lambda: f"its log ends:\n{log_tail(log_path)}",
            ignore=(httpx.TransportError,),
        )
    except BaseException:
        stop(proc)
        raise
    return proc, url


def stop(proc: subprocess.Popen[bytes], timeout: float = STOP_TIMEOUT_S) -> None:
    """SIGTERM the process and wait for it; SIGKILL it if it does not stop in time."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


# -- fixtures ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LiveServer:
    """Where a running `ttkg serve` answers, and the file its output goes to."""

    url: str
    log: Path

    def log_lines(self) -> list[str]:
        return self.log.read_text(errors="replace").splitlines()


@pytest.fixture(scope="session")
def live_server(
    sample_graph: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """`ttkg serve` (default settings) over the built sample, on loopback, for the session."""
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    env = dict(os.environ, TTKG_GRAPH=str(sample_graph))
    proc, url = start_serve(["--host", HOST], env, log)
    try:
        yield LiveServer(url, log)
    finally:
        stop(proc)
