"""The one place where Neo4j 5 and the other Bolt servers ttkg is tested on differ.

Every statement ttkg sends is portable Cypher that Neo4j 5 and ArcadeDB (the test suite's Bolt
server) run alike, except what this module decides from the server's agent string:

- `CALL db.awaitIndexes(...)` after creating constraints: Neo4j builds indexes in the background
  and the push should not start writing before they are online; ArcadeDB builds them
  synchronously and has no such procedure.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Dialect", "await_indexes_statement", "dialect_of"]


class Dialect(StrEnum):
    """Which server family answers on the Bolt connection."""

    NEO4J = "neo4j"
    ARCADEDB = "arcadedb"


def dialect_of(agent: str | None) -> Dialect:
    """The dialect of a server from its Bolt agent string.

    Neo4j reports e.g. `Neo4j/5.26.0`; ArcadeDB reports `Neo4j/5.26.0 compatible (ArcadeDB ...)`.
    Anything unrecognised is treated as Neo4j.
    """
    if agent and "arcadedb" in agent.lower():
        return Dialect.ARCADEDB
    return Dialect.NEO4J


def await_indexes_statement(dialect: Dialect, timeout_s: int = 600) -> str | None:
    """The statement that waits until every index is online, or None where none is needed."""
    if dialect is Dialect.NEO4J:
        return f"CALL db.awaitIndexes({int(timeout_s)})"
    return None
