"""What the garbage collector walks in a warmed embedded backend, and what holds it (run on
demand).

    python benchmarks/gc_census.py GRAPH_DIR [--repeat 5] [--json]

Opens the graph (the memory-mapped serving index), warms it up as `ttkg serve` does, runs a
query mix (bridges, paths, partners, profiles, search, entities), then reports: the number of
objects the collector tracks (`gc.get_objects()`) by type, the time of a full collection
(`gc.collect()`, median of --repeat), and which parts of the backend hold the tracked objects
(the tracked objects reachable from each of the index's pieces and the backend's caches,
each counted once, in the order listed: a piece is charged only for what earlier ones do not
reach). The same after `gc.freeze()` shows what a server that freezes its warmed-up state
leaves the collector.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import itertools
import json
import statistics
import sys
import time
import types
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a file: import from the project root, not from
    # benchmarks/ (whose queries.py would shadow the project's `queries` package)
    _here = Path(__file__).resolve().parent
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _here]
    sys.path.insert(0, str(_here.parent))

from benchmarks._common import load_average, rss_bytes
from ttkg.graph.backends.memory.backend import MemoryBackend
from ttkg.queries.bridges import bridges
from ttkg.queries.entity import entity_detail
from ttkg.queries.partners import partners
from ttkg.queries.paths import paths
from ttkg.queries.profile import field_profile
from ttkg.queries.resolve import search


def query_mix(backend: MemoryBackend) -> int:
    """A fixed mix of the API's queries; returns how many ran without error."""
    calls: list[Callable[[], object]] = [
        lambda: bridges(backend, "Semiconductors", "Optics", evidence=3),
        lambda: bridges(backend, "Computer technology", "Digital communication", evidence=3),
        lambda: bridges(backend, "Pharmaceuticals", "Biotechnology", evidence=3),
        lambda: paths(backend, "Tsinghua University", "Hon Hai Precision Industry Co., Ltd.", k=3),
        lambda: paths(backend, "Massachusetts Institute of Technology", "Semiconductors", k=3),
        lambda: partners(backend, "Tsinghua University", limit=20),
        lambda: partners(backend, "Massachusetts Institute of Technology", limit=20),
        lambda: field_profile(backend, "Semiconductors"),
        lambda: field_profile(backend, "H01M"),
        lambda: search(backend, "stanford", (), 10),
        lambda: search(backend, "samsung electronics", (), 10),
        lambda: entity_detail(backend, "Tsinghua University"),
        lambda: entity_detail(backend, "US"),
    ]
    ok = 0
    for call in calls:
        try:
            call()
            ok += 1
        except Exception as exc:  # an entity missing from this graph: the rest still runs
            print(f"  (query skipped: {type(exc).__name__}: {exc})", file=sys.stderr)
    return ok


def broad_mix(backend: MemoryBackend, rounds: int) -> int:
    """Queries over many fields and organisations, as a server sees over time: they fill
    the backend's caches of things shown (patent references, nodes, edge properties)."""
    ix = backend.index
    fields, orgs = list(ix.fields.ids), list(ix.orgs.ids)[::7]
    ran = 0
    for a, b in list(itertools.combinations(fields, 2))[: rounds * 100]:
        with contextlib.suppress(Exception):
            bridges(backend, a, b, limit=20, evidence=10)
            ran += 1
    for org in orgs[: rounds * 1000]:
        with contextlib.suppress(Exception):
            entity_detail(backend, org, limit=25)
            partners(backend, org, limit=10, evidence=5)
            ran += 1
    return ran


def full_collection_s(repeat: int) -> dict[str, float]:
    """Median wall and CPU time of a full collection (CPU time: what it costs on a machine
    shared with other work)."""
    wall, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        gc.collect()
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return {"wall": round(statistics.median(wall), 4), "cpu": round(statistics.median(cpu), 4)}


def by_type(objects: Iterable[object], top: int = 12) -> list[tuple[str, int]]:
    return Counter(type(o).__qualname__ for o in objects).most_common(top)


_SHARED = (type, types.ModuleType, types.FunctionType, types.BuiltinFunctionType)


def holders(backend: MemoryBackend) -> list[tuple[str, object]]:
    """The backend's pieces, in the order their tracked objects are charged to them."""
    ix = backend.index
    pieces: list[tuple[str, object]] = []
    for name in ("entity_graph", "names", "path_index", "country_patents", "cpc_table"):
        if name in ix.__dict__:
            pieces.append((f"index.{name}", ix.__dict__[name]))
    pieces += [
        ("index.nodes", ix.nodes),
        ("index.edges", ix.edges),
        ("index (rest)", ix),
        ("backend works (OpenAlex, read at warm-up)", backend._works),
        ("backend caches (lru, selections)", backend),
    ]
    return pieces


def attribute(pieces: list[tuple[str, object]]) -> list[tuple[str, int, list[tuple[str, int]]]]:
    """Tracked objects reachable from each piece and not from an earlier one."""
    seen: set[int] = set()
    out = []
    for name, root in pieces:
        found: list[object] = []
        stack = [root]
        while stack:
            obj = stack.pop()
            # types, modules and functions lead to everything imported: not held data
            if id(obj) in seen or not gc.is_tracked(obj) or isinstance(obj, _SHARED):
                continue
            seen.add(id(obj))
            found.append(obj)
            stack.extend(gc.get_referents(obj))
        out.append((name, len(found), by_type(found, 5)))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("graph", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--broad",
        type=int,
        default=0,
        metavar="ROUNDS",
        help="then ROUNDS x (100 field pairs, 1000 organisations) of queries, and report again",
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    gc.collect()
    baseline = len(gc.get_objects())
    started = time.perf_counter()
    backend = MemoryBackend.open(args.graph)
    opened = time.perf_counter() - started
    gc.collect()
    after_open = len(gc.get_objects())
    backend.warm_up()
    ran = query_mix(backend)
    warmed_s = time.perf_counter() - started
    gc.collect()
    objects = gc.get_objects()
    report: dict[str, Any] = {
        "graph": str(backend.index.artifact.path),
        "load_average": load_average(),
        "open_s": round(opened, 2),
        "open_warm_up_and_queries_s": round(warmed_s, 2),
        "queries_ran": ran,
        "tracked_before_open": baseline,
        "tracked_after_open": after_open,
        "tracked_warm": len(objects),
        "by_type": by_type(objects),
        "full_gc_s": full_collection_s(args.repeat),
        "rss_mb": round(rss_bytes() / 2**20),
    }
    del objects
    report["holders"] = attribute(holders(backend))
    if args.broad:
        report["broad_queries"] = broad_mix(backend, args.broad)
        gc.collect()
        report["tracked_after_broad"] = len(gc.get_objects())
        report["full_gc_after_broad_s"] = full_collection_s(args.repeat)
        report["holders_after_broad"] = attribute(holders(backend))
    gc.collect()
    gc.freeze()
    report["tracked_after_freeze"] = len(gc.get_objects())
    report["full_gc_after_freeze_s"] = full_collection_s(args.repeat)
    gc.unfreeze()

    if args.json:
        print(json.dumps(report, indent=1))
        return 0
    for key, value in report.items():
        if key.startswith("holders"):
            print("tracked objects by holder (each counted once, in this order):")
            for name, count, types in value:
                print(f"  {name:42} {count:>9,}  {types}")
        else:
            print(f"{key}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
