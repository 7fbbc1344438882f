"""Build ../heldout2_assignees.csv from the seeded sample and the hand labels in heldout2.txt.

    python sample_heldout2.py NAMES_TSV > /tmp/heldout2_sample.tsv
    python build_heldout2.py /tmp/heldout2_sample.tsv
    python build_heldout2.py /tmp/dev2.tsv dev2.txt dev2_assignees.csv    # the tuning set dev 2
    python build_heldout2.py /tmp/dev3.tsv dev3.txt dev3_assignees.csv    # the tuning set dev 3

Every sampled string must be labelled exactly once and every labelled string sampled.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
COLUMNS = ["name", "count", "assignee_type", "country", "gold_cluster", "gold_family",
           "gold_ror", "family"]


def main() -> None:
    labels, out = (sys.argv[2], sys.argv[3]) if len(sys.argv) > 3 else (
        "heldout2.txt", "heldout2_assignees.csv")
    with open(sys.argv[1], encoding="utf-8", newline="") as fh:
        sample = list(csv.DictReader(fh, delimiter="\t"))
    label: dict[str, tuple[str, str, str]] = {}
    current = ("", "", "")
    for line in (HERE / labels).read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith("="):
            parts = line[1:].split()
            meta = dict(p.split("=", 1) for p in parts[1:])
            ror = f"https://ror.org/{meta['ror']}" if "ror" in meta else ""
            current = (parts[0], meta.get("family", parts[0]), ror)
        else:
            line = line.replace("\\n", "\n")  # a newline inside a raw string is written '\\n'
            assert line not in label, f"labelled twice: {line}"
            label[line] = current
    missing = [r["name"] for r in sample if r["name"] not in label]
    extra = set(label) - {r["name"] for r in sample}
    assert not missing and not extra, (missing, extra)
    with (HERE.parent / out).open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(COLUMNS)
        for r in sample:
            cluster, family, ror = label[r["name"]]
            w.writerow([r["name"], r["count"], r["assignee_type"], r["country"], cluster, family,
                        ror, r["stratum"]])


if __name__ == "__main__":
    main()
