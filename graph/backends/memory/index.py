"""The embedded backend's read-only index of an artifact, built once when the graph opens.

Every node has one integer *position*: the node tables one after the other, in `NodeLabel`
order. Within a label, a node's *row* is its position minus the label's offset; the arrays
of patents, organisations, fields and CPC classes are indexed by row. Everything here is
plain numpy arrays (read-only), scipy CSR matrices, Arrow tables and lists of strings, so
that a build could compute the same arrays and the artifact memory-map them.

A few pieces are built on first use (`names`, `entity_graph`, `path_index`,
`country_patents`, `cpc_table`), each once, under its own lock: `warm_up` builds the ones a
server needs, so that its first requests do not pay for them.
"""

from __future__ import annotations

import bisect
import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar, overload

import networkx as nx
import numpy as np
import numpy.typing as npt
import pyarrow as pa
import scipy.sparse as sp

from ttkg.core.errors import ArtifactError
from ttkg.core.model import EdgeType, NodeLabel, cpc_id
from ttkg.graph.artifact import Artifact
from ttkg.graph.backends.contract import Relation, RelationHop
from ttkg.graph.backends.memory.paths import PathIndex, RelationPart

__all__ = [
    "CoOwnership",
    "Cpc",
    "EdgeIndex",
    "Fields",
    "Incidence",
    "IntArray",
    "MemoryIndex",
    "NameIndex",
    "Nodes",
    "Organizations",
    "Patents",
]

log = logging.getLogger(__name__)

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
T = TypeVar("T")
#: Stored edges the entity graph walks as they are (weight 1), with their relation.
_STRUCTURAL = (
    (EdgeType.LOCATED_IN, Relation.LOCATED_IN),
    (EdgeType.PART_OF, Relation.PART_OF),
    (EdgeType.ACTS_FOR, Relation.ACTS_FOR),
    (EdgeType.BROADER, Relation.BROADER),
)
_LABELS = tuple(NodeLabel)


def _frozen(*arrays: npt.NDArray[Any]) -> None:
    """Mark arrays read-only: the index is shared by every request."""
    for a in arrays:
        a.flags.writeable = False


def _frozen_csr(m: sp.spmatrix) -> sp.csr_matrix:
    """`m` as CSR with read-only components."""
    m = m.tocsr()
    _frozen(m.data, m.indices, m.indptr)
    return m


# -- nodes ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, repr=False)
class Nodes:
    """Every node at its position."""

    tables: dict[NodeLabel, pa.Table]  # node tables as read (CPC classes without titles)
    ids: list[str]  # position -> node id
    position: dict[str, int]  # node id -> position
    offset: dict[NodeLabel, int]  # position of each label's first node
    ends: list[int]  # position past each label's last node, in NodeLabel order

    @classmethod
    def read(cls, artifact: Artifact) -> Nodes:
        """The node tables, in NodeLabel order."""
        tables: dict[NodeLabel, pa.Table] = {}
        ids: list[str] = []
        offset: dict[NodeLabel, int] = {}
        ends: list[int] = []
        for label in NodeLabel:
            # CPC titles are many and only needed to show a node: read them on first use
            cols = ["id", "symbol", "level"] if label is NodeLabel.CPC_CLASS else None
            tables[label] = artifact.nodes(label, columns=cols)
            offset[label] = len(ids)
            ids.extend(tables[label].column("id").to_pylist())
            ends.append(len(ids))
        return cls(tables, ids, {node_id: i for i, node_id in enumerate(ids)}, offset, ends)

    def label(self, i: int) -> NodeLabel:
        return _LABELS[bisect.bisect_right(self.ends, i)]

    def span(self, label: NodeLabel) -> tuple[int, int]:
        """Positions [first, past the last) of a label's nodes."""
        return self.offset[label], self.offset[label] + self.tables[label].num_rows


