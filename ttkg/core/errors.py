"""One root exception type for ttkg, with specific subclasses, and one table mapping them to
HTTP status, problem title and CLI exit code (`ERROR_TABLE`).

Library code raises them with messages a user can act on (which file, which line, which
field, which URI); the HTTP API and the CLI both look the answer up in the table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final


class TtkgError(Exception):
    """Root of every error ttkg raises on purpose."""


class InputError(TtkgError):
    """An input file cannot be read at all (missing, truncated, wrong layout).

    Row-level problems are not errors: they are rejections, reported and counted.
    """

    def __init__(
        self, file: str, reason: str, *, line: int | None = None, field: str | None = None
    ) -> None:
        self.file = file
        self.line = line
        self.field = field
        self.reason = reason
        where = file
        if line is not None:
            where += f", line {line}"
        if field is not None:
            where += f", field {field!r}"
        super().__init__(f"{where}: {reason}")


class ArtifactError(TtkgError):
    """A graph artifact is missing, incomplete or of an unsupported format version."""


class GraphNotFoundError(ArtifactError):
    """No built graph at the given location (run `ttkg build` first)."""


class EntityNotFoundError(TtkgError):
    """A name or identifier matched no entity in the graph.

    `suggestions` are entities the user may have meant, each a dict with id, name, label and,
    for organisations, kind and country; `hint` says what else to try.
    """

    def __init__(
        self,
        query: str,
        suggestions: list[dict[str, str | None]] | None = None,
        hint: str | None = None,
    ) -> None:
        self.query = query
        self.suggestions = suggestions or []
        self.hint = hint
        msg = f"no entity matches {query!r}"
        if self.suggestions:
            msg += "; did you mean: " + "; ".join(_described(s) for s in self.suggestions[:5])
        if hint:
            msg += f" ({hint})"
        super().__init__(msg)


def _described(suggestion: dict[str, str | None]) -> str:
    """`Mitsubishi Electric Corporation (company, JP) [org:mitsubishi-electric]`."""
    extra = ", ".join(v for v in (suggestion.get("kind"), suggestion.get("country")) if v)
    name = suggestion.get("name") or suggestion.get("id") or ""
    ref = f"[{suggestion.get('id')}]"
    return f"{name} ({extra}) {ref}" if extra else f"{name} {ref}"


class AmbiguousEntityError(TtkgError):
    """A name matched several entities equally well; the caller must pick one by id."""

    def __init__(self, query: str, candidates: list[str]) -> None:
        self.query = query
        self.candidates = candidates
        super().__init__(f"{query!r} is ambiguous; candidates: " + ", ".join(candidates[:10]))


class InvalidQueryError(TtkgError):
    """A query parameter is out of range or malformed (hop cap, year range, field name...)."""


class QueryTimeoutError(TtkgError):
    """A query ran past its time budget; carries what was found so far."""

    def __init__(self, message: str, partial: Any = None) -> None:
        self.partial = partial
        super().__init__(message)


class BackendError(TtkgError):
    """A storage backend failed (server down, authentication refused, unknown backend name)."""


class BackendUnavailableError(BackendError):
    """The backend's server cannot be reached or refused the credentials."""


@dataclass(frozen=True, slots=True)
class ErrorSpec:
    """How one error type reaches a user: HTTP status and problem title, CLI exit code and
    prefix. `public` says whether the message may be shown to an HTTP client (internal
    failures are logged, and the client gets the title only)."""

    status: int
    title: str
    exit_code: int
    prefix: str = "error"
    public: bool = True


#: The one table from error type to HTTP status, problem title and CLI exit code. The most
#: specific type wins (the lookup walks the exception's class hierarchy).
ERROR_TABLE: Final[dict[type[TtkgError], ErrorSpec]] = {
    InvalidQueryError: ErrorSpec(422, "Invalid parameter", 2),
    AmbiguousEntityError: ErrorSpec(422, "Ambiguous entity", 2),
    EntityNotFoundError: ErrorSpec(404, "Entity not found", 3, "not found"),
    QueryTimeoutError: ErrorSpec(504, "Time budget exceeded", 4, "timeout"),
    BackendUnavailableError: ErrorSpec(503, "Backend unavailable", 1),
    TtkgError: ErrorSpec(500, "Internal error", 1, public=False),
}


def error_spec(exc: TtkgError) -> ErrorSpec:
    """The table's entry for an error: that of its most specific listed class.

    >>> error_spec(EntityNotFoundError("Mitsubishi")).status
    404
    >>> error_spec(GraphNotFoundError("no graph")).exit_code
    1
    """
    for cls in type(exc).__mro__:
        spec = ERROR_TABLE.get(cls)
        if spec is not None:
            return spec
    return ERROR_TABLE[TtkgError]
