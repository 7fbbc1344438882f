"""Pure builders of the Cypher ttkg sends to Neo4j: each returns (query, parameters).

Labels and relationship types are interpolated only from `graph.model` enums, the backend's
`Relation` enum and the constant `META_LABEL`, always through `_label()`/`_rtype()`, which
refuse anything else; every value a user supplies travels as a parameter. The statements are
portable Cypher (Neo4j 5 and ArcadeDB run them alike); server differences live in `dialect.py`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from ttkg.core.model import (
    PROPERTIES,
    SCHEMA,
    EdgeType,
    NodeLabel,
    cpc_id,
    id_candidates,
    label_of_id,
)
from ttkg.graph.backends.contract import FieldSpec, Filters, Relation
from ttkg.graph.backends.derived import DERIVED_ENDS
from ttkg.graph.backends.neo4j.dialect import Dialect, await_indexes_statement

__all__ = [
    "INDEXED_PROPERTIES",
    "META_KEY",
    "META_LABEL",
    "Anchor",
    "PatentSet",
    "Query",
    "clear_label_batch",
    "constraint_name",
    "count_derived",
    "count_edges",
    "count_nodes",
    "create_constraint",
    "create_index",
    "edge_row",
    "index_name",
    "merge_derived",
    "merge_edges",
    "merge_nodes",
    "node_row",
    "read_meta",
    "schema_statements",
    "write_meta",
]

Query = tuple[str, dict[str, Any]]


@dataclass(frozen=True, slots=True)
class PatentSet:
    """A selection given by its patents' ids: the union of several selections (a theme,
    several fields), gathered first by `union_ids` (one query, the parts as list parameters)
    and sent back as one list parameter."""

    ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AnyOf:
    """A union of several field selections written as one condition on a patent (one
    `EXISTS` per kind of part, each over a list parameter): for queries anchored elsewhere
    (an organisation pair)."""

    parts: tuple[FieldSpec, ...]


#: What a selection is written from: one field selection, a union given by its patents, or a
#: union as a condition.
Anchor = FieldSpec | PatentSet | AnyOf

#: Label of the single node that holds the pushed build's manifest (provenance, counts).
META_LABEL: Final = "TtkgGraph"
META_KEY: Final = "ttkg"

#: Properties with a (range) index besides the unique `id`: what lookups and filters use.
INDEXED_PROPERTIES: Final[dict[NodeLabel, tuple[str, ...]]] = {
    NodeLabel.ORGANIZATION: ("name", "ror_id", "country", "kind"),
    NodeLabel.PATENT: ("number", "year"),
    NodeLabel.COUNTRY: ("code", "alpha3"),
    NodeLabel.CPC_CLASS: ("symbol",),
    NodeLabel.TECHNOLOGY_FIELD: ("number",),
    NodeLabel.RESEARCH_FIELD: ("openalex_id",),
}


def _label(label: NodeLabel | str) -> str:
    """A label ready for interpolation: only schema labels and the meta label pass."""
    if isinstance(label, NodeLabel):
        return f"`{label.value}`"
    if label == META_LABEL:
        return f"`{META_LABEL}`"
    raise ValueError(f"not a ttkg label: {label!r}")


def _derived_type(relation: Relation) -> str:
    """A derived relationship type ready for interpolation: only `DERIVED_ENDS` keys pass."""
    if not isinstance(relation, Relation) or relation not in DERIVED_ENDS:
        raise ValueError(f"not a derived ttkg relationship type: {relation!r}")
    return f"`{relation.value}`"


def _rtype(etype: EdgeType) -> str:
    """A relationship type ready for interpolation: only schema edge types pass."""
    if not isinstance(etype, EdgeType):
        raise ValueError(f"not a ttkg relationship type: {etype!r}")
    return f"`{etype.value}`"


# --- schema -----------------------------------------------------------------------------------


def constraint_name(label: NodeLabel) -> str:
    """`ttkg_organization_id`."""
    return f"ttkg_{_label(label).strip('`').lower()}_id"


def index_name(label: NodeLabel, prop: str) -> str:
    """`ttkg_organization_name`."""
    return f"ttkg_{_label(label).strip('`').lower()}_{prop}"


def create_constraint(label: NodeLabel) -> Query:
    """Unique `id` per label (Neo4j 5 syntax; idempotent)."""
    return (
        f"CREATE CONSTRAINT {constraint_name(label)} IF NOT EXISTS "
        f"FOR (n:{_label(label)}) REQUIRE n.id IS UNIQUE",
        {},
    )


def create_index(label: NodeLabel, prop: str) -> Query:
    """A range index on one property (idempotent)."""
    if not prop.isidentifier():
        raise ValueError(f"not a property name: {prop!r}")
    return (
        f"CREATE INDEX {index_name(label, prop)} IF NOT EXISTS "
        f"FOR (n:{_label(label)}) ON (n.{prop})",
        {},
    )


def schema_statements(dialect: Dialect) -> list[Query]:
    """Everything a push creates before writing data, in order: constraints (one unique `id`
    per label, plus one for the meta node), indexes, and the dialect's wait for them."""
    out = [create_constraint(label) for label in NodeLabel]
    out.append(
        (
            f"CREATE CONSTRAINT ttkg_meta_key IF NOT EXISTS "
            f"FOR (n:{_label(META_LABEL)}) REQUIRE n.key IS UNIQUE",
            {},
        )
    )
    out += [create_index(label, p) for label, props in INDEXED_PROPERTIES.items() for p in props]
    wait = await_indexes_statement(dialect)
    if wait is not None:
        out.append((wait, {}))
    return out


# --- writes -------------------------------------------------------------------------------------


