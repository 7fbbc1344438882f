"""Benchmark of organisation identity (issues 6 and 13) on real PatentsView assignee strings.

Prints, for the labelled real (tuning) set in tests/data/identity/labelled_assignees.csv,
pairwise and B-cubed precision/recall/F1 of the engine next to a naive baseline (identical
normalised name = one organisation; exact unique normalised ROR name = link), ROR link
precision, the same at the family level (gold families: labelling/gold_families.tsv; naive
family = first word of the normalised name), then both levels on the held-out sets
(heldout_assignees.csv and heldout3_assignees.csv, whose gold ROR ids measure link recall too;
never tuned on), both levels on the tuning sets dev2_assignees.csv, dev3_assignees.csv,
dev4_assignees.csv, dev5_assignees.csv, dev6_assignees.csv, dev7_assignees.csv and
heldout2_assignees.csv (dev 8: held-out set 2 until session 15, when held-out set 3 took its
place; dev 3's, dev 4's, dev 5's, dev 7's and dev 8's gold ROR ids measure link precision and
recall; dev 2's and dev 6's none), and the time to resolve every distinct assignee string of
the PatentsView extract and to find their families. `--errors N` lists the tuning sets'
errors (dev, dev 2 to dev 8; never the held-out ones);
`--no-heldout` leaves the held-out scores out while tuning.

    python benchmarks/identity.py [--data /work/shared/data] [--errors 20] [--no-heldout]
        [--no-inventors]
"""

from __future__ import annotations

import argparse
import csv
import time
from collections import Counter, defaultdict
from pathlib import Path

from ttkg.graph.identity import AssigneeName, IdentitySettings, OrganizationResolver, normalise
from ttkg.graph.identity.entities import Resolution
from ttkg.graph.identity.evaluation import bcubed, link_scores, pairwise
from ttkg.graph.identity.families import co_ownership, families
from ttkg.graph.identity.inventor_links import (
    InventorLinks,
    inventor_key,
    inventor_links,
    place_words,
)
from ttkg.graph.identity.patterns import clean_name
from ttkg.graph.identity.ror_index import RorIndex
from ttkg.loaders import patentsview, ror
from ttkg.loaders.report import LoadReport

ROOT = Path(__file__).resolve().parents[1]
LABELLED = ROOT / "tests" / "data" / "identity" / "labelled_assignees.csv"
HELDOUT = ROOT / "tests" / "data" / "identity" / "heldout_assignees.csv"
DEV2 = ROOT / "tests" / "data" / "identity" / "dev2_assignees.csv"
DEV3 = ROOT / "tests" / "data" / "identity" / "dev3_assignees.csv"
DEV4 = ROOT / "tests" / "data" / "identity" / "dev4_assignees.csv"
DEV5 = ROOT / "tests" / "data" / "identity" / "dev5_assignees.csv"
DEV6 = ROOT / "tests" / "data" / "identity" / "dev6_assignees.csv"
DEV7 = ROOT / "tests" / "data" / "identity" / "dev7_assignees.csv"
HELDOUT2 = ROOT / "tests" / "data" / "identity" / "heldout2_assignees.csv"
HELDOUT3 = ROOT / "tests" / "data" / "identity" / "heldout3_assignees.csv"
FAMILIES = ROOT / "tests" / "data" / "identity" / "labelling" / "gold_families.tsv"


def assignee_names(data: Path, holders: list[tuple[str, str]] | None = None,
                   ) -> list[AssigneeName]:
    """Distinct assignee strings with type and inventor-country evidence, as the build does;
    `holders` collects the (patent id, organisation name) pairs."""
    pv = data / "patentsview"
    report = LoadReport()
    where = {
        loc.rawlocation_id: loc.country
        for loc in patentsview.read_locations(pv / "g_location_not_disambiguated.tsv.zip", report)
    }
    patent_countries: dict[str, Counter[str]] = defaultdict(Counter)
    for inv in patentsview.read_inventors(pv / "g_inventor_not_disambiguated.tsv.zip", report):
        country = where.get(inv.rawlocation_id or "")
        if country:
            patent_countries[inv.patent_id][country] += 1
    counts: Counter[tuple[str, bool]] = Counter()
    types: dict[tuple[str, bool], Counter[str]] = defaultdict(Counter)
    countries: dict[tuple[str, bool], Counter[str]] = defaultdict(Counter)
    for a in patentsview.read_assignees(pv / "g_assignee_not_disambiguated.tsv.zip", report):
        if a.organization:
            k = (a.organization, False)
            if holders is not None:
                holders.append((a.patent_id, a.organization))
        else:
            k = (" ".join(p for p in (a.first_name, a.last_name) if p), True)
        counts[k] += 1
        if a.assignee_type:
            types[k][a.assignee_type] += 1
        countries[k].update(patent_countries.get(a.patent_id, {}))

    def mode(c: Counter[str]) -> str | None:
        return min(c.items(), key=lambda kv: (-kv[1], kv[0]))[0] if c else None

    return [
        AssigneeName(name, mode(types[(name, ind)]), mode(countries[(name, ind)]), n, ind)
        for (name, ind), n in sorted(counts.items())
        if name
    ]


