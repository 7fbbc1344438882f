"""Rebuild ../labelled_assignees.csv from the hand-made label files in this folder.

Each `<family>.txt` starts with `# family: NAME (regex: PATTERN [exclude: PATTERN])` or
`(regex: keys)`; then `=label [ror=ID] [acts=ID]` opens a gold organisation followed by the
normalised names (one a line) that belong to it; `+name` adds a name as its own organisation;
`@raw string` puts one raw string (not its whole normalised name) under the open label.
Unlisted names selected by the family pattern are their own organisations (`x:` labels).
`gold_ror.tsv` sets gold ROR ids of labels afterwards. Input: NAMES_TSV with name, count,
assignee type and country evidence of every distinct string of the shared extract.

    python build_labelled.py NAMES_TSV
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[3]))

from ttkg.graph.identity.normalise import normalise  # noqa: E402

HEADER = re.compile(r"regex: (.*?)(?:\s+exclude: (.*))?\)\s*$")
COLUMNS = ["name", "count", "assignee_type", "country", "gold_cluster", "gold_ror",
           "gold_acts_for", "family"]


def expand(path: Path, names: list[list[str]]) -> list[dict[str, str]]:
    """Labelled rows of one family file."""
    pattern = exclude = ""
    groups: dict[str, str | None] = {}
    raw_label: dict[str, str] = {}
    meta: dict[str, dict[str, str]] = {}
    current = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# family:"):
            m = HEADER.search(line)
            assert m, line
            pattern, exclude = m.group(1), m.group(2) or ""
        elif not line.strip() or line.startswith("#"):
            continue
        elif line.startswith("="):
            parts = line[1:].split()
            current = parts[0]
            meta[current] = dict(p.split("=", 1) for p in parts[1:])
        elif line.startswith("+"):
            groups.setdefault(line[1:].strip(), None)
        elif line.startswith("@"):
            raw_label[line[1:].strip()] = current
        else:
            groups[line.strip()] = current
    if pattern == "keys":
        selected = [r for r in names if normalise(r[0]) in groups or r[0] in raw_label]
    else:
        inc, exc = re.compile(pattern, re.I), re.compile(exclude, re.I) if exclude else None
        selected = [r for r in names if inc.search(r[0]) and not (exc and exc.search(r[0]))]
    out = []
    for name, count, atype, country in selected:
        key = normalise(name)
        label = raw_label.get(name) or groups.get(key) or "x:" + key.replace(" ", "-")
        m = meta.get(label, {})
        out.append({
            "name": name, "count": count, "assignee_type": atype, "country": country,
            "gold_cluster": label,
            "gold_ror": "https://ror.org/" + m["ror"] if "ror" in m else "",
            "gold_acts_for": "https://ror.org/" + m["acts"] if "acts" in m else "",
            "family": path.stem,
        })
    return out


def main(names_tsv: Path) -> None:
    with names_tsv.open(encoding="utf-8", newline="") as fh:
        names = [r for r in csv.reader(fh, delimiter="\t")]
    rows: dict[str, dict[str, str]] = {}
    for path in sorted(HERE.glob("*.txt")):
        for row in expand(path, names):
            prev = rows.get(row["name"])
            if prev is None or (prev["gold_cluster"].startswith("x:")
                                and not row["gold_cluster"].startswith("x:")):
                rows[row["name"]] = row
            elif not row["gold_cluster"].startswith("x:") and (
                    prev["gold_cluster"], prev["gold_ror"]) != (row["gold_cluster"],
                                                              row["gold_ror"]):
                print("conflict:", row["name"], prev["gold_cluster"], row["gold_cluster"])
    gold_ror = {}
    for line in (HERE / "gold_ror.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            label, ror_id = line.split()
            gold_ror[label] = "https://ror.org/" + ror_id
    for row in rows.values():
        row["gold_ror"] = gold_ror.get(row["gold_cluster"], row["gold_ror"])
    with (HERE.parent / "labelled_assignees.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS)
        writer.writeheader()
        for name in sorted(rows):
            writer.writerow(rows[name])
    print(f"{len(rows)} names, {len({r['gold_cluster'] for r in rows.values()})} organisations")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
