"""A build step run in a forked process (`graph.build.background`) gives exactly what it gives
in the build's own process: its result, its log records, its errors; a child that fails or
dies is computed again here, never a silently missing answer. The sample built with its
PatentsView tables and OpenAlex works read in forked processes equals the one built in one
process."""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest

from benchmarks.compare_graphs import differences
from tests.hardening.inputs import BAD, PV
from ttkg.core.errors import InputError
from ttkg.graph.build import background
from ttkg.graph.build.background import Background
from ttkg.graph.build.builder import build_graph
from ttkg.graph.identity import IdentitySettings
from ttkg.loaders.sources import SourcePaths

log = logging.getLogger("ttkg.tests.background")


def _pid_and_log(forked: bool) -> int:
    log.info("computed in %d (forked: %s)", os.getpid(), forked)
    return os.getpid()


def test_result_comes_from_the_child_with_its_log(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger=log.name), \
            Background(_pid_and_log, what="pid") as job:
        assert not caplog.records  # (kept in the child until asked for)
        child = job.result()
    assert child != os.getpid()
    assert [r.getMessage() for r in caplog.records] == [f"computed in {child} (forked: True)"]
    assert job.wall is not None and job.cpu is not None


def test_without_fork_it_is_computed_here() -> None:
    assert Background(_pid_and_log, what="pid", fork=False).result() == os.getpid()


def test_an_error_in_the_child_is_raised_here() -> None:
    def corrupt(forked: bool) -> None:
        raise InputError("ror.zip", "archive is corrupt or truncated")

    with Background(corrupt, what="corrupt") as job, \
            pytest.raises(InputError, match=r"ror\.zip: archive is corrupt"):
        job.result()


def test_a_child_that_fails_alone_is_computed_again_here(
    caplog: pytest.LogCaptureFixture,
) -> None:
    parent = os.getpid()

    def only_here(forked: bool) -> int:
        log.info("tried in %d", os.getpid())
        assert forked == (os.getpid() != parent)
        if forked:
            raise MemoryError("the child's own trouble")
        return 7

    with caplog.at_level(logging.DEBUG, logger="ttkg"):
        assert Background(only_here, what="flaky").result() == 7
    messages = [r.getMessage() for r in caplog.records]
    # the failed child's records are dropped; the parent's own attempt logs again
    assert [m for m in messages if m.startswith("tried in")] == [f"tried in {parent}"]
    assert any("flaky failed in the forked process" in m and "MemoryError" in m
               for m in messages)


def test_a_child_that_dies_is_computed_again_here(caplog: pytest.LogCaptureFixture) -> None:
    parent = os.getpid()

    def dies_in_child(forked: bool) -> int:
        if os.getpid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)
        return 5

    with caplog.at_level(logging.WARNING, logger=background.__name__):
        assert Background(dies_in_child, what="dying").result() == 5
    assert "killed by signal 9" in caplog.text


