"""Cut the ROR test slice (ror-slice.json) out of the full ROR sample dump.

Keeps every ROR record the identity engine looks at while resolving the labelled set
(labelled_assignees.csv) and the issue's example names against the full dump - exact name,
acronym and typo-candidate lookups are recorded - plus the records named in
wanted_ror_names.txt and the successors of kept records, so the tests see the same candidates
as the benchmark. Run by hand from the project root:

    python tests/data/identity/make_ror_slice.py /work/shared/data/ror/ror-data-sample.zip
"""

from __future__ import annotations

import csv
import json
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parents[2]))

from ttkg.graph.identity import AssigneeName, OrganizationResolver  # noqa: E402
from ttkg.graph.identity.ror_index import RorIndex  # noqa: E402
from ttkg.loaders.report import LoadReport  # noqa: E402
from ttkg.loaders.ror import read_ror  # noqa: E402


class _Recording(RorIndex):
    """A RorIndex that remembers every record id its lookups return."""

    touched: set[str]

    def hits(self, normalised):  # type: ignore[no-untyped-def]
        found = super().hits(normalised)
        self.touched.update(h.ror_id for h in found)
        self.touched.update(h.via_record for h in found)
        return found

    def acronym_hits(self, acronym):  # type: ignore[no-untyped-def]
        found = super().acronym_hits(acronym)
        self.touched.update(found)
        return found


def main(dump: Path) -> None:
    records = list(read_ror(dump, LoadReport()))
    resolver = OrganizationResolver([])
    index = _Recording(records)
    index.touched = set()
    resolver.index = index
    with (HERE / "labelled_assignees.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    names = [
        AssigneeName(r["name"], r["assignee_type"] or None, r["country"] or None,
                     int(r["count"]))
        for r in rows
    ]
    extra = [line.strip() for line in (HERE / "wanted_ror_names.txt").read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    names += [AssigneeName(n, None, None, 1) for n in extra if not n.startswith("https://")]
    resolver.resolve(names)
    keep = set(index.touched) | {n for n in extra if n.startswith("https://")}
    keep |= {r["gold_ror"] for r in rows if r["gold_ror"]}
    keep |= {r["gold_acts_for"] for r in rows if r["gold_acts_for"]}
    by_id = {r.ror_id: r for r in records}
    frontier = list(keep)
    while frontier:  # successors of kept records
        rec = by_id.get(frontier.pop())
        for rel in rec.relationships if rec else ():
            if rel.type == "successor" and rel.ror_id in by_id and rel.ror_id not in keep:
                keep.add(rel.ror_id)
                frontier.append(rel.ror_id)
    with zipfile.ZipFile(dump) as z:
        data = json.loads(z.read(next(n for n in z.namelist() if n.endswith(".json"))))
    out = sorted((r for r in data if r["id"] in keep), key=lambda r: r["id"])
    (HERE / "ror-slice.json").write_text(json.dumps(out, ensure_ascii=False) + "\n",
                                         encoding="utf-8")
    print(f"kept {len(out)} of {len(data)} ROR records")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
