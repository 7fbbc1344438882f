"""A real `ttkg serve` process over the built sample, shared by the hardening tests (the Bolt
fixtures of the injection tests come from tests.neo4j.bolt, a plugin of the root conftest)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

START_TIMEOUT_S = 90.0


@dataclass(frozen=True)
class LiveServer:
    """Where a running `ttkg serve` answers, and the file its stderr goes to."""

    url: str
    log: Path

    def log_lines(self) -> list[str]:
        return self.log.read_text(errors="replace").splitlines()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(
    graph: Path, log: Path, extra_env: dict[str, str] | None = None
) -> tuple[subprocess.Popen[bytes], str]:
    """Start `ttkg serve` on a free loopback port; return the process once /health answers."""
    port = free_port()
    env = dict(os.environ, TTKG_GRAPH=str(graph), **(extra_env or {}))
    out = log.open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "ttkg", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
    )
    out.close()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        try:
            if httpx.get(f"{url}/health", timeout=5).status_code == 200:
                return proc, url
        except httpx.TransportError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            stop_server(proc)
            raise RuntimeError(f"ttkg serve did not start:\n{log.read_text(errors='replace')}")
        time.sleep(0.2)


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@pytest.fixture(scope="session")
def live_server(
    sample_graph: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """`ttkg serve` (default settings) over the built sample, for the whole session."""
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    proc, url = start_server(sample_graph, log)
    try:
        yield LiveServer(url, log)
    finally:
        stop_server(proc)
