"""Flows and brokers: latency beside the targets (flows p50 <= 20 ms, brokers <= 1 s on the
full shared data), on the real shared data and on a synthetic graph.

    python benchmarks/flows.py [--shared ../shared/data] [--synthetic-edges 1500000]
    python benchmarks/flows.py --graph DIR     # an already built graph instead of the shared data
    python benchmarks/flows.py --graph DIR --only brokers

The graphs are built (in a child process) under --work and reused while the code is the same.
Each query is called once cold, then `--repeat` times; brokers `--broker-repeat` times.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a file: the project root on sys.path
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import synthetic
from benchmarks._common import DEFAULT_SHARED, load_average, machine, measure, shared_sources
from benchmarks.queries import _code_hash, ensure_graph
from ttkg.graph.backends.memory.backend import MemoryBackend
from ttkg.loaders.sources import SourcePaths
from ttkg.queries.brokers import brokers
from ttkg.queries.common import make_filters
from ttkg.queries.flows import FLOW_SIDES, flows

SEED_THEMES = "AI,agriculture,digital security,energy,health"

FLOWS: dict[str, dict[str, Any]] = {
    "seed: OIC universities -> US,CN companies, 5 themes, by year": {
        "filters": ("OIC", "university", "US,CN", "company"), "theme": SEED_THEMES,
        "by_year": True},
    "KR -> US since 2010, by year": {"filters": ("KR", None, "US", None), "years": "2010-",
                                     "by_year": True},
    "EU27 universities -> any company, Semiconductors": {
        "filters": ("EU27", "university", None, "company"), "field": "Semiconductors"},
    "Asia -> US, AI and health, by year": {"filters": ("Asia", None, "US", None),
                                           "theme": "AI,health", "by_year": True},
    "any -> any, every field (all co-owned patents)": {"filters": (None, None, None, None)},
}
BROKERS: dict[str, dict[str, Any]] = {
    "Biotechnology x Pharmaceuticals": {"a": "Biotechnology", "b": "Pharmaceuticals"},
    "AI x health": {"a": "AI", "b": "health"},
    "Asia x US, every field (whole network)": {"filters": ("Asia", None, "US", None)},
    "OIC x US,CN, 5 themes": {"filters": ("OIC", None, "US,CN", None), "theme": SEED_THEMES},
}


def _flow_call(backend: MemoryBackend, q: dict[str, Any]) -> Callable[[], Any]:
    origin, kind, dest, partner_kind = q["filters"]
    f = make_filters(q.get("years"), origin, kind, dest, partner_kind, sides=FLOW_SIDES)
    return lambda: flows(backend, f, q.get("field"), q.get("theme"), by_year=q.get("by_year",
                                                                                      False))


def _broker_call(backend: MemoryBackend, q: dict[str, Any]) -> Callable[[], Any]:
    origin, kind, dest, partner_kind = q.get("filters", (None, None, None, None))
    f = make_filters(None, origin, kind, dest, partner_kind, sides=FLOW_SIDES)
    return lambda: brokers(backend, q.get("a"), q.get("b"), f, theme=q.get("theme"))


def run(name: str, graph: Path, repeat: int, broker_repeat: int,
        only: str | None = None) -> dict[str, Any]:
    """Time the flows and brokers mixes on one graph (or only one of them)."""
    backend = MemoryBackend.open(graph)
    out: dict[str, Any] = {"graph": name, "path": str(graph), "flows": {}, "brokers": {}}
    for label, q in FLOWS.items() if only != "brokers" else ():
        timing, result = measure(_flow_call(backend, q), repeat)
        out["flows"][label] = {**timing.as_dict(), "patents": result.patents,
                               "org_pairs": result.total_organization_pairs}
    for label, q in BROKERS.items() if only != "flows" else ():
        timing, result = measure(_broker_call(backend, q), broker_repeat, warmup=1)
        out["brokers"][label] = {**timing.as_dict(), **{k: result.method[k] for k in (
            "exact", "a_organizations", "b_organizations", "network_organizations", "reaching",
            "sampled", "work")},
            "top": result.brokers[0].organization.name if result.brokers else None}
    backend.close()
    return out


def _print(doc: dict[str, Any]) -> None:
    for g in doc["results"]:
        print(f"\n== {g['graph']} ({g['path']})")
        print(f"{'flows':<62} {'cold ms':>8} {'p50 ms':>8} {'p99 ms':>8} {'cpu p50':>8} "
              f"{'patents':>8}  target")
        for label, t in g["flows"].items():
            ok = "ok" if t["p50_ms"] <= 20 else "MISSED"
            print(f"{label:<62} {t['cold_ms']:>8.1f} {t['p50_ms']:>8.1f} {t['p99_ms']:>8.1f} "
                  f"{t['cpu_p50_ms']:>8.1f} {t['patents']:>8}  p50 <= 20 ms: {ok}")
        print(f"{'brokers':<62} {'cold ms':>8} {'p50 ms':>8} {'max ms':>8} {'cpu p50':>8} "
              f"{'A/B/net':>14}")
        est = " (estimated from {sampled:,} of {reaching:,} sources)"
        for label, t in g["brokers"].items():
            ok = "ok" if max(t["cold_ms"], t["p99_ms"]) <= 1000 else "MISSED"
            sizes = f"{t['a_organizations']}/{t['b_organizations']}/{t['network_organizations']}"
            print(f"{label:<62} {t['cold_ms']:>8.1f} {t['p50_ms']:>8.1f} {t['p99_ms']:>8.1f} "
                  f"{t['cpu_p50_ms']:>8.1f} {sizes:>14}  <= 1 s: {ok}"
                  f"{'' if t['exact'] else est.format(**t)}")
    print(f"\nload average at start {doc['load_average_start']}, "
          f"end {doc['machine']['load_average']}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="shared real data")
    parser.add_argument("--graph", type=Path, help="a built graph instead of the shared data")
    parser.add_argument("--synthetic-edges", type=int, default=0,
                        help=f"also a synthetic graph of this many stored edges (full scale: "
                        f"{synthetic.DEFAULT_EDGES:,}; 0: skip)")
    parser.add_argument("--seed", type=int, default=synthetic.DEFAULT_SEED)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--broker-repeat", type=int, default=5)
    parser.add_argument("--work", type=Path, default=Path("/tmp/ttkg-bench-flows"))
    parser.add_argument("--only", choices=["flows", "brokers"], help="time only these queries")
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    started = load_average()
    plan: list[tuple[str, Path]] = []
    if args.graph:
        plan.append(("given graph", args.graph))
    else:
        real, _ = ensure_graph("real", args.work, _code_hash(),
                               lambda: shared_sources(args.shared), False)
        plan.append(("real shared data", real))
    if args.synthetic_edges:
        name = f"synthetic-{args.synthetic_edges}-seed{args.seed}"
        cpc, concordance, freq = synthetic.inputs_from(args.shared)

        def make() -> SourcePaths:
            return synthetic.generate(args.work / name / "inputs", edges=args.synthetic_edges,
                                      seed=args.seed, cpc=cpc, concordance=concordance,
                                      cpc_frequencies=freq).sources

        syn, _ = ensure_graph(name, args.work, _code_hash([Path(synthetic.__file__)]), make,
                              False)
        plan.append((name, syn))
    results = [run(n, g, args.repeat, args.broker_repeat, args.only) for n, g in plan]
    doc = {"machine": machine(), "load_average_start": started, "results": results}
    if args.json:
        print(json.dumps(doc, indent=2))
    else:
        _print(doc)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
