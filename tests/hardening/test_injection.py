"""Cypher injection: names, ids, codes, filters, labels and relation names crafted as Cypher
never become Cypher. Payloads go only into query parameters (checked on the query builders),
and through the queries, the backend and the API against a real Bolt server (ArcadeDB) they
change nothing: same node and relationship counts, no new label, no property rewritten, and
no error other than not found / invalid (a Cypher syntax error would mean a payload reached
the query text)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from neo4j import GraphDatabase

from ttkg.api.app import create_app
from ttkg.core.errors import (
    AmbiguousEntityError,
    EntityNotFoundError,
    InvalidQueryError,
)
from ttkg.core.model import NodeLabel
from ttkg.core.settings import Settings
from ttkg.graph.backends.contract import FieldSpec, Filters, GraphBackend, Relation, RelationHop
from ttkg.graph.backends.neo4j import cypher
from ttkg.queries.bridges import bridges
from ttkg.queries.entity import entity_detail
from ttkg.queries.partners import partners
from ttkg.queries.paths import paths
from ttkg.queries.profile import field_profile
from ttkg.queries.resolve import search

CANARY = "pwned-by-ttkg-test"

#: Crafted to close a string, a map, a pattern or a label and run Cypher of their own.
PAYLOADS = [
    "x' OR 1=1 //",
    'x" OR 1=1 //',
    "' }) MATCH (n) DETACH DELETE n //",
    '"}) MATCH (n) DETACH DELETE n RETURN 1 //',
    "`) CREATE (:Pwned {id: 'p'}) //",
    f"x'}}) MATCH (n) SET n.name = '{CANARY}' //",
    "Tsinghua University' RETURN 1 UNION MATCH (n) DETACH DELETE n RETURN 1 //",
    "$key",
    "{id: $ids}",
    "x\\' OR 1=1 //",
    "H01L') CREATE (p:Pwned) RETURN p //",
    "/* */ MATCH (n) DETACH DELETE n",
    "Optics\nMATCH (n) DETACH DELETE n",
    "CN'; MATCH (n) DETACH DELETE n; //",
    "ｘ＇ OR 1=1 //",  # fullwidth look-alikes
    "x' CALL db.labels() YIELD label RETURN label //",
]
#: The same payloads behind each id prefix, so that they are routed to a label's query.
PREFIXES = ["org:", "ror:", "patent:US", "cpc:", "wipo:field:", "country:"]
IDS = [prefix + p for prefix in PREFIXES for p in PAYLOADS]


# -- the query builders: payloads are parameters, never query text ----------------------------


def _builder_queries(p: str) -> Iterator[tuple[str, dict[str, Any]]]:
    spec_field = FieldSpec("wipo_field", p, "wipo:field:" + p, p)
    spec_cpc = FieldSpec("cpc", p, "cpc:" + p, p)
    hostile = Filters(
        year_from=2000,
        year_to=2010,
        countries=frozenset({p}),
        kinds=frozenset({p}),
        partner_countries=frozenset({p}),
        partner_kinds=frozenset({p}),
    )
    labels = list(NodeLabel)
    yield cypher.get_nodes([prefix + p for prefix in PREFIXES])
    yield cypher.lookup(p, labels, 10)
    yield cypher.lookup("org:" + p, labels, 10)
    yield cypher.search_prefix(p, labels, 10)
    yield cypher.neighbors("org:" + p, 10)
    for spec in (spec_field, spec_cpc):
        yield cypher.field_org_counts(spec, hostile)
        yield cypher.field_country_counts(spec, hostile)
        yield cypher.selection_size(spec, hostile)
        yield cypher.field_cooccurrence(spec, hostile)
        yield cypher.org_patents_total("org:" + p, spec, hostile)
        yield cypher.org_patents_page("org:" + p, spec, hostile, 5)
        yield cypher.co_assigned_total("org:" + p, "ror:" + p, spec, hostile)
        yield cypher.co_assigned_page("org:" + p, "ror:" + p, spec, hostile, 5)
        yield cypher.co_assignment_counts(["org:" + p], spec, hostile)
        yield cypher.co_owned_in_selection(spec, hostile)
    yield cypher.co_assigned_page("org:" + p, "ror:" + p, cypher.AnyOf((spec_field, spec_cpc)),
                                  hostile, 5)
    yield cypher.union_ids((spec_field, spec_cpc), hostile)
    yield cypher.co_owned_totals([("org:" + p, "ror:" + p)], hostile)
    for _, query in cypher.relation_queries([prefix + p for prefix in PREFIXES], list(Relation)):
        yield query


def _strings(value: Any) -> Iterator[str]:
    """Every string inside a parameter value (lists, sets and maps included)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list | tuple | set | frozenset):
        for v in value:
            yield from _strings(v)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_builders_put_payloads_in_parameters_only(payload: str) -> None:
    """The query text is the same whatever the value (so the value cannot change what runs),
    and the value travels, intact, as a parameter."""
    built = list(_builder_queries(payload))
    plain = list(_builder_queries("n" * len(payload)))  # same length: CPC prefix vs tree
    assert len(built) == len(plain) > 20
    carried = 0
    for (text, params), (plain_text, _) in zip(built, plain, strict=True):
        assert text == plain_text, text
        forms = {payload, payload.casefold(), payload.upper(), payload.strip().casefold()}
        if any(form in s for s in _strings(params) for form in forms):
            carried += 1
    assert carried > 10  # the payload did reach the queries, as a value