def node_row(label: NodeLabel, values: dict[str, Any]) -> dict[str, Any]:
    """A `merge_nodes` row from an artifact row: {id, props}, props holding every non-null
    column (`id` and `source` included; Neo4j stores no nulls, lists stay lists), plus the
    derived `search_keys` on searchable labels."""
    props = {k: v for k, v in values.items() if v is not None}
    if label in SEARCHABLE_LABELS:
        props[SEARCH_KEYS] = search_keys(values)
    return {"id": values["id"], "props": props}


def edge_row(values: dict[str, Any]) -> dict[str, Any]:
    """A `merge_edges` row from an artifact row: {src, dst, props} (non-null properties and
    `source`; the endpoints are the relationship's nodes, not properties)."""
    props = {k: v for k, v in values.items() if v is not None and k not in ("src", "dst")}
    return {"src": values["src"], "dst": values["dst"], "props": props}


def merge_nodes(label: NodeLabel, rows: Sequence[dict[str, Any]], *, create: bool = False) -> Query:
    """Upsert nodes: rows as made by `node_row`; props replace the node's properties entirely,
    so a re-push leaves exactly the artifact's values. Returns the number written as `n`.

    create=True writes CREATE instead of MERGE: only for a label that has no node yet in the
    server (a first push), where it is the same result and faster."""
    verb = "CREATE" if create else "MERGE"
    return (
        f"UNWIND $rows AS r {verb} (n:{_label(label)} {{id: r.id}}) "
        "SET n = r.props RETURN count(n) AS n",
        {"rows": list(rows)},
    )


def merge_edges(
    src: NodeLabel,
    etype: EdgeType,
    dst: NodeLabel,
    rows: Sequence[dict[str, Any]],
    *,
    create: bool = False,
) -> Query:
    """Upsert relationships between existing nodes: rows are {src, dst, props}. At most one
    relationship of a type per node pair (the build guarantees it). Returns `n` written.
    create=True: CREATE, for a type with no relationship yet in the server."""
    if (src, etype, dst) not in SCHEMA:
        raise ValueError(f"({src})-[:{etype}]->({dst}) is not in the ttkg schema")
    verb = "CREATE" if create else "MERGE"
    return (
        f"UNWIND $rows AS r MATCH (a:{_label(src)} {{id: r.src}}) "
        f"MATCH (b:{_label(dst)} {{id: r.dst}}) "
        f"{verb} (a)-[e:{_rtype(etype)}]->(b) SET e = r.props RETURN count(e) AS n",
        {"rows": list(rows)},
    )


def merge_derived(
    relation: Relation, rows: Sequence[dict[str, Any]], *, create: bool = False
) -> Query:
    """Upsert derived relationships (CO_ASSIGNED, ACTIVE_IN) between existing nodes: rows
    {src, dst, props}; props replace the relationship's properties. Returns `n` written."""
    src, dst = DERIVED_ENDS[relation]
    verb = "CREATE" if create else "MERGE"
    return (
        f"UNWIND $rows AS r MATCH (a:{_label(src)} {{id: r.src}}) "
        f"MATCH (b:{_label(dst)} {{id: r.dst}}) "
        f"{verb} (a)-[e:{_derived_type(relation)}]->(b) SET e = r.props RETURN count(e) AS n",
        {"rows": list(rows)},
    )


def count_derived() -> Query:
    """Rows (type, n) for every derived relationship type."""
    parts = [
        f"MATCH ()-[r:{_derived_type(rel)}]->() RETURN '{rel.value}' AS type, count(r) AS n"
        for rel in DERIVED_ENDS
    ]
    return " UNION ALL ".join(parts), {}


def write_meta(props: dict[str, Any]) -> Query:
    """Create or replace the meta node's properties (manifest JSON, build id, push status)."""
    return (
        f"MERGE (m:{_label(META_LABEL)} {{key: $key}}) SET m = $props",
        {"key": META_KEY, "props": {**props, "key": META_KEY}},
    )


def read_meta() -> Query:
    """The meta node's properties, if any (`props`)."""
    return (
        f"MATCH (m:{_label(META_LABEL)} {{key: $key}}) RETURN properties(m) AS props",
        {"key": META_KEY},
    )


def clear_label_batch(label: NodeLabel | str, batch: int = 10_000) -> Query:
    """Delete up to `batch` nodes of a label with their relationships; returns `n` deleted.
    Run until it returns 0 (bounded transactions on any server)."""
    return (
        f"MATCH (n:{_label(label)}) WITH n LIMIT $batch DETACH DELETE n RETURN count(*) AS n",
        {"batch": int(batch)},
    )


# --- counts -------------------------------------------------------------------------------------


def count_nodes() -> Query:
    """Rows (label, n) for every schema label that has nodes."""
    parts = [
        f"MATCH (n:{_label(label)}) RETURN '{label.value}' AS label, count(n) AS n"
        for label in NodeLabel
    ]
    return " UNION ALL ".join(parts), {}


def count_edges() -> Query:
    """Rows (type, n) for every schema relationship type that has relationships."""
    parts = [
        f"MATCH ()-[r:{_rtype(etype)}]->() RETURN '{etype.value}' AS type, count(r) AS n"
        for etype in EdgeType
    ]
    return " UNION ALL ".join(parts), {}


# --- reads: building blocks -----------------------------------------------------------------

#: Labels whose name and aliases are looked up ignoring case (as the embedded backend does),
#: through the derived `search_keys` property (casefolded name and aliases) a push adds.
SEARCHABLE_LABELS: Final = (
    NodeLabel.ORGANIZATION,
    NodeLabel.COUNTRY,
    NodeLabel.TECHNOLOGY_FIELD,
)
SEARCH_KEYS: Final = "search_keys"


def search_keys(values: dict[str, Any]) -> list[str]:
    """The casefolded name and aliases of a node row, sorted, without duplicates."""
    texts = [values.get("name"), *(values.get("aliases") or ())]
    return sorted({t.casefold() for t in texts if t})


