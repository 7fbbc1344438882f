"""Bridges at scale: each query of the bridges mix cold (the first query of a fresh process,
as the CLI meets it) and warm (p50 / p99 of repeated calls), wall and CPU, on one graph.

    python benchmarks/bridges.py GRAPH [--runs 20]

Run it on a graph with and without its stored bridge selections (`index/bridges/`, see
`ttkg.graph.indexing.bridges`) to compare the stored and the computed path. Numbers are for
the README; no test times anything.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a file: the project root first (see synthetic.py)
    _here = Path(__file__).resolve().parent
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _here]
    sys.path.insert(0, str(_here.parent))

from benchmarks._common import load_average, measure, table


def child(graph: Path, which: int, runs: int) -> dict[str, Any]:
    """Open, then query `which` of the mix: once cold, then `runs` times warm."""
    from benchmarks.queries import _bridges_mix, _call
    from ttkg.graph.backends.memory.backend import MemoryBackend

    w0, c0 = time.perf_counter(), time.process_time()
    backend = MemoryBackend.open(graph)
    out: dict[str, Any] = {"open_s": time.perf_counter() - w0,
                           "open_cpu_s": time.process_time() - c0,
                           "stored": getattr(backend, "stored_bridges", None) is not None}
    call = _call(backend, _bridges_mix()[which])
    w0, c0 = time.perf_counter(), time.process_time()
    call()
    out["cold_ms"] = (time.perf_counter() - w0) * 1000
    out["cold_cpu_ms"] = (time.process_time() - c0) * 1000
    timing, _ = measure(call, runs, warmup=1)
    samples = sorted(timing.samples_ms)
    out.update(p50_ms=timing.p50_ms, p99_ms=timing.p99_ms, cpu_p50_ms=timing.cpu_p50_ms,
               min_ms=samples[0])
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("graph", type=Path)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child is not None:
        print(json.dumps(child(args.graph, args.child, args.runs)))
        return 0
    from benchmarks.queries import _bridges_mix

    before = load_average()
    lines: list[list[object]] = []
    for i, q in enumerate(_bridges_mix()):
        done = subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), str(args.graph), "--child", str(i),
             "--runs", str(args.runs)], check=True, capture_output=True, text=True)
        r = json.loads(done.stdout.strip().splitlines()[-1])
        lines.append([q.name, "stored" if r["stored"] else "computed",
                      f"{r['cold_ms']:.1f} / {r['cold_cpu_ms']:.1f}",
                      f"{r['p50_ms']:.2f} / {r['p99_ms']:.2f} / {r['cpu_p50_ms']:.2f}",
                      f"{r['open_s']:.2f} / {r['open_cpu_s']:.2f}"])
    print(table(["query", "path", "cold wall / CPU ms", "warm p50 / p99 / CPU p50 ms",
                 "open wall / CPU s"], lines))
    print(f"load average before {before}, after {load_average()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
