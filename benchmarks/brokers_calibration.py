"""Brokers: is the estimate's stated standard error honest? For seeds 0..N-1, the brokers
between two WIPO fields estimated at a budget of the exact work / D, the old estimator (every
score from a uniform sample of sources, batch means) beside the current one (separated pairs
counted exactly, the rest from a sample), against the exact scores: the share of top-10 cases
more than 2 and 3 stated standard errors from the exact score, the worst z, the RMSE.

    python benchmarks/brokers_calibration.py --graph DIR [--seeds 100] [--divisor 8]
            [--a wipo:field:15 --b wipo:field:16 | --countries KR US]

The network is rebuilt from the artifact's tables (co-ownership of patents in a or b; A the
holders of patents in a, B in b), as tests/queries/test_brokers.py does. The exact scores are
networkx's `betweenness_centrality_subset` (an independent implementation) up to 20,000
organisations, else the exact igraph answer (checked against networkx by the tests).
"""

from __future__ import annotations

import argparse
import math
import random
import sys
from collections import defaultdict
from pathlib import Path

if __package__ in (None, ""):  # run as a file: the project root on sys.path
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import igraph as ig
import networkx as nx

from benchmarks._common import load_average
from ttkg.core.model import EdgeType, NodeLabel
from ttkg.graph.artifact import Artifact
from ttkg.graph.backends.brokerage import brokerage

Edges = set[tuple[str, str]]


def network(graph_dir: Path, field_a: str, field_b: str,
            countries: tuple[str, str] | None = None) -> tuple[Edges, set[str], set[str]]:
    """Co-ownership links of patents in field_a or field_b, and the holders of each; or, with
    countries, of every patent, and the organisations of each side's countries."""
    art = Artifact.open(graph_dir)
    if countries:
        owners_all: dict[str, set[str]] = defaultdict(set)
        for e in art.edges(EdgeType.ASSIGNED_TO).to_pylist():
            owners_all[e["src"]].add(e["dst"])
        links = {(x, y) for orgs in owners_all.values() for x in orgs for y in orgs if x < y}
        country = {r["id"]: r["country"]
                   for r in art.nodes(NodeLabel.ORGANIZATION).to_pylist()}
        side_a, side_b = (set(c.split(",")) for c in countries)
        return (links, {o for o, c in country.items() if c in side_a},
                {o for o, c in country.items() if c in side_b})
    fields: dict[str, set[str]] = defaultdict(set)
    for e in art.edges(EdgeType.IN_FIELD).to_pylist():
        fields[e["src"]].add(e["dst"])
    owners: dict[str, set[str]] = defaultdict(set)
    for e in art.edges(EdgeType.ASSIGNED_TO).to_pylist():
        owners[e["src"]].add(e["dst"])
    edges: Edges = set()
    a: set[str] = set()
    b: set[str] = set()
    for patent, orgs in owners.items():
        if field_a in fields[patent]:
            a |= orgs
        if field_b in fields[patent]:
            b |= orgs
        if fields[patent] & {field_a, field_b}:
            edges |= {(x, y) for x in orgs for y in orgs if x < y}
    return edges, a, b


