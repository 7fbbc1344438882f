"""Derived relations in Neo4j (CO_ASSIGNED, ACTIVE_IN, CO_AUTHORED): the pushed sample holds
exactly the co-ownerships, field activities and co-authorships computed independently from
the artifact's raw edge tables, each with its patent (work) count and evidence ids, and a
path the CLI shows is drawn by Neo4j Browser hop by hop with the same counts."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from itertools import combinations
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from neo4j import Driver, GraphDatabase
from typer.testing import CliRunner

from tests.neo4j.bolt import DERIVED_EVIDENCE, BoltServer, pushed_sample
from ttkg.cli.main import app
from ttkg.core.model import NodeLabel, label_of_id

pytestmark = pytest.mark.bolt


@pytest.fixture(scope="module")
def driver(bolt_server: BoltServer, sample_graph: Path) -> Iterator[Driver]:
    server = pushed_sample(bolt_server, sample_graph)
    with GraphDatabase.driver(server.uri, auth=(server.user, server.password)) as drv:
        yield drv


@pytest.fixture(scope="module")
def oracle(sample_graph: Path) -> dict[str, dict[tuple[str, str], set[str]]]:
    """Patents behind every org pair and every (org, WIPO field), and works behind every org
    pair, from the raw Parquet edges."""
    current = (sample_graph / "CURRENT").read_text().strip()
    folder = sample_graph / "versions" / current if current else sample_graph
    assigned = pq.read_table(folder / "edges" / "ASSIGNED_TO.parquet", columns=["src", "dst"])
    in_field = pq.read_table(folder / "edges" / "IN_FIELD.parquet", columns=["src", "dst"])
    fields = pq.read_table(
        folder / "nodes" / "TechnologyField.parquet", columns=["id", "level"]
    ).to_pylist()
    wipo_fields = {f["id"] for f in fields if f["level"] == "field"}
    holders: dict[str, set[str]] = defaultdict(set)
    for row in assigned.to_pylist():
        holders[row["src"]].add(row["dst"])
    co: dict[tuple[str, str], set[str]] = defaultdict(set)
    for patent, orgs in holders.items():
        for a, b in combinations(sorted(orgs), 2):
            co[(a, b)].add(patent)
    active: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in in_field.to_pylist():
        if label_of_id(row["src"]) is NodeLabel.PATENT and row["dst"] in wipo_fields:
            for org in holders.get(row["src"], ()):
                active[(org, row["dst"])].add(row["src"])
    authored = pq.read_table(folder / "edges" / "AUTHORED_BY.parquet", columns=["src", "dst"])
    authors: dict[str, set[str]] = defaultdict(set)
    for row in authored.to_pylist():
        authors[row["src"]].add(row["dst"])
    co_authored: dict[tuple[str, str], set[str]] = defaultdict(set)
    for work, orgs in authors.items():
        for a, b in combinations(sorted(orgs), 2):
            co_authored[(a, b)].add(work)
    return {"CO_ASSIGNED": co, "ACTIVE_IN": active, "CO_AUTHORED": co_authored}


def stored(driver: Driver, database: str, rel: str) -> dict[tuple[str, str], dict[str, object]]:
    records, _, _ = driver.execute_query(
        f"MATCH (a)-[r:{rel}]->(b) RETURN a.id AS a, b.id AS b, properties(r) AS p",
        database_=database,
    )
    return {(r["a"], r["b"]): r["p"] for r in records}


@pytest.mark.parametrize("rel", ["CO_ASSIGNED", "ACTIVE_IN", "CO_AUTHORED"])
def test_derived_relations_are_the_independent_counts(
    driver: Driver, bolt_server: BoltServer, oracle: dict[str, dict[tuple[str, str], set[str]]],
    rel: str,
) -> None:
    got = stored(driver, bolt_server.database, rel)
    want = oracle[rel]
    assert len(want) > 100  # the sample has many of both
    if rel != "ACTIVE_IN":  # stored once per pair; compare unordered
        got = {tuple(sorted(k)): v for k, v in got.items()}  # type: ignore[misc]
    assert set(got) == set(want)
    count = "works" if rel == "CO_AUTHORED" else "patents"
    for key, props in got.items():
        patents = want[key]
        assert props[count] == len(patents), key
        evidence = props["evidence"]
        assert isinstance(evidence, list)
        assert len(evidence) == min(DERIVED_EVIDENCE, len(patents)), key
        assert set(evidence) <= patents, key
        assert props["derived"] is True


@pytest.mark.parametrize(
    ("target", "via"),
    [
        ("LG Display Co., Ltd.", "CO_ASSIGNED"),
        ("Samsung Electronics (South Korea)", "CO_ASSIGNED,ACTIVE_IN"),
        ("Peking University", "CO_AUTHORED"),
    ],
)
def test_the_cli_path_is_the_path_in_neo4j(
    driver: Driver, bolt_server: BoltServer, sample_graph: Path, target: str, via: str
) -> None:
    """The best paths `ttkg query paths` prints from Tsinghua University exist in Neo4j hop by
    hop, with the same patent (work) counts and the same first evidence; over co-ownership alone,
    Cypher's own shortest path has the CLI's length."""
    source = "Tsinghua University"
    result = CliRunner().invoke(
        app,
        [
            "query", "paths", source, target, "--graph", str(sample_graph),
            "--k", "3", "--via", via, "--evidence", "3", "--format", "json",
        ],
    )
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    hops = [hop for path in answer["paths"] for hop in path["hops"]]
    assert {h["relation"] for h in hops} == set(via.split(","))
    for hop in hops:
        records, _, _ = driver.execute_query(
            f"MATCH (a {{id: $a}})-[r:{hop['relation']}]-(b {{id: $b}}) "
            "RETURN coalesce(r.patents, r.works) AS patents, r.evidence AS evidence",
            {"a": hop["source"]["id"], "b": hop["target"]["id"]},
            database_=bolt_server.database,
        )
        assert len(records) == 1, hop
        assert records[0]["patents"] == hop["weight"] == hop["evidence"]["total"]
        items = "works" if hop["relation"] == "CO_AUTHORED" else "patents"
        shown = [p["id"] for p in hop["evidence"][items]]
        assert shown and records[0]["evidence"][: len(shown)] == shown
    if via == "CO_ASSIGNED":
        records, _, _ = driver.execute_query(
            "MATCH (a:Organization {name: $a}), (b:Organization {name: $b}), "
            "p = shortestPath((a)-[:CO_ASSIGNED*..4]-(b)) RETURN length(p) AS hops",
            {"a": source, "b": target},
            database_=bolt_server.database,
        )
        assert [r["hops"] for r in records] == [len(answer["paths"][0]["hops"])]
