"""Serving while rebuilding, with real processes: a running `ttkg serve` keeps answering from
the version it opened while `ttkg build` commits new ones into the same graph directory (and
prunes the version it serves); it moves to the current version on SIGHUP, or by itself with
`--watch`, between requests, and /health states the version it serves."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import httpx
import pyarrow.parquet as pq
import pytest

from tests.servers import env_without_ttkg, log_tail, start_serve, stop, wait_until

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="SIGHUP is POSIX"),
]

BUILD_TIMEOUT_S = 300
SWAP_TIMEOUT_S = 120


def _build(graph: Path, *options: str) -> dict[str, Any]:
    """A real `ttkg build` (the bundled sample) into `graph`; its manifest."""
    done = subprocess.run(
        [sys.executable, "-m", "ttkg", "build", "--out", str(graph), "--format", "json", *options],
        env=env_without_ttkg(),
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT_S,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    manifest: dict[str, Any] = json.loads(done.stdout)
    return manifest


def _health(url: str) -> dict[str, Any]:
    r = httpx.get(f"{url}/health", timeout=30)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def _serving(url: str, build_id: str) -> bool:
    return _health(url)["build_id"] == build_id


def _old_works(graph: Path, build_id: str, before: int) -> list[str]:
    """Ids of works published before `before` in a version."""
    table = pq.read_table(graph / "versions" / build_id / "nodes" / "Work.parquet")
    return sorted(r["id"] for r in table.to_pylist() if r["year"] and r["year"] < before)


def _holds(pid: int, build_id: str) -> list[str]:
    """Files of a version that a process maps or has open (Linux /proc)."""
    mapped = [
        line for line in Path(f"/proc/{pid}/maps").read_text().splitlines() if build_id in line
    ]
    opened = []
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = str(fd.readlink())
        except OSError:  # closed meanwhile
            continue
        if build_id in target:
            opened.append(target)
    return mapped + opened


def _copy_sample(sample_graph: Path, tmp_path: Path) -> tuple[Path, str]:
    graph = tmp_path / "graph"
    shutil.copytree(sample_graph, graph)
    return graph, (graph / "CURRENT").read_text().strip()


def _serve(graph: Path, tmp_path: Path, *args: str) -> tuple[subprocess.Popen[bytes], str, Path]:
    log = tmp_path / "serve.log"
    proc, url = start_serve(
        ["--host", "127.0.0.1", *args], env_without_ttkg(TTKG_GRAPH=str(graph)), log
    )
    return proc, url, log


def test_sighup_moves_to_the_new_version_and_a_pruned_one_keeps_answering(
    sample_graph: Path, tmp_path: Path
) -> None:
    graph, first = _copy_sample(sample_graph, tmp_path)
    old_work = _old_works(graph, first, 2015)[0]
    proc, url, log = _serve(graph, tmp_path)
    try:
        before = _health(url)
        assert before["build_id"] == first
        first_answer = httpx.get(
            f"{url}/bridges", params={"field_a": "Semiconductors", "field_b": "Optics"}, timeout=60
        )
        bridges = first_answer.json()
        assert bridges["direct"] and bridges["partnerships"], "the sample has both kinds"
        # the old work's answer is kept by the server's answer cache (api/caching.py)
        work_url = f"{url}/entities/{old_work}"
        old_etag = httpx.get(work_url, timeout=30).headers["etag"]
        assert httpx.get(work_url, timeout=30).headers["cache-status"] == "ttkg; hit"

        # two builds commit: works of 2015 on, then of 2016 on; the second prunes `first`
        second = _build(graph, "--openalex-years", "2015-")
        third = _build(graph, "--openalex-years", "2016-")
        assert not (graph / "versions" / first).exists()
        assert (graph / "CURRENT").read_text().strip() == third["build_id"]

        # still the version it opened, whole: node tables, edge properties, counts
        assert _health(url) == before
        assert httpx.get(f"{url}/entities/{old_work}", timeout=30).status_code == 200
        again = httpx.get(
            f"{url}/bridges", params={"field_a": "Semiconductors", "field_b": "Optics"}, timeout=60
        )
        assert again.status_code == 200 and again.json() == bridges
        assert again.headers["etag"] == first_answer.headers["etag"]
        assert again.headers["cache-status"] == "ttkg; hit"
        revalidated = httpx.get(work_url, headers={"If-None-Match": old_etag}, timeout=30)
        assert revalidated.status_code == 304

        proc.send_signal(signal.SIGHUP)
        wait_until(
            lambda: _serving(url, third["build_id"]),
            SWAP_TIMEOUT_S,
            0.2,
            what=f"the server to serve {third['build_id']}",
            details=lambda: log_tail(log),
        )
        after = _health(url)
        assert after["nodes"] == third["nodes"] and after["edges"] == third["edges"]
        assert after["nodes"]["Work"] < second["nodes"]["Work"] < before["nodes"]["Work"]
        # neither the cached answer nor its ETag outlives the version: the new one answers
        gone = httpx.get(work_url, headers={"If-None-Match": old_etag}, timeout=30)
        assert gone.status_code == 404 and "etag" not in gone.headers
        moved = httpx.get(
            f"{url}/bridges",
            params={"field_a": "Semiconductors", "field_b": "Optics"},
            headers={"If-None-Match": first_answer.headers["etag"]},
            timeout=60,
        )
        assert moved.status_code == 200 and moved.headers["cache-status"].startswith("ttkg; fwd")
        assert moved.headers["etag"].startswith(f'"{third["build_id"]}-')
        assert proc.poll() is None
        assert f"now serving graph version {third['build_id']}" in log.read_text()
        if Path(f"/proc/{proc.pid}/maps").exists():
            # the old version is freed (its files unmapped and closed), though the server
            # had frozen it out of the garbage collector's sight
            wait_until(
                lambda: not _holds(proc.pid, first),
                SWAP_TIMEOUT_S,
                0.5,
                what=f"the server to let go of {first}",
                details=lambda: "\n".join(_holds(proc.pid, first)[:10]),
            )
            assert _holds(proc.pid, third["build_id"])
    finally:
        stop(proc)


def test_watch_moves_by_itself_and_no_answer_mixes_versions(
    sample_graph: Path, tmp_path: Path
) -> None:
    """Requests sent all through the swap each answer from one version: /health reads the
    build id and the counts in separate calls on the backend it took."""
    graph, first = _copy_sample(sample_graph, tmp_path)
    proc, url, log = _serve(graph, tmp_path, "--watch", "--watch-interval", "0.2")
    answers: list[dict[str, Any]] = []
    stopping = threading.Event()

    def hammer() -> None:
        with httpx.Client(timeout=30) as client:
            while not stopping.is_set():
                answers.append(client.get(f"{url}/health").json())

    thread = threading.Thread(target=hammer)
    try:
        counts = {first: _health(url)["nodes"]}
        thread.start()
        new = _build(graph, "--openalex-years", "2015-")
        counts[new["build_id"]] = new["nodes"]
        wait_until(
            lambda: _serving(url, new["build_id"]),
            SWAP_TIMEOUT_S,
            0.2,
            what=f"--watch to serve {new['build_id']}",
            details=lambda: log_tail(log),
        )
        wait_until(lambda: answers and answers[-1]["build_id"] == new["build_id"], 30)
    finally:
        stopping.set()
        if thread.is_alive():
            thread.join(60)
        stop(proc)
    served = [a["build_id"] for a in answers]
    assert first in served and new["build_id"] in served
    # every answer's counts are its own version's; the version changed once, for good
    assert all(a["nodes"] == counts[a["build_id"]] for a in answers)
    switch = served.index(new["build_id"])
    assert set(served[switch:]) == {new["build_id"]}


def test_sighup_reaches_every_worker(sample_graph: Path, tmp_path: Path) -> None:
    """`ttkg serve --workers 2`: the supervisor passes SIGHUP on; each worker moves."""
    graph, first = _copy_sample(sample_graph, tmp_path)
    proc, url, log = _serve(graph, tmp_path, "--workers", "2")
    try:
        new = _build(graph, "--openalex-years", "2015-")
        # new connections spread over both workers: all still serve the first version
        assert {_health(url)["build_id"] for _ in range(20)} == {first}
        proc.send_signal(signal.SIGHUP)

        def all_moved() -> bool:
            return {_health(url)["build_id"] for _ in range(20)} == {new["build_id"]}

        wait_until(
            all_moved,
            SWAP_TIMEOUT_S,
            0.5,
            what="both workers to move",
            details=lambda: log_tail(log),
        )
        assert proc.poll() is None
        assert log.read_text().count(f"now serving graph version {new['build_id']}") == 2
    finally:
        stop(proc)
