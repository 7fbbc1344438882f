"""Stored bridge selections: for each WIPO field, WIPO sector and CPC section, what a
bridges query counts in it, so that bridges between two of them (no year filter) combine a
few stored rows instead of passing over every co-owned patent at every query.

Per selection s (at most 64, a bit each):

* `patent_bits` (patents,) uint64: bit s set when the patent is in s (a WIPO field: its
  IN_FIELD row; a sector: any of its fields; a CPC section: any class under it — the
  patents `MemoryBackend._selection` masks);
* `org_counts` (CSR selection x organisation): patents each organisation holds in s;
  `org_ranked` / `org_ranked_counts`: the same entries by count descending, then id;
  `org_active` (selections, organisations / 8) packed bits: count > 0;
* over the unordered co-owning pairs (`co.pair_keys` grouped: pair u's co-owned patents
  are rows `pair_start[u]:pair_start[u + 1]`, its members `pair_x[u] < pair_y[u]`, both
  organisation rows; `pair_bits`: each row's patent's `patent_bits`): `pair_counts` (CSR
  selection x pair: co-owned patents in s), `pair_ranked` / `pair_ranked_counts` (by count
  descending) and `pair_flags`
  (selections, 3, pairs / 8) packed bits: the pair co-owns a patent in s, x is active in
  s, y is active in s;
* `dated_counts` (CSR (selection x year bucket) x organisation, format 2 on): patents each
  organisation holds in s granted in each year bucket, row `s * n_buckets + b`, buckets as
  the index's `meta["year_buckets"]` = [first, last] has them (`tf.years`: bucket 0 no grant
  year, bucket b year first + b - 1), so that a year range of s is one run of rows, one
  contiguous slice of entries: `StoredBridges.dated_org_counts`.

Optional and additive: the build writes it to `<version>/index/bridges/` (`write_bridges`)
from the index's own arrays, and a graph without it (or with one for another index) answers
by computing, as before. A folder of format 1 (before `dated_counts`) still serves the
undated bridges; year-filtered counts are then computed. `python -m ttkg.graph.indexing.bridges
INDEX_DIR OUT_DIR` computes it for a graph built before it.
"""

from __future__ import annotations

import json
import logging
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from ttkg.core.model import NodeLabel
from ttkg.graph.indexing.data import CSR_PARTS, Csr, IndexData
from ttkg.graph.indexing.files import load_array, save_array

__all__ = [
    "BRIDGES_DIR",
    "BRIDGES_FORMAT",
    "StoredBridges",
    "bucket_years",
    "compute_bridges",
    "open_bridges",
    "selection_key",
    "summed_buckets",
    "write_bridges",
]

log = logging.getLogger(__name__)

BRIDGES_DIR: Final = "bridges"
BRIDGES_FORMAT: Final = "ttkg-bridges/2"
#: Formats read: format 1 has no `dated_counts` (year-filtered counts are then computed).
_READABLE: Final = ("ttkg-bridges/1", BRIDGES_FORMAT)
#: A bit per selection in `patent_bits`.
MAX_SELECTIONS: Final = 64
#: Pair flags: the pair co-owns a patent in s, its x is active in s, its y is.
HAS, X_ACTIVE, Y_ACTIVE = 0, 1, 2

IntArray = npt.NDArray[np.int64]
Key = tuple[str, str]
Slices = list[tuple[int, int]]


def bucket_years(year_buckets: tuple[int, int], year_from: int | None, year_to: int | None
                 ) -> npt.NDArray[np.bool_]:
    """Which year buckets (0: no grant year, then first..last of `year_buckets`) a year range
    keeps, as `Filters` has it (the rows `MemoryIndex.year_spans` gives): a lower bound keeps
    the years from it, an upper bound those up to it; an unknown year (-1) is kept by a lower
    bound only below 0, never by an upper bound."""
    first, last = year_buckets
    year = np.concatenate(([-1], np.arange(first, last + 1, dtype=np.int64)))
    keep = np.ones(len(year), dtype=bool)
    if year_from is not None:
        keep &= year >= year_from
    if year_to is not None:
        keep &= (year <= year_to) & (year >= 0)
    return keep


