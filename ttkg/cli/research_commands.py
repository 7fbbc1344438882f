"""`ttkg query science`: bridges between a research field (OpenAlex) and a research or
technology field, as `ttkg query bridges` answers them (kept for the name researchers know
from issue 15's first step). Mounted by ttkg/cli/main.py."""

from __future__ import annotations

from typing import Annotated

import typer
from pydantic import BaseModel

from ttkg.cli.options import (
    EvidenceOpt,
    LimitOpt,
    OffsetOpt,
    QueryFormat,
    QueryFormatOpt,
    YearsOpt,
    emit,
    run_on_backend,
    with_settings,
)
from ttkg.cli.render import render_bridges
from ttkg.core.errors import InvalidQueryError
from ttkg.core.settings import Settings
from ttkg.graph.backends.contract import GraphBackend
from ttkg.queries.common import DEFAULT_EVIDENCE

__all__ = ["science"]


@with_settings
def science(
    settings: Settings,
    research: Annotated[
        str, typer.Argument(help="OpenAlex domain/field/subfield/topic: name or openalex:field:25")
    ],
    other: Annotated[
        str,
        typer.Argument(help="Another research field, or a WIPO field/sector or CPC symbol"),
    ],
    years: YearsOpt = None,
    limit: LimitOpt = 10,
    offset: OffsetOpt = 0,
    evidence: EvidenceOpt = DEFAULT_EVIDENCE,
    fmt: QueryFormatOpt = QueryFormat.table,
) -> None:
    """Organisations that publish in a research field and publish in another research field
    or patent in a technology field, and the partnerships (co-authorship, co-ownership)
    between them: `ttkg query bridges` with a research field first."""
    from ttkg.queries.bridges import bridges
    from ttkg.queries.common import make_filters
    from ttkg.queries.research import ResearchSpec, resolve_any_field

    def run(be: GraphBackend) -> BaseModel:
        if not isinstance(resolve_any_field(be, research), ResearchSpec):
            raise InvalidQueryError(
                f"{research!r} is a technology field; `science` starts from a research field "
                "(use `ttkg query bridges` for two technology fields)"
            )
        return bridges(
            be, research, other, make_filters(years), limit=limit, offset=offset,
            evidence=evidence,
        )

    emit(run_on_backend(settings, run), fmt, render_bridges)
