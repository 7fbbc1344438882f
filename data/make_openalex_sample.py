"""Cut the bundled OpenAlex slice: works that join the sample's patent-holding organisations.

Run from the project root, after `data/make_sample.py` (it reads the patent sample):

    python data/make_openalex_sample.py --shared ../shared/data --out data/sample

Writes, deterministically (fixed hash order, gzip mtime 0, fixed zip timestamps):

* `openalex/works/openalex-works-sample.jsonl.gz`: OpenAlex Work lines copied byte for byte
  from the shared capture, in their original order, chosen by two rules:
  1. every work with institutions of at least two different organisations that hold patents
     in the sample (co-authorship between patent holders: the bridges' partnerships);
  2. then works with at least one such institution, in hash order
     (`sha256("ttkg-openalex-2025:<work id>")`), until there are `LIMIT` works.
  "Organisations that hold patents in the sample" = the ROR ids of Organization nodes with
  patents in a graph built from `data/sample` (the identity engine's assignee -> ROR links).
* `openalex/openalex_topics.zip`: the unchanged topic table (`openalex_topics.csv`), zipped.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import json
import tempfile
import zipfile
from pathlib import Path

LIMIT = 600
ZIP_DATE_TIME = (2025, 1, 1, 0, 0, 0)


def patent_holders(sample: Path) -> set[str]:
    """ROR ids of organisations with patents in a graph built from the patent sample."""
    import pyarrow.compute as pc

    from ttkg.core.model import NodeLabel
    from ttkg.graph.artifact import Artifact
    from ttkg.graph.build.builder import build_graph
    from ttkg.loaders.sources import SourcePaths

    paths = SourcePaths(
        patentsview=sample / "patentsview",
        ror=sample / "ror" / "ror-data-sample.zip",
        cpc=sample / "cpc" / "CPCTitleList202505.zip",
        wipo=sample / "wipo" / "ipc_technology.csv",
    )
    with tempfile.TemporaryDirectory() as tmp:
        result = build_graph(paths, Path(tmp))
        orgs = Artifact.open(result.path).nodes(NodeLabel.ORGANIZATION)
        held = orgs.filter(
            pc.and_(pc.greater(orgs["patent_count"], 0), pc.is_valid(orgs["ror_id"]))
        )
        return set(held["ror_id"].to_pylist())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--shared", type=Path, default=Path("../shared/data"))
    ap.add_argument("--out", type=Path, default=Path("data/sample"))
    args = ap.parse_args()
    holders = patent_holders(args.out)
    source = args.shared / "openalex" / "works" / "openalex-works-sample.jsonl.gz"
    with gzip.open(source, "rb") as fh:
        lines = fh.read().splitlines(keepends=True)
    both: list[int] = []
    one: list[tuple[str, int]] = []
    for i, line in enumerate(lines):
        work = json.loads(line)
        rors = {
            inst.get("ror")
            for a in work.get("authorships") or []
            for inst in a.get("institutions") or []
        }
        joined = rors & holders
        if len(joined) >= 2:
            both.append(i)
        elif joined:
            key = hashlib.sha256(f"ttkg-openalex-2025:{work['id']}".encode()).hexdigest()
            one.append((key, i))
    chosen = set(both) | {i for _, i in sorted(one)[: max(0, LIMIT - len(both))]}
    out = args.out / "openalex" / "works" / source.name
    out.parent.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as gz:
        for i in sorted(chosen):
            gz.write(lines[i])
    out.write_bytes(buf.getvalue())
    topics = args.shared / "openalex" / "openalex_topics.csv"
    zpath = args.out / "openalex" / "openalex_topics.zip"
    with zipfile.ZipFile(zpath, "w") as archive:
        info = zipfile.ZipInfo(topics.name, date_time=ZIP_DATE_TIME)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        archive.writestr(info, topics.read_bytes(), compresslevel=9)
    print(
        f"{len(holders)} patent-holding ROR organisations; works kept: {len(chosen)} "
        f"({len(both)} with two or more of them); {out} {out.stat().st_size:,} bytes; "
        f"{zpath} {zpath.stat().st_size:,} bytes"
    )


if __name__ == "__main__":
    main()
