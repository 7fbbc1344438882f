"""List the ROR records a labelled set's clusters could be, for labelling `ror=` by hand.

    python ror_candidates.py ../dev3_assignees.csv /work/shared/data/ror/ror-data-sample.zip

For every gold cluster, the ROR records one of whose names (display, labels, aliases) is, after
casefolding to alphanumeric words, equal to one of the cluster's strings, within token-sort or
edit ratio 90 of it, or a prefix of it of two or more words; acronyms only when equal to a
string's first word. Independent of the engine (words are not the engine's normaliser), so the
labels do not depend on the code they measure. The list is read and decided by hand.
"""

from __future__ import annotations

import csv
import re
import sys
from collections import defaultdict
from pathlib import Path

from rapidfuzz import fuzz, process

from ttkg.loaders import ror
from ttkg.loaders.report import LoadReport

LEGAL = re.compile(r"\b(co|ltd|inc|corp|corporation|limited|incorporated|company|llc|gmbh|ag|"
                   r"sa|nv|kk|the)\b")


def key(s: str) -> str:
    return " ".join(LEGAL.sub(" ", " ".join(re.findall(r"[0-9a-z]+", s.casefold()))).split())


def main() -> None:
    with open(sys.argv[1], encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    records = list(ror.read_ror(Path(sys.argv[2]), LoadReport()))
    names: list[tuple[str, int]] = []
    acronyms: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(records):
        for n in (r.name, *r.labels, *r.aliases):
            if key(n):
                names.append((key(n), i))
        for a in r.acronyms:
            acronyms[a.casefold()].append(i)
    keys = [n for n, _ in names]
    clusters: dict[str, list[str]] = defaultdict(list)
    for r in rows:
        clusters[r["gold_cluster"]].append(r["name"])
    for cluster, strings in clusters.items():
        found: dict[int, str] = {}
        for s in strings:
            k = key(s)
            for scorer in (fuzz.token_sort_ratio, fuzz.ratio):
                for _, _, j in process.extract(k, keys, scorer=scorer, score_cutoff=90,
                                               limit=None):
                    found.setdefault(names[j][1], names[j][0])
            for n, i in names:
                if len(n.split()) >= 2 and k.startswith(n + " "):
                    found.setdefault(i, n)
            first = k.split(" ")[0] if k else ""
            for i in acronyms.get(first, []):
                found.setdefault(i, "acronym " + first)
        print(f"={cluster}  ({strings[0]})")
        for i, n in found.items():
            rec = records[i]
            print(f"    {rec.ror_id.rsplit('/', 1)[1]} {rec.name} [{rec.country}, "
                  f"{','.join(rec.types)}, {rec.status}] via '{n}'")


if __name__ == "__main__":
    main()
