"""Pure builders of the Cypher ttkg sends to Neo4j: each returns (query, parameters).

Labels and relationship types are interpolated only from `graph.model` enums, the backend's
`Relation` enum and the constant `META_LABEL`, always through `_label()`/`_rtype()`, which
refuse anything else; every value a user supplies travels as a parameter. The statements are
portable Cypher (Neo4j 5 and ArcadeDB run them alike); server differences live in `dialect.py`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from graph.backends.neo4j.dialect import Dialect, await_indexes_statement
from graph.model import SCHEMA, EdgeType, NodeLabel

__all__ = [
    "INDEXED_PROPERTIES",
    "META_KEY",
    "META_LABEL",
    "Query",
    "clear_label_batch",
    "constraint_name",
    "count_edges",
    "count_nodes",
    "create_constraint",
    "create_index",
    "edge_row",
    "index_name",
    "merge_edges",
    "merge_nodes",
    "node_row",
    "read_meta",
    "schema_statements",
    "write_meta",
]

Query = tuple[str, dict[str, Any]]

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


def _rtype(etype: EdgeType) -> str:
    """A relationship type ready for interpolation: only schema edge types pass."""
    if not isinstance(etype, EdgeType):
        raise ValueError(f"not a ttkg relationship type: {etype!r}")
    return f"`{etype.value}`"


# --- schema -----------------------------------------------------------------------------------


def constraint_name(label: NodeLabel) -> str:
    """`ttkg_organization_id`."""
    return f"ttkg_{label.value.lower()}_id"


def index_name(label: NodeLabel, prop: str) -> str:
    """`ttkg_organization_name`."""
    return f"ttkg_{label.value.lower()}_{prop}"


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


def node_row(values: dict[str, Any]) -> dict[str, Any]:
    """A `merge_nodes` row from an artifact row: {id, props}, props holding every non-null
    column (`id` and `source` included; Neo4j stores no nulls, lists stay lists)."""
    return {"id": values["id"], "props": {k: v for k, v in values.items() if v is not None}}


def edge_row(values: dict[str, Any]) -> dict[str, Any]:
    """A `merge_edges` row from an artifact row: {src, dst, props} (non-null properties and
    `source`; the endpoints are the relationship's nodes, not properties)."""
    props = {k: v for k, v in values.items() if v is not None and k not in ("src", "dst")}
    return {"src": values["src"], "dst": values["dst"], "props": props}


def merge_nodes(label: NodeLabel, rows: Sequence[dict[str, Any]]) -> Query:
    """Upsert nodes: rows as made by `node_row`; props replace the node's properties entirely,
    so a re-push leaves exactly the artifact's values. Returns the number written as `n`."""
    return (
        f"UNWIND $rows AS r MERGE (n:{_label(label)} {{id: r.id}}) "
        "SET n = r.props RETURN count(n) AS n",
        {"rows": list(rows)},
    )


def merge_edges(
    src: NodeLabel, etype: EdgeType, dst: NodeLabel, rows: Sequence[dict[str, Any]]
) -> Query:
    """Upsert relationships between existing nodes: rows are {src, dst, props}. At most one
    relationship of a type per node pair (the build guarantees it). Returns `n` written."""
    if (src, etype, dst) not in SCHEMA:
        raise ValueError(f"({src})-[:{etype}]->({dst}) is not in the ttkg schema")
    return (
        f"UNWIND $rows AS r MATCH (a:{_label(src)} {{id: r.src}}) "
        f"MATCH (b:{_label(dst)} {{id: r.dst}}) "
        f"MERGE (a)-[e:{_rtype(etype)}]->(b) SET e = r.props RETURN count(e) AS n",
        {"rows": list(rows)},
    )


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
