"""Connection settings and error mapping: a server down, credentials refused, an unknown or
empty database, a read past its timeout -> ttkg errors naming the URI, never the password."""

from __future__ import annotations

import pytest
from neo4j import GraphDatabase
from neo4j.exceptions import Neo4jError

from tests.neo4j.bolt import BoltServer, free_port
from ttkg.core.errors import BackendError, BackendUnavailableError, QueryTimeoutError
from ttkg.core.settings import Neo4jSettings, Settings
from ttkg.graph.backends.neo4j import cypher
from ttkg.graph.backends.neo4j.backend import Neo4jBackend
from ttkg.graph.backends.neo4j.errors import redact_uri, translate
from ttkg.graph.backends.registry import open_backend


def _settings(server: BoltServer, **changes: str) -> Neo4jSettings:
    fields = {"uri": server.uri, "user": server.user, "password": server.password}
    return Neo4jSettings(**{"database": server.database, **fields, **changes})


def test_settings_come_from_arguments_then_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TTKG_NEO4J_URI", "bolt://db.example:7687")
    monkeypatch.setenv("TTKG_NEO4J_USER", "reader")
    monkeypatch.setenv("TTKG_NEO4J_PASSWORD", "env-secret")
    monkeypatch.setenv("TTKG_NEO4J_DATABASE", "ttkg")
    s = Neo4jSettings()
    assert (s.uri, s.user, s.password_value(), s.database) == (
        "bolt://db.example:7687",
        "reader",
        "env-secret",
        "ttkg",
    )
    s = Neo4jSettings(uri="bolt://other:1", database="x")
    assert (s.uri, s.user, s.database) == ("bolt://other:1", "reader", "x")
    assert "env-secret" not in repr(s)
    assert Settings().neo4j.uri == "bolt://db.example:7687"  # nested in the one settings object
    for var in ("TTKG_NEO4J_URI", "TTKG_NEO4J_USER", "TTKG_NEO4J_PASSWORD", "TTKG_NEO4J_DATABASE"):
        monkeypatch.delenv(var)
    s = Neo4jSettings()
    assert (s.uri, s.user, s.password, s.database) == (
        "bolt://localhost:7687",
        "neo4j",
        None,
        "neo4j",
    )


def test_uri_user_info_is_redacted() -> None:
    assert redact_uri("bolt://alice:pw@db.example:7687/x") == "bolt://db.example:7687/x"
    assert redact_uri("neo4j+s://db.example") == "neo4j+s://db.example"


def test_transaction_timeouts_become_query_timeouts() -> None:
    # the errors the driver raises for a server-side transaction timeout (Neo4j 5 codes)
    for code in (
        "Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration",
        "Neo.ClientError.Transaction.TransactionTimedOut",
    ):
        exc = Neo4jError._hydrate_neo4j(code=code, message="The transaction has not completed")
        err = translate(exc, "bolt://user:pw@db.example:7687")
        assert isinstance(err, QueryTimeoutError)
        assert "bolt://db.example:7687" in str(err) and "pw" not in str(err)
    other = Neo4jError._hydrate_neo4j(code="Neo.ClientError.Statement.SyntaxError", message="bad")
    assert type(translate(other, "bolt://h:1")) is BackendError


def test_server_down_is_backend_unavailable_naming_the_uri() -> None:
    uri = f"bolt://127.0.0.1:{free_port()}"
    with pytest.raises(BackendUnavailableError, match=uri) as info:
        open_backend(
            Settings(backend="neo4j", neo4j=Neo4jSettings(uri=uri, password="s3cret-pw"))
        )
    assert "s3cret-pw" not in str(info.value)


def test_malformed_uri_is_a_clear_error() -> None:
    with pytest.raises(BackendError, match="cannot use Neo4j URI"):
        Neo4jBackend.connect(Neo4jSettings(uri="neo4j-over-carrier-pigeon://x", password="pw"))


@pytest.mark.bolt
def test_wrong_password_is_refused_without_echoing_it(bolt_server: BoltServer) -> None:
    with pytest.raises(BackendUnavailableError, match="refused the credentials") as info:
        Neo4jBackend.connect(_settings(bolt_server, password="Wr0ng-Passw0rd", database="ttkg"))
    assert bolt_server.uri in str(info.value)
    assert "Wr0ng-Passw0rd" not in str(info.value)
    assert bolt_server.password not in str(info.value)


@pytest.mark.bolt
def test_unknown_database_is_named(bolt_server: BoltServer) -> None:
    with pytest.raises(BackendError, match="no database 'no_such_db'"):
        Neo4jBackend.connect(_settings(bolt_server, database="no_such_db"))


@pytest.mark.bolt
def test_database_without_a_graph_says_to_push(scratch_server: BoltServer) -> None:
    s = scratch_server
    with (
        GraphDatabase.driver(s.uri, auth=(s.user, s.password)) as driver,
        driver.session(database=s.database) as session,
    ):
        q, p = cypher.clear_label_batch(cypher.META_LABEL)
        while (record := session.run(q, p).single()) is not None and record["n"]:
            pass
    with pytest.raises(BackendError, match="ttkg neo4j push"):
        Neo4jBackend.connect(_settings(s))