def _rank_case(expr: str, names: Sequence[str]) -> str:
    """`CASE expr WHEN 'A' THEN 0 WHEN 'B' THEN 1 ... END`; names come from the schema enums."""
    whens = " ".join(f"WHEN '{n}' THEN {i}" for i, n in enumerate(names))
    return f"CASE {expr} {whens} ELSE {len(names)} END"


LABEL_RANK: Final = _rank_case("labels(n)[0]", [label.value for label in NodeLabel])
TYPE_RANK: Final = _rank_case("type(r)", [etype.value for etype in EdgeType])


class _Where:
    """Collects WHERE conditions and their parameters."""

    def __init__(self) -> None:
        self.conds: list[str] = []
        self.params: dict[str, Any] = {}
        self.lead = ""  # written before the first MATCH (a PatentSet's UNWIND)

    def add(self, cond: str, **params: Any) -> None:
        self.conds.append(cond)
        self.params.update(params)

    def clause(self) -> str:
        return (" WHERE " + " AND ".join(self.conds)) if self.conds else ""


def _years(where: _Where, filters: Filters, p: str = "p") -> None:
    """Grant-year range on patent variable `p` (a patent without a year never passes)."""
    if filters.year_from is not None:
        where.add(f"{p}.year >= $year_from", year_from=int(filters.year_from))
    if filters.year_to is not None:
        where.add(f"{p}.year <= $year_to", year_to=int(filters.year_to))


def _org_filter(where: _Where, filters: Filters, o: str) -> None:
    """The filters' organisation part on organisation variable `o` (an empty country or kind
    set filters nothing)."""
    if filters.countries:
        where.add(f"{o}.country IN $countries", countries=sorted(filters.countries))
    if filters.kinds:
        where.add(f"{o}.kind IN $kinds", kinds=sorted(filters.kinds))


def cpc_selection(symbol: str) -> tuple[str, str]:
    """How a CPC symbol selects classes: ('prefix', p) for a section, class, subclass or main
    group (`H01L21/00` -> `H01L21/`), else ('tree', cpc id) for a group and its descendants."""
    s = symbol.replace(" ", "")
    if len(s) <= 4 or s.endswith("/00"):
        return "prefix", (s[:-2] if s.endswith("/00") else s)
    return "tree", cpc_id(s)


def _selection_steps(where: _Where, spec: FieldSpec) -> list[tuple[str, str]]:
    """The path from a patent to the node(s) that stand for the selection, as (relationship,
    node) steps pointing away from the patent; conditions and parameters go to `where`."""
    tf, cpc = _label(NodeLabel.TECHNOLOGY_FIELD), _label(NodeLabel.CPC_CLASS)
    in_field, broader = _rtype(EdgeType.IN_FIELD), _rtype(EdgeType.BROADER)
    if spec.kind == "wipo_field":
        where.params["sel_node"] = spec.node_id
        return [(in_field, f"(:{tf} {{id: $sel_node}})")]
    if spec.kind == "wipo_sector":
        where.params["sel_node"] = spec.node_id
        return [(in_field, f"(:{tf})"), (broader, f"(:{tf} {{id: $sel_node}})")]
    if spec.kind == "cpc":
        how, value = cpc_selection(spec.value)
        if how == "prefix":
            where.add("sel_c.symbol STARTS WITH $sel_prefix", sel_prefix=value)
            return [(_rtype(EdgeType.CLASSIFIED_AS), f"(sel_c:{cpc})")]
        where.params["sel_node"] = value
        return [
            (_rtype(EdgeType.CLASSIFIED_AS), f"(:{cpc})"),
            (f"{broader}*0..", f"(:{cpc} {{id: $sel_node}})"),
        ]
    raise ValueError(f"unknown selection kind {spec.kind!r}")


def _selection(where: _Where, spec: Anchor) -> str:
    """The pattern tail after patent `p` that puts it in the selection: `-[:IN_FIELD]->(...)`
    (for a PatentSet, a condition on `p.id` and no tail). For queries anchored elsewhere (an
    organisation)."""
    if isinstance(spec, PatentSet):
        where.add("p.id IN $sel_ids", sel_ids=list(spec.ids))
        return ""
    if isinstance(spec, AnyOf):
        where.add("(" + " OR ".join(_union_exists(where, spec.parts)) + ")")
        return ""
    return "".join(f"-[:{rel}]->{node}" for rel, node in _selection_steps(where, spec))


def _union_lists(parts: Sequence[FieldSpec]) -> dict[str, list[str]]:
    """The parts of a union by how they are matched: WIPO fields and sectors by node id, CPC
    symbols by symbol prefix or by the id of the group whose subtree they are."""
    out: dict[str, set[str]] = {"u_fields": set(), "u_sectors": set(), "u_prefixes": set(),
                                "u_nodes": set()}
    for part in parts:
        if part.kind == "wipo_field":
            out["u_fields"].add(part.node_id)
        elif part.kind == "wipo_sector":
            out["u_sectors"].add(part.node_id)
        elif part.kind == "cpc":
            how, value = cpc_selection(part.value)
            out["u_prefixes" if how == "prefix" else "u_nodes"].add(value)
        else:
            raise ValueError(f"unknown selection kind {part.kind!r}")
    return {k: sorted(v) for k, v in out.items() if v}


def _union_paths(lists: dict[str, list[str]], u: str) -> dict[str, tuple[str, str]]:
    """Per kind of part: (the anchor node matched from `u`, the path from it to patent
    `p`), the anchor written first."""
    tf, cpc = _label(NodeLabel.TECHNOLOGY_FIELD), _label(NodeLabel.CPC_CLASS)
    in_field, broader = _rtype(EdgeType.IN_FIELD), _rtype(EdgeType.BROADER)
    classified = _rtype(EdgeType.CLASSIFIED_AS)
    paths = {
        "u_fields": (f"(:{tf} {{id: {u}}})", f"<-[:{in_field}]-(p)"),
        "u_sectors": (f"(:{tf} {{id: {u}}})", f"<-[:{broader}]-(:{tf})<-[:{in_field}]-(p)"),
        "u_prefixes": (f"(c:{cpc})", f"<-[:{classified}]-(p)"),
        "u_nodes": (f"(:{cpc} {{id: {u}}})", f"<-[:{broader}*0..]-(:{cpc})<-[:{classified}]-(p)"),
    }
    return {k: v for k, v in paths.items() if k in lists}