def test_a_result_that_does_not_pickle_is_computed_again_here(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def result(forked: bool) -> object:
        return (lambda: "no pickle") if forked else "computed here"

    with caplog.at_level(logging.WARNING, logger=background.__name__):
        assert Background(result, what="unpicklable").result() == "computed here"
    assert "unpicklable: the forked process ended without a result" in caplog.text


def test_a_large_result_streams_through() -> None:
    def big(forked: bool) -> np.ndarray:
        return np.arange(20_000_000, dtype=np.int64) * (2 if forked else 3)

    got = Background(big, what="big").result()
    assert got.shape == (20_000_000,) and int(got[-1]) == 2 * 19_999_999


def test_close_stops_a_child_whose_result_is_not_needed() -> None:
    job = Background(lambda forked: time.sleep(60), what="slow")
    assert job._child is not None
    pid = job._child[0]
    started = time.perf_counter()
    job.close()
    assert time.perf_counter() - started < 10
    with pytest.raises(ChildProcessError):  # reaped
        os.waitpid(pid, os.WNOHANG)


KILLED_PARENT = """
import os, signal, sys, time
from ttkg.graph.build.background import Background
job = Background(lambda forked: time.sleep(60), what="slow")
print(job._child[0], flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG")
def test_the_child_dies_with_its_parent() -> None:
    with subprocess.Popen([sys.executable, "-c", KILLED_PARENT], stdout=subprocess.PIPE,
                          text=True) as proc:
        assert proc.stdout is not None
        child = int(proc.stdout.readline())  # (not to its end: the child holds it open)
        assert proc.wait() == -signal.SIGKILL
        proc.stdout.close()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{child}/status").read_text()
        except FileNotFoundError:
            return  # gone
        if "State:\tZ" in state:
            return  # killed, not reaped by the init process
        time.sleep(0.05)
    raise AssertionError(f"the forked child {child} outlived its killed parent")


def test_sample_built_with_forked_steps_equals_one_process(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="ttkg.graph.build.builder"):
        forked = build_graph(SourcePaths.sample(), tmp_path / "forked",
                             identity=IdentitySettings(workers=2))
    ran = {m.split(" (forked")[0] for m in caplog.messages if "(forked, beside" in m}
    assert ran == {"stage PatentsView tables", "stage OpenAlex reading"}
    one = build_graph(SourcePaths.sample(), tmp_path / "one",
                      identity=IdentitySettings(workers=1))
    assert differences(forked.path, one.path) == []


def _with_bad_rows(tmp: Path) -> SourcePaths:
    """The sample with broken rows in tables read in the forked process (patents: and so
    inventors of patents not read; CPC rows), in the ROR dump (read here) and in the
    assignee table (read there, reported after ROR)."""
    pv = tmp / "patentsview"
    shutil.copytree(PV, pv)
    for case in ("duplicate_keys/g_cpc_current.tsv", "duplicate_keys/g_patent.tsv",
                 "bad_utf8/g_assignee_not_disambiguated.tsv"):
        table = (BAD / case).name.split(".", 1)[0]
        for old in pv.glob(f"{table}.tsv*"):
            old.unlink()
        shutil.copy(BAD / case, pv)
    sample = SourcePaths.sample()
    assert sample.ror is not None
    with zipfile.ZipFile(sample.ror) as zf:
        member = next(n for n in zf.namelist() if n.endswith(".json"))
        records = json.loads(zf.read(member))
    records[3] = {"id": "not a ROR id", "names": []}  # a rejected record
    ror = tmp / "ror-data-bad.json"
    ror.write_text(json.dumps(records), encoding="utf-8")
    return sample.with_overrides(patentsview=pv, ror=ror)


def test_rejections_keep_the_order_of_one_process(tmp_path: Path) -> None:
    sources = _with_bad_rows(tmp_path)
    forked = build_graph(sources, tmp_path / "forked", identity=IdentitySettings(workers=2))
    one = build_graph(sources, tmp_path / "one", identity=IdentitySettings(workers=1))
    rejected = (forked.path / "rejections.tsv").read_text(encoding="utf-8").splitlines()[1:]
    files = {line.split("\t", 1)[0] for line in rejected}
    # read there before ROR (patents, inventors of the patents rejected), here, there after
    assert {"g_patent.tsv", "g_inventor_not_disambiguated.tsv.zip", "ror-data-bad.json",
            "g_assignee_not_disambiguated.tsv"} <= files, files
    # in the order one process reads them: ..., patents, ..., inventors, ROR, assignees
    read = [f["file"] for f in forked.manifest["inputs"]]
    order = ["g_patent.tsv", "g_inventor_not_disambiguated.tsv.zip", "ror-data-bad.json",
             "g_assignee_not_disambiguated.tsv"]
    assert [read.index(f) for f in order] == sorted(read.index(f) for f in order), read
    seen = list(dict.fromkeys(line.split("\t", 1)[0] for line in rejected))
    assert [f for f in seen if f in order] == order, seen
    assert (forked.path / "rejections.tsv").read_bytes() == \
        (one.path / "rejections.tsv").read_bytes()
    assert forked.manifest["inputs"] == one.manifest["inputs"]
    assert differences(forked.path, one.path) == []

