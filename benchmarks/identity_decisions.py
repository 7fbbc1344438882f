"""Every identity decision of one input, written out and compared with an earlier run.

Reads the distinct assignee strings of a PatentsView extract the way the build does (type,
inventor countries, the assignee's own location), resolves them, finds their families and
writes one row per string: cluster, ROR link, score, reason, family (the `ttkg identity
batch` columns) plus the review rows. With `--compare` it checks that a run of the current
code decides exactly as the saved one did (a speed change must change no decision) and exits
1 on the first differences. Prints the resolve and families CPU time (user + system, of the
workers too) beside wall time, and the load average.

    python benchmarks/identity_decisions.py --data /work/shared/data --out /tmp/before.tsv
    python benchmarks/identity_decisions.py --data /work/shared/data --compare /tmp/before.tsv
    python benchmarks/identity_decisions.py --data /tmp/wt14-1m/inputs --sample 30000 ...

`--sample N` keeps the organisation names of every k-th distinct string (sorted), so the
sample is the same on every run; `--names FILE` caches the strings read (JSON lines) since
reading a large extract costs more than resolving a sample of it.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

from ttkg.graph.identity import AssigneeName, IdentitySettings, OrganizationResolver
from ttkg.graph.identity.batch import OUTPUT_COLUMNS, InputRow, write_clusters_csv
from ttkg.graph.identity.families import co_ownership, families
from ttkg.graph.identity.parallel import worker_count
from ttkg.loaders import patentsview, ror
from ttkg.loaders.report import LoadReport


def _mode(c: Counter[str]) -> str | None:
    return min(c.items(), key=lambda kv: (-kv[1], kv[0]))[0] if c else None


def read_names(data: Path) -> tuple[list[AssigneeName], list[tuple[str, str]]]:
    """Distinct assignee strings as `graph.build.builder._resolve` makes them, and the
    (patent, organisation) holder pairs for co-ownership."""
    pv = data / "patentsview"
    report = LoadReport()
    where = {loc.rawlocation_id: loc.country for loc in
             patentsview.read_locations(pv / "g_location_not_disambiguated.tsv.zip", report)}
    patent_countries: dict[str, Counter[str]] = defaultdict(Counter)
    for inv in patentsview.read_inventors(pv / "g_inventor_not_disambiguated.tsv.zip", report):
        country = where.get(inv.rawlocation_id or "")
        if country:
            patent_countries[inv.patent_id][country] += 1
    counts: Counter[tuple[str, bool]] = Counter()
    types: dict[tuple[str, bool], Counter[str]] = defaultdict(Counter)
    countries: dict[tuple[str, bool], Counter[str]] = defaultdict(Counter)
    own: dict[tuple[str, bool], Counter[str]] = defaultdict(Counter)
    holders: list[tuple[str, str]] = []
    for a in patentsview.read_assignees(pv / "g_assignee_not_disambiguated.tsv.zip", report):
        location = a.country
        if a.rawlocation_id is not None:
            location = where.get(a.rawlocation_id) or location
        if a.organization:
            k = (a.organization, False)
            holders.append((a.patent_id, a.organization))
        else:
            k = (" ".join(p for p in (a.first_name, a.last_name) if p), True)
        counts[k] += 1
        if a.assignee_type:
            types[k][a.assignee_type] += 1
        if a.patent_id in patent_countries:
            countries[k].update(patent_countries[a.patent_id])
        if location:
            own[k][location] += 1
    names = [AssigneeName(name, _mode(types[(name, ind)]), _mode(countries[(name, ind)]), n,
                          ind, _mode(own[(name, ind)]))
             for (name, ind), n in sorted(counts.items())]
    return names, holders


def _load(args: argparse.Namespace) -> tuple[list[AssigneeName], list[tuple[str, str]]]:
    cache: Path | None = args.names
    if cache is not None and cache.exists():
        names: list[AssigneeName] = []
        holders: list[tuple[str, str]] = []
        with cache.open(encoding="utf-8") as handle:
            for line in handle:
                row = json.loads(line)
                if "holder" in row:
                    holders.append((row["holder"][0], row["holder"][1]))
                else:
                    names.append(AssigneeName(*row["name"]))
        return names, holders
    names, holders = read_names(args.data)
    if cache is not None:
        with cache.open("w", encoding="utf-8") as handle:
            for n in names:
                handle.write(json.dumps({"name": [n.name, n.assignee_type, n.country, n.count,
                                                  n.individual, n.location]}) + "\n")
            for h in holders:
                handle.write(json.dumps({"holder": h}) + "\n")
    return names, holders


def _cpu() -> float:
    """CPU seconds (user + system) of this process and of its workers that have ended."""
    return sum(r.ru_utime + r.ru_stime for r in (resource.getrusage(resource.RUSAGE_SELF),
                                                 resource.getrusage(resource.RUSAGE_CHILDREN)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("/work/shared/data"))
    parser.add_argument("--names", type=Path, help="cache of the strings read (JSON lines)")
    parser.add_argument("--sample", type=int, default=0,
                        help="keep about this many organisation strings (every k-th)")
    parser.add_argument("--out", type=Path, help="write the decisions here (TSV)")
    parser.add_argument("--compare", type=Path, help="decisions of an earlier run to match")
    parser.add_argument("--workers", type=int, help="identity processes (default: every core)")
    args = parser.parse_args()

    names, holders = _load(args)
    if args.sample:
        orgs = [n for n in names if not n.individual]
        step = max(1, len(orgs) // args.sample)
        names = orgs[::step]
        kept = {n.name for n in names}
        holders = [h for h in holders if h[1] in kept]
    ror_files = sorted((args.data / "ror").glob("*.zip"))
    records = list(ror.read_ror(ror_files[0], LoadReport()))
    resolver = OrganizationResolver(records, IdentitySettings(workers=args.workers))
    c0, s0, t0 = _cpu(), time.process_time(), time.perf_counter()
    res = resolver.resolve(names)
    c_res, t_res = _cpu() - c0, time.perf_counter() - t0
    s_res = time.process_time() - s0  # (a lower bound of the wall time on free cores)
    c0, t0 = _cpu(), time.perf_counter()
    fam = families(res, resolver.index, {k: c.count for k, c in res.clusters.items()}, names,
                   co_ownership(res, holders))
    c_fam, t_fam = _cpu() - c0, time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"{len(names)} strings ({sum(not n.individual for n in names)} organisations), "
          f"{worker_count(args.workers)} worker(s): resolve CPU {c_res:.1f} s (this "
          f"process {s_res:.1f} s, wall "
          f"{t_res:.1f} s), families CPU {c_fam:.1f} s (wall {t_fam:.1f} s); "
          f"{len(res.clusters)} clusters, {len(res.review)} review rows; peak RSS {rss:.0f} MB "
          f"(largest worker {kids:.0f} MB); load average {os.getloadavg()[0]:.1f}")

    out = args.out or Path("/tmp/identity_decisions.tsv")
    rows = [InputRow(n.name, n) for n in names]
    write_clusters_csv(rows, res, out, fam)
    with out.open("a", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        for r in res.review:
            writer.writerow(("#review", r.action, r.name, r.target, f"{r.score:.3f}", r.reason))
    if args.compare is None:
        return
    old = args.compare.read_text(encoding="utf-8").splitlines()
    new = out.read_text(encoding="utf-8").splitlines()
    if old[0].split(",") != list(OUTPUT_COLUMNS) and old[0] != new[0]:
        sys.exit(f"{args.compare}: not a decisions file")
    diff = [(o, n) for o, n in zip(old, new, strict=False) if o != n]
    if len(old) != len(new) or diff:
        print(f"DIFFERENT: {len(old)} vs {len(new)} rows, {len(diff)} differ")
        for o, n in diff[:20]:
            print(f"  before: {o}\n  after:  {n}")
        sys.exit(1)
    print(f"identical: all {len(new)} rows (decisions and review rows) as in {args.compare}")


if __name__ == "__main__":
    main()