@dataclass(frozen=True, slots=True, repr=False)
class Patents:
    """Patent rows (position - off)."""

    off: int
    n: int
    number: list[str]
    title: list[str | None]
    year: npt.NDArray[np.int32]  # (n,) grant year, -1 when unknown
    rank: IntArray  # (n,) place in the order newest first, then by number

    @classmethod
    def build(cls, nodes: Nodes) -> Patents:
        pat = nodes.tables[NodeLabel.PATENT]
        number: list[str] = pat.column("number").to_pylist()
        years = pat.column("year").to_numpy(zero_copy_only=False)
        year = np.where(np.isnan(years.astype(float)), -1, years).astype(np.int32)
        n = pat.num_rows
        order = sorted(range(n), key=lambda i: (-year[i], number[i]))
        rank = np.empty(n, np.int64)
        rank[np.array(order, dtype=np.int64)] = np.arange(n)
        _frozen(year, rank)
        off = nodes.offset[NodeLabel.PATENT]
        return cls(off, n, number, pat.column("title").to_pylist(), year, rank)


@dataclass(frozen=True, slots=True, repr=False)
class Organizations:
    """Organisation rows (position - off)."""

    off: int
    n: int
    ids: list[str]  # (n,) node ids
    rank: IntArray  # (n,) place in id order (the tie-break of rankings)
    patents: IntArray  # (n,) patent_count property
    countries: list[str]  # ISO codes, sorted; "" stands for no country
    country: npt.NDArray[np.int32]  # (n,) code: index into `countries`
    located: BoolArray  # (n,) the organisation has a country
    kinds: list[str]  # kinds, sorted; "" stands for no kind
    kind: npt.NDArray[np.int16]  # (n,) code: index into `kinds`

    @classmethod
    def build(cls, nodes: Nodes) -> Organizations:
        org = nodes.tables[NodeLabel.ORGANIZATION]
        off, end = nodes.span(NodeLabel.ORGANIZATION)
        ids = nodes.ids[off:end]
        rank = np.empty(len(ids), np.int64)
        rank[np.argsort(np.array(ids, dtype=object), kind="stable")] = np.arange(len(ids))
        patents = np.array([n or 0 for n in org.column("patent_count").to_pylist()], np.int64)
        names = [c or "" for c in org.column("country").to_pylist()]
        countries = sorted(set(names))
        code = {c: i for i, c in enumerate(countries)}
        country = np.array([code[c] for c in names], dtype=np.int32)
        located = np.array([c != "" for c in names], dtype=bool)
        kind_names = [k or "" for k in org.column("kind").to_pylist()]
        kinds = sorted(set(kind_names))
        code = {k: i for i, k in enumerate(kinds)}
        kind = np.array([code[k] for k in kind_names], dtype=np.int16)
        _frozen(rank, patents, country, located, kind)
        return cls(off, len(ids), ids, rank, patents, countries, country, located, kinds, kind)

    def country_code(self, iso: str) -> int:
        """Code of an ISO country code (any case), -1 when no organisation is there."""
        i = bisect.bisect_left(self.countries, iso.upper())
        return i if i < len(self.countries) and self.countries[i] == iso.upper() else -1

    def kind_table(self, kinds: frozenset[str]) -> BoolArray:
        """Kind code -> wanted (all True when kinds is empty)."""
        return np.array([not kinds or k in kinds for k in self.kinds], dtype=bool)


@dataclass(frozen=True, slots=True, repr=False)
class Fields:
    """WIPO fields and sectors (TechnologyField rows, position - off)."""

    off: int
    ids: list[str]  # node ids
    sector_fields: sp.csr_matrix  # sector row x field row: 1 where the field is in the sector

    @classmethod
    def build(cls, nodes: Nodes, broader: EdgeIndex) -> Fields:
        off, end = nodes.span(NodeLabel.TECHNOLOGY_FIELD)
        child = (broader.src >= off) & (broader.src < end)
        sector, fld = broader.dst[child] - off, broader.src[child] - off
        ones = np.ones(len(fld), np.int32)
        sectors = sp.csr_matrix((ones, (sector, fld)), shape=(end - off, end - off))
        return cls(off, nodes.ids[off:end], _frozen_csr(sectors))

    def of_sector(self, sector: int) -> npt.NDArray[np.int32]:
        """Field rows of a sector row."""
        m = self.sector_fields
        rows: npt.NDArray[np.int32] = m.indices[m.indptr[sector] : m.indptr[sector + 1]]
        return rows