def test_labels_relationship_types_and_properties_come_from_the_schema_only() -> None:
    crafted = "Organization`) DETACH DELETE n //"
    with pytest.raises(ValueError):
        cypher.create_index(NodeLabel.ORGANIZATION, "name) DETACH DELETE n //")
    with pytest.raises(ValueError):
        cypher.clear_label_batch(crafted)
    with pytest.raises(ValueError):
        cypher.merge_edges(NodeLabel.PATENT, crafted, NodeLabel.ORGANIZATION, [])  # type: ignore[arg-type]
    # a label that is not a NodeLabel is never matched, so never written into a query
    for text, _ in (
        cypher.lookup("x", [crafted], 5),  # type: ignore[list-item]
        cypher.search_prefix("x", [crafted], 5),  # type: ignore[list-item]
        cypher.names([crafted]),  # type: ignore[list-item]
    ):
        assert crafted not in text and "DETACH" not in text


# -- against a real Bolt server -----------------------------------------------------------------


def _snapshot(backend: GraphBackend, server: Any) -> dict[str, Any]:
    with GraphDatabase.driver(server.uri, auth=(server.user, server.password)) as driver:

        def one(q: str) -> Any:
            records, _, _ = driver.execute_query(q, {"canary": CANARY}, database_=server.database)
            return [r.values() for r in records]

        return {
            "nodes": backend.node_counts(),
            "edges": backend.edge_counts(),
            "total_nodes": one("MATCH (n) RETURN count(n)"),
            "total_relationships": one("MATCH ()-[r]->() RETURN count(r)"),
            "labels": sorted(str(x) for x in one("MATCH (n) RETURN DISTINCT labels(n)")),
            "canary": one("MATCH (n) WHERE n.name = $canary OR n.title = $canary RETURN count(n)"),
        }


ALLOWED = (EntityNotFoundError, InvalidQueryError, AmbiguousEntityError)

