"""Embedded backend: the artifact loaded in-process, no server.

It answers the contract from a `MemoryIndex` mapped at open (compact integer arrays and CSR
matrices, so that aggregates such as bridges, partners and profiles are row reads and sparse
products and stay fast at full PatentsView scale: scipy is imported by the first product,
not at open), and keeps only small caches of its own: selection masks and the records and
patent references it showed.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Callable, Collection, Iterable, Sequence
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from ttkg.core.model import EdgeType, NodeLabel, id_candidates, label_of_id
from ttkg.graph.artifact import Artifact, table_row
from ttkg.graph.backends.contract import (
    CoOwnershipRow,
    Direction,
    FieldSet,
    FieldSpec,
    Filters,
    FlowCounts,
    FoundPath,
    GraphBackend,
    Neighbor,
    NodeRecord,
    PatentRef,
    Relation,
    RelationHop,
    ResearchCounts,
    Side,
    WorkRef,
    WorkRow,
    YearlyMembership,
    cpc_activity,
    field_parts,
)
from ttkg.graph.backends.memory import flows, research
from ttkg.graph.backends.memory.bridges import (
    distinct,
    marked_rows,
    org_evidence_total,
    orient_pairs,
    passes,
    selection_bits,
    stored_direct,
    stored_pair,
    stored_partnerships,
)
from ttkg.graph.backends.memory.index import IntArray, MemoryIndex, year_block
from ttkg.graph.backends.memory.research import WorkArrays
from ttkg.graph.backends.memory.works import WorksIndex, load_once
from ttkg.graph.backends.pathsearch import search_paths
from ttkg.graph.indexing import INDEX_DIR
from ttkg.graph.indexing.bridges import (
    BRIDGES_DIR,
    StoredBridges,
    bucket_years,
    open_bridges,
    summed_buckets,
)
from ttkg.graph.indexing.fuzzy import FUZZY_DIR, FuzzyNames, named_rows, read_fuzzy
from ttkg.graph.indexing.residency import bring_into_page_cache

if TYPE_CHECKING:  # networkx costs ~0.5 s to import: only the entity graph needs it
    import networkx as nx

__all__ = ["MemoryBackend", "contenders", "first_ranked"]

log = logging.getLogger(__name__)

_LABELS = tuple(NodeLabel)  # in the order of their positions
_LABEL_ORDER = {label: i for i, label in enumerate(_LABELS)}
#: Entries of the selection cache (patent masks, per-organisation counts and masks, pair rows).
_SELECTIONS = 128
#: Bytes of its own arrays the selection cache holds at most, per process (a 9.1M patents'
#: mask is 9 MB, a big selection's patent rows up to 36 MB: 128 of those would be 4.6 GB).
_SELECTION_BYTES = 512 << 20
#: Entries of each cache of things shown: patent references, nodes, edge properties.
_SHOWN = 1 << 16
#: Neighbours of one kind beyond which Arrow picks the first ones by id (below, Python sorts
#: them faster than Arrow starts).
_MANY = 1024
#: Rows per item of the page sampled by `contenders` to bound a partial sort of many rows.
_SAMPLED = 64


def _own_bytes(arr: npt.NDArray[Any]) -> int:
    """Memory an array holds of its own (none for a view, of the mapped index say)."""
    return arr.nbytes if arr.flags.owndata else 0


def _keys(parts: Iterable[FieldSpec]) -> tuple[tuple[str, str, str], ...]:
    """A selection's cache key: its parts' (kind, value, node id), sorted (a union)."""
    return tuple(sorted({(p.kind, p.value, p.node_id) for p in parts}))


def _frozen_items(props: dict[str, Any]) -> tuple[tuple[str, Any], ...]:
    """A row's properties as a tuple of pairs, lists as tuples: only immutable atoms, which
    the garbage collector stops tracking."""
    return tuple((k, tuple(v) if isinstance(v, list) else v) for k, v in props.items())


def _thawed(items: tuple[tuple[str, Any], ...]) -> dict[str, Any]:
    """The properties back as a new dict, tuples as new lists."""
    return {k: list(v) if isinstance(v, tuple) else v for k, v in items}


def _within(year: npt.NDArray[Any], filters: Filters) -> npt.NDArray[np.bool_]:
    """Which grant years (-1: none) are within the filters' years."""
    keep = np.ones(len(year), dtype=bool)
    if filters.year_from is not None:
        keep &= year >= filters.year_from
    if filters.year_to is not None:
        keep &= (year <= filters.year_to) & (year >= 0)
    return keep


def _positions(indptr: IntArray, rows: IntArray) -> IntArray:
    """Positions (into a CSR matrix's indices and data) of every entry of some rows, rows in
    the given order."""
    starts = indptr[rows].astype(np.int64)
    sizes = indptr[rows + 1].astype(np.int64) - starts
    total = int(sizes.sum())
    at: IntArray = np.arange(total, dtype=np.int64) + np.repeat(
        starts - (np.cumsum(sizes) - sizes), sizes
    )
    return at


def _row_entries(indices: IntArray, indptr: IntArray, rows: IntArray) -> IntArray:
    """`indices` of every entry of some rows of a CSR matrix, rows in the given order: a
    slice, no positions made, when the rows are one ascending run (a CPC subclass's classes:
    hundreds of thousands of entries at 9.1M patents)."""
    if len(rows) and int(rows[-1]) - int(rows[0]) == len(rows) - 1 and (
            len(rows) == 1 or bool((np.diff(rows) == 1).all())):
        return indices[int(indptr[rows[0]]) : int(indptr[rows[-1] + 1])]
    return indices[_positions(indptr, rows)]


def _spans(indptr: IntArray, indices: IntArray, rows: IntArray) -> tuple[IntArray, IntArray]:
    """The entries of some rows of a CSR matrix: (place of the row in `rows`, column) for
    every entry, rows in the given order."""
    sizes = indptr[rows + 1].astype(np.int64) - indptr[rows].astype(np.int64)
    which = np.repeat(np.arange(len(rows), dtype=np.int64), sizes)
    return which, indices[_positions(indptr, rows)].astype(np.int64)


def first_ranked(n: int, keys: Sequence[IntArray]) -> IntArray:
    """Indices of the n first rows in ascending lexicographic order of `keys` (primary key
    first). Exact: a partial sort on the primary key keeps every row that can be among the
    first n (ties on the cut included), and only those are fully sorted; a full lexsort of
    thousands of rows costs a millisecond."""
    idx = contenders(keys[0], n)
    if len(idx) < len(keys[0]):
        keys = [k[idx] for k in keys]
    return idx[np.lexsort(tuple(reversed(keys)))[:n]]


