"""Write a built graph artifact into Neo4j through the official driver.

Order: constraints and indexes (idempotent), then nodes label by label and relationships type
by type in `UNWIND $rows` batches through `execute_write` (which retries transient errors).
Labels and types already present in the server are MERGEd with their properties replaced, so
re-running a push (or resuming an interrupted one) changes nothing; labels and types with
nothing in the server yet are CREATEd, the same result written faster. The manifest
(provenance, counts) goes into one `TtkgGraph` node, marked complete only after the counts in
the server were checked against the manifest's.

Given `derived` rows (`ttkg.graph.backends.derived`), the push also stores the relations path
queries walk but the artifact does not hold (CO_ASSIGNED, ACTIVE_IN) with their patent counts
and evidence ids, so that a path drawn in Neo4j Browser is the path the CLI shows.
"""

from __future__ import annotations

import json
import logging
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from neo4j import Driver, ManagedTransaction

from ttkg.core.errors import ArtifactError, BackendError
from ttkg.core.model import SCHEMA, EdgeType, NodeLabel, label_of_id
from ttkg.core.progress import NO_PROGRESS, Progress
from ttkg.graph.artifact import Artifact
from ttkg.graph.backends.contract import Relation
from ttkg.graph.backends.derived import DERIVED_ENDS, DerivedRelation
from ttkg.graph.backends.neo4j import cypher
from ttkg.graph.backends.neo4j.dialect import Dialect, dialect_of
from ttkg.graph.backends.neo4j.errors import translating_errors

__all__ = ["DEFAULT_BATCH", "PushResult", "push_artifact", "server_counts"]

log = logging.getLogger(__name__)

DEFAULT_BATCH = 10_000


@dataclass
class PushResult:
    """What a push did: rows sent, counts found in the server afterwards, time taken."""

    build_id: str
    dialect: Dialect
    nodes_written: int = 0
    edges_written: int = 0
    cleared: int = 0
    node_counts: dict[str, int] = field(default_factory=dict)
    edge_counts: dict[str, int] = field(default_factory=dict)
    derived_counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def _uri(driver: Driver) -> str:
    """Where the driver connects, for messages (no credentials in it)."""
    addr = getattr(driver, "address", None)
    return str(addr) if addr is not None else "the Neo4j server"


def push_artifact(
    driver: Driver,
    artifact: Artifact,
    *,
    database: str | None = None,
    batch_size: int = DEFAULT_BATCH,
    replace: bool = False,
    progress: Progress = NO_PROGRESS,
    uri: str | None = None,
    derived: Iterable[DerivedRelation] | None = None,
) -> PushResult:
    """Push `artifact` into `database`; returns counts checked against the manifest.

    If the database already holds another build, `replace=True` deletes it first; otherwise
    the push refuses (MERGE would leave the other build's stale nodes behind). `uri` is only
    used in messages (default: the driver's address). `derived` rows, if given, are stored
    as relationships of their relation's type (properties `patents`, `evidence`, `derived`).
    Raises BackendUnavailableError (server down, credentials refused), BackendError (another
    build present, counts differ afterwards) or ArtifactError (an id of no known label).
    """
    where = uri or _uri(driver)
    t0 = time.monotonic()
    build_id = str(artifact.manifest.get("build_id", ""))
    with translating_errors(where, database):
        driver.verify_connectivity()
        dialect = dialect_of(driver.get_server_info().agent)
        result = PushResult(build_id=build_id, dialect=dialect)
        with driver.session(database=database) as session:
            result.cleared = _make_room(session, build_id, replace, where, database, progress)
            with progress.task("constraints and indexes", total=None):
                for query, params in cypher.schema_statements(dialect):
                    session.run(query, params).consume()
            _write_meta(session, artifact, status="pushing")
            # a label or type with nothing in the server yet is CREATEd (first push: faster,
            # same result); anything else is MERGEd
            present_nodes, present_edges = _counts(session)
            for label in NodeLabel:
                result.nodes_written += _push_nodes(
                    session, artifact, label, batch_size, progress, not present_nodes[label.value]
                )
            for etype in EdgeType:
                result.edges_written += _push_edges(
                    session, artifact, etype, batch_size, progress, not present_edges[etype.value]
                )
            if derived is not None:
                written = _push_derived(session, derived, batch_size)
                result.derived_counts = _derived_counts(session)
                if written != result.derived_counts:
                    raise BackendError(
                        f"after the push, derived relationships at {where} differ: "
                        f"written {written}, server {result.derived_counts}"
                    )
            result.node_counts, result.edge_counts = _counts(session)
            _check_counts(artifact, result, where)
            _write_meta(session, artifact, status="complete", derived=result.derived_counts)
    result.seconds = time.monotonic() - t0
    log.info(
        "pushed build %s to %s: %d nodes, %d relationships in %.1f s",
        build_id,
        where,
        result.nodes_written,
        result.edges_written,
        result.seconds,
    )
    return result


