"""Compute the serving index from an artifact's tables (vectorised: Arrow compute, numpy,
scipy). The build runs this once after writing the tables; the embedded backend only maps
the result. Every array here is what `ttkg.graph.backends.memory.index` documents."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import scipy.sparse as sp

from ttkg.core.errors import ArtifactError
from ttkg.core.model import EdgeType, NodeLabel
from ttkg.graph.artifact import Artifact
from ttkg.graph.indexing.data import CSR_PARTS, INDEX_FORMAT, IndexData
from ttkg.graph.indexing.files import load_array, save_array
from ttkg.graph.indexing.ids import arrow_indices
from ttkg.graph.indexing.walks import STORED_WALKS, Hops, build_walk, walk_arrays
from ttkg.graph.indexing.walks import by_node as walk_by_node
from ttkg.graph.indexing.year_counts import selection_counts, subclass_counts, year_buckets

__all__ = ["compute_index", "holder_index"]

log = logging.getLogger(__name__)

IntArray = npt.NDArray[np.int64]
#: Positions, rows or offsets: int32 where they fit (`_index_dtype`), else int64.
Ints = npt.NDArray[np.signedinteger[Any]]
Arrays = dict[str, npt.NDArray[Any]]
#: Rows of one column chunk: its first row, its dictionary's place among the batch's
#: dictionaries, and its dictionary indices.
_Part = tuple[int, int, Ints]
#: Columns of the Patent table the index computes with (the titles are not read).
PATENT_COLUMNS: Final = ["id", "number", "year"]
#: Arrays smaller than this stay in memory when spilling (a page is a page).
_SPILL_FROM: Final = 1 << 20
#: Edge rows read at a time (whole row groups) to find their end points' positions.
_EDGE_BATCH: Final = 1 << 23
#: End point ids of the smaller labels looked up together (`_EndPoints`): ~100 MB of ids.
_FEW_AT_ONCE: Final = 1 << 22


class _Arrays(dict[str, npt.NDArray[Any]]):
    """The index arrays. With a folder, each array is saved there (`<name>.npy`) as soon as
    it is computed and kept as a read-only memory map of that file, so that a build holds
    only the arrays it still computes with, not the whole index (7 GB at 9.1M patents)."""

    def __init__(self, folder: Path | None) -> None:
        super().__init__()
        self.folder = folder

    def __setitem__(self, name: str, arr: npt.NDArray[Any]) -> None:
        if self.folder is not None and arr.nbytes >= _SPILL_FROM:
            path = self.folder / f"{name}.npy"
            save_array(path, arr)
            arr = load_array(path)
        super().__setitem__(name, arr)

    def update(self, other: Any = (), /, **kwargs: npt.NDArray[Any]) -> None:
        for name, arr in dict(other, **kwargs).items():
            self[name] = arr


def compute_index(artifact: Artifact, spill: Path | None = None) -> IndexData:
    """Every array of the serving index, from the artifact's tables. With `spill` (an
    existing folder), big arrays are written there as they are computed and come back
    memory-mapped (`store.build_index` writes the rest), and the Patent table is read
    without its titles (`PATENT_COLUMNS`) and let go once its arrays are computed (the
    returned table has those columns and no rows: `build_index` copies the file)."""
    tables = {
        label: artifact.nodes(
            label, PATENT_COLUMNS if spill is not None and label is NodeLabel.PATENT else None)
        for label in NodeLabel
    }
    labels: dict[str, list[int]] = {}
    chunks: list[pa.Array] = []
    total = 0
    for label, table in tables.items():
        labels[label.value] = [total, table.num_rows]
        chunks.extend(table.column("id").cast(pa.string()).chunks)
        total += table.num_rows
    ids = pa.concat_arrays(chunks) if chunks else pa.array([], pa.string())
    arrays: Arrays = _Arrays(spill)
    arrays["id_order"] = _sort_indices(ids)
    meta: dict[str, Any] = {"format": INDEX_FORMAT, "labels": labels, "shapes": {}}
    span = {NodeLabel(k): (off, off + n) for k, (off, n) in labels.items()}

    _patents(arrays, tables[NodeLabel.PATENT])
    if spill is not None:  # its rows are copied from the file: none kept (0.8 GB at 9.1M)
        tables[NodeLabel.PATENT] = tables[NodeLabel.PATENT].slice(0, 0)
        pa.default_memory_pool().release_unused()
    _organizations(arrays, meta, tables[NodeLabel.ORGANIZATION])
    _cpc(arrays, tables[NodeLabel.CPC_CLASS])
    edges = _edges(arrays, meta, artifact, ids, span)
    _fields(arrays, meta, span[NodeLabel.TECHNOLOGY_FIELD], edges[EdgeType.BROADER])
    _incidence(arrays, meta, edges, span)
    _co_ownership(arrays, meta, len(tables[NodeLabel.ORGANIZATION]))
    _country_patents(arrays, meta, len(meta["countries"]))
    _year_counts(arrays, meta, tables[NodeLabel.CPC_CLASS])
    _family_holders(arrays, meta, tables[NodeLabel.ORGANIZATION])
    _works(arrays, meta, tables, edges, span)
    entity = [
        np.arange(*span[label])
        for label in NodeLabel
        if label not in (NodeLabel.PATENT, NodeLabel.CPC_CLASS)
    ]
    arrays["entity_nodes"] = np.sort(np.concatenate(entity)).astype(np.int64)
    _paths(arrays, meta, edges, span)
    keys = _names(arrays, meta, tables, span)
    for arr in arrays.values():
        arr.flags.writeable = False
    return IndexData(meta, tables, ids, keys, arrays, mapped=False)


def _names(
    arrays: Arrays,
    meta: dict[str, Any],
    tables: dict[NodeLabel, pa.Table],
    span: dict[NodeLabel, tuple[int, int]],
) -> pa.Array:
    """Casefolded names and aliases of organisations, countries and fields, sorted (with
    their nodes: by key, then node), and ISO alpha-2 and alpha-3 codes -> country
    position. Arrow sorts the (key, node) pairs (strings by their UTF-8 bytes, which is
    Python's code-point order): a sort of 0.2M Python tuples took ~0.2 s."""
    texts: list[str] = []
    nodes: list[int] = []
    for label in (NodeLabel.ORGANIZATION, NodeLabel.COUNTRY, NodeLabel.TECHNOLOGY_FIELD):
        table, off = tables[label], span[label][0]
        names = table.column("name").to_pylist()
        aliases = (
            table.column("aliases").to_pylist()
            if "aliases" in table.column_names
            else [None] * len(names)
        )
        for row, (name, alias) in enumerate(zip(names, aliases, strict=True)):
            for text in {name, *(alias or ())}:
                if text:
                    texts.append(text.casefold())
                    nodes.append(off + row)
    keys = pa.array(texts, pa.string())
    node = np.array(nodes, dtype=np.int64)
    order = pc.sort_indices(pa.table({"key": keys, "node": node}),
                            sort_keys=[("key", "ascending"), ("node", "ascending")])
    arrays["name_nodes"] = node[order.to_numpy()]
    codes, off = tables[NodeLabel.COUNTRY], span[NodeLabel.COUNTRY][0]
    country_code: dict[str, int] = {}
    for row, (a2, a3) in enumerate(
        zip(codes.column("code").to_pylist(), codes.column("alpha3").to_pylist(), strict=True)
    ):
        country_code[a2.upper()] = off + row
        if a3:
            country_code[a3.upper()] = off + row
    meta["country_codes"] = country_code
    return keys.take(order)


def holder_index(
    po: sp.csr_matrix, pf: sp.csr_matrix, patent_rank: IntArray, org_rank: IntArray
) -> IndexData:
    """The incidence and co-ownership arrays of another patent x holder matrix over the
    organisation rows (the families: a family's patents in its head's row), computed as the
    build computes the organisations' (`po`, `op`, `op_ranked`, `of`, `fo_dense`, `co.*`)."""
    arrays: Arrays = {"patent.rank": patent_rank, "org.rank": org_rank}
    meta: dict[str, Any] = {"shapes": {}}
    po = sp.csr_matrix(po, dtype=np.int32)
    po.sum_duplicates()
    po.data[:] = 1
    po.eliminate_zeros()
    po = _put_csr(arrays, meta, "po", po)
    op = _put_csr(arrays, meta, "op", po.T.tocsr())
    arrays["op_ranked"] = _by_rank(op, patent_rank)
    of = _put_csr(arrays, meta, "of", (op @ pf).tocsr())
    arrays["fo_dense"] = np.ascontiguousarray(of.T.toarray(), dtype=np.int64)
    _co_ownership(arrays, meta, po.shape[1])
    for arr in arrays.values():
        arr.flags.writeable = False
    return IndexData(meta, {}, pa.array([], pa.string()), pa.array([], pa.string()), arrays,
                     mapped=False)


def _sort_indices(values: pa.Array | pa.ChunkedArray) -> IntArray:
    """Positions in ascending value order (stable; code-point order for strings)."""
    return np.asarray(pc.sort_indices(values).to_numpy(), dtype=_index_dtype(len(values)))


def _by_rank(m: sp.csr_matrix, rank: IntArray) -> IntArray:
    """Each row's column indices in `rank` order (a permutation of the columns; for an
    organisation's patents: newest first), as `m.indices` is laid out: scipy sorts each row
    of the ranks in C, instead of a lexsort of (row, rank) over every entry (9.4M at 9.1M
    patents)."""
    ranks = rank[m.indices]
    by_rank = sp.csr_matrix((np.zeros(len(ranks), np.int8), ranks, m.indptr), shape=m.shape)
    by_rank.has_sorted_indices = False
    by_rank.sort_indices()
    column = np.empty(len(rank), m.indices.dtype)
    column[rank] = np.arange(len(rank))
    out: IntArray = column[by_rank.indices]
    return out


def _put_csr(arrays: Arrays, meta: dict[str, Any], name: str, m: sp.spmatrix) -> sp.csr_matrix:
    """Store a matrix as canonical CSR (sorted indices, duplicates summed)."""
    m = sp.csr_matrix(m)
    m.sum_duplicates()
    m.sort_indices()
    for part in CSR_PARTS:
        arrays[f"{name}.{part}"] = getattr(m, part)
    meta["shapes"][name] = list(m.shape)
    return m


# -- nodes ------------------------------------------------------------------------------------


def _patents(arrays: Arrays, pat: pa.Table) -> None:
    year = np.asarray(pc.fill_null(pat.column("year"), -1).to_numpy(), dtype=np.int32)
    dt = _index_dtype(pat.num_rows)
    number_rank = np.empty(pat.num_rows, dt)
    number_rank[_sort_indices(pat.column("number"))] = np.arange(pat.num_rows)
    order = np.lexsort((number_rank, -year))  # newest first, then by number
    rank = np.empty(pat.num_rows, dt)
    rank[order] = np.arange(pat.num_rows)
    arrays["patent.year"], arrays["patent.rank"] = year, rank


def _codes(column: pa.ChunkedArray) -> tuple[list[str], IntArray]:
    """Sorted distinct values (null as "") and each row's index into them."""
    values = pc.fill_null(column, "")
    names = sorted(pc.unique(values).to_pylist())
    codes = pc.index_in(values, value_set=pa.array(names, pa.string()))
    return names, np.asarray(codes.to_numpy(zero_copy_only=False), dtype=np.int64)


def _organizations(arrays: Arrays, meta: dict[str, Any], org: pa.Table) -> None:
    rank = np.empty(org.num_rows, _index_dtype(org.num_rows))
    rank[_sort_indices(org.column("id"))] = np.arange(org.num_rows)
    patents = np.asarray(pc.fill_null(org.column("patent_count"), 0).to_numpy(), dtype=np.int64)
    countries, country = _codes(org.column("country"))
    kinds, kind = _codes(org.column("kind"))
    arrays["org.rank"], arrays["org.patents"] = rank, patents
    arrays["org.country"] = country.astype(np.int32)
    arrays["org.located"] = np.array([c != "" for c in countries], dtype=bool)[country]
    arrays["org.kind"] = kind.astype(np.int16)
    meta["countries"], meta["kinds"] = countries, kinds


def _cpc(arrays: Arrays, cpc: pa.Table) -> None:
    arrays["cpc.sorted_rows"] = _sort_indices(cpc.column("symbol"))


# -- edges ------------------------------------------------------------------------------------


def _edges(
    arrays: Arrays, meta: dict[str, Any], artifact: Artifact, ids: pa.Array,
    span: dict[NodeLabel, tuple[int, int]],
) -> dict[EdgeType, tuple[IntArray, IntArray]]:
    """End point positions of every edge type (int32 where they fit), and the rows by source
    and by target as CSR offsets: a counting sort, not a comparison sort of 63M rows."""
    n_nodes = len(ids)
    ends = _EndPoints(ids, span)
    read: dict[EdgeType, tuple[IntArray, IntArray]] = {}
    meta["edge_rows"] = {}
    for et in EdgeType:
        rows = artifact.edge_count(et)
        meta["edge_rows"][et.value] = rows
        src, dst = (np.empty(rows, _index_dtype(n_nodes)) for _ in range(2))
        at = 0
        for table in artifact.iter_edge_endpoints(et, _EDGE_BATCH):
            ends.resolve(src, at, table.column("src").chunks)
            ends.resolve(dst, at, table.column("dst").chunks)
            at += table.num_rows
        read[et] = (src, dst)
    ends.finish()
    del ends
    pa.default_memory_pool().release_unused()  # the Arrow tables read: not kept by the pool
    out: dict[EdgeType, tuple[IntArray, IntArray]] = {}
    for et in EdgeType:
        name = f"edge.{et.value}"
        for side, kind, at_ends in (("src", "out", read[et][0]), ("dst", "in", read[et][1])):
            arrays[f"{name}.{side}"] = at_ends
            arrays[f"{name}.{kind}_order"], arrays[f"{name}.{kind}_ptr"] = _by_node(
                at_ends, n_nodes)
        del read[et]
        out[et] = (arrays[f"{name}.src"], arrays[f"{name}.dst"])
    return out


def _index_dtype(bound: int) -> type[np.signedinteger[Any]]:
    """int32 for positions, rows and offsets below `bound` where they fit, else int64: the
    edge arrays at 9.1M patents are half the size (and a build holds half the bytes)."""
    return np.int32 if bound < 2**31 else np.int64


def _by_node(ends: IntArray, n_nodes: int) -> tuple[IntArray, IntArray]:
    """The rows by end point (stable) and each node's first place in that order (`n_nodes + 1`
    offsets): a counting sort (scipy's COO to CSR conversion over one column per row, in C),
    or the identity when the rows are sorted already (edges written by source)."""
    dt = _index_dtype(max(len(ends), n_nodes) + 1)
    ptr = np.zeros(n_nodes + 1, dt)
    np.cumsum(np.bincount(ends, minlength=n_nodes), out=ptr[1:])
    rows = np.arange(len(ends), dtype=dt)
    if len(ends) < 2 or bool(np.all(ends[1:] >= ends[:-1])):
        return rows, ptr
    by = sp.csr_matrix((np.ones(len(ends), np.int8), (ends, rows)), shape=(n_nodes, len(ends)))
    del rows
    return by.indices.astype(dt, copy=False), ptr


class _EndPoints:
    """Node id -> position for edge end points, a batch of edge rows at a time. The nodes of
    the biggest label (the patents: 9.1M of 9.8M nodes) are looked up once, for every edge
    type together, at `finish` (a hash table of them costs ~3 s to build at 9.1M: not once
    per batch); the few others (organisations, CPC classes, ...) against a table of their
    ids only (0.4-0.7M), gathered from batch to batch and looked up together every
    `_FEW_AT_ONCE` ids (and at `finish`): Arrow hashes the table at every lookup (25 lookups
    of 0.3M ids took 1.3 s of the full shared data's 4.2 s index). An id goes to the one or
    the other by its prefix, which names its label (`ttkg.core.model.label_of_id`)."""

    def __init__(self, ids: pa.Array, span: dict[NodeLabel, tuple[int, int]]) -> None:
        self.lo, self.hi = max(span.values(), key=lambda s: s[1] - s[0])
        first = ids[self.lo].as_py() if self.hi > self.lo else None
        self.prefix = first.split(":", 1)[0] + ":" if first and ":" in first else None
        if self.prefix is None:  # no prefix to route by: every id is one of the few
            self.lo = self.hi = 0
        self.ids = ids
        self.few = pa.concat_arrays([ids.slice(0, self.lo), ids.slice(self.hi)])
        # batches waiting for their positions: where they go, their dictionary indices,
        # their dictionaries' positions (-1: not found yet) and which of those are the big
        # label's
        self.waiting: list[tuple[Ints, list[_Part], IntArray, IntArray]] = []
        self.unknown: list[pa.Array] = []
        # the few others' ids not looked up yet, and where their positions go
        self.asked: list[pa.Array] = []
        self.asked_for: list[tuple[IntArray, IntArray]] = []
        self.asked_rows = 0

    def resolve(self, out: Ints, at: int, chunks: list[pa.Array]) -> None:
        """Note the ids in `chunks` (consecutive rows from `at`), whose positions `finish`
        writes to `out`."""
        dictionaries: list[pa.Array] = []
        parts: list[_Part] = []
        base = 0
        for chunk in chunks:
            enc = chunk if pa.types.is_dictionary(chunk.type) else chunk.dictionary_encode()
            if enc.null_count:
                raise ArtifactError("an edge has no end point (a null src or dst)")
            idx = np.asarray(enc.indices.to_numpy(zero_copy_only=False), dtype=np.int32)
            parts.append((at, base, idx))
            dictionaries.append(enc.dictionary.cast(pa.string()))
            at += len(idx)
            base += len(enc.dictionary)
        if not parts:
            return
        values = pa.concat_arrays(dictionaries)
        del dictionaries
        lut = np.full(len(values), -1, np.int64)
        big = (
            np.asarray(pc.starts_with(values, self.prefix).to_numpy(zero_copy_only=False), bool)
            if self.prefix else np.zeros(len(values), bool)
        )
        few = np.flatnonzero(~big)
        if len(few):
            self.asked.append(values if len(few) == len(values)
                              else values.take(arrow_indices(few)))
            self.asked_for.append((lut, few))
            self.asked_rows += len(few)
        unknown = np.flatnonzero(big)
        if len(unknown):
            self.unknown.append(values.take(arrow_indices(unknown)))
        self.waiting.append((out, parts, lut, unknown))
        if self.asked_rows >= _FEW_AT_ONCE:
            self._look_up_few()

    def _look_up_few(self) -> None:
        """The positions of the few others' ids asked so far, in one lookup."""
        if not self.asked:
            return
        asked = pa.chunked_array(self.asked, pa.string())
        found = pc.index_in(asked, value_set=self.few)
        rows = np.asarray(pc.fill_null(found, -1).to_numpy(zero_copy_only=False), np.int64)
        if (rows < 0).any():
            missing = asked[int(np.flatnonzero(rows < 0)[0])].as_py()
            raise ArtifactError(f"edge endpoint {missing} is not a node of the graph")
        rows[rows >= self.lo] += self.hi - self.lo  # an index into `few` -> a position
        at = 0
        for lut, few in self.asked_for:
            lut[few] = rows[at:at + len(few)]
            at += len(few)
        self.asked.clear()
        self.asked_for.clear()
        self.asked_rows = 0

    def finish(self) -> None:
        """Look up the ids waiting (the big label's), and write every batch's positions."""
        self._look_up_few()
        if self.unknown:
            values = pa.chunked_array(self.unknown, pa.string())  # no copy (0.55 GB at 9.1M)
            self.unknown.clear()
            found = pc.index_in(values, value_set=self.ids.slice(self.lo, self.hi - self.lo))
            if found.null_count:
                missing = values.filter(pc.is_null(found))[0].as_py()
                raise ArtifactError(f"edge endpoint {missing} is not a node of the graph")
            positions = np.asarray(found.to_numpy(), np.int64) + self.lo
            del values, found
            at = 0
            for _, _, lut, unknown in self.waiting:
                lut[unknown] = positions[at:at + len(unknown)]
                at += len(unknown)
        for out, parts, lut, _ in self.waiting:
            _gather(out, parts, lut)
        self.waiting.clear()


def _gather(out: Ints, parts: list[_Part], lut: IntArray) -> None:
    for at, base, idx in parts:
        out[at:at + len(idx)] = lut[base + idx]


def _fields(
    arrays: Arrays,
    meta: dict[str, Any],
    span: tuple[int, int],
    broader: tuple[IntArray, IntArray],
) -> None:
    off, end = span
    src, dst = broader
    child = (src >= off) & (src < end)
    sector, fld = dst[child] - off, src[child] - off
    ones = np.ones(len(fld), np.int32)
    sectors = sp.csr_matrix((ones, (sector, fld)), shape=(end - off, end - off))
    _put_csr(arrays, meta, "field.sectors", sectors)


# -- incidence and co-ownership --------------------------------------------------------------


def _incidence(
    arrays: Arrays,
    meta: dict[str, Any],
    edges: dict[EdgeType, tuple[IntArray, IntArray]],
    span: dict[NodeLabel, tuple[int, int]],
) -> None:
    p_off, p_end = span[NodeLabel.PATENT]
    o_off, o_end = span[NodeLabel.ORGANIZATION]
    f_off, f_end = span[NodeLabel.TECHNOLOGY_FIELD]
    c_off, c_end = span[NodeLabel.CPC_CLASS]
    n_pat, n_org, n_fld, n_cpc = p_end - p_off, o_end - o_off, f_end - f_off, c_end - c_off
    src, dst = edges[EdgeType.ASSIGNED_TO]
    p, o = src - p_off, dst - o_off
    po = sp.csr_matrix((np.ones(len(p), np.int32), (p, o)), shape=(n_pat, n_org))
    po.sum_duplicates()
    po.data[:] = 1
    po = _put_csr(arrays, meta, "po", po)
    op = _put_csr(arrays, meta, "op", po.T.tocsr())
    # the same rows newest first (patent rank order): evidence is then a row's first
    # patents that pass a mask, with no sorting per request
    arrays["op_ranked"] = _by_rank(op, arrays["patent.rank"])
    src, dst = edges[EdgeType.IN_FIELD]
    is_patent = (src >= p_off) & (src < p_end)
    pf_p, pf_f = src[is_patent] - p_off, dst[is_patent] - f_off
    pf = sp.csr_matrix((np.ones(len(pf_p), np.int32), (pf_p, pf_f)), shape=(n_pat, n_fld))
    pf = _put_csr(arrays, meta, "pf", pf)
    _put_csr(arrays, meta, "fp", pf.T.tocsr())
    of = _put_csr(arrays, meta, "of", (op @ pf).tocsr())
    # field x org counts, one contiguous row per field (a column of an org x field array
    # is a strided view: every vector operation on it was several times slower)
    arrays["fo_dense"] = np.ascontiguousarray(of.T.toarray(), dtype=np.int64)
    src, dst = edges[EdgeType.CLASSIFIED_AS]
    name = f"edge.{EdgeType.CLASSIFIED_AS.value}"
    in_order, in_ptr = arrays[f"{name}.in_order"], arrays[f"{name}.in_ptr"]
    if len(src) and in_ptr[c_off] == 0 and in_ptr[c_end] == len(src):
        # every edge ends at a CPC class: the rows are the edges by target, already
        # sorted (no COO copy of 63M entries at full size)
        cp = sp.csr_matrix(
            (np.ones(len(src), np.int32), src[in_order] - p_off,
             in_ptr[c_off:c_end + 1] - in_ptr[c_off]),
            shape=(n_cpc, n_pat),
        )
    else:
        cp = sp.csr_matrix(
            (np.ones(len(src), np.int32), (dst - c_off, src - p_off)), shape=(n_cpc, n_pat)
        )
    _put_csr(arrays, meta, "cp", cp)


def _co_ownership(arrays: Arrays, meta: dict[str, Any], n_org: int) -> None:
    po = _csr(arrays, meta, "po")
    op = _csr(arrays, meta, "op")
    co = (op @ po).tocsr()
    co.setdiag(0)
    co.eliminate_zeros()
    co = _put_csr(arrays, meta, "co.counts", co)
    pairs = co.tocoo()
    x, y, w = (a.astype(np.int64) for a in (pairs.row, pairs.col, pairs.data))
    pp_patent, pp_x, pp_y = _per_patent(po)
    # the evidence of a pair is a slice of pair_patents, found by binary search
    once = pp_x < pp_y
    keys = pp_x[once] * n_org + pp_y[once]
    patents = pp_patent[once]
    order = np.lexsort((arrays["patent.rank"][patents], keys))
    org_rank = arrays["org.rank"]
    arrays.update(
        {
            "co.x": x,
            "co.y": y,
            "co.w": w,
            "co.x_first": org_rank[x] < org_rank[y],
            "co.pp_patent": pp_patent,
            "co.pp_x": pp_x,
            "co.pp_y": pp_y,
            "co.pair_keys": keys[order],
            "co.pair_patents": patents[order],
        }
    )


def _per_patent(po: sp.csr_matrix) -> tuple[IntArray, IntArray, IntArray]:
    """(patent, x, y) for every patent with several owners and every two of them, x != y,
    in patent order, then x, then y (each row's owners ascending)."""
    sizes = np.diff(po.indptr).astype(np.int64)
    multi = np.flatnonzero(sizes >= 2)
    if not len(multi):
        empty = np.empty(0, np.int64)
        return empty, empty, empty
    m = sizes[multi]
    # one (patent, i, j) per ordered pair of owner slots i, j of the patent, i != j
    per = m * m
    patent = np.repeat(multi, per)
    start = np.repeat(po.indptr[multi].astype(np.int64), per)
    size = np.repeat(m, per)
    k = np.arange(int(per.sum()), dtype=np.int64) - np.repeat(np.cumsum(per) - per, per)
    i, j = k // size, k % size
    off = i != j
    indices = po.indices.astype(np.int64)
    return patent[off].astype(np.int64), indices[start + i][off], indices[start + j][off]


# -- works (OpenAlex) -----------------------------------------------------------------------


def _works(
    arrays: Arrays,
    meta: dict[str, Any],
    tables: dict[NodeLabel, pa.Table],
    edges: dict[EdgeType, tuple[IntArray, IntArray]],
    span: dict[NodeLabel, tuple[int, int]],
) -> None:
    """Works as the research queries count them: work x organisation (AUTHORED_BY, 0/1),
    research field x work with the taxonomy closure (a work is in a field when one of its
    topics is that field or falls under it through BROADER), each work's year and rank
    (newest first, no year last, then id), and co-authorship like co-ownership."""
    w_off, w_end = span[NodeLabel.WORK]
    o_off, o_end = span[NodeLabel.ORGANIZATION]
    r_off, r_end = span[NodeLabel.RESEARCH_FIELD]
    n_work, n_org, n_res = w_end - w_off, o_end - o_off, r_end - r_off
    work = tables[NodeLabel.WORK]
    year = (
        np.asarray(pc.fill_null(work.column("year"), -1).to_numpy(), dtype=np.int32)
        if n_work and "year" in work.column_names
        else np.full(n_work, -1, np.int32)
    )
    id_rank = np.empty(n_work, np.int64)
    id_rank[_sort_indices(work.column("id"))] = np.arange(n_work)
    order = np.lexsort((id_rank, -year.astype(np.int64)))  # newest first (-1 last), then id
    rank = np.empty(n_work, np.int64)
    rank[order] = np.arange(n_work)
    arrays["work.year"], arrays["work.rank"] = year, rank
    src, dst = edges[EdgeType.AUTHORED_BY]
    ok = (src >= w_off) & (src < w_end) & (dst >= o_off) & (dst < o_end)
    wo = sp.csr_matrix(
        (np.ones(int(ok.sum()), np.int32), (src[ok] - w_off, dst[ok] - o_off)),
        shape=(n_work, n_org),
    )
    wo.sum_duplicates()
    wo.data[:] = 1
    wo = _put_csr(arrays, meta, "wo", wo)
    ow = _put_csr(arrays, meta, "ow", wo.T.tocsr())
    arrays["ow_ranked"] = _by_rank(ow, rank)
    # research field x its ancestors (itself included), then work x field through topics
    src, dst = edges[EdgeType.BROADER]
    ok = (src >= r_off) & (src < r_end) & (dst >= r_off) & (dst < r_end)
    parent = sp.csr_matrix(
        (np.ones(int(ok.sum()), np.int32), (src[ok] - r_off, dst[ok] - r_off)),
        shape=(n_res, n_res),
    )
    closure = sp.identity(n_res, dtype=np.int32, format="csr")
    step = closure
    for _ in range(n_res):
        step = (step @ parent).tocsr()
        if not step.nnz:
            break
        closure = closure + step
    src, dst = edges[EdgeType.HAS_TOPIC]
    ok = (src >= w_off) & (src < w_end) & (dst >= r_off) & (dst < r_end)
    wt = sp.csr_matrix(
        (np.ones(int(ok.sum()), np.int32), (src[ok] - w_off, dst[ok] - r_off)),
        shape=(n_work, n_res),
    )
    wr = (wt @ closure).tocsr()
    wr.data[:] = 1
    _put_csr(arrays, meta, "rw", wr.T.tocsr())
    levels = tables[NodeLabel.RESEARCH_FIELD]
    arrays["research.is_field"] = (
        np.array([lv == "field" for lv in levels.column("level").to_pylist()], dtype=bool)
        if "level" in levels.column_names
        else np.zeros(n_res, dtype=bool)
    )
    _co_authorship(arrays, meta, wo, n_org)


def _co_authorship(arrays: Arrays, meta: dict[str, Any], wo: sp.csr_matrix, n_org: int) -> None:
    """Organisation x organisation co-authored works (zero diagonal), and every co-authored
    work once per unordered pair: keys lo * organisations + hi ascending, newest first
    within a key (`cw.pair_keys`, `cw.pair_works`)."""
    co = (wo.T.tocsr() @ wo).tocsr()
    co.setdiag(0)
    co.eliminate_zeros()
    _put_csr(arrays, meta, "cw.counts", co)
    work, x, y = _per_patent(wo)
    once = x < y
    keys, works = x[once] * n_org + y[once], work[once]
    order = np.lexsort((arrays["work.rank"][works], keys))
    arrays["cw.pair_keys"], arrays["cw.pair_works"] = keys[order], works[order]


def _country_patents(arrays: Arrays, meta: dict[str, Any], n_countries: int) -> None:
    """Country code x patent: 1 where an organisation located there holds the patent."""
    po = _csr(arrays, meta, "po")
    located = np.flatnonzero(arrays["org.located"])
    oc = sp.csr_matrix(
        (np.ones(len(located), np.int32), (located, arrays["org.country"][located])),
        shape=(po.shape[1], n_countries),
    )
    cp = (po @ oc).T.tocsr()
    cp.data[:] = 1
    _put_csr(arrays, meta, "country_patents", cp)


def _year_counts(arrays: Arrays, meta: dict[str, Any], cpc: pa.Table) -> None:
    """Profile counts by grant year (`year_counts`): of each WIPO field or sector (`tf.*`;
    a sector's patents are those of its fields, as selections are made) and of each CPC
    subclass (`sc.*`, with its patents)."""
    bucket, n_buckets = year_buckets(arrays["patent.year"], meta)
    fp = _csr(arrays, meta, "fp")
    sectors = _csr(arrays, meta, "field.sectors")
    has_fields = np.diff(sectors.indptr) > 0
    own = sp.diags((~has_fields).astype(np.int32), dtype=np.int32) @ fp  # a sector: its fields
    sel = (own + sectors @ fp).tocsr()
    sel.data[:] = 1
    sel.eliminate_zeros()
    pf, country_patents = _csr(arrays, meta, "pf"), _csr(arrays, meta, "country_patents")
    selection_counts(arrays, "tf", sel, bucket, n_buckets, pf, country_patents)
    subclass_counts(arrays, meta, cpc.column("symbol"), _csr(arrays, meta, "cp"), bucket,
                    n_buckets, pf, country_patents, _csr(arrays, meta, "po"))


def _family_holders(arrays: Arrays, meta: dict[str, Any], org: pa.Table) -> None:
    """The family level's holders, stored under `fam.` (`fam.head`: each organisation's
    family head row, from `family_id`; a head that is not an organisation of the graph: its
    own family; then `holder_index`'s arrays over the heads' rows), so that the first
    family-level query maps them instead of computing them (1.6 s CPU at 1M patents)."""
    n = org.num_rows
    head = np.arange(n, dtype=np.int64)
    if "family_id" in org.column_names and n:
        ids = org.column("id").cast(pa.string())
        found = pc.index_in(org.column("family_id").cast(pa.string()), value_set=ids)
        rows = np.asarray(pc.fill_null(found, -1).to_numpy(zero_copy_only=False), np.int64)
        head = np.where(rows >= 0, rows, head)
    member = sp.csr_matrix((np.ones(n, np.int32), (np.arange(n), head)), shape=(n, n))
    held = holder_index(
        _csr(arrays, meta, "po") @ member,
        _csr(arrays, meta, "pf"),
        arrays["patent.rank"],
        arrays["org.rank"],
    )
    arrays["fam.head"] = head
    for name, arr in held.arrays.items():
        if name not in ("patent.rank", "org.rank"):
            arrays[f"fam.{name}"] = arr
    for name, shape in held.meta["shapes"].items():
        meta["shapes"][f"fam.{name}"] = shape


# -- the entity graph of path queries -------------------------------------------------------

#: Stored edges the entity graph walks as they are (weight 1), by their type's name.
_STRUCTURAL: Final = (EdgeType.LOCATED_IN, EdgeType.PART_OF, EdgeType.ACTS_FOR, EdgeType.BROADER)


def _paths(
    arrays: Arrays,
    meta: dict[str, Any],
    edges: dict[EdgeType, tuple[IntArray, IntArray]],
    span: dict[NodeLabel, tuple[int, int]],
) -> None:
    """The entity graph over the entity nodes' local indices (their place in
    `entity_nodes`): each relation's hops (`path.<relation>.*`: CO_ASSIGNED and CO_AUTHORED
    from the smaller id to the larger, ACTIVE_IN from organisation to WIPO field, the
    structural edges as stored but those from CPC classes and research fields), each
    node's rank in id order (`path.rank`, the search's tie-break), and the walks of
    `STORED_WALKS` (`walk.<name>.*`)."""
    nodes = arrays["entity_nodes"]
    n = len(nodes)
    o_off, f_off = span[NodeLabel.ORGANIZATION][0], span[NodeLabel.TECHNOLOGY_FIELD][0]

    def local(positions: npt.NDArray[Any]) -> IntArray:
        return np.searchsorted(nodes, positions.astype(np.int64))

    once = arrays["co.x_first"]  # each co-owning pair as (smaller id, larger id)
    ends: dict[str, tuple[IntArray, IntArray, IntArray]] = {
        "CO_ASSIGNED": (local(arrays["co.x"][once] + o_off), local(arrays["co.y"][once] + o_off),
                        arrays["co.w"][once].astype(np.int64)),
    }
    of = _csr(arrays, meta, "of").tocoo()
    ends["ACTIVE_IN"] = (local(of.row + o_off), local(of.col + f_off), of.data.astype(np.int64))
    cw = _csr(arrays, meta, "cw.counts").tocoo()
    upper = cw.col > cw.row
    a, b = cw.row[upper], cw.col[upper]
    first = arrays["org.rank"][a] < arrays["org.rank"][b]  # (smaller id, larger id)
    ends["CO_AUTHORED"] = (local(np.where(first, a, b) + o_off),
                           local(np.where(first, b, a) + o_off), cw.data[upper].astype(np.int64))
    c_lo, c_hi = span[NodeLabel.CPC_CLASS]
    r_lo, r_hi = span[NodeLabel.RESEARCH_FIELD]
    for et in _STRUCTURAL:
        src, dst = edges[et]
        keep = ((src < c_lo) | (src >= c_hi)) & ((src < r_lo) | (src >= r_hi))
        ends[et.value] = (local(src[keep]), local(dst[keep]), np.ones(int(keep.sum()), np.int64))
    parts: dict[str, Hops] = {}
    for name, (src, dst, weight) in ends.items():
        parts[name] = Hops(src, dst, weight, *walk_by_node(src, dst, n))
        for field_name in ("src", "dst", "weight", "by_node", "node_ptr"):
            arrays[f"path.{name}.{field_name}"] = getattr(parts[name], field_name)
    id_rank = np.empty(len(arrays["id_order"]), np.int64)
    id_rank[arrays["id_order"]] = np.arange(len(id_rank))
    rank = np.empty(n, np.int64)
    rank[np.argsort(id_rank[nodes])] = np.arange(n)
    arrays["path.rank"] = rank
    names = sorted(parts)
    meta["path"] = {"relations": names, "walks": {}}
    for key, left_out in STORED_WALKS.items():
        via = [r for r in names if r not in left_out]
        arrays.update(walk_arrays(f"walk.{key}", build_walk(parts, names, via, n)))
        meta["path"]["walks"][key] = via
        meta["shapes"][f"walk.{key}"] = [n, n]


def _csr(arrays: Arrays, meta: dict[str, Any], name: str) -> sp.csr_matrix:
    data, indices, indptr = (arrays[f"{name}.{p}"] for p in CSR_PARTS)
    return sp.csr_matrix((data, indices, indptr), shape=tuple(meta["shapes"][name]))
