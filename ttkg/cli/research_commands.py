"""`ttkg query science`: direct bridges between a research field (OpenAlex) and a research or
technology field, with works and patents as evidence. Mounted by ttkg/cli/main.py."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from pydantic import BaseModel
from rich.console import Console
from rich.table import Table

from ttkg.cli.options import FormatOpt, OutputFormat, emit, run_on_backend, with_settings
from ttkg.core.settings import Settings
from ttkg.graph.backends.contract import GraphBackend

__all__ = ["science"]


def render_science(result: Any, console: Console) -> None:
    table = Table(
        title=f"{result.field_a_name} x {result.field_b_name} ({result.kind}): "
        f"{result.total_direct} organisation(s)"
    )
    for col in ("organisation", "country", "works A", "B", "newest work A"):
        table.add_column(col)
    for d in result.direct:
        w = d.works_a.works[0] if d.works_a.works else None
        newest = f"{w.year} {w.doi or w.id}" if w else ""
        table.add_row(
            d.organization.name,
            d.organization.country or "",
            str(d.count_a),
            str(d.count_b),
            newest,
        )
    console.print(table)


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
    limit: Annotated[int, typer.Option("--limit", min=1, help="Results")] = 10,
    evidence: Annotated[int, typer.Option("--evidence", min=0, help="Evidence per side")] = 3,
    fmt: FormatOpt = OutputFormat.table,
) -> None:
    """Organisations that publish in a research field and publish in another research field
    or patent in a technology field (direct bridges; counts: works, works or patents)."""
    from ttkg.queries.research import science_bridges

    def run(be: GraphBackend) -> BaseModel:
        return science_bridges(be, research, other, limit=limit, evidence=evidence)

    emit(run_on_backend(settings, run), fmt, render_science)