def _union_exists(where: _Where, parts: Sequence[FieldSpec]) -> list[str]:
    """One `EXISTS` per kind of part of a union, from patent `p`, its list a parameter."""
    tf, cpc = _label(NodeLabel.TECHNOLOGY_FIELD), _label(NodeLabel.CPC_CLASS)
    in_field, broader = _rtype(EdgeType.IN_FIELD), _rtype(EdgeType.BROADER)
    classified = _rtype(EdgeType.CLASSIFIED_AS)
    lists = _union_lists(parts)
    where.params.update(lists)
    found = {
        "u_fields": f"(p)-[:{in_field}]->(u_f:{tf}) WHERE u_f.id IN $u_fields",
        "u_sectors": f"(p)-[:{in_field}]->(:{tf})-[:{broader}]->(u_s:{tf}) "
                     "WHERE u_s.id IN $u_sectors",
        "u_prefixes": f"(p)-[:{classified}]->(u_c:{cpc}) "
                      "WHERE any(x IN $u_prefixes WHERE u_c.symbol STARTS WITH x)",
        "u_nodes": f"(p)-[:{classified}]->(:{cpc})-[:{broader}*0..]->(u_n:{cpc}) "
                   "WHERE u_n.id IN $u_nodes",
    }
    return [f"EXISTS {{ MATCH {found[k]} }}" for k in lists]


def _selection_from(where: _Where, spec: Anchor, p: str = "p") -> str:
    """The selection written from its anchor node to patent `p`: `(...)<-[:IN_FIELD]-(p:Patent)`.
    Anchor first, so that every server's planner starts from the selection (ArcadeDB follows
    the written order and is 100x slower the other way round); a PatentSet starts from its
    patents, one by id after another (`UNWIND`, in `where.lead`: the caller writes it before
    its MATCH)."""
    if isinstance(spec, PatentSet):  # each patent by its id (an index lookup per id)
        where.params["sel_ids"] = list(spec.ids)
        where.lead = "UNWIND $sel_ids AS sel_id "
        return f"({p}:{PAT} {{id: sel_id}})"
    if isinstance(spec, AnyOf):  # a condition, not an anchor: written from its patents
        raise ValueError("a union is anchored by its patents (PatentSet), not written as AnyOf")
    steps = _selection_steps(where, spec)
    nodes = [f"({p}:{PAT})"] + [node for _, node in steps]
    out = nodes[-1]
    for i in range(len(steps) - 1, -1, -1):
        out += f"<-[:{steps[i][0]}]-{nodes[i]}"
    return out


def _refs(p: str = "p") -> str:
    """Columns of a PatentRef."""
    return f"{p}.id AS id, {p}.number AS number, {p}.year AS year, {p}.title AS title"


#: Newest first, then by number; a patent without a year sorts last (as in the embedded backend).
PATENT_ORDER: Final = "coalesce(p.year, -1) DESC, p.number ASC"

ORG: Final = _label(NodeLabel.ORGANIZATION)
PAT: Final = _label(NodeLabel.PATENT)
ASSIGNED: Final = _rtype(EdgeType.ASSIGNED_TO)
MEMBER: Final = _rtype(EdgeType.MEMBER_OF)


def _holder(where: _Where, filters: Filters, o: str) -> str:
    """The pattern tail from a patent to its holder `o`: `-[:ASSIGNED_TO]->(o:Organization)`;
    at the family level the head of each assignee's family (the assignee itself when it has
    no MEMBER_OF edge, else the organisation its MEMBER_OF edge points to)."""
    if not filters.family:
        return f"-[:{ASSIGNED}]->({o}:{ORG})"
    where.add(f"NOT EXISTS {{ MATCH ({o})-[:{MEMBER}]->() }}")
    return f"-[:{ASSIGNED}]->(:{ORG})-[:{MEMBER}*0..1]->({o}:{ORG})"


def _holder_from(where: _Where, filters: Filters, o: str, props: str = "") -> str:
    """`_holder` written from the holder to the patent, up to `<-`: `(o:Organization)<-[:
    ASSIGNED_TO]-` (`props`: a property map for `o`, such as `{id: pair[0]}`)."""
    if not filters.family:
        return f"({o}:{ORG}{props})<-[:{ASSIGNED}]-"
    where.add(f"NOT EXISTS {{ MATCH ({o})-[:{MEMBER}]->() }}")
    return f"({o}:{ORG}{props})<-[:{MEMBER}*0..1]-(:{ORG})<-[:{ASSIGNED}]-"


# --- reads: metadata and entities -------------------------------------------------------------


def get_nodes(ids: Sequence[str]) -> Query:
    """Nodes by id, routed to their label by the id prefix (ids of no label are skipped).
    Rows: id, label, props."""
    by_label: dict[NodeLabel, list[str]] = {}
    for node_id in dict.fromkeys(ids):
        label = label_of_id(node_id)
        if label is not None:
            by_label.setdefault(label, []).append(node_id)
    if not by_label:
        return "RETURN null AS id, null AS label, null AS props LIMIT 0", {}
    parts, params = [], {}
    for i, (label, label_ids) in enumerate(by_label.items()):
        parts.append(
            f"MATCH (n:{_label(label)}) WHERE n.id IN $ids{i} "
            f"RETURN n.id AS id, '{label.value}' AS label, properties(n) AS props"
        )
        params[f"ids{i}"] = label_ids
    return " UNION ALL ".join(parts), params


