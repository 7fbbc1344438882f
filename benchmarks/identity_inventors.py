"""Shared inventors as family evidence (issue 13, session 13b): what rule 10 of the family
step (`ttkg.graph.identity.inventor_links`) changes, measured on the tuning sets only.

Prints, for each tuning set (dev 2 to dev 7, and the first tuning set, whose family labels
cover only its brand families: a lower bound), family-level pairwise P / R and B-cubed F1
without the rule and with it for each `SHARED_MIN` in `--minimum`; then leave one dev set
out: the minimum the other dev sets (dev 2 to dev 7) score best with (ties: the larger,
surer one), scored on the set left out. `--changes FILE` writes every organisation string of
the extract whose family the rule changes (tab-separated: string, patent rows, family before,
family after, reason), for reading. Never reads the held-out sets.

    python benchmarks/identity_inventors.py [--data /work/shared/data] [--changes FILE]
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a file: the project root first (see synthetic.py)
    _here = Path(__file__).resolve().parent
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _here]
    sys.path.insert(0, str(_here.parent))

import numpy as np

from benchmarks.identity import (
    DEV2,
    DEV3,
    DEV4,
    DEV5,
    DEV6,
    DEV7,
    LABELLED,
    _gold_families,
    _read,
    assignee_names,
    inventor_evidence,
)
from ttkg.graph.identity import IdentitySettings, OrganizationResolver
from ttkg.graph.identity import inventor_links as rule
from ttkg.graph.identity.entities import Membership, Resolution
from ttkg.graph.identity.evaluation import Scores, bcubed, pairwise
from ttkg.graph.identity.families import co_ownership, families
from ttkg.loaders import patentsview, ror
from ttkg.loaders.report import LoadReport

FOLDS = {"dev 2": DEV2, "dev 3": DEV3, "dev 4": DEV4, "dev 5": DEV5, "dev 6": DEV6,
         "dev 7": DEV7}


def _gold() -> dict[str, dict[str, str]]:
    gold = {name: {r["name"]: r["gold_family"] for r in _read(path)}
            for name, path in FOLDS.items()}
    gold["first set"] = _gold_families(_read(LABELLED))
    return gold


def _family_of(res: Resolution, fam: Mapping[str, Membership]) -> dict[str, str]:
    return {n: (fam[k].family_id if k in fam else k) for n, k in res.cluster_of.items()}


def _scores(gold: Mapping[str, Mapping[str, str]], family_of: Mapping[str, str],
            ) -> dict[str, tuple[Scores, Scores]]:
    out = {}
    for name, g in gold.items():
        pred = {n: family_of[n] for n in g}
        out[name] = (pairwise(dict(g), pred), bcubed(dict(g), pred))
    return out


def _line(before: tuple[Scores, Scores], after: tuple[Scores, Scores]) -> str:
    (p0, b0), (p1, b1) = before, after
    return (f"P {p0.precision:.4f} -> {p1.precision:.4f}, R {p0.recall:.4f} -> "
            f"{p1.recall:.4f}, B-cubed F1 {b0.f1:.4f} -> {b1.f1:.4f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("/work/shared/data"))
    parser.add_argument("--minimum", type=int, nargs="+", default=[2, 3, 4, 5])
    parser.add_argument("--changes", type=Path, help="write the changed strings here")
    parser.add_argument("--cost", action="store_true",
                        help="only the CPU of the build's added steps, then stop")
    args = parser.parse_args()
    if args.cost:
        _cost(args.data)
        return

    holders: list[tuple[str, str]] = []
    names = assignee_names(args.data, holders)
    records = list(ror.read_ror(args.data / "ror" / "ror-data-sample.zip", LoadReport()))
    resolver = OrganizationResolver(records, IdentitySettings())
    res = resolver.resolve(names)
    counts = {k: c.count for k, c in res.clusters.items()}
    co_owned = co_ownership(res, holders)
    evidence = inventor_evidence(args.data, res, holders)
    gold = _gold()
    base_fam = families(res, resolver.index, counts, names, co_owned)
    base = _scores(gold, _family_of(res, base_fam))
    by_minimum: dict[int, dict[str, tuple[Scores, Scores]]] = {}
    default = rule.SHARED_MIN
    for minimum in args.minimum:
        rule.SHARED_MIN = minimum  # type: ignore[misc]
        fam = families(res, resolver.index, counts, names, co_owned, evidence)
        by_minimum[minimum] = _scores(gold, _family_of(res, fam))
        if minimum == default and args.changes:
            _write_changes(args.changes, res, base_fam, fam)
    rule.SHARED_MIN = default  # type: ignore[misc]
    for minimum, scores in by_minimum.items():
        print(f"\nshared inventors >= {minimum} (family level, rule 10 off -> on):")
        for name in gold:
            print(f"  {name:10} {_line(base[name], scores[name])}")
    print("\nleave one dev set out (the minimum the other dev sets score best with):")
    for name in FOLDS:
        others = [o for o in FOLDS if o != name]
        chosen = max(by_minimum, key=lambda m: (
            round(sum(by_minimum[m][o][1].f1 for o in others), 6), m))
        print(f"  {name:10} minimum {chosen}: {_line(base[name], by_minimum[chosen][name])}")


def _cpu(what: str, started: float) -> float:
    took = time.process_time() - started
    print(f"  {what}: {took:.2f} s CPU")
    return took


def _cost(data: Path) -> None:
    """CPU of what the shared-inventor rule adds to a build, step by step, as the build
    runs them (`graph/build/builder.py`): reading the inventors' names beside their
    locations, coding them, counting the evidence from row arrays, and the rule itself (the
    family step with the evidence against without)."""
    pv = data / "patentsview" / "g_inventor_not_disambiguated.tsv.zip"
    print("added CPU of the build's steps (extract):")
    took: dict[bool, list[float]] = {False: [], True: []}
    for _ in range(3):  # alternated: the first read of a file pays for its page cache
        for named in (False, True):
            t = time.process_time()
            rows = patentsview.inventor_rows(pv, LoadReport(), names=named)
            took[named].append(time.process_time() - t)
    print(f"  inventor rows without / with names: {min(took[False]):.2f} / "
          f"{min(took[True]):.2f} s CPU (least of 3)")
    t = time.process_time()
    first, last = rows.columns["name_first"], rows.columns["name_last"]
    person = rule.inventor_codes(first.codes, first.distinct(), last.codes, last.distinct())
    _cpu(f"name codes ({len(person):,} rows)", t)
    holders: list[tuple[str, str]] = []
    names = assignee_names(data, holders)
    records = list(ror.read_ror(data / "ror" / "ror-data-sample.zip", LoadReport()))
    resolver = OrganizationResolver(records, IdentitySettings())
    res = resolver.resolve(names)
    keys = list(res.clusters)
    at = {k: i for i, k in enumerate(keys)}
    ids = rows.patent_ids.to_pylist()
    index = {p: i for i, p in enumerate(ids)}
    patent = np.array([index.get(p, -1) for p, _ in holders], np.int64)
    cluster = np.array([at.get(res.cluster_of.get(n, ""), -1) for _, n in holders], np.int64)
    cluster[patent < 0] = -1
    patent[patent < 0] = 0
    year = np.full(len(ids), -1, np.int64)
    for p in patentsview.read_patents(data / "patentsview" / "g_patent.tsv.zip", LoadReport()):
        if p.patent_id in index and p.date:
            year[index[p.patent_id]] = int(p.date[:4])
    t = time.process_time()
    links = rule.inventor_links_of_rows(patent, cluster, keys, rows.patent.astype(np.int64),
                                        person, year)
    _cpu(f"evidence from arrays ({len(links.shared):,} pairs)", t)
    loop = inventor_evidence(data, res, holders)
    print(f"  equal to the row loop's: {links.shared == loop.shared}")
    counts = {k: c.count for k, c in res.clusters.items()}
    co_owned = co_ownership(res, holders)
    step: dict[bool, list[float]] = {False: [], True: []}
    for _ in range(3):
        for given in (False, True):
            t = time.process_time()
            families(res, resolver.index, counts, names, co_owned, links if given else None)
            step[given].append(time.process_time() - t)
    print(f"  family step without / with the evidence: {min(step[False]):.2f} / "
          f"{min(step[True]):.2f} s CPU (least of 3)")
    import ttkg.graph.identity.families as step_module
    joined: list[float] = []
    join = step_module.__dict__["join_by_inventors"]

    def timed(*args: Any) -> Any:
        t = time.process_time()
        out = join(*args)
        joined.append(time.process_time() - t)
        return out

    step_module.__dict__["join_by_inventors"] = timed
    for _ in range(3):
        families(res, resolver.index, counts, names, co_owned, links)
    step_module.__dict__["join_by_inventors"] = join
    print(f"  of which the rule itself: {min(joined):.2f} s CPU (least of 3)")


def _write_changes(path: Path, res: Resolution, before: Mapping[str, Membership],
                   after: Mapping[str, Membership]) -> None:
    """Every organisation string whose family rule 10 changes, for reading."""
    rows = []
    for n, k in sorted(res.cluster_of.items()):
        if k in before and before[k].family_id != after[k].family_id:
            rows.append((n, res.clusters[k].count, before[k].family_id, after[k].family_id,
                         after[k].reason))
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, delimiter="\t", lineterminator="\n")
        w.writerow(["name", "cluster_rows", "family_before", "family_after", "reason"])
        w.writerows(rows)
    print(f"{len(rows)} strings change family: {path}")


if __name__ == "__main__":
    main()
