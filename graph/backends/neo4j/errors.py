"""Translate `neo4j` driver exceptions into ttkg errors that name the server, never the password.

Server down or unreachable, credentials refused -> BackendUnavailableError; a read past its
transaction timeout -> QueryTimeoutError; an unknown database or any other server error ->
BackendError. Messages carry the URI with any user-info stripped.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

from neo4j.exceptions import (
    AuthError,
    ClientError,
    ConfigurationError,
    DriverError,
    Neo4jError,
    ServiceUnavailable,
    SessionExpired,
)

from ttkg.core.errors import BackendError, BackendUnavailableError, QueryTimeoutError, TtkgError

__all__ = ["is_timeout", "redact_uri", "translate", "translating_errors"]

log = logging.getLogger(__name__)

#: Neo4j status codes of a transaction that ran past its timeout (5.x and earlier spellings).
_TIMEOUT_CODES = (
    "Neo.ClientError.Transaction.TransactionTimedOut",
    "Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration",
    "Neo.TransientError.Transaction.LockClientStopped",
)


def redact_uri(uri: str) -> str:
    """The URI without user-info (`bolt://user:secret@host` -> `bolt://host`)."""
    try:
        parts = urlsplit(uri)
    except ValueError:
        return "<invalid URI>"
    if parts.username is None and parts.password is None:
        return uri
    host = parts.hostname or ""
    if parts.port is not None:
        host += f":{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))


def is_timeout(exc: BaseException) -> bool:
    """Whether a driver error says the transaction ran past its timeout."""
    code = getattr(exc, "code", None) or ""
    return isinstance(exc, Neo4jError) and (
        code in _TIMEOUT_CODES or code.endswith("TransactionTimedOut")
    )


def translate(exc: BaseException, uri: str, database: str | None = None) -> TtkgError:
    """The ttkg error for a driver exception raised while talking to `uri`."""
    where = redact_uri(uri)
    if isinstance(exc, TtkgError):
        return exc
    if isinstance(exc, AuthError):
        return BackendUnavailableError(
            f"Neo4j at {where} refused the credentials (check --user/--password or "
            "TTKG_NEO4J_USER/TTKG_NEO4J_PASSWORD)"
        )
    if isinstance(exc, ServiceUnavailable | SessionExpired):
        return BackendUnavailableError(
            f"cannot reach Neo4j at {where}: {_first_line(exc)} (is the server running? "
            "check --uri or TTKG_NEO4J_URI)"
        )
    if is_timeout(exc):
        return QueryTimeoutError(f"query to Neo4j at {where} ran past its timeout")
    if isinstance(exc, ClientError) and (getattr(exc, "code", "") or "").endswith(
        "DatabaseNotFound"
    ):
        return BackendError(f"Neo4j at {where} has no database {database!r}")
    if isinstance(exc, ConfigurationError):
        return BackendError(f"cannot use Neo4j URI {where}: {_first_line(exc)}")
    if isinstance(exc, Neo4jError):
        return BackendError(
            f"Neo4j at {where} failed: {getattr(exc, 'code', '') or 'error'}: "
            f"{_first_line(exc, getattr(exc, 'message', None))}"
        )
    if isinstance(exc, DriverError):
        return BackendError(f"Neo4j driver error talking to {where}: {_first_line(exc)}")
    if isinstance(exc, ValueError):  # e.g. an unknown URI scheme, raised by GraphDatabase.driver
        return BackendError(f"cannot use Neo4j URI {where}: {_first_line(exc)}")
    return BackendError(f"Neo4j at {where}: {type(exc).__name__}: {_first_line(exc)}")


def _first_line(exc: BaseException, text: str | None = None) -> str:
    s = (text or str(exc)).strip()
    return s.splitlines()[0] if s else type(exc).__name__


@contextmanager
def translating_errors(uri: str, database: str | None = None) -> Iterator[None]:
    """Re-raise driver exceptions (and OSError from sockets) as ttkg errors."""
    try:
        yield
    except (Neo4jError, DriverError, OSError) as exc:
        err = translate(exc, uri, database)
        log.debug("neo4j error at %s: %r", redact_uri(uri), exc)
        raise err from exc