def _ranked_nodes(parts: list[str], params: dict[str, Any], limit: int) -> Query:
    """Union of node-returning parts, each node once, ordered by label, patents desc, id."""
    if not parts:
        return "RETURN null AS id, null AS label, null AS props LIMIT 0", {}
    body = " UNION ".join(parts)
    return (
        f"CALL {{ {body} }} "
        f"RETURN n.id AS id, labels(n)[0] AS label, properties(n) AS props "
        f"ORDER BY {LABEL_RANK}, coalesce(n.patent_count, 0) DESC, n.id LIMIT $limit",
        {**params, "limit": int(limit)},
    )


def lookup(text: str, labels: Sequence[NodeLabel], limit: int) -> Query:
    """Exact matches of `text` (see GraphBackend.lookup). Rows: id, label, props."""
    allowed = list(labels) or list(NodeLabel)
    candidates, upper = id_candidates(text)
    parts: list[str] = []
    params: dict[str, Any] = {}
    by_label: dict[NodeLabel, list[str]] = {}
    for c in candidates:
        label = label_of_id(c)
        if label is not None and label in allowed:
            by_label.setdefault(label, []).append(c)
    for i, (label, ids) in enumerate(by_label.items()):
        parts.append(f"MATCH (n:{_label(label)}) WHERE n.id IN $ids{i} RETURN n")
        params[f"ids{i}"] = ids
    if NodeLabel.COUNTRY in allowed and upper:
        parts.append(
            f"MATCH (n:{_label(NodeLabel.COUNTRY)}) "
            "WHERE toUpper(n.code) = $code OR toUpper(n.alpha3) = $code RETURN n"
        )
        params["code"] = upper
    key = text.strip().casefold()
    if key:
        for label in SEARCHABLE_LABELS:
            if label in allowed:
                parts.append(f"MATCH (n:{_label(label)}) WHERE $key IN n.{SEARCH_KEYS} RETURN n")
                params["key"] = key
    return _ranked_nodes(parts, params, limit)


def search_prefix(text: str, labels: Sequence[NodeLabel], limit: int) -> Query:
    """Nodes whose casefolded name or alias starts with the casefolded text. Rows as lookup."""
    allowed = list(labels) or list(NodeLabel)
    key = text.strip().casefold()
    parts = [
        f"MATCH (n:{_label(label)}) WHERE any(k IN n.{SEARCH_KEYS} WHERE k STARTS WITH $key) "
        "RETURN n"
        for label in SEARCHABLE_LABELS
        if label in allowed and key
    ]
    return _ranked_nodes(parts, {"key": key}, limit)


#: The property `names()` reports per label: name, else symbol, else title.
NAME_PROPERTY: Final[dict[NodeLabel, str]] = {
    label: next(
        (c for c in ("name", "symbol", "title") if c in {n for n, _ in PROPERTIES[label]}), "id"
    )
    for label in NodeLabel
}


def names(labels: Sequence[NodeLabel]) -> Query:
    """(id, name) of every node of the labels with a name, by label order then id."""
    parts = [
        f"MATCH (n:{_label(label)}) WHERE n.{NAME_PROPERTY[label]} IS NOT NULL "
        f"AND n.{NAME_PROPERTY[label]} <> '' "
        f"RETURN n.id AS id, n.{NAME_PROPERTY[label]} AS name, {i} AS rank"
        for i, label in enumerate(NodeLabel)
        if label in labels
    ]
    if not parts:
        return "RETURN null AS id, null AS name LIMIT 0", {}
    return f"CALL {{ {' UNION ALL '.join(parts)} }} RETURN id, name ORDER BY rank, id", {}


def neighbors(node_id: str, limit: int) -> Query:
    """Relationships at a node with the node at the other end: at most `limit` per (type,
    direction), ordered by type (schema order), direction (out before in), other id.
    Rows: type, direction, id, label, props, rprops. Only the (type, direction) pairs the
    schema allows at the node's label are asked for."""
    label = label_of_id(node_id)
    if label is None:
        return "RETURN null AS type LIMIT 0", {}
    parts: list[str] = []
    for etype in EdgeType:
        for direction in ("out", "in"):
            others = {
                (d if direction == "out" else s)
                for s, t, d in SCHEMA
                if t is etype and (s if direction == "out" else d) is label
            }
            if not others:
                continue
            rel = f"[r:{_rtype(etype)}]"
            arrow = f"-{rel}->" if direction == "out" else f"<-{rel}-"
            # one label at the other end: name it (index use); several: any node
            other = f"m:{_label(next(iter(others)))}" if len(others) == 1 else "m"
            parts.append(
                f"MATCH (n:{_label(label)} {{id: $id}}){arrow}({other}) "
                f"RETURN '{etype.value}' AS type, '{direction}' AS direction, "
                f"{len(parts)} AS rank, m.id AS id, labels(m)[0] AS label, "
                "properties(m) AS props, properties(r) AS rprops ORDER BY m.id LIMIT $limit"
            )
    if not parts:
        return "RETURN null AS type LIMIT 0", {}
    return (
        f"CALL {{ {' UNION ALL '.join(parts)} }} "
        "RETURN type, direction, id, label, props, rprops ORDER BY rank, id",
        {"id": node_id, "limit": int(limit)},
    )


# --- reads: aggregates ------------------------------------------------------------------------


def field_org_counts(spec: Anchor, filters: Filters, *, org_filter: bool = True) -> Query:
    """Distinct patents per organisation in the selection (years filtered; the org part of
    the filters applied unless org_filter is False). Rows: id, n."""
    w = _Where()
    head = _selection_from(w, spec)
    _years(w, filters)
    if org_filter:
        _org_filter(w, filters, "o")
    return (
        f"{w.lead}MATCH {head}{_holder(w, filters, 'o')}{w.clause()} "
        "RETURN o.id AS id, count(DISTINCT p) AS n",
        w.params,
    )


