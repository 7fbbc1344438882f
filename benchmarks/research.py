"""Latency of the research-field queries (issue 15) on a built graph with OpenAlex works,
embedded backend, against the full-scale issue's targets: bridges and partners p50 <= 5 ms,
profile <= 10 ms.

    python benchmarks/research.py --graph DIR [--runs 50]

Each query runs once to warm the caches (works of a field, selections), then `--runs` times;
p50 and p99 are printed in milliseconds, beside the target.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ttkg.graph.backends.memory.backend import MemoryBackend
from ttkg.queries.bridges import bridges
from ttkg.queries.common import make_filters
from ttkg.queries.partners import partners
from ttkg.queries.profile import field_profile

TARGET_MS = {"bridges": 5.0, "partners": 5.0, "profile": 10.0}


def _mix(backend: MemoryBackend) -> list[tuple[str, str, Callable[[], Any]]]:
    def b(a: str, c: str, **kw: Any) -> Callable[[], Any]:
        return lambda: bridges(backend, a, c, limit=10, evidence=3, **kw)

    recent = make_filters("2015-")
    return [
        ("bridges", "Materials Science x Engineering (research x research)",
         b("Materials Science", "Engineering")),
        ("bridges", "Physical Sciences x Life Sciences (domains)",
         b("Physical Sciences", "Life Sciences")),
        ("bridges", "Materials Science x Semiconductors (research x technology)",
         b("Materials Science", "Semiconductors")),
        ("bridges", "Computer Science x Computer technology, 2015-",
         b("Computer Science", "Computer technology", filters=recent)),
        ("bridges", "Semiconductors x Optics (technology x technology)",
         b("Semiconductors", "Optics")),
        ("partners", "Tsinghua University (co-owners and co-authors)",
         lambda: partners(backend, "Tsinghua University", limit=20)),
        ("partners", "Tsinghua University in Materials Science (co-authors)",
         lambda: partners(backend, "Tsinghua University", "Materials Science", limit=20)),
        ("profile", "Materials Science", lambda: field_profile(backend, "Materials Science")),
        ("profile", "Physical Sciences (domain)",
         lambda: field_profile(backend, "Physical Sciences")),
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--graph", type=Path, required=True, help="graph folder (with OpenAlex works)")
    ap.add_argument("--runs", type=int, default=50)
    args = ap.parse_args()
    started = time.perf_counter()
    backend = MemoryBackend.open(args.graph)
    backend.warm_up()
    print(f"open + warm up: {time.perf_counter() - started:.2f} s; "
          f"works: {backend.node_counts().get('Work', 0):,}")
    print(f"{'query':<62} {'p50 ms':>8} {'p99 ms':>8} {'target':>7}")
    for kind, name, run in _mix(backend):
        run()
        times = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            run()
            times.append((time.perf_counter() - t0) * 1000)
        times.sort()
        p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
        print(f"{kind + ' ' + name:<62} {statistics.median(times):8.2f} {p99:8.2f} "
              f"{TARGET_MS[kind]:7.1f}")


if __name__ == "__main__":
    main()
