"""Scale benchmark: one table for the real shared data and synthetic graphs of N patents.

For each graph: build (wall, CPU, peak RSS, artifact size), then in a fresh process: open
time, RSS after open, the warm-up a server does (`ttkg serve`: lazy pieces, then gc.freeze)
and the RSS after it and after the query mix, p50/p99 (CPU p50 beside) of every query; the CLI
end to end (`ttkg query bridges ...`); beside it, in the same run, plain networkx (where the
whole graph fits: `--nx-max` patents) and DuckDB (an embedded database of the field, over the
same Parquet tables) answering the same bridges and organisation-to-organisation paths.

    python benchmarks/scale.py --work /tmp/ttkg-scale [--shared DIR] [--patents 1000000 ...]

Synthetic inputs (`benchmarks/synthetic.py --patents N`, N/10 organisations) and graphs are
kept under --work and reused (`--rebuild` builds again). Numbers are for the README; no test
times anything.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import os
import shutil
import subprocess
import sys
import time
from functools import partial
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a file: the project root first (see synthetic.py)
    _here = Path(__file__).resolve().parent
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _here]
    sys.path.insert(0, str(_here.parent))

from benchmarks._common import (
    DEFAULT_SHARED,
    REPO_ROOT,
    build_in_child,
    fmt_bytes,
    load_average,
    measure,
    rss_bytes,
    run_measured,
    shared_sources,
    table,
    tree_bytes,
)
from ttkg.loaders.sources import SourcePaths

RUNS = 30


# -- the serving side, in a child process ------------------------------------------------------


def serve_child(graph: Path, kind: str, runs: int, nx_max: int) -> dict[str, Any]:
    """Open, run the mix, then the baselines; everything measured in this fresh process."""
    from benchmarks.queries import _call, real_mix, synthetic_mix
    from ttkg.core.errors import TtkgError
    from ttkg.graph.backends.memory.backend import MemoryBackend

    out: dict[str, Any] = {"rss_start": rss_bytes()}
    t0 = time.perf_counter()
    backend = MemoryBackend.open(graph)
    out["open_s"] = time.perf_counter() - t0
    out["rss_open"] = rss_bytes()
    # the mix runs as a server answers (`ttkg serve`, api/serving.py): the lazy pieces built
    # at warm-up, then everything alive frozen out of the garbage collector's sight; without
    # this, full collections over the warm-up's objects land inside the timed queries
    t0 = time.perf_counter()
    backend.warm_up()
    gc.collect()
    gc.freeze()
    out["warm_s"] = time.perf_counter() - t0
    out["rss_warm"] = rss_bytes()
    artifact = backend.index.artifact
    mix = real_mix() if kind == "real" else synthetic_mix(artifact)
    out["queries"] = {}
    for q in mix:
        try:
            timing, _ = measure(_call(backend, q), runs, warmup=1)
        except TtkgError as exc:  # a time budget exceeded is a result too
            out["queries"][f"{q.group}: {q.name}"] = (None, None, None)
            out.setdefault("errors", {})[f"{q.group}: {q.name}"] = type(exc).__name__
            continue
        out["queries"][f"{q.group}: {q.name}"] = (
            timing.cold_ms, timing.p50_ms, timing.p99_ms, timing.cpu_p50_ms
        )
    out["rss_mix"] = rss_bytes()
    patents = artifact.node_counts.get("Patent", 0)
    bridges_q = [q for q in mix if q.group == "bridges"][:2]
    paths_q = [q for q in mix if q.group == "paths"][:3]
    out["duckdb"] = _duckdb(backend, bridges_q, paths_q)
    out["nx"] = _nx(backend, bridges_q, paths_q) if patents <= nx_max else None
    backend.close()
    return out


def _specs(backend: Any, q: Any) -> tuple[Any, Any, Any]:
    from ttkg.graph.backends.contract import Filters
    from ttkg.queries.resolve import resolve_field

    filters = q.kwargs.get("filters", Filters())
    return resolve_field(backend, q.args[0]), resolve_field(backend, q.args[1]), filters


def _ends(backend: Any, q: Any) -> tuple[str, str]:
    from ttkg.queries.resolve import resolve_entity

    return resolve_entity(backend, q.args[0]).id, resolve_entity(backend, q.args[1]).id


def _duckdb(backend: Any, bridges_q: list[Any], paths_q: list[Any]) -> dict[str, Any] | None:
    """DuckDB over the artifact's Parquet: direct bridges of WIPO fields (SQL join and group)
    and the shortest co-ownership paths (up to 3 hops) between two organisations."""
    try:
        import duckdb
    except ImportError:
        return None
    path = backend.index.artifact.path
    con = duckdb.connect()
    con.execute("SET threads = 2")
    t0, rss0 = time.perf_counter(), rss_bytes()
    for name, file in (
        ("asg", "edges/ASSIGNED_TO"),
        ("inf", "edges/IN_FIELD"),
        ("pat", "nodes/Patent"),
    ):
        cols = "id, year" if name == "pat" else "src, dst"
        con.execute(f"CREATE TABLE {name} AS SELECT {cols} FROM '{path / file}.parquet'")
    con.execute(
        "CREATE TABLE co AS SELECT a.dst AS x, b.dst AS y, count(*) AS w FROM asg a"
        " JOIN asg b ON a.src = b.src AND a.dst <> b.dst GROUP BY 1, 2"
    )
    out: dict[str, Any] = {"load_s": time.perf_counter() - t0, "rss": rss_bytes() - rss0}
    sql = """
        WITH a AS (SELECT asg.dst o, count(*) n FROM asg JOIN inf ON inf.src = asg.src
                   JOIN pat ON pat.id = asg.src WHERE inf.dst = $fa AND pat.year BETWEEN $y0 AND $y1
                   GROUP BY 1),
             b AS (SELECT asg.dst o, count(*) n FROM asg JOIN inf ON inf.src = asg.src
                   JOIN pat ON pat.id = asg.src WHERE inf.dst = $fb AND pat.year BETWEEN $y0 AND $y1
                   GROUP BY 1)
        SELECT a.o, a.n, b.n FROM a JOIN b USING (o)
        ORDER BY least(a.n, b.n) DESC, a.n + b.n DESC, a.o LIMIT 10"""
    for q in bridges_q:
        a, b, f = _specs(backend, q)
        if a.kind != "wipo_field" or b.kind != "wipo_field" or f.org_filtered():
            continue
        params = {"fa": a.node_id, "fb": b.node_id, "y0": f.year_from or 0, "y1": f.year_to or 9999}
        timing, rows = measure(partial(_fetch, con, sql, params), 5, warmup=1)
        ours = backend.direct_bridges(a, b, f, 1, 0, 10)[1]
        same = [tuple(r) for r in rows] == ours
        out[f"bridges: {q.name}"] = (timing.p50_ms, same)
    paths_sql = """
        SELECT 1 h, $s, $t, NULL, NULL, w FROM co WHERE x = $s AND y = $t
        UNION ALL SELECT 2, $s, m.y, $t, NULL, least(m.w, n.w) FROM co m JOIN co n ON n.x = m.y
          WHERE m.x = $s AND n.y = $t
        UNION ALL SELECT 3, $s, m.y, n.y, $t, least(m.w, n.w, z.w) FROM co m
          JOIN co n ON n.x = m.y JOIN co z ON z.x = n.y
          WHERE m.x = $s AND z.y = $t AND n.y <> $s AND m.y <> $t
        ORDER BY 1, 6 DESC LIMIT 3"""
    for q in paths_q:
        s, t = _ends(backend, q)
        if not (s.startswith(("org:", "ror:")) and t.startswith(("org:", "ror:"))):
            continue
        timing, _ = measure(partial(_fetch, con, paths_sql, {"s": s, "t": t}), 5, 1)
        out[f"paths: {q.name}"] = (timing.p50_ms, None)
    con.close()
    return out


def _fetch(con: Any, sql: str, params: dict[str, Any]) -> list[Any]:
    rows: list[Any] = con.execute(sql, params).fetchall()
    return rows


def _k_paths(g: Any, s: str, t: str) -> list[Any]:
    import networkx as nx

    return list(itertools.islice(nx.shortest_simple_paths(g, s, t), 3))


def _nx(backend: Any, bridges_q: list[Any], paths_q: list[Any]) -> dict[str, Any]:
    """Plain networkx over the whole graph (patents included)."""
    import networkx as nx

    from benchmarks.queries import nx_bridges_field_first, whole_graph

    gc.collect()
    t0, rss0 = time.perf_counter(), rss_bytes()
    g = whole_graph(backend.index.artifact, directed=True)
    out: dict[str, Any] = {"load_s": time.perf_counter() - t0, "rss": rss_bytes() - rss0}
    for q in bridges_q:
        a, b, f = _specs(backend, q)
        timing, found = measure(partial(nx_bridges_field_first, g, a, b, f), 3, 0)
        out[f"bridges: {q.name}"] = (
            timing.p50_ms,
            found == backend.direct_bridges(a, b, f, 1, 0, 10),
        )
    ug = nx.Graph(g.to_undirected(as_view=True))
    for q in paths_q:
        s, t = _ends(backend, q)
        timing, _ = measure(partial(_k_paths, ug, s, t), 3, 0)
        out[f"paths: {q.name}"] = (timing.p50_ms, None)
    return out


# -- the driver --------------------------------------------------------------------------------


def _synthetic(work: Path, patents: int, shared: Path) -> SourcePaths:
    root = work / f"synthetic-{patents}"
    if not (root / "SYNTHETIC.md").is_file():
        subprocess.run(
            [
                sys.executable,
                str(REPO_ROOT / "benchmarks" / "synthetic.py"),
                "--out",
                str(root),
                "--patents",
                str(patents),
                "--orgs",
                str(max(20_000, patents // 10)),
                "--shared",
                str(shared),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return SourcePaths(
        patentsview=root / "patentsview",
        ror=root / "ror" / "ror-synthetic.zip",
        cpc=root / "cpc" / "CPCTitleList202505.zip",
        wipo=root / "wipo" / "ipc_technology.csv",
    )


def run_one(
    name: str, kind: str, sources: SourcePaths, work: Path, args: argparse.Namespace
) -> dict[str, Any]:
    graph = work / f"graph-{name}"
    row: dict[str, Any] = {"graph": name, "load_before": load_average()}
    if args.rebuild or not (graph / "CURRENT").is_file():
        shutil.rmtree(graph, ignore_errors=True)
        m, version = build_in_child(sources, graph)
        row.update(build_s=m.wall_s, build_cpu_s=m.user_s + m.system_s, build_rss=m.max_rss_bytes)
    else:
        version = graph / "versions" / (graph / "CURRENT").read_text().strip()
    row["artifact"] = tree_bytes(version)
    row["nodes"] = json.loads((version / "manifest.json").read_text())["nodes"].get("Patent", 0)
    child = run_measured(
        [
            sys.executable,
            str(Path(__file__).resolve()),
            "--child",
            str(graph),
            "--kind",
            kind,
            "--runs",
            str(args.runs),
            "--nx-max",
            str(args.nx_max),
        ],
        cwd=REPO_ROOT,
    )
    if child.returncode != 0:
        raise RuntimeError(child.stderr[-3000:])
    row["serve"] = json.loads(child.stdout.strip().splitlines()[-1])
    ttkg = str(Path(sys.executable).with_name("ttkg"))
    cli = run_measured(
        [
            ttkg,
            "query",
            "bridges",
            "Semiconductors",
            "Optics",
            "--graph",
            str(graph),
            "--limit",
            "5",
        ]
    )
    row["cli_s"] = cli.wall_s
    row["load_after"] = load_average()
    return row


def _cell(serve: dict[str, Any], label: str, ms: Any) -> str:
    """p50 / p99 of a query, the error it ended with, or a dash when it was not run."""
    found = serve["queries"].get(label)
    if found is None:
        return "–"
    if found[1] is None:
        return str(serve.get("errors", {}).get(label, "error"))
    cpu = f" (CPU {ms(found[3])})" if len(found) > 3 else ""
    return f"{ms(found[1])} / {ms(found[2])}{cpu}"


def report(rows: list[dict[str, Any]]) -> str:
    def ms(v: float | None) -> str:
        return "–" if v is None else f"{v:.2f}" if v < 100 else f"{v:,.0f}"

    head = ["", *(r["graph"] for r in rows)]
    lines: list[list[object]] = []

    def add(label: str, values: list[object]) -> None:
        lines.append([label, *values])

    add("patents", [f"{r['nodes']:,}" for r in rows])
    add(
        "build wall / CPU",
        [
            f"{r['build_s']:.0f} s / {r['build_cpu_s']:.0f} s" if "build_s" in r else "reused"
            for r in rows
        ],
    )
    add("build peak RSS", [fmt_bytes(r["build_rss"]) if "build_rss" in r else "–" for r in rows])
    add("artifact size", [fmt_bytes(r["artifact"]) for r in rows])
    add("open", [f"{r['serve']['open_s']:.2f} s" for r in rows])
    add("warm-up as `ttkg serve` (then gc.freeze)",
        [f"{r['serve']['warm_s']:.2f} s, RSS {fmt_bytes(r['serve']['rss_warm'])}" for r in rows])
    add(
        "RSS after open / after the mix",
        [f"{fmt_bytes(r['serve']['rss_open'])} / {fmt_bytes(r['serve']['rss_mix'])}" for r in rows],
    )
    add("`ttkg query bridges` wall", [f"{r['cli_s']:.2f} s" for r in rows])
    labels = list(dict.fromkeys(k for r in rows for k in r["serve"]["queries"]))
    for label in labels:
        add(
            f"{label} p50 / p99 ms (CPU p50)",
            [_cell(r["serve"], label, ms) for r in rows],
        )
    for engine in ("nx", "duckdb"):
        add(
            f"{engine}: load s / RSS",
            [
                f"{r['serve'][engine]['load_s']:.1f} s / {fmt_bytes(r['serve'][engine]['rss'])}"
                if r["serve"].get(engine)
                else "not run"
                for r in rows
            ],
        )
        keys = list(
            dict.fromkeys(
                k for r in rows if r["serve"].get(engine) for k in r["serve"][engine] if ":" in k
            )
        )
        for k in keys:
            add(
                f"{engine}: {k} p50 ms (same answer)",
                [
                    "{} ({})".format(
                        ms(r["serve"][engine][k][0]),
                        {True: "same", False: "DIFFERS", None: "–"}[r["serve"][engine][k][1]],
                    )
                    if r["serve"].get(engine) and k in r["serve"][engine]
                    else "–"
                    for r in rows
                ],
            )
    add(
        "load average before / after",
        [f"{r['load_before'][0]} / {r['load_after'][0]}" for r in rows],
    )
    return table(head, lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--work", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "ttkg-scale"
    )
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("--no-shared", action="store_true")
    parser.add_argument("--patents", type=int, nargs="*", default=[1_000_000])
    parser.add_argument("--runs", type=int, default=RUNS)
    parser.add_argument("--nx-max", type=int, default=1_500_000, help="most patents for networkx")
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--kind", default="real", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child is not None:
        print(json.dumps(serve_child(args.child, args.kind, args.runs, args.nx_max)))
        return 0
    args.work.mkdir(parents=True, exist_ok=True)
    rows = []
    if not args.no_shared:
        rows.append(run_one("shared", "real", shared_sources(args.shared), args.work, args))
        print(report(rows), flush=True)
    for n in args.patents:
        rows.append(
            run_one(
                f"synthetic-{n}",
                "synthetic",
                _synthetic(args.work, n, args.shared),
                args.work,
                args,
            )
        )
        print(report(rows), flush=True)
    (args.work / "scale.json").write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