@dataclass(frozen=True, slots=True, repr=False)
class Cpc:
    """CPC classes (rows position - off), their symbols sorted for prefix ranges."""

    off: int
    n: int
    sorted_symbols: list[str]
    sorted_rows: IntArray  # (n,) row of each symbol of `sorted_symbols`

    @classmethod
    def build(cls, nodes: Nodes) -> Cpc:
        symbols: list[str] = nodes.tables[NodeLabel.CPC_CLASS].column("symbol").to_pylist()
        order = sorted(range(len(symbols)), key=symbols.__getitem__)
        rows = np.array(order, dtype=np.int64)
        _frozen(rows)
        off = nodes.offset[NodeLabel.CPC_CLASS]
        return cls(off, len(symbols), [symbols[i] for i in order], rows)

    def prefixed(self, prefix: str) -> IntArray:
        """Rows of the symbols starting with `prefix`."""
        lo = bisect.bisect_left(self.sorted_symbols, prefix)
        hi = bisect.bisect_left(self.sorted_symbols, prefix + "\U0010ffff")
        return self.sorted_rows[lo:hi]


# -- edges ------------------------------------------------------------------------------------


def _positions(column: pa.ChunkedArray, position: dict[str, int]) -> IntArray:
    """Node positions of an id column: each distinct id is looked up once (the column comes
    dictionary-encoded from Parquet), then gathered with numpy."""
    parts = []
    for chunk in column.chunks:
        enc = chunk if pa.types.is_dictionary(chunk.type) else chunk.dictionary_encode()
        try:
            lut = np.fromiter(
                (position[u] for u in enc.dictionary.to_pylist()), np.int64, len(enc.dictionary)
            )
        except KeyError as exc:
            raise ArtifactError(f"edge endpoint {exc.args[0]} is not a node of the graph") from None
        parts.append(lut[enc.indices.to_numpy(zero_copy_only=False)])
    return np.concatenate(parts) if parts else np.empty(0, np.int64)


@dataclass(frozen=True, slots=True, repr=False)
class EdgeIndex:
    """One edge type: its table, and each row's end points with CSR offsets by source and by
    target."""

    table: pa.Table  # the stored edges (src, dst dictionary-encoded, then properties)
    src: IntArray  # (rows,) source position
    dst: IntArray  # (rows,) target position
    out_order: IntArray  # (rows,) edge rows by source (stable)
    out_ptr: IntArray  # (nodes + 1,) a node's rows are out_order[out_ptr[i]:out_ptr[i + 1]]
    in_order: IntArray  # (rows,) edge rows by target (stable)
    in_ptr: IntArray  # (nodes + 1,) likewise into in_order

    @classmethod
    def build(cls, table: pa.Table, nodes: Nodes) -> EdgeIndex:
        src = _positions(table.column("src"), nodes.position)
        dst = _positions(table.column("dst"), nodes.position)
        out_order, in_order = np.argsort(src, kind="stable"), np.argsort(dst, kind="stable")
        ends = np.arange(len(nodes.ids) + 1)
        out_ptr = np.searchsorted(src[out_order], ends)
        in_ptr = np.searchsorted(dst[in_order], ends)
        _frozen(src, dst, out_order, out_ptr, in_order, in_ptr)
        return cls(table, src, dst, out_order, out_ptr, in_order, in_ptr)

    def out_rows(self, node: int) -> IntArray:
        return self.out_order[self.out_ptr[node] : self.out_ptr[node + 1]]

    def in_rows(self, node: int) -> IntArray:
        return self.in_order[self.in_ptr[node] : self.in_ptr[node + 1]]

    def props(self, row: int) -> dict[str, Any]:
        """Properties of an edge row (every column but src and dst)."""
        props: dict[str, Any] = self.table.slice(row, 1).to_pylist()[0]
        del props["src"], props["dst"]
        return props


# -- incidence and co-ownership --------------------------------------------------------------


