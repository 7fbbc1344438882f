"""CPU per request of the HTTP API in-process: the app called as ASGI, no sockets, no clients.

    python benchmarks/api_cpu.py [--graph DIR] [--requests 3000] [--seed 7] [--cache-mb 0]
        [--json] [--slowest N]

`benchmarks/load.py` measures the server's CPU per request over real HTTP, but on a shared
machine that number moves with what other processes do, and it does not say where the CPU
goes. This script drives the application exactly as uvicorn would (one ASGI call per request,
the app's lifespan run first: graph opened and warmed, fuzzy-search index built, the warm
state frozen out of the garbage collector's sight as `ttkg serve` does, access log on) with
load.py's request mix, one request at a time, and reports per route the CPU per request,
split into the event loop's part (FastAPI and Starlette: routing, parameters, dependencies,
validation, serialisation, middleware, the hop to the worker thread) and the worker threads'
part (the query functions). What is not here is uvicorn's HTTP parsing and the sockets:
load.py's number less this one.

By default the app's answer cache is off (`--cache-mb 0`): every request is answered, which is
the CPU of a mix of distinct queries. With `--cache-mb N` a request the mix repeats is answered
from the cache (api/caching.py); the hits are counted (`Cache-Status: ttkg; hit`).

Target (issue 14): 200 req/s on one core, so ≤ 2.5 ms of server CPU per request over HTTP.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import random
import sys
import time
import urllib.parse
from collections import Counter
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a file: import from the project root, not from
    # benchmarks/ (whose queries.py would shadow the project's `queries` package)
    _here = Path(__file__).resolve().parent
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _here]
    sys.path.insert(0, str(_here.parent))

from benchmarks._common import load_average
from benchmarks.load import ROUTE_WEIGHTS, Vocabulary, answered_from_cache, make_requests
from ttkg.api.app import create_app
from ttkg.core.settings import Settings

TARGET_MS = 2.5
WARM_REQUESTS = 100


def _scope(path: str, params: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": urllib.parse.quote(path).encode(),
        "query_string": urllib.parse.urlencode(params, doseq=True).encode(),
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1"), (b"accept", b"*/*")],
        "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 8000),
    }


async def _call(app: Any, path: str, params: dict[str, Any]) -> tuple[int, bool]:
    """One GET through the app; its status, and whether the cache answered it."""
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(_scope(path, params), receive, send)
    return int(sent[0]["status"]), answered_from_cache(sent[0]["headers"])


async def _run(graph: Path, requests: int, seed: int, cache_mb: int, slowest: int = 0
               ) -> dict[str, Any]:
    app = create_app(Settings(graph=graph, gc_freeze=True, cache_mb=cache_mb))
    inbox: asyncio.Queue[MutableMapping[str, Any]] = asyncio.Queue()
    outbox: asyncio.Queue[MutableMapping[str, Any]] = asyncio.Queue()
    await inbox.put({"type": "lifespan.startup"})
    lifespan = asyncio.create_task(
        app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}, inbox.get, outbox.put)
    )
    started = await outbox.get()
    if started["type"] != "lifespan.startup.complete":
        raise SystemExit(f"the app did not start: {started}")
    rng = random.Random(seed)
    builders = make_requests(Vocabulary.of(graph), rng)
    routes = list(ROUTE_WEIGHTS)
    weights = [ROUTE_WEIGHTS[r] for r in routes]
    mix = [builders[rng.choices(routes, weights)[0]]() for _ in range(requests + WARM_REQUESTS)]
    for _, path, params in mix[:WARM_REQUESTS]:
        await _call(app, path, params)
    total: dict[str, float] = dict.fromkeys(routes, 0.0)
    loop: dict[str, float] = dict.fromkeys(routes, 0.0)
    count: Counter[str] = Counter()
    statuses: Counter[int] = Counter()
    hits = 0
    costs: list[tuple[float, str, int, str]] = []  # CPU ms, route, status, path?query
    wall = time.perf_counter()
    for route, path, params in mix[WARM_REQUESTS:]:
        cpu, main = time.process_time(), time.thread_time()  # all threads; the loop's
        status, hit = await _call(app, path, params)
        statuses[status] += 1
        hits += hit
        spent = time.process_time() - cpu
        total[route] += spent
        if slowest:
            costs.append((round(1000 * spent, 2), route, status,
                          f"{path}?{urllib.parse.urlencode(params)}"))
        loop[route] += time.thread_time() - main
        count[route] += 1
    wall = time.perf_counter() - wall
    await inbox.put({"type": "lifespan.shutdown"})
    await lifespan

    def row(n: int, t: float, lp: float) -> dict[str, float]:
        return {
            "requests": n,
            "cpu_ms": round(1000 * t / n, 3),
            "loop_ms": round(1000 * lp / n, 3),
            "queries_ms": round(1000 * (t - lp) / n, 3),
        }

    return {
        "graph": str(graph),
        "wall_s": round(wall, 2),
        "statuses": dict(statuses),
        "cache_mb": cache_mb,
        "cache_hits": hits,
        "routes": {r: row(count[r], total[r], loop[r]) for r in routes if count[r]},
        "all": row(sum(count.values()), sum(total.values()), sum(loop.values())),
        "slowest": sorted(costs, reverse=True)[:slowest],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--graph", type=Path, help="graph directory [default: $TTKG_GRAPH]")
    ap.add_argument("--requests", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument(
        "--cache-mb", type=int, default=0, help="answer cache of the app (0: off: all answered)"
    )
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--slowest", type=int, default=0,
                    help="also list the N requests that cost the most CPU")
    args = ap.parse_args()
    graph = args.graph or (Path(os.environ["TTKG_GRAPH"]) if "TTKG_GRAPH" in os.environ else None)
    if graph is None:
        raise SystemExit("--graph DIR (or TTKG_GRAPH) is required")
    # the access log on, as `ttkg serve` runs it (written where nobody reads it)
    with open(os.devnull, "w") as sink:
        logging.basicConfig(level=logging.WARNING, stream=sink)
        logging.getLogger("ttkg.access").setLevel(logging.INFO)
        before = load_average()
        report = asyncio.run(_run(graph, args.requests, args.seed, args.cache_mb,
                                  args.slowest))
    report["load_average"] = {"before": before, "after": load_average()}
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(
        f"ttkg API in-process: {report['all']['requests']} requests on {graph}, "
        f"{report['wall_s']} s, statuses {report['statuses']}, cache {args.cache_mb} MB: "
        f"{report['cache_hits']} hits; load average before "
        f"{before}, after {report['load_average']['after']}"
    )
    print(f"{'route':9} {'requests':>8} {'CPU ms':>7} {'loop ms':>8} {'queries ms':>11}")
    for name, r in [*report["routes"].items(), ("ALL", report["all"])]:
        print(
            f"{name:9} {r['requests']:8} {r['cpu_ms']:7.2f} {r['loop_ms']:8.2f} "
            f"{r['queries_ms']:11.2f}"
        )
    for ms, route, status, url in report["slowest"]:
        print(f"{ms:9.1f} ms  {route:9} {status}  {url}")
    ok = report["all"]["cpu_ms"] <= TARGET_MS
    print(
        f"CPU per request {report['all']['cpu_ms']:.2f} ms in-process (target over HTTP "
        f"<= {TARGET_MS} ms: {'within' if ok else 'over'}, before uvicorn's HTTP and sockets)"
    )


if __name__ == "__main__":
    main()
