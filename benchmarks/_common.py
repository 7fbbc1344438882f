"""Helpers shared by the benchmark scripts: timing with percentiles, memory of a process,
running a build in a child process and measuring it, and plain-text tables.

The scripts are run as files (`python benchmarks/build.py`), so this module puts the
project root on `sys.path` for them.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from ttkg.loaders.sources import SourcePaths  # noqa: E402

#: Where the scripts look for the shared real data when --shared is not given.
DEFAULT_SHARED = REPO_ROOT.parent / "shared" / "data"

GB = 1024**3
MB = 1024**2


# -- the machine -------------------------------------------------------------------------------


def load_average() -> tuple[float, float, float]:
    """1, 5 and 15 minute load averages (the machine is shared: say how busy it was)."""
    one, five, fifteen = os.getloadavg()
    return round(one, 2), round(five, 2), round(fifteen, 2)


def machine() -> dict[str, Any]:
    """What the numbers were measured on."""
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "load_average": load_average(),
    }


# -- memory of this process --------------------------------------------------------------------


def _status_kb(key: str) -> int:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"{key} not in /proc/self/status")


def rss_bytes() -> int:
    """Resident set size of this process now."""
    return _status_kb("VmRSS") * 1024


def peak_rss_bytes() -> int:
    """Highest resident set size this process reached so far."""
    return _status_kb("VmHWM") * 1024


# -- timing ------------------------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100) with linear interpolation between closest ranks."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    lo = int(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


@dataclass
class Timing:
    """Latencies of one repeated call, in milliseconds."""

    cold_ms: float  # the very first call (caches empty)
    p50_ms: float
    p99_ms: float
    mean_ms: float
    min_ms: float
    cpu_p50_ms: float  # process CPU time per call (less sensitive to a busy machine)
    runs: int
    samples_ms: list[float] = field(default_factory=list, repr=False)

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out.pop("samples_ms")
        return {k: round(v, 4) if isinstance(v, float) else v for k, v in out.items()}


def measure(call: Callable[[], T], repeat: int, warmup: int = 2) -> tuple[Timing, T]:
    """Time `call`: the first (cold) call, `warmup` more untimed calls, then `repeat` timed
    calls. Returns the timing and the last result."""
    clock = time.perf_counter
    t0 = clock()
    result = call()
    cold = (clock() - t0) * 1000
    for _ in range(warmup):
        call()
    samples: list[float] = []
    cpu: list[float] = []
    for _ in range(max(repeat, 1)):
        c0 = time.process_time()
        t0 = clock()
        result = call()
        samples.append((clock() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    return (
        Timing(
            cold_ms=cold,
            p50_ms=percentile(samples, 50),
            p99_ms=percentile(samples, 99),
            mean_ms=statistics.fmean(samples),
            min_ms=min(samples),
            cpu_p50_ms=percentile(cpu, 50),
            runs=len(samples),
            samples_ms=samples,
        ),
        result,
    )


# -- child processes ---------------------------------------------------------------------------


@dataclass
class Measured:
    """A finished child process: wall time, its own peak RSS, exit status and output."""

    wall_s: float
    max_rss_bytes: int
    user_s: float
    system_s: float
    returncode: int
    stdout: str
    stderr: str


def run_measured(argv: Sequence[str], cwd: Path | None = None) -> Measured:
    """Run a child process to completion and measure it with wait4(), which returns the
    resource usage of that one child (ru_maxrss is in kilobytes on Linux)."""
    out_path = Path(os.environ.get("TMPDIR", "/tmp")) / f"ttkg-bench-{os.getpid()}-{time.time_ns()}"
    with open(f"{out_path}.out", "w+b") as out, open(f"{out_path}.err", "w+b") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(list(argv), cwd=cwd, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
    for suffix in (".out", ".err"):
        Path(f"{out_path}{suffix}").unlink(missing_ok=True)
    return Measured(
        wall_s=wall,
        max_rss_bytes=usage.ru_maxrss * 1024,
        user_s=usage.ru_utime,
        system_s=usage.ru_stime,
        returncode=proc.returncode,
        stdout=stdout,
        stderr=stderr,
    )


_BUILD_CHILD = """
import json, logging, sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from ttkg.graph.build.builder import build_graph
from ttkg.loaders.sources import SourcePaths
logging.basicConfig(level=logging.WARNING)
src = SourcePaths(*(Path(p) for p in sys.argv[2:6]))
result = build_graph(src, Path(sys.argv[6]))
print(json.dumps({"path": str(result.path), "peak_rss_mb": result.peak_rss_mb}))
"""


def build_in_child(sources: SourcePaths, out: Path) -> tuple[Measured, Path]:
    """Build the graph in a fresh Python process (so its memory is its own) and measure it.
    Returns the measurement and the committed version folder."""
    argv = [
        sys.executable,
        "-c",
        _BUILD_CHILD,
        str(REPO_ROOT),
        str(sources.patentsview),
        str(sources.ror),
        str(sources.cpc),
        str(sources.wipo),
        str(out),
    ]
    m = run_measured(argv, cwd=REPO_ROOT)
    if m.returncode != 0:
        raise RuntimeError(f"build failed (exit {m.returncode}):\n{m.stderr[-4000:]}")
    said = json.loads(m.stdout.strip().splitlines()[-1])
    if said["peak_rss_mb"]:  # the build resets ru_maxrss per stage: its own peak is the max
        m = replace(m, max_rss_bytes=max(m.max_rss_bytes,
                                                     int(said["peak_rss_mb"] * 2**20)))
    return m, Path(said["path"])


def shared_sources(shared: Path, openalex: bool = False) -> SourcePaths:
    """The full real data under /work/shared/data (the CLI's `ttkg build --patentsview ...`);
    with `openalex`, its OpenAlex works and topic table too (`--openalex ...
    --openalex-topics ...`)."""
    sources = SourcePaths(
        patentsview=shared / "patentsview",
        ror=shared / "ror" / "ror-data-sample.zip",
        cpc=shared / "cpc" / "CPCTitleList202505.zip",
        wipo=shared / "wipo" / "ipc_technology.csv",
        openalex=shared / "openalex" / "works" if openalex else None,
        openalex_topics=shared / "openalex" / "openalex_topics.csv" if openalex else None,
    )
    for p in (sources.patentsview, sources.ror, sources.cpc, sources.wipo,
              *((sources.openalex, sources.openalex_topics) if openalex else ())):
        if p is None or not p.exists():
            raise SystemExit(f"shared data not found: {p} (give --shared DIR)")
    return sources


def tree_bytes(path: Path) -> int:
    """Total size of the files under a folder."""
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


# -- output ------------------------------------------------------------------------------------


def fmt_bytes(n: float) -> str:
    if n >= GB:
        return f"{n / GB:.2f} GB"
    return f"{n / MB:.0f} MB"


def fmt_ms(ms: float) -> str:
    if ms >= 1000:
        return f"{ms / 1000:.2f} s"
    if ms >= 10:
        return f"{ms:.1f} ms"
    return f"{ms:.2f} ms"


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A plain left/right aligned text table (numbers right-aligned)."""
    cells = [[str(h) for h in headers]] + [[str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    numeric = [
        all(_looks_numeric(r[i]) for r in cells[1:]) if rows else False for i in range(len(headers))
    ]

    def line(r: list[str]) -> str:
        return "  ".join(
            c.rjust(w) if num else c.ljust(w) for c, w, num in zip(r, widths, numeric, strict=True)
        ).rstrip()

    sep = "  ".join("-" * w for w in widths)
    return "\n".join([line(cells[0]), sep, *(line(r) for r in cells[1:])])


def _looks_numeric(text: str) -> bool:
    t = text.replace(",", "").replace("×", "").split(" ")[0]
    try:
        float(t)
    except ValueError:
        return t in ("-", "")
    return True