@dataclass(frozen=True, slots=True, repr=False)
class Incidence:
    """Sparse incidence and count matrices (CSR, int32 unless said), by row."""

    po: sp.csr_matrix  # patent x organisation, 0/1
    op: sp.csr_matrix  # organisation x patent, 0/1
    op_ranked: IntArray  # (op.nnz,) op.indices, newest first within each row (op.indptr)
    pf: sp.csr_matrix  # patent x field
    fp: sp.csr_matrix  # field x patent
    of: sp.csr_matrix  # organisation x field: patent counts
    fo_dense: IntArray  # (fields, organisations) the same counts, int64, a contiguous row per field
    cp: sp.csr_matrix  # CPC class x patent

    @classmethod
    def build(
        cls,
        edges: dict[EdgeType, EdgeIndex],
        pat: Patents,
        org: Organizations,
        fld: Fields,
        cpc: Cpc,
    ) -> Incidence:
        at = edges[EdgeType.ASSIGNED_TO]
        p, o = at.src - pat.off, at.dst - org.off
        po = sp.csr_matrix((np.ones(len(p), np.int32), (p, o)), shape=(pat.n, org.n))
        po.sum_duplicates()
        po.data[:] = 1
        op = po.T.tocsr()
        # the same rows newest first (patent rank order): evidence is then a row's first
        # patents that pass a mask, with no sorting per request
        owner = np.repeat(np.arange(org.n), np.diff(op.indptr))
        op_ranked = op.indices[np.lexsort((pat.rank[op.indices], owner))].astype(np.int64)
        inf = edges[EdgeType.IN_FIELD]
        is_patent = (inf.src >= pat.off) & (inf.src < pat.off + pat.n)
        pf_p, pf_f = inf.src[is_patent] - pat.off, inf.dst[is_patent] - fld.off
        pf = sp.csr_matrix(
            (np.ones(len(pf_p), np.int32), (pf_p, pf_f)), shape=(pat.n, len(fld.ids))
        )
        of = (op @ pf).tocsr()
        # field x org counts, one contiguous row per field (a column of an org x field array
        # is a strided view: every vector operation on it was several times slower)
        fo_dense = np.ascontiguousarray(of.T.toarray(), dtype=np.int64)
        cl = edges[EdgeType.CLASSIFIED_AS]
        cp = sp.csr_matrix(
            (np.ones(len(cl.src), np.int32), (cl.dst - cpc.off, cl.src - pat.off)),
            shape=(cpc.n, pat.n),
        )
        _frozen(op_ranked, fo_dense)
        return cls(
            _frozen_csr(po),
            _frozen_csr(op),
            op_ranked,
            _frozen_csr(pf),
            _frozen_csr(pf.T),
            _frozen_csr(of),
            fo_dense,
            _frozen_csr(cp),
        )


@dataclass(frozen=True, slots=True, repr=False)
class CoOwnership:
    """Organisations owning patents together (rows are organisation rows)."""

    counts: sp.csr_matrix  # organisation x organisation: co-owned patents, zero diagonal
    x: IntArray  # (pairs,) every co-owning pair, both orientations: one organisation
    y: IntArray  # (pairs,) the other one
    w: IntArray  # (pairs,) their co-owned patents
    x_first: BoolArray  # (pairs,) x comes before y in id order
    pp_patent: IntArray  # (k,) the same per co-owned patent: the patent
    pp_x: IntArray  # (k,) an owner
    pp_y: IntArray  # (k,) another owner (both orientations)
    pair_keys: IntArray  # (k / 2,) unordered pair key lo * organisations + hi, ascending
    pair_patents: IntArray  # (k / 2,) its patents, newest first within a key

    @classmethod
    def build(cls, inc: Incidence, pat: Patents, org: Organizations) -> CoOwnership:
        co = (inc.op @ inc.po).tocsr()
        co.setdiag(0)
        co.eliminate_zeros()
        pairs = co.tocoo()
        x, y, w = (a.astype(np.int64) for a in (pairs.row, pairs.col, pairs.data))
        pp_patent, pp_x, pp_y = _per_patent(inc.po)
        # the evidence of a pair is a slice of pair_patents, found by binary search
        once = pp_x < pp_y
        keys = pp_x[once] * org.n + pp_y[once]
        patents = pp_patent[once]
        order = np.lexsort((pat.rank[patents], keys))
        x_first = org.rank[x] < org.rank[y]
        pair_keys, pair_patents = keys[order], patents[order]
        _frozen(x, y, w, x_first, pp_patent, pp_x, pp_y, pair_keys, pair_patents)
        return cls(
            _frozen_csr(co), x, y, w, x_first, pp_patent, pp_x, pp_y, pair_keys, pair_patents
        )


