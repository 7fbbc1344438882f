"""`Neo4jBackend`: the read contract answered by a Neo4j 5 server (or any Bolt server that
speaks the same Cypher) holding a graph written by `push.push_artifact`.

Every method sends parameterised Cypher built by `cypher.py` inside a read transaction with a
timeout; answers are made to equal the embedded backend's, value by value and in order.
Aggregates run in Cypher; where a contract asks for a ranking that combines two aggregates
(bridges), the final ranking is a pure function here, shared ordering rules included.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Collection, Sequence
from typing import Any, Final

from neo4j import READ_ACCESS, Driver, GraphDatabase, ManagedTransaction, unit_of_work

from ttkg.core.errors import BackendError
from ttkg.core.model import PROPERTIES, EdgeType, NodeLabel
from ttkg.core.settings import Neo4jSettings
from ttkg.graph.backends import flowcounts
from ttkg.graph.backends import research as reference
from ttkg.graph.backends.contract import (
    CoOwnershipRow,
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
from ttkg.graph.backends.neo4j import cypher
from ttkg.graph.backends.neo4j.cypher import Query
from ttkg.graph.backends.neo4j.errors import redact_uri, translating_errors
from ttkg.graph.backends.pathsearch import search_paths

__all__ = ["DEFAULT_TIMEOUT_S", "Neo4jBackend", "driver_for"]

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT_S: Final = 30.0
#: Unions of selections whose patents are kept (a query asks the same union many times).
_UNIONS: Final = 32


def driver_for(settings: Neo4jSettings) -> Driver:
    """A driver for the settings (not yet connected); a malformed URI is a BackendError that
    names the URI without its credentials."""
    auth = (settings.user, settings.password_value() or "")
    with translating_errors(settings.uri, settings.database):
        try:
            return GraphDatabase.driver(settings.uri, auth=auth)
        except ValueError as exc:  # malformed URI
            raise BackendError(f"cannot use Neo4j URI {redact_uri(settings.uri)}: {exc}") from exc


class Neo4jBackend(GraphBackend):
    """Reads a pushed ttkg graph from Neo4j. The driver is passed in; `connect()` builds one."""

    name = "neo4j"

    def __init__(
        self,
        driver: Driver,
        database: str | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT_S,
        uri: str | None = None,
        owns_driver: bool = False,
    ) -> None:
        self._driver = driver
        self.database = database
        self.timeout = timeout
        self.uri = redact_uri(uri) if uri else str(getattr(driver, "address", "neo4j"))
        self._owns_driver = owns_driver
        self._manifest: dict[str, Any] | None = None
        # unions of selections already gathered: (parts, years) -> their patents
        self._unions: dict[tuple[Any, ...], cypher.PatentSet] = {}

    @classmethod
    def connect(
        cls, settings: Neo4jSettings | None = None, *, timeout: float = DEFAULT_TIMEOUT_S
    ) -> Neo4jBackend:
        """Connect as the settings say (default: the TTKG_NEO4J_* environment); checks that the
        server answers, accepts the credentials and holds a pushed ttkg graph."""
        settings = settings or Neo4jSettings()
        driver = driver_for(settings)
        backend = cls(
            driver, settings.database, timeout=timeout, uri=settings.uri, owns_driver=True
        )
        try:
            with translating_errors(settings.uri, settings.database):
                driver.verify_connectivity()
            backend.manifest()
        except BaseException:
            driver.close()
            raise
        log.info("connected to %s, database %s", backend.uri, settings.database)
        return backend

    # -- plumbing ------------------------------------------------------------------------------

    def _read(self, *queries: Query) -> list[list[dict[str, Any]]]:
        """Run queries in one read transaction with the timeout; rows as dicts per query."""

        def work(tx: ManagedTransaction) -> list[list[dict[str, Any]]]:
            return [tx.run(q, p).data() for q, p in queries]

        timed: Callable[[ManagedTransaction], list[list[dict[str, Any]]]] = unit_of_work(
            timeout=self.timeout
        )(work)
        with (
            translating_errors(self.uri, self.database),
            self._driver.session(database=self.database, default_access_mode=READ_ACCESS) as s,
        ):
            return s.execute_read(timed)

    def _rows(self, query: Query) -> list[dict[str, Any]]:
        return self._read(query)[0]

    # -- metadata ------------------------------------------------------------------------------

    def manifest(self) -> dict[str, Any]:
        if self._manifest is None:
            rows = self._rows(cypher.read_meta())
            if not rows:
                raise BackendError(
                    f"database {self.database or '(default)'} at {self.uri} holds no ttkg graph;"
                    " run `ttkg neo4j push` first"
                )
            props = rows[0]["props"]
            if props.get("status") != "complete":
                log.warning("the graph at %s was not pushed completely", self.uri)
            self._manifest = json.loads(props["manifest"])
        return dict(self._manifest)

    def node_counts(self) -> dict[str, int]:
        rows = self._rows(cypher.count_nodes())
        return {r["label"]: int(r["n"]) for r in rows if r["n"]}

    def edge_counts(self) -> dict[str, int]:
        rows = self._rows(cypher.count_edges())
        return {r["type"]: int(r["n"]) for r in rows if r["n"]}

    # -- entities ------------------------------------------------------------------------------

    def get_nodes(self, ids: Sequence[str]) -> dict[str, NodeRecord]:
        found = {r["id"]: _node(r) for r in self._rows(cypher.get_nodes(ids))}
        return {i: found[i] for i in ids if i in found}

    def lookup(
        self, text: str, labels: Collection[NodeLabel] = (), limit: int = 10
    ) -> list[NodeRecord]:
        return [_node(r) for r in self._rows(cypher.lookup(text, list(labels), limit))]

    def search_prefix(
        self, text: str, labels: Collection[NodeLabel] = (), limit: int = 10
    ) -> list[NodeRecord]:
        return [_node(r) for r in self._rows(cypher.search_prefix(text, list(labels), limit))]

    def names(self, labels: Collection[NodeLabel]) -> list[tuple[str, str]]:
        return [(r["id"], r["name"]) for r in self._rows(cypher.names(list(labels)))]

    def neighbors(self, node_id: str, limit: int = 50) -> list[Neighbor]:
        return [
            Neighbor(
                EdgeType(r["type"]),
                r["direction"],
                _node(r),
                _props(EdgeType(r["type"]), r["rprops"]),
            )
            for r in self._rows(cypher.neighbors(node_id, limit))
        ]

    # -- aggregates ----------------------------------------------------------------------------

    def _counts(self, query: Query) -> dict[str, int]:
        return {r["id"]: int(r["n"]) for r in self._rows(query) if r["n"]}

    def _anchor(self, selection: FieldSet, filters: Filters) -> cypher.Anchor:
        """What the Cypher of a selection is written from: its one field, or for a union of
        several, its patents (years filtered), gathered by one query (`cypher.union_ids`,
        the parts as list parameters) and sent back as a list parameter (kept for the next
        calls: a graph is read-only)."""
        parts = field_parts(selection)
        if len(parts) == 1:
            return parts[0]
        key = (frozenset(parts), filters.year_from, filters.year_to)
        hit = self._unions.get(key)
        if hit is None:
            found = self._rows(cypher.union_ids(parts, filters.years_only()))
            hit = cypher.PatentSet(tuple(sorted({r["id"] for r in found})))
            if len(self._unions) >= _UNIONS:
                self._unions.pop(next(iter(self._unions)), None)
            self._unions[key] = hit
        return hit

    def field_org_counts(self, spec: FieldSet, filters: Filters) -> dict[str, int]:
        return self._counts(cypher.field_org_counts(self._anchor(spec, filters), filters))

    def org_patents(
        self, org_id: str, spec: FieldSet | None, filters: Filters, limit: int
    ) -> tuple[int, list[PatentRef]]:
        sel = None if spec is None else self._anchor(spec, filters)
        total, page = self._read(
            cypher.org_patents_total(org_id, sel, filters),
            cypher.org_patents_page(org_id, sel, filters, limit),
        )
        return _refs(total, page)

    def direct_bridges(
        self, a: FieldSet, b: FieldSet, filters: Filters, min_count: int, offset: int, limit: int
    ) -> tuple[int, list[tuple[str, int, int]]]:
        sel_a, sel_b = self._anchor(a, filters), self._anchor(b, filters)
        rows_a, rows_b = self._read(
            cypher.field_org_counts(sel_a, filters), cypher.field_org_counts(sel_b, filters)
        )
        ca = {r["id"]: int(r["n"]) for r in rows_a}
        cb = {r["id"]: int(r["n"]) for r in rows_b}
        return rank_direct_bridges(ca, cb, min_count, offset, limit)

    def partnership_bridges(
        self,
        a: FieldSet,
        b: FieldSet,
        filters: Filters,
        min_count: int,
        offset: int,
        limit: int,
    ) -> tuple[int, list[tuple[str, str, int, int, int, int]]]:
        sel_a, sel_b = self._anchor(a, filters), self._anchor(b, filters)
        rows_a, rows_b, pairs_a, pairs_b = self._read(
            cypher.field_org_counts(sel_a, filters, org_filter=False),
            cypher.field_org_counts(sel_b, filters, org_filter=False),
            cypher.co_owned_in_selection(sel_a, filters),
            cypher.co_owned_in_selection(sel_b, filters),
        )
        ca = {r["id"] for r in rows_a if r["n"]}
        cb = {r["id"] for r in rows_b if r["n"]}
        total, page = rank_partnership_bridges(
            pairs_a, pairs_b, ca, cb, filters, min_count, offset, limit
        )
        if not page:
            return total, []
        unordered = [(x, y) if x < y else (y, x) for x, y, *_ in page]
        totals = {
            (r["x"], r["y"]): int(r["n"])
            for r in self._rows(cypher.co_owned_totals(unordered, filters))
        }
        return total, [
            (*row, totals.get(key, 0)) for row, key in zip(page, unordered, strict=True)
        ]

    def co_assignment_counts(
        self, org_ids: Collection[str], spec: FieldSet | None, filters: Filters
    ) -> dict[tuple[str, str], int]:
        if not org_ids:
            return {}
        sel = None if spec is None else self._anchor(spec, filters)
        out: dict[tuple[str, str], int] = {}
        for r in self._rows(cypher.co_assignment_counts(list(org_ids), sel, filters)):
            a, b, n = r["a"], r["b"], int(r["n"])
            if n > 0:
                out[(a, b) if a < b else (b, a)] = n
        return out

    def co_assigned_patents(
        self,
        org_a: str,
        org_b: str,
        specs: Sequence[FieldSpec],
        filters: Filters,
        limit: int,
    ) -> tuple[int, list[PatentRef]]:
        spec: cypher.Anchor | None = None
        if len(specs) > 1:  # patents in any of several selections: the union as a condition
            spec = cypher.AnyOf(tuple(specs))
        elif specs:
            spec = specs[0]
        if org_a == org_b:  # every patent of the organisation is "assigned to both"
            return self.org_patents(org_a, tuple(specs) or None, filters, limit)
        total, page = self._read(
            cypher.co_assigned_total(org_a, org_b, spec, filters),
            cypher.co_assigned_page(org_a, org_b, spec, filters, limit),
        )
        return _refs(total, page)

    def selection_size(self, spec: FieldSet, filters: Filters) -> int:
        rows = self._rows(cypher.selection_size(self._anchor(spec, filters), filters))
        return int(rows[0]["n"]) if rows else 0

    def selection_years(self, spec: FieldSet, filters: Filters) -> dict[int | None, int]:
        rows = self._rows(cypher.selection_years(self._anchor(spec, filters), filters))
        return {(int(r["year"]) if r["year"] is not None else None): int(r["n"])
                for r in rows if r["n"]}

    def co_ownerships(self, specs: Sequence[FieldSpec], filters: Filters) -> list[CoOwnershipRow]:
        # several selections: their union's patents (one query, cached), then one query
        sel = self._anchor(tuple(specs), filters) if specs else None
        return orient_co_ownerships(self._rows(cypher.co_ownerships(sel, filters)), filters)

    def patent_flows(
        self,
        selections: Sequence[tuple[FieldSpec, ...]],
        filters: Filters,
        membership: YearlyMembership | None,
        limit: int,
        country_limit: int,
        by_year: bool = True,
    ) -> FlowCounts:
        return flowcounts.patent_flows(self, selections, filters, membership, limit,
                                       country_limit, by_year)

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
        return flowcounts.work_flows(self, selections, filters, membership, limit,
                                     country_limit, evidence, by_year)

    def field_country_counts(self, spec: FieldSet, filters: Filters) -> dict[str, int]:
        rows = self._rows(cypher.field_country_counts(self._anchor(spec, filters), filters))
        return {r["country"]: int(r["n"]) for r in rows if r["n"]}

    def field_cooccurrence(self, spec: FieldSet, filters: Filters) -> dict[str, int]:
        return self._counts(cypher.field_cooccurrence(self._anchor(spec, filters), filters))

    # -- research ------------------------------------------------------------------------------

    def research_works(
        self, field_id: str | None, org_id: str | None, filters: Filters
    ) -> list[WorkRow]:
        found = self._rows(cypher.research_work_ids(field_id, org_id, filters))
        if not found:
            return []
        ids = [r["id"] for r in found]
        orgs, fields = self._read(cypher.work_orgs(ids), cypher.work_fields(ids))
        orgs_of = {r["id"]: tuple(sorted(r["orgs"])) for r in orgs}
        fields_of = {r["id"]: tuple(sorted(r["fields"])) for r in fields}
        rows = [
            WorkRow(r["id"], r["year"], orgs_of.get(r["id"], ()), fields_of.get(r["id"], ()))
            for r in found
        ]
        rows.sort(key=lambda r: (-(r.year if r.year is not None else -1), r.id))
        return rows

    # research aggregates: the reference answers, over research_works and the primitives

    def research_direct(
        self, a: Side, b: Side, filters: Filters, min_count: int, offset: int, limit: int
    ) -> tuple[int, list[tuple[str, int, int]]]:
        return reference.research_direct(self, a, b, filters, min_count, offset, limit)

    def research_partnerships(
        self, a: Side, b: Side, filters: Filters, min_count: int, offset: int, limit: int
    ) -> tuple[int, list[tuple[str, str, int, int, int]]]:
        return reference.research_partnerships(self, a, b, filters, min_count, offset, limit)

    def org_works(
        self, org_id: str, field_id: str | None, filters: Filters, limit: int
    ) -> tuple[int, list[WorkRef]]:
        return reference.org_works(self, org_id, field_id, filters, limit)

    def co_authorships(
        self, field_ids: Sequence[str] | None, filters: Filters
    ) -> list[CoOwnershipRow]:
        return reference.co_authorships(self, field_ids, filters)

    def co_authored_works(
        self, org_a: str, org_b: str, field_ids: Sequence[str], filters: Filters, limit: int
    ) -> tuple[int, list[WorkRef]]:
        return reference.co_authored_works(self, org_a, org_b, field_ids, filters, limit)

    def research_profile_counts(
        self, field_id: str, filters: Filters, limit: int
    ) -> ResearchCounts:
        return reference.research_profile_counts(self, field_id, filters, limit)

    # -- entity graph ----------------------------------------------------------------------------

    def relations(self, node_ids: Collection[str], via: Collection[Relation]) -> list[RelationHop]:
        wanted = [r for r in Relation if r in set(via)]
        planned = cypher.relation_queries(list(node_ids), wanted)
        results = self._read(*(q for _, q in planned)) if planned else []
        hops: set[RelationHop] = set()
        for (rel, _), rows in zip(planned, results, strict=True):
            for r in rows:
                src, dst = r["src"], r["dst"]
                if rel in (Relation.CO_ASSIGNED, Relation.CO_AUTHORED) and dst < src:
                    src, dst = dst, src
                hops.add(RelationHop(src, rel, dst, int(r["weight"])))
        hops.update(cpc_activity(self, node_ids, via))
        return sorted(hops, key=lambda h: (h.src, h.relation.value, h.dst))

    def best_paths(
        self,
        source: str,
        target: str,
        via: Collection[Relation],
        max_hops: int,
        k: int,
        deadline: float,
    ) -> list[FoundPath]:
        """The reference search over `relations` (one read query per level and side)."""
        return search_paths(self, source, target, via, max_hops, k, deadline)

    def warm_up(self) -> None:
        """Check the server answers, with a pooled connection left open for the first
        request (the server keeps its own caches)."""
        with translating_errors(self.uri, self.database):
            self._driver.verify_connectivity()

    def close(self) -> None:
        if self._owns_driver:
            self._driver.close()


# --- pure helpers ---------------------------------------------------------------------------


def _props(kind: NodeLabel | EdgeType, raw: dict[str, Any]) -> dict[str, Any]:
    """Stored properties as the artifact has them: every column, source. Neo4j keeps no nulls
    (an absent property is None) and neo4j-admin imports no empty arrays (absent list: [],
    as the artifact's list columns are never null)."""
    out = {name: raw.get(name, [] if t == "string[]" else None) for name, t in PROPERTIES[kind]}
    out["source"] = raw.get("source")
    return out


def _node(row: dict[str, Any]) -> NodeRecord:
    label = NodeLabel(row["label"])
    return NodeRecord(row["id"], label, _props(label, row["props"]))


def _ref(row: dict[str, Any]) -> PatentRef:
    year = row.get("year")
    return PatentRef(
        row["id"], row["number"], int(year) if year is not None else None, row.get("title")
    )


def _refs(total: list[dict[str, Any]], page: list[dict[str, Any]]) -> tuple[int, list[PatentRef]]:
    n = int(total[0]["total"]) if total else 0
    return n, [_ref(r) for r in page] if n else []


def rank_direct_bridges(
    ca: dict[str, int], cb: dict[str, int], min_count: int, offset: int, limit: int
) -> tuple[int, list[tuple[str, int, int]]]:
    """Organisations with ≥ min_count (at least 1) patents in both selections, ranked by
    min(a, b) desc, a + b desc, id; returns (total, page)."""
    floor = max(min_count, 1)
    cand = [o for o in ca if o in cb and min(ca[o], cb[o]) >= floor]
    cand.sort(key=lambda o: (-min(ca[o], cb[o]), -(ca[o] + cb[o]), o))
    return len(cand), [(o, ca[o], cb[o]) for o in cand[offset : offset + limit]]


def rank_partnership_bridges(
    pairs_a: list[dict[str, Any]],
    pairs_b: list[dict[str, Any]],
    active_a: set[str],
    active_b: set[str],
    filters: Filters,
    min_count: int,
    offset: int,
    limit: int,
) -> tuple[int, list[tuple[str, str, int, int, int]]]:
    """Rank co-owning pairs as GraphBackend.partnership_bridges says, from the pairs' co-owned
    patents in each selection (rows of `cypher.co_owned_in_selection`, x < y) and the
    organisations active in each. Returns (total, page of (x, y, count, count_a, count_b))."""
    patents: dict[tuple[str, str], tuple[set[str], set[str]]] = {}
    members: dict[str, tuple[str | None, str | None]] = {}
    for side, rows in ((0, pairs_a), (1, pairs_b)):
        for r in rows:
            key = (r["x"], r["y"])
            patents.setdefault(key, (set(), set()))[side].update(r["patents"])
            members[r["x"]] = (r["x_kind"], r["x_country"])
            members[r["y"]] = (r["y_kind"], r["y_country"])

    def passes(org: str, countries: frozenset[str], kinds: frozenset[str]) -> bool:
        kind, country = members[org]
        return (not countries or country in countries) and (not kinds or kind in kinds)

    kept: list[tuple[str, str, int, int, int]] = []
    for (x, y), (in_a, in_b) in patents.items():
        count = len(in_a | in_b)
        if count < max(min_count, 1):
            continue
        if not ((x in active_a and y in active_b) or (x in active_b and y in active_a)):
            continue
        forward = passes(x, filters.countries, filters.kinds) and passes(
            y, filters.partner_countries, filters.partner_kinds
        )
        backward = passes(y, filters.countries, filters.kinds) and passes(
            x, filters.partner_countries, filters.partner_kinds
        )
        if forward or backward:
            first, second = (x, y) if forward else (y, x)
            kept.append((first, second, count, len(in_a), len(in_b)))
    kept.sort(key=lambda t: (-t[2], -(t[3] + t[4]), t[0], t[1]))
    return len(kept), kept[offset : offset + limit]


def orient_co_ownerships(rows: list[dict[str, Any]], filters: Filters) -> list[CoOwnershipRow]:
    """Rows of `cypher.co_ownerships` (x < y, from one or several selections) as
    GraphBackend.co_ownerships gives them: each (patent, x, y) once, x on the organisation
    side (x < y when both ways pass), ordered by patent, x, y."""

    def passes(country: str | None, kind: str | None, side: tuple[frozenset[str], ...]) -> bool:
        countries, kinds = side
        return (not countries or country in countries) and (not kinds or kind in kinds)

    org_side = (filters.countries, filters.kinds)
    partner_side = (filters.partner_countries, filters.partner_kinds)
    out: dict[tuple[str, str, str], CoOwnershipRow] = {}
    for r in rows:
        xc, yc = r["x_country"] or None, r["y_country"] or None
        year = None if r["year"] is None else int(r["year"])
        if passes(xc, r["x_kind"], org_side) and passes(yc, r["y_kind"], partner_side):
            out[(r["p"], r["x"], r["y"])] = (r["p"], year, r["x"], r["y"], xc, yc)
        elif passes(yc, r["y_kind"], org_side) and passes(xc, r["x_kind"], partner_side):
            out[(r["p"], r["y"], r["x"])] = (r["p"], year, r["y"], r["x"], yc, xc)
    return [out[k] for k in sorted(out)]
