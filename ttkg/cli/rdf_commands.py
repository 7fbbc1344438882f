"""`ttkg export rdf`: the whole graph as Turtle, N-Triples or JSON-LD, for triple stores.

Mounted by ttkg/cli/main.py under `ttkg export`. The export streams batch by batch (memory
stays flat) and writes a VoID/DCAT description (`OUT.void.ttl`) next to the file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from ttkg.cli.options import GraphOpt, VerboseOpt, err, errors, out, setup_logging
from ttkg.graph.rdf import RdfFormat, export_rdf

__all__ = ["app"]

app = typer.Typer(help="Export the graph as RDF.", no_args_is_help=True)

@app.callback()
def _group() -> None:
    """RDF exports (kept a command group so `rdf` stays a sub-command when mounted)."""


@app.command("rdf")
def rdf(
    target: Annotated[
        Path,
        typer.Argument(metavar="OUT", help="Output file, e.g. ttkg.ttl (.gz added with --gzip)"),
    ],
    fmt: Annotated[
        RdfFormat,
        typer.Option("--format", "-f", help="turtle, nt (N-Triples) or jsonld (JSON-LD 1.1)"),
    ] = RdfFormat.TURTLE,
    gzipped: Annotated[bool, typer.Option("--gzip", help="Compress the output with gzip")] = False,
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url",
            help="Where the file will be published (its VoID dump IRI is BASE-URL/FILE); "
            "default: the file's file: IRI",
        ),
    ] = None,
    graph: GraphOpt = None,
    verbose: VerboseOpt = False,
) -> None:
    """Export the whole graph as RDF (schema.org, W3C ORG, SKOS, PROV; see docs/rdf.md),
    with a VoID/DCAT description next to it."""
    setup_logging(verbose)
    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    with errors(), Progress(*columns, console=err, transient=True) as progress:
        task = progress.add_task("exporting", total=None)
        rows: dict[str, int] = {}

        def step(table: str, n: int) -> None:
            rows[table] = rows.get(table, 0) + n
            progress.update(task, description=f"exporting {table}: {rows[table]:,} rows")

        result = export_rdf(graph, target, fmt, gzipped, progress=step, base_url=base_url)
    rate = result.triples / result.seconds if result.seconds else 0.0
    out.print(
        f"wrote {result.triples:,} triples ({result.bytes / 1e6:,.1f} MB, {result.format.value}) "
        f"to {result.path} in {result.seconds:.1f} s ({rate:,.0f} triples/s)",
        highlight=False,
    )
    out.print(f"description (VoID/DCAT): {result.description}", highlight=False)
