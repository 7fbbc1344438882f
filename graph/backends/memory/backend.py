"""Embedded backend: the artifact loaded in-process, no server.

Two kinds of structure, each where it pays:

* compact integer indexes (numpy arrays, scipy CSR matrices) over every stored edge type and
  over patent x organisation / patent x field incidence, so that aggregates (bridges, partners,
  profiles) are sparse products and stay fast at full PatentsView scale;
* a networkx MultiGraph of the *entity graph* (organisations, WIPO fields, countries and their
  derived relations: co-assignment, activity in a field, location, ROR hierarchy), small
  enough for networkx and the natural place for graph algorithms; patents are not in it.
"""

from __future__ import annotations

import bisect
import logging
import threading
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import numpy.typing as npt
import pyarrow as pa
import scipy.sparse as sp

from ttkg.core.errors import ArtifactError
from ttkg.core.model import EdgeType, NodeLabel, cpc_id, id_candidates, label_of_id
from ttkg.graph.artifact import Artifact
from ttkg.graph.backends.contract import (
    Direction,
    FieldSpec,
    Filters,
    GraphBackend,
    Neighbor,
    NodeRecord,
    PatentRef,
    Relation,
    RelationHop,
)
from ttkg.graph.backends.memory.paths import PathIndex, RelationPart
from ttkg.graph.backends.pathsearch import FoundPath

__all__ = ["MemoryBackend"]

log = logging.getLogger(__name__)

IntArray = npt.NDArray[np.int64]
_LABEL_ORDER = {label: i for i, label in enumerate(NodeLabel)}
#: Stored edges the entity graph walks as they are (weight 1), with their relation.
_STRUCTURAL = (
    (EdgeType.LOCATED_IN, Relation.LOCATED_IN),
    (EdgeType.PART_OF, Relation.PART_OF),
    (EdgeType.ACTS_FOR, Relation.ACTS_FOR),
    (EdgeType.BROADER, Relation.BROADER),
)


def first_ranked(n: int, keys: Sequence[IntArray]) -> IntArray:
    """Indices of the n first rows in ascending lexicographic order of `keys` (primary key
    first). Exact: a partial sort on the primary key keeps every row that can be among the
    first n (ties on the cut included), and only those are fully sorted; a full lexsort of
    thousands of rows costs a millisecond."""
    size = len(keys[0])
    if n <= 0 or size == 0:
        return np.empty(0, np.int64)
    idx = np.arange(size)
    if size > 2 * n:
        primary = keys[0]
        idx = np.flatnonzero(primary <= np.partition(primary, n - 1)[n - 1])
        keys = [k[idx] for k in keys]
    return idx[np.lexsort(tuple(reversed(keys)))[:n]]


def _positions(column: pa.ChunkedArray, index: dict[str, int]) -> IntArray:
    """Node positions of an id column: each distinct id is looked up once (the column comes
    dictionary-encoded from Parquet), then gathered with numpy."""
    parts = []
    for chunk in column.chunks:
        enc = chunk if pa.types.is_dictionary(chunk.type) else chunk.dictionary_encode()
        try:
            lut = np.fromiter(
                (index[u] for u in enc.dictionary.to_pylist()), np.int64, len(enc.dictionary)
            )
        except KeyError as exc:
            raise ArtifactError(f"edge endpoint {exc.args[0]} is not a node of the graph") from None
        parts.append(lut[enc.indices.to_numpy(zero_copy_only=False)])
    return np.concatenate(parts) if parts else np.empty(0, np.int64)


@dataclass(frozen=True, slots=True)
class _NameIndex:
    """Case-insensitive exact and prefix indexes over names and aliases, and ISO codes."""

    exact: dict[str, list[int]]
    prefix_keys: list[str]
    prefix_nodes: list[int]
    country_code: dict[str, int]


class _EdgeIndex:
    """One edge type as integer arrays with CSR offsets by source and by target."""

    def __init__(self, table: pa.Table, index: dict[str, int], n_nodes: int) -> None:
        self.table = table
        self.src = src = _positions(table.column("src"), index)
        self.dst = dst = _positions(table.column("dst"), index)
        self.out_order = np.argsort(src, kind="stable")
        self.out_ptr = np.searchsorted(src[self.out_order], np.arange(n_nodes + 1))
        self.in_order = np.argsort(dst, kind="stable")
        self.in_ptr = np.searchsorted(dst[self.in_order], np.arange(n_nodes + 1))
        self._props: list[dict[str, Any]] | None = None

    def out_rows(self, node: int) -> IntArray:
        return self.out_order[self.out_ptr[node] : self.out_ptr[node + 1]]

    def in_rows(self, node: int) -> IntArray:
        return self.in_order[self.in_ptr[node] : self.in_ptr[node + 1]]

    def props(self, row: int) -> dict[str, Any]:
        if self._props is None:
            cols = [c for c in self.table.column_names if c not in ("src", "dst")]
            self._props = self.table.select(cols).to_pylist()
        return self._props[row]


