"""Whether two built graphs hold the same data (run on demand, and by tests).

    python benchmarks/compare_graphs.py GRAPH_A GRAPH_B

A graph is a graph folder (its CURRENT version) or a version folder. Compared:

* the manifests, without what differs from one build to the next (build id, time, seconds);
* every Parquet node and edge table, row for row (schema and values);
* the rejections file and the stored identity names, row for row;
* the serving index: meta.json, every array by value and shape (its dtype may differ: an
  index array of int32 positions equals one of int64 with the same values), and the Arrow
  files (node tables, node ids, name keys) by value. Between two index formats, what the
  newer one added (`ADDED`: arrays and meta.json keys) is listed, not counted a difference.

Prints each difference and exits 1 when there is one, 0 when the graphs are the same.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

_VOLATILE = ("build_id", "created", "build_seconds", "path")
#: What each index format added: (array name prefixes, meta.json keys). ttkg-index/5 stored
#: the path search's hops and walks, which earlier formats computed at the first path query.
ADDED: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "ttkg-index/5": (("path.", "walk."), ("path",)),
}


def version_folder(path: Path) -> Path:
    """The version a graph folder's CURRENT names, or `path` itself when it is a version."""
    current = path / "CURRENT"
    if current.is_file():
        return path / "versions" / current.read_text().strip()
    return path


def _manifest(folder: Path) -> dict[str, Any]:
    manifest: dict[str, Any] = json.loads((folder / "manifest.json").read_text())
    for key in _VOLATILE:
        manifest.pop(key, None)
    return manifest


def _ipc(path: Path) -> pa.Table:
    return pa.ipc.open_file(pa.memory_map(str(path), "r")).read_all()


def _files(folder: Path, pattern: str) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.glob(pattern)}


def differences(a: Path, b: Path) -> list[str]:
    """Every difference between the graphs at `a` and `b` (empty: the same data)."""
    a, b = version_folder(a), version_folder(b)
    out: list[str] = []
    if _manifest(a) != _manifest(b):
        ma, mb = _manifest(a), _manifest(b)
        keys = sorted(k for k in {*ma, *mb} if ma.get(k) != mb.get(k))
        out.append(f"manifest differs in {keys}")
    for pattern in ("nodes/*.parquet", "edges/*.parquet", "*.parquet"):
        names_a, names_b = _files(a, pattern), _files(b, pattern)
        if names_a != names_b:
            out.append(f"{pattern}: only in A {sorted(names_a - names_b)}, "
                       f"only in B {sorted(names_b - names_a)}")
        for name in sorted(names_a & names_b):
            ta, tb = pq.read_table(a / name), pq.read_table(b / name)
            if ta.schema != tb.schema:
                out.append(f"{name}: schema differs")
            elif not ta.equals(tb):
                out.append(f"{name}: rows differ ({ta.num_rows} vs {tb.num_rows} rows)")
    if (a / "rejections.tsv").read_bytes() != (b / "rejections.tsv").read_bytes():
        out.append("rejections.tsv differs")
    out += _index_differences(a / "index", b / "index")
    return out


def _index_differences(a: Path, b: Path) -> list[str]:
    out: list[str] = []
    meta_a = json.loads((a / "meta.json").read_text())
    meta_b = json.loads((b / "meta.json").read_text())
    prefixes, keys = _added(meta_a.pop("format", None), meta_b.pop("format", None))
    added = [k for k in keys if (k in meta_a) != (k in meta_b)]
    for k in added:
        meta_a.pop(k, None)
        meta_b.pop(k, None)
    for meta in (meta_a, meta_b):  # the shapes of the added matrices
        shapes = meta.get("shapes", {})
        for name in [n for n in shapes if prefixes and n.startswith(prefixes)]:
            del shapes[name]
    if meta_a != meta_b:
        out.append("index meta.json differs")
    arrays_a, arrays_b = _files(a, "*.npy"), _files(b, "*.npy")
    new = {n for n in arrays_a ^ arrays_b if n.startswith(prefixes)}
    if new or added:
        print(f"added by the newer index format: {len(new)} arrays, meta {added}")
    arrays_a, arrays_b = arrays_a - new, arrays_b - new
    if arrays_a != arrays_b:
        out.append(f"index arrays: only in A {sorted(arrays_a - arrays_b)}, "
                   f"only in B {sorted(arrays_b - arrays_a)}")
    for name in sorted(arrays_a & arrays_b):
        x = np.load(a / name, mmap_mode="r", allow_pickle=False)
        y = np.load(b / name, mmap_mode="r", allow_pickle=False)
        if x.shape != y.shape or not np.array_equal(x, y):
            out.append(f"index/{name}: values differ ({x.dtype}{x.shape} vs {y.dtype}{y.shape})")
    arrow_a, arrow_b = _files(a, "**/*.arrow"), _files(b, "**/*.arrow")
    if arrow_a != arrow_b:
        out.append(f"index Arrow files: only in A {sorted(arrow_a - arrow_b)}, "
                   f"only in B {sorted(arrow_b - arrow_a)}")
    for name in sorted(arrow_a & arrow_b):
        if not _ipc(a / name).equals(_ipc(b / name)):
            out.append(f"index/{name}: differs")
    return out


def _added(fmt_a: str | None, fmt_b: str | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """What the formats between the older and the newer of two index formats added."""
    if fmt_a == fmt_b:
        return (), ()

    def number(fmt: str | None) -> int:
        return int(fmt.rsplit("/", 1)[1]) if fmt and "/" in fmt else 0

    lo, hi = sorted((number(fmt_a), number(fmt_b)))
    prefixes: tuple[str, ...] = ()
    keys: tuple[str, ...] = ()
    for fmt, (p, k) in ADDED.items():
        if lo < number(fmt) <= hi:
            prefixes, keys = prefixes + p, keys + k
    return prefixes, keys


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    found = differences(Path(args[0]), Path(args[1]))
    for line in found:
        print(line)
    print("same data" if not found else f"{len(found)} differences")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