def _per_patent(po: sp.csr_matrix) -> tuple[IntArray, IntArray, IntArray]:
    """(patent, x, y) for every patent with several owners and every two of them, x != y."""
    multi = np.flatnonzero(np.diff(po.indptr) >= 2)
    pp, px, py = [], [], []
    for p_ in multi:
        owners = po.indices[po.indptr[p_] : po.indptr[p_ + 1]]
        xs, ys = np.meshgrid(owners, owners, indexing="ij")
        off = xs != ys
        pp.append(np.full(int(off.sum()), p_, np.int64))
        px.append(xs[off])
        py.append(ys[off])
    empty = np.empty(0, np.int64)
    return (
        np.concatenate(pp) if pp else empty,
        np.concatenate(px).astype(np.int64) if px else empty,
        np.concatenate(py).astype(np.int64) if py else empty,
    )


# -- lazy pieces ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, repr=False)
class NameIndex:
    """Case-insensitive names and aliases (of organisations, countries, fields), sorted for
    exact and prefix matches, and ISO country codes."""

    keys: list[str]  # casefolded names and aliases, sorted
    nodes: IntArray  # (len(keys),) position of each key's node
    country_code: dict[str, int]  # ISO alpha-2 and alpha-3, upper case -> position

    def exact(self, key: str) -> list[int]:
        lo, hi = bisect.bisect_left(self.keys, key), bisect.bisect_right(self.keys, key)
        found: list[int] = self.nodes[lo:hi].tolist()
        return found

    def prefixed(self, key: str) -> list[int]:
        lo = bisect.bisect_left(self.keys, key)
        hi = bisect.bisect_left(self.keys, key + "\U0010ffff")
        found: list[int] = self.nodes[lo:hi].tolist()
        return found


class _BuiltOnce(Generic[T]):
    """Like `functools.cached_property`, but the first readers of an index wait on the
    piece's lock while one of them builds it; later reads are a plain attribute lookup."""

    def __init__(self, build: Callable[[MemoryIndex], T]) -> None:
        self._build = build
        self.__doc__ = build.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name

    @overload
    def __get__(self, index: None, owner: type) -> _BuiltOnce[T]: ...
    @overload
    def __get__(self, index: MemoryIndex, owner: type | None = None) -> T: ...
    def __get__(self, index: MemoryIndex | None, owner: type | None = None) -> T | _BuiltOnce[T]:
        if index is None:
            return self
        built: dict[str, Any] = index.__dict__
        if self._name not in built:
            with index._locks[self._name]:
                if self._name not in built:
                    built[self._name] = self._build(index)
        value: T = built[self._name]
        return value


def _lazy_names() -> tuple[str, ...]:
    return tuple(n for n, v in vars(MemoryIndex).items() if isinstance(v, _BuiltOnce))


