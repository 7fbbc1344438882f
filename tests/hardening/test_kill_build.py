"""A `ttkg build` killed midway (SIGKILL, no chance to clean up) never harms the current graph,
and the next build succeeds and clears what the killed one left behind."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.servers import wait_until
from ttkg.core.model import NodeLabel
from ttkg.graph.artifact import KEEP_VERSIONS, Artifact
from ttkg.graph.backends.memory.backend import MemoryBackend
from ttkg.graph.build.builder import build_graph
from ttkg.loaders.sources import SourcePaths
from ttkg.queries.bridges import bridges

ATTEMPTS = 3


def _kill_while_writing(graph: Path) -> Path | None:
    """Start `ttkg build --out graph`, SIGKILL it as soon as its temporary version folder
    appears; return that folder, or None if the build finished before it could be caught."""
    versions = graph / "versions"
    before = set(os.listdir(versions))
    proc = subprocess.Popen(
        [sys.executable, "-m", "ttkg", "build", "--out", str(graph), "--format", "json"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def written_or_done() -> list[str] | bool:
        """The build's new temporary folder once it appears (True: the build ended first)."""
        new = [n for n in os.listdir(versions) if n not in before and n.startswith(".tmp-")]
        return new or proc.poll() is not None

    try:
        # poll as fast as possible: the folder lives only while the build writes it
        seen = wait_until(written_or_done, 120, 0.001, what="the build's temporary folder")
        if seen is True:
            return None
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert isinstance(seen, list)
        return versions / seen[0]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.mark.slow
def test_killed_build_keeps_previous_graph_and_next_build_cleans_up(
    sample_graph: Path, tmp_path: Path
) -> None:
    graph = tmp_path / "graph"
    shutil.copytree(sample_graph, graph)
    good = Artifact.open(graph).manifest
    stale: Path | None = None
    for _ in range(ATTEMPTS):
        stale = _kill_while_writing(graph)
        if stale is not None:
            break
        # the build won the race and committed: that is a valid graph too; try again
        good = Artifact.open(graph).manifest
    assert stale is not None, f"could not kill a build while it wrote ({ATTEMPTS} attempts)"
    assert stale.is_dir(), "SIGKILL leaves the temporary folder behind"

    # the previous graph is still current, complete and answers queries
    current = Artifact.open(graph)
    assert current.manifest["build_id"] == good["build_id"]
    assert current.nodes(NodeLabel.PATENT).num_rows == good["nodes"]["Patent"]
    backend = MemoryBackend.open(graph)
    try:
        assert backend.node_counts() == good["nodes"]
        assert bridges(backend, "Semiconductors", "Optics", limit=3).direct
    finally:
        backend.close()

    # a temporary folder of a build still running (this process) is left alone; one named
    # before folders carried a pid is removed like the killed build's
    running = graph / "versions" / f".tmp-{os.getpid()}-20990101T000000-abcdef"
    running.mkdir()
    legacy = graph / "versions" / ".tmp-20200101T000000-abcdef"
    legacy.mkdir()

    result = build_graph(SourcePaths.sample(), graph)
    assert Artifact.open(graph).manifest["build_id"] == result.manifest["build_id"]
    assert not stale.exists() and not legacy.exists()
    assert running.is_dir()
    kept = [p for p in (graph / "versions").iterdir() if not p.name.startswith(".")]
    assert len(kept) <= KEEP_VERSIONS
