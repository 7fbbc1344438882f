"""A server reads its graph version into the page cache before answering
(graph/indexing/residency.py): real files of the built sample, evicted with
posix_fadvise(DONTNEED), then read back; residency is checked by util-linux's `fincore`,
which asks the kernel (mincore), independently of the code under test."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ttkg.graph.indexing import residency
from ttkg.graph.indexing.residency import bring_into_page_cache

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux") or shutil.which("fincore") is None,
    reason="Linux page cache; util-linux's fincore reads residency",
)


def _version(sample_graph: Path, tmp_path: Path) -> Path:
    """A private copy of the sample's version (other tests map the shared one)."""
    current = (sample_graph / "CURRENT").read_text().strip()
    copy = tmp_path / "version"
    shutil.copytree(sample_graph / "versions" / current, copy)
    return copy


def _resident(directory: Path) -> tuple[int, int]:
    """(bytes resident, bytes) of the files under `directory`, by fincore (resident bytes
    are whole pages: a file wholly in memory shows at least its size)."""
    files = [str(p) for p in sorted(directory.rglob("*")) if p.is_file() and p.stat().st_size]
    out = subprocess.run(["fincore", "--bytes", "--noheadings", "--raw",
                          "--output", "RES,SIZE", *files],
                         capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in out.splitlines() if line.strip()]
    return sum(int(r[0]) for r in rows), sum(int(r[1]) for r in rows)


def _evict(directory: Path) -> None:
    for path in directory.rglob("*"):
        if path.is_file():
            fd = os.open(path, os.O_RDONLY)
            try:
                os.fsync(fd)  # written pages must be clean to be dropped
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            finally:
                os.close(fd)


def test_an_evicted_version_is_read_back_whole(sample_graph: Path, tmp_path: Path) -> None:
    version = _version(sample_graph, tmp_path)
    _evict(version)
    resident, size = _resident(version)
    if resident >= size:
        pytest.skip("this file system keeps its pages (tmpfs): nothing to evict")
    assert bring_into_page_cache(version) == size
    resident, _ = _resident(version)
    assert resident >= size


def test_nothing_is_read_where_the_files_would_crowd_memory(
    sample_graph: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Files larger than the share of available memory allowed (here: none) are left to
    the requests' page faults."""
    version = _version(sample_graph, tmp_path)
    _evict(version)
    before = _resident(version)
    monkeypatch.setattr(residency, "MEMORY_SHARE", 0.0)
    assert bring_into_page_cache(version) == 0
    assert _resident(version)[0] <= before[0]
