"""Benchmark of affiliation linking (issue 15): raw affiliation strings -> ROR ids.

Scores `ttkg identity link`'s engine (graph.identity.affiliations) on the labelled real
strings of tests/data/identity/affiliations/affiliations.csv (silver labels: OpenAlex's own
links, see make_affiliations.py), on its dev and held-out parts, with and without the
country column. Precision and recall are over (string, ROR id) pairs; "recall in dump" counts
only gold ids present in the ROR dump used (a link to a record absent from the dump is
impossible). With the shared data the full ROR sample (35,990 records) is used, else the
bundled one.

    python benchmarks/affiliations.py [--shared /work/shared/data] [--errors 10]
"""

from __future__ import annotations

import argparse
import csv
import time
from dataclasses import dataclass
from pathlib import Path

from ttkg.graph.identity.affiliations import AffiliationLinker, affiliation_linker
from ttkg.loaders.report import LoadReport
from ttkg.loaders.ror import read_ror
from ttkg.loaders.sources import SAMPLE_DIR

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SHARED = REPO_ROOT.parent / "shared" / "data"
LABELLED = REPO_ROOT / "tests" / "data" / "identity" / "affiliations" / "affiliations.csv"


@dataclass(frozen=True)
class Labelled:
    id: str
    text: str
    country: str | None
    gold: frozenset[str]
    split: str


@dataclass(frozen=True)
class Score:
    strings: int
    tp: int
    predicted: int
    gold: int
    gold_in_dump: int
    tp_in_dump: int

    @property
    def precision(self) -> float:
        return self.tp / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.tp / self.gold if self.gold else 1.0

    @property
    def recall_in_dump(self) -> float:
        return self.tp_in_dump / self.gold_in_dump if self.gold_in_dump else 1.0


def read_labelled(path: Path = LABELLED) -> list[Labelled]:
    with path.open(newline="", encoding="utf-8") as fh:
        return [
            Labelled(
                r["id"],
                r["affiliation"],
                r["country"] or None,
                frozenset(r["ror_ids"].split()),
                r["split"],
            )
            for r in csv.DictReader(fh)
        ]


def score(
    linker: AffiliationLinker, rows: list[Labelled], use_country: bool
) -> tuple[Score, list[tuple[Labelled, set[str]]]]:
    tp = predicted = gold = gold_in = tp_in = 0
    errors = []
    known = linker.index.records
    for row in rows:
        canonical = {linker.index.canonical(g) or g for g in row.gold}
        got = {link.ror_id for link in linker(row.text, row.country if use_country else None)}
        hit = len(got & canonical)
        tp += hit
        predicted += len(got)
        gold += len(canonical)
        in_dump = {g for g in canonical if g in known}
        gold_in += len(in_dump)
        tp_in += len(got & in_dump)
        if got != canonical and (got or in_dump):
            errors.append((row, got))
    return Score(len(rows), tp, predicted, gold, gold_in, tp_in), errors


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    ap.add_argument("--errors", type=int, default=0, help="print this many disagreements")
    args = ap.parse_args()
    ror_path = args.shared / "ror" / "ror-data-sample.zip"
    if not ror_path.is_file():
        ror_path = SAMPLE_DIR / "ror" / "ror-data-sample.zip"
    started = time.perf_counter()
    linker = affiliation_linker(list(read_ror(ror_path, LoadReport())))
    index_s = time.perf_counter() - started
    rows = read_labelled()
    print(f"ROR dump: {ror_path} ({len(linker.index.records):,} records; index {index_s:.1f} s)")
    print(f"labelled strings: {len(rows):,} ({LABELLED.relative_to(REPO_ROOT)})")
    print(
        f"{'split':<8} {'country':<8} {'strings':>7} {'precision':>9} {'recall':>7} "
        f"{'recall in dump':>14} {'tp/pred/gold':>16} {'ms/string':>9}"
    )
    for split in ("dev", "heldout"):
        part = [r for r in rows if r.split == split]
        for use_country in (False, True):
            linker.clear_cache()
            t0 = time.perf_counter()
            s, errors = score(linker, part, use_country)
            ms = (time.perf_counter() - t0) * 1000 / max(1, len(part))
            print(
                f"{split:<8} {'yes' if use_country else 'no':<8} {s.strings:>7} "
                f"{s.precision:>9.3f} {s.recall:>7.3f} {s.recall_in_dump:>14.3f} "
                f"{f'{s.tp}/{s.predicted}/{s.gold}':>16} {ms:>9.2f}"
            )
            if args.errors and split == "dev" and use_country:
                for row, got in errors[: args.errors]:
                    print(f"  {row.text!r}: gold {sorted(row.gold)} got {sorted(got)}")


if __name__ == "__main__":
    main()
