"""RFC 9457 problem+json responses for every error the API returns; never a stack trace."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from ttkg.core.errors import (
    AmbiguousEntityError,
    EntityNotFoundError,
    QueryTimeoutError,
    TtkgError,
    error_spec,
)

__all__ = ["LIMIT_RESPONSES", "PROBLEM_RESPONSES", "Problem", "install_problem_handlers", "problem"]

log = logging.getLogger(__name__)
MEDIA_TYPE = "application/problem+json"


class Problem(BaseModel):
    """An error response (RFC 9457)."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    instance: str | None = None
    suggestions: list[dict[str, str | None]] | None = None
    candidates: list[str] | None = None
    errors: list[dict[str, Any]] | None = None
    partial: Any = None


def problem(request: Request, status: int, title: str, detail: str, **extra: Any) -> JSONResponse:
    """A problem+json response."""
    body = Problem(title=title, status=status, detail=detail, instance=request.url.path, **extra)
    return JSONResponse(
        body.model_dump(mode="json", exclude_none=True), status_code=status, media_type=MEDIA_TYPE
    )


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    404: {"model": Problem, "description": "Unknown entity", "content": {MEDIA_TYPE: {}}},
    422: {"model": Problem, "description": "Bad parameter", "content": {MEDIA_TYPE: {}}},
    504: {
        "model": Problem,
        "description": "Time budget exceeded; `partial` holds what was found",
        "content": {MEDIA_TYPE: {}},
    },
}


#: Answers the request limits give on every route (api/middleware.py), before any handler.
LIMIT_RESPONSES: dict[int | str, dict[str, Any]] = {
    413: {
        "model": Problem,
        "description": "Request body over the size limit",
        "content": {MEDIA_TYPE: {}},
    },
    414: {"model": Problem, "description": "Request URI too long", "content": {MEDIA_TYPE: {}}},
}


def _extra(exc: TtkgError) -> dict[str, Any]:
    """What an error carries beyond its message: suggestions, candidates, partial results."""
    if isinstance(exc, EntityNotFoundError):
        return {"suggestions": exc.suggestions}
    if isinstance(exc, AmbiguousEntityError):
        return {"candidates": exc.candidates}
    if isinstance(exc, QueryTimeoutError):
        return {"partial": exc.partial}
    return {}


def install_problem_handlers(app: FastAPI) -> None:
    """Map ttkg errors (through `ttkg.core.errors.ERROR_TABLE`), validation errors and
    anything unexpected to problem+json."""

    @app.exception_handler(TtkgError)
    async def ttkg_error(request: Request, exc: TtkgError) -> JSONResponse:
        spec = error_spec(exc)
        if not spec.public:
            log.error("request %s failed: %s", request.url.path, exc)
            detail = "the server could not answer this request"
            return problem(request, spec.status, spec.title, detail)
        return problem(request, spec.status, spec.title, str(exc), **_extra(exc))

    @app.exception_handler(RequestValidationError)
    async def validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", "")} for e in exc.errors()]
        detail = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors)
        return problem(request, 422, "Invalid parameter", detail, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return problem(request, exc.status_code, str(exc.detail), str(exc.detail))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s", request.url.path)
        return problem(request, 500, "Internal error", "the server could not answer this request")