def _runs(ptr: IntArray, keep: npt.NDArray[np.bool_]) -> Slices:
    """The entry ranges [lo, hi) of the runs of kept rows, rows `i` spanning entries
    `ptr[i]:ptr[i + 1]` (empty ranges left out)."""
    edges = np.diff(np.concatenate(([0], keep.astype(np.int8), [0])))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    return [(lo, hi) for lo, hi in zip(ptr[starts].tolist(), ptr[ends].tolist(), strict=True)
            if hi > lo]


def summed_buckets(m: Csr, s: int, keep: npt.NDArray[np.bool_]) -> IntArray:
    """Selection s's rows of a CSR (selection x year bucket) x column matrix (row
    `s * len(keep) + b`) for the kept buckets, summed by column (dense): one slice of entries
    per run of kept buckets."""
    n_buckets = len(keep)
    ptr = np.asarray(m.indptr[s * n_buckets : (s + 1) * n_buckets + 1], np.int64)
    return _summed(m, _runs(ptr, keep))


def selection_key(kind: str, value: str, node_id: str) -> Key:
    """What a stored selection is found by: a WIPO field or sector by its node, a CPC
    selection by its symbol (spaces dropped, as `MemoryIndex.cpc_rows` reads it)."""
    return (kind, value.replace(" ", "")) if kind == "cpc" else (kind, node_id)


@dataclass(frozen=True, slots=True, repr=False)
class StoredBridges:
    """The stored selections of one index version (read-only, memory-mapped)."""

    listed: tuple[tuple[str, str, str], ...]  # (kind, value, node id) of each selection
    selections: dict[Key, int]  # selection_key -> selection
    patent_bits: npt.NDArray[np.uint64]
    org_counts: Csr
    org_ranked: npt.NDArray[Any]
    org_ranked_counts: npt.NDArray[Any]
    org_active: npt.NDArray[np.uint8]
    pair_start: IntArray
    pair_bits: npt.NDArray[np.uint64]
    pair_x: npt.NDArray[Any]
    pair_y: npt.NDArray[Any]
    pair_counts: Csr
    pair_ranked: npt.NDArray[Any]
    pair_ranked_counts: npt.NDArray[Any]
    pair_flags: npt.NDArray[np.uint8]
    dated_counts: Csr | None = None  # None: format 1, year-filtered counts are computed
    year_buckets: tuple[int, int] | None = None  # [first, last] year of the buckets

    @property
    def n_pairs(self) -> int:
        return len(self.pair_x)

    def find(self, kind: str, value: str, node_id: str) -> int | None:
        """The selection stored for a FieldSpec's (kind, value, node id), or None."""
        return self.selections.get(selection_key(kind, value, node_id))

    def org_count(self, s: int, rows: IntArray) -> IntArray:
        """Patents of organisation rows in selection s (0 where none)."""
        return _lookup(self.org_counts, s, rows)

    def pair_count(self, s: int, pairs: IntArray) -> IntArray:
        """Co-owned patents of pairs in selection s (0 where none)."""
        return _lookup(self.pair_counts, s, pairs)

    def patent_mask(self, s: int) -> npt.NDArray[np.bool_]:
        """Which patents are in selection s: the byte of `patent_bits` holding bit s, read
        as a strided view (no 8-byte temporary per patent: at 9.1M patents 5-9 ms, not the
        25-45 ms of a 73 MB one allocated and faulted in)."""
        byte = s // 8 if sys.byteorder == "little" else 7 - s // 8
        column = self.patent_bits.view(np.uint8)[byte::8]
        found: npt.NDArray[np.bool_] = (column & np.uint8(1 << (s % 8))) != 0
        return found

    def org_dense(self, s: int) -> IntArray:
        """Patents of every organisation row in selection s (a new array)."""
        m = self.org_counts
        lo, hi = int(m.indptr[s]), int(m.indptr[s + 1])
        dense = np.zeros(m.shape[1], np.int64)
        dense[m.indices[lo:hi]] = m.data[lo:hi]
        return dense

    def dated_org_counts(self, s: int, year_from: int | None, year_to: int | None
                         ) -> IntArray | None:
        """Patents of every organisation row in selection s granted within the years
        (`bucket_years`), a new array: the entries of the kept buckets are one slice of
        `dated_counts`, summed by organisation; when the entries outside are fewer, the
        undated row less those. None without dated counts (format 1)."""
        m, buckets = self.dated_counts, self.year_buckets
        if m is None or buckets is None:
            return None
        keep = bucket_years(buckets, year_from, year_to)
        n_buckets = len(keep)
        ptr = np.asarray(m.indptr[s * n_buckets : (s + 1) * n_buckets + 1], np.int64)
        inside, outside = _runs(ptr, keep), _runs(ptr, ~keep)
        if sum(hi - lo for lo, hi in inside) <= sum(hi - lo for lo, hi in outside):
            return _summed(m, inside)
        found = self.org_dense(s)
        found -= _summed(m, outside)
        return found

    def ranked_orgs(self, s: int) -> tuple[npt.NDArray[Any], npt.NDArray[Any]]:
        """Organisation rows active in s by count descending (then id), and their counts."""
        lo, hi = self.org_counts.indptr[s], self.org_counts.indptr[s + 1]
        return self.org_ranked[lo:hi], self.org_ranked_counts[lo:hi]

    def ranked_pairs(self, s: int) -> tuple[npt.NDArray[Any], npt.NDArray[Any]]:
        """Pairs co-owning patents in s by count descending, and their counts."""
        lo, hi = self.pair_counts.indptr[s], self.pair_counts.indptr[s + 1]
        return self.pair_ranked[lo:hi], self.pair_ranked_counts[lo:hi]