Call = Callable[[GraphBackend, str], Any]
QUERIES: list[tuple[str, Call]] = [
    ("search", lambda b, p: search(b, p, limit=5)),
    ("entity", lambda b, p: entity_detail(b, p, limit=5)),
    ("paths from", lambda b, p: paths(b, p, "Optics", max_hops=2, k=1)),
    ("paths to", lambda b, p: paths(b, "Tsinghua University", p, max_hops=2, k=1)),
    ("partners", lambda b, p: partners(b, p, limit=3)),
    ("partners in field", lambda b, p: partners(b, "ror:03cve4549", p, limit=3)),
    ("bridges", lambda b, p: bridges(b, p, "Optics", limit=3)),
    ("profile", lambda b, p: field_profile(b, p, limit=3)),
    ("lookup", lambda b, p: b.lookup(p, (), 5)),
    ("prefix", lambda b, p: b.search_prefix(p, (), 5)),
    ("get_nodes", lambda b, p: b.get_nodes([prefix + p for prefix in PREFIXES])),
    ("neighbors", lambda b, p: b.neighbors("org:" + p, 5)),
    ("org_patents", lambda b, p: b.org_patents("org:" + p, None, Filters(), 3)),
    (
        "co_assigned",
        lambda b, p: b.co_assigned_patents("org:" + p, "ror:03cve4549", (), Filters(), 3),
    ),
    ("co_counts", lambda b, p: b.co_assignment_counts(["org:" + p], None, Filters())),
    ("relations", lambda b, p: b.relations([prefix + p for prefix in PREFIXES], list(Relation))),
    (
        "hop_evidence",
        lambda b, p: b.hop_evidence(
            RelationHop("org:" + p, Relation.ACTIVE_IN, "wipo:field:8", 1), 3
        ),
    ),
    (
        "hostile filters",
        lambda b, p: b.field_org_counts(
            FieldSpec("wipo_field", "8", "wipo:field:8", "Semiconductors"),
            Filters(countries=frozenset({p}), kinds=frozenset({p})),
        ),
    ),
    (
        "hostile selection",
        lambda b, p: b.selection_size(FieldSpec("cpc", p, "cpc:" + p, p), Filters()),
    ),
]


@pytest.mark.bolt
def test_payloads_through_queries_and_backend_change_nothing(
    neo4j_sample_backend: GraphBackend, bolt_server: Any
) -> None:
    backend = neo4j_sample_backend
    before = _snapshot(backend, bolt_server)
    outcomes: dict[str, int] = {}
    for payload in PAYLOADS:
        for name, call in QUERIES:
            try:
                result = call(backend, payload)
            except ALLOWED as exc:
                outcomes[type(exc).__name__] = outcomes.get(type(exc).__name__, 0) + 1
                continue
            outcomes["answered"] = outcomes.get("answered", 0) + 1
            found = result if isinstance(result, dict | list) else None
            if name in ("lookup", "prefix", "get_nodes", "neighbors", "relations"):
                assert not found, (name, payload, found)
    assert outcomes.get("answered", 0) > 0 and outcomes.get("EntityNotFoundError", 0) > 0
    assert _snapshot(backend, bolt_server) == before


@pytest.mark.bolt
def test_quotes_in_real_names_are_just_text(neo4j_sample_backend: GraphBackend) -> None:
    """The other side of parameters: a real name with an apostrophe is found as typed."""
    hits = neo4j_sample_backend.search_prefix("L'Or", (NodeLabel.ORGANIZATION,), 5)
    assert any(n.name.casefold().startswith("l'or") for n in hits)


@pytest.mark.bolt
def test_payloads_through_the_api_are_404_or_422(
    neo4j_sample_backend: GraphBackend, bolt_server: Any
) -> None:
    backend = neo4j_sample_backend
    before = _snapshot(backend, bolt_server)
    statuses: dict[int, int] = {}
    with TestClient(create_app(Settings(), backend=backend)) as client:
        for p in PAYLOADS:
            q = quote(p, safe="")
            for path, params in (
                ("/entities", {"q": p}),
                ("/entities", {"q": "x", "label": p}),
                (f"/entities/{q}", {}),
                ("/paths", {"source": p, "target": "Optics", "max_hops": 2}),
                ("/paths", {"source": "Tsinghua University", "target": "Optics", "via": p}),
                ("/bridges", {"field_a": p, "field_b": "Optics"}),
                ("/bridges", {"field_a": "8", "field_b": "9", "kind": p}),
                ("/bridges", {"field_a": "8", "field_b": "9", "country": p}),
                (f"/organizations/{q}/partners", {}),
                (f"/fields/{q}/profile", {}),
            ):
                r = client.get(path, params=params)
                statuses[r.status_code] = statuses.get(r.status_code, 0) + 1
                assert r.status_code in (200, 404, 422), (path, params, r.status_code, r.text)
                assert r.headers["content-type"] in ("application/json", "application/problem+json")
    assert statuses.get(404, 0) > 0 and statuses.get(422, 0) > 0
    assert _snapshot(backend, bolt_server) == before
