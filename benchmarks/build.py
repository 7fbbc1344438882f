"""Build and load benchmark on the full shared real data (run on demand, not a test).

    python benchmarks/build.py --shared ../shared/data [--out DIR] [--load-runs 3] [--json]

1. Builds the graph from the full shared data in a child process (the CLI equivalent is
   `ttkg build --patentsview ... --ror ... --cpc ... --wipo ... --out DIR`) and reports wall
   time, input rows read (from the manifest), rows/s, the child's peak RSS and the artifact
   size on disk.
2. Loads the artifact with the embedded backend (`MemoryBackend.open`) in fresh child
   processes: the bare load time and RSS, then the warm numbers after touching
   `entity_graph` and one `lookup` (which build the lazy indexes).
3. Verifies the must-show counts of the shared extract and that every input file has
   read == accepted + rejected.

Targets printed beside the numbers: build <= 60 s, load <= 5 s, embedded RSS <= 1.5 GB.
CPU times are printed beside wall times: on a busy shared machine wall time grows with the
load average, CPU time much less.
Exit status 1 when a must-show check fails (targets only print MISSED).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a file: import from the project root, not from
    # benchmarks/ (whose queries.py would shadow the project's `queries` package)
    _here = Path(__file__).resolve().parent
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _here]
    sys.path.insert(0, str(_here.parent))

from benchmarks._common import (
    DEFAULT_SHARED,
    GB,
    build_in_child,
    fmt_bytes,
    load_average,
    machine,
    peak_rss_bytes,
    rss_bytes,
    run_measured,
    shared_sources,
    table,
    tree_bytes,
    verdict,
)

TARGET_BUILD_S = 60.0
TARGET_LOAD_S = 5.0
TARGET_RSS = 1.5 * GB

#: Must-show counts of the shared PatentsView extract (see /work/shared/data/README.md).
EXPECTED_PATENTS = 129_639
EXPECTED_CPC_ROWS = 966_413
EXPECTED_IN_WIPO_FIELD = 121_694
LOOKUP_TEXT = "Tsinghua University"


# -- the load probe (runs in a child process) -------------------------------------------------


def probe(graph_dir: Path, lookup: str) -> dict[str, Any]:
    """Open the artifact with the embedded backend and report time and memory, bare and warm."""
    t0 = time.perf_counter()
    from ttkg.graph.backends.memory.backend import MemoryBackend

    imported = time.perf_counter()
    rss_before = rss_bytes()
    cpu0 = time.process_time()
    backend = MemoryBackend.open(graph_dir)
    opened = time.perf_counter()
    open_cpu = time.process_time() - cpu0
    rss_bare = rss_bytes()
    graph = backend.entity_graph
    entity = time.perf_counter()
    hits = backend.lookup(lookup)
    warm = time.perf_counter()
    warm_cpu = time.process_time() - cpu0
    return {
        "import_s": imported - t0,
        "load_s": backend.load_seconds,  # what the backend measures itself
        "open_s": opened - imported,  # MemoryBackend.open() as a caller sees it
        "open_cpu_s": open_cpu,  # its CPU time (less sensitive to a busy machine)
        "entity_graph_s": entity - opened,
        "lookup_s": warm - entity,
        "warm_s": warm - imported,  # open + entity graph + first lookup
        "warm_cpu_s": warm_cpu,
        "rss_after_import": rss_before,
        "rss_bare": rss_bare,
        "rss_warm": rss_bytes(),
        "peak_rss": peak_rss_bytes(),
        "entity_graph": [graph.number_of_nodes(), graph.number_of_edges()],
        "lookup_hits": [h.id for h in hits],
    }


def _probe_in_child(graph_dir: Path, lookup: str) -> dict[str, Any]:
    argv = [sys.executable, __file__, "--probe", str(graph_dir), "--lookup", lookup]
    m = run_measured(argv)
    if m.returncode != 0:
        raise RuntimeError(f"load probe failed:\n{m.stderr[-4000:]}")
    out: dict[str, Any] = json.loads(m.stdout.strip().splitlines()[-1])
    out["process_wall_s"] = m.wall_s
    out["process_max_rss"] = m.max_rss_bytes
    return out


# -- checks -----------------------------------------------------------------------------------


def checks(manifest: dict[str, Any]) -> list[tuple[str, str, str, bool]]:
    """(what, found, expected, ok) for the must-show counts and the input accounting."""
    out: list[tuple[str, str, str, bool]] = []
    nodes, edges, notes = manifest["nodes"], manifest["edges"], manifest.get("notes", {})
    n_pat = nodes.get("Patent", 0)
    out.append(("Patent nodes", f"{n_pat:,}", f"{EXPECTED_PATENTS:,}", n_pat == EXPECTED_PATENTS))
    inputs = {f["file"]: f for f in manifest["inputs"]}
    cpc_rows = inputs.get("g_cpc_current.tsv.zip", {}).get("accepted", 0)
    merged = notes.get("cpc_rows_duplicate_patent_symbol_merged", 0)
    classified = edges.get("CLASSIFIED_AS", 0)
    out.append(
        (
            "CLASSIFIED_AS edges",
            f"{classified:,}",
            f"{EXPECTED_CPC_ROWS:,} rows - {merged:,} exact duplicates",
            classified == EXPECTED_CPC_ROWS - merged and cpc_rows == EXPECTED_CPC_ROWS,
        )
    )
    in_field = notes.get("patents_in_a_wipo_field", -1)
    out.append(
        (
            "patents in a WIPO field",
            f"{in_field:,}",
            f"{EXPECTED_IN_WIPO_FIELD:,}",
            in_field == EXPECTED_IN_WIPO_FIELD,
        )
    )
    for f in manifest["inputs"]:
        ok = f["read"] == f["accepted"] + f["rejected"]
        out.append(
            (
                f"read = accepted + rejected: {f['file']}",
                f"{f['read']:,} = {f['accepted']:,} + {f['rejected']:,}",
                "equal",
                ok,
            )
        )
    return out


# -- main -------------------------------------------------------------------------------------


def run(shared: Path, out: Path, load_runs: int) -> dict[str, Any]:
    sources = shared_sources(shared)
    load_before = load_average()
    measured, version = build_in_child(sources, out)
    manifest = json.loads((version / "manifest.json").read_text(encoding="utf-8"))
    rows = sum(f["read"] for f in manifest["inputs"])
    loads = [_probe_in_child(out, LOOKUP_TEXT) for _ in range(max(load_runs, 1))]
    median = {
        k: statistics.median(p[k] for p in loads)
        for k in loads[0]
        if isinstance(loads[0][k], (int, float))
    }
    return {
        "machine": machine(),
        "load_average_before": load_before,
        "load_average_after": load_average(),
        "artifact": str(version),
        "build": {
            "wall_s": measured.wall_s,
            "manifest_build_seconds": manifest.get("build_seconds"),
            "cpu_user_s": measured.user_s,
            "cpu_system_s": measured.system_s,
            "rows_read": rows,
            "rows_per_s": rows / measured.wall_s,
            "peak_rss": measured.max_rss_bytes,
            "artifact_bytes": tree_bytes(version),
            "nodes": manifest["nodes"],
            "edges": manifest["edges"],
        },
        "load_runs": loads,
        "load_median": median,
        "checks": [
            {"check": c, "found": f, "expected": e, "ok": ok} for c, f, e, ok in checks(manifest)
        ],
    }


def report(r: dict[str, Any]) -> str:
    b, ld = r["build"], r["load_median"]
    lines = [
        "ttkg build + load benchmark (full shared real data)",
        f"machine: {r['machine']['cpus']} CPUs, Python {r['machine']['python']}; load average "
        f"before {r['load_average_before']}, after {r['load_average_after']}",
        f"artifact: {r['artifact']}",
        "",
    ]
    n_edges = sum(b["edges"].values())
    n_nodes = sum(b["nodes"].values())
    rows = [
        (
            "build wall time",
            f"{b['wall_s']:.1f} s",
            f"<= {TARGET_BUILD_S:.0f} s",
            verdict(b["wall_s"] <= TARGET_BUILD_S),
        ),
        ("  (manifest build_seconds)", f"{b['manifest_build_seconds']} s", "", ""),
        ("  CPU user + system", f"{b['cpu_user_s'] + b['cpu_system_s']:.1f} s", "", ""),
        ("input rows read", f"{b['rows_read']:,}", "", ""),
        ("rows/s", f"{b['rows_per_s']:,.0f}", "", ""),
        ("build peak RSS", fmt_bytes(b["peak_rss"]), "", ""),
        ("artifact on disk", fmt_bytes(b["artifact_bytes"]), "", ""),
        ("nodes / edges", f"{n_nodes:,} / {n_edges:,}", "", ""),
        (
            f"load, bare (median of {len(r['load_runs'])})",
            f"{ld['load_s']:.2f} s",
            f"<= {TARGET_LOAD_S:.0f} s",
            verdict(ld["load_s"] <= TARGET_LOAD_S),
        ),
        ("  MemoryBackend.open() wall", f"{ld['open_s']:.2f} s", "", ""),
        ("  MemoryBackend.open() CPU time", f"{ld['open_cpu_s']:.2f} s", "", ""),
        (
            "  + entity_graph + 1 lookup (warm)",
            f"{ld['warm_s']:.2f} s",
            f"<= {TARGET_LOAD_S:.0f} s",
            verdict(ld["warm_s"] <= TARGET_LOAD_S),
        ),
        ("  warm, CPU time", f"{ld['warm_cpu_s']:.2f} s", "", ""),
        ("  of which entity_graph", f"{ld['entity_graph_s']:.2f} s", "", ""),
        ("  of which first lookup", f"{ld['lookup_s']:.2f} s", "", ""),
        (
            "RSS holding the backend, bare",
            fmt_bytes(ld["rss_bare"]),
            f"<= {fmt_bytes(TARGET_RSS)}",
            verdict(ld["rss_bare"] <= TARGET_RSS),
        ),
        (
            "RSS holding the backend, warm",
            fmt_bytes(ld["rss_warm"]),
            f"<= {fmt_bytes(TARGET_RSS)}",
            verdict(ld["rss_warm"] <= TARGET_RSS),
        ),
        ("  peak RSS while loading", fmt_bytes(ld["peak_rss"]), "", ""),
        ("  RSS of the bare interpreter + imports", fmt_bytes(ld["rss_after_import"]), "", ""),
    ]
    lines.append(table(("measure", "value", "target", ""), rows))
    lines += ["", "must-show checks"]
    lines.append(
        table(
            ("check", "found", "expected", ""),
            [
                (c["check"], c["found"], c["expected"], "ok" if c["ok"] else "FAILED")
                for c in r["checks"]
            ],
        )
    )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="shared real data")
    parser.add_argument("--out", type=Path, help="graph directory (default: a temporary one)")
    parser.add_argument("--load-runs", type=int, default=3, help="load probes (median shown)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--probe", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--lookup", default=LOOKUP_TEXT, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.probe is not None:
        print(json.dumps(probe(args.probe, args.lookup)))
        return 0
    out = args.out or Path(tempfile.mkdtemp(prefix="ttkg-bench-build-"))
    try:
        result = run(args.shared, out, args.load_runs)
    finally:
        if args.out is None:
            shutil.rmtree(out, ignore_errors=True)
    print(json.dumps(result, indent=1) if args.json else report(result))
    return 0 if all(c["ok"] for c in result["checks"]) else 1


if __name__ == "__main__":
    sys.exit(main())