def contenders(primary: IntArray, n: int) -> IntArray:
    """Indices of the rows that can be among the n first in ascending order of `primary`
    (ties on the cut included), ascending: every row when there are few."""
    size = len(primary)
    if n <= 0 or size == 0:
        return np.empty(0, np.int64)
    if size <= 2 * n:
        return np.arange(size)
    if size >= _SAMPLED * n * 16:
        # a bound first: the n-th smallest of an evenly spread sample is at least the n-th
        # smallest of all, so the rows up to it hold every contender; only those are
        # partitioned (1.5M rows: ~2 ms, not the ~19 ms of a partition of a copy of all)
        sample = primary[:: size // (_SAMPLED * n)]
        idx = np.flatnonzero(primary <= np.partition(sample, n - 1)[n - 1])
        if len(idx) <= size // 4:
            near = primary[idx]
            kept: IntArray = idx[near <= np.partition(near, n - 1)[n - 1]]
            return kept
    return np.flatnonzero(primary <= np.partition(primary, n - 1)[n - 1])


class MemoryBackend(GraphBackend):
    """The default backend: loads a graph artifact into memory in seconds."""

    name = "memory"

    def __init__(self, artifact: Artifact) -> None:
        started = time.perf_counter()
        self.index = MemoryIndex.from_artifact(artifact)
        self._sel_cache: dict[tuple[Any, ...], npt.NDArray[Any]] = {}
        self._sel_bytes = 0  # of the cached arrays that own their data
        # stored selection -> its co-owned rows by grant year (`_pair_rows_by_year`)
        self._pair_rows_years: dict[int, tuple[npt.NDArray[np.int32], npt.NDArray[Any]]] = {}
        self._cache_lock = threading.Lock()
        # answers show the same (recent, busy) patents, nodes and edges again and again. The
        # caches hold tuples, strings and numbers only, with keys of the same: objects the
        # garbage collector stops tracking, so that full caches (~200k entries) add nothing
        # to what every full collection walks (dataclasses, enums and lists in them did)
        self._patent_row = lru_cache(maxsize=_SHOWN)(self._read_patent_row)
        self._node_row = lru_cache(maxsize=_SHOWN)(self._read_node_row)
        self._edge_row = lru_cache(maxsize=_SHOWN)(self._read_edge_row)
        self._works: dict[str, WorksIndex] = {}  # read on first use
        self.flow_universes: dict[str, Any] = {}  # `flows`' stored rows, built on first use
        self.work_arrays = WorkArrays.load(self.index)  # works in the serving index
        self.load_seconds = time.perf_counter() - started
        log.info("loaded %s in %.2f s", artifact.path, self.load_seconds)

    @cached_property
    def stored_bridges(self) -> StoredBridges | None:
        """The stored bridge selections of the index (`ttkg.graph.indexing.bridges`), mapped
        on first use; None for a graph without them (bridges are then computed)."""
        return open_bridges(self.index.artifact.path / INDEX_DIR / BRIDGES_DIR, self.index.data)

    @cached_property
    def _subclass_rows(self) -> dict[str, int]:
        """The stored CPC subclasses' rows of `sc.*` (`ttkg.graph.indexing.year_counts`) by
        symbol; none for an index built before them (their profiles are then computed)."""
        data = self.index.data
        if "sc.years" not in data.arrays or "sc.orgs.indptr" not in data.arrays:
            return {}
        return {symbol: row for row, symbol in enumerate(data.meta.get("subclasses", []))}

    def _stored_subclass(self, spec: FieldSpec) -> int | None:
        """A CPC subclass's row of the stored `sc.*` arrays; None for anything else."""
        return self._subclass_rows.get(spec.value) if spec.kind == "cpc" else None

    def _subclass_patents(self, row: int) -> IntArray:
        """A stored CPC subclass's patents, ascending (a slice of the stored arrays)."""
        data = self.index.data
        ptr = data.array("sc.patents.indptr")
        found: IntArray = data.array("sc.patents.indices")[int(ptr[row]) : int(ptr[row + 1])]
        return found

    @cached_property
    def _stored_fuzzy(self) -> FuzzyNames | None:
        return read_fuzzy(self.index.artifact.path / INDEX_DIR / FUZZY_DIR)

    def fuzzy_names(self) -> FuzzyNames | None:
        return self._stored_fuzzy

    @classmethod
    def open(cls, graph_dir: Path | str | None = None) -> MemoryBackend:
        """Load the current graph of a graph directory (default: the per-user data folder)."""
        return cls(Artifact.open(graph_dir))

    @property
    def entity_graph(self) -> nx.MultiGraph:
        """networkx MultiGraph of organisations, fields, countries and their relations (the
        graph path queries walk), built on first use. Read-only."""
        return self.index.entity_graph

    def best_paths(
        self,
        source: str,
        target: str,
        via: Collection[Relation],
        max_hops: int,
        k: int,
        deadline: float,
    ) -> list[FoundPath]:
        """The reference answer, from the vectorised search when the paths have at most
        four hops and both end points are entities (not patents), else from the reference
        search itself."""
        ix = self.index
        a, b = ix.nodes.position.get(source), ix.nodes.position.get(target)
        la = None if a is None else ix.entity_local(a)
        lb = None if b is None else ix.entity_local(b)
        if la is not None and lb is not None:
            found = ix.path_index.best_paths(la, lb, via, max_hops, k, deadline)
            if found is not None:
                return found
        return search_paths(self, source, target, via, max_hops, k, deadline)

    # -- metadata ----------------------------------------------------------------------------

    def manifest(self) -> dict[str, Any]:
        manifest: dict[str, Any] = self.index.artifact.manifest
        return manifest

    def node_counts(self) -> dict[str, int]:
        tables = self.index.nodes.tables
        return {label.value: t.num_rows for label, t in tables.items() if t.num_rows}

    def edge_counts(self) -> dict[str, int]:
        edges = self.index.edges
        return {et.value: e.rows for et, e in edges.items() if e.rows}

    # -- entities ----------------------------------------------------------------------------

    def _read_node_row(self, i: int) -> tuple[tuple[str, Any], ...]:
        nodes = self.index.nodes
        label = nodes.label(i)
        props = table_row(self.index.node_table(label), i - nodes.offset[label])
        props.pop("id")
        return _frozen_items(props)

    def _read_edge_row(self, et: str, row: int) -> tuple[tuple[str, Any], ...]:
        return _frozen_items(self.index.edges[EdgeType(et)].props(row))

    def _edge_props(self, et: EdgeType, row: int) -> dict[str, Any]:
        """Properties of an edge row (a new dict per call)."""
        return _thawed(self._edge_row(et.value, row))

    def _record(self, i: int, node_id: str | None = None) -> NodeRecord:
        """The node at position i (whose id is node_id, when the caller has it), with its own
        props (callers may change them)."""
        nodes = self.index.nodes
        node_id = nodes.ids[i] if node_id is None else node_id
        return NodeRecord(node_id, nodes.label(i), _thawed(self._node_row(i)))

    def get_nodes(self, ids: Sequence[str]) -> dict[str, NodeRecord]:
        position = self.index.nodes.position
        return {n: self._record(position[n]) for n in ids if n in position}

    def _code_matches(self, text: str, labels: Collection[NodeLabel] = ()) -> list[int]:
        candidates, upper = id_candidates(text)
        found: list[int] = []
        for c in candidates:
            label = label_of_id(c)  # every node id's prefix names its label
            if label is None or (labels and label not in labels):
                continue  # no node has this id, or not one asked for: no binary search
            i = self.index.nodes.position.get(c)
            if i is not None and i not in found:
                found.append(i)
        i = self.index.names.country_code.get(upper)
        if i is not None and i not in found:
            found.append(i)
        return found

    def _ordered(
        self, nodes: Iterable[int], labels: Collection[NodeLabel], limit: int
    ) -> list[NodeRecord]:
        """The first `limit` nodes (of `labels`, when given) by label, patents (most first)
        and id. Organisations come first (their label's order) and are ranked by their
        stored patent counts and rank in id order, a partial sort of integers: a short
        prefix can match thousands of them (3.4 ms per search at 9.1M patents when each
        had its id read for a Python sort); the few others are sorted in Python."""
        label, ids = self.index.nodes.label, self.index.nodes.ids
        orgs = self.index.orgs
        uniq = {n for n in nodes if not labels or label(n) in labels}
        mine = np.fromiter((n for n in uniq if 0 <= n - orgs.off < orgs.n), np.int64)
        rows = mine - orgs.off
        keys = [-orgs.patents[rows].astype(np.int64), orgs.rank[rows].astype(np.int64)]
        ranked: list[int] = mine[first_ranked(limit, keys)].tolist() if len(mine) else []
        if len(ranked) < limit:
            rest = sorted((n for n in uniq if not 0 <= n - orgs.off < orgs.n),
                          key=lambda n: (_LABEL_ORDER[label(n)], ids[n]))
            ranked += rest[: limit - len(ranked)]
        return [self._record(n) for n in ranked[:limit]]

    def lookup(
        self, text: str, labels: Collection[NodeLabel] = (), limit: int = 10
    ) -> list[NodeRecord]:
        hits = self._code_matches(text, labels) + self.index.names.exact(text.strip().casefold())
        return self._ordered(hits, labels, limit)

    def search_prefix(
        self, text: str, labels: Collection[NodeLabel] = (), limit: int = 10
    ) -> list[NodeRecord]:
        key = text.strip().casefold()
        if not key:
            return []
        return self._ordered(self.index.names.prefixed(key), labels, limit)

    def names(self, labels: Collection[NodeLabel]) -> list[tuple[str, str]]:
        return [row for label in NodeLabel if label in labels
                for row in named_rows(self.index.nodes.tables[label])]

    def neighbors(self, node_id: str, limit: int = 50) -> list[Neighbor]:
        nodes = self.index.nodes
        i = nodes.position.get(node_id)
        if i is None:
            return []
        out: list[Neighbor] = []
        for et in EdgeType:
            e = self.index.edges[et]
            sides: tuple[tuple[Direction, IntArray, IntArray], ...] = (
                ("out", e.out_rows(i), e.dst),
                ("in", e.in_rows(i), e.src),
            )
            for direction, rows, ends in sides:
                if not len(rows):
                    continue
                at = ends[rows]  # the other ends' positions: no lookup of them by id
                if len(rows) > limit:  # read only the ids that can make the page
                    keep = self._first_by_id(at, limit)
                    if keep is not None:
                        rows, at = rows[keep], at[keep]
                found = zip(nodes.ids.take(at), rows.tolist(), at.tolist(), strict=True)
                out.extend(
                    Neighbor(et, direction, self._record(p, o), self._edge_props(et, r))
                    for o, r, p in sorted(found)[:limit]
                )
        return out

    def _first_by_id(self, at: IntArray, n: int) -> IntArray | None:
        """Indices into `at` (node positions), ascending, of nodes that can be among the n
        smallest ids: those n and their ties, and maybe a few more (None: all of them, when
        few); the caller sorts the ones kept by id. Per label (the ends of one edge type may
        be of several: the patents and CPC classes in a field), the first n by id: nodes
        whose positions follow their ids (patents) by position, organisations by their
        stored rank in id order (a partial sort of integers, no id read: Arrow selecting
        among the ids of a field's 1.5M patents cost 45 ms at 9.1M patents), others by
        Arrow, their ids read, when many."""
        nodes = self.index.nodes
        first, last = nodes.label(int(at.min())), nodes.label(int(at.max()))
        if first is last:
            return self._first_of_label(first, at, None, n)
        picked: list[IntArray] = []
        for label in _LABELS[_LABEL_ORDER[first] : _LABEL_ORDER[last] + 1]:
            lo, hi = nodes.span(label)
            within = (at >= lo) & (at < hi)
            if within.any():
                picked.append(self._first_of_label(label, at, within, n))
        return np.sort(np.concatenate(picked))

    def _first_of_label(
        self, label: NodeLabel, at: IntArray, within: npt.NDArray[np.bool_] | None, n: int
    ) -> IntArray:
        """`_first_by_id` among the entries of `at` that are nodes of `label` (`within`;
        None: all of them)."""
        ix = self.index
        key: IntArray | None = None  # rising with the id, for the label's nodes
        if label in ix.id_ordered:
            key = at
        elif label is NodeLabel.ORGANIZATION:
            key = ix.orgs.rank[np.clip(at - ix.orgs.off, 0, ix.orgs.n - 1)]
        if key is not None:
            if within is None:
                return contenders(key, n)
            found = contenders(np.where(within, key, np.iinfo(key.dtype).max), n)
            return found[within[found]]
        inside = np.arange(len(at)) if within is None else np.flatnonzero(within)
        if len(inside) <= max(n, _MANY):
            return inside
        return inside[ix.nodes.ids.first_in_order(at[inside], n)]

    def edge_properties(self, src: str, edge_type: EdgeType, dst: str) -> dict[str, Any]:
        """One edge's row read (`neighbors` reads every edge at src with its end node: up
        to 500 patents of an organisation, each a row group read when cold, 1.2 s at 9.1M)."""
        position = self.index.nodes.position
        i, j = position.get(src), position.get(dst)
        if i is None or j is None:
            return {}
        e = self.index.edges[edge_type]
        rows = e.out_rows(i)
        rows = rows[e.dst[rows] == j]
        if not len(rows):
            return {}
        props = self._edge_props(edge_type, int(rows.min()))
        return {k: v for k, v in props.items() if v is not None}

    # -- selections ----------------------------------------------------------------------------

    def _selection(self, spec: FieldSet, filters: Filters) -> npt.NDArray[np.bool_]:
        """Boolean patent mask of a selection (the union of its parts) and year range (cached;
        callers must not modify)."""
        parts = field_parts(spec)
        if len(parts) > 1:
            key: tuple[Any, ...] = ("union", _keys(parts), filters.year_from, filters.year_to)
            return self._cached(key, lambda: np.logical_or.reduce(
                [self._selection(p, filters) for p in parts]))
        one = parts[0]
        key = ("sel", one.kind, one.value, one.node_id, filters.year_from, filters.year_to)
        return self._cached(key, lambda: self._compute_selection(one, filters))

    def _cached(
        self, key: tuple[Any, ...], compute: Callable[[], npt.NDArray[Any]]
    ) -> npt.NDArray[Any]:
        """A small shared cache of read-only arrays (selections, year masks, org counts),
        least recently used out: the few masks most requests read (organisation sides, whole
        fields) stay while the arrays of one year range come and go."""
        hit = self._sel_cache.get(key)
        if hit is not None:
            with self._cache_lock:  # the newest again (a dict keeps its insertion order)
                if self._sel_cache.pop(key, None) is not None:
                    self._sel_cache[key] = hit
        else:
            hit = compute()
            hit.flags.writeable = False
            size = _own_bytes(hit)
            with self._cache_lock:  # the least recent out, to at most _SELECTIONS entries and
                # _SELECTION_BYTES of arrays of their own (views of the index cost nothing)
                if size <= _SELECTION_BYTES and key not in self._sel_cache:
                    while self._sel_cache and (len(self._sel_cache) >= _SELECTIONS or
                                               self._sel_bytes + size > _SELECTION_BYTES):
                        oldest = self._sel_cache.pop(next(iter(self._sel_cache)))
                        self._sel_bytes -= _own_bytes(oldest)
                    self._sel_cache[key] = hit
                    self._sel_bytes += size
        return hit

    def _year_mask(self, filters: Filters) -> npt.NDArray[np.bool_] | None:
        if filters.year_from is None and filters.year_to is None:
            return None
        return self._cached(
            ("years", filters.year_from, filters.year_to), lambda: self._compute_years(filters)
        )

    def _compute_years(self, filters: Filters) -> npt.NDArray[np.bool_]:
        spans = self.index.year_spans(filters.year_from, filters.year_to)
        if spans is None:
            return _within(self.index.patents.year, filters)
        mask = np.zeros(self.index.patents.n, dtype=bool)
        for lo, hi in spans:
            mask[lo:hi] = True
        return mask

    def _in_years(self, patents: IntArray, filters: Filters, ascending: bool
                  ) -> npt.NDArray[np.bool_]:
        """Which patent rows are within the filters' years: from the rows' year spans
        (`MemoryIndex.year_spans`), no read of their years (a gather over the 9.1M years:
        ~10 ms for a field's 1.5M patents); binary searches when `patents` ascend."""
        spans = self.index.year_spans(filters.year_from, filters.year_to)
        if spans is None:
            return _within(self.index.patents.year[patents], filters)
        keep = np.zeros(len(patents), dtype=bool)
        for lo, hi in spans:
            if ascending:
                a, b = patents.searchsorted(np.array([lo, hi], patents.dtype))
                keep[a:b] = True
            else:
                keep |= (patents >= lo) & (patents < hi)
        return keep

    def _few_patents(self, spec: FieldSet, filters: Filters) -> IntArray | None:
        """`_selection_patents` when they are at most a sixteenth of all patents: then their
        holders are read faster than a product over every patent (at 9.1M: 7 ms for 460k
        patents, 120 ms the product; 2.3M patents' holders 250 ms)."""
        patents = self._selection_patents(spec, filters)
        return None if patents is None or len(patents) > self.index.patents.n // 16 else patents

    def _compute_selection(self, spec: FieldSpec, filters: Filters) -> npt.NDArray[np.bool_]:
        mask = self._stored_section(spec)
        if mask is None:
            patents = self._selection_patents(spec, filters)
            if patents is not None:
                found = np.zeros(self.index.patents.n, dtype=bool)
                found[patents] = True
                return found
            mask = self._rows_mask(spec)
        years = self._year_mask(filters)
        return mask if years is None else mask & years

    def _rows_mask(self, spec: FieldSpec) -> npt.NDArray[np.bool_]:
        """A selection's patents (every year) as a mask, from its rows of field x patent or
        CPC x patent."""
        ix = self.index
        mask = np.zeros(ix.patents.n, dtype=bool)
        if spec.kind in ("wipo_field", "wipo_sector"):
            fp = ix.incidence.fp
            row = ix.nodes.position[spec.node_id] - ix.fields.off
            fields = [row] if spec.kind == "wipo_field" else ix.fields.of_sector(row)
            for f in fields:
                mask[fp.indices[fp.indptr[f] : fp.indptr[f + 1]]] = True
        else:
            rows = ix.cpc_rows(spec.value)
            if len(rows):
                cp = ix.incidence.cp
                mask[_row_entries(cp.indices, cp.indptr, rows)] = True
        return mask

    def _stored_cpc(self, spec: FieldSpec) -> int | None:
        """The stored selection (`index/bridges/`) of a CPC section; None for anything else."""
        stored = self.stored_bridges
        return None if stored is None or spec.kind != "cpc" else stored.find(
            spec.kind, spec.value, spec.node_id)

    def _stored_section(self, spec: FieldSpec) -> npt.NDArray[np.bool_] | None:
        """The patents of a stored CPC section as a mask, from the stored `patent_bits` (a
        pass over a byte of 9.1M patents: 5-9 ms), not gathered from the tens of thousands
        of CPC x patent rows it spans (0.4-3 s at 9.1M for section H); None for anything
        else."""
        s = self._stored_cpc(spec)
        return None if s is None else self.stored_bridges.patent_mask(s)  # type: ignore[union-attr]

    def _selection_patents(
        self, spec: FieldSet, filters: Filters, outside: bool = False
    ) -> IntArray | None:
        """Patent rows of a selection within the years, ascending, read from its own rows of
        the field x patent and CPC x patent matrices (cached); None when those rows hold more
        entries than half the patents (then a mask over every patent is cheaper). What a
        year-filtered or CPC selection costs at 9.1M patents without a mask (and a product)
        over all of them. A stored CPC section whose rows hold more than a sixteenth: from
        its stored bits' mask. `outside`: its patents outside the years instead."""
        parts = field_parts(spec)
        key = ("patents", _keys(parts), filters.year_from, filters.year_to, outside)
        hit = self._sel_cache.get(key)
        if hit is not None:
            return hit
        ix = self.index
        stored = self._stored_subclass(parts[0]) if len(parts) == 1 else None
        if stored is not None:  # one slice of the stored `sc.patents`, ascending
            found = self._subclass_patents(stored)
            if filters.year_from is not None or filters.year_to is not None:
                found = found[self._in_years(found, filters, True) != outside]
            elif outside:
                found = found[:0]
            return self._cached(key, lambda: found.astype(np.int64))
        rows: list[tuple[Any, IntArray]] = []  # (matrix, its rows)
        for one in parts:
            if one.kind in ("wipo_field", "wipo_sector"):
                row = ix.nodes.position[one.node_id] - ix.fields.off
                fields = [row] if one.kind == "wipo_field" else ix.fields.of_sector(row)
                rows.append((ix.incidence.fp, np.asarray(fields, np.int64)))
            else:
                rows.append((ix.incidence.cp, np.asarray(ix.cpc_rows(one.value), np.int64)))
        sizes = [int((m.indptr[r + 1].astype(np.int64) - m.indptr[r]).sum()) for m, r in rows]
        if (sum(sizes) > ix.patents.n // 16 and len(parts) == 1
                and self._stored_cpc(parts[0]) is not None):
            patents = self._section_patents(parts[0], filters, outside)
        elif sum(sizes) > ix.patents.n // 2:
            return None
        else:
            patents = self._rows_patents(rows, filters, outside)
        return self._cached(key, lambda: patents)

    def _rows_patents(self, rows: list[tuple[Any, IntArray]], filters: Filters, outside: bool
                      ) -> IntArray:
        """`_selection_patents` from the entries of some rows of field x patent or CPC x
        patent."""
        ix = self.index
        found = np.concatenate(  # one run of rows: a slice (millions of positions not made)
            [_row_entries(m.indices, m.indptr, r) for m, r in rows]
            or [np.empty(0, np.int32)])
        one_row = len(rows) == 1 and len(rows[0][1]) == 1  # ascending, once each
        if filters.year_from is not None or filters.year_to is not None:
            found = found[self._in_years(found, filters, one_row) != outside]
        if one_row:
            return found.astype(np.int64)
        if len(found) <= ix.patents.n // 64:
            return distinct(found)
        mask = np.zeros(ix.patents.n, dtype=bool)  # many: a mask is cheaper than a sort
        mask[found] = True  # (10 ms at 9.1M patents, not 170)
        return np.flatnonzero(mask)

    def _section_patents(self, spec: FieldSpec, filters: Filters, outside: bool) -> IntArray:
        """`_selection_patents` of a stored CPC section: the rows of its mask (the stored
        bits, `_stored_section`), not its rows' entries."""
        if not outside:
            return np.flatnonzero(self._selection(spec, filters))
        years = self._year_mask(filters)
        if years is None:
            return np.empty(0, np.int64)
        undated = dataclasses.replace(filters, year_from=None, year_to=None)
        return np.flatnonzero(self._selection(spec, undated) & ~years)

    def _org_mask(self, filters: Filters) -> npt.NDArray[np.bool_] | None:
        """Organisations passing the filters' organisation side, None when it is empty."""
        return self._side_mask(filters.countries, filters.kinds)

    def _side_mask(
        self, countries: frozenset[str], kinds: frozenset[str]
    ) -> npt.NDArray[np.bool_] | None:
        """Organisations located in one of the countries and of one of the kinds (an empty
        set does not filter); None when neither filters."""
        if not countries and not kinds:
            return None
        return self._cached(("side", countries, kinds),
                            lambda: self._compute_side(countries, kinds))

    def _compute_side(
        self, countries: frozenset[str], kinds: frozenset[str]
    ) -> npt.NDArray[np.bool_]:
        orgs = self.index.orgs
        mask = np.ones(orgs.n, dtype=bool)
        if countries:
            mask &= np.isin(orgs.country, [orgs.country_code(c) for c in sorted(countries)])
            mask &= orgs.located
        if kinds:
            mask &= orgs.kind_table(kinds)[orgs.kind]
        return mask

    # -- aggregates ----------------------------------------------------------------------------

    def _org_counts(self, spec: FieldSet, filters: Filters) -> npt.NDArray[np.int64]:
        """Patents per organisation in a selection (years filtered), org filters not applied:
        at organisation level a stored selection reads its stored row, or with years the
        stored rows of their buckets (`StoredBridges.dated_org_counts`), and a stored CPC
        subclass its rows of `sc.orgs`; the rest, and the family level, are computed."""
        ix = self.index
        inc = ix.holders(filters.family).incidence
        parts = field_parts(spec)
        one = parts[0]
        if (len(parts) == 1 and one.kind == "wipo_field" and filters.year_from is None
                and filters.year_to is None):
            row: npt.NDArray[np.int64] = inc.fo_dense[
                ix.nodes.position[one.node_id] - ix.fields.off
            ]
            return row
        key = ("orgs", filters.level, _keys(parts), filters.year_from, filters.year_to)
        stored = self.stored_bridges
        dated = filters.year_from is not None or filters.year_to is not None
        s = (None if stored is None or len(parts) > 1 or filters.family
             else stored.find(one.kind, one.value, one.node_id))

        subclass = None if len(parts) > 1 or filters.family else self._stored_subclass(one)

        def compute() -> npt.NDArray[np.int64]:
            if subclass is not None:
                return summed_buckets(ix.data.csr("sc.orgs"), subclass,
                                      self._kept_buckets(filters))
            if s is not None:  # a stored selection's row (a sector, a CPC section), or its
                # rows of the years' buckets (None: stored without years, format 1)
                assert stored is not None
                found = (stored.dated_org_counts(s, filters.year_from, filters.year_to)
                         if dated else stored.org_dense(s))
                if found is not None:
                    return found
            po = inc.po

            def held(patents: IntArray) -> npt.NDArray[np.int64]:  # patent x holder is 0/1
                return np.bincount(po.indices[_positions(po.indptr, patents)],
                                   minlength=ix.orgs.n).astype(np.int64)

            patents = self._few_patents(spec, filters)
            if patents is not None:
                return held(patents)
            if dated and len(parts) == 1 and (one.kind == "wipo_field" or s is not None):
                # most of a stored row within the years: the row less the few outside them
                rest = self._selection_patents(spec, filters, outside=True)
                if rest is not None and len(rest) <= ix.patents.n // 16:
                    whole = self._org_counts(spec, dataclasses.replace(
                        filters, year_from=None, year_to=None))
                    return whole - held(rest)
            spans = ix.year_spans(filters.year_from, filters.year_to) if dated else None
            if spans is not None:
                return self._dated_counts(spec, filters, spans)
            return np.asarray(  # a product over every patent
                inc.op.matrix @ self._selection(spec, filters).astype(np.int32), dtype=np.int64)

        return self._cached(key, compute)

    def _dated_counts(
        self, spec: FieldSet, filters: Filters, spans: list[tuple[int, int]]
    ) -> npt.NDArray[np.int64]:
        """`_org_counts` of a big selection within the years, from its patents' rows of
        patents x holders: the years are row spans (`MemoryIndex.year_spans`), so the entries
        of the patents inside them (or outside, when fewer: then the selection's counts over
        all years less theirs) are slices of that matrix, kept where the undated selection
        holds the patent. At 9.1M patents a sector's half of the patents within the years
        costs a fraction of the product over every patent it replaces; the same counts."""
        ix = self.index
        po = ix.holders(filters.family).incidence.po
        undated = dataclasses.replace(filters, year_from=None, year_to=None)
        inside = sum(hi - lo for lo, hi in spans)
        outside = ix.patents.n - inside
        if outside < inside:  # the rows outside the years: the gaps between the spans
            edges = [0, *(x for span in spans for x in span), ix.patents.n]
            gaps = [(a, b) for a, b in zip(edges[::2], edges[1::2], strict=True) if a < b]
            whole = self._org_counts(spec, undated)
            return whole - self._span_counts(po, self._selection(spec, undated), gaps)
        return self._span_counts(po, self._selection(spec, undated), spans)

    def _span_counts(
        self, po: Any, selected: npt.NDArray[np.bool_], spans: list[tuple[int, int]]
    ) -> npt.NDArray[np.int64]:
        """Patents per organisation among the `selected` patents of some row spans of
        patents x holders (0/1)."""
        n = self.index.orgs.n
        counts = np.zeros(n, np.int64)
        for lo, hi in spans:
            ptr = po.indptr[lo : hi + 1]
            held = np.repeat(selected[lo:hi], np.diff(ptr))
            counts += np.bincount(po.indices[int(ptr[0]) : int(ptr[-1])][held], minlength=n)
        return counts

    def field_org_counts(self, spec: FieldSet, filters: Filters) -> dict[str, int]:
        counts = self._org_counts(spec, filters)
        org_mask = self._org_mask(filters)
        if org_mask is not None:
            counts = np.where(org_mask, counts, 0)
        nz = np.flatnonzero(counts)
        ids = self.index.orgs.ids
        return dict(zip(map(ids.__getitem__, nz.tolist()), counts[nz].tolist(), strict=True))

    def top_field_orgs(
        self, spec: FieldSet, filters: Filters, limit: int
    ) -> list[tuple[str, int]]:
        ranked = self._stored_ranking(spec, filters, limit)
        if ranked is not None:
            return ranked
        counts = self._org_counts(spec, filters)
        org_mask = self._org_mask(filters)
        cand = np.flatnonzero(counts if org_mask is None else np.where(org_mask, counts, 0))
        n = counts[cand]
        first = cand[first_ranked(limit, [-n, self.index.orgs.rank[cand]])]
        ids = self.index.orgs.ids
        return [(ids[o], int(counts[o])) for o in first]

    def _stored_ranking(
        self, spec: FieldSet, filters: Filters, limit: int
    ) -> list[tuple[str, int]] | None:
        """`top_field_orgs` read from a stored selection's organisations ranked by count
        (then id, as `first_ranked` ranks them), the first passing the organisation filters:
        no pass over every organisation (2.5 ms of a field's profile at 9.1M patents). None
        when the selection is not stored at this level and years."""
        stored, parts = self.stored_bridges, field_parts(spec)
        if (stored is None or len(parts) > 1 or filters.family
                or filters.year_from is not None or filters.year_to is not None):
            return None
        s = stored.find(parts[0].kind, parts[0].value, parts[0].node_id)
        if s is None:
            return None
        rows, counts = stored.ranked_orgs(s)
        org_mask = self._org_mask(filters)
        found: list[tuple[int, int]] = []
        step = max(4 * limit, 1024)
        for start in range(0, len(rows), step):  # the first passing, a slice at a time
            part, n = rows[start : start + step], counts[start : start + step]
            if org_mask is not None:
                keep = org_mask[part]
                part, n = part[keep], n[keep]
            found.extend(zip(part[: limit - len(found)].tolist(),
                             n[: limit - len(found)].tolist(), strict=True))
            if len(found) >= limit:
                break
        ids = self.index.orgs.ids
        return [(ids[o], c) for o, c in found]

    def direct_bridges(
        self, a: FieldSet, b: FieldSet, filters: Filters, min_count: int, offset: int, limit: int
    ) -> tuple[int, list[tuple[str, int, int]]]:
        stored = stored_pair(self, a, b, filters, min_count)
        if stored is not None:
            return stored_direct(self, *stored, filters, offset, limit)
        ca, cb = self._org_counts(a, filters), self._org_counts(b, filters)
        # the cached masks of active organisations: a byte per organisation, not two counts
        in_both = np.flatnonzero(self._active_mask(a, filters) & self._active_mask(b, filters))
        return self._rank_direct(ca, cb, filters, min_count, offset, limit, in_both)

    def _active_mask(self, spec: FieldSet, filters: Filters) -> npt.NDArray[np.bool_]:
        """Organisation rows with patents in the selection, as a mask (cached)."""
        key = ("active mask", filters.level, _keys(field_parts(spec)), filters.year_from,
               filters.year_to)
        return self._cached(key, lambda: self._org_counts(spec, filters) > 0)

    def _rank_direct(
        self,
        ca: IntArray,
        cb: IntArray,
        filters: Filters,
        min_count: int,
        offset: int,
        limit: int,
        in_both: IntArray | None = None,
    ) -> tuple[int, list[tuple[str, int, int]]]:
        """Organisations with counts in both sides (and passing the filters' org part),
        ranked as `direct_bridges` orders them: (total, page of (id, count_a, count_b)).
        `in_both`: the rows with counts on both sides, ascending, when known."""
        orgs = self.index.orgs
        if in_both is None:
            cand = np.flatnonzero(np.minimum(ca, cb) >= max(min_count, 1))
        else:
            cand = in_both
            if min_count > 1:
                cand = cand[np.minimum(ca[cand], cb[cand]) >= min_count]
        org_mask = self._org_mask(filters)
        if org_mask is not None:
            cand = cand[org_mask[cand]]
        count_a, count_b = ca[cand], cb[cand]
        low, both = np.minimum(count_a, count_b), count_a + count_b
        score = -(low * (int(both.max(initial=0)) + 1) + both)  # by low, then the sum
        first = first_ranked(offset + limit, [score, orgs.rank[cand]])[offset:]
        return len(cand), [
            (orgs.ids[cand[i]], int(count_a[i]), int(count_b[i])) for i in first.tolist()
        ]

    def partnership_bridges(
        self,
        a: FieldSet,
        b: FieldSet,
        filters: Filters,
        min_count: int,
        offset: int,
        limit: int,
    ) -> tuple[int, list[tuple[str, str, int, int, int, int]]]:
        stored = stored_pair(self, a, b, filters, min_count)
        if stored is not None:
            return stored_partnerships(self, *stored, filters, offset, limit)
        orgs, co = self.index.orgs, self.index.holders(filters.family).co
        # the co-owned patents in a or in b, once per unordered pair, grouped by pair: the
        # rows of pair_keys (ascending) marked 1 when their patent is in a, 2 in b, 3 both
        rows_a, rows_b = self._pair_rows(a, filters), self._pair_rows(b, filters)
        if not len(rows_a) and not len(rows_b):
            return 0, []
        rows, code = marked_rows(rows_a, rows_b, len(co.pair_keys))
        pair_keys = co.pair_keys[rows]
        starts = np.flatnonzero(np.concatenate(([True], pair_keys[1:] != pair_keys[:-1])))
        keys = pair_keys[starts]
        count = np.diff(np.append(starts, len(rows)))
        count_a = np.add.reduceat(code & 1, starts, dtype=np.int64)
        count_b = np.add.reduceat(code >> 1, starts, dtype=np.int64)
        active_a, active_b = self._active_mask(a, filters), self._active_mask(b, filters)
        x, y = keys // orgs.n, keys % orgs.n
        ok = (active_a[x] & active_b[y]) | (active_b[x] & active_a[y])  # one in a, one in b
        if min_count > 1:
            ok &= count >= min_count
        side = self._side_mask(filters.countries, filters.kinds)
        partner = self._side_mask(filters.partner_countries, filters.partner_kinds)
        if side is not None or partner is not None:
            ok &= ((passes(side, x) & passes(partner, y))
                   | (passes(side, y) & passes(partner, x)))
        found = np.flatnonzero(ok)
        count, count_a, count_b = count[found], count_a[found], count_b[found]
        both = count_a + count_b
        score = -(count * (int(both.max(initial=0)) + 1) + both)  # by count, then a + b
        # only the pairs that can make the page are oriented and ranked by their ids
        near = contenders(score, offset + limit)
        rows = found[near]
        px, py = orient_pairs(orgs.rank, side, partner, x[rows], y[rows])
        ranked = first_ranked(offset + limit, [score[near], orgs.rank[px], orgs.rank[py]])
        order = ranked[offset:]
        totals = self._co_owned_totals(keys[rows[order]], filters)
        page = [
            (orgs.ids[px[i]], orgs.ids[py[i]], int(count[near[i]]), int(count_a[near[i]]),
             int(count_b[near[i]]), int(total))
            for i, total in zip(order.tolist(), totals, strict=True)
        ]
        return len(found), page

    def _pair_rows(self, spec: FieldSet, filters: Filters) -> IntArray:
        """Rows of the holders' `pair_keys` / `pair_patents` (every co-owned patent once per
        unordered pair, by pair) whose patent is in the selection (years filtered), ascending
        (cached: one pass over the co-owned patents, not over every patent)."""
        co = self.index.holders(filters.family).co
        key = ("pairs", filters.level, _keys(field_parts(spec)), filters.year_from,
               filters.year_to)
        stored = self.stored_bridges
        bits = (None if stored is None or filters.family
                else selection_bits(stored, list(field_parts(spec))))

        def compute() -> IntArray:
            if bits is None:
                return np.flatnonzero(self._selection(spec, filters)[co.pair_patents])
            # the stored bits of each row's patent: no mask of every patent; with years,
            # each selection's rows by year, a block of them (no pass over every row)
            assert stored is not None
            if filters.year_from is not None or filters.year_to is not None:
                blocks = []
                for part in field_parts(spec):
                    s = stored.find(part.kind, part.value, part.node_id)
                    assert s is not None  # bits is not None: every part is stored
                    rows, years = self._pair_rows_by_year(s)
                    lo, hi = year_block(years, filters.year_from, filters.year_to)
                    blocks.append(rows[lo:hi])
                return distinct(*blocks)
            return np.flatnonzero((stored.pair_bits & bits) != 0)

        return self._cached(key, compute)

    def _pair_rows_by_year(self, s: int) -> tuple[npt.NDArray[np.int32], npt.NDArray[Any]]:
        """The organisation-level `pair_keys` rows whose patent is in stored selection s,
        by grant year (ascending, none first), then row; and their years. Made once per
        selection (22 MB for all 64 at 9.1M patents): a dated bridge reads one block of it
        instead of testing the bits and year of every co-owned row (694k at 9.1M)."""
        found = self._pair_rows_years.get(s)
        if found is None:
            stored = self.stored_bridges
            assert stored is not None
            rows = np.flatnonzero((stored.pair_bits & np.uint64(1 << s)) != 0)
            # the stored bits are of the organisation level's co-owned rows
            years = self.index.patents.year[self.index.holders(False).co.pair_patents[rows]]
            order = np.argsort(years, kind="stable")
            found = rows[order].astype(np.int32), years[order]
            for part in found:
                part.flags.writeable = False
            self._pair_rows_years[s] = found
        return found

    def _co_owned_totals(self, keys: IntArray, filters: Filters) -> list[int]:
        """Co-owned patents (years filtered, any field) of unordered pairs given by key."""
        co = self.index.holders(filters.family).co
        lo = np.searchsorted(co.pair_keys, keys)
        hi = np.searchsorted(co.pair_keys, keys, side="right")
        if filters.year_from is None and filters.year_to is None:
            return [int(n) for n in hi - lo]
        year = self.index.patents.year  # the page's pairs' years, not a mask of every patent
        return [int(_within(year[co.pair_patents[s:e]], filters).sum())
                for s, e in zip(lo, hi, strict=True)]

    def _read_patent_row(self, p: int) -> tuple[str, str, int | None, str | None]:
        pat = self.index.patents
        year = int(pat.year[p])
        return (
            self.index.nodes.ids[pat.off + p],
            pat.number[p],
            year if year >= 0 else None,
            pat.title[p].as_py(),
        )

    def _patent_ref(self, p: int) -> PatentRef:
        return PatentRef(*self._patent_row(p))

    def _patent_mask(
        self, spec: FieldSet | Sequence[FieldSpec] | None, filters: Filters
    ) -> npt.NDArray[np.bool_] | None:
        """Patents of a selection (or of any of several) and year range, of the year range
        alone without a selection, or None when nothing restricts them."""
        specs = field_parts(spec) if isinstance(spec, FieldSpec) else tuple(spec or ())
        if not specs:
            return self._year_mask(filters)
        return self._selection(specs, filters)

    def _evidence(
        self,
        ranked: IntArray,
        spec: FieldSet | Sequence[FieldSpec] | None,
        filters: Filters,
        limit: int,
        total: int | None = None,
    ) -> tuple[int, list[PatentRef]]:
        """(total, first `limit`) of patents given newest first, restricted by spec/years
        (each selection's mask read at the given patents only: no union of whole masks).
        `total`: how many pass, when known: then only the first patents are read, a chunk
        at a time (the first organisations of a bridge hold 10^5 patents at 9.1M). With
        years, only the block of the row within them is read (`_year_block`)."""
        dated = filters.year_from is not None or filters.year_to is not None
        if dated:
            ranked = self._year_block(ranked, filters)
        passing = self._passing(spec, filters, dated)
        if passing is None:
            return len(ranked), [self._patent_ref(int(p)) for p in ranked[: max(limit, 0)]]
        if total is None:
            ranked = ranked[passing(ranked)]
            return len(ranked), [self._patent_ref(int(p)) for p in ranked[: max(limit, 0)]]
        first: list[int] = []
        start, step = 0, max(4 * limit, 64)
        while len(first) < limit and start < len(ranked):
            chunk = ranked[start : start + step]
            first += chunk[passing(chunk)][: limit - len(first)].tolist()
            start, step = start + step, step * 8
        return total, [self._patent_ref(p) for p in first]

    def _passing(
        self, spec: FieldSet | Sequence[FieldSpec] | None, filters: Filters, in_years: bool
    ) -> Callable[[IntArray], npt.NDArray[np.bool_]] | None:
        """Which of some patents pass a selection (or any of several) and the years; None
        when nothing restricts them. `in_years`: the patents asked about are within the
        years. Stored selections read the stored bits (no selection mask to compute)."""
        specs = [spec] if isinstance(spec, FieldSpec) else list(spec or ())
        stored = self.stored_bridges
        dated = filters.year_from is not None or filters.year_to is not None
        bits = (None if stored is None or not specs or (dated and not in_years)
                else selection_bits(stored, specs))
        if bits is not None:
            patent_bits = stored.patent_bits  # type: ignore[union-attr]
            return lambda p: (patent_bits[p] & bits) != 0
        if specs:
            masks = [self._selection(one, filters) for one in specs]
            return lambda p: np.logical_or.reduce([m[p] for m in masks])
        years = None if in_years else self._year_mask(filters)
        return None if years is None else lambda p: years[p]

    def _year_block(self, ranked: IntArray, filters: Filters) -> IntArray:
        """The patents of a row given newest first (grant year descending, none last) that
        are within the filters' years: a contiguous block, found by binary search."""
        year = self.index.patents.year

        def at_least(y: int) -> int:  # how many lead the row with a grant year >= y (>= 0)
            lo, hi = 0, len(ranked)
            while lo < hi:
                mid = (lo + hi) // 2
                if year[ranked[mid]] >= y:
                    lo = mid + 1
                else:
                    hi = mid
            return lo

        start = 0 if filters.year_to is None else at_least(filters.year_to + 1)
        end = at_least(0 if filters.year_from is None else max(filters.year_from, 0))
        return ranked[start:max(start, end)]

    def org_patents(
        self, org_id: str, spec: FieldSet | None, filters: Filters, limit: int
    ) -> tuple[int, list[PatentRef]]:
        o = self.index.org_row(org_id)
        if o is None:
            return 0, []
        inc = self.index.holders(filters.family).incidence
        ranked = inc.op_ranked[inc.op.indptr[o] : inc.op.indptr[o + 1]]
        total = None if spec is None else self._known_count(o, spec, filters)
        return self._evidence(ranked, spec, filters, limit, total)

    def _known_count(self, o: int, spec: FieldSet, filters: Filters) -> int | None:
        """Patents of organisation row o in a selection (years filtered) when known without
        reading its patents: stored, or in the per-organisation counts a bridges or profile
        query just computed (`_org_counts`); else None."""
        parts = field_parts(spec)
        dated = filters.year_from is not None or filters.year_to is not None
        stored = self.stored_bridges
        if stored is not None and len(parts) == 1 and not filters.family and not dated:
            found = org_evidence_total(stored, parts[0], o)
            if found is not None:
                return found
        if len(parts) == 1 and parts[0].kind == "wipo_field" and not dated:
            return int(self._org_counts(spec, filters)[o])  # a stored row (fo_dense)
        counts = self._sel_cache.get(("orgs", filters.level, _keys(parts), filters.year_from,
                                      filters.year_to))
        return None if counts is None else int(counts[o])

    def co_assignment_counts(
        self, org_ids: Collection[str], spec: FieldSet | None, filters: Filters
    ) -> dict[tuple[str, str], int]:
        ix = self.index
        rows = sorted({o for o in (ix.org_row(i) for i in org_ids) if o is not None})
        if not rows:
            return {}
        rows_arr = np.array(rows, dtype=np.int64)
        keep = self._patent_mask(spec, filters)
        held = ix.holders(filters.family)
        if keep is None:  # the rows of the co-ownership counts
            counts = held.co.counts
            at = _positions(counts.indptr, rows_arr)
            sub, col = _spans(counts.indptr, counts.indices, rows_arr)
            weight = counts.data[at]
        else:  # the rows' patents that pass, then those patents' owners
            op, po = held.incidence.op, held.incidence.po
            mine, patents = _spans(op.indptr, op.indices, rows_arr)
            passing = keep[patents]
            mine, patents = mine[passing], patents[passing]
            which, other = _spans(po.indptr, po.indices, patents)
            pairs, weight = np.unique(mine[which] * ix.orgs.n + other, return_counts=True)
            sub, col = pairs // ix.orgs.n, pairs % ix.orgs.n
        org_mask = self._org_mask(filters)
        out: dict[tuple[str, str], int] = {}
        for r, b, w in zip(sub.tolist(), col.tolist(), weight.tolist(), strict=True):
            a = rows[r]
            if a == b or w <= 0 or (org_mask is not None and not org_mask[b]):
                continue
            x, y = ix.orgs.ids[a], ix.orgs.ids[b]
            out[(x, y) if x < y else (y, x)] = int(w)
        return out

    def co_assigned_patents(
        self,
        org_a: str,
        org_b: str,
        specs: Sequence[FieldSpec],
        filters: Filters,
        limit: int,
    ) -> tuple[int, list[PatentRef]]:
        ix = self.index
        a, b = ix.org_row(org_a), ix.org_row(org_b)
        if a is None or b is None:
            return 0, []
        held = ix.holders(filters.family)
        if a == b:  # every patent of the organisation is "assigned to both"
            inc = held.incidence
            ranked = inc.op_ranked[inc.op.indptr[a] : inc.op.indptr[a + 1]]
            return self._evidence(ranked, specs, filters, limit)
        key = min(a, b) * ix.orgs.n + max(a, b)
        lo, hi = np.searchsorted(held.co.pair_keys, [key, key + 1])
        return self._evidence(held.co.pair_patents[lo:hi], specs, filters, limit)

    def _co_owned_rows(self, specs: Sequence[FieldSpec], filters: Filters) -> IntArray:
        """Rows of the per-patent owner pairs that `co_ownerships` reports, ascending."""
        p = self.index.co.pp_patent
        keep = self._patent_mask(list(specs), filters)
        rows = self._pair_sides(filters)
        return np.flatnonzero(rows if keep is None else rows & keep[p])

    def _pair_sides(self, filters: Filters) -> npt.NDArray[np.bool_]:
        """Per-patent owner pairs (both orientations) whose x passes the organisation side
        and y the partner side, a pair passing both ways once (x < y) (cached per sides)."""
        sides = (filters.countries, filters.kinds, filters.partner_countries,
                 filters.partner_kinds)

        def compute() -> npt.NDArray[np.bool_]:
            co, orgs = self.index.co, self.index.orgs
            x, y = co.pp_x, co.pp_y
            side = self._side_mask(filters.countries, filters.kinds)
            partner = self._side_mask(filters.partner_countries, filters.partner_kinds)
            forward = passes(side, x) & passes(partner, y)
            backward = passes(side, y) & passes(partner, x)
            out: npt.NDArray[np.bool_] = forward & (~backward | (orgs.rank[x] < orgs.rank[y]))
            return out

        return self._cached(("pair_sides", *sides), compute)

    def co_owned_count(self, specs: Sequence[FieldSpec], filters: Filters) -> int:
        p = self.index.co.pp_patent[self._co_owned_rows(specs, filters)]  # patent order
        return int(np.count_nonzero(p[1:] != p[:-1])) + 1 if len(p) else 0

    def co_ownerships(self, specs: Sequence[FieldSpec], filters: Filters) -> list[CoOwnershipRow]:
        ix = self.index
        co, orgs = ix.co, ix.orgs
        p, x, y = co.pp_patent, co.pp_x, co.pp_y
        hit = self._co_owned_rows(specs, filters)
        if not len(hit):
            return []
        p, x, y = p[hit], x[hit], y[hit]
        patent_ids = ix.nodes.ids.take(p + ix.patents.off)
        years = ix.patents.year[p]
        names: list[str | None] = [c or None for c in orgs.countries]
        country = np.where(orgs.located, orgs.country, -1)
        cx, cy = country[x], country[y]
        out = [
            (a, yr if yr >= 0 else None, orgs.ids[b], orgs.ids[c],
             names[d] if d >= 0 else None, names[e] if e >= 0 else None)
            for a, yr, b, c, d, e in zip(patent_ids, years.tolist(), x.tolist(), y.tolist(),
                                         cx.tolist(), cy.tolist(), strict=True)
        ]
        out.sort(key=lambda r: (r[0], r[2], r[3]))
        return out

    def patent_flows(
        self,
        selections: Sequence[tuple[FieldSpec, ...]],
        filters: Filters,
        membership: YearlyMembership | None,
        limit: int,
        country_limit: int,
        by_year: bool = True,
    ) -> FlowCounts:
        return flows.patent_flows(self, selections, filters, membership, limit, country_limit,
                                  by_year)

    def work_flows(
        self,
        selections: Sequence[tuple[str, ...]] | None,
        filters: Filters,
        membership: YearlyMembership | None,
        limit: int,
        country_limit: int,
        evidence: int,
        by_year: bool = True,
    ) -> FlowCounts:
        return flows.work_flows(self, selections, filters, membership, limit, country_limit,
                                evidence, by_year)

    def _by_year(
        self, selection: FieldSet, filters: Filters
    ) -> tuple[str, int, npt.NDArray[np.bool_]] | None:
        """For a WIPO field or sector or a CPC subclass (one, not a union) and no
        organisation filter: the stored counts by grant year that hold it (`tf` or `sc`,
        `ttkg.graph.indexing.year_counts`), its row of them and the year buckets the
        filters keep; else None."""
        parts = field_parts(selection)
        spec = parts[0]
        if len(parts) > 1 or filters.org_filtered():
            return None
        subclass = self._stored_subclass(spec)
        if subclass is not None:
            return "sc", subclass, self._kept_buckets(filters)
        if spec.kind not in ("wipo_field", "wipo_sector"):
            return None
        ix = self.index
        row = ix.nodes.position[spec.node_id] - ix.fields.off
        has_fields = ix.fields.sector_fields.indptr[row + 1] > ix.fields.sector_fields.indptr[row]
        if has_fields != (spec.kind == "wipo_sector"):
            return None  # a field with fields of its own, or a sector without: not stored
        return "tf", row, self._kept_buckets(filters)

    def _kept_buckets(self, filters: Filters) -> npt.NDArray[np.bool_]:
        """The index's year buckets the filters' years keep (`bucket_years`)."""
        first, last = self.index.data.meta["year_buckets"]
        return bucket_years((first, last), filters.year_from, filters.year_to)

    def field_country_counts(self, spec: FieldSet, filters: Filters) -> dict[str, int]:
        ix = self.index
        orgs, names = ix.orgs, ix.orgs.countries
        stored = None if filters.family else self._by_year(spec, filters)
        if stored is not None:
            prefix, row, keep = stored
            counts = ix.data.array(f"{prefix}.countries")[row][keep].sum(axis=0)
            return {names[c]: int(counts[c]) for c in np.flatnonzero(counts)}
        org_mask = self._org_mask(filters)
        if (org_mask is None and not filters.family
                and self._few_patents(spec, filters) is None):
            # one product with country x patent (a short selection: its holders, below)
            counts = ix.country_patents.matrix @ self._selection(spec, filters).astype(np.int32)
            return {names[c]: int(counts[c]) for c in np.flatnonzero(counts)}
        keep = orgs.located if org_mask is None else orgs.located & org_mask
        patents = self._held_patents(spec, filters)
        po = ix.holders(filters.family).incidence.po
        which, owner = _spans(po.indptr, po.indices, patents)
        held = keep[owner]
        n_codes = len(names)
        # (patent, country) once each: the keys come grouped by patent, a stable sort is a
        # near-linear pass (np.unique hashes them: 100 ms for 100k keys)
        pairs = np.sort(which[held] * n_codes + orgs.country[owner[held]], kind="stable")
        first = np.ones(len(pairs), dtype=bool)  # (none when no patent is held)
        first[1:] = pairs[1:] != pairs[:-1]
        counts = np.bincount(pairs[first] % n_codes, minlength=n_codes)
        return {names[c]: int(counts[c]) for c in np.flatnonzero(counts)}

    def _held_patents(self, spec: FieldSet, filters: Filters) -> IntArray:
        """Patents of the selection (years filtered) held by an organisation passing the
        filters' organisation part (at their level), ascending (cached: the passing
        organisations' patents are read once, not a column slice of patents x holders)."""
        key = ("held", filters.level, _keys(field_parts(spec)), filters.year_from,
               filters.year_to, filters.countries, filters.kinds)

        def compute() -> IntArray:
            org_mask = self._org_mask(filters)
            if org_mask is None:
                patents = self._selection_patents(spec, filters)
                return np.flatnonzero(self._selection(spec, filters)) if patents is None \
                    else patents
            few = self._few_patents(spec, filters)
            if few is not None:  # the selection's patents with a passing holder
                po = self.index.holders(filters.family).incidence.po
                which, owner = _spans(po.indptr, po.indices, few)
                held_by = np.bincount(which[org_mask[owner]], minlength=len(few))
                found: IntArray = few[held_by > 0]
                return found
            sel = self._selection(spec, filters)
            op = self.index.holders(filters.family).incidence.op
            _, patents = _spans(op.indptr, op.indices, np.flatnonzero(org_mask))
            held = np.zeros(len(sel), dtype=bool)
            held[patents] = True
            return np.flatnonzero(held & sel)

        return self._cached(key, compute)

    def selection_size(self, spec: FieldSet, filters: Filters) -> int:
        stored = self._by_year(spec, filters)
        if stored is not None:
            prefix, row, keep = stored
            return int(self.index.data.array(f"{prefix}.years")[row][keep].sum())
        if not filters.org_filtered():
            patents = self._selection_patents(spec, filters)
            return len(patents) if patents is not None else int(
                self._selection(spec, filters).sum())
        return len(self._held_patents(spec, filters))

    def selection_years(self, spec: FieldSet, filters: Filters) -> dict[int | None, int]:
        stored = self._by_year(spec, filters)
        if stored is not None:
            prefix, row, keep = stored
            counts = np.where(keep, self.index.data.array(f"{prefix}.years")[row], 0)
            first = self.index.data.meta["year_buckets"][0]
            return {(first + int(b) - 1 if b else None): int(counts[b])
                    for b in np.flatnonzero(counts)}
        years = self.index.patents.year[self._held_patents(spec, filters)].astype(np.int64)
        counts = np.bincount(years + 1)  # -1 (no year) first, then by year
        return {(int(y) - 1 if y else None): int(counts[y]) for y in np.flatnonzero(counts)}

    def field_cooccurrence(self, spec: FieldSet, filters: Filters) -> dict[str, int]:
        stored = self._by_year(spec, filters)
        fields = self.index.fields.ids
        if stored is not None:
            prefix, row, keep = stored
            counts = self.index.data.array(f"{prefix}.cooc")[row][keep].sum(axis=0)
        else:  # the selection's IN_FIELD entries (patent x field), counted by field
            held = self._held_patents(spec, filters)
            counts = self._field_entries(held)
        return {fields[f]: int(counts[f]) for f in np.flatnonzero(counts)}

    def _field_entries(self, patents: IntArray) -> IntArray:
        """The IN_FIELD entries of some patents (each once), counted by field: their rows of
        patent x field, or for more than an eighth of the patents one product of field x
        patent with their mask (at 9.1M: 30-80 ms for any number, gathering the rows of 0.6M
        patents ~60 ms, of a CPC section's 3M 0.3-1.5 s)."""
        ix = self.index
        n_fields = len(ix.fields.ids)
        if len(patents) > ix.patents.n // 8:
            mask = np.zeros(ix.patents.n, np.int32)
            mask[patents] = 1
            return np.asarray(ix.incidence.fp.matrix @ mask, np.int64)
        pf = ix.incidence.pf
        at = _positions(pf.indptr, patents)
        counts: IntArray = np.bincount(
            pf.indices[at], weights=pf.data[at], minlength=n_fields).astype(np.int64)
        return counts

    # -- research ------------------------------------------------------------------------------

    @property
    def works(self) -> WorksIndex:
        """The works, their organisations and the research taxonomy (read on first use)."""
        return load_once(self._works, self.index)

    def research_works(
        self, field_id: str | None, org_id: str | None, filters: Filters
    ) -> list[WorkRow]:
        return self.works.select(field_id, org_id, filters)

    def research_direct(
        self, a: Side, b: Side, filters: Filters, min_count: int, offset: int, limit: int
    ) -> tuple[int, list[tuple[str, int, int]]]:
        return research.research_direct(self, a, b, filters, min_count, offset, limit)

    def research_partnerships(
        self, a: Side, b: Side, filters: Filters, min_count: int, offset: int, limit: int
    ) -> tuple[int, list[tuple[str, str, int, int, int]]]:
        return research.research_partnerships(self, a, b, filters, min_count, offset, limit)

    def co_authorships(
        self, field_ids: Sequence[str] | None, filters: Filters
    ) -> list[CoOwnershipRow]:
        return research.co_authorships(self, field_ids, filters)

    def org_works(
        self, org_id: str, field_id: str | None, filters: Filters, limit: int
    ) -> tuple[int, list[WorkRef]]:
        return research.org_works(self, org_id, field_id, filters, limit)

    def co_authored_works(
        self, org_a: str, org_b: str, field_ids: Sequence[str], filters: Filters, limit: int
    ) -> tuple[int, list[WorkRef]]:
        return research.co_authored_works(self, org_a, org_b, field_ids, filters, limit)

    def research_profile_counts(
        self, field_id: str, filters: Filters, limit: int
    ) -> ResearchCounts:
        return research.research_profile_counts(self, field_id, filters, limit)

    # -- entity graph ----------------------------------------------------------------------------

    def relations(self, node_ids: Collection[str], via: Collection[Relation]) -> list[RelationHop]:
        wanted = set(via)
        ix = self.index
        nodes = ix.nodes
        found: dict[tuple[str, str, str], RelationHop] = {}
        for node in node_ids:
            p = nodes.position.get(node)
            local = None if p is None else ix.entity_local(p)
            if local is not None:
                for hop in ix.path_index.hops(local, wanted):
                    found[(hop.src, hop.relation.value, hop.dst)] = hop
            elif p is not None and label_of_id(node) is NodeLabel.PATENT:
                for rel, etype in (
                    (Relation.ASSIGNED_TO, EdgeType.ASSIGNED_TO),
                    (Relation.IN_FIELD, EdgeType.IN_FIELD),
                ):
                    if rel in wanted:
                        e = self.index.edges[etype]
                        for r in e.out_rows(p):
                            dst = nodes.ids[e.dst[r]]
                            found[(node, rel.value, dst)] = RelationHop(node, rel, dst, 1)
        for hop in cpc_activity(self, node_ids, via):
            found[(hop.src, hop.relation.value, hop.dst)] = hop
        return [found[k] for k in sorted(found)]

    def warm_up(self) -> None:
        """Build the index's lazy pieces a server needs: names, path matrices, country x
        patent; the works and the stored bridges (a path's evidence counts with them); and
        one row of LOCATED_IN, the structural hop most paths show: the first Parquet read of
        a process costs ~40 ms of CPU more than the next ones. And one ordered page of nodes
        (`Strings.first_in_order`, which a CLI call avoids): its first call imports
        pyarrow.compute and pandas, which stalled a server's first entity page of a field,
        and every request behind it, by ~0.3 s. Before all that, the version's files are
        read into the page cache (`bring_into_page_cache`, where the machine has room): the
        first requests of a server whose files were evicted waited on the disk."""
        started = time.perf_counter()
        read = bring_into_page_cache(self.index.artifact.path)
        if read:
            log.info("%d MB of the graph's files in the page cache in %.1f s", read >> 20,
                     time.perf_counter() - started)
        if len(self.index.nodes.ids) > 1:
            self.index.nodes.ids.first_in_order(np.arange(2), 1)
        self.index.warm_up()
        _ = self.works, self.stored_bridges
        if self.index.edges[EdgeType.LOCATED_IN].rows:
            self._edge_props(EdgeType.LOCATED_IN, 0)

    def close(self) -> None:
        """Drop the index's lazy pieces (the entity graph above all)."""
        self.index.forget()
        self._works.clear()
