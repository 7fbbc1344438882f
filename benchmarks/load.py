"""Load benchmark of the HTTP API: many concurrent clients against a real `ttkg serve`.

    python benchmarks/load.py [--clients 200] [--duration 30] [--think-ms 0]
        [--graph DIR] [--seed 7] [--json]

It builds the bundled sample (data/sample) into a temporary graph directory unless --graph is
given, starts `ttkg serve` on a free loopback port (one uvicorn process, as users run it,
access log on), waits for /health, then runs `--clients` concurrent clients (asyncio tasks,
each with its own httpx client and keep-alive connection, loopback only) for
`--duration` seconds, and stops the server.

Each client loops: pick a request from a realistic mix, send it, wait for the whole answer,
then think for `--think-ms` milliseconds on average (uniform in 0.5x..1.5x; 0 = closed loop,
every client always has a request in flight: the saturation test). With a think time, the
clients start spread over one think time (ramp-up) rather than in one burst. The mix, with
real names, ids and codes drawn from the served graph:

    search 25 %     /entities?q=<name prefix, name with a typo, code>
    entity 20 %     /entities/<organisation, CPC class, country, patent, field>
    bridges 20 %    /bridges field pairs, half with years/kind/country filters
    profile 15 %    /fields/<field, sector or CPC subclass>/profile, half with a year range
    partners 10 %   /organizations/<organisation>/partners, some within a field
    paths 10 %      /paths between organisations, fields and countries (k 3, max_hops 4)

Reported per route and overall: requests, throughput, latency p50/p90/p99/max (from sending
the request to the last byte of the answer), 4xx answers (a few are expected: a typo search
finds nothing) and errors (transport errors, timeouts, 5xx). The server's own access log is
counted as a cross-check: every request sent must be logged once. Before the run, one request
per route warms the lazily built indexes.

Targets (bundled sample): 0 errors, p99 <= 250 ms. The script prints them next to the numbers
and exits 0 either way (pass --strict to exit 1 on a miss).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a file: import from the project root, not from
    # benchmarks/ (whose queries.py would shadow the project's `queries` package)
    _here = Path(__file__).resolve().parent
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _here]
    sys.path.insert(0, str(_here.parent))

import httpx

from benchmarks._common import REPO_ROOT, load_average, machine, percentile
from graph.artifact import Artifact
from graph.model import EdgeType, NodeLabel

TARGET_P99_MS = 250.0
ROUTE_WEIGHTS = {
    "search": 25,
    "entity": 20,
    "bridges": 20,
    "profile": 15,
    "partners": 10,
    "paths": 10,
}
REQUEST_TIMEOUT_S = 30.0
#: Idle connections are dropped by the client before uvicorn's 5 s keep-alive timeout closes
#: them, as browsers do; reusing a connection the server is closing fails the request.
KEEPALIVE_S = 4.0


# -- the request mix -----------------------------------------------------------------------


@dataclass
class Vocabulary:
    """Real names, ids and codes of the served graph, to build requests from."""

    orgs: list[tuple[str, str]]  # (id, name) of organisations holding patents, most first
    fields: list[tuple[int, str]]  # WIPO field (number, name)
    sectors: list[str]
    subclasses: list[str]  # CPC subclasses used by patents
    countries: list[str]  # alpha-2 codes of organisations' countries
    patents: list[str]  # patent node ids

    @classmethod
    def of(cls, graph: Path) -> Vocabulary:
        art = Artifact.open(graph)
        orgs = art.nodes(NodeLabel.ORGANIZATION, ["id", "name", "patent_count", "country"])
        rows = sorted(
            (r for r in orgs.to_pylist() if (r["patent_count"] or 0) > 0),
            key=lambda r: (-r["patent_count"], r["id"]),
        )
        fields = art.nodes(NodeLabel.TECHNOLOGY_FIELD, ["name", "level", "number"]).to_pylist()
        classified = art.edges(EdgeType.CLASSIFIED_AS, ["dst"]).column("dst").to_pylist()
        patents = art.nodes(NodeLabel.PATENT, ["id"]).column("id").to_pylist()
        return cls(
            orgs=[(r["id"], r["name"]) for r in rows[:400]],
            fields=[(f["number"], f["name"]) for f in fields if f["level"] == "field"],
            sectors=[f["name"] for f in fields if f["level"] == "sector"],
            subclasses=sorted({d[len("cpc:") :][:4] for d in classified}),
            countries=sorted({r["country"] for r in rows if r["country"]}),
            patents=patents[:: max(1, len(patents) // 2000)],
        )


Request = tuple[str, str, dict[str, Any]]  # route, path, query parameters


def _typo(name: str, rng: random.Random) -> str:
    if len(name) < 6:
        return name
    i = rng.randrange(1, len(name) - 1)
    return name[:i] + name[i + 1 :]


def make_requests(v: Vocabulary, rng: random.Random) -> dict[str, Callable[[], Request]]:
    """One request builder per route."""

    def field_name() -> str:
        number, name = rng.choice(v.fields)
        return rng.choice([name, str(number)])

    def filters() -> dict[str, Any]:
        if rng.random() < 0.5:
            return {}
        start = rng.randrange(1976, 2016)
        out: dict[str, Any] = {"year_from": start, "year_to": start + rng.randrange(3, 10)}
        if rng.random() < 0.5:
            out["kind"] = rng.choice(["university", "company", "government"])
        if rng.random() < 0.3:
            out["country"] = rng.choice(v.countries)
        return out

    def search() -> Request:
        _, name = rng.choice(v.orgs[:200])
        q = rng.choice(
            [name, name[: max(3, len(name) // 2)], _typo(name, rng), rng.choice(v.countries)]
        )
        return "search", "/entities", {"q": q, "limit": 10}

    def entity() -> Request:
        kind = rng.random()
        if kind < 0.4:
            target = rng.choice(v.orgs)[0]
        elif kind < 0.6:
            target = "cpc:" + rng.choice(v.subclasses)
        elif kind < 0.8:
            target = rng.choice(v.patents)
        elif kind < 0.9:
            target = rng.choice(v.countries)
        else:
            target = rng.choice(v.fields)[1]
        return "entity", f"/entities/{target}", {"limit": 25}

    def bridges() -> Request:
        a, b = rng.sample(v.fields, 2)
        params = {"field_a": a[1], "field_b": str(b[0]), "limit": 10, "evidence": 3}
        params.update(filters())
        if "kind" in params and rng.random() < 0.5:
            params["partner_kind"] = "company"
        return "bridges", "/bridges", params

    def profile() -> Request:
        pick = rng.random()
        if pick < 0.6:
            target = field_name()
        elif pick < 0.7:
            target = rng.choice(v.sectors)
        else:
            target = rng.choice(v.subclasses)
        params: dict[str, Any] = {"limit": 10}
        if rng.random() < 0.5:
            params["year_from"] = rng.randrange(1990, 2016)
        return "profile", f"/fields/{target}/profile", params

    def partners() -> Request:
        org = rng.choice(v.orgs[:300])[0]
        params: dict[str, Any] = {"limit": 20, "evidence": 3}
        if rng.random() < 0.3:
            params["field"] = field_name()
        return "partners", f"/organizations/{org}/partners", params

    def paths() -> Request:
        a = rng.choice(v.orgs[:300])[0]
        other = rng.random()
        if other < 0.6:
            b = rng.choice(v.orgs[:300])[0]
        elif other < 0.8:
            b = rng.choice(v.fields)[1]
        else:
            b = rng.choice(v.countries)
        if b == a:
            b = v.orgs[0][0] if a != v.orgs[0][0] else v.orgs[1][0]
        return "paths", "/paths", {"source": a, "target": b, "k": 3, "max_hops": 4}

    return {
        "search": search,
        "entity": entity,
        "bridges": bridges,
        "profile": profile,
        "partners": partners,
        "paths": paths,
    }


# -- running the load ------------------------------------------------------------------------


@dataclass
class RouteStats:
    """What one route's requests got: latencies and statuses of answers, and errors
    (transport errors and timeouts, which have no answer, and 5xx answers)."""

    latencies_ms: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)

    def record_error(self, kind: str, what: str) -> None:
        self.errors[kind] += 1
        if len(self.examples) < 3:
            self.examples.append(what)

    @property
    def requests(self) -> int:
        unanswered = sum(n for kind, n in self.errors.items() if not kind.isdigit())
        return len(self.latencies_ms) + unanswered


async def client_loop(
    url: str,
    builders: dict[str, Callable[[], Request]],
    rng: random.Random,
    stats: dict[str, RouteStats],
    stop_at: float,
    think_s: float,
) -> None:
    """One client: its own keep-alive connection (a shared pool of hundreds of connections
    costs httpx more CPU per request than the server spends answering)."""
    if think_s:  # arrive spread over one think time, not all in the same millisecond
        await _pause(rng.uniform(0, think_s), stop_at)
    async with _client(url, 1) as client:
        await _loop(client, builders, rng, stats, stop_at, think_s)


def _client(url: str, connections: int) -> httpx.AsyncClient:
    limits = httpx.Limits(
        max_connections=connections,
        max_keepalive_connections=connections,
        keepalive_expiry=KEEPALIVE_S,
    )
    return httpx.AsyncClient(base_url=url, limits=limits, timeout=REQUEST_TIMEOUT_S)


async def _loop(
    client: httpx.AsyncClient,
    builders: dict[str, Callable[[], Request]],
    rng: random.Random,
    stats: dict[str, RouteStats],
    stop_at: float,
    think_s: float,
) -> None:
    routes = list(ROUTE_WEIGHTS)
    weights = [ROUTE_WEIGHTS[r] for r in routes]
    while time.monotonic() < stop_at:
        route, path, params = builders[rng.choices(routes, weights)[0]]()
        st = stats[route]
        started = time.perf_counter()
        try:
            r = await client.get(path, params=params)
            elapsed = (time.perf_counter() - started) * 1000
        except httpx.TimeoutException:
            st.record_error("timeout", f"{path} {params}")
            continue
        except httpx.TransportError as exc:
            st.record_error(type(exc).__name__, f"{path} {params}: {type(exc).__name__} {exc}")
            continue
        st.latencies_ms.append(elapsed)
        st.statuses[r.status_code] += 1
        if r.status_code >= 500:
            st.record_error(str(r.status_code), f"{path} {params}: {r.text[:200]}")
        if think_s:
            await _pause(think_s * rng.uniform(0.5, 1.5), stop_at)


async def _pause(seconds: float, stop_at: float) -> None:
    """Think, but not past the end of the run."""
    await asyncio.sleep(max(0.0, min(seconds, stop_at - time.monotonic())))


async def run_load(
    url: str, v: Vocabulary, clients: int, duration: float, think_ms: float, seed: int
) -> tuple[dict[str, RouteStats], float]:
    stats: dict[str, RouteStats] = defaultdict(RouteStats)
    async with _client(url, 1) as client:
        warm = make_requests(v, random.Random(seed - 1))
        for build in warm.values():  # build the lazily made indexes before measuring
            _, path, params = build()
            await client.get(path, params=params)
    stop_at = time.monotonic() + duration
    started = time.monotonic()
    tasks = [
        client_loop(
            url,
            make_requests(v, random.Random(seed * 1000 + i)),
            random.Random(seed * 7919 + i),
            stats,
            stop_at,
            think_ms / 1000,
        )
        for i in range(clients)
    ]
    await asyncio.gather(*tasks)
    wall = time.monotonic() - started
    return stats, wall


# -- the server ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(graph: Path, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    out = log.open("wb")
    argv = [sys.executable, "-m", "api.cli", "serve", "--graph", str(graph)]
    proc = subprocess.Popen(
        [*argv, "--host", "127.0.0.1", "--port", str(port)],
        cwd=REPO_ROOT,
        stdout=out,
        stderr=subprocess.STDOUT,
    )
    out.close()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            if httpx.get(f"{url}/health", timeout=5).status_code == 200:
                return proc, url
        except httpx.TransportError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise SystemExit(f"ttkg serve did not start:\n{log.read_text(errors='replace')}")
        time.sleep(0.2)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# -- report ----------------------------------------------------------------------------------


def summarize(latencies: list[float]) -> dict[str, float]:
    if not latencies:
        return {"p50": 0.0, "p90": 0.0, "p99": 0.0, "max": 0.0}
    return {
        "p50": round(percentile(latencies, 50), 1),
        "p90": round(percentile(latencies, 90), 1),
        "p99": round(percentile(latencies, 99), 1),
        "max": round(max(latencies), 1),
    }


def report(stats: dict[str, RouteStats], wall: float) -> dict[str, Any]:
    rows: dict[str, Any] = {}
    everything: list[float] = []
    for route in ROUTE_WEIGHTS:
        st = stats.get(route, RouteStats())
        everything += st.latencies_ms
        rows[route] = {
            "requests": st.requests,
            "rps": round(len(st.latencies_ms) / wall, 1),
            **summarize(st.latencies_ms),
            "status_4xx": sum(n for s, n in st.statuses.items() if 400 <= s < 500),
            "errors": st.errors.total(),
            "error_kinds": dict(st.errors),
            "error_examples": st.examples,
            "statuses": dict(st.statuses),
        }
    total_errors = sum(r["errors"] for r in rows.values())
    rows["ALL"] = {
        "requests": sum(r["requests"] for r in rows.values()),
        "rps": round(len(everything) / wall, 1),
        **summarize(everything),
        "status_4xx": sum(r["status_4xx"] for r in rows.values()),
        "errors": total_errors,
    }
    return rows


def route_of(path: str) -> str | None:
    """The mix route a request path belongs to (None for /health and the like)."""
    if path == "/entities":
        return "search"
    for prefix, route in (
        ("/entities/", "entity"),
        ("/bridges", "bridges"),
        ("/fields/", "profile"),
        ("/organizations/", "partners"),
        ("/paths", "paths"),
    ):
        if path.startswith(prefix):
            return route
    return None


def server_side(rows: dict[str, Any], access: list[dict[str, Any]]) -> None:
    """Add the server's own view (access log `ms`: from the app receiving the request to its
    answer, so it leaves out time queued in sockets and the event loop) to each route."""
    by_route: dict[str, list[float]] = defaultdict(list)
    for entry in access:
        route = route_of(entry["path"])
        if route is not None:
            by_route[route].append(float(entry["ms"]))
            by_route["ALL"].append(float(entry["ms"]))
    for route, row in rows.items():
        ms = by_route.get(route, [])
        row["server_p50"] = round(percentile(ms, 50), 1) if ms else 0.0
        row["server_p99"] = round(percentile(ms, 99), 1) if ms else 0.0


def print_table(rows: dict[str, Any]) -> None:
    head = f"{'route':<9} {'requests':>8} {'req/s':>7} {'p50 ms':>7} {'p90 ms':>7} "
    head += f"{'p99 ms':>7} {'max ms':>7} {'4xx':>5} {'errors':>6} {'srv p50':>7} {'srv p99':>7}"
    print(head)
    print("-" * len(head))
    for route, r in rows.items():
        print(
            f"{route:<9} {r['requests']:>8} {r['rps']:>7} {r['p50']:>7} {r['p90']:>7} "
            f"{r['p99']:>7} {r['max']:>7} {r['status_4xx']:>5} {r['errors']:>6} "
            f"{r['server_p50']:>7} {r['server_p99']:>7}"
        )
    for route, r in rows.items():
        for example in r.get("error_examples", []):
            print(f"  error on {route}: {example}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clients", type=int, default=200, help="concurrent clients (>= 1)")
    ap.add_argument("--duration", type=float, default=30.0, help="seconds of load (<= 600)")
    ap.add_argument("--think-ms", type=float, default=0.0, help="mean pause between requests")
    ap.add_argument("--graph", type=Path, help="graph directory [default: build the sample]")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--json", action="store_true", help="print the report as JSON")
    ap.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = ap.parse_args()
    if not 1 <= args.clients <= 5000 or not 0 < args.duration <= 600:
        ap.error("--clients must be 1..5000 and --duration 0..600 s")

    with tempfile.TemporaryDirectory(prefix="ttkg-load-") as tmp:
        graph = args.graph
        if graph is None:
            from graph.build import build_graph
            from graph.sources import SourcePaths

            graph = Path(tmp) / "graph"
            build_graph(SourcePaths.sample(), graph)
        vocabulary = Vocabulary.of(graph)
        log = Path(tmp) / "serve.log"
        load_before = load_average()
        proc, url = start_server(graph, log)
        try:
            cpu0, own0 = cpu_seconds(proc.pid), cpu_seconds(os.getpid())
            stats, wall = asyncio.run(
                run_load(url, vocabulary, args.clients, args.duration, args.think_ms, args.seed)
            )
            server_cpu = cpu_seconds(proc.pid) - cpu0
            client_cpu = cpu_seconds(os.getpid()) - own0
        finally:
            proc.terminate()
            proc.wait(timeout=30)
        access = [
            json.loads(line)
            for line in log.read_text(errors="replace").splitlines()
            if line[:1] == "{"
        ]

    rows = report(stats, wall)
    server_side(rows, access)
    overall = rows["ALL"]
    sent = overall["requests"] + len(ROUTE_WEIGHTS)  # + the warm-up requests
    logged = sum(1 for entry in access if entry["path"] != "/health")
    result = {
        "clients": args.clients,
        "duration_s": round(wall, 1),
        "think_ms": args.think_ms,
        "graph": str(args.graph or "bundled sample (built for this run)"),
        "machine": machine(),
        "load_average_before": load_before,
        "load_average_after": load_average(),
        "server_cpu_s": round(server_cpu, 1),
        "server_cpu_share": round(server_cpu / wall, 2),
        "client_cpu_s": round(client_cpu, 1),
        "access_log_lines": logged,
        "requests_sent": sent,
        "routes": rows,
        "targets": {
            "errors": {"target": 0, "value": overall["errors"], "ok": overall["errors"] == 0},
            "p99_ms": {
                "target": TARGET_P99_MS,
                "value": overall["p99"],
                "ok": overall["p99"] <= TARGET_P99_MS,
            },
        },
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(
            f"ttkg load: {args.clients} clients, {wall:.1f} s, think {args.think_ms:g} ms, "
            f"{result['graph']}; load average before {load_before}, "
            f"after {result['load_average_after']}; CPU: server {server_cpu:.1f} s "
            f"({result['server_cpu_share']:.0%} of one core), clients {client_cpu:.1f} s"
        )
        print_table(rows)
        print(
            f"server access log: {logged} requests logged for {sent} sent "
            "(srv = time inside the app, from its access log)"
        )
        for name, t in result["targets"].items():
            verdict = "OK" if t["ok"] else "MISSED"
            print(f"target {name}: {t['value']} (target {t['target']}) {verdict}")
    missed = not all(t["ok"] for t in result["targets"].values())
    return 1 if args.strict and missed else 0


if __name__ == "__main__":
    sys.exit(main())
