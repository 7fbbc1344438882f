"""The embedded backend's read-only index of an artifact: views of the arrays the build
stored in the version folder (`ttkg.graph.indexing`), memory-mapped when the graph opens.

Every node has one integer *position*: the node tables one after the other, in `NodeLabel`
order. Within a label, a node's *row* is its position minus the label's offset; the arrays
of patents, organisations, fields and CPC classes are indexed by row. Everything here is
plain numpy arrays (read-only, memory-mapped), CSR matrices as their stored arrays (`Csr`:
the scipy matrix over them is built by the first query that multiplies), Arrow tables and a
few short lists of strings (organisation and field ids): opening reads no table, builds no
index and imports neither scipy nor pyarrow.compute, and a process's memory grows only with
the pages its queries touch, shared with every other process serving the same version.

A few pieces are made on first use (`names`, `entity_graph`, `path_index`,
`country_patents`, `cpc_table`), each once, under its own lock: `warm_up` makes the ones a
server needs, so that its first requests do not pay for them. All but the networkx
`entity_graph` are views of stored arrays (the path index and its walk matrices too: the
build computes them), so making them costs milliseconds.
"""

from __future__ import annotations

import bisect
import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from ttkg.core.model import EdgeType, NodeLabel, cpc_id
from ttkg.graph.artifact import Artifact, EdgeRows, RowReader, TableRows
from ttkg.graph.backends.contract import DEFAULT_VIA, Relation, RelationHop
from ttkg.graph.backends.memory.paths import PathIndex
from ttkg.graph.indexing import (
    Csr,
    IndexData,
    Positions,
    Strings,
    bisect_left,
    bisect_right,
    open_index,
)

if TYPE_CHECKING:  # networkx costs ~0.5 s to import: only the entity graph needs it
    import networkx as nx