def inventor_evidence(data: Path, resolution: Resolution, holders: list[tuple[str, str]],
                      ) -> InventorLinks:
    """The shared-inventor evidence of the family step (rule 10), as the build gives it: the
    inventors' names of every patent, grant years, and the cities of the data's locations."""
    pv = data / "patentsview"
    report = LoadReport()
    people = [(p, k) for p, first, last in patentsview.read_inventor_names(
        pv / "g_inventor_not_disambiguated.tsv.zip", report)
        if (k := inventor_key(first, last)) is not None]
    years = {p.patent_id: int(p.date[:4]) for p in patentsview.read_patents(
        pv / "g_patent.tsv.zip", report) if p.date}
    cities = place_words((loc.city, loc.country) for loc in patentsview.read_locations(
        pv / "g_location_not_disambiguated.tsv.zip", report))
    return inventor_links(resolution, holders, people, years, cities)


def naive_links(index: RorIndex, names: list[str]) -> dict[str, str | None]:
    """Baseline link: the normalised name equals exactly one ROR record's name."""
    out: dict[str, str | None] = {}
    for n in names:
        hits = index.hits(normalise(clean_name(n)))
        out[n] = hits[0].ror_id if len(hits) == 1 else None
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("/work/shared/data"))
    parser.add_argument("--errors", type=int, default=0,
                        help="list this many errors of each kind (tuning sets only)")
    parser.add_argument("--no-heldout", action="store_true",
                        help="leave the held-out scores out (while tuning on the dev sets)")
    parser.add_argument("--no-inventors", action="store_true",
                        help="leave the family step's shared-inventor rule (10) off")
    args = parser.parse_args()

    t0 = time.perf_counter()
    holders: list[tuple[str, str]] = []
    names = assignee_names(args.data, holders)
    records = list(ror.read_ror(args.data / "ror" / "ror-data-sample.zip", LoadReport()))
    t_load = time.perf_counter() - t0
    orgs = sum(1 for n in names if not n.individual)

    t0 = time.perf_counter()
    resolver = OrganizationResolver(records, IdentitySettings())
    t_index = time.perf_counter() - t0
    t0, c0 = time.perf_counter(), time.process_time()
    res = resolver.resolve(names)
    t_resolve, c_resolve = time.perf_counter() - t0, time.process_time() - c0
    t0, c0 = time.perf_counter(), time.process_time()
    evidence = None if args.no_inventors else inventor_evidence(args.data, res, holders)
    t_inventors, c_inventors = time.perf_counter() - t0, time.process_time() - c0
    t0, c0 = time.perf_counter(), time.process_time()
    fam = families(res, resolver.index, {k: c.count for k, c in res.clusters.items()}, names,
                   co_ownership(res, holders), evidence)
    t_families, c_families = time.perf_counter() - t0, time.process_time() - c0
    family_of = {n: (fam[k].family_id if k in fam else k) for n, k in res.cluster_of.items()}

    rows = _read(LABELLED)
    gold = {r["name"]: r["gold_cluster"] for r in rows}
    gold_ror = {r["name"]: r["gold_ror"] for r in rows}
    engine = {n: res.cluster_of[n] for n in gold}
    naive = {n: normalise(clean_name(n)) for n in gold}
    engine_links = {n: res.clusters[res.cluster_of[n]].ror_id for n in gold}
    base_links = naive_links(resolver.index, list(gold))

    print(
        f"labelled set: {len(gold)} real assignee strings, {len(set(gold.values()))} gold "
        f"organisations, {sum(1 for v in gold_ror.values() if v)} with a gold ROR id"
    )
    print(f"{'':28}{'pairwise':>34}{'B-cubed':>34}")
    for label, pred in (("naive normalised-exact", naive), ("engine", engine)):
        print(f"{label:28}{pairwise(gold, pred)!s:>34}{bcubed(gold, pred)!s:>34}")
    print(f"ROR links  naive:  {link_scores(gold_ror, base_links)}")
    print(f"ROR links  engine: {link_scores(gold_ror, engine_links)}")
    gold_family = _gold_families(rows)
    print("family level (tuning set; gold families in labelling/gold_families.tsv):")
    _levels(gold_family, {n: family_of[n] for n in gold},
            {n: normalise(clean_name(n)).split(" ")[0] for n in gold})
    links = {n: res.clusters[k].ror_id for n, k in res.cluster_of.items()}
    dev2 = _heldout(DEV2, "tuning set dev 2 (issue 13, session 5b; tuned on)", None,
                    res.cluster_of, family_of, links)
    dev3 = _heldout(DEV3, "tuning set dev 3 (issue 13, session 7; tuned on)", True,
                    res.cluster_of, family_of, links)
    dev4 = _heldout(DEV4, "tuning set dev 4 (issue 13, session 8; tuned on)", True,
                    res.cluster_of, family_of, links)
    dev5 = _heldout(DEV5, "tuning set dev 5 (issue 13, session 9; tuned on)", True,
                    res.cluster_of, family_of, links)
    dev6 = _heldout(DEV6, "tuning set dev 6 (issue 13, session 10; tuned on)", None,
                    res.cluster_of, family_of, links)
    dev7 = _heldout(DEV7, "tuning set dev 7 (issue 13, session 12; tuned on)", True,
                    res.cluster_of, family_of, links)
    dev8 = _heldout(HELDOUT2, "tuning set dev 8 (held-out set 2 of issue 13, session 5, until "
                    "session 15; tuned on since)", True, res.cluster_of, family_of, links)
    if not args.no_heldout:
        for path, title, searched in (
            (HELDOUT, "held-out set 1 (issue 13, session 4; never tuned on)", False),
            (HELDOUT3, "held-out set 3 (issue 13, session 15; never tuned on)", True),
        ):
            _heldout(path, title, searched, res.cluster_of, family_of, links)
    print(
        f"\nrun time over all {len(names)} distinct assignee strings ({orgs} organisations): "
        f"resolve {t_resolve:.1f} s (CPU {c_resolve:.1f} s), families {t_families:.1f} s "
        f"(CPU {c_families:.1f} s), inventor evidence {t_inventors:.1f} s (CPU "
        f"{c_inventors:.1f} s) (+ ROR index {t_index:.1f} s; reading data {t_load:.1f} s)"
    )
    print(
        f"clusters: {len(res.clusters)}; linked to ROR: "
        f"{sum(1 for c in res.clusters.values() if c.ror_id)}; with ACTS_FOR: "
        f"{sum(1 for c in res.clusters.values() if c.acts_for)}; review rows: {len(res.review)}"
    )
    pw, b3 = pairwise(gold, engine), bcubed(gold, engine)
    link_p = link_scores(gold_ror, engine_links).precision
    checks = {
        "pairwise P>=0.995": pw.precision >= 0.995, "pairwise R>=0.99": pw.recall >= 0.99,
        "B-cubed F1>=0.99": b3.f1 >= 0.99, "link P>=0.97": link_p >= 0.97,
        "resolve<=60s": t_resolve <= 60,
    }
    print("targets (issue 6): " + ", ".join(
        f"{name} {'met' if ok else 'MISSED'}" for name, ok in checks.items()))
    if args.errors:
        _print_errors(gold, engine, gold_ror, engine_links, args.errors)
        print("\nfamily level of the tuning set:")
        _print_errors(gold_family, {n: family_of[n] for n in gold}, {}, {}, args.errors)
        for name, dev in (("dev 2", dev2), ("dev 3", dev3), ("dev 4", dev4), ("dev 5", dev5),
                          ("dev 6", dev6), ("dev 7", dev7), ("dev 8", dev8)):
            for level, (gold2, pred2) in dev.items():
                print(f"\n{name}, {level} level:")
                _print_errors(gold2, pred2, {}, {}, args.errors)
        for name, path in (("dev 3", DEV3), ("dev 4", DEV4), ("dev 5", DEV5), ("dev 7", DEV7),
                           ("dev 8", HELDOUT2)):
            dev_ror = {r["name"]: r["gold_ror"] for r in _read(path)}
            print(f"\n{name}, ROR links:")
            _print_link_errors(dev_ror, {n: links[n] for n in dev_ror}, args.errors)