class MemoryBackend(GraphBackend):
    """The default backend: loads a graph artifact into memory in seconds."""

    name = "memory"

    def __init__(self, artifact: Artifact) -> None:
        started = time.perf_counter()
        self._artifact = artifact
        self._load_nodes(artifact)
        self._edges = {
            et: _EdgeIndex(
                artifact.edges(et, endpoints_as_dictionary=True), self._index, len(self._ids)
            )
            for et in EdgeType
        }
        self._sel_cache: dict[tuple[Any, ...], npt.NDArray[Any]] = {}
        # evidence cites the same (recent, busy) patents again and again
        self._patent_ref: Callable[[int], PatentRef] = lru_cache(maxsize=1 << 16)(
            self._make_patent_ref
        )
        self._cache_lock = threading.Lock()
        self._build_incidence()
        self.load_seconds = time.perf_counter() - started
        log.info("loaded %s in %.2f s", artifact.path, self.load_seconds)

    @classmethod
    def open(cls, graph_dir: Path | str | None = None) -> MemoryBackend:
        """Load the current graph of a graph directory (default: the per-user data folder)."""
        return cls(Artifact.open(graph_dir))

    # -- loading ---------------------------------------------------------------------------

    def _load_nodes(self, artifact: Artifact) -> None:
        self._tables: dict[NodeLabel, pa.Table] = {}
        self._full_tables: dict[NodeLabel, pa.Table] = {}
        self._ids: list[str] = []
        self._labels: list[NodeLabel] = []
        self._rows: list[int] = []
        self._offset: dict[NodeLabel, int] = {}
        for label in NodeLabel:
            # CPC titles are many and only needed to show a node: read them on first use
            cols = ["id", "symbol", "level"] if label is NodeLabel.CPC_CLASS else None
            table = artifact.nodes(label, columns=cols)
            self._tables[label] = table
            self._offset[label] = len(self._ids)
            ids = table.column("id").to_pylist()
            self._ids.extend(ids)
            self._labels.extend([label] * len(ids))
            self._rows.extend(range(len(ids)))
        self._index = {node_id: i for i, node_id in enumerate(self._ids)}
        self._prop_cache: dict[int, dict[str, Any]] = {}

        pat = self._tables[NodeLabel.PATENT]
        self._pat_off = self._offset[NodeLabel.PATENT]
        self._n_pat = pat.num_rows
        self._pat_number: list[str] = pat.column("number").to_pylist()
        self._pat_title: list[str | None] = pat.column("title").to_pylist()
        years = pat.column("year").to_numpy(zero_copy_only=False)
        self._pat_year = np.where(np.isnan(years.astype(float)), -1, years).astype(np.int32)
        # sort key: newest first, then by number
        order = sorted(range(self._n_pat), key=lambda i: (-self._pat_year[i], self._pat_number[i]))
        self._pat_rank = np.empty(self._n_pat, np.int64)
        self._pat_rank[np.array(order, dtype=np.int64)] = np.arange(self._n_pat)

        org = self._tables[NodeLabel.ORGANIZATION]
        self._org_off = self._offset[NodeLabel.ORGANIZATION]
        self._n_org = org.num_rows
        self._org_ids: list[str] = org.column("id").to_pylist()
        self._org_rank = np.empty(self._n_org, np.int64)
        self._org_rank[np.argsort(np.array(self._org_ids, dtype=object), kind="stable")] = (
            np.arange(self._n_org)
        )
        self._org_country = np.array(
            [c or "" for c in org.column("country").to_pylist()], dtype=object
        )
        kinds = org.column("kind").to_pylist()
        self._kind_code = {k: i for i, k in enumerate(sorted({k or "" for k in kinds}))}
        self._org_kind = np.array([self._kind_code[k or ""] for k in kinds], dtype=np.int16)
        self._country_code = {c: i for i, c in enumerate(sorted(set(self._org_country)))}
        self._org_country_code = np.array(
            [self._country_code[c] for c in self._org_country], dtype=np.int32
        )
        self._org_patents = np.array(
            [n or 0 for n in org.column("patent_count").to_pylist()], dtype=np.int64
        )

        fld = self._tables[NodeLabel.TECHNOLOGY_FIELD]
        self._fld_off = self._offset[NodeLabel.TECHNOLOGY_FIELD]
        self._fld_ids: list[str] = fld.column("id").to_pylist()
        self._fld_level: list[str] = fld.column("level").to_pylist()

        cpc = self._tables[NodeLabel.CPC_CLASS]
        self._cpc_off = self._offset[NodeLabel.CPC_CLASS]
        self._cpc_symbols: list[str] = cpc.column("symbol").to_pylist()
        order = sorted(range(len(self._cpc_symbols)), key=self._cpc_symbols.__getitem__)
        self._cpc_sorted = [self._cpc_symbols[i] for i in order]
        self._cpc_sorted_rows = np.array(order, dtype=np.int64)

    @cached_property
    def _names(self) -> _NameIndex:
        """Name and code indexes, built on first use so that loading stays fast."""
        exact: dict[str, list[int]] = {}
        pairs: list[tuple[str, int]] = []
        for label in (NodeLabel.ORGANIZATION, NodeLabel.COUNTRY, NodeLabel.TECHNOLOGY_FIELD):
            table = self._tables[label]
            off = self._offset[label]
            names = table.column("name").to_pylist()
            aliases = (
                table.column("aliases").to_pylist()
                if "aliases" in table.column_names
                else [None] * len(names)
            )
            for row, (name, alias) in enumerate(zip(names, aliases, strict=True)):
                for text in {name, *(alias or ())}:
                    if text:
                        key = text.casefold()
                        exact.setdefault(key, []).append(off + row)
                        pairs.append((key, off + row))
        pairs.sort()
        codes = self._tables[NodeLabel.COUNTRY]
        country_code: dict[str, int] = {}
        off = self._offset[NodeLabel.COUNTRY]
        for row, (a2, a3) in enumerate(
            zip(codes.column("code").to_pylist(), codes.column("alpha3").to_pylist(), strict=True)
        ):
            country_code[a2.upper()] = off + row
            if a3:
                country_code[a3.upper()] = off + row
        return _NameIndex(exact, [k for k, _ in pairs], [n for _, n in pairs], country_code)

    def _build_incidence(self) -> None:
        """Patent x organisation and patent x field incidence matrices (CSR, int32)."""
        at = self._edges[EdgeType.ASSIGNED_TO]
        p = at.src - self._pat_off
        o = at.dst - self._org_off
        ones = np.ones(len(p), np.int32)
        self._po = sp.csr_matrix((ones, (p, o)), shape=(self._n_pat, self._n_org))
        self._po.sum_duplicates()
        self._po.data[:] = 1
        self._op = self._po.T.tocsr()
        # the same rows newest first (patent rank order): evidence is then a row's first
        # patents that pass a mask, with no sorting per request
        by_rank = np.lexsort(
            (
                self._pat_rank[self._op.indices],
                np.repeat(np.arange(self._n_org), np.diff(self._op.indptr)),
            )
        )
        self._op_ranked = self._op.indices[by_rank].astype(np.int64)
        inf = self._edges[EdgeType.IN_FIELD]
        is_patent = (inf.src >= self._pat_off) & (inf.src < self._pat_off + self._n_pat)
        pf_p = inf.src[is_patent] - self._pat_off
        pf_f = inf.dst[is_patent] - self._fld_off
        n_fld = len(self._fld_ids)
        self._pf = sp.csr_matrix(
            (np.ones(len(pf_p), np.int32), (pf_p, pf_f)), shape=(self._n_pat, n_fld)
        )
        self._fp = self._pf.T.tocsr()
        self._of = (self._op @ self._pf).tocsr()  # org x field patent counts
        # field x org counts, one contiguous row per field (a column of an org x field array
        # is a strided view: every vector operation on it was several times slower)
        self._fo_dense = np.ascontiguousarray(self._of.T.toarray(), dtype=np.int64)
        self._co = (self._op @ self._po).tocsr()  # org x org co-owned patent counts
        self._co.setdiag(0)
        self._co.eliminate_zeros()
        pairs = self._co.tocoo()  # every co-owning pair, both orientations
        self._pair_x = pairs.row.astype(np.int64)
        self._pair_y = pairs.col.astype(np.int64)
        self._pair_w = pairs.data.astype(np.int64)
        self._pair_lt = self._org_rank[self._pair_x] < self._org_rank[self._pair_y]
        # the same per co-owned patent, for year-filtered counts: (patent, x, y), x != y
        per_patent = np.diff(self._po.indptr)
        multi = np.flatnonzero(per_patent >= 2)
        pp, px, py = [], [], []
        for p_ in multi:
            owners = self._po.indices[self._po.indptr[p_] : self._po.indptr[p_ + 1]]
            xs, ys = np.meshgrid(owners, owners, indexing="ij")
            off = xs != ys
            pp.append(np.full(int(off.sum()), p_, np.int64))
            px.append(xs[off])
            py.append(ys[off])
        empty = np.empty(0, np.int64)
        self._pp_patent = np.concatenate(pp) if pp else empty
        self._pp_x = np.concatenate(px).astype(np.int64) if px else empty
        self._pp_y = np.concatenate(py).astype(np.int64) if py else empty
        # co-owned patents by unordered pair (key lo * n_org + hi), newest first within a pair:
        # the evidence of a pair is a slice, found by binary search
        lo_, hi_ = self._pp_x, self._pp_y
        once = lo_ < hi_
        keys = lo_[once] * self._n_org + hi_[once]
        patents = self._pp_patent[once]
        order = np.lexsort((self._pat_rank[patents], keys))
        self._pair_keys, self._pair_patents = keys[order], patents[order]
        # field -> sector and sector -> fields
        br = self._edges[EdgeType.BROADER]
        self._sector_fields: dict[int, list[int]] = {}
        for s, d in zip(br.src, br.dst, strict=True):
            if self._labels[s] is NodeLabel.TECHNOLOGY_FIELD:
                self._sector_fields.setdefault(int(d) - self._fld_off, []).append(
                    int(s) - self._fld_off
                )
        # patents by CPC class row
        cl = self._edges[EdgeType.CLASSIFIED_AS]
        n_cpc = len(self._cpc_symbols)
        self._cp = sp.csr_matrix(
            (np.ones(len(cl.src), np.int32), (cl.dst - self._cpc_off, cl.src - self._pat_off)),
            shape=(n_cpc, self._n_pat),
        )

    @cached_property
    def entity_graph(self) -> nx.MultiGraph:
        """networkx MultiGraph of organisations, fields, countries and their relations (the
        graph path queries walk), built on first use. Each edge carries its `hop` (the
        RelationHop in stored direction) and the hop's sort key. Read-only."""
        g: nx.MultiGraph = nx.MultiGraph()

        def edges(
            rel: Relation, pairs: Iterable[tuple[str, str, int]]
        ) -> Iterator[tuple[str, str, Relation, dict[str, Any]]]:
            for u, v, w in pairs:
                hop = RelationHop(u, rel, v, w)
                yield u, v, rel, {"hop": hop, "order": (u, rel.value, v)}

        org, fld, ids = self._org_ids, self._fld_ids, self._ids
        co = sp.triu(self._co, k=1).tocoo()
        g.add_edges_from(
            edges(
                Relation.CO_ASSIGNED,
                (
                    (min(org[a], org[b]), max(org[a], org[b]), int(w))
                    for a, b, w in zip(co.row, co.col, co.data, strict=True)
                ),
            )
        )
        of = self._of.tocoo()
        g.add_edges_from(
            edges(
                Relation.ACTIVE_IN,
                ((org[o], fld[f], int(w)) for o, f, w in zip(of.row, of.col, of.data, strict=True)),
            )
        )
        for etype, rel in _STRUCTURAL:
            e = self._edges[etype]
            g.add_edges_from(
                edges(
                    rel,
                    (
                        (ids[s], ids[d], 1)
                        for s, d in zip(e.src, e.dst, strict=True)
                        if self._labels[s] is not NodeLabel.CPC_CLASS
                    ),
                )
            )
        return g

    @cached_property
    def _entity_nodes(self) -> IntArray:
        """Global indices of the entity graph's nodes (every label but patents and CPC
        classes), ascending: the path index's local index of a node is its position here."""
        blocks = [
            np.arange(self._offset[label], self._offset[label] + self._tables[label].num_rows)
            for label in NodeLabel
            if label not in (NodeLabel.PATENT, NodeLabel.CPC_CLASS)
        ]
        return np.sort(np.concatenate(blocks)).astype(np.int64)

    @cached_property
    def _path_index(self) -> PathIndex:
        """Sparse matrices of the entity graph for the vectorised path search."""
        nodes = self._entity_nodes
        org = self._org_off
        x, y = self._pair_x, self._pair_y
        once = self._pair_lt  # stored as (smaller id, larger id)
        of = self._of.tocoo()
        parts = [
            RelationPart(
                Relation.CO_ASSIGNED,
                np.searchsorted(nodes, x[once] + org),
                np.searchsorted(nodes, y[once] + org),
                self._pair_w[once],
            ),
            RelationPart(
                Relation.ACTIVE_IN,
                np.searchsorted(nodes, of.row.astype(np.int64) + org),
                np.searchsorted(nodes, of.col.astype(np.int64) + self._fld_off),
                of.data.astype(np.int64),
            ),
        ]
        cpc_lo = self._cpc_off
        cpc_hi = cpc_lo + self._tables[NodeLabel.CPC_CLASS].num_rows
        for etype, rel in _STRUCTURAL:
            e = self._edges[etype]
            keep = (e.src < cpc_lo) | (e.src >= cpc_hi)
            src, dst = e.src[keep].astype(np.int64), e.dst[keep].astype(np.int64)
            ones = np.ones(len(src), np.int64)
            parts.append(
                RelationPart(rel, np.searchsorted(nodes, src), np.searchsorted(nodes, dst), ones)
            )
        return PathIndex([self._ids[int(g)] for g in nodes], parts)

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
        four hops and both end points are entities (not patents)."""
        a, b = self._index.get(source), self._index.get(target)
        if a is not None and b is not None:
            nodes = self._entity_nodes
            la, lb = np.searchsorted(nodes, [a, b])
            if la < len(nodes) and lb < len(nodes) and nodes[la] == a and nodes[lb] == b:
                found = self._path_index.best_paths(int(la), int(lb), via, max_hops, k, deadline)
                if found is not None:
                    return found
        return super().best_paths(source, target, via, max_hops, k, deadline)

    # -- metadata ----------------------------------------------------------------------------

    def manifest(self) -> dict[str, Any]:
        return self._artifact.manifest

    def node_counts(self) -> dict[str, int]:
        return {label.value: t.num_rows for label, t in self._tables.items() if t.num_rows}

    def edge_counts(self) -> dict[str, int]:
        return {et.value: e.table.num_rows for et, e in self._edges.items() if e.table.num_rows}

    # -- entities ----------------------------------------------------------------------------

    def _record(self, i: int) -> NodeRecord:
        props = self._prop_cache.get(i)
        if props is None:
            label = self._labels[i]
            row = self._full_table(label).slice(self._rows[i], 1).to_pylist()[0]
            row.pop("id")
            props = self._prop_cache[i] = row
        return NodeRecord(self._ids[i], self._labels[i], dict(props))

    def _full_table(self, label: NodeLabel) -> pa.Table:
        full = self._full_tables.get(label)
        if full is None:
            full = self._full_tables[label] = self._artifact.nodes(label)
        return full

    def get_nodes(self, ids: Sequence[str]) -> dict[str, NodeRecord]:
        return {n: self._record(self._index[n]) for n in ids if n in self._index}

    def _code_matches(self, text: str) -> list[int]:
        candidates, upper = id_candidates(text)
        found: list[int] = []
        for c in candidates:
            i = self._index.get(c)
            if i is not None and i not in found:
                found.append(i)
        i = self._names.country_code.get(upper)
        if i is not None and i not in found:
            found.append(i)
        return found

    def _ordered(
        self, nodes: Iterable[int], labels: Collection[NodeLabel], limit: int
    ) -> list[NodeRecord]:
        uniq = {n for n in nodes if not labels or self._labels[n] in labels}
        ranked = sorted(
            uniq, key=lambda n: (_LABEL_ORDER[self._labels[n]], -self._patents(n), self._ids[n])
        )
        return [self._record(n) for n in ranked[:limit]]

    def _patents(self, i: int) -> int:
        if self._labels[i] is NodeLabel.ORGANIZATION:
            return int(self._org_patents[i - self._org_off])
        return 0

    def lookup(
        self, text: str, labels: Collection[NodeLabel] = (), limit: int = 10
    ) -> list[NodeRecord]:
        hits = self._code_matches(text) + self._names.exact.get(text.strip().casefold(), [])
        return self._ordered(hits, labels, limit)

    def search_prefix(
        self, text: str, labels: Collection[NodeLabel] = (), limit: int = 10
    ) -> list[NodeRecord]:
        key = text.strip().casefold()
        if not key:
            return []
        names = self._names
        lo = bisect.bisect_left(names.prefix_keys, key)
        hi = bisect.bisect_left(names.prefix_keys, key + "\U0010ffff")
        return self._ordered(names.prefix_nodes[lo:hi], labels, limit)

    def names(self, labels: Collection[NodeLabel]) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        for label in NodeLabel:
            if label not in labels:
                continue
            t = self._tables[label]
            col = (
                "name"
                if "name" in t.column_names
                else "symbol"
                if "symbol" in t.column_names
                else "title"
            )
            out.extend(
                sorted(zip(t.column("id").to_pylist(), t.column(col).to_pylist(), strict=True))
            )
        return [(i, n) for i, n in out if n]

    def neighbors(self, node_id: str, limit: int = 50) -> list[Neighbor]:
        i = self._index.get(node_id)
        if i is None:
            return []
        out: list[Neighbor] = []
        for et in EdgeType:
            e = self._edges[et]
            sides: tuple[tuple[Direction, IntArray, IntArray], ...] = (
                ("out", e.out_rows(i), e.dst),
                ("in", e.in_rows(i), e.src),
            )
            for direction, rows, ends in sides:
                if not len(rows):
                    continue
                others = sorted((self._ids[ends[r]], int(r)) for r in rows)[:limit]
                out.extend(
                    Neighbor(et, direction, self._record(self._index[o]), e.props(r))
                    for o, r in others
                )
        return out

    # -- selections ----------------------------------------------------------------------------

    def _selection(self, spec: FieldSpec, filters: Filters) -> npt.NDArray[np.bool_]:
        """Boolean patent mask of a selection and year range (cached; callers must not modify)."""
        key = ("sel", spec.kind, spec.value, spec.node_id, filters.year_from, filters.year_to)
        return self._cached(key, lambda: self._compute_selection(spec, filters))

    def _cached(
        self, key: tuple[Any, ...], compute: Callable[[], npt.NDArray[Any]]
    ) -> npt.NDArray[Any]:
        """A small shared cache of read-only arrays (selections, year masks, org counts)."""
        hit = self._sel_cache.get(key)
        if hit is None:
            hit = compute()
            hit.flags.writeable = False
            with self._cache_lock:
                if len(self._sel_cache) >= 64:
                    self._sel_cache.pop(next(iter(self._sel_cache)), None)
                self._sel_cache[key] = hit
        return hit

    def _year_mask(self, filters: Filters) -> npt.NDArray[np.bool_] | None:
        if filters.year_from is None and filters.year_to is None:
            return None
        return self._cached(
            ("years", filters.year_from, filters.year_to), lambda: self._compute_years(filters)
        )

    def _compute_years(self, filters: Filters) -> npt.NDArray[np.bool_]:
        keep = np.ones(self._n_pat, dtype=bool)
        if filters.year_from is not None:
            keep &= self._pat_year >= filters.year_from
        if filters.year_to is not None:
            keep &= (self._pat_year <= filters.year_to) & (self._pat_year >= 0)
        return keep

    def _compute_selection(self, spec: FieldSpec, filters: Filters) -> npt.NDArray[np.bool_]:
        mask = np.zeros(self._n_pat, dtype=bool)
        if spec.kind == "wipo_field":
            f = self._index[spec.node_id] - self._fld_off
            mask[self._fp.indices[self._fp.indptr[f] : self._fp.indptr[f + 1]]] = True
        elif spec.kind == "wipo_sector":
            for f in self._sector_fields.get(self._index[spec.node_id] - self._fld_off, []):
                mask[self._fp.indices[self._fp.indptr[f] : self._fp.indptr[f + 1]]] = True
        else:
            rows = self._cpc_rows(spec.value)
            if len(rows):
                sub = self._cp[rows]
                mask[sub.indices] = True
        years = self._year_mask(filters)
        return mask if years is None else mask & years

    def _cpc_rows(self, symbol: str) -> IntArray:
        """Rows of the CPC symbol and all its descendants."""
        s = symbol.replace(" ", "")
        if len(s) <= 4 or s.endswith("/00"):
            prefix = s[:-2] if s.endswith("/00") else s
            lo = bisect.bisect_left(self._cpc_sorted, prefix)
            hi = bisect.bisect_left(self._cpc_sorted, prefix + "\U0010ffff")
            return self._cpc_sorted_rows[lo:hi]
        start = self._index.get(cpc_id(s))
        if start is None:
            return np.empty(0, np.int64)
        br = self._edges[EdgeType.BROADER]
        seen = [start]
        frontier = [start]
        while frontier:
            nxt = [int(br.src[r]) for n in frontier for r in br.in_rows(n)]
            seen += nxt
            frontier = nxt
        return np.array(seen, dtype=np.int64) - self._cpc_off

    def _org_mask(self, filters: Filters) -> npt.NDArray[np.bool_] | None:
        if not filters.org_filtered():
            return None
        mask = np.ones(self._n_org, dtype=bool)
        if filters.country:
            mask &= self._org_country_code == self._country_code.get(filters.country.upper(), -1)
        if filters.kinds:
            mask &= self._kind_table(filters.kinds)[self._org_kind]
        return mask

    def _kind_table(self, kinds: frozenset[str]) -> npt.NDArray[np.bool_]:
        """Lookup table kind code -> wanted (all True when kinds is empty)."""
        table = np.zeros(len(self._kind_code), dtype=bool)
        for k, code in self._kind_code.items():
            table[code] = not kinds or k in kinds
        return table

    def _unfiltered_field(self, spec: FieldSpec, filters: Filters) -> bool:
        return spec.kind == "wipo_field" and filters.year_from is None and filters.year_to is None

    # -- aggregates ----------------------------------------------------------------------------

    def _org_counts(self, spec: FieldSpec, filters: Filters) -> npt.NDArray[np.int64]:
        """Patents per organisation in a selection (years filtered), org filters not applied."""
        if self._unfiltered_field(spec, filters):
            row: npt.NDArray[np.int64] = self._fo_dense[self._index[spec.node_id] - self._fld_off]
            return row
        key = ("orgs", spec.kind, spec.value, spec.node_id, filters.year_from, filters.year_to)
        return self._cached(
            key,
            lambda: np.asarray(
                self._op @ self._selection(spec, filters).astype(np.int32), dtype=np.int64
            ),
        )

    def field_org_counts(self, spec: FieldSpec, filters: Filters) -> dict[str, int]:
        counts = self._org_counts(spec, filters)
        org_mask = self._org_mask(filters)
        if org_mask is not None:
            counts = np.where(org_mask, counts, 0)
        nz = np.flatnonzero(counts)
        return dict(
            zip(map(self._org_ids.__getitem__, nz.tolist()), counts[nz].tolist(), strict=True)
        )

    def direct_bridges(
        self, a: FieldSpec, b: FieldSpec, filters: Filters, min_count: int, offset: int, limit: int
    ) -> tuple[int, list[tuple[str, int, int]]]:
        ca, cb = self._org_counts(a, filters), self._org_counts(b, filters)
        low = np.minimum(ca, cb)
        ok = low >= max(min_count, 1)
        org_mask = self._org_mask(filters)
        if org_mask is not None:
            ok &= org_mask
        cand = np.flatnonzero(ok)
        low, both = low[cand], ca[cand] + cb[cand]
        score = -(low * (int(both.max(initial=0)) + 1) + both)  # by low, then the sum
        first = first_ranked(offset + limit, [score, self._org_rank[cand]])
        page = cand[first[offset:]]
        return len(cand), [(self._org_ids[o], int(ca[o]), int(cb[o])) for o in page]

    def partnership_bridges(
        self,
        a: FieldSpec,
        b: FieldSpec,
        filters: Filters,
        partner_kinds: frozenset[str],
        min_count: int,
        offset: int,
        limit: int,
    ) -> tuple[int, list[tuple[str, str, int, int, int]]]:
        ca, cb = self._org_counts(a, filters), self._org_counts(b, filters)
        if not ca.any() or not cb.any():
            return 0, []
        in_a, in_b = ca > 0, cb > 0
        years = self._year_mask(filters)
        if years is None:  # precomputed co-ownership pairs (x != y), filtered with vector ops
            x, y, w = self._pair_x, self._pair_y, self._pair_w
            ok = in_a[x] & in_b[y]
            # a pair found in both orientations is kept once, as (x, y) with x < y
            ok &= self._pair_lt | ~(in_a[y] & in_b[x])
            if min_count > 1:
                ok &= w >= min_count
            at = np.flatnonzero(ok)
            x, y, w = x[at], y[at], w[at]
        else:  # count co-owned patents of the years per pair
            px, py = self._pp_x, self._pp_y
            ok = years[self._pp_patent] & in_a[px] & in_b[py]
            keys, w = np.unique(px[ok] * self._n_org + py[ok], return_counts=True)
            x, y, w = keys // self._n_org, keys % self._n_org, w.astype(np.int64)
            ok = w >= max(min_count, 1)
            ok &= (self._org_rank[x] < self._org_rank[y]) | ~(in_a[y] & in_b[x])
            x, y, w = x[ok], y[ok], w[ok]
        if filters.kinds or partner_kinds:
            kx, ky = self._org_kind[x], self._org_kind[y]
            k, q = self._kind_table(filters.kinds), self._kind_table(partner_kinds)
            ok = (k[kx] & q[ky]) | (k[ky] & q[kx])
            x, y, w = x[ok], y[ok], w[ok]
        if filters.country:
            c = self._country_code.get(filters.country.upper(), -1)
            ok = (self._org_country_code[x] == c) | (self._org_country_code[y] == c)
            x, y, w = x[ok], y[ok], w[ok]
        both = ca[x] + cb[y]
        score = -(w * (int(both.max(initial=0)) + 1) + both)  # by co-owned, then the sum
        order = first_ranked(offset + limit, [score, self._org_rank[x], self._org_rank[y]])
        order = order[offset:]
        page = [
            (self._org_ids[x[i]], self._org_ids[y[i]], int(w[i]), int(ca[x[i]]), int(cb[y[i]]))
            for i in order
        ]
        return len(x), page

    def _make_patent_ref(self, p: int) -> PatentRef:
        year = int(self._pat_year[p])
        return PatentRef(
            self._ids[self._pat_off + p],
            self._pat_number[p],
            year if year >= 0 else None,
            self._pat_title[p],
        )

    def _patent_mask(
        self, spec: FieldSpec | None, filters: Filters
    ) -> npt.NDArray[np.bool_] | None:
        """Patents of a selection and year range, of the year range alone without a
        selection, or None when nothing restricts them."""
        return self._selection(spec, filters) if spec is not None else self._year_mask(filters)

    def _evidence(
        self, ranked: IntArray, spec: FieldSpec | None, filters: Filters, limit: int
    ) -> tuple[int, list[PatentRef]]:
        """(total, first `limit`) of patents given newest first, restricted by spec/years."""
        keep = self._patent_mask(spec, filters)
        if keep is not None:
            ranked = ranked[keep[ranked]]
        return len(ranked), [self._patent_ref(int(p)) for p in ranked[: max(limit, 0)]]

    def _org_row(self, org_id: str) -> int | None:
        i = self._index.get(org_id)
        if i is None or self._labels[i] is not NodeLabel.ORGANIZATION:
            return None
        return i - self._org_off

    def org_patents(
        self, org_id: str, spec: FieldSpec | None, filters: Filters, limit: int
    ) -> tuple[int, list[PatentRef]]:
        o = self._org_row(org_id)
        if o is None:
            return 0, []
        ranked = self._op_ranked[self._op.indptr[o] : self._op.indptr[o + 1]]
        return self._evidence(ranked, spec, filters, limit)

    def co_assignment_counts(
        self, org_ids: Collection[str], spec: FieldSpec | None, filters: Filters
    ) -> dict[tuple[str, str], int]:
        rows = sorted({o for o in (self._org_row(i) for i in org_ids) if o is not None})
        if not rows:
            return {}
        rows_arr = np.array(rows, dtype=np.int64)
        keep = self._patent_mask(spec, filters)
        if keep is None:
            sub = self._co[rows_arr]
        else:
            sub = (
                self._op[rows_arr] @ sp.diags(keep.astype(np.int32), dtype=np.int32) @ self._po
            ).tocsr()
        org_mask = self._org_mask(filters)
        out: dict[tuple[str, str], int] = {}
        coo = sub.tocoo()
        for r, b, w in zip(coo.row, coo.col, coo.data, strict=True):
            a = rows[r]
            if a == b or w <= 0 or (org_mask is not None and not org_mask[b]):
                continue
            x, y = self._org_ids[a], self._org_ids[b]
            out[(x, y) if x < y else (y, x)] = int(w)
        return out

    def co_assigned_patents(
        self, org_a: str, org_b: str, spec: FieldSpec | None, filters: Filters, limit: int
    ) -> tuple[int, list[PatentRef]]:
        a, b = self._org_row(org_a), self._org_row(org_b)
        if a is None or b is None:
            return 0, []
        if a == b:  # every patent of the organisation is "assigned to both"
            return self.org_patents(org_a, spec, filters, limit)
        key = min(a, b) * self._n_org + max(a, b)
        lo, hi = np.searchsorted(self._pair_keys, [key, key + 1])
        return self._evidence(self._pair_patents[lo:hi], spec, filters, limit)

    @cached_property
    def _country_patents(self) -> sp.csr_matrix:
        """Country code x patent: 1 where an organisation located there holds the patent."""
        located = np.flatnonzero(self._org_country != "")
        oc = sp.csr_matrix(
            (
                np.ones(len(located), np.int32),
                (located, self._org_country_code[located]),
            ),
            shape=(self._n_org, len(self._country_code)),
        )
        cp = (self._po @ oc).T.tocsr()
        cp.data[:] = 1
        return cp

    def field_country_counts(self, spec: FieldSpec, filters: Filters) -> dict[str, int]:
        sel = self._selection(spec, filters)
        org_mask = self._org_mask(filters)
        names = sorted(self._country_code, key=self._country_code.__getitem__)
        if org_mask is None:  # one product with the precomputed country x patent matrix
            counts = self._country_patents @ sel.astype(np.int32)
            return {names[c]: int(counts[c]) for c in np.flatnonzero(counts)}
        keep = (self._org_country != "") & org_mask
        po = self._po[np.flatnonzero(sel)].tocoo()
        held = keep[po.col]
        n_codes = len(self._country_code)
        pairs = np.unique(
            po.row[held].astype(np.int64) * n_codes + self._org_country_code[po.col[held]]
        )
        codes, counts = np.unique(pairs % n_codes, return_counts=True)
        return {names[c]: int(n) for c, n in zip(codes, counts, strict=True)}

    def _held_selection(self, spec: FieldSpec, filters: Filters) -> npt.NDArray[np.bool_]:
        sel = self._selection(spec, filters)
        org_mask = self._org_mask(filters)
        if org_mask is None:
            return sel
        return sel & (np.asarray(self._po[:, np.flatnonzero(org_mask)].sum(axis=1)).ravel() > 0)

    def selection_size(self, spec: FieldSpec, filters: Filters) -> int:
        return int(self._held_selection(spec, filters).sum())

    def field_cooccurrence(self, spec: FieldSpec, filters: Filters) -> dict[str, int]:
        sel = self._held_selection(spec, filters)
        counts = self._fp @ sel.astype(np.int32)
        return {self._fld_ids[f]: int(counts[f]) for f in np.flatnonzero(counts)}

    # -- entity graph ----------------------------------------------------------------------------

    def relations(self, node_ids: Collection[str], via: Collection[Relation]) -> list[RelationHop]:
        wanted = set(via)
        graph = self.entity_graph
        found: dict[tuple[str, str, str], RelationHop] = {}
        for node in node_ids:
            if node in graph:
                for keyed in graph[node].values():
                    for rel, data in keyed.items():
                        if rel in wanted:
                            found[data["order"]] = data["hop"]
            elif label_of_id(node) is NodeLabel.PATENT and node in self._index:
                p = self._index[node]
                for rel, etype in (
                    (Relation.ASSIGNED_TO, EdgeType.ASSIGNED_TO),
                    (Relation.IN_FIELD, EdgeType.IN_FIELD),
                ):
                    if rel in wanted:
                        e = self._edges[etype]
                        for r in e.out_rows(p):
                            dst = self._ids[e.dst[r]]
                            found[(node, rel.value, dst)] = RelationHop(node, rel, dst, 1)
        return [found[k] for k in sorted(found)]

    def hop_evidence(self, hop: RelationHop, limit: int) -> tuple[int, list[PatentRef]]:
        if hop.relation is Relation.CO_ASSIGNED:
            return self.co_assigned_patents(hop.src, hop.dst, None, Filters(), limit)
        if hop.relation is Relation.ACTIVE_IN:
            f = self._index[hop.dst]
            spec = FieldSpec("wipo_field", str(f), hop.dst, hop.dst)
            return self.org_patents(hop.src, spec, Filters(), limit)
        if hop.relation in (Relation.ASSIGNED_TO, Relation.IN_FIELD):
            p = self._index[hop.src] - self._pat_off
            return 1, [self._patent_ref(p)]
        return 0, []

    def warm_up(self) -> None:
        """Build the lazy indexes: names, entity graph, path matrices, country x patent."""
        started = time.perf_counter()
        _ = self._names, self.entity_graph, self._country_patents
        self._path_index.warm_up(tuple(Relation))
        log.info("lazy indexes built in %.2f s", time.perf_counter() - started)

    def close(self) -> None:
        self.__dict__.pop("entity_graph", None)