def _lookup(m: Csr, s: int, cols: IntArray) -> IntArray:
    lo, hi = int(m.indptr[s]), int(m.indptr[s + 1])
    if hi == lo:
        return np.zeros(len(cols), np.int64)
    row = m.indices[lo:hi]
    # the keys in the row's dtype: numpy would otherwise cast the whole row to theirs
    keys = cols.astype(row.dtype)
    at = np.minimum(np.searchsorted(row, keys), hi - lo - 1)
    hit = row[at] == keys
    return np.where(hit, m.data[lo:hi][at], 0).astype(np.int64)


def _summed(m: Csr, slices: Slices) -> IntArray:
    """The values of some entry ranges of a CSR matrix summed by column (dense): one
    bincount over them (a year range's buckets are one range), no dense total to add into."""
    n = m.shape[1]
    ranges = [(lo, hi) for lo, hi in slices if hi > lo]
    if not ranges:
        return np.zeros(n, np.int64)
    if len(ranges) == 1:
        (lo, hi), = ranges
        columns, values = m.indices[lo:hi], m.data[lo:hi]
    else:
        columns = np.concatenate([m.indices[lo:hi] for lo, hi in ranges])
        values = np.concatenate([m.data[lo:hi] for lo, hi in ranges])
    # float weights are exact far beyond any count of patents
    return np.bincount(columns, weights=values, minlength=n).astype(np.int64)


# -- computing ---------------------------------------------------------------------------------


def _selections(data: IndexData) -> list[tuple[str, str, str, IntArray]]:
    """(kind, value, node id, patents) of every selection to store: WIPO fields and
    sectors in node order, then CPC sections by symbol."""
    labels = data.meta["labels"]
    f_off, n_fields = labels[NodeLabel.TECHNOLOGY_FIELD.value]
    fp, sectors = data.csr("fp"), data.csr("field.sectors")
    out: list[tuple[str, str, str, IntArray]] = []
    for row in range(n_fields):
        node_id = str(data.ids[f_off + row].as_py())
        fields = sectors.row(row)
        kind = "wipo_sector" if len(fields) else "wipo_field"
        parts = [fp.row(int(f)) for f in fields] if len(fields) else [fp.row(row)]
        patents = np.concatenate([np.asarray(p, np.int64) for p in parts])
        out.append((kind, node_id.rsplit(":", 1)[-1], node_id, patents))
    symbols = data.tables[NodeLabel.CPC_CLASS].column("symbol").to_pylist()
    first = np.array([(s or " ")[0] for s in symbols])
    cp = data.csr("cp")
    for section in sorted(set(first.tolist()) - {" "}):
        rows = np.flatnonzero(first == section)
        starts, ends = cp.indptr[rows].astype(np.int64), cp.indptr[rows + 1].astype(np.int64)
        patents = np.concatenate([np.asarray(cp.indices[a:b], np.int64)
                                  for a, b in zip(starts.tolist(), ends.tolist(), strict=True)]
                                 or [np.empty(0, np.int64)])
        out.append(("cpc", section, f"cpc:{section}", patents))
    return out[:MAX_SELECTIONS]