def _heldout(
    path: Path,
    title: str,
    searched: bool | None,
    cluster_of: dict[str, str],
    family_of: dict[str, str],
    links: dict[str, str | None],
) -> dict[str, tuple[dict[str, str], dict[str, str]]]:
    """Scores of one held-out (or dev 2) set at both levels, and its ROR links (recall only
    where every string's ROR record was searched when it was labelled; none where `searched`
    is None: no record was searched). Returns (gold, engine) of both levels."""
    held = _read(path)
    gold = {r["name"]: r["gold_cluster"] for r in held}
    print(f"\n{title}: {len(held)} real assignee strings, {len(set(gold.values()))} gold "
          f"organisations, {len({r['gold_family'] for r in held})} gold families")
    print("organisation level:")
    _levels(gold, {n: cluster_of[n] for n in gold}, {n: normalise(clean_name(n)) for n in gold})
    print("family level:")
    gold_family = {r["name"]: r["gold_family"] for r in held}
    _levels(gold_family, {n: family_of[n] for n in gold},
            {n: normalise(clean_name(n)).split(" ")[0] for n in gold})
    levels = {"organisation": (gold, {n: cluster_of[n] for n in gold}),
              "family": (gold_family, {n: family_of[n] for n in gold})}
    if searched is None:
        return levels
    scores = link_scores({r["name"]: r["gold_ror"] for r in held}, {n: links[n] for n in gold})
    if searched:
        print(f"ROR links  engine: {scores} (every string's ROR record searched)")
    else:
        print(f"ROR links  engine: precision={scores.precision:.4f} "
              f"({scores.correct}/{scores.linked}; every link checked by hand, unlinked "
              "names' records not searched: no recall)")
    return levels


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _gold_families(rows: list[dict[str, str]]) -> dict[str, str]:
    """Name -> gold family of the tuning set: the cluster's family from the labelling file,
    else the cluster itself."""
    family: dict[str, str] = {}
    for line in FAMILIES.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            cluster, fam, _ = line.split("\t", 2)
            family[cluster] = fam
    return {r["name"]: family.get(r["gold_cluster"], r["gold_cluster"]) for r in rows}


