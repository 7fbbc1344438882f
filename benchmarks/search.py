"""CPU per request of name search and entity lookups, the API's request mix for the two routes
(issue 14), in-process: the query functions called directly, no HTTP.

    python benchmarks/search.py --graph DIR [--requests 600] [--seed 14] [--answers OUT.json]
        [--profile search|entity]

The requests are those `benchmarks/load.py` sends to `/entities?q=` (a name of one of the 200
organisations with most patents, half of it, the name with a letter dropped, or a country code)
and `/entities/{id}` (an organisation, a CPC subclass, a patent, a country or a WIPO field),
drawn from the graph with a fixed seed. Each is answered once to warm up, then timed: CPU time
(user+sys of this process) and wall time per request, p50 / p90 / p99 / mean. `--answers`
writes every answer as JSON (errors as their type and message), to compare two versions of
the code on the same graph: the files must be identical.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import json
import pstats
import random
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a file: import from the project root
    _here = Path(__file__).resolve().parent
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _here]
    sys.path.insert(0, str(_here.parent))

from benchmarks._common import load_average, percentile
from benchmarks.load import Vocabulary, make_requests
from ttkg.core.errors import TtkgError
from ttkg.graph.backends.memory.backend import MemoryBackend
from ttkg.queries.entity import entity_detail
from ttkg.queries.resolve import search


def _call(backend: MemoryBackend, route: str, target: str, params: dict[str, Any]) -> Any:
    if route == "search":
        return search(backend, params["q"], limit=params["limit"])
    return entity_detail(backend, target, limit=params["limit"])


def _answer(call: Callable[[], Any]) -> Any:
    try:
        return call().model_dump(mode="json")
    except TtkgError as exc:
        return {"error": type(exc).__name__, "detail": str(exc)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--graph", type=Path, required=True)
    parser.add_argument("--requests", type=int, default=600, help="per route")
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--answers", type=Path)
    parser.add_argument("--profile", choices=["search", "entity"])
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    backend = MemoryBackend.open(args.graph)
    vocabulary = Vocabulary.of(args.graph)
    print(f"opened {args.graph} in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    rng = random.Random(args.seed)
    builders = make_requests(vocabulary, rng)
    mix = {
        route: [builders[route]() for _ in range(args.requests)] for route in ("search", "entity")
    }
    answers: dict[str, Any] = {}
    for route, requests in mix.items():  # warm-up, and the answers
        for _, path, params in requests:
            target = path.rsplit("/", 1)[-1]
            key = f"{route} {params.get('q', target)}"
            answers[key] = _answer(partial(_call, backend, route, target, params))
    if args.answers:
        args.answers.write_text(json.dumps(answers, indent=1, sort_keys=True))

    print(f"load average before: {load_average()}")
    print("route   requests  CPU p50 / p90 / p99 / mean ms   wall p50 / p99 ms")
    for route, requests in mix.items():
        profiler = cProfile.Profile() if args.profile == route else None
        cpu: list[float] = []
        wall: list[float] = []
        for _, path, params in requests:
            target = path.rsplit("/", 1)[-1]
            c0, w0 = time.process_time(), time.perf_counter()
            if profiler:
                profiler.enable()
            with contextlib.suppress(TtkgError):
                _call(backend, route, target, params)
            if profiler:
                profiler.disable()
            cpu.append((time.process_time() - c0) * 1000)
            wall.append((time.perf_counter() - w0) * 1000)
        stats = " / ".join(f"{percentile(cpu, q):.2f}" for q in (50, 90, 99))
        print(
            f"{route:7} {len(requests):8}  {stats} / {sum(cpu) / len(cpu):.2f}"
            f"   {percentile(wall, 50):.2f} / {percentile(wall, 99):.2f}"
        )
        if profiler:
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
    print(f"load average after: {load_average()}")
    backend.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
