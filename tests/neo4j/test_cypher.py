"""Unit tests of the pure Cypher builders: schema statements (Neo4j 5 syntax, including the
Neo4j-only ones no test server runs), label/type interpolation, parameters, row shaping."""

from __future__ import annotations

import re

import pytest

from ttkg.core.model import EdgeType, NodeLabel, field_id, id_candidates, sector_id
from ttkg.graph.backends.contract import FieldSpec, Filters, Relation
from ttkg.graph.backends.neo4j import cypher
from ttkg.graph.backends.neo4j.dialect import Dialect, await_indexes_statement, dialect_of

NAMES = {label.value for label in NodeLabel} | {e.value for e in EdgeType} | {cypher.META_LABEL}

SPECS = [
    FieldSpec("wipo_field", "4", field_id(4), "Digital communication"),
    FieldSpec("wipo_sector", "1", sector_id(1), "Electrical engineering"),
    FieldSpec("cpc", "H01L", "cpc:H01L", "H01L"),
    FieldSpec("cpc", "H01L21/02", "cpc:H01L21/02", "H01L21/02"),
]
FILTERS = [
    Filters(),
    Filters(2010, 2015, frozenset({"DE"}), frozenset({"university", "company"})),
]


def all_queries() -> list[cypher.Query]:
    """One of every read and write builder's output, over specs and filters."""
    qs: list[cypher.Query] = [
        *cypher.schema_statements(Dialect.NEO4J),
        cypher.merge_nodes(NodeLabel.PATENT, []),
        cypher.merge_edges(NodeLabel.PATENT, EdgeType.IN_FIELD, NodeLabel.TECHNOLOGY_FIELD, []),
        cypher.write_meta({"build_id": "b"}),
        cypher.read_meta(),
        cypher.clear_label_batch(NodeLabel.CPC_CLASS),
        cypher.count_nodes(),
        cypher.count_edges(),
        cypher.get_nodes(["org:a", "patent:US1", "cpc:H"]),
        cypher.lookup("Stanford University", [], 10),
        cypher.search_prefix("stan", [], 10),
        cypher.names(list(NodeLabel)),
        *(cypher.neighbors(i, 5) for i in ("org:a", "patent:US1", "wipo:field:4", "cpc:H")),
        *(
            q
            for _, q in cypher.relation_queries(
                ["org:a", "wipo:field:4", "patent:US1", "country:DE"], list(Relation)
            )
        ),
    ]
    for f in FILTERS:  # several selections at once
        qs += [cypher.union_ids(SPECS, f),
               cypher.co_assigned_total("org:a", "org:b", cypher.AnyOf(tuple(SPECS)), f),
               cypher.co_assigned_page("org:a", "org:b", cypher.AnyOf(tuple(SPECS)), f, 5)]
    for spec in SPECS:
        for f in FILTERS:
            qs += [
                cypher.field_org_counts(spec, f),
                cypher.org_patents_total("org:a", spec, f),
                cypher.org_patents_page("org:a", spec, f, 5),
                cypher.co_assigned_total("org:a", "org:b", spec, f),
                cypher.co_assigned_page("org:a", "org:b", spec, f, 5),
                cypher.co_assignment_counts(["org:a"], spec, f),
                cypher.co_owned_in_selection(spec, f),
                cypher.co_owned_totals([("org:a", "org:b")], f),
                cypher.selection_size(spec, f),
                cypher.field_country_counts(spec, f),
                cypher.field_cooccurrence(spec, f),
            ]
    return qs


def test_constraints_use_neo4j5_syntax_and_are_idempotent() -> None:
    q, params = cypher.create_constraint(NodeLabel.ORGANIZATION)
    assert q == (
        "CREATE CONSTRAINT ttkg_organization_id IF NOT EXISTS "
        "FOR (n:`Organization`) REQUIRE n.id IS UNIQUE"
    )
    assert params == {}
    q, _ = cypher.create_index(NodeLabel.PATENT, "year")
    assert q == "CREATE INDEX ttkg_patent_year IF NOT EXISTS FOR (n:`Patent`) ON (n.year)"


def test_schema_statements_cover_every_label_and_differ_only_in_the_index_wait() -> None:
    neo4j = [q for q, _ in cypher.schema_statements(Dialect.NEO4J)]
    arcade = [q for q, _ in cypher.schema_statements(Dialect.ARCADEDB)]
    constrained = {m.group(1) for q in neo4j if (m := re.search(r"FOR \(n:`(\w+)`\) REQUIRE", q))}
    assert constrained == {label.value for label in NodeLabel} | {cypher.META_LABEL}
    assert all("IF NOT EXISTS" in q for q in neo4j if q.startswith("CREATE"))
    # the Neo4j-only statement: wait until the background-built indexes are online
    assert neo4j[-1] == "CALL db.awaitIndexes(600)"
    assert neo4j[:-1] == arcade
    assert await_indexes_statement(Dialect.ARCADEDB) is None


