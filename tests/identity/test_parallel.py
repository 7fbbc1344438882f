"""The identity engine decides the same whatever the number of worker processes (issue 14).

`resolve` runs its independent steps (blocking keys, pair decisions, rare spellings, ROR
links of clusters) in forked workers (`parallel.fork_map`); blocks are found from key hashes
first (`blocking`). Checked on the real labelled assignee strings and the real ROR slice: one
process and two (and three) decide exactly alike, with the thresholds lowered so that every
step really forks; the blocks equal those of a dictionary of every key; a failing or dying
worker is an error naming the step, never a silently shorter answer.
"""

from __future__ import annotations

import logging
import os
import signal
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from ttkg.core.errors import InvalidQueryError
from ttkg.graph.identity import (
    IdentitySettings,
    OrganizationResolver,
    Resolution,
    blocking,
    cluster,
    dominance,
    parallel,
)
from ttkg.graph.identity import resolver as resolver_module
from ttkg.graph.identity.blocking import key_blocks, key_hashes
from ttkg.graph.identity.cluster import _blocking_keys
from ttkg.graph.identity.groups import aggregate, group_names
from ttkg.graph.identity.parallel import WorkerError, fork_map
from ttkg.loaders.records import RorRecord

from .conftest import as_names


@pytest.fixture
def always_fork(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fork for any number of items, in small chunks (the real thresholds keep small
    batches in one process)."""
    monkeypatch.setattr(blocking, "_MIN_ITEMS", 1)
    monkeypatch.setattr(blocking, "_CHUNK", 97)
    monkeypatch.setattr(cluster, "_MIN_FORKED_PAIRS", 1)
    monkeypatch.setattr(cluster, "_PAIR_CHUNK", 1_001)
    monkeypatch.setattr(dominance, "_MIN_FORKED", 1)
    monkeypatch.setattr(dominance, "_CHUNK", 13)
    monkeypatch.setattr(resolver_module, "_MIN_FORKED_CLUSTERS", 1)
    monkeypatch.setattr(resolver_module, "_CLUSTER_CHUNK", 53)
    monkeypatch.setattr(resolver_module, "_MIN_FORKED_ITEMS", 1)
    monkeypatch.setattr(resolver_module, "_CHUNK", 101)


def _decisions(res: Resolution) -> tuple[object, ...]:
    """Every decision of a resolution, in its order (the build writes them in this order)."""
    return (list(res.clusters.items()), list(res.cluster_of.items()),
            list(res.name_score.items()), list(res.name_reason.items()), res.review)


def test_workers_decide_alike(ror_slice: list[RorRecord], labelled: list[dict[str, str]],
                              always_fork: None, caplog: pytest.LogCaptureFixture) -> None:
    names = as_names(labelled)
    one = OrganizationResolver(ror_slice, IdentitySettings(workers=1)).resolve(names)
    with caplog.at_level(logging.DEBUG, logger=parallel.__name__):
        two = OrganizationResolver(ror_slice, IdentitySettings(workers=2)).resolve(names)
    forked = {r.getMessage().split(":")[0] for r in caplog.records if "on 2 processes" in
              r.getMessage()}
    assert forked == {"name keys", "exact links", "key hashes", "key blocks",
                      "pair decisions", "rare spellings", "cluster links"}
    three = OrganizationResolver(ror_slice, IdentitySettings(workers=3)).resolve(names)
    assert _decisions(two) == _decisions(one)
    assert _decisions(three) == _decisions(one)
    assert len(one.clusters) < len(labelled)  # (merges happen: the comparison means something)
    assert sum(1 for c in one.clusters.values() if c.ror_id) > 100


def test_blocks_equal_a_dictionary_of_every_key(resolver: OrganizationResolver,
                                                labelled: list[dict[str, str]],
                                                always_fork: None) -> None:
    orgs, _ = aggregate(as_names(labelled))
    groups = group_names(orgs, non_company_names=resolver.index.non_company_names)
    items = list(range(len(groups)))[::-1]  # (any order: blocks keep it)

    def keys_of(i: int) -> Iterator[str]:
        return _blocking_keys(groups[i])

    every: dict[str, list[int]] = defaultdict(list)
    for i in items:
        for k in set(keys_of(i)):
            every[k].append(i)
    shared = {k: ids for k, ids in every.items() if len(ids) >= 2}
    assert len(shared) > 500
    hashes, owners = key_hashes(items, keys_of, 2)
    assert len(hashes) == sum(len(ids) for ids in every.values())
    assert sorted(zip(owners.tolist(), hashes.tolist(), strict=True)) == sorted(
        (i, hash(k)) for k, ids in every.items() for i in ids)
    found = key_blocks(items, keys_of, 2, blocking.repeated(hashes))
    assert {k: ids for k, ids in found.items() if len(ids) >= 2} == shared
    # every hash wanted (as if all collided): still exactly the keys' own blocks
    loose = key_blocks(items, keys_of, 1, np.unique(hashes))
    assert dict(loose) == dict(every)


def test_crossing_keeps_keys_that_meet_another_side() -> None:
    rng = np.random.default_rng(14)
    for _ in range(200):
        a, b = (rng.integers(0, 30, rng.integers(0, 60)) for _ in range(2))
        sa, sb = rng.integers(0, 4, len(a)), rng.integers(0, 4, len(b))
        plain = sorted({int(h) for h, s in zip(a, sa, strict=True)
                        for g, t in zip(b, sb, strict=True) if h == g and s != t})
        assert blocking.crossing(a, sa, b, sb).tolist() == plain


def test_fork_map_keeps_the_order() -> None:
    data = list(range(1_003))

    def work(start: int, stop: int) -> list[tuple[int, int]]:
        return [(x, os.getpid()) for x in data[start:stop]]

    for workers in (1, 2, 3):
        out = fork_map(work, len(data), workers, min_items=1, chunk=10)
        assert [x for x, _ in out] == data
        assert len({pid for _, pid in out}) == workers  # (this process takes its share)
    assert fork_map(work, 0, 2, min_items=1) == []


def test_a_failing_worker_is_an_error() -> None:
    parent = os.getpid()

    def work(start: int, stop: int) -> list[int]:
        if os.getpid() != parent and start >= 50:
            raise ValueError("bad item")
        return list(range(start, stop))

    with pytest.raises(WorkerError, match=r"(?s)^test step: a worker .*ValueError: bad item"):
        fork_map(work, 100, 2, min_items=1, chunk=10, what="test step")


def test_a_dying_worker_is_an_error() -> None:
    parent = os.getpid()

    def work(start: int, stop: int) -> list[int]:
        if os.getpid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)
        return list(range(start, stop))

    with pytest.raises(WorkerError, match=r"^dying step: .*killed by signal 9"):
        fork_map(work, 100, 2, min_items=1, chunk=10, what="dying step")


def test_a_failure_here_stops_the_workers(tmp_path: Path) -> None:
    parent = os.getpid()

    def work(start: int, stop: int) -> list[int]:
        if os.getpid() != parent:  # a worker says it runs, then would run for a minute
            (tmp_path / str(os.getpid())).touch()
            time.sleep(60)
            return list(range(start, stop))
        for _ in range(3_000):  # this process fails once both workers run
            if len(list(tmp_path.iterdir())) == 2:
                break
            time.sleep(0.01)
        raise KeyError("in the parent")

    with pytest.raises(KeyError):
        fork_map(work, 100, 3, min_items=1, chunk=10)
    pids = [int(p.name) for p in tmp_path.iterdir()]
    assert len(pids) == 2
    for pid in pids:  # stopped and reaped (a zombie could still be signalled)
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_workers_setting_is_checked() -> None:
    with pytest.raises(InvalidQueryError, match="at least 1"):
        IdentitySettings(workers=0)
    assert parallel.worker_count(None) == parallel.available_cores() >= 1
    assert parallel.worker_count(3) == 3
