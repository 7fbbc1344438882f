"""Load benchmark of the HTTP API: many concurrent clients against a real `ttkg serve`.

    python benchmarks/load.py [--clients 200] [--duration 30] [--think-ms 0] [--workers 1]
        [--client-processes 1] [--cache-mb N] [--graph DIR] [--seed 7] [--json]

It builds the bundled sample (data/sample) into a temporary graph directory unless --graph is
given, starts `ttkg serve --workers N` on a free loopback port (access log on, as users run
it), waits for /health, then runs `--clients` concurrent clients (asyncio tasks, each with its
own keep-alive connection, loopback only; spread over `--client-processes` event loops, one
per process) for `--duration` seconds, and stops the server. A client speaks HTTP/1.1 with
h11 (the protocol state machine that httpx and uvicorn use) over asyncio streams: an httpx
client cost 2.0-2.4 ms of CPU per request, as much as a third of what the server spent
answering, on the same 2 cores; this one costs a fraction of that (printed: the clients' CPU
per request).

Each client loops: pick a request from a realistic mix, send it, wait for the whole answer,
then think for `--think-ms` milliseconds on average (uniform in 0.5x..1.5x; 0 = closed loop,
every client always has a request in flight: the saturation test). With a think time, each
client's first request waits as a request of a client that has been running for a while would
(`first_pause`: the stationary start of a renewal process), so the clients ask ~200 req/s from
the first second on; starting them uniformly over one think time (until session 14) asked up to
~1.3x that in the first second, a burst of the benchmark's making. The mix, with
real names, ids and codes drawn from the served graph:

    search 25 %     /entities?q=<name prefix, name with a typo, code>
    entity 20 %     /entities/<organisation, CPC class, country, patent, field>
    bridges 20 %    /bridges field pairs, half with years/kind/country filters
    profile 15 %    /fields/<field, sector or CPC subclass>/profile, half with a year range
    partners 10 %   /organizations/<organisation>/partners, some within a field
    paths 10 %      /paths between organisations, fields and countries (k 3, max_hops 4)

The server's answer cache (api/caching.py) is on at its default size, as users run it; the
answers it gave are counted (`Cache-Status: ttkg; hit`). `--cache-mb 0` turns it off: every
request is then answered by its query, the server's CPU per request is that of distinct
queries. Report both.

Reported per route and overall: requests, throughput, latency p50/p90/p99/max (from sending
the request to the last byte of the answer), 4xx answers (a few are expected: a typo search
finds nothing) and errors (transport errors, timeouts, 5xx). The server's own access log is
counted as a cross-check: every request sent must be logged once. Before the run, one request
per route warms the lazily built indexes.

CPU: the server's is that of its whole process tree (uvicorn's supervisor and its workers),
the clients' that of this process; both are also given per request, with each server process's
CPU and resident memory at the end of the run, and the CPU that other processes of the (shared)
machine used meanwhile. The load generator runs on the same machine: with no think time the
server and the clients share the CPUs, and a closed loop of C clients at X req/s has a mean
latency of C / X (Little's law), whatever the server does with its share. The clients' event
loop lag (how late it wakes from a 10 ms sleep) says how long an answer that has arrived may
wait for its client: the generator's own share of the latencies.

Targets (issue 14, 200 clients with --think-ms 1000, on the full shared data and at 9.1M
patents): 0 errors, p99 <= 100 ms. The script prints them next to the numbers and exits 0
either way (pass --strict to exit 1 on a miss).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import multiprocessing
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a file: import from the project root, not from
    # benchmarks/ (whose queries.py would shadow the project's `queries` package)
    _here = Path(__file__).resolve().parent
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _here]
    sys.path.insert(0, str(_here.parent))

import h11
import httpx
import pyarrow.compute as pc

from benchmarks._common import REPO_ROOT, load_average, machine, percentile
from ttkg.core.model import EdgeType, NodeLabel
from ttkg.graph.artifact import Artifact

TARGET_P99_MS = 100.0
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
        fields = art.nodes(NodeLabel.TECHNOLOGY_FIELD, ["id", "name", "level", "number"])
        # a name an OpenAlex research field shares (Biotechnology, Chemistry) is ambiguous
        # (a 422 answer): such fields are named by id, as a user would after that answer
        research = art.nodes(NodeLabel.RESEARCH_FIELD, ["name"]).column("name").to_pylist()
        shared = {n.casefold() for n in research if n}

        def named(f: dict[str, Any]) -> str:
            return str(f["id"] if f["name"].casefold() in shared else f["name"])

        # distinct symbols and every n-th patent id read by Arrow: at 9.1M patents the
        # whole columns as Python strings would take gigabytes
        classified = pc.unique(art.edges(EdgeType.CLASSIFIED_AS, ["dst"]).column("dst"))
        patent_ids = art.nodes(NodeLabel.PATENT, ["id"]).column("id")
        step = max(1, len(patent_ids) // 2000)
        return cls(
            orgs=[(r["id"], r["name"]) for r in rows[:400]],
            fields=[(f["number"], named(f)) for f in fields.to_pylist() if f["level"] == "field"],
            sectors=[named(f) for f in fields.to_pylist() if f["level"] == "sector"],
            subclasses=sorted({d[len("cpc:") :][:4] for d in classified.to_pylist()}),
            countries=sorted({r["country"] for r in rows if r["country"]}),
            patents=patent_ids.take(list(range(0, len(patent_ids), step))).to_pylist(),
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
        out: dict[str, Any] = {"years": f"{start}-{start + rng.randrange(3, 10)}"}
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
        elif kind < 0.9:  # by id: a bare code is ambiguous on synthetic names (422)
            target = f"country:{rng.choice(v.countries)}"
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
            params["years"] = f"{rng.randrange(1990, 2016)}-"
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
            b = f"country:{rng.choice(v.countries)}"
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
    cache_hits: int = 0
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


def answered_from_cache(headers: Iterable[tuple[bytes, bytes]]) -> bool:
    """Whether a response's headers say an answer cache gave it (`Cache-Status: ttkg; hit`,
    also `...; detail=shared`)."""
    return any(k == b"cache-status" and v.startswith(b"ttkg; hit") for k, v in headers)


class Connection:
    """One client's keep-alive HTTP/1.1 connection: h11 over asyncio streams, opened again
    when the server closed it or it was idle for KEEPALIVE_S."""

    def __init__(self, url: str) -> None:
        parts = urllib.parse.urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self._streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
        self._h11 = h11.Connection(h11.CLIENT)
        self._used = 0.0

    async def get(self, path: str, params: dict[str, Any]) -> tuple[int, bytes, bool]:
        """Status and body of GET path?params, and whether the server's cache answered it;
        raises TimeoutError or a transport error (OSError, h11.ProtocolError) when there is
        no answer."""
        return await asyncio.wait_for(self._get(path, params), REQUEST_TIMEOUT_S)

    async def _get(self, path: str, params: dict[str, Any]) -> tuple[int, bytes, bool]:
        idle = time.monotonic() - self._used > KEEPALIVE_S
        if self._streams is None or idle or self._h11.our_state is not h11.IDLE:
            await self.close()
            self._streams = await asyncio.open_connection(self.host, self.port)
            self._h11 = h11.Connection(h11.CLIENT)
        reader, writer = self._streams
        path = urllib.parse.quote(path, safe="/:@!$&'()*+,;=")  # as httpx quotes a path
        target = f"{path}?{urllib.parse.urlencode(params, doseq=True)}" if params else path
        request = h11.Request(
            method="GET", target=target, headers=[("Host", self.host), ("Accept", "*/*")]
        )
        writer.write(self._h11.send(request) + self._h11.send(h11.EndOfMessage()))
        status, body, hit = 0, bytearray(), False
        while True:
            event = self._h11.next_event()
            if event is h11.NEED_DATA:
                self._h11.receive_data(await reader.read(65536))
            elif isinstance(event, h11.Response):
                status = event.status_code
                hit = answered_from_cache(event.headers)
            elif isinstance(event, h11.Data):
                body += event.data
            elif isinstance(event, h11.EndOfMessage):
                break
            elif isinstance(event, h11.ConnectionClosed):
                raise ConnectionResetError("the server closed the connection")
        if self._h11.our_state is h11.DONE and self._h11.their_state is h11.DONE:
            self._h11.start_next_cycle()
        self._used = time.monotonic()
        return status, bytes(body), hit

    async def close(self) -> None:
        if self._streams is not None:
            writer = self._streams[1]
            self._streams = None
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()


async def client_loop(
    client: Connection,
    builders: dict[str, Callable[[], Request]],
    rng: random.Random,
    stats: dict[str, RouteStats],
    stop_at: float,
    think_s: float,
) -> None:
    """One client: its own keep-alive connection."""
    if think_s:  # arrive as in a steady state, not all in the same millisecond
        await _pause(first_pause(think_s, rng), stop_at)
    routes = list(ROUTE_WEIGHTS)
    weights = [ROUTE_WEIGHTS[r] for r in routes]
    try:
        while time.monotonic() < stop_at:
            route, path, params = builders[rng.choices(routes, weights)[0]]()
            st = stats[route]
            started = time.perf_counter()
            try:
                status, body, hit = await client.get(path, params)
                elapsed = (time.perf_counter() - started) * 1000
            except TimeoutError:
                st.record_error("timeout", f"{path} {params}")
                await client.close()
                continue
            except (OSError, h11.ProtocolError) as exc:
                st.record_error(type(exc).__name__, f"{path} {params}: {type(exc).__name__} {exc}")
                await client.close()
                continue
            st.latencies_ms.append(elapsed)
            st.statuses[status] += 1
            st.cache_hits += hit
            if status >= 500:
                st.record_error(str(status), f"{path} {params}: {body[:200]!r}")
            if think_s:
                await _pause(think_s * rng.uniform(0.5, 1.5), stop_at)
    finally:
        await client.close()


def first_pause(think_s: float, rng: random.Random) -> float:
    """A client's wait before its first request: the time from a random moment to a client's
    next request in the steady state, when each pause is uniform in 0.5..1.5 x `think_s`
    (requests' own time neglected). Its density is P(pause > t) / E[pause]: 1 / think_s up to
    0.5 think_s, then falling linearly to 0 at 1.5 think_s; half the mass each. Clients
    started so ask the steady rate from the start, where a uniform start over one think
    time adds every early client's second request to the late clients' first ones."""
    if rng.random() < 0.5:
        return rng.uniform(0.0, 0.5 * think_s)
    return think_s * (1.5 - math.sqrt(rng.random()))


async def _pause(seconds: float, stop_at: float) -> None:
    """Think, but not past the end of the run."""
    await asyncio.sleep(max(0.0, min(seconds, stop_at - time.monotonic())))


LAG_TICK_S = 0.01


async def _watch_lag(stop_at: float, lags_ms: list[float]) -> None:
    """How late the clients' event loop wakes from a 10 ms sleep: the time an answer that has
    arrived can wait before its client sees it (the generator's own share of the latencies)."""
    while time.monotonic() < stop_at:
        before = time.perf_counter()
        await asyncio.sleep(LAG_TICK_S)
        lags_ms.append(max(0.0, (time.perf_counter() - before - LAG_TICK_S) * 1000))


async def warm_up(url: str, v: Vocabulary, seed: int) -> None:
    """One request per route: the server builds what it builds lazily before the clock starts."""
    client = Connection(url)
    try:
        for build in make_requests(v, random.Random(seed - 1)).values():
            _, path, params = build()
            await client.get(path, params)
    finally:
        await client.close()


@dataclass
class Share:
    """What one load-generator process measured for its clients."""

    stats: dict[str, RouteStats]
    wall_s: float
    lags_ms: list[float]
    cpu_s: float


def run_clients(
    url: str,
    v: Vocabulary,
    ids: range,
    duration: float,
    think_ms: float,
    seed: int,
    ready: Callable[[], object] = lambda: None,
) -> Share:
    """Run clients `ids` (their request sequences depend on their id only, not on how the
    clients are spread over processes) in this process's event loop; `ready` is called once
    they are made, just before the clock starts."""
    cpu0 = time.process_time()
    lags_ms: list[float] = []

    async def run() -> tuple[dict[str, RouteStats], float]:
        stats: dict[str, RouteStats] = defaultdict(RouteStats)
        made = {i: Connection(url) for i in ids}
        ready()
        stop_at = time.monotonic() + duration
        started = time.monotonic()
        tasks = [
            client_loop(
                made[i],
                make_requests(v, random.Random(seed * 1000 + i)),
                random.Random(seed * 7919 + i),
                stats,
                stop_at,
                think_ms / 1000,
            )
            for i in ids
        ]
        await asyncio.gather(_watch_lag(stop_at, lags_ms), *tasks)
        return stats, time.monotonic() - started

    stats, wall = asyncio.run(run())
    return Share(dict(stats), wall, lags_ms, time.process_time() - cpu0)


def _generator_process(
    url: str,
    v: Vocabulary,
    ids: range,
    duration: float,
    think_ms: float,
    seed: int,
    barrier: Any,
    results: Any,
) -> None:
    """Entry point of an extra load-generator process: its share of the clients, started
    together with the others' (barrier), measurements sent back (queue)."""
    results.put(run_clients(url, v, ids, duration, think_ms, seed, barrier.wait))


def run_load(
    url: str,
    v: Vocabulary,
    clients: int,
    processes: int,
    duration: float,
    think_ms: float,
    seed: int,
    started: Callable[[], None],
) -> list[Share]:
    """`clients` clients spread over `processes` event loops (processes); `started` is called
    when all clients are made and the clock starts."""
    if processes == 1:
        return [run_clients(url, v, range(clients), duration, think_ms, seed, started)]
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(processes + 1)
    results = context.Queue()
    shares = [range(k, clients, processes) for k in range(processes)]
    generators = [
        context.Process(
            target=_generator_process,
            args=(url, v, ids, duration, think_ms, seed, barrier, results),
        )
        for ids in shares
    ]
    for g in generators:
        g.start()
    try:
        barrier.wait(timeout=120)
        started()
        out = [results.get(timeout=duration + 120) for _ in generators]
    finally:
        for g in generators:
            g.join(timeout=30)
            if g.exitcode is None:
                g.kill()
    return out


def merge(shares: list[Share]) -> tuple[dict[str, RouteStats], float, list[float], float]:
    """The shares' statistics together: stats, wall time, loop lags, CPU."""
    stats: dict[str, RouteStats] = defaultdict(RouteStats)
    for share in shares:
        for route, st in share.stats.items():
            into = stats[route]
            into.latencies_ms += st.latencies_ms
            into.statuses.update(st.statuses)
            into.cache_hits += st.cache_hits
            into.errors.update(st.errors)
            into.examples = (into.examples + st.examples)[:3]
    return (
        dict(stats),
        max(share.wall_s for share in shares),
        [lag for share in shares for lag in share.lags_ms],
        sum(share.cpu_s for share in shares),
    )


# -- the server ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(
    graph: Path, log: Path, workers: int, cache_mb: int | None = None
) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    out = log.open("wb")
    argv = [sys.executable, "-m", "ttkg", "serve", "--graph", str(graph)]
    if workers != 1:  # the default: `ttkg serve` as users run it
        argv += ["--workers", str(workers)]
    if cache_mb is not None:  # else the default, as users run it
        argv += ["--cache-mb", str(cache_mb)]
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
            if httpx.get(f"{url}/health", timeout=5).status_code == 200 and (
                workers == 1 or len(worker_processes(proc.pid)) >= workers
            ):
                _wait_until_idle(process_tree(proc.pid), deadline)
                return proc, url
        except httpx.TransportError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise SystemExit(f"ttkg serve did not start:\n{log.read_text(errors='replace')}")
        time.sleep(0.2)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (Linux /proc); 0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy_seconds() -> float:
    """CPU time all processes of the machine have used so far, summed over its CPUs (/proc/stat):
    the machine is shared, and what others used during a run is reported beside the numbers."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(f) for f in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def _wait_until_idle(pids: list[int], deadline: float) -> None:
    """Wait until the server's processes have finished starting (loading the graph, building
    its indexes): a worker that is still starting accepts no connection, and the clients'
    keep-alive connections would all go to the workers that are ready."""
    before = [cpu_seconds(p) for p in pids]
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = [cpu_seconds(p) for p in pids]
        if all(b - a < 0.05 for a, b in zip(before, now, strict=True)):
            return
        before = now


def process_tree(pid: int) -> list[int]:
    """`pid` and all its descendants (uvicorn's supervisor and its worker processes)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return out


def _is_worker(pid: int) -> bool:
    """Whether `pid` is a worker uvicorn's supervisor started (not multiprocessing's resource
    tracker)."""
    try:
        return b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def worker_processes(pid: int) -> list[int]:
    """The worker processes of uvicorn's supervisor `pid`."""
    return [p for p in process_tree(pid)[1:] if _is_worker(p)]


def _role(root: int, pid: int) -> str:
    if pid == root:
        return "process" if not worker_processes(root) else "supervisor"
    return "worker" if _is_worker(pid) else "helper"


def rss_mb(pid: int) -> float:
    """Resident memory of a process in MB (0 once it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return 0.0


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
            "cache_hits": st.cache_hits,
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
        "cache_hits": sum(r["cache_hits"] for r in rows.values()),
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


def cpu_budget(
    clients: int,
    think_ms: float,
    server_cpu: float,
    client_cpu: float,
    others_cpu: float,
    wall: float,
    answered: int,
) -> dict[str, float] | None:
    """With a think time: the request rate the clients ask for (each waits think + the CPU
    its request costs), the cores that rate needs at the CPU per request measured (server and
    clients), and the cores other processes of the shared machine left. When needed exceeds
    left, the server is starved whatever it does with its share (queueing, not the code, sets
    the latencies); None for a closed loop (no think time), which is CPU-bound by design."""
    if not think_ms:
        return None
    per_request = (server_cpu + client_cpu) / answered
    offered = clients / (think_ms / 1000 + per_request)
    cores = os.cpu_count() or 1
    others = max(0.0, others_cpu) / wall
    return {
        "offered_rps": round(offered),
        "needed_cores": round(offered * per_request, 2),
        "cores": cores,
        "others_cores": round(others, 2),
        "left_cores": round(cores - others, 2),
    }


def print_table(rows: dict[str, Any]) -> None:
    head = f"{'route':<9} {'requests':>8} {'req/s':>7} {'p50 ms':>7} {'p90 ms':>7} "
    head += f"{'p99 ms':>7} {'max ms':>7} {'4xx':>5} {'errors':>6} {'srv p50':>7} {'srv p99':>7}"
    head += f" {'hits':>5}"
    print(head)
    print("-" * len(head))
    for route, r in rows.items():
        print(
            f"{route:<9} {r['requests']:>8} {r['rps']:>7} {r['p50']:>7} {r['p90']:>7} "
            f"{r['p99']:>7} {r['max']:>7} {r['status_4xx']:>5} {r['errors']:>6} "
            f"{r['server_p50']:>7} {r['server_p99']:>7} {r['cache_hits']:>5}"
        )
    for route, r in rows.items():
        for example in r.get("error_examples", []):
            print(f"  error on {route}: {example}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clients", type=int, default=200, help="concurrent clients (>= 1)")
    ap.add_argument("--duration", type=float, default=30.0, help="seconds of load (<= 600)")
    ap.add_argument("--think-ms", type=float, default=0.0, help="mean pause between requests")
    ap.add_argument("--workers", type=int, default=1, help="server worker processes (>= 1)")
    ap.add_argument(
        "--client-processes",
        type=int,
        default=1,
        help="load-generator processes the clients are spread over (one event loop each)",
    )
    ap.add_argument(
        "--cache-mb",
        type=int,
        help="the server's answer cache per worker (0: off) [default: the server's default]",
    )
    ap.add_argument("--graph", type=Path, help="graph directory [default: build the sample]")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--json", action="store_true", help="print the report as JSON")
    ap.add_argument("--access-log", type=Path,
                    help="keep the server's output (its access log, in answer order) here")
    ap.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = ap.parse_args()
    if not 1 <= args.clients <= 5000 or not 0 < args.duration <= 600:
        ap.error("--clients must be 1..5000 and --duration 0..600 s")
    if not 1 <= args.workers <= 64:
        ap.error("--workers must be 1..64")
    if not 1 <= args.client_processes <= min(64, args.clients):
        ap.error("--client-processes must be 1..64 and at most --clients")

    with tempfile.TemporaryDirectory(prefix="ttkg-load-") as tmp:
        graph = args.graph
        if graph is None:
            from ttkg.graph.build.builder import build_graph
            from ttkg.loaders.sources import SourcePaths

            graph = Path(tmp) / "graph"
            build_graph(SourcePaths.sample(), graph)
        vocabulary = Vocabulary.of(graph)
        log = Path(tmp) / "serve.log"
        load_before = load_average()
        proc, url = start_server(graph, log, args.workers, args.cache_mb)
        try:
            asyncio.run(warm_up(url, vocabulary, args.seed))
            tree = process_tree(proc.pid)
            at_start: dict[int | str, float] = {}  # CPU used when the clock starts

            def clock_starts() -> None:
                at_start.update({p: cpu_seconds(p) for p in tree})
                at_start["machine"] = machine_busy_seconds()

            shares = run_load(
                url,
                vocabulary,
                args.clients,
                args.client_processes,
                args.duration,
                args.think_ms,
                args.seed,
                clock_starts,
            )
            stats, wall, lags_ms, client_cpu = merge(shares)
            used = {p: cpu_seconds(p) - at_start[p] for p in tree}
            server_cpu = sum(used.values())
            others_cpu = machine_busy_seconds() - at_start["machine"] - server_cpu - client_cpu
            per_process = [
                {"role": _role(proc.pid, p), "cpu_s": round(used[p], 1), "rss_mb": rss_mb(p)}
                for p in tree
            ]
        finally:
            proc.terminate()
            proc.wait(timeout=30)
        if args.access_log:
            shutil.copyfile(log, args.access_log)
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
    answered = max(1, sum(len(st.latencies_ms) for st in stats.values()))
    budget = cpu_budget(
        args.clients, args.think_ms, server_cpu, client_cpu, others_cpu, wall, answered
    )
    result = {
        "clients": args.clients,
        "client_processes": args.client_processes,
        "workers": args.workers,
        "duration_s": round(wall, 1),
        "think_ms": args.think_ms,
        "cache_mb": args.cache_mb,
        "graph": str(args.graph or "bundled sample (built for this run)"),
        "machine": machine(),
        "load_average_before": load_before,
        "load_average_after": load_average(),
        "server_cpu_s": round(server_cpu, 1),
        "server_cpu_share": round(server_cpu / wall, 2),
        "server_cpu_ms_per_request": round(server_cpu * 1000 / answered, 2),
        "client_cpu_s": round(client_cpu, 1),
        "client_cpu_share": round(client_cpu / wall, 2),
        "client_cpu_ms_per_request": round(client_cpu * 1000 / answered, 2),
        "others_cpu_s": round(max(0.0, others_cpu), 1),
        "cpu_budget": budget,
        "client_loop_lag_ms": summarize(lags_ms),
        "server_processes": per_process,
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
        cache = "default" if args.cache_mb is None else args.cache_mb
        print(
            f"ttkg load: {args.clients} clients in {args.client_processes} process(es), "
            f"{args.workers} server worker(s), {wall:.1f} s, "
            f"think {args.think_ms:g} ms, cache {cache} MB, {result['graph']}; "
            f"load average before {load_before}, "
            f"after {result['load_average_after']}"
        )
        print(
            f"CPU: server {server_cpu:.1f} s ({result['server_cpu_share']:.0%} of one core, "
            f"{result['server_cpu_ms_per_request']} ms per request), clients {client_cpu:.1f} s "
            f"({result['client_cpu_share']:.0%}, {result['client_cpu_ms_per_request']} ms per "
            f"request); other processes {result['others_cpu_s']} s"
        )
        if budget:
            print(
                f"CPU budget: {args.clients} clients thinking {args.think_ms:g} ms ask for "
                f"~{budget['offered_rps']} req/s, which at the measured CPU per request needs "
                f"{budget['needed_cores']} cores (server and clients); the machine's "
                f"{budget['cores']} cores less other processes' {budget['others_cores']} left "
                f"{budget['left_cores']}"
            )
        lag = result["client_loop_lag_ms"]
        print(
            f"clients' event-loop lag (an answer's wait for its client): p50 {lag['p50']} ms, "
            f"p99 {lag['p99']} ms, max {lag['max']} ms"
        )
        for sp in per_process:
            print(f"  server {sp['role']}: CPU {sp['cpu_s']} s, RSS {sp['rss_mb']} MB")
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
