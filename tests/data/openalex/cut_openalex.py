"""Cut the real OpenAlex slices the loader tests read, and derive the broken variants.

Run from the project root:  python tests/data/openalex/cut_openalex.py [/work/shared/data]

Real lines are copied byte for byte from the shared capture (OpenAlex, CC0). The broken
variants and the snapshot layout are derived from those lines only; `README.md` next to this
script says what each file is.
"""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

#: Lines (1-based) of openalex-works-sample.jsonl.gz kept, each for a reason.
LINES = {
    1: "no institutions at all (1902 article)",
    3: "four institutions with ROR ids",
    15: "a letter",
    47: "paratext without topics",
    102: "institutions without ROR ids",
    138: "institutions and raw strings without institutions",
    569: "eight institutions, a book chapter",
    4525: "an institution placeholder with a null id (unresolved affiliation)",
}
TOPIC_ROWS = 40


def main() -> None:
    shared = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/work/shared/data")
    src = shared / "openalex" / "works" / "openalex-works-sample.jsonl.gz"
    with gzip.open(src, "rb") as fh:
        lines = {i: line for i, line in enumerate(fh, start=1) if i in LINES}
    kept = [lines[i] for i in sorted(LINES)]
    (HERE / "works.jsonl").write_bytes(b"".join(kept))
    with gzip.GzipFile(HERE / "works.jsonl.gz", "wb", mtime=0) as gz:
        gz.write(b"".join(kept))
    # the snapshot layout: two partitions; the newer one repeats the first work (updated)
    root = HERE / "snapshot" / "data" / "works"
    for part, chunk in (
        ("updated_date=2024-01-01", kept[:5]),
        ("updated_date=2025-01-01", kept[5:] + kept[:1]),
    ):
        (root / part).mkdir(parents=True, exist_ok=True)
        with gzip.GzipFile(root / part / "part_000.gz", "wb", mtime=0) as gz:
            gz.write(b"".join(chunk))
    (root / "manifest").write_text('{"entries": []}\n')
    # broken: a line cut in half, a non-object, a string year, a bad DOI, a bad ROR, a blank line
    broken = [
        kept[1],
        kept[2][: len(kept[2]) // 2] + b"\n",
        b"[1, 2, 3]\n",
        kept[3].replace(b'"publication_year": 2021', b'"publication_year": "2021"'),
        kept[4].replace(b'"doi": "https://doi.org/', b'"doi": "https://doi.org/x'),
        kept[5].replace(b'"ror": "https://ror.org/', b'"ror": "https://ror.org/X', 1),
        b"\n",
        kept[6],
        kept[6],
    ]
    (HERE / "broken.jsonl").write_bytes(b"".join(broken))
    topics = (shared / "openalex" / "openalex_topics.csv").read_bytes().splitlines(keepends=True)
    (HERE / "openalex_topics.csv").write_bytes(b"".join(topics[: TOPIC_ROWS + 1]))


if __name__ == "__main__":
    main()