__all__ = [
    "CoOwnership",
    "Cpc",
    "EdgeIndex",
    "Fields",
    "Holders",
    "Incidence",
    "IntArray",
    "MemoryIndex",
    "NameIndex",
    "Nodes",
    "Organizations",
    "Patents",
    "year_block",
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
#: Most runs of non-decreasing grant years (`MemoryIndex.year_runs`) read by binary search.
_YEAR_RUNS = 64


def _upper(m: Csr) -> tuple[IntArray, IntArray, npt.NDArray[Any]]:
    """(row, column, value) of the entries above the diagonal, in storage order (scipy's
    `triu(m, k=1)`): each pair of a symmetric matrix once."""
    rows, cols, values = m.coo()
    keep = cols > rows
    return rows[keep], cols[keep].astype(np.int64), values[keep]


def _frozen(*arrays: npt.NDArray[Any]) -> None:
    """Mark arrays read-only: the index is shared by every request."""
    for a in arrays:
        a.flags.writeable = False


# -- nodes ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, repr=False)
class Nodes:
    """Every node at its position."""

    tables: dict[NodeLabel, pa.Table]  # node tables (memory-mapped Arrow IPC)
    ids: Strings  # position -> node id
    position: Positions  # node id -> position
    offset: dict[NodeLabel, int]  # position of each label's first node
    ends: list[int]  # position past each label's last node, in NodeLabel order

    @classmethod
    def load(cls, data: IndexData) -> Nodes:
        """The node tables and ids, in NodeLabel order."""
        labels = data.meta["labels"]
        offset = {label: int(labels[label.value][0]) for label in NodeLabel}
        ends = [int(sum(labels[label.value])) for label in NodeLabel]
        ids = Strings(data.ids)
        known: dict[str, int] = {}
        for label in NodeLabel:
            # the organisations (0.4M at 9.1M patents: 0.1 s to hash) when warming up
            if label not in (NodeLabel.PATENT, NodeLabel.CPC_CLASS, NodeLabel.ORGANIZATION):
                off, n = labels[label.value]
                known.update(zip(ids[off : off + n], range(off, off + n), strict=True))
        positions = Positions(ids, data.array("id_order"), known)
        return cls(data.tables, ids, positions, offset, ends)

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
    number: Strings
    title: pa.ChunkedArray  # (n,) titles, null when unknown
    year: npt.NDArray[np.int32]  # (n,) grant year, -1 when unknown
    rank: IntArray  # (n,) place in the order newest first, then by number

    @classmethod
    def load(cls, nodes: Nodes, data: IndexData) -> Patents:
        pat = nodes.tables[NodeLabel.PATENT]
        off = nodes.offset[NodeLabel.PATENT]
        return cls(
            off,
            pat.num_rows,
            Strings(pat.column("number")),
            pat.column("title"),
            data.array("patent.year"),
            data.array("patent.rank"),
        )


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
    def load(cls, nodes: Nodes, data: IndexData) -> Organizations:
        off, end = nodes.span(NodeLabel.ORGANIZATION)
        return cls(
            off,
            end - off,
            nodes.ids[off:end],
            data.array("org.rank"),
            data.array("org.patents"),
            list(data.meta["countries"]),
            data.array("org.country"),
            data.array("org.located"),
            list(data.meta["kinds"]),
            data.array("org.kind"),
        )

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
    sector_fields: Csr  # sector row x field row: 1 where the field is in the sector

    @classmethod
    def load(cls, nodes: Nodes, data: IndexData) -> Fields:
        off, end = nodes.span(NodeLabel.TECHNOLOGY_FIELD)
        return cls(off, nodes.ids[off:end], data.csr("field.sectors"))

    def of_sector(self, sector: int) -> npt.NDArray[np.int32]:
        """Field rows of a sector row."""
        rows: npt.NDArray[np.int32] = self.sector_fields.row(sector)
        return rows


@dataclass(frozen=True, slots=True, repr=False)
class Cpc:
    """CPC classes (rows position - off), found by symbol prefix: a binary search over the
    symbols in sorted order, read one at a time from the mapped table (no list of them)."""

    off: int
    n: int
    symbols: Strings  # (n,) symbol of each row
    sorted_rows: IntArray  # (n,) the rows, their symbols ascending

    @classmethod
    def load(cls, nodes: Nodes, data: IndexData) -> Cpc:
        table = nodes.tables[NodeLabel.CPC_CLASS]
        return cls(nodes.offset[NodeLabel.CPC_CLASS], table.num_rows,
                   Strings(table.column("symbol")), data.array("cpc.sorted_rows"))

    def prefixed(self, prefix: str) -> IntArray:
        """Rows of the symbols starting with `prefix`."""
        lo = bisect_left(self.symbols, prefix, self.sorted_rows)
        hi = bisect_left(self.symbols, prefix + "\U0010ffff", self.sorted_rows)
        return self.sorted_rows[lo:hi]


# -- edges ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, repr=False)
class EdgeIndex:
    """One edge type: each row's end points with CSR offsets by source and by target; the
    properties of a row are read when shown, from the index's mapped copy (`edge_props`),
    or from the artifact a row group at a time for an index built without one."""

    rows: int  # number of edges
    src: IntArray  # (rows,) source position
    dst: IntArray  # (rows,) target position
    out_order: IntArray  # (rows,) edge rows by source (stable)
    out_ptr: IntArray  # (nodes + 1,) a node's rows are out_order[out_ptr[i]:out_ptr[i + 1]]
    in_order: IntArray  # (rows,) edge rows by target (stable)
    in_ptr: IntArray  # (nodes + 1,) likewise into in_order
    reader: RowReader  # the edges' properties, by row (mapped, or the artifact's Parquet)
    table: EdgeRows  # the artifact's Parquet table (whole columns)

    @classmethod
    def load(cls, etype: EdgeType, data: IndexData, artifact: Artifact) -> EdgeIndex:
        name = f"edge.{etype.value}"
        a = data.array
        table = artifact.edge_rows(etype)
        return cls(
            int(data.meta["edge_rows"][etype.value]),
            a(f"{name}.src"),
            a(f"{name}.dst"),
            a(f"{name}.out_order"),
            a(f"{name}.out_ptr"),
            a(f"{name}.in_order"),
            a(f"{name}.in_ptr"),
            TableRows(data.edge_props[etype]) if etype in data.edge_props else table,
            table,
        )

    def out_rows(self, node: int) -> IntArray:
        return self.out_order[self.out_ptr[node] : self.out_ptr[node + 1]]

    def in_rows(self, node: int) -> IntArray:
        return self.in_order[self.in_ptr[node] : self.in_ptr[node + 1]]

    def props(self, row: int) -> dict[str, Any]:
        """Properties of an edge row (every column but src and dst)."""
        return self.reader.row(row, self.prop_columns)

    @property
    def prop_columns(self) -> list[str]:
        return [n for n in self.reader.names if n not in ("src", "dst")]


# -- incidence and co-ownership --------------------------------------------------------------


@dataclass(frozen=True, slots=True, repr=False)
class Incidence:
    """Sparse incidence and count matrices (CSR, int32 unless said), by row."""

    po: Csr  # patent x organisation, 0/1
    op: Csr  # organisation x patent, 0/1
    op_ranked: IntArray  # (op.nnz,) op.indices, newest first within each row (op.indptr)
    pf: Csr  # patent x field
    fp: Csr  # field x patent
    of: Csr  # organisation x field: patent counts
    fo_dense: IntArray  # (fields, organisations) the same counts, int64, a contiguous row per field
    cp: Csr  # CPC class x patent

    @classmethod
    def load(cls, data: IndexData) -> Incidence:
        c = data.csr
        return cls(
            c("po"),
            c("op"),
            data.array("op_ranked"),
            c("pf"),
            c("fp"),
            c("of"),
            data.array("fo_dense"),
            c("cp"),
        )

    @classmethod
    def load_holders(cls, data: IndexData, base: Incidence) -> Incidence:
        """Another level's holder matrices, with the patents' field and CPC matrices of
        `base`."""
        c = data.csr
        return cls(c("po"), c("op"), data.array("op_ranked"), base.pf, base.fp, c("of"),
                   data.array("fo_dense"), base.cp)


@dataclass(frozen=True, slots=True, repr=False)
class CoOwnership:
    """Organisations owning patents together (rows are organisation rows)."""

    counts: Csr  # organisation x organisation: co-owned patents, zero diagonal
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
    def load(cls, data: IndexData) -> CoOwnership:
        a = data.array
        return cls(
            data.csr("co.counts"),
            a("co.x"),
            a("co.y"),
            a("co.w"),
            a("co.x_first"),
            a("co.pp_patent"),
            a("co.pp_x"),
            a("co.pp_y"),
            a("co.pair_keys"),
            a("co.pair_patents"),
        )


@dataclass(frozen=True, slots=True, repr=False)
class Holders:
    """Who holds the patents at one level: the incidence and co-ownership matrices over the
    organisation rows. At the family level a family's patents are in its head's row (every
    patent of every member, once) and its members' rows are empty; co-ownership is between
    families, so patents co-owned inside one family are none."""

    incidence: Incidence
    co: CoOwnership
    head: IntArray  # (organisations,) row of each organisation's family head


# -- lazy pieces ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, repr=False)
class NameIndex:
    """Case-insensitive names and aliases (of organisations, countries, fields), sorted for
    exact and prefix matches, and ISO country codes."""

    keys: Strings  # casefolded names and aliases, sorted
    nodes: IntArray  # (len(keys),) position of each key's node
    country_code: dict[str, int]  # ISO alpha-2 and alpha-3, upper case -> position

    def exact(self, key: str) -> list[int]:
        lo, hi = bisect_left(self.keys, key), bisect_right(self.keys, key)
        found: list[int] = self.nodes[lo:hi].tolist()
        return found

    def prefixed(self, key: str) -> list[int]:
        lo = bisect_left(self.keys, key)
        hi = bisect_left(self.keys, key + "\U0010ffff")
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


def year_block(years: npt.NDArray[Any], year_from: int | None, year_to: int | None
               ) -> tuple[int, int]:
    """The block lo:hi of ascending grant years (-1: none) within the years, as `Filters` has
    them: unknown years are out when a year bounds them above. Two binary searches."""
    low = year_from  # with an upper bound, unknown years (-1) are out
    if year_to is not None:
        low = 0 if year_from is None else max(year_from, 0)
    # keys of the years' dtype: another would convert the whole array
    lo = int(years.searchsorted(years.dtype.type(low), "left")) if low is not None else 0
    hi = (int(years.searchsorted(years.dtype.type(year_to), "right")) if year_to is not None
          else len(years))
    return lo, max(lo, hi)


@dataclass(frozen=True, eq=False, repr=False)
class MemoryIndex:
    """Everything the embedded backend answers from; read-only once built."""

    artifact: Artifact
    data: IndexData  # the stored arrays (memory-mapped) everything below is a view of
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
        """Map the artifact's stored index (computed now for an artifact without one)."""
        data = open_index(artifact)
        nodes = Nodes.load(data)
        edges = {et: EdgeIndex.load(et, data, artifact) for et in EdgeType}
        return cls(
            artifact,
            data,
            nodes,
            Patents.load(nodes, data),
            Organizations.load(nodes, data),
            Fields.load(nodes, data),
            Cpc.load(nodes, data),
            edges,
            Incidence.load(data),
            CoOwnership.load(data),
            data.array("entity_nodes"),
        )

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
        """Make the lazy pieces a server needs: organisation ids by hash, names, path
        matrices, country x patent (not the CPC titles: only showing a CPC class needs them;
        not the networkx entity graph: relations are read from the path matrices' arrays,
        and its ~400k Python objects at full scale, one dict and one hop per edge, would be
        walked by every full garbage collection). Also imports scipy, which the first
        sparse product would import during a request."""
        import scipy.sparse  # noqa: F401

        started = time.perf_counter()
        self.nodes.position.know(*self.nodes.span(NodeLabel.ORGANIZATION))
        _ = self.names, self.country_patents, self.id_ordered, self.year_runs
        self.path_index.warm_up(DEFAULT_VIA)  # what a path query walks unless told
        self.path_index.warm_up(tuple(Relation))
        log.info("lazy indexes built in %.2f s", time.perf_counter() - started)

    def forget(self) -> None:
        """Drop the lazy pieces (they are built again if asked for)."""
        for name, lock in self._locks.items():
            with lock:
                self.__dict__.pop(name, None)

    def _build_id_ordered(self) -> frozenset[NodeLabel]:
        """The labels whose nodes' positions follow the order of their ids (the patents of
        a built graph): the first neighbours by id among many of them are the first by
        position, a partial sort of integers, with no id read (`MemoryBackend.neighbors`).
        Judged from the stored id order: ~50 ms once at 9.1M patents."""
        order = self.data.array("id_order")
        rank: IntArray = np.empty(len(order), np.int32 if len(order) < 2**31 else np.int64)
        rank[order] = np.arange(len(order), dtype=rank.dtype)
        rising = rank[1:] > rank[:-1]  # position p + 1's id comes after p's
        ordered = set()
        for label in NodeLabel:
            lo, hi = self.nodes.span(label)
            if bool(rising[lo : max(lo, hi - 1)].all()):  # pairs (p, p + 1) within the label
                ordered.add(label)
        return frozenset(ordered)

    def _build_year_runs(self) -> IntArray:
        """Where the patents' grant years (by row) start a run that never decreases, and the
        row count last: patent numbers follow grant dates within a series (US4..., US10...,
        USD...), so the rows in id order hold a few such runs (2 at 9.1M synthetic patents,
        6 on the sample); `year_spans` reads the rows of a year range from them."""
        year = self.patents.year
        starts = np.flatnonzero(year[1:] < year[:-1]) + 1
        runs: IntArray = np.concatenate(([0], starts, [len(year)])).astype(np.int64)
        return runs

    def year_spans(self, year_from: int | None, year_to: int | None
                   ) -> list[tuple[int, int]] | None:
        """The patent rows granted within the years (unknown years out when a year bounds
        them above, as `Filters` has it), as row ranges [lo, hi): one per run of
        `year_runs`, found by binary search, no pass over the patents; None when the years
        make more than `_YEAR_RUNS` runs (then a pass is as cheap)."""
        runs = self.year_runs
        if len(runs) - 1 > _YEAR_RUNS:
            return None
        year = self.patents.year
        spans = []
        for a, b in zip(runs[:-1].tolist(), runs[1:].tolist(), strict=True):
            lo, hi = year_block(year[a:b], year_from, year_to)
            if lo < hi:
                spans.append((a + lo, a + hi))
        return spans

    def _build_names(self) -> NameIndex:
        """Name and code indexes (stored by the build; read on first use)."""
        codes = {k: int(v) for k, v in self.data.meta["country_codes"].items()}
        return NameIndex(Strings(self.data.name_keys), self.data.array("name_nodes"), codes)

    def _build_entity_graph(self) -> nx.MultiGraph:
        """networkx MultiGraph of organisations, fields, countries and their relations (the
        graph path queries walk). Each edge carries its `hop` (the RelationHop in stored
        direction) and the hop's sort key. Read-only."""
        import networkx as nx

        g: nx.MultiGraph = nx.MultiGraph()

        def edges(
            rel: Relation, pairs: Iterable[tuple[str, str, int]]
        ) -> Iterator[tuple[str, str, Relation, dict[str, Any]]]:
            for u, v, w in pairs:
                hop = RelationHop(u, rel, v, w)
                yield u, v, rel, {"hop": hop, "order": (u, rel.value, v)}

        org, fld, ids = self.orgs.ids, self.fields.ids, self.nodes.ids
        for rel, counts in ((Relation.CO_ASSIGNED, self.co.counts),
                            (Relation.CO_AUTHORED, self.data.csr("cw.counts"))):
            g.add_edges_from(
                edges(
                    rel,
                    (
                        (min(org[a], org[b]), max(org[a], org[b]), int(w))
                        for a, b, w in zip(*_upper(counts), strict=True)
                    ),
                )
            )
        of = self.incidence.of.coo()
        g.add_edges_from(
            edges(
                Relation.ACTIVE_IN,
                ((org[o], fld[f], int(w)) for o, f, w in zip(*of, strict=True)),
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
        """The entity graph of the path search as the build stored it (mapped: nothing is
        computed), with its nodes' ids."""
        return PathIndex.load(self.data, self.nodes.ids.at(self.entity_nodes))

    def holders(self, family: bool) -> Holders:
        """The organisations' or the families' incidence and co-ownership."""
        if not family:
            return self.organization_holders
        return self.family_holders

    def _build_organization_holders(self) -> Holders:
        """The stored incidence and co-ownership."""
        return Holders(self.incidence, self.co, np.arange(self.orgs.n, dtype=np.int64))

    def _build_family_holders(self) -> Holders:
        """The families' incidence and co-ownership, stored by the build under `fam.`
        (`ttkg.graph.indexing.compute`): a view of those arrays."""
        data = self.data
        prefix = "fam."
        arrays = {k[len(prefix):]: v for k, v in data.arrays.items() if k.startswith(prefix)}
        shapes = {
            k[len(prefix):]: v for k, v in data.meta["shapes"].items() if k.startswith(prefix)
        }
        fam = IndexData({"shapes": shapes}, {}, data.ids, data.name_keys, arrays, data.mapped)
        inc = self.incidence
        return Holders(Incidence.load_holders(fam, inc), CoOwnership.load(fam), arrays["head"])

    def _build_country_patents(self) -> Csr:
        """Country code x patent: 1 where an organisation located there holds the patent."""
        return self.data.csr("country_patents")

    def _read_cpc_table(self) -> pa.Table:
        """The CPC class table with its titles."""
        return self.nodes.tables[NodeLabel.CPC_CLASS]

    names = _BuiltOnce(_build_names)
    id_ordered = _BuiltOnce(_build_id_ordered)
    year_runs = _BuiltOnce(_build_year_runs)
    entity_graph = _BuiltOnce(_build_entity_graph)
    path_index = _BuiltOnce(_build_path_index)
    country_patents = _BuiltOnce(_build_country_patents)
    organization_holders = _BuiltOnce(_build_organization_holders)
    family_holders = _BuiltOnce(_build_family_holders)
    cpc_table = _BuiltOnce(_read_cpc_table)