def server_counts(
    driver: Driver, database: str | None = None
) -> tuple[dict[str, int], dict[str, int]]:
    """(node counts by label, relationship counts by type) as stored in the server."""
    with driver.session(database=database) as session:
        return _counts(session)


def _counts(session: Any) -> tuple[dict[str, int], dict[str, int]]:
    nodes = {label.value: 0 for label in NodeLabel}
    edges = {etype.value: 0 for etype in EdgeType}
    q, p = cypher.count_nodes()
    for rec in session.run(q, p):
        nodes[rec["label"]] = int(rec["n"])
    q, p = cypher.count_edges()
    for rec in session.run(q, p):
        edges[rec["type"]] = int(rec["n"])
    return nodes, edges


def _make_room(
    session: Any,
    build_id: str,
    replace: bool,
    where: str,
    database: str | None,
    progress: Progress,
) -> int:
    """Clear another build out of the way (with replace) or refuse; returns nodes deleted."""
    q, p = cypher.read_meta()
    rec = session.run(q, p).single()
    existing = rec["props"].get("build_id") if rec is not None else None
    if existing == build_id:
        return 0
    nodes, _ = _counts(session)
    if existing is None and not any(nodes.values()):
        return 0
    if not replace:
        held = f"build {existing}" if existing else f"{sum(nodes.values())} ttkg nodes of no build"
        raise BackendError(
            f"database {database or '(default)'} at {where} already holds {held}; "
            "pass --replace to delete it and push this build"
        )
    deleted = 0
    with progress.task("deleting the previous graph", total=sum(nodes.values())) as advance:
        for label in [*NodeLabel, cypher.META_LABEL]:
            while True:
                q, p = cypher.clear_label_batch(label)
                n = session.execute_write(_run_count, q, p)
                deleted += n
                advance(n)
                if n == 0:
                    break
    log.info("deleted %d nodes of build %s at %s", deleted, existing, where)
    return deleted


def _write_meta(
    session: Any, artifact: Artifact, status: str, derived: dict[str, int] | None = None
) -> None:
    manifest = artifact.manifest
    q, p = cypher.write_meta(
        {
            "build_id": str(manifest.get("build_id", "")),
            "format": str(manifest.get("format", "")),
            "manifest": json.dumps(manifest, sort_keys=True),
            "status": status,
            "derived": json.dumps(derived or {}, sort_keys=True),
        }
    )
    session.execute_write(_run_consume, q, p)


def _run_count(tx: ManagedTransaction, query: str, params: dict[str, Any]) -> int:
    rec = tx.run(query, params).single()
    return int(rec["n"]) if rec is not None else 0


def _run_consume(tx: ManagedTransaction, query: str, params: dict[str, Any]) -> None:
    tx.run(query, params).consume()


def _push_nodes(
    session: Any,
    artifact: Artifact,
    label: NodeLabel,
    batch_size: int,
    progress: Progress,
    create: bool,
) -> int:
    total = int(artifact.node_counts.get(label.value, 0))
    written = 0
    with progress.task(f"nodes {label.value}", total=total) as advance:
        for batch in artifact.iter_node_batches(label, batch_size):
            rows = [cypher.node_row(label, r) for r in batch.to_pylist()]
            q, p = cypher.merge_nodes(label, rows, create=create)
            n = session.execute_write(_run_count, q, p)
            if n != len(rows):
                raise BackendError(f"{label.value}: wrote {n} of {len(rows)} nodes of a batch")
            written += n
            advance(n)
    return written