def _patents_of(org_id: str, spec: Anchor | None, filters: Filters) -> tuple[str, _Where]:
    w = _Where()
    tail = _selection(w, spec) if spec is not None else ""
    _years(w, filters)
    w.params["org"] = org_id
    return f"MATCH {_holder_from(w, filters, 'o', ' {id: $org}')}(p:{PAT}){tail}{w.clause()}", w


def org_patents_total(org_id: str, spec: Anchor | None, filters: Filters) -> Query:
    """Number of distinct patents of an organisation (in the selection). Row: total."""
    match, w = _patents_of(org_id, spec, filters)
    return f"{match} RETURN count(DISTINCT p) AS total", w.params


def org_patents_page(org_id: str, spec: Anchor | None, filters: Filters, limit: int) -> Query:
    """The first `limit` of them, newest first then by number. Rows: id, number, year, title."""
    match, w = _patents_of(org_id, spec, filters)
    return (
        f"{match} WITH DISTINCT p RETURN {_refs()} ORDER BY {PATENT_ORDER} LIMIT $limit",
        {**w.params, "limit": int(limit)},
    )


def _shared(org_a: str, org_b: str, spec: Anchor | None, filters: Filters) -> tuple[str, _Where]:
    w = _Where()
    tail = _selection(w, spec) if spec is not None else ""
    _years(w, filters)
    w.params.update(a=org_a, b=org_b)
    sel = f", (p){tail}" if tail else ""
    head = _holder_from(w, filters, "a", " {id: $a}")
    if filters.family:  # the other family, reached from each assignee as in `_holder`
        w.add(f"NOT EXISTS {{ MATCH (b)-[:{MEMBER}]->() }}")
        other = f"-[:{ASSIGNED}]->(:{ORG})-[:{MEMBER}*0..1]->(b:{ORG} {{id: $b}})"
    else:
        other = f"-[:{ASSIGNED}]->(b:{ORG} {{id: $b}})"
    return f"MATCH {head}(p:{PAT}){other}{sel}{w.clause()}", w


def co_assigned_total(org_a: str, org_b: str, spec: Anchor | None, filters: Filters) -> Query:
    """Number of distinct patents assigned to both organisations. Row: total."""
    match, w = _shared(org_a, org_b, spec, filters)
    return f"{match} RETURN count(DISTINCT p) AS total", w.params


def co_assigned_page(
    org_a: str, org_b: str, spec: Anchor | None, filters: Filters, limit: int
) -> Query:
    """The first `limit` of them, newest first then by number. Rows: id, number, year, title."""
    match, w = _shared(org_a, org_b, spec, filters)
    return (
        f"{match} WITH DISTINCT p RETURN {_refs()} ORDER BY {PATENT_ORDER} LIMIT $limit",
        {**w.params, "limit": int(limit)},
    )


def co_assignment_counts(org_ids: Sequence[str], spec: Anchor | None, filters: Filters) -> Query:
    """Distinct co-owned patents (selection and years) between an organisation of org_ids
    and any other organisation passing the org part. Rows: a, b, n (a in org_ids)."""
    w = _Where()
    tail = _selection(w, spec) if spec is not None else ""
    w.add("a.id IN $ids", ids=sorted(set(org_ids)))
    w.add("a <> b")
    _years(w, filters)
    _org_filter(w, filters, "b")
    sel = f", (p){tail}" if tail else ""
    match = f"{_holder_from(w, filters, 'a')}(p:{PAT}){_holder(w, filters, 'b')}"
    return (
        f"MATCH {match}{sel}{w.clause()} "
        "RETURN a.id AS a, b.id AS b, count(DISTINCT p) AS n",
        w.params,
    )


def co_owned_in_selection(spec: Anchor, filters: Filters) -> Query:
    """Every unordered pair x < y co-owning patents in the selection (years filtered), with
    those patents and both members' kind and country. Rows: x, y, patents, x_kind, y_kind,
    x_country, y_country."""
    w = _Where()
    head = _selection_from(w, spec)
    _years(w, filters)
    w.add("x.id < y.id")
    x, y = _holder(w, filters, "x"), _holder(w, filters, "y")
    return (
        f"{w.lead}MATCH {head}{x}, (p){y}{w.clause()} "
        "RETURN x.id AS x, y.id AS y, collect(DISTINCT p.id) AS patents, x.kind AS x_kind, "
        "y.kind AS y_kind, x.country AS x_country, y.country AS y_country",
        w.params,
    )


def _side(o: str, countries: str, kinds: str) -> str:
    """Organisation `o` passes one side of the filters (an empty list passes everything)."""
    return (
        f"(size(${countries}) = 0 OR {o}.country IN ${countries}) AND "
        f"(size(${kinds}) = 0 OR {o}.kind IN ${kinds})"
    )


def co_ownerships(spec: Anchor | None, filters: Filters) -> Query:
    """Every co-owned patent (in the selection when given, years filtered) with each
    unordered pair x < y of its owners where one passes the organisation side of the filters
    and the other the partner side, either way round. Rows: p, year, x, y, x_country,
    y_country, x_kind, y_kind."""
    w = _Where()
    head = (
        f"{_selection_from(w, spec)}-[:{ASSIGNED}]->(x:{ORG})"
        if spec is not None
        else f"(x:{ORG})<-[:{ASSIGNED}]-(p:{PAT})"
    )
    _years(w, filters)
    w.add("x.id < y.id")
    w.add(
        f"(({_side('x', 'sc', 'sk')} AND {_side('y', 'pc', 'pk')}) OR "
        f"({_side('y', 'sc', 'sk')} AND {_side('x', 'pc', 'pk')}))",
        sc=sorted(filters.countries),
        sk=sorted(filters.kinds),
        pc=sorted(filters.partner_countries),
        pk=sorted(filters.partner_kinds),
    )
    return (
        f"{w.lead}MATCH {head}, (p)-[:{ASSIGNED}]->(y:{ORG}){w.clause()} "
        "RETURN DISTINCT p.id AS p, p.year AS year, x.id AS x, y.id AS y, "
        "x.country AS x_country, y.country AS y_country, x.kind AS x_kind, y.kind AS y_kind",
        w.params,
    )


