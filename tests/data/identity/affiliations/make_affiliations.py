"""Label real raw affiliation strings with ROR ids, from OpenAlex's own affiliation links.

Run from the project root:

    python tests/data/identity/affiliations/make_affiliations.py [/work/shared/data]

Source: the shared OpenAlex capture (`openalex/works/openalex-works-sample.jsonl.gz`, CC0).
Each authorship lists `affiliations`: a raw affiliation string as printed, and the OpenAlex
institutions it was assigned to. A string is labelled with the ROR ids of those institutions
when every one of them has a ROR id (strings with an unresolved or ROR-less institution are
left out: their truth is unknown). A string seen in several works with different labels is
left out too. These are silver labels -- OpenAlex's matcher, not a person, made them -- so a
link ttkg finds that OpenAlex missed counts as an error; `affiliations.csv` is what
benchmarks/affiliations.py scores.

Output `affiliations.csv`: id, affiliation, country (the country OpenAlex gives the labelled
institutions when they agree, else empty), ror_ids (space-separated), split (dev | heldout by
`sha256("ttkg-affiliations-2025:" + affiliation)`: even first byte = dev). Strings are kept in
hash order, at most `LIMIT`.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
import sys
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
LIMIT = 3000


def main() -> None:
    shared = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/work/shared/data")
    labels: dict[str, set[tuple[tuple[str, ...], str]]] = defaultdict(set)
    with gzip.open(shared / "openalex" / "works" / "openalex-works-sample.jsonl.gz", "rt") as fh:
        for line in fh:
            work = json.loads(line)
            for a in work.get("authorships") or []:
                insts = {i["id"]: i for i in a.get("institutions") or [] if i.get("id")}
                for aff in a.get("affiliations") or []:
                    text = " ".join((aff.get("raw_affiliation_string") or "").split())
                    ids = aff.get("institution_ids") or []
                    if not text or not ids or any(i is None or i not in insts for i in ids):
                        continue
                    rors = [insts[i].get("ror") for i in ids]
                    if any(not r for r in rors):
                        continue
                    countries = {insts[i].get("country_code") or "" for i in ids}
                    country = countries.pop() if len(countries) == 1 else ""
                    labels[text].add((tuple(sorted(set(rors))), country))
    rows = []
    for text, found in labels.items():
        if len({r for r, _ in found}) != 1:
            continue
        (rors, country), *_ = sorted(found)
        digest = hashlib.sha256(f"ttkg-affiliations-2025:{text}".encode()).hexdigest()
        rows.append((digest, text, country, " ".join(rors)))
    rows.sort()
    with (HERE / "affiliations.csv").open("w", newline="", encoding="utf-8") as out:
        w = csv.writer(out)
        w.writerow(["id", "affiliation", "country", "ror_ids", "split"])
        for n, (digest, text, country, rors) in enumerate(rows[:LIMIT], 1):
            split = "dev" if int(digest[:2], 16) % 2 == 0 else "heldout"
            w.writerow([f"a{n}", text, country, rors, split])
    kept = min(LIMIT, len(rows))
    print(f"{len(labels)} distinct labelled strings, {len(rows)} with one label; kept {kept}")


if __name__ == "__main__":
    main()