def _levels(gold: dict[str, str], pred: dict[str, str], naive: dict[str, str]) -> None:
    """Pairwise and B-cubed scores of the engine and of a naive baseline."""
    for label, p in (("  naive", naive), ("  engine", pred)):
        print(f"{label:28}{pairwise(gold, p)!s:>34}{bcubed(gold, p)!s:>34}")


def _print_errors(
    gold: dict[str, str],
    pred: dict[str, str],
    gold_ror: dict[str, str],
    links: dict[str, str | None],
    limit: int,
) -> None:
    """The worst errors first: false merges by wrong pairs, missed merges by missed pairs
    (with the B-cubed recall they cost, in names), then wrong ROR links."""
    by_pred: dict[str, list[str]] = defaultdict(list)
    by_gold: dict[str, list[str]] = defaultdict(list)
    for n in gold:
        by_pred[pred[n]].append(n)
        by_gold[gold[n]].append(n)

    def pairs(n: int) -> int:
        return n * (n - 1) // 2

    wrong = []
    for members in by_pred.values():
        labels = Counter(gold[n] for n in members)
        if len(labels) > 1:
            extra = pairs(len(members)) - sum(pairs(c) for c in labels.values())
            wrong.append((extra, members))
    print(f"\nfalse merges ({len(wrong)} clusters, "
          f"{sum(w for w, _ in wrong)} wrong pairs), worst first:")
    for extra, members in sorted(wrong, key=lambda w: -w[0])[:limit]:
        print(f"  {extra:4} " + " | ".join(f"{n} [{gold[n]}]" for n in members[:6]))
    missed = []
    for label, members in by_gold.items():
        parts = Counter(pred[n] for n in members)
        if len(parts) > 1:
            lost = pairs(len(members)) - sum(pairs(c) for c in parts.values())
            b3 = sum(1 - parts[pred[n]] / len(members) for n in members)
            missed.append((lost, b3, label, members, parts))
    print(f"\nmissed merges ({len(missed)} organisations, {sum(m[0] for m in missed)} pairs, "
          f"B-cubed recall loss {sum(m[1] for m in missed):.1f} names), worst first:")
    for lost, b3, label, members, parts in sorted(missed, key=lambda m: (-m[0], m[2]))[:limit]:
        main = parts.most_common(1)[0][0]
        apart = " | ".join(n for n in members if pred[n] != main)
        print(f"  {lost:4} {b3:5.2f} [{label}] {apart[:240]}")
    _print_link_errors(gold_ror, links, limit)


def _print_link_errors(gold_ror: dict[str, str], links: dict[str, str | None], limit: int,
                       ) -> None:
    """Wrong ROR links, then gold links the engine missed."""
    print("\nwrong links:")
    for n, (got, want) in list(link_scores(gold_ror, links).wrong.items())[:limit]:
        print(f"  {n}: {got} (gold {want or '-'})")
    missed = [n for n, want in gold_ror.items() if want and not links.get(n)]
    print(f"missed links ({len(missed)}):")
    for n in missed[:limit]:
        print(f"  {n} (gold {gold_ror[n]})")


if __name__ == "__main__":
    main()