@dataclass(frozen=True, eq=False, repr=False)
class MemoryIndex:
    """Everything the embedded backend answers from; read-only once built."""

    artifact: Artifact
    nodes: Nodes
    patents: Patents
    orgs: Organizations
    fields: Fields
    cpc: Cpc
    edges: dict[EdgeType, EdgeIndex]
    incidence: Incidence
    co: CoOwnership
    entity_nodes: IntArray  # positions of the entity graph's nodes (all but patents and CPC
    # classes), ascending: the path index's local index of a node is its place here
    _locks: dict[str, threading.Lock] = field(
        default_factory=lambda: {n: threading.Lock() for n in _lazy_names()},
        init=False,
        repr=False,
    )

    @classmethod
    def from_artifact(cls, artifact: Artifact) -> MemoryIndex:
        """Read the artifact's tables and build every eager piece."""
        nodes = Nodes.read(artifact)
        edges = {
            et: EdgeIndex.build(artifact.edges(et, endpoints_as_dictionary=True), nodes)
            for et in EdgeType
        }
        pat, org, cpc = Patents.build(nodes), Organizations.build(nodes), Cpc.build(nodes)
        fld = Fields.build(nodes, edges[EdgeType.BROADER])
        inc = Incidence.build(edges, pat, org, fld, cpc)
        entity = [
            np.arange(*nodes.span(label))
            for label in NodeLabel
            if label not in (NodeLabel.PATENT, NodeLabel.CPC_CLASS)
        ]
        entity_nodes = np.sort(np.concatenate(entity)).astype(np.int64)
        _frozen(entity_nodes)
        co = CoOwnership.build(inc, pat, org)
        return cls(artifact, nodes, pat, org, fld, cpc, edges, inc, co, entity_nodes)

    # -- lookups --------------------------------------------------------------------------------

    def org_row(self, node_id: str) -> int | None:
        """Organisation row of a node id; None when it is not an organisation."""
        i = self.nodes.position.get(node_id)
        if i is None or self.nodes.label(i) is not NodeLabel.ORGANIZATION:
            return None
        return i - self.orgs.off

    def cpc_rows(self, symbol: str) -> IntArray:
        """Rows of the CPC symbol and all its descendants."""
        s = symbol.replace(" ", "")
        if len(s) <= 4 or s.endswith("/00"):
            return self.cpc.prefixed(s[:-2] if s.endswith("/00") else s)
        start = self.nodes.position.get(cpc_id(s))
        if start is None:
            return np.empty(0, np.int64)
        br = self.edges[EdgeType.BROADER]
        seen = [start]
        frontier = [start]
        while frontier:
            nxt = [int(br.src[r]) for n in frontier for r in br.in_rows(n)]
            seen += nxt
            frontier = nxt
        return np.array(seen, dtype=np.int64) - self.cpc.off

    def entity_local(self, i: int) -> int | None:
        """The path index's local index of a node position; None for patents, CPC classes."""
        local = int(np.searchsorted(self.entity_nodes, i))
        if local < len(self.entity_nodes) and self.entity_nodes[local] == i:
            return local
        return None

    def node_table(self, label: NodeLabel) -> pa.Table:
        """A label's node table with every column (CPC titles read on first use)."""
        return self.cpc_table if label is NodeLabel.CPC_CLASS else self.nodes.tables[label]

    # -- lazy pieces ----------------------------------------------------------------------------

    def warm_up(self) -> None:
        """Build the lazy pieces a server needs: names, entity graph, path matrices, country x
        patent (not the CPC titles: only showing a CPC class needs them)."""
        started = time.perf_counter()
        _ = self.names, self.entity_graph, self.country_patents
        self.path_index.warm_up(tuple(Relation))
        log.info("lazy indexes built in %.2f s", time.perf_counter() - started)

    def forget(self) -> None:
        """Drop the lazy pieces (they are built again if asked for)."""
        for name, lock in self._locks.items():
            with lock:
                self.__dict__.pop(name, None)

    def _build_names(self) -> NameIndex:
        """Name and code indexes, built on first use so that loading stays fast."""
        pairs: list[tuple[str, int]] = []
        for label in (NodeLabel.ORGANIZATION, NodeLabel.COUNTRY, NodeLabel.TECHNOLOGY_FIELD):
            table = self.nodes.tables[label]
            off = self.nodes.offset[label]
            names = table.column("name").to_pylist()
            aliases = (
                table.column("aliases").to_pylist()
                if "aliases" in table.column_names
                else [None] * len(names)
            )
            for row, (name, alias) in enumerate(zip(names, aliases, strict=True)):
                pairs.extend(
                    (text.casefold(), off + row) for text in {name, *(alias or ())} if text
                )
        pairs.sort()
        codes = self.nodes.tables[NodeLabel.COUNTRY]
        country_code: dict[str, int] = {}
        off = self.nodes.offset[NodeLabel.COUNTRY]
        for row, (a2, a3) in enumerate(
            zip(codes.column("code").to_pylist(), codes.column("alpha3").to_pylist(), strict=True)
        ):
            country_code[a2.upper()] = off + row
            if a3:
                country_code[a3.upper()] = off + row
        nodes = np.array([n for _, n in pairs], dtype=np.int64)
        _frozen(nodes)
        return NameIndex([k for k, _ in pairs], nodes, country_code)

    def _build_entity_graph(self) -> nx.MultiGraph:
        """networkx MultiGraph of organisations, fields, countries and their relations (the
        graph path queries walk). Each edge carries its `hop` (the RelationHop in stored
        direction) and the hop's sort key. Read-only."""
        g: nx.MultiGraph = nx.MultiGraph()

        def edges(
            rel: Relation, pairs: Iterable[tuple[str, str, int]]
        ) -> Iterator[tuple[str, str, Relation, dict[str, Any]]]:
            for u, v, w in pairs:
                hop = RelationHop(u, rel, v, w)
                yield u, v, rel, {"hop": hop, "order": (u, rel.value, v)}

        org, fld, ids = self.orgs.ids, self.fields.ids, self.nodes.ids
        co = sp.triu(self.co.counts, k=1).tocoo()
        g.add_edges_from(
            edges(
                Relation.CO_ASSIGNED,
                (
                    (min(org[a], org[b]), max(org[a], org[b]), int(w))
                    for a, b, w in zip(co.row, co.col, co.data, strict=True)
                ),
            )
        )
        of = self.incidence.of.tocoo()
        g.add_edges_from(
            edges(
                Relation.ACTIVE_IN,
                ((org[o], fld[f], int(w)) for o, f, w in zip(of.row, of.col, of.data, strict=True)),
            )
        )
        for etype, rel in _STRUCTURAL:
            src, dst = self._not_from_cpc(self.edges[etype])
            g.add_edges_from(
                edges(rel, ((ids[s], ids[d], 1) for s, d in zip(src, dst, strict=True)))
            )
        return g

    def _not_from_cpc(self, e: EdgeIndex) -> tuple[IntArray, IntArray]:
        """End points of the edges whose source is not a CPC class (nor an OpenAlex research
        field: the research taxonomy is not part of the entity graph)."""
        lo, hi = self.nodes.span(NodeLabel.CPC_CLASS)
        keep = (e.src < lo) | (e.src >= hi)
        rlo, rhi = self.nodes.span(NodeLabel.RESEARCH_FIELD)
        keep &= (e.src < rlo) | (e.src >= rhi)
        return e.src[keep].astype(np.int64), e.dst[keep].astype(np.int64)

    def _build_path_index(self) -> PathIndex:
        """Sparse matrices of the entity graph for the vectorised path search."""
        nodes, org_off = self.entity_nodes, self.orgs.off
        co = self.co
        once = co.x_first  # stored as (smaller id, larger id)
        of = self.incidence.of.tocoo()
        parts = [
            RelationPart(
                Relation.CO_ASSIGNED,
                np.searchsorted(nodes, co.x[once] + org_off),
                np.searchsorted(nodes, co.y[once] + org_off),
                co.w[once],
            ),
            RelationPart(
                Relation.ACTIVE_IN,
                np.searchsorted(nodes, of.row.astype(np.int64) + org_off),
                np.searchsorted(nodes, of.col.astype(np.int64) + self.fields.off),
                of.data.astype(np.int64),
            ),
        ]
        for etype, rel in _STRUCTURAL:
            src, dst = self._not_from_cpc(self.edges[etype])
            ones = np.ones(len(src), np.int64)
            parts.append(
                RelationPart(rel, np.searchsorted(nodes, src), np.searchsorted(nodes, dst), ones)
            )
        return PathIndex([self.nodes.ids[int(g)] for g in nodes], parts)

    def _build_country_patents(self) -> sp.csr_matrix:
        """Country code x patent: 1 where an organisation located there holds the patent."""
        located = np.flatnonzero(self.orgs.located)
        oc = sp.csr_matrix(
            (np.ones(len(located), np.int32), (located, self.orgs.country[located])),
            shape=(self.orgs.n, len(self.orgs.countries)),
        )
        cp = (self.incidence.po @ oc).T.tocsr()
        cp.data[:] = 1
        return _frozen_csr(cp)

    def _read_cpc_table(self) -> pa.Table:
        """The CPC class table with its titles."""
        return self.artifact.nodes(NodeLabel.CPC_CLASS)

    names = _BuiltOnce(_build_names)
    entity_graph = _BuiltOnce(_build_entity_graph)
    path_index = _BuiltOnce(_build_path_index)
    country_patents = _BuiltOnce(_build_country_patents)
    cpc_table = _BuiltOnce(_read_cpc_table)
