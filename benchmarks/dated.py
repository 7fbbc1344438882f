"""Year-filtered profiles and bridges on two graphs of the same data: the answers must be
identical, and the CPU of each says what the stored counts by grant year save.

    python benchmarks/dated.py GRAPH_A GRAPH_B [--json]

Run it on a graph whose `index/bridges/` holds `dated_counts` (format 2) and on the same graph
with an older folder (format 1, or none): both answer every query of the mix (WIPO fields,
sectors, CPC sections, a CPC subclass that is never stored; open and closed year ranges,
with and without organisation filters), the graphs in turn, each query once in the same
process (the first call of a year range: what the API meets, its selection cache missing).
Prints each query's CPU ms on both, how many items its answer lists (organisations,
countries, fields, bridges), and exits 1 when an answer differs.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a file: the project root first (see synthetic.py)
    _here = Path(__file__).resolve().parent
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _here]
    sys.path.insert(0, str(_here.parent))

from benchmarks._common import load_average
from ttkg.graph.backends.contract import GraphBackend
from ttkg.graph.backends.memory.backend import MemoryBackend
from ttkg.queries.bridges import bridges
from ttkg.queries.common import make_filters
from ttkg.queries.profile import field_profile

Query = tuple[str, Callable[[GraphBackend], Any]]

# sectors by node id: "Chemistry" also names a research field
PROFILES = [
    ("Semiconductors", "2011-"), ("Computer technology", "1990-"),
    ("Pharmaceuticals", "2015-"), ("Optics", "2005-2010"), ("Digital communication", "2021-2021"),
    ("Medical technology", "-2000"), ("wipo:sector:1", "2011-"), ("wipo:sector:3", "1995-"),
    ("wipo:sector:2", "2008-2014"), ("wipo:sector:4", "2016-"), ("wipo:sector:5", "-1999"),
    ("H", "2011-"), ("G", "1990-"), ("A", "2003-2012"), ("C", "2018-"), ("Y", "-2005"),
    ("H01L", "2011-"),
]
BRIDGES = [
    ("Semiconductors", "Optics", "2008-2014", {}),
    ("Computer technology", "Digital communication", "2015-", {}),
    ("Pharmaceuticals", "wipo:field:15", "2000-2010", {"kind": "university"}),
    ("wipo:sector:1", "wipo:sector:2", "2011-", {}),
    ("wipo:sector:3", "Pharmaceuticals", "1998-2004", {"country": "US"}),
    ("H", "G", "2008-2014", {}),
    ("A", "Medical technology", "2016-", {"kind": "company"}),
    ("Semiconductors", "H", "-2005", {}),
    ("Optics", "Measurement", "2019-2019", {}),
    ("wipo:sector:4", "Y", "2012-", {}),
    ("Audio-visual technology", "Telecommunications", "1990-", {}),
    ("Computer technology", "G", "2008-2014", {"kind": "university", "partner_kind": "company"}),
    ("H01L", "Optics", "2011-", {}),
]


def _profile(field: str, years: str, backend: GraphBackend) -> Any:
    return field_profile(backend, field, make_filters(years), limit=10)


def _bridges(a: str, b: str, years: str, sides: dict[str, Any], backend: GraphBackend) -> Any:
    return bridges(backend, a, b, make_filters(years, **sides), limit=10, evidence=3)


def queries() -> list[Query]:
    out: list[Query] = [(f"profile {f} {y}", partial(_profile, f, y)) for f, y in PROFILES]
    out += [(f"bridges {a} x {b} {y} {s or ''}".rstrip(), partial(_bridges, a, b, y, s))
            for a, b, y, s in BRIDGES]
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("graph_a", type=Path)
    ap.add_argument("graph_b", type=Path)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    before = load_average()
    backends = [MemoryBackend.open(args.graph_a), MemoryBackend.open(args.graph_b)]
    rows, differ = [], 0
    for name, run in queries():
        answers, cpu = [], []
        for backend in backends:
            t = time.process_time()
            answers.append(run(backend).model_dump())
            cpu.append(round(1000 * (time.process_time() - t), 2))
        same = answers[0] == answers[1]
        differ += not same
        listed = sum(len(v) for v in answers[0].values() if isinstance(v, list))
        rows.append({"query": name, "cpu_ms": cpu, "same": same, "listed": listed})
    out = {"graphs": [str(args.graph_a), str(args.graph_b)], "queries": rows,
           "differ": differ, "load_average": [before, load_average()]}
    if args.json:
        print(json.dumps(out, indent=1))
    else:
        for r in rows:
            print(f"{r['query']:<70} {r['cpu_ms'][0]:>9.2f} {r['cpu_ms'][1]:>9.2f}"
                  f"  {'same' if r['same'] else 'DIFFERENT'} ({r['listed']} listed)")
        print(f"{len(rows)} queries, {differ} different; load average {before} -> "
              f"{load_average()}")
    return 1 if differ else 0


if __name__ == "__main__":
    raise SystemExit(main())
