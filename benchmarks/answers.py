"""Answers of a fixed query mix over a graph, as JSON: run it with two versions of ttkg on
the same graph and compare the files (they must be identical).

    python benchmarks/answers.py --graph DIR --out answers.json

The mix is derived from the graph itself (its biggest organisations, every WIPO sector,
pairs of fields), so it runs on the sample, the shared data and synthetic graphs alike.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from ttkg.core.errors import TtkgError
from ttkg.graph.artifact import Artifact
from ttkg.graph.backends.memory.backend import MemoryBackend
from ttkg.queries.bridges import bridges
from ttkg.queries.common import make_filters
from ttkg.queries.entity import entity_detail
from ttkg.queries.partners import partners
from ttkg.queries.paths import paths
from ttkg.queries.profile import field_profile
from ttkg.queries.resolve import search

FIELD_PAIRS = [("8", "9"), ("6", "7"), ("16", "15"), ("1", "3"), ("24", "32"), ("10", "13")]


def _biggest_orgs(graph: Path, n: int) -> list[str]:
    art = Artifact.open(graph)
    path = art.path / "nodes" / "Organization.parquet"
    table = pq.read_table(path, columns=["id", "patent_count"])
    rows = sorted(
        (r for r in table.to_pylist() if r["patent_count"]),
        key=lambda r: (-r["patent_count"], r["id"]),
    )
    return [r["id"] for r in rows[:n]]


def _names(graph: Path, ids: list[str]) -> list[str]:
    """The names of some organisations, in the order of `ids`."""
    art = Artifact.open(graph)
    table = pq.read_table(art.path / "nodes" / "Organization.parquet", columns=["id", "name"])
    name = dict(zip(table.column("id").to_pylist(), table.column("name").to_pylist(),
                    strict=True))
    return [name[i] for i in ids if len(name[i] or "") > 6]


def answers(graph: Path) -> dict[str, Any]:
    """Every answer of the mix, JSON-ready (errors recorded as their type and message)."""
    backend = MemoryBackend.open(graph)
    orgs = _biggest_orgs(graph, 12)
    out: dict[str, Any] = {}

    def put(key: str, compute: Any) -> None:
        try:
            out[key] = compute().model_dump(mode="json")
        except TtkgError as exc:
            out[key] = {"error": type(exc).__name__, "detail": str(exc)}

    for a, b in FIELD_PAIRS:
        put(f"bridges {a} {b}", lambda a=a, b=b: bridges(backend, a, b, limit=25, evidence=3))
        put(
            f"bridges {a} {b} 2010-2020 university/company",
            lambda a=a, b=b: bridges(
                backend,
                a,
                b,
                make_filters("2010-2020", kind="university", partner_kind="company"),
                limit=25,
                evidence=3,
            ),
        )
    us = make_filters(country="US")
    put("bridges H01L G02B US", lambda: bridges(backend, "H01L", "G02B", us))
    for org in orgs:
        put(f"partners {org}", lambda org=org: partners(backend, org, limit=25, evidence=3))
        put(f"show {org}", lambda org=org: entity_detail(backend, org))
    for f in ("Semiconductors", "Electrical engineering", "H01M", "G06N"):
        put(f"profile {f}", lambda f=f: field_profile(backend, f))
    # year-filtered profiles: a sector's half of the patents, fields, CPC subclasses
    for f in ("wipo:sector:1", "wipo:sector:3", "Semiconductors", "16", "H01L", "G06F", "B41J"):
        for years in ("1995-", "2005-", "1976-1990"):
            put(f"profile {f} {years}",
                lambda f=f, years=years: field_profile(backend, f, make_filters(years)))
    put("profile wipo:sector:2 2000- family", lambda: field_profile(
        backend, "wipo:sector:2", make_filters("2000-", level="family")))
    for x, y in zip(orgs, orgs[1:] + orgs[:1], strict=True):
        put(f"paths {x} {y}", lambda x=x, y=y: paths(backend, x, y, k=3, evidence=2))
    put("paths org field", lambda: paths(backend, orgs[0], "Optics", k=3, evidence=2))
    put("paths org country", lambda: paths(backend, orgs[1], "DE", k=3, evidence=2))
    # typed names, a letter dropped or changed (fuzzy matches), as clients send them
    typed = [n[:len(n) // 2] + n[len(n) // 2 + 1:] for n in _names(graph, orgs)]
    typed += [n[:-2] + "xy" for n in _names(graph, orgs[:4])]
    for q in ("universit", "Samsung", "tsinghua univ", "Optics", "NO", *typed):
        put(f"search {q}", lambda q=q: search(backend, q))
    backend.close()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--graph", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    found = answers(args.graph)
    args.out.write_text(json.dumps(found, indent=1, sort_keys=True))
    print(f"{len(found)} answers written to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