def _csr(rows: list[tuple[IntArray, IntArray]], n_cols: int) -> dict[str, npt.NDArray[Any]]:
    """A CSR matrix of (columns ascending, values) rows, as its stored parts."""
    sizes = [len(c) for c, _ in rows]
    indptr = np.concatenate(([0], np.cumsum(sizes))).astype(np.int64)
    indices = np.concatenate([c for c, _ in rows]).astype(np.int32) if rows else np.empty(0)
    values = np.concatenate([v for _, v in rows]).astype(np.int32) if rows else np.empty(0)
    return {"data": values, "indices": indices, "indptr": indptr}


def _year_bucket(data: IndexData) -> tuple[npt.NDArray[Any], tuple[int, int]]:
    """Each patent's year bucket (as `meta["year_buckets"]` numbers them: 0 no grant year,
    then first..last), and [first, last]."""
    first, last = (int(y) for y in data.meta["year_buckets"])
    year = data.array("patent.year")
    dtype = np.uint8 if last - first + 2 <= 256 else np.uint16
    bucket = np.zeros(len(year), dtype)
    known = year >= 0
    bucket[known] = year[known] - (first - 1)
    return bucket, (first, last)


def _bucket_major(bits: npt.NDArray[np.uint64], bucket: npt.NDArray[Any], n_buckets: int,
                  op: Csr) -> tuple[npt.NDArray[np.uint64], npt.NDArray[Any]]:
    """The entries of organisation x patent by year bucket, then organisation: each entry's
    patent bits, and its key `bucket * organisations + organisation`, ascending (int32 when
    it fits). One stable sort by bucket (a radix sort of small integers) keeps each
    bucket's organisations ascending."""
    n_org = op.shape[0]
    dtype = np.int32 if n_buckets * n_org < 1 << 31 else np.int64
    entry_bucket = bucket[op.indices]
    order = np.argsort(entry_bucket, kind="stable")
    keys = entry_bucket[order].astype(dtype) * dtype(n_org)
    keys += np.repeat(np.arange(n_org, dtype=dtype), np.diff(op.indptr))[order]
    return bits[op.indices[order]], keys