def co_owned_totals(pairs: Sequence[tuple[str, str]], filters: Filters) -> Query:
    """Distinct co-owned patents (years filtered, any field) of each pair. Rows: x, y, n."""
    w = _Where()
    _years(w, filters)
    x = _holder_from(w, filters, "x", " {id: pair[0]}")
    if filters.family:
        w.add(f"NOT EXISTS {{ MATCH (y)-[:{MEMBER}]->() }}")
        y = f"-[:{ASSIGNED}]->(:{ORG})-[:{MEMBER}*0..1]->(y:{ORG} {{id: pair[1]}})"
    else:
        y = f"-[:{ASSIGNED}]->(y:{ORG} {{id: pair[1]}})"
    return (
        f"UNWIND $pairs AS pair MATCH {x}(p:{PAT}){y}{w.clause()} "
        "RETURN x.id AS x, y.id AS y, count(DISTINCT p) AS n",
        {**w.params, "pairs": [list(pair) for pair in pairs]},
    )


def union_ids(parts: Sequence[FieldSpec], filters: Filters) -> Query:
    """Ids of the patents in any of several field selections (years filtered), in one query:
    one branch per kind of part (WIPO fields, sectors, CPC prefixes, CPC subtrees), each
    anchored on its nodes from a list parameter (`UNWIND`), joined by `UNION`. Rows: id."""
    lists = _union_lists(parts)
    w = _Where()
    _years(w, filters)
    branches = []
    for key, (node, path) in _union_paths(lists, "u").items():
        conds = (["c.symbol STARTS WITH u"] if key == "u_prefixes" else []) + w.conds
        where = (" WHERE " + " AND ".join(conds)) if conds else ""
        branches.append(f"UNWIND ${key} AS u MATCH {node}{path.replace('(p)', f'(p:{PAT})')}"
                        f"{where} RETURN p.id AS id")
    return " UNION ".join(branches), {**w.params, **lists}


def field_country_counts(spec: Anchor, filters: Filters) -> Query:
    """Distinct patents in the selection per country of a holding organisation (organisations
    without a country skipped, the org part applied). Rows: country, n."""
    w = _Where()
    head = _selection_from(w, spec)
    _years(w, filters)
    w.add("o.country IS NOT NULL AND o.country <> ''")
    _org_filter(w, filters, "o")
    return (
        f"{w.lead}MATCH {head}{_holder(w, filters, 'o')}{w.clause()} "
        "RETURN o.country AS country, count(DISTINCT p) AS n",
        w.params,
    )


def _held(where: _Where, filters: Filters, p: str = "p") -> None:
    """With an org part in the filters: patent `p` is held by at least one passing
    organisation."""
    if filters.org_filtered():
        org = _Where()
        _org_filter(org, filters, "o")
        held = _holder(org, filters, "o")
        where.add(f"EXISTS {{ MATCH ({p}){held}{org.clause()} }}", **org.params)


def selection_size(spec: Anchor, filters: Filters) -> Query:
    """Distinct patents in the selection (years filtered; with an org part, held by at least
    one passing organisation). Row: n."""
    w = _Where()
    head = _selection_from(w, spec)
    _years(w, filters)
    _held(w, filters)
    return f"{w.lead}MATCH {head}{w.clause()} RETURN count(DISTINCT p) AS n", w.params


def selection_years(spec: Anchor, filters: Filters) -> Query:
    """Patents of the selection per grant year, counted as `selection_size` counts them.
    Rows: year (null for a patent without one), n."""
    w = _Where()
    head = _selection_from(w, spec)
    _years(w, filters)
    _held(w, filters)
    return (f"{w.lead}MATCH {head}{w.clause()} RETURN p.year AS year, count(DISTINCT p) AS n",
            w.params)


def field_cooccurrence(spec: Anchor, filters: Filters) -> Query:
    """Patents of the selection per WIPO field they are in (own field included), counted as
    `selection_size` counts them. Rows: id, n."""
    w = _Where()
    head = _selection_from(w, spec)
    _years(w, filters)
    _held(w, filters)
    tf = _label(NodeLabel.TECHNOLOGY_FIELD)
    return (
        f"{w.lead}MATCH {head}{w.clause()} WITH DISTINCT p "
        f"MATCH (p)-[:{_rtype(EdgeType.IN_FIELD)}]->(f:{tf}) "
        "RETURN f.id AS id, count(p) AS n",
        w.params,
    )


# --- reads: the entity graph ------------------------------------------------------------------


# --- research (OpenAlex works) ---------------------------------------------------------------

WORK: Final = _label(NodeLabel.WORK)
RESEARCH: Final = _label(NodeLabel.RESEARCH_FIELD)
AUTHORED: Final = _rtype(EdgeType.AUTHORED_BY)
HAS_TOPIC: Final = _rtype(EdgeType.HAS_TOPIC)
BROADER: Final = _rtype(EdgeType.BROADER)


def research_work_ids(field_id: str | None, org_id: str | None, filters: Filters) -> Query:
    """Works under a research field (any level; or all works), of an organisation when
    given, publication year filtered. Rows: id, year (unordered)."""
    w = _Where()
    parts = []
    if field_id is not None:
        parts.append(
            f"MATCH (r:{RESEARCH} {{id: $rid}})<-[:{BROADER}*0..3]-(:{RESEARCH})"
            f"<-[:{HAS_TOPIC}]-(w:{WORK})"
        )
        w.params["rid"] = field_id
    if org_id is not None:
        parts.append(f"MATCH (w:{WORK})-[:{AUTHORED}]->(:{ORG} {{id: $org}})")
        w.params["org"] = org_id
    if not parts:
        parts.append(f"MATCH (w:{WORK})")
    _years(w, filters, "w")
    return " ".join(parts) + w.clause() + " RETURN DISTINCT w.id AS id, w.year AS year", w.params


