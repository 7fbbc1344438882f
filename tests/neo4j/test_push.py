"""Pushing built graphs into a real Bolt server: counts, idempotence, replacement, properties,
provenance, and refusals."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from neo4j import Driver, GraphDatabase

from tests.neo4j.bolt import BoltServer, pushed_sample
from tests.neo4j.subgraph import write_slice
from tests.servers import free_port
from ttkg.core.errors import BackendError, BackendUnavailableError
from ttkg.core.model import EdgeType, NodeLabel
from ttkg.graph.artifact import Artifact
from ttkg.graph.backends.neo4j import cypher
from ttkg.graph.backends.neo4j.push import push_artifact, server_counts

pytestmark = pytest.mark.bolt


@pytest.fixture()
def scratch_driver(scratch_server: BoltServer) -> Iterator[Driver]:
    with GraphDatabase.driver(
        scratch_server.uri, auth=(scratch_server.user, scratch_server.password)
    ) as driver:
        yield driver


@pytest.fixture(scope="module")
def slices(sample_graph: Path, tmp_path_factory: pytest.TempPathFactory) -> list[Artifact]:
    """Two overlapping real slices of the sample (different builds)."""
    root = tmp_path_factory.mktemp("slices")
    return [
        write_slice(sample_graph, root / "a", patents=40, offset=0),
        write_slice(sample_graph, root / "b", patents=30, offset=25),
    ]


def nonzero(counts: dict[str, int]) -> dict[str, int]:
    return {k: v for k, v in counts.items() if v}


def snapshot(driver: Driver, database: str) -> tuple[list[Any], list[Any]]:
    """Every node (labels, properties) and relationship (type, ends, properties), sorted."""
    nodes, _, _ = driver.execute_query(
        "MATCH (n) RETURN labels(n) AS l, properties(n) AS p", database_=database
    )
    rels, _, _ = driver.execute_query(
        "MATCH (a)-[r]->(b) RETURN a.id AS a, type(r) AS t, b.id AS b, properties(r) AS p",
        database_=database,
    )

    def key(x: list[Any]) -> str:
        return json.dumps(x, sort_keys=True, default=str)

    return (
        sorted(([r["l"], r["p"]] for r in nodes), key=key),
        sorted(([r["a"], r["t"], r["b"], r["p"]] for r in rels), key=key),
    )


def test_sample_push_gives_the_manifest_counts(bolt_server: BoltServer, sample_graph: Path) -> None:
    server = pushed_sample(bolt_server, sample_graph)
    artifact = Artifact.open(sample_graph)
    with GraphDatabase.driver(server.uri, auth=(server.user, server.password)) as driver:
        nodes, edges = server_counts(driver, server.database)
    assert nonzero(nodes) == nonzero(artifact.node_counts)
    assert nonzero(edges) == nonzero(artifact.edge_counts)
    assert sum(nodes.values()) > 50_000 and sum(edges.values()) > 100_000


def test_repush_changes_nothing(
    scratch_driver: Driver, scratch_server: BoltServer, slices: list[Artifact]
) -> None:
    db = scratch_server.database
    first = push_artifact(scratch_driver, slices[0], database=db, replace=True)
    before = snapshot(scratch_driver, db)
    again = push_artifact(scratch_driver, slices[0], database=db)
    assert snapshot(scratch_driver, db) == before
    assert again.cleared == 0
    assert (
        again.node_counts
        == first.node_counts
        == {label.value: slices[0].node_counts.get(label.value, 0) for label in NodeLabel}
    )
    assert again.edge_counts == {
        etype.value: slices[0].edge_counts.get(etype.value, 0) for etype in EdgeType
    }
    constraints, _, _ = scratch_driver.execute_query("SHOW CONSTRAINTS", database_=db)
    names = {r["name"] for r in constraints}
    assert {cypher.constraint_name(label) for label in NodeLabel} <= names


def test_push_stores_every_property_and_the_provenance(
    scratch_driver: Driver, scratch_server: BoltServer, slices: list[Artifact]
) -> None:
    db = scratch_server.database
    artifact = slices[0]
    push_artifact(scratch_driver, artifact, database=db, replace=True)
    for label in (NodeLabel.ORGANIZATION, NodeLabel.PATENT, NodeLabel.TECHNOLOGY_FIELD):
        rows = artifact.nodes(label).to_pylist()
        q, p = cypher.get_nodes([r["id"] for r in rows])
        stored = {r["id"]: r["props"] for r in scratch_driver.execute_query(q, p, database_=db)[0]}
        for r in rows:
            props = stored[r["id"]]
            props.pop(cypher.SEARCH_KEYS, None)
            assert props == {k: v for k, v in r.items() if v is not None}
            assert props["source"] in artifact.manifest["sources"]
    q, p = cypher.read_meta()
    meta = scratch_driver.execute_query(q, p, database_=db)[0][0]["props"]
    assert meta["status"] == "complete"
    assert json.loads(meta["manifest"]) == artifact.manifest
    located, _, _ = scratch_driver.execute_query(
        "MATCH (o:Organization)-[r:LOCATED_IN]->(c:Country) "
        "RETURN o.id AS src, c.id AS dst, properties(r) AS p",
        database_=db,
    )
    expected = {(r["src"], r["dst"]): r for r in artifact.edges(EdgeType.LOCATED_IN).to_pylist()}
    assert len(located) == len(expected) > 0
    for r in located:
        e = expected[(r["src"], r["dst"])]
        assert r["p"] == {k: v for k, v in e.items() if v is not None and k not in ("src", "dst")}


def test_another_build_is_refused_unless_replaced(
    scratch_driver: Driver, scratch_server: BoltServer, slices: list[Artifact]
) -> None:
    db = scratch_server.database
    a, b = slices
    push_artifact(scratch_driver, a, database=db, replace=True)
    with pytest.raises(BackendError, match="--replace") as info:
        push_artifact(scratch_driver, b, database=db, uri=scratch_server.uri)
    assert str(a.manifest["build_id"]) in str(info.value)
    assert scratch_server.password not in str(info.value)
    result = push_artifact(scratch_driver, b, database=db, replace=True)
    assert result.cleared == sum(a.node_counts.values()) + 1  # and the manifest node
    nodes, edges = server_counts(scratch_driver, db)
    assert nonzero(nodes) == nonzero(b.node_counts)
    assert nonzero(edges) == nonzero(b.edge_counts)
    only_in_a = set(a.nodes(NodeLabel.PATENT).column("id").to_pylist()) - set(
        b.nodes(NodeLabel.PATENT).column("id").to_pylist()
    )
    q, p = cypher.get_nodes(sorted(only_in_a))
    assert only_in_a and scratch_driver.execute_query(q, p, database_=db)[0] == []


def test_push_to_a_server_that_is_down_names_the_uri(slices: list[Artifact]) -> None:
    uri = f"bolt://127.0.0.1:{free_port()}"
    with (
        GraphDatabase.driver(uri, auth=("neo4j", "s3cret-pw")) as driver,
        pytest.raises(BackendUnavailableError, match=uri) as info,
    ):
        push_artifact(driver, slices[0], uri=uri)
    assert "s3cret-pw" not in str(info.value)


def test_the_dialect_difference_is_real_on_the_test_server(
    scratch_driver: Driver, scratch_server: BoltServer
) -> None:
    """The server's dialect is recognised from its agent string, and the Neo4j-only statement
    runs on Neo4j and is unknown to ArcadeDB (which the dialect leaves it out for)."""
    from neo4j.exceptions import Neo4jError

    from ttkg.graph.backends.neo4j.dialect import Dialect, await_indexes_statement, dialect_of

    scratch_driver.verify_connectivity()
    agent = scratch_driver.get_server_info().agent
    dialect = dialect_of(agent)
    assert dialect is (Dialect.ARCADEDB if "ArcadeDB" in agent else Dialect.NEO4J)
    neo4j_only = await_indexes_statement(Dialect.NEO4J)
    assert neo4j_only is not None
    if dialect is Dialect.NEO4J:
        scratch_driver.execute_query(neo4j_only, database_=scratch_server.database)
    else:
        assert await_indexes_statement(dialect) is None
        with pytest.raises(Neo4jError):
            scratch_driver.execute_query(neo4j_only, database_=scratch_server.database)