def _grouped(keys: npt.NDArray[Any], n_buckets: int, n_org: int
             ) -> tuple[IntArray, IntArray, IntArray]:
    """One selection's rows of `dated_counts` from its entries' ascending keys (`_bucket_major`):
    (entries of each bucket, their organisations, their counts)."""
    if not len(keys):
        return np.zeros(n_buckets, np.int64), np.empty(0, np.int64), np.empty(0, np.int64)
    first = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
    counts = np.diff(np.append(first, len(keys)))
    key = keys[first].astype(np.int64)
    return np.bincount(key // n_org, minlength=n_buckets), key % n_org, counts


def compute_bridges(data: IndexData) -> tuple[dict[str, Any], dict[str, npt.NDArray[Any]]]:
    """(meta, arrays) of the stored selections, from an index's arrays (organisation level:
    every organisation its own holder)."""
    labels = data.meta["labels"]
    n_pat = int(labels[NodeLabel.PATENT.value][1])
    n_org = int(labels[NodeLabel.ORGANIZATION.value][1])
    found = _selections(data)
    bits = np.zeros(n_pat, np.uint64)
    for s, (_, _, _, patents) in enumerate(found):
        bits[patents] |= np.uint64(1) << np.uint64(s)
    op, org_rank = data.csr("op"), data.array("org.rank")
    bucket, year_buckets = _year_bucket(data)
    n_buckets = year_buckets[1] - year_buckets[0] + 2
    entry_bits, entry_keys = _bucket_major(bits, bucket, n_buckets, op)
    del bucket
    keys, pair_patents = data.array("co.pair_keys"), data.array("co.pair_patents")
    first = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1]))) if len(keys) \
        else np.empty(0, np.int64)
    pair_start = np.append(first, len(keys)).astype(np.int64)
    pair_x, pair_y = keys[first] // n_org, keys[first] % n_org
    row_bits = bits[pair_patents]
    n_pairs = len(first)
    org_rows: list[tuple[IntArray, IntArray]] = []
    pair_rows: list[tuple[IntArray, IntArray]] = []
    org_ranked, org_ranked_counts, pair_ranked, pair_ranked_counts = [], [], [], []
    active_bits, flag_bits = [], []
    dated_sizes, dated_orgs, dated_counts = [], [], []
    for s in range(len(found)):
        one = np.uint64(1) << np.uint64(s)
        sizes, orgs, in_bucket = _grouped(entry_keys[(entry_bits & one) != 0], n_buckets, n_org)
        dated_sizes.append(sizes)
        dated_orgs.append(orgs.astype(np.int32))
        dated_counts.append(_narrow(in_bucket))
        counts = np.bincount(orgs, weights=in_bucket, minlength=n_org).astype(np.int64)
        nz = np.flatnonzero(counts)
        org_rows.append((nz, counts[nz]))
        order = nz[np.lexsort((org_rank[nz], -counts[nz]))]
        org_ranked.append(order)
        org_ranked_counts.append(counts[order])
        active = counts > 0
        active_bits.append(np.packbits(active))
        in_s = ((row_bits & one) != 0).astype(np.int64)
        per_pair = np.add.reduceat(in_s, first) if n_pairs else np.empty(0, np.int64)
        pz = np.flatnonzero(per_pair)
        pair_rows.append((pz, per_pair[pz]))
        porder = pz[np.lexsort((pz, -per_pair[pz]))]
        pair_ranked.append(porder)
        pair_ranked_counts.append(per_pair[porder])
        flag_bits.append(np.stack([np.packbits(per_pair > 0), np.packbits(active[pair_x]),
                                   np.packbits(active[pair_y])]))
    arrays: dict[str, npt.NDArray[Any]] = {"patent_bits": bits}
    for name, rows, n_cols in (("org_counts", org_rows, n_org), ("pair_counts", pair_rows,
                                                                  n_pairs)):
        for part, arr in _csr(rows, n_cols).items():
            arrays[f"{name}.{part}"] = arr
    # uint16 when every selection's fit (numpy promotes the concatenation to int32 else)
    arrays["dated_counts.data"] = (np.concatenate(dated_counts) if dated_counts
                                   else np.empty(0, np.uint16))
    arrays["dated_counts.indices"] = _concatenated(dated_orgs)
    arrays["dated_counts.indptr"] = np.concatenate(
        ([0], np.cumsum(np.concatenate(dated_sizes or [np.empty(0, np.int64)])))
    ).astype(np.int64)
    arrays["org_ranked"] = np.concatenate(org_ranked).astype(np.int32)
    arrays["org_ranked_counts"] = np.concatenate(org_ranked_counts).astype(np.int32)
    arrays["org_active"] = np.stack(active_bits) if active_bits else np.empty((0, 0), np.uint8)
    arrays["pair_start"], arrays["pair_bits"] = pair_start, row_bits
    arrays["pair_x"], arrays["pair_y"] = pair_x.astype(np.int32), pair_y.astype(np.int32)
    arrays["pair_ranked"] = np.concatenate(pair_ranked).astype(np.int32)
    arrays["pair_ranked_counts"] = np.concatenate(pair_ranked_counts).astype(np.int32)
    arrays["pair_flags"] = (np.stack(flag_bits) if flag_bits
                            else np.empty((0, 3, 0), np.uint8))
    meta = {
        "format": BRIDGES_FORMAT,
        "index_format": data.meta.get("format"),
        "selections": [[k, v, n] for k, v, n, _ in found],
        "patents": n_pat,
        "organizations": n_org,
        "pair_rows": len(keys),
        "pairs": n_pairs,
        "year_buckets": list(year_buckets),
        "shapes": {"org_counts": [len(found), n_org], "pair_counts": [len(found), n_pairs],
                   "dated_counts": [len(found) * n_buckets, n_org]},
    }
    return meta, arrays


