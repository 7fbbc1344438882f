"""Stage profile of one build: wall, CPU and peak RSS of every stage (run on demand).

    python benchmarks/build_stages.py --inputs DIR --out GRAPH [--identity-cache FILE] [--json F]
    python benchmarks/build_stages.py --shared ../shared/data [--openalex] --out GRAPH

`--inputs` is a folder written by `benchmarks/synthetic.py` (patentsview/, ror/, cpc/,
wipo/); `--shared` the shared real data (with `--openalex` its OpenAlex works and topics too:
all of it). The build logs one line per stage (wall, CPU, peak
RSS of that stage: `VmHWM`, reset at the start of each); this script prints them as a table
with the whole process's CPU and peak RSS. The build runs the PatentsView stages (CPC scheme
to Assignees) and the OpenAlex reading in forked processes beside its own stages: their
lines come from those processes (replayed after), a line "... (forked, beside the stages
above)" gives each process's whole wall and CPU, and their CPU is counted in "forked
workers", not in the whole build's CPU. The stage sums are not the whole build's wall.

`--identity-cache FILE` times the stages around organisation identity alone: the first run
computes identity and pickles its result to FILE, later runs on the same inputs load it
instead (the stage then shows the unpickling, not identity). Identity is another module's
job (`ttkg.graph.identity`); this makes the other stages measurable at 1M-9M patents
without paying its CPU each time. The cache is keyed by nothing: use one file per input.
"""

from __future__ import annotations

import argparse
import json
import logging
import pickle
import re
import resource
import sys
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    _here = Path(__file__).resolve().parent
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _here]
    sys.path.insert(0, str(_here.parent))

from benchmarks._common import load_average, shared_sources
from ttkg.graph.build import builder
from ttkg.loaders.sources import SourcePaths

_STAGE = re.compile(
    r"stage (?P<name>.+): (?P<wall>[\d.]+) s wall, (?P<cpu>[\d.]+) s CPU, peak RSS (?P<rss>\S+) MB"
)


class _Stages(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.rows: list[dict[str, Any]] = []

    def emit(self, record: logging.LogRecord) -> None:
        m = _STAGE.match(record.getMessage())
        if m:
            rss = m["rss"]
            self.rows.append({"stage": m["name"], "wall_s": float(m["wall"]),
                              "cpu_s": float(m["cpu"]),
                              "peak_rss_mb": None if rss == "?" else float(rss)})
            print(record.getMessage(), file=sys.stderr, flush=True)


def synthetic_sources(folder: Path) -> SourcePaths:
    """The sources of a `benchmarks/synthetic.py` output folder."""
    return SourcePaths(
        patentsview=folder / "patentsview",
        ror=next((folder / "ror").glob("*.zip")),
        cpc=next((folder / "cpc").glob("*.zip")),
        wipo=next((folder / "wipo").glob("*.csv")),
    )


def _cached_identity(cache: Path) -> Any:
    compute = builder._identity

    def identity(*args: Any, **kwargs: Any) -> Any:
        if cache.is_file():
            if kwargs.get("on_resolved") is not None:  # (the build reads OpenAlex then)
                kwargs["on_resolved"]()
            with cache.open("rb") as f:
                return pickle.load(f)
        result = compute(*args, **kwargs)
        with cache.open("wb") as f:
            pickle.dump(result, f, protocol=pickle.HIGHEST_PROTOCOL)
        return result

    return identity


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--inputs", type=Path, help="a benchmarks/synthetic.py output folder")
    where.add_argument("--shared", type=Path, help="the shared real data folder")
    parser.add_argument("--openalex", action="store_true",
                        help="with --shared: also the OpenAlex works and topic table")
    parser.add_argument("--out", type=Path, required=True, help="graph folder to build into")
    parser.add_argument("--identity-cache", type=Path, help="pickle of identity's result")
    parser.add_argument("--json", type=Path, help="write the profile here too")
    args = parser.parse_args(argv)
    sources = (synthetic_sources(args.inputs) if args.inputs
               else shared_sources(args.shared, openalex=args.openalex))
    if args.identity_cache:
        builder._identity = _cached_identity(args.identity_cache)
    stages = _Stages()
    logging.getLogger("ttkg").addHandler(stages)
    logging.getLogger("ttkg").setLevel(logging.INFO)
    load = load_average()
    wall, cpu = time.perf_counter(), time.process_time()
    result = builder.build_graph(sources, args.out)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    usage = resource.getrusage(resource.RUSAGE_SELF)
    # forked identity workers (`TTKG_IDENTITY_WORKERS`): their CPU is not this process's
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = {
        "graph": str(result.path),
        "wall_s": round(wall, 1),
        "cpu_s": round(cpu, 1),
        "user_s": round(usage.ru_utime, 1),
        "sys_s": round(usage.ru_stime, 1),
        "workers_cpu_s": round(children.ru_utime + children.ru_stime, 1),
        # the stages reset the kernel's high-water mark: ru_maxrss is the last stage's
        "peak_rss_mb": round(max(usage.ru_maxrss / 1024, result.peak_rss_mb or 0)),
        "load_average": [load, load_average()],
        "identity_cached": bool(args.identity_cache),
        "stages": stages.rows,
    }
    print(f"{'stage':28} {'wall s':>8} {'CPU s':>8} {'peak RSS MB':>12}")
    for r in stages.rows:
        print(f"{r['stage']:28} {r['wall_s']:8.1f} {r['cpu_s']:8.1f} "
              f"{r['peak_rss_mb'] if r['peak_rss_mb'] is not None else '?':>12}")
    print(f"{'whole build':28} {out['wall_s']:8.1f} {out['cpu_s']:8.1f} "
          f"{out['peak_rss_mb']:>12}  (load average {out['load_average']})")
    print(f"{'  + forked workers, CPU':28} {'':8} {out['workers_cpu_s']:8.1f}")
    if args.json:
        args.json.write_text(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
