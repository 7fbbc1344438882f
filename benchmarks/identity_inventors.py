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
from collections.abc import Mapping
from pathlib import Path

if __package__ in (None, ""):  # run as a file: the project root first (see synthetic.py)
    _here = Path(__file__).resolve().parent
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _here]
    sys.path.insert(0, str(_here.parent))

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
from ttkg.loaders import ror
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
    args = parser.parse_args()

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
