"""Query latency benchmark, next to plain networkx doing the same work (run on demand).

    python benchmarks/queries.py --shared ../shared/data [--synthetic-edges 1500000]
        [--repeat 50] [--baseline-repeat 5] [--only real|synthetic] [--json] [--profile]

For (a) the graph built from the full shared real data and (b) a SYNTHETIC graph of about
`--synthetic-edges` stored edges (benchmarks/synthetic.py; scale testing only), a fixed
query mix runs against the embedded backend: bridges for several field pairs with and without
year/kind filters, paths with evidence between organisations and from an organisation to a
field and to a country, partners, field profiles and search. Each query is timed cold (first
call), then after a warm-up `--repeat` times (p50, p99).

In the same run, plain networkx does the same work on a graph of the WHOLE artifact (patents,
organisations, fields, CPC classes, countries: every node and edge):

* bridges: a MultiDiGraph; for each organisation, walk its ASSIGNED_TO in-edges to its
  patents and their IN_FIELD / CLASSIFIED_AS out-edges, count its patents in field A and in
  field B (years and kinds filtered), then rank as the backend does. Its answer (total and
  first page) is compared with ours. A second, smarter plain traversal that starts from the
  two fields ("field-first") is timed too, for reference.
* paths: `nx.shortest_path` over the undirected MultiGraph of the whole artifact between the
  same two end points (one path, no evidence; ours returns k=3 paths with evidence). As the
  second baseline ("2nd base", "vs 2nd"), the work ours does: the k=3 shortest simple paths
  of the whole graph (`nx.shortest_simple_paths`, Yen's algorithm, on its simple Graph),
  whose patent nodes are their evidence. For bridges the second baseline is the field-first
  traversal.

Targets (on the ~1.5M-edge synthetic graph): bridges p50 <= 1 ms and >= 100x the plain
per-organisation traversal; paths with evidence p50 <= 5 ms and >= 10x nx.shortest_path.

Built graphs are kept under --work (default /tmp/ttkg-bench-<user>) and reused while the
code of graph/ and loaders/ (and the generator, for the synthetic graph) is unchanged.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import getpass
import hashlib
import io
import itertools
import json
import pstats
import shutil
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a file: import from the project root, not from
    # benchmarks/ (whose queries.py would shadow the project's `queries` package)
    _here = Path(__file__).resolve().parent
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _here]
    sys.path.insert(0, str(_here.parent))

import networkx as nx

from benchmarks import synthetic
from benchmarks._common import (
    DEFAULT_SHARED,
    REPO_ROOT,
    Timing,
    build_in_child,
    fmt_bytes,
    fmt_ms,
    load_average,
    machine,
    measure,
    rss_bytes,
    shared_sources,
    table,
    verdict,
)
from ttkg.core.model import EdgeType, NodeLabel, country_id
from ttkg.graph.artifact import Artifact
from ttkg.graph.backends.contract import FieldSpec, Filters
from ttkg.graph.backends.memory.backend import MemoryBackend
from ttkg.loaders.sources import SourcePaths
from ttkg.queries.bridges import bridges
from ttkg.queries.partners import partners
from ttkg.queries.paths import paths
from ttkg.queries.profile import field_profile
from ttkg.queries.resolve import resolve_entity, resolve_field, search

TARGET_BRIDGES_MS = 1.0
TARGET_BRIDGES_SPEEDUP = 100.0
TARGET_PATHS_MS = 5.0
TARGET_PATHS_SPEEDUP = 10.0


# -- the query mix ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    """One query of the mix: what it is called, which function, and its arguments."""

    group: str  # bridges | paths | partners | profile | search
    name: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any] = field(default_factory=dict)


def _years(a: int | None, b: int | None) -> Filters:
    return Filters(year_from=a, year_to=b)


def _bridges_mix() -> list[Query]:
    """The bridges of both mixes: field names and CPC symbols mean the same on both graphs."""
    uni = Filters(kinds=frozenset({"university"}), partner_kinds=frozenset({"company"}))
    return [
        Query("bridges", "Semiconductors × Optics", ("Semiconductors", "Optics")),
        Query(
            "bridges",
            "Semiconductors × Optics, 2010-2020",
            ("Semiconductors", "Optics"),
            {"filters": _years(2010, 2020)},
        ),
        Query(
            "bridges",
            "Semiconductors × Optics, university×company",
            ("Semiconductors", "Optics"),
            {"filters": uni},
        ),
        Query("bridges", "Pharmaceuticals × Biotechnology", ("Pharmaceuticals", "wipo:field:15")),
        Query(
            "bridges",
            "Computer technology × Digital communication, 2015-2022",
            ("Computer technology", "Digital communication"),
            {"filters": _years(2015, 2022)},
        ),
        Query("bridges", "CPC H01L × G02B", ("H01L", "G02B")),
    ]


def real_mix() -> list[Query]:
    """The mix on the full shared real data (names resolve there, unambiguously)."""
    return [
        *_bridges_mix(),
        Query(
            "paths",
            "Tsinghua University → Samsung Display",
            ("Tsinghua University", "Samsung Display"),
        ),
        Query(
            "paths", "MIT → Intel", ("Massachusetts Institute of Technology", "Intel Corporation")
        ),
        Query(
            "paths",
            "Univ. of California → Seiko Epson",
            ("The Regents of the University of California", "Seiko Epson Corporation"),
        ),
        Query(
            "paths", "Tsinghua University → Optics (org→field)", ("Tsinghua University", "Optics")
        ),
        Query("paths", "Samsung Display → DE (org→country)", ("Samsung Display", "DE")),
        Query("paths", "Tsinghua University → JP (org→country)", ("Tsinghua University", "JP")),
        Query("partners", "partners of Samsung Display", ("Samsung Display",)),
        Query(
            "partners",
            "partners of Tsinghua University in Semiconductors",
            ("Tsinghua University", "Semiconductors"),
        ),
        Query("profile", "profile Semiconductors", ("Semiconductors",)),
        Query("profile", "profile Optics, 2010-2020", ("Optics",), {"filters": _years(2010, 2020)}),
        Query("search", "search 'Tsinghua'", ("Tsinghua",)),
        Query("search", "search 'samsung disp' (prefix)", ("samsung disp",)),
        Query("search", "search 'Samsung Displai' (fuzzy)", ("Samsung Displai",)),
    ]


def synthetic_mix(artifact: Artifact) -> list[Query]:
    """The same mix on the synthetic graph; organisations picked by rank from the artifact
    (by id: invented names carry no meaning)."""
    orgs = artifact.nodes(
        NodeLabel.ORGANIZATION, columns=["id", "name", "kind", "country", "patent_count"]
    ).to_pylist()
    ranked: list[dict[str, Any]] = sorted(orgs, key=lambda o: (-(o["patent_count"] or 0), o["id"]))

    def pick(kind: str, country: str | None = None, nth: int = 0) -> dict[str, Any]:
        found = [
            o for o in ranked if o["kind"] == kind and (country is None or o["country"] == country)
        ]
        return found[min(nth, len(found) - 1)] if found else ranked[nth]

    uni_cn, com_kr = pick("university", "CN"), pick("company", "KR")
    uni_top, com_top = pick("university"), pick("company")
    uni_mid, com_mid = pick("university", nth=50), pick("company", nth=200)
    other = "DE" if com_mid["country"] != "DE" else "JP"
    return [
        *_bridges_mix(),
        Query("paths", "top CN university → top KR company", (uni_cn["id"], com_kr["id"])),
        Query("paths", "top university → top company", (uni_top["id"], com_top["id"])),
        Query("paths", "50th university → 200th company", (uni_mid["id"], com_mid["id"])),
        Query("paths", "top CN university → Optics (org→field)", (uni_cn["id"], "Optics")),
        # by node id: the invented organisations have acronyms such as "DE" among their aliases
        Query(
            "paths", f"200th company → {other} (org→country)", (com_mid["id"], country_id(other))
        ),
        Query("paths", "top CN university → JP (org→country)", (uni_cn["id"], country_id("JP"))),
        Query("partners", "partners of the top KR company", (com_kr["id"],)),
        Query(
            "partners",
            "partners of the top CN university in Semiconductors",
            (uni_cn["id"], "Semiconductors"),
        ),
        Query("profile", "profile Semiconductors", ("Semiconductors",)),
        Query("profile", "profile Optics, 2010-2020", ("Optics",), {"filters": _years(2010, 2020)}),
        Query("search", "search a name's first word", (com_kr["name"].split()[0],)),
        Query("search", "search a name prefix", (com_kr["name"][:8].lower(),)),
        Query("search", "search a misspelt name (fuzzy)", (_typo(com_top["name"]),)),
    ]


def _typo(name: str) -> str:
    """The name with two letters swapped in its first word (a fuzzy-search probe)."""
    i = min(3, max(len(name) - 2, 0))
    return name[:i] + name[i + 1 : i + 2] + name[i : i + 1] + name[i + 2 :]


_RUN: dict[str, Callable[..., object]] = {
    "bridges": bridges,
    "paths": paths,
    "partners": partners,
    "profile": field_profile,
    "search": search,
}


def _call(backend: MemoryBackend, q: Query) -> Callable[[], object]:
    fn = _RUN[q.group]
    return lambda: fn(backend, *q.args, **q.kwargs)


# -- plain networkx baselines -----------------------------------------------------------------


def whole_graph(artifact: Artifact, directed: bool) -> nx.MultiGraph:
    """Every node and edge of the artifact as networkx (edge key = edge type). Nodes carry
    the attributes the plain traversals read: label, patent year, organisation kind/country."""
    g: nx.MultiGraph = nx.MultiDiGraph() if directed else nx.MultiGraph()
    for label in NodeLabel:
        cols = {
            NodeLabel.PATENT: ["id", "year"],
            NodeLabel.ORGANIZATION: ["id", "kind", "country"],
        }.get(label, ["id"])
        t = artifact.nodes(label, columns=cols)
        ids = t.column("id").to_pylist()
        extra = {c: t.column(c).to_pylist() for c in cols if c != "id"}
        g.add_nodes_from(
            (n, {"label": label.value, **{c: v[i] for c, v in extra.items()}})
            for i, n in enumerate(ids)
        )
    for etype in EdgeType:
        t = artifact.edges(etype, columns=["src", "dst"])
        g.add_edges_from(
            zip(
                t.column("src").to_pylist(),
                t.column("dst").to_pylist(),
                [etype.value] * t.num_rows,
                strict=True,
            )
        )
    return g


def _year_ok(filters: Filters) -> Callable[[int | None], bool]:
    lo, hi = filters.year_from, filters.year_to

    def ok(year: int | None) -> bool:
        if lo is None and hi is None:
            return True
        if year is None:
            return False
        return (lo is None or year >= lo) and (hi is None or year <= hi)

    return ok


def _patent_in(g: nx.MultiDiGraph, spec: FieldSpec) -> Callable[[str], bool]:
    """Whether a patent is in the selection, by walking its out-edges."""
    if spec.kind == "wipo_field":
        target = spec.node_id
        return lambda p: any(
            k == "IN_FIELD" and v == target for _, v, k in g.out_edges(p, keys=True)
        )
    if spec.kind == "cpc" and len(spec.value) == 4:
        prefix = "cpc:" + spec.value
        return lambda p: any(
            k == "CLASSIFIED_AS" and v.startswith(prefix) for _, v, k in g.out_edges(p, keys=True)
        )
    raise ValueError(f"no plain traversal for selection {spec}")


def nx_bridges_per_org(
    g: nx.MultiDiGraph,
    orgs: list[str],
    a: FieldSpec,
    b: FieldSpec,
    filters: Filters,
    limit: int = 10,
) -> tuple[int, list[tuple[str, int, int]]]:
    """For each organisation: walk to its patents, count those in A and in B, then rank."""
    in_a, in_b, year_ok = _patent_in(g, a), _patent_in(g, b), _year_ok(filters)
    nodes = g.nodes
    found = []
    for o in orgs:
        attrs = nodes[o]
        if filters.kinds and attrs["kind"] not in filters.kinds:
            continue
        if filters.countries and attrs["country"] not in filters.countries:
            continue
        ca = cb = 0
        for p, _, k in g.in_edges(o, keys=True):
            if k != "ASSIGNED_TO" or not year_ok(nodes[p]["year"]):
                continue
            ca += in_a(p)
            cb += in_b(p)
        if ca and cb:
            found.append((o, ca, cb))
    found.sort(key=lambda t: (-min(t[1], t[2]), -(t[1] + t[2]), t[0]))
    return len(found), found[:limit]


def _selection_patents(g: nx.MultiDiGraph, spec: FieldSpec) -> Iterable[str]:
    if spec.kind == "wipo_field":
        return (
            p
            for p, _, k in g.in_edges(spec.node_id, keys=True)
            if k == "IN_FIELD" and g.nodes[p]["label"] == "Patent"
        )
    # a CPC symbol: it and its descendants (BROADER points child -> parent), then patents
    classes, frontier = {spec.node_id}, [spec.node_id]
    while frontier:
        frontier = [c for n in frontier for c, _, k in g.in_edges(n, keys=True) if k == "BROADER"]
        classes.update(frontier)
    return {p for c in classes for p, _, k in g.in_edges(c, keys=True) if k == "CLASSIFIED_AS"}


def nx_bridges_field_first(
    g: nx.MultiDiGraph, a: FieldSpec, b: FieldSpec, filters: Filters, limit: int = 10
) -> tuple[int, list[tuple[str, int, int]]]:
    """From each field: walk to its patents, then to their organisations; count and rank."""
    year_ok, nodes = _year_ok(filters), g.nodes

    def counts(spec: FieldSpec) -> Counter[str]:
        c: Counter[str] = Counter()
        for p in _selection_patents(g, spec):
            if year_ok(nodes[p]["year"]):
                c.update(o for _, o, k in g.out_edges(p, keys=True) if k == "ASSIGNED_TO")
        return c

    ca, cb = counts(a), counts(b)
    found = []
    for o in ca.keys() & cb.keys():
        attrs = nodes[o]
        if filters.kinds and attrs["kind"] not in filters.kinds:
            continue
        if filters.countries and attrs["country"] not in filters.countries:
            continue
        found.append((o, ca[o], cb[o]))
    found.sort(key=lambda t: (-min(t[1], t[2]), -(t[1] + t[2]), t[0]))
    return len(found), found[:limit]


# -- running ----------------------------------------------------------------------------------


@dataclass
class Row:
    """Measurements of one query."""

    query: Query
    ours: Timing
    primitive: Timing | None = None  # the backend call alone (direct_bridges)
    baseline: Timing | None = None  # per-organisation traversal / nx.shortest_path
    field_first: Timing | None = None
    k_paths: Timing | None = None  # nx k shortest simple paths (Yen), k as ours
    same_answer: bool | None = None
    note: str = ""

    def speedup(self) -> float | None:
        if self.baseline is None:
            return None
        return self.baseline.p50_ms / max(self.ours.p50_ms, 1e-9)

    def second(self) -> Timing | None:
        """The second baseline: field-first traversal (bridges), k shortest paths (paths)."""
        return self.field_first or self.k_paths

    def second_speedup(self) -> float | None:
        t = self.second()
        return None if t is None else t.p50_ms / max(self.ours.p50_ms, 1e-9)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "group": self.query.group,
            "query": self.query.name,
            "args": [str(a) for a in self.query.args],
            "ours": self.ours.as_dict(),
        }
        for name in ("primitive", "baseline", "field_first", "k_paths"):
            t = getattr(self, name)
            if t is not None:
                out[name] = t.as_dict()
        if self.baseline is not None:
            out["speedup_p50"] = round(self.speedup() or 0.0, 1)
        if self.second() is not None:
            out["second_speedup_p50"] = round(self.second_speedup() or 0.0, 1)
        if self.same_answer is not None:
            out["same_answer"] = self.same_answer
        if self.note:
            out["note"] = self.note
        return out


def _code_hash(extra: Sequence[Path] = ()) -> str:
    h = hashlib.sha256()
    for folder in ("graph", "loaders", "ttkg/core"):
        for p in sorted((REPO_ROOT / folder).rglob("*.py")):
            h.update(p.relative_to(REPO_ROOT).as_posix().encode())
            h.update(p.read_bytes())
    for p in extra:
        h.update(p.read_bytes())
    return h.hexdigest()[:16]


def ensure_graph(
    name: str, work: Path, stamp: str, make_sources: Callable[[], SourcePaths], rebuild: bool
) -> tuple[Path, float | None]:
    """The graph dir of `name` under `work`, built (in a child process) unless a build with
    the same stamp is there. Returns the dir and the build wall time (None when reused)."""
    root = work / name
    graph_dir, stamp_file = root / "graph", root / "STAMP"
    if not rebuild and stamp_file.exists() and stamp_file.read_text() == stamp:
        try:
            Artifact.open(graph_dir)
            return graph_dir, None
        except Exception:  # a stale or broken artifact: build again
            pass
    shutil.rmtree(graph_dir, ignore_errors=True)
    sources = make_sources()
    measured, _ = build_in_child(sources, graph_dir)
    stamp_file.write_text(stamp)
    return graph_dir, measured.wall_s


def run_graph(
    name: str,
    graph_dir: Path,
    mix: Callable[[Artifact], list[Query]],
    repeat: int,
    baseline_repeat: int,
    baselines: bool,
    profile: bool,
) -> dict[str, Any]:
    """Time the mix on one graph, then the plain networkx baselines."""
    artifact = Artifact.open(graph_dir)
    rss0 = rss_bytes()
    backend = MemoryBackend(artifact)
    t0 = time.perf_counter()
    _ = backend.entity_graph
    entity_s = time.perf_counter() - t0
    queries = mix(artifact)
    info: dict[str, Any] = {
        "graph": name,
        "artifact": str(artifact.path),
        "nodes": sum(artifact.manifest["nodes"].values()),
        "edges": sum(artifact.manifest["edges"].values()),
        "edges_by_type": artifact.manifest["edges"],
        "load_s": backend.load_seconds,
        "entity_graph_s": entity_s,
        "backend_rss": rss_bytes() - rss0,  # misleading after a first graph: memory is reused
        "process_rss": rss_bytes(),
        "load_average_start": load_average(),
    }
    rows: list[Row] = []
    for q in queries:
        ours, _ = measure(_call(backend, q), repeat)
        row = Row(q, ours)
        if q.group == "bridges":
            a, b = resolve_field(backend, q.args[0]), resolve_field(backend, q.args[1])
            filters = q.kwargs.get("filters", Filters())
            row.primitive, _ = measure(
                partial(backend.direct_bridges, a, b, filters, 1, 0, 10), repeat
            )
        rows.append(row)
    profiles = _profile(backend, queries) if profile else {}

    if baselines:
        _bridges_baselines(backend, artifact, rows, baseline_repeat, info)
        _paths_baselines(backend, artifact, rows, baseline_repeat, info)
    info["load_average_end"] = load_average()
    info["queries"] = [r.as_dict() for r in rows]
    if profiles:
        info["profiles"] = profiles
    info["_rows"] = rows
    backend.close()
    return info


def _bridges_baselines(
    backend: MemoryBackend,
    artifact: Artifact,
    rows: list[Row],
    repeat: int,
    info: dict[str, Any],
) -> None:
    gc.collect()
    t0, rss0 = time.perf_counter(), rss_bytes()
    g = whole_graph(artifact, directed=True)
    info["nx_digraph"] = {
        "build_s": time.perf_counter() - t0,
        "rss": rss_bytes() - rss0,
        "process_rss": rss_bytes(),
        "nodes": g.number_of_nodes(),
        "edges": g.number_of_edges(),
    }
    orgs = [n for n, lab in g.nodes(data="label") if lab == "Organization"]
    for row in rows:
        if row.query.group != "bridges":
            continue
        a = resolve_field(backend, row.query.args[0])
        b = resolve_field(backend, row.query.args[1])
        filters = row.query.kwargs.get("filters", Filters())
        row.baseline, plain = measure(
            partial(nx_bridges_per_org, g, orgs, a, b, filters), repeat, warmup=1
        )
        row.field_first, smart = measure(
            partial(nx_bridges_field_first, g, a, b, filters), repeat, warmup=1
        )
        mine = backend.direct_bridges(a, b, filters, 1, 0, 10)
        row.same_answer = plain == mine and smart == mine
        if not row.same_answer:
            row.note = f"plain {plain[0]} vs ours {mine[0]} organisations"


def _paths_baselines(
    backend: MemoryBackend,
    artifact: Artifact,
    rows: list[Row],
    repeat: int,
    info: dict[str, Any],
) -> None:
    gc.collect()
    t0, rss0 = time.perf_counter(), rss_bytes()
    ug = whole_graph(artifact, directed=False)
    info["nx_graph"] = {
        "build_s": time.perf_counter() - t0,
        "rss": rss_bytes() - rss0,
        "process_rss": rss_bytes(),
        "nodes": ug.number_of_nodes(),
        "edges": ug.number_of_edges(),
    }
    t0 = time.perf_counter()
    simple = nx.Graph(ug)  # Yen's algorithm needs a simple graph
    info["nx_graph"]["simple_build_s"] = time.perf_counter() - t0
    for row in rows:
        if row.query.group != "paths":
            continue
        src = resolve_entity(backend, row.query.args[0]).id
        dst = resolve_entity(backend, row.query.args[1]).id
        row.baseline, found = measure(partial(nx.shortest_path, ug, src, dst), repeat, warmup=1)
        k = row.query.kwargs.get("k", 3)
        row.k_paths, _ = measure(partial(_nx_k_paths, simple, src, dst, k), repeat, warmup=1)
        ours = _call(backend, row.query)()
        lengths = sorted({p.length for p in ours.paths})  # type: ignore[attr-defined]
        plain = found if isinstance(found, list) else []
        row.note = (
            f"ours: {len(ours.paths)} path(s) of {lengths} hops with evidence; "  # type: ignore[attr-defined]
            f"nx: 1 path of {len(plain) - 1} hops via {', '.join(plain[1:-1])}"
        )


def _nx_k_paths(g: nx.Graph, src: str, dst: str, k: int) -> list[list[str]]:
    """The k shortest simple paths of the whole graph (patents included), as networkx finds
    them (Yen's algorithm): the plain counterpart of our k paths."""
    return list(itertools.islice(nx.shortest_simple_paths(g, src, dst), k))


def _profile(backend: MemoryBackend, queries: list[Query], runs: int = 5) -> dict[str, str]:
    """cProfile of each query group (warm, `runs` calls per query): the top functions."""
    out: dict[str, str] = {}
    for group in dict.fromkeys(q.group for q in queries):
        prof = cProfile.Profile()
        calls = [_call(backend, q) for q in queries if q.group == group]
        for c in calls:
            c()
        prof.enable()
        for _ in range(runs):
            for c in calls:
                c()
        prof.disable()
        buf = io.StringIO()
        stats = pstats.Stats(prof, stream=buf)
        stats.sort_stats("tottime").print_stats(14)
        out[group] = buf.getvalue()
    return out


# -- output -----------------------------------------------------------------------------------


def _target(row: Row, synthetic_graph: bool) -> str:
    g = row.query.group
    if g not in ("bridges", "paths"):
        return ""
    ms, x = (
        (TARGET_BRIDGES_MS, TARGET_BRIDGES_SPEEDUP)
        if g == "bridges"
        else (TARGET_PATHS_MS, TARGET_PATHS_SPEEDUP)
    )
    speed = row.speedup()
    parts = [f"p50 {verdict(row.ours.p50_ms <= ms)}"]
    if speed is not None:
        parts.append(f"{x:.0f}× {verdict(speed >= x)}")
    return ", ".join(parts) + ("" if synthetic_graph else " (real)")


def report(results: list[dict[str, Any]], args: argparse.Namespace) -> str:
    lines = [
        "ttkg query benchmark: embedded backend vs plain networkx (same run)",
        f"repeat {args.repeat} (after a cold call and 2 warm-ups); baselines repeat "
        f"{args.baseline_repeat}; times are per call",
        f"targets on the ~1.5M-edge synthetic graph: bridges p50 <= {TARGET_BRIDGES_MS} ms and "
        f">= {TARGET_BRIDGES_SPEEDUP:.0f}× plain; paths p50 <= {TARGET_PATHS_MS} ms and "
        f">= {TARGET_PATHS_SPEEDUP:.0f}× nx.shortest_path",
    ]
    for r in results:
        syn = r["graph"].startswith("synthetic")
        lines += [
            "",
            f"== {r['graph']}: {r['nodes']:,} nodes, {r['edges']:,} stored edges"
            + (" (SYNTHETIC, scale test only)" if syn else " (real)"),
            f"load {r['load_s']:.2f} s, entity graph {r['entity_graph_s']:.2f} s, process RSS "
            f"{fmt_bytes(r['process_rss'])}; load average {r['load_average_start']} -> "
            f"{r['load_average_end']}",
        ]
        for key, what in (("nx_digraph", "nx MultiDiGraph"), ("nx_graph", "nx MultiGraph")):
            if key in r:
                n = r[key]
                lines.append(
                    f"{what} of the whole artifact: {n['nodes']:,} nodes, {n['edges']:,} edges, "
                    f"built in {n['build_s']:.1f} s; RSS {fmt_bytes(n['rss'])} more, "
                    f"{fmt_bytes(n['process_rss'])} in all (freed memory is reused)"
                )
        body = []
        for row in r["_rows"]:
            sp, sp2, second = row.speedup(), row.second_speedup(), row.second()
            body.append(
                (
                    row.query.group,
                    row.query.name,
                    fmt_ms(row.ours.cold_ms),
                    fmt_ms(row.ours.p50_ms),
                    fmt_ms(row.ours.p99_ms),
                    fmt_ms(row.ours.cpu_p50_ms),
                    fmt_ms(row.primitive.p50_ms) if row.primitive else "",
                    fmt_ms(row.baseline.p50_ms) if row.baseline else "",
                    fmt_ms(second.p50_ms) if second else "",
                    f"{sp:,.0f}×" if sp is not None else "",
                    f"{sp2:,.0f}×" if sp2 is not None else "",
                    "" if row.same_answer is None else ("yes" if row.same_answer else "NO"),
                    _target(row, syn),
                )
            )
        lines.append("")
        lines.append(
            table(
                (
                    "group",
                    "query",
                    "cold",
                    "p50",
                    "p99",
                    "p50 cpu",
                    "backend p50",
                    "plain nx p50",
                    "2nd base p50",
                    "speedup",
                    "vs 2nd",
                    "same",
                    "targets",
                ),
                body,
            )
        )
        notes = [f"  {row.query.name}: {row.note}" for row in r["_rows"] if row.note]
        if notes:
            lines += ["", "notes:", *notes]
        for group, text in r.get("profiles", {}).items():
            lines += ["", f"-- cProfile, {group} (warm, tottime) --", text.strip()]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="shared real data")
    parser.add_argument(
        "--synthetic-edges",
        type=int,
        default=synthetic.DEFAULT_EDGES,
        help="stored edges of the synthetic graph (0: skip it)",
    )
    parser.add_argument("--seed", type=int, default=synthetic.DEFAULT_SEED)
    parser.add_argument("--repeat", type=int, default=50, help="timed calls per query")
    parser.add_argument("--baseline-repeat", type=int, default=5, help="timed plain nx calls")
    parser.add_argument("--only", choices=("real", "synthetic"))
    parser.add_argument("--no-baselines", action="store_true", help="skip plain networkx")
    parser.add_argument("--profile", action="store_true", help="cProfile each query group")
    parser.add_argument("--work", type=Path, default=Path(f"/tmp/ttkg-bench-{getpass.getuser()}"))
    parser.add_argument("--rebuild", action="store_true", help="build the graphs again")
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")
    parser.add_argument("--json-out", type=Path, help="also write the JSON to this file")
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    started = load_average()

    plan: list[tuple[str, Path, Callable[[Artifact], list[Query]]]] = []
    builds: dict[str, float | None] = {}
    if args.only != "synthetic":
        real_dir, builds["real"] = ensure_graph(
            "real", args.work, _code_hash(), lambda: shared_sources(args.shared), args.rebuild
        )
        plan.append(("real", real_dir, lambda _a: real_mix()))
    if args.only != "real" and args.synthetic_edges > 0:
        name = f"synthetic-{args.synthetic_edges}-seed{args.seed}"
        cpc, concordance, freq = synthetic.inputs_from(args.shared)

        def make() -> SourcePaths:
            return synthetic.generate(
                args.work / name / "inputs",
                edges=args.synthetic_edges,
                seed=args.seed,
                cpc=cpc,
                concordance=concordance,
                cpc_frequencies=freq,
            ).sources

        stamp = _code_hash([Path(synthetic.__file__)])
        syn_dir, builds[name] = ensure_graph(name, args.work, stamp, make, args.rebuild)
        plan.append((name, syn_dir, synthetic_mix))

    results = []
    for n, d, m in plan:
        results.append(
            run_graph(
                n, d, m, args.repeat, args.baseline_repeat, not args.no_baselines, args.profile
            )
        )
        gc.collect()  # the previous graph's backend and networkx graphs
    doc = {
        "machine": machine(),
        "load_average_start": started,
        "build_wall_s": builds,
        "repeat": args.repeat,
        "baseline_repeat": args.baseline_repeat,
        "graphs": [{k: v for k, v in r.items() if k != "_rows"} for r in results],
    }
    if args.json_out:
        args.json_out.write_text(json.dumps(doc, indent=1, ensure_ascii=False), encoding="utf-8")
    if args.json:
        print(json.dumps(doc, indent=1, ensure_ascii=False))
    else:
        host = doc["machine"]
        print(
            f"machine: {host['cpus']} CPUs, Python {host['python']}; "
            f"load average at start {started}"
        )
        print(report(results, args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
