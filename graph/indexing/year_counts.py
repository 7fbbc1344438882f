"""Profile counts by grant year of the stored selections, so that a profile without
organisation filters sums a few stored numbers instead of passing over the selection's
patents at every query:

* WIPO fields and sectors, `tf.*` (a field's patents are its `fp` row; a sector's, those of
  its fields);
* CPC subclasses, `sc.*` (a subclass's patents: those classified under any CPC class whose
  symbol starts with it, as `MemoryIndex.cpc_rows` selects them), with `sc.patents`, each
  subclass's patents ascending (a row of a CSR matrix without data), `meta["subclasses"]`,
  the subclass symbols in order, and `sc.orgs` (CSR (subclass x year bucket) x
  organisation, row `s * n_buckets + b`): the patents each organisation holds in the
  subclass granted in the bucket, so that any year range's counts are one slice of entries
  per run of kept buckets (`bridges.summed_buckets`). At 9.1M patents the biggest
  subclasses' profiles computed from their classes' rows took 80-120 ms each (A61K: about
  600k patents).

Per selection s and year bucket b (bucket 0: no grant year, bucket i: year
`meta["year_buckets"][0] + i - 1`): `<p>.years` (s, b) its patents; `<p>.cooc` (s, b, field)
its patents' IN_FIELD entries, as `fp @ selection` counts them; `<p>.countries` (s, b,
country code) its patents held by an organisation located there.

The CPC subclass arrays are optional: an index without them (built before them) computes a
subclass's profile from its classes' rows, as before. `python -m
ttkg.graph.indexing.year_counts INDEX_DIR` adds them to such an index.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import scipy.sparse as sp

from ttkg.core.model import NodeLabel
from ttkg.graph.indexing.data import CSR_PARTS
from ttkg.graph.indexing.files import load_array, read_ipc, save_array

__all__ = [
    "SUBCLASS_LEN",
    "add_subclasses",
    "selection_counts",
    "subclass_codes",
    "subclass_counts",
    "year_buckets",
]

log = logging.getLogger(__name__)

#: Characters of a CPC subclass symbol ('A61K').
SUBCLASS_LEN: Final = 4

Arrays = MutableMapping[str, npt.NDArray[Any]]


def year_buckets(year: npt.NDArray[Any], meta: dict[str, Any]) -> tuple[npt.NDArray[np.int64],
                                                                         int]:
    """Each patent's year bucket and the number of buckets, storing the years' range in
    `meta["year_buckets"]` = [first, last] (no known year: [0, -1], one bucket)."""
    year = year.astype(np.int64)
    known = year[year >= 0]
    first = int(known.min()) if len(known) else 0
    last = int(known.max()) if len(known) else -1
    meta["year_buckets"] = [first, last]
    return np.where(year >= 0, year - first + 1, 0), last - first + 2


def selection_counts(
    arrays: Arrays,
    prefix: str,
    selections: sp.csr_matrix,
    bucket: npt.NDArray[np.int64],
    n_buckets: int,
    pf: sp.csr_matrix,
    country_patents: sp.csr_matrix,
) -> sp.csr_matrix:
    """`<prefix>.years`, `.cooc` and `.countries` of some selections (selection x patent,
    0/1); returns (selection x year bucket) x patent."""
    entries = selections.tocoo()
    n_sel, n_pat = selections.shape
    rows = entries.row.astype(np.int64) * n_buckets + bucket[entries.col]
    by_year = sp.csr_matrix(
        (np.ones(len(rows), np.int64), (rows, entries.col)), shape=(n_sel * n_buckets, n_pat)
    )
    del entries, rows
    arrays[f"{prefix}.years"] = np.asarray(by_year.sum(axis=1), dtype=np.int64).reshape(
        n_sel, n_buckets
    )
    cooc = (by_year @ pf.astype(np.int64)).toarray()
    arrays[f"{prefix}.cooc"] = np.ascontiguousarray(cooc.reshape(n_sel, n_buckets, pf.shape[1]))
    countries = (by_year @ country_patents.T.astype(np.int64)).toarray()
    arrays[f"{prefix}.countries"] = np.ascontiguousarray(
        countries.reshape(n_sel, n_buckets, country_patents.shape[0])
    )
    return by_year


def subclass_codes(symbols: pa.ChunkedArray | pa.Array) -> tuple[list[str], npt.NDArray[np.int64]]:
    """The CPC subclass symbols in order, and each CPC class row's subclass (-1 for a
    section or a class, whose symbols are shorter)."""
    head = pc.utf8_slice_codeunits(symbols, 0, SUBCLASS_LEN)
    long_enough = pc.greater_equal(pc.utf8_length(symbols), SUBCLASS_LEN)
    subclasses = sorted(set(pc.filter(head, long_enough).to_pylist()))
    found = pc.index_in(head, value_set=pa.array(subclasses, pa.string()))
    code = np.asarray(pc.fill_null(found, -1).to_numpy(zero_copy_only=False), np.int64)
    code[~np.asarray(long_enough.to_numpy(zero_copy_only=False), bool)] = -1
    return subclasses, code


def subclass_counts(
    arrays: Arrays,
    meta: dict[str, Any],
    symbols: pa.ChunkedArray | pa.Array,
    cp: sp.csr_matrix,
    bucket: npt.NDArray[np.int64],
    n_buckets: int,
    pf: sp.csr_matrix,
    country_patents: sp.csr_matrix,
    po: sp.csr_matrix,
) -> None:
    """The CPC subclasses' patents (`sc.patents`), profile counts (`sc.*`) and organisation
    counts (`sc.orgs`), from CPC class x patent (`cp`) and patent x holder (`po`)."""
    subclasses, code = subclass_codes(symbols)
    rows = np.flatnonzero(code >= 0)
    member = sp.csr_matrix(
        (np.ones(len(rows), np.int32), (code[rows], rows)), shape=(len(subclasses), cp.shape[0])
    )
    patents = (member @ cp).tocsr()  # subclass x patent: how many of its classes
    patents.sort_indices()
    patents.data[:] = 1
    meta["subclasses"] = subclasses
    arrays["sc.patents.indices"] = patents.indices
    arrays["sc.patents.indptr"] = patents.indptr.astype(np.int64)
    by_year = selection_counts(arrays, "sc", patents, bucket, n_buckets, pf, country_patents)
    del patents
    orgs = (by_year @ po).tocsr()
    del by_year
    orgs.sort_indices()
    arrays["sc.orgs.data"] = orgs.data.astype(np.int32)  # counts of patents: < 2**31
    arrays["sc.orgs.indices"] = orgs.indices.astype(np.int32)
    arrays["sc.orgs.indptr"] = orgs.indptr.astype(np.int64)
    meta["shapes"]["sc.orgs"] = list(orgs.shape)


def _stored_csr(folder: Path, meta: dict[str, Any], name: str) -> sp.csr_matrix:
    data, indices, indptr = (load_array(folder / f"{name}.{p}.npy") for p in CSR_PARTS)
    return sp.csr_matrix((data, indices, indptr), shape=tuple(meta["shapes"][name]))


def add_subclasses(folder: Path) -> None:
    """Add the CPC subclass arrays to a stored index (one built before them)."""
    meta = json.loads((folder / "meta.json").read_text())
    symbols = read_ipc(folder / "nodes" / f"{NodeLabel.CPC_CLASS.value}.arrow").column("symbol")
    bucket, n_buckets = year_buckets(load_array(folder / "patent.year.npy"), meta)
    arrays: dict[str, npt.NDArray[Any]] = {}
    subclass_counts(arrays, meta, symbols, _stored_csr(folder, meta, "cp"), bucket, n_buckets,
                    _stored_csr(folder, meta, "pf"), _stored_csr(folder, meta, "country_patents"),
                    _stored_csr(folder, meta, "po"))
    for name, arr in arrays.items():
        save_array(folder / f"{name}.npy", arr)
    tmp = folder / "meta.json.tmp"
    tmp.write_text(json.dumps(meta, indent=1))
    tmp.replace(folder / "meta.json")
    log.info("added %d CPC subclasses' counts to %s", len(meta["subclasses"]), folder)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    add_subclasses(Path(sys.argv[1]))
