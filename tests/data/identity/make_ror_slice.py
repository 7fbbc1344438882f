"""Cut the ROR test slice (ror-slice.json) out of the full ROR sample dump.

Keeps every record whose name, label or alias (normalised) is one of the wanted names in
wanted_ror_names.txt or whose id is listed there, plus the successors of kept records, so
successor handling is tested on real records. Run by hand: python make_ror_slice.py ROR.zip
"""

from __future__ import annotations

import json
import sys
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from graph.identity.countries import strip_country_suffix  # noqa: E402
from graph.identity.normalise import normalise  # noqa: E402

HERE = Path(__file__).parent


def main(dump: Path) -> None:
    wanted = [
        line.strip()
        for line in (HERE / "wanted_ror_names.txt").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    ids = {w for w in wanted if w.startswith("https://ror.org/")}
    keys = {normalise(w) for w in wanted if not w.startswith("https://ror.org/")}
    with zipfile.ZipFile(dump) as z:
        data = json.loads(z.read(next(n for n in z.namelist() if n.endswith(".json"))))
    by_id = {r["id"]: r for r in data}
    keep: dict[str, dict] = {}
    for rec in data:
        names = {normalise(strip_country_suffix(n["value"])) for n in rec["names"]}
        if rec["id"] in ids or names & keys:
            keep[rec["id"]] = rec
    frontier = list(keep.values())
    while frontier:
        rec = frontier.pop()
        for rel in rec.get("relationships", []):
            if rel["type"] == "successor" and rel["id"] in by_id and rel["id"] not in keep:
                keep[rel["id"]] = by_id[rel["id"]]
                frontier.append(by_id[rel["id"]])
    out = sorted(keep.values(), key=lambda r: r["id"])
    (HERE / "ror-slice.json").write_text(json.dumps(out, ensure_ascii=False, indent=0) + "\n")
    print(f"kept {len(out)} ROR records")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