def _push_edges(
    session: Any,
    artifact: Artifact,
    etype: EdgeType,
    batch_size: int,
    progress: Progress,
    create: bool,
) -> int:
    total = int(artifact.edge_counts.get(etype.value, 0))
    written = 0
    with progress.task(f"relationships {etype.value}", total=total) as advance:
        for batch in artifact.iter_edge_batches(etype, batch_size):
            for (src, dst), rows in _by_endpoint_labels(etype, batch.to_pylist()):
                q, p = cypher.merge_edges(src, etype, dst, rows, create=create)
                n = session.execute_write(_run_count, q, p)
                if n != len(rows):
                    log.warning(
                        "%s (%s->%s): %d of %d relationships found both endpoints",
                        etype.value,
                        src.value,
                        dst.value,
                        n,
                        len(rows),
                    )
                written += n
                advance(len(rows))
    return written


def _by_endpoint_labels(
    etype: EdgeType, values: list[dict[str, Any]]
) -> Iterator[tuple[tuple[NodeLabel, NodeLabel], list[dict[str, Any]]]]:
    """Split edge rows by the labels of their endpoints (IN_FIELD and BROADER have several)."""
    groups: dict[tuple[NodeLabel, NodeLabel], list[dict[str, Any]]] = defaultdict(list)
    for v in values:
        src, dst = label_of_id(v["src"]), label_of_id(v["dst"])
        if src is None or dst is None or (src, etype, dst) not in SCHEMA:
            raise ArtifactError(
                f"edges/{etype.value}: ({v['src']})-[:{etype.value}]->({v['dst']}) "
                "does not fit the schema"
            )
        groups[(src, dst)].append(cypher.edge_row(v))
    yield from sorted(groups.items(), key=lambda kv: (kv[0][0].value, kv[0][1].value))


def _check_counts(artifact: Artifact, result: PushResult, where: str) -> None:
    """The server must now hold exactly the manifest's counts."""
    diffs = [
        f"{k}: artifact {v}, server {result.node_counts.get(k, 0)}"
        for k, v in artifact.node_counts.items()
        if result.node_counts.get(k, 0) != v
    ] + [
        f"{k}: artifact {v}, server {result.edge_counts.get(k, 0)}"
        for k, v in artifact.edge_counts.items()
        if result.edge_counts.get(k, 0) != v
    ]
    if diffs:
        raise BackendError(f"after the push, counts at {where} differ: " + "; ".join(diffs))


def _derived_counts(session: Any) -> dict[str, int]:
    counts = {rel.value: 0 for rel in DERIVED_ENDS}
    q, p = cypher.count_derived()
    for rec in session.run(q, p):
        counts[rec["type"]] = int(rec["n"])
    return counts


def _push_derived(session: Any, rows: Iterable[DerivedRelation], batch_size: int) -> dict[str, int]:
    """Write derived rows type by type in batches; returns the number written per type."""
    present = _derived_counts(session)
    written = dict.fromkeys(present, 0)
    pending: dict[str, list[dict[str, Any]]] = {k: [] for k in present}

    def flush(relation: str) -> None:
        batch = pending[relation]
        if not batch:
            return
        q, p = cypher.merge_derived(Relation(relation), batch, create=not present[relation])
        n = session.execute_write(_run_count, q, p)
        if n != len(batch):
            raise BackendError(f"{relation}: wrote {n} of {len(batch)} derived relationships")
        written[relation] += n
        pending[relation] = []

    for row in rows:
        key = row.relation.value
        pending[key].append(
            {
                "src": row.src,
                "dst": row.dst,
                "props": {
                    "works" if row.relation is Relation.CO_AUTHORED else "patents": row.patents,
                    "evidence": list(row.evidence),
                    "derived": True,
                },
            }
        )
        if len(pending[key]) >= batch_size:
            flush(key)
    for key in list(pending):
        flush(key)
    return written