def work_orgs(ids: Sequence[str]) -> Query:
    """The organisations of works (AUTHORED_BY). Rows: id, orgs."""
    return (
        f"UNWIND $ids AS wid MATCH (w:{WORK} {{id: wid}})-[:{AUTHORED}]->(o:{ORG}) "
        "RETURN w.id AS id, collect(DISTINCT o.id) AS orgs",
        {"ids": list(ids)},
    )


def work_fields(ids: Sequence[str]) -> Query:
    """The OpenAlex fields (level `field`) of works' topics. Rows: id, fields."""
    return (
        f"UNWIND $ids AS wid MATCH (w:{WORK} {{id: wid}})-[:{HAS_TOPIC}]->(:{RESEARCH})"
        f"-[:{BROADER}*1..3]->(f:{RESEARCH}) WHERE f.level = 'field' "
        "RETURN w.id AS id, collect(DISTINCT f.id) AS fields",
        {"ids": list(ids)},
    )


def relation_queries(
    node_ids: Sequence[str], via: Sequence[Relation]
) -> list[tuple[Relation, Query]]:
    """(relation, query) for each relation type asked for that can touch node_ids; a query
    returns rows src, dst, weight of the hops touching node_ids, oriented as stored
    (CO_ASSIGNED, CO_AUTHORED: src in node_ids, dst the partner; the caller orders the
    pair). Patents expand only along ASSIGNED_TO and IN_FIELD, and only patents expand along
    those."""
    by_label: dict[NodeLabel | None, list[str]] = {}
    for i in sorted(set(node_ids)):
        by_label.setdefault(label_of_id(i), []).append(i)
    orgs = by_label.get(NodeLabel.ORGANIZATION, [])
    fields = by_label.get(NodeLabel.TECHNOLOGY_FIELD, [])
    countries = by_label.get(NodeLabel.COUNTRY, [])
    patents = by_label.get(NodeLabel.PATENT, [])
    tf, ctry = _label(NodeLabel.TECHNOLOGY_FIELD), _label(NodeLabel.COUNTRY)
    active = f"MATCH (o:{ORG})<-[:{ASSIGNED}]-(p:{PAT})-[:{_rtype(EdgeType.IN_FIELD)}]->(f:{tf})"
    weight = "RETURN o.id AS src, f.id AS dst, count(DISTINCT p) AS weight"
    out: list[tuple[Relation, Query]] = []
    for rel in dict.fromkeys(via):
        q: Query | None = None
        if rel is Relation.CO_ASSIGNED and orgs:
            q = (
                f"MATCH (a:{ORG})<-[:{ASSIGNED}]-(p:{PAT})-[:{ASSIGNED}]->(b:{ORG}) "
                "WHERE a.id IN $ids AND a <> b "
                "RETURN a.id AS src, b.id AS dst, count(DISTINCT p) AS weight",
                {"ids": orgs},
            )
        elif rel is Relation.CO_AUTHORED and orgs:
            q = (
                f"MATCH (a:{ORG})<-[:{AUTHORED}]-(w:{WORK})-[:{AUTHORED}]->(b:{ORG}) "
                "WHERE a.id IN $ids AND a <> b "
                "RETURN a.id AS src, b.id AS dst, count(DISTINCT w) AS weight",
                {"ids": orgs},
            )
        elif rel is Relation.ACTIVE_IN and (orgs or fields):
            parts = [f"{active} WHERE o.id IN $orgs {weight}"] if orgs else []
            parts += [f"{active} WHERE f.id IN $fields {weight}"] if fields else []
            q = " UNION ALL ".join(parts), {"orgs": orgs, "fields": fields}
        elif rel in (Relation.ASSIGNED_TO, Relation.IN_FIELD) and patents:
            target = ORG if rel is Relation.ASSIGNED_TO else tf
            q = (
                f"MATCH (p:{PAT})-[:{_rtype(EdgeType(rel.value))}]->(d:{target}) "
                "WHERE p.id IN $ids RETURN p.id AS src, d.id AS dst, 1 AS weight",
                {"ids": patents},
            )
        elif rel is Relation.LOCATED_IN and (orgs or countries):
            q = _either_end(ORG, EdgeType.LOCATED_IN, ctry, orgs, countries)
        elif rel in (Relation.PART_OF, Relation.ACTS_FOR) and orgs:
            q = _either_end(ORG, EdgeType(rel.value), ORG, orgs, orgs)
        elif rel is Relation.BROADER and fields:
            q = _either_end(tf, EdgeType.BROADER, tf, fields, fields)
        if q is not None:
            out.append((rel, q))
    return out


def _either_end(
    src: str, etype: EdgeType, dst: str, src_ids: list[str], dst_ids: list[str]
) -> Query:
    """Stored relationships of a type whose source is in src_ids or target in dst_ids."""
    parts = []
    if src_ids:
        parts.append(
            f"MATCH (a:{src})-[:{_rtype(etype)}]->(b:{dst}) WHERE a.id IN $src_ids "
            "RETURN a.id AS src, b.id AS dst, 1 AS weight"
        )
    if dst_ids:
        parts.append(
            f"MATCH (a:{src})-[:{_rtype(etype)}]->(b:{dst}) WHERE b.id IN $dst_ids "
            "RETURN a.id AS src, b.id AS dst, 1 AS weight"
        )
    return " UNION ALL ".join(parts), {"src_ids": src_ids, "dst_ids": dst_ids}
