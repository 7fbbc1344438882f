"""`ttkg serve --workers N`: real processes, settings given as options reach every worker,
each worker writes the JSON access log, and a bad setup fails once, up front."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

START_TIMEOUT_S = 90.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _children(pid: int) -> list[int]:
    out: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        out += [int(c) for c in (task / "children").read_text().split()]
    return out


def _workers(pid: int) -> list[int]:
    """The supervisor's worker processes (not multiprocessing's resource tracker)."""
    return [p for p in _children(pid) if b"spawn_main" in Path(f"/proc/{p}/cmdline").read_bytes()]


def _serve(args: list[str], log: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    out = log.open("wb")
    try:
        return subprocess.Popen(
            [sys.executable, "-m", "api.cli", "serve", *args],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    finally:
        out.close()


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc")
def test_two_workers_serve_with_the_options_given(sample_graph: Path, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TTKG_")}
    env["TTKG_MAX_REQUEST_BYTES"] = "100"  # from the environment, as before
    port = _free_port()
    log = tmp_path / "serve.log"
    # the graph is given only as an option: workers get it from the serve command
    proc = _serve(["--graph", str(sample_graph), "--workers", "2", "--port", str(port)], log, env)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:  # both workers up, and at least one answering
            try:
                if len(_workers(proc.pid)) == 2 and httpx.get(f"{url}/health").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert proc.poll() is None, log.read_text(errors="replace")
            assert time.monotonic() < deadline, log.read_text(errors="replace")
            time.sleep(0.2)
        workers = _workers(proc.pid)
        assert len(workers) == 2
        # many fresh connections: whichever worker takes each, every answer is right
        statuses = []
        for i in range(40):
            if i % 2:
                r = httpx.get(f"{url}/bridges", params={"field_a": "8", "field_b": "9", "limit": 2})
                statuses.append(r.status_code)
                assert len(r.json()["direct"]) == 2
            else:
                r = httpx.request("GET", f"{url}/health", content=b"x" * 101)
                statuses.append(r.status_code)
        assert statuses == [413, 200] * 20
        assert _workers(proc.pid) == workers  # no worker died and was replaced
        deadline = time.monotonic() + 10
        while True:
            lines = [x for x in log.read_text(errors="replace").splitlines() if x.startswith("{")]
            if len(lines) >= 41 or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        entries = [json.loads(x) for x in lines]
        served = [(e["path"], e["status"]) for e in entries if e["path"] != "/health"]
        assert served == [("/bridges", 200)] * 20
        assert sum(1 for e in entries if e["status"] == 413) == 20
        assert "Traceback" not in log.read_text(errors="replace")
    finally:
        _stop(proc)
    assert all(not Path(f"/proc/{p}").exists() for p in workers)  # stopped with the supervisor


@pytest.mark.slow
def test_a_missing_graph_fails_once_before_starting_workers(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TTKG_")}
    missing = tmp_path / "no-graph-here"
    args = ["--graph", str(missing), "--workers", "2", "--port", str(_free_port())]
    log = tmp_path / "serve.log"
    proc = _serve(args, log, env)
    try:
        assert proc.wait(timeout=60) == 1
    finally:
        _stop(proc)
    text = log.read_text(errors="replace")
    assert "error:" in text and str(missing.name) in text
    assert "Traceback" not in text


def test_workers_must_be_at_least_one(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "api.cli", "serve", "--workers", "0"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "--workers" in done.stderr