def old_estimate(edges: Edges, a: set[str], b: set[str], budget: int, seed: int,
                 batches: int = 20, limit: int | None = 10) -> list[tuple[str, float, float]]:
    """The estimator before session 9 (commit 5355677): every score from a uniform sample of
    the reaching sources, standard error from the spread of 20 batch means."""
    names = sorted({n for e in edges for n in e})
    index = {n: i for i, n in enumerate(names)}
    graph = ig.Graph(n=len(names), edges=sorted({(index[x], index[y]) for x, y in edges}))
    member = graph.connected_components().membership
    size = [0] * (max(member) + 1)
    for v in range(len(names)):
        size[member[v]] += 1
    for x, _ in graph.get_edgelist():
        size[member[x]] += 1
    ends_a = sorted(index[n] for n in a if n in index)
    ends_b = sorted(index[n] for n in b if n in index)
    shared = {member[v] for v in ends_a} & {member[v] for v in ends_b}
    src = [v for v in ends_a if member[v] in shared]
    dst = [v for v in ends_b if member[v] in shared]
    work_a, work_b = (sum(size[member[v]] for v in side) for side in (src, dst))
    if work_b < work_a:
        src, dst, work_a = dst, src, work_b
    n = max(2 * batches, budget * len(src) // work_a)
    sample = random.Random(seed).sample(src, n)
    per = []
    for i in range(batches):
        batch = sorted(sample[i::batches])
        per.append([2 * len(src) / len(batch) * x
                    for x in graph.betweenness(directed=False, sources=batch, targets=dst)])
    fpc = 1 - n / len(src)
    out = []
    for v, col in enumerate(zip(*per, strict=True)):
        mean = sum(col) / batches
        var = sum((c - mean) ** 2 for c in col) / (batches - 1)
        out.append((names[v], mean, math.sqrt(var / batches * fpc)))
    return sorted((x for x in out if x[1] > 1e-12), key=lambda x: (-round(x[1], 9), x[0]))[:limit]


def summary(cases: list[tuple[float, float, float]]) -> dict[str, float]:
    """(estimate, standard error, exact) cases: shares beyond 2 and 3 SE, worst z, RMSE."""
    zs = []
    for est, se, exact in cases:
        dev = abs(est - exact)
        zs.append(0.0 if dev <= 1e-6 else (dev / se if se > 0 else math.inf))
    n = len(cases)
    return {"cases": n, "beyond 2 SE %": 100 * sum(z > 2 for z in zs) / n,
            "beyond 3 SE %": 100 * sum(z > 3 for z in zs) / n, "worst z": max(zs),
            "RMSE": math.sqrt(sum((e - x) ** 2 for e, _, x in cases) / n),
            "SE 0 %": 100 * sum(se == 0 for _, se, _ in cases) / n,
            "SE 0, off %": 100 * sum(math.isinf(z) for z in zs) / n,
            "median |error|/score %": 100 * sorted(abs(e - x) / x if x else 0.0
                                                   for e, _, x in cases)[n // 2]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--graph", type=Path, required=True, help="a built graph directory")
    parser.add_argument("--seeds", type=int, default=100)
    parser.add_argument("--divisor", type=int, default=8, help="budget = exact work // D")
    parser.add_argument("--a", default="wipo:field:15", help="field A (Biotechnology)")
    parser.add_argument("--b", default="wipo:field:16", help="field B (Pharmaceuticals)")
    parser.add_argument("--countries", nargs=2, metavar=("A", "B"),
                        help="instead: the whole network, sides by country (KR US, or JP,CN US)")
    args = parser.parse_args()
    print("load average before", load_average())
    edges, a, b = network(args.graph, args.a, args.b,
                          tuple(args.countries) if args.countries else None)
    full = brokerage(edges, a, b, 10)
    if full.nodes <= 20_000:
        g = nx.Graph(edges)
        nxs = nx.betweenness_centrality_subset(g, [n for n in g if n in a],
                                               [n for n in g if n in b], normalized=False)
        exact = {n: 2 * s for n, s in nxs.items()}
        oracle = "networkx"
    else:
        exact = {n: s for n, s, _ in brokerage(edges, a, b, 10**9, budget=2**62).ranked}
        oracle = "igraph exact"
    budget = full.work // args.divisor
    new0 = brokerage(edges, a, b, 10, budget=budget, seed=0)
    print(f"network {full.nodes:,} organisations, {full.edges:,} links; exact by {oracle}; "
          f"work {full.work:,}, budget {budget:,}; old: a sample of the {full.reaching:,} "
          f"reaching sources; new: {new0.sampled:,} of the {new0.population:,} in components "
          f"with a block that is not a clique")
    old_cases, new_cases = [], []
    top = sorted(exact, key=lambda o: -exact[o])[:10]
    fixed: dict[str, list[float]] = {"old": [0.0, 0.0], "new": [0.0, 0.0]}
    for seed in range(args.seeds):
        old_top = old_estimate(edges, a, b, budget, seed, limit=None)
        new_top = brokerage(edges, a, b, 10**6, budget=budget, seed=seed).ranked
        for key, got in (("old", old_top), ("new", new_top)):
            found = {name: (est, se) for name, est, se in got}
            for name in top:  # the exact top 10: squared errors and stated variances
                est, se = found.get(name, (0.0, 0.0))
                fixed[key][0] += (est - exact[name]) ** 2
                fixed[key][1] += se * se
        for name, est, se in old_top[:10]:
            old_cases.append((est, se, exact.get(name, 0.0)))
        for name, est, se in new_top[:10]:
            new_cases.append((est, se, exact.get(name, 0.0)))
    old, new = summary(old_cases), summary(new_cases)
    for key, row in (("old", old), ("new", new)):  # nan when every SE is 0 (exact)
        mse, var = fixed[key]
        row["exact top 10: MSE / mean SE^2"] = mse / var if var > 0 else math.nan
    print(f"seeds 0..{args.seeds - 1}, top 10 of each estimate (normal theory: 4.6 % beyond "
          "2 SE, 0.27 % beyond 3; t with 19 df: 6.0 %, 0.73 %)")
    print(f"{'':32}{'old':>12}{'new':>12}")
    for key in old:
        print(f"{key:32}{old[key]:12.3f}{new[key]:12.3f}")
    print("load average after", load_average())


if __name__ == "__main__":
    main()