def _concatenated(parts: list[npt.NDArray[Any]]) -> npt.NDArray[np.int32]:
    return np.concatenate(parts).astype(np.int32) if parts else np.empty(0, np.int32)


def _narrow(counts: IntArray) -> npt.NDArray[Any]:
    """Counts as uint16 when they fit, else int32 (at 9.1M patents an organisation holds at
    most a few thousand patents of a selection a year: 56 MB less than int32)."""
    return counts.astype(np.uint16 if counts.max(initial=0) < 1 << 16 else np.int32)


def write_bridges(data: IndexData, folder: Path) -> None:
    """Compute the stored selections of an index and write them into `folder` (created)."""
    meta, arrays = compute_bridges(data)
    folder.mkdir(parents=True, exist_ok=True)
    for name, arr in arrays.items():
        save_array(folder / f"{name}.npy", arr)
    (folder / "meta.json").write_text(json.dumps(meta, indent=1))


# -- reading -----------------------------------------------------------------------------------


def open_bridges(folder: Path, index: IndexData) -> StoredBridges | None:
    """The stored selections in `folder`, memory-mapped; None when there are none, or when
    they were computed for another index (then bridges are computed, as without them)."""
    meta_file = folder / "meta.json"
    if not meta_file.is_file():
        return None
    try:
        meta = json.loads(meta_file.read_text())
        labels = index.meta["labels"]
        fits = (
            meta.get("format") in _READABLE
            and meta.get("index_format") == index.meta.get("format")
            and meta["patents"] == labels[NodeLabel.PATENT.value][1]
            and meta["organizations"] == labels[NodeLabel.ORGANIZATION.value][1]
            and meta["pair_rows"] == len(index.array("co.pair_keys"))
            and meta.get("year_buckets", index.meta.get("year_buckets"))
            == index.meta.get("year_buckets")
        )
        if not fits:
            log.warning("%s: stored bridges of another index; bridges are computed", folder)
            return None
        return _load(folder, meta)
    except (OSError, ValueError, KeyError) as exc:
        log.warning("%s: stored bridges unreadable (%s); bridges are computed", folder, exc)
        return None


def _array(folder: Path, name: str) -> npt.NDArray[Any]:
    return load_array(folder / f"{name}.npy")


def _load(folder: Path, meta: dict[str, Any]) -> StoredBridges:
    def csr(name: str) -> Csr:
        data, indices, indptr = (_array(folder, f"{name}.{p}") for p in CSR_PARTS)
        rows, cols = meta["shapes"][name]
        return Csr(data, indices, indptr, (int(rows), int(cols)))

    dated = "dated_counts" in meta["shapes"]
    buckets = meta.get("year_buckets")
    listed = tuple((str(k), str(v), str(n)) for k, v, n in meta["selections"])
    selections = {selection_key(k, v, n): s for s, (k, v, n) in enumerate(listed)}
    return StoredBridges(
        listed,
        selections,
        _array(folder, "patent_bits"),
        csr("org_counts"),
        _array(folder, "org_ranked"),
        _array(folder, "org_ranked_counts"),
        _array(folder, "org_active"),
        _array(folder, "pair_start"),
        _array(folder, "pair_bits"),
        _array(folder, "pair_x"),
        _array(folder, "pair_y"),
        csr("pair_counts"),
        _array(folder, "pair_ranked"),
        _array(folder, "pair_ranked_counts"),
        _array(folder, "pair_flags"),
        csr("dated_counts") if dated else None,
        (int(buckets[0]), int(buckets[1])) if dated and buckets else None,
    )


def main(argv: list[str] | None = None) -> int:
    """Compute the stored selections of a built index: INDEX_DIR [OUT_DIR]."""
    from ttkg.graph.indexing.store import load_index

    args = sys.argv[1:] if argv is None else argv
    if len(args) not in (1, 2):
        print("usage: python -m ttkg.graph.indexing.bridges INDEX_DIR [OUT_DIR]",
              file=sys.stderr)
        return 2
    index = Path(args[0])
    write_bridges(load_index(index), Path(args[1]) if len(args) == 2 else index / BRIDGES_DIR)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