@pytest.mark.parametrize(
    ("agent", "dialect"),
    [
        ("Neo4j/5.26.0", Dialect.NEO4J),
        ("Neo4j/5.26.0 compatible (ArcadeDB 26.10.2)", Dialect.ARCADEDB),
        (None, Dialect.NEO4J),
    ],
)
def test_dialect_from_agent(agent: str | None, dialect: Dialect) -> None:
    assert dialect_of(agent) is dialect


def test_labels_and_types_come_only_from_the_schema() -> None:
    with pytest.raises(ValueError):
        cypher.create_constraint("Organization) DETACH DELETE n //")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        cypher.clear_label_batch("Anything")
    with pytest.raises(ValueError):
        cypher.create_index(NodeLabel.PATENT, "year) DETACH DELETE n //")
    with pytest.raises(ValueError):
        cypher.merge_edges(NodeLabel.ORGANIZATION, EdgeType.ASSIGNED_TO, NodeLabel.PATENT, [])
    for q, _ in all_queries():
        assert set(re.findall(r"`([^`]*)`", q)) <= NAMES, q


def test_user_text_travels_only_as_parameters() -> None:
    evil = "x' }) DETACH DELETE n RETURN 1 //"
    for q, params in [
        cypher.lookup(evil, [], 10),
        cypher.search_prefix(evil, [], 10),
        cypher.get_nodes([f"org:{evil}"]),
        cypher.neighbors(f"org:{evil}", 5),
        cypher.org_patents_page(f"org:{evil}", None, Filters(countries=frozenset({evil})), 5),
        cypher.field_org_counts(FieldSpec("cpc", "H01L" + evil, "cpc:x", "x"), Filters()),
    ]:
        assert "DETACH" not in q
        # (casefolded, or without spaces as in a CPC id, but always whole, as a parameter)
        assert any(_squash(evil) in _squash(str(v)) for v in params.values())


def _squash(text: str) -> str:
    return text.replace(" ", "").casefold()


def test_node_rows_drop_nulls_keep_lists_and_add_search_keys() -> None:
    org = {
        "id": "org:x",
        "name": "Straße AG",
        "aliases": ["STRASSE AG", "Strasse"],
        "ror_id": None,
        "ror_types": [],
        "patent_count": 3,
        "source": "patentsview",
    }
    row = cypher.node_row(NodeLabel.ORGANIZATION, org)
    assert row["id"] == "org:x"
    assert "ror_id" not in row["props"]
    assert row["props"]["ror_types"] == []
    assert row["props"]["id"] == "org:x"  # `SET n = props` must keep the id
    assert row["props"][cypher.SEARCH_KEYS] == ["strasse", "strasse ag"]
    patent = cypher.node_row(NodeLabel.PATENT, {"id": "patent:US1", "title": None, "year": 2001})
    assert patent["props"] == {"id": "patent:US1", "year": 2001}
    edge = cypher.edge_row({"src": "a", "dst": "b", "basis": "ror", "share": None, "source": "r"})
    assert edge == {"src": "a", "dst": "b", "props": {"basis": "ror", "source": "r"}}


@pytest.mark.parametrize(
    ("symbol", "expected"),
    [
        ("H", ("prefix", "H")),
        ("H01", ("prefix", "H01")),
        ("H01L", ("prefix", "H01L")),
        ("H01L21/00", ("prefix", "H01L21/")),
        ("H01L 21/02", ("tree", "cpc:H01L21/02")),
    ],
)
def test_cpc_selection(symbol: str, expected: tuple[str, str]) -> None:
    assert cypher.cpc_selection(symbol) == expected


def test_selection_is_written_from_its_anchor() -> None:
    q, params = cypher.field_org_counts(SPECS[1], Filters())
    assert q.startswith(
        "MATCH (:`TechnologyField` {id: $sel_node})<-[:`BROADER`]-(:`TechnologyField`)"
        "<-[:`IN_FIELD`]-(p:`Patent`)-[:`ASSIGNED_TO`]->(o:`Organization`)"
    )
    assert params == {"sel_node": "wipo:sector:1"}
    q, params = cypher.selection_size(SPECS[3], Filters(year_to=2012))
    assert "(:`CPCClass` {id: $sel_node})<-[:`BROADER`*0..]-(:`CPCClass`)<-[:`CLASSIFIED_AS`]-" in q
    assert params == {"sel_node": "cpc:H01L21/02", "year_to": 2012}


def test_id_candidates_cover_ids_ror_patents_cpc() -> None:
    ids, code = id_candidates(" https://ror.org/00f54p054/ ")
    assert "ror:00f54p054" in ids
    ids, code = id_candidates("US 10,000,060".replace(",", ""))
    assert "patent:US10000060" in ids and code == "US10000060"
    ids, _ = id_candidates("h01l21/02")
    assert "cpc:H01L21/02" in ids


def test_neighbors_asks_only_for_relationships_the_schema_allows() -> None:
    q, params = cypher.neighbors("patent:US1", 3)
    assert "<-[r:" not in q  # a patent only has outgoing relationships
    assert q.count("MATCH") == 3  # ASSIGNED_TO, CLASSIFIED_AS, IN_FIELD
    assert params == {"id": "patent:US1", "limit": 3}
    q, _ = cypher.neighbors("unknown:1", 3)
    assert "LIMIT 0" in q
