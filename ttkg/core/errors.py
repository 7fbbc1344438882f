"""One root exception type for ttkg, with specific subclasses.

The CLI and API map these to exit codes and problem+json responses; library code raises them
with messages a user can act on (which file, which line, which field, which URI).
"""

from __future__ import annotations

from typing import Any


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
    """A name or identifier matched no entity in the graph."""

    def __init__(self, query: str, suggestions: list[str] | None = None) -> None:
        self.query = query
        self.suggestions = suggestions or []
        msg = f"no entity matches {query!r}"
        if self.suggestions:
            msg += "; did you mean: " + ", ".join(self.suggestions[:5])
        super().__init__(msg)


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
