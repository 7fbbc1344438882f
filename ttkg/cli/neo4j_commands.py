"""`ttkg neo4j ...` (push a built graph into Neo4j) and `ttkg export neo4j-import DIR`.

Mounted by api/cli.py: `app` as the `neo4j` group, `export_app`'s commands under `export`.
The password is read from --password or TTKG_NEO4J_PASSWORD and never printed.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from ttkg.core.errors import QueryTimeoutError, TtkgError

__all__ = ["app", "export_app"]

app = typer.Typer(help="Neo4j: push the built graph into a Neo4j 5 server.", no_args_is_help=True)
export_app = typer.Typer(help="Exports owned by the Neo4j integration.", no_args_is_help=True)

out = Console()
err = Console(stderr=True)

GraphOpt = Annotated[
    Path | None,
    typer.Option(
        "--graph",
        help="Graph directory [default: $TTKG_GRAPH or the per-user data folder]",
        show_default=False,
    ),
]
UriOpt = Annotated[
    str | None,
    typer.Option(
        "--uri", envvar="TTKG_NEO4J_URI", help="Bolt URI [default: bolt://localhost:7687]"
    ),
]
UserOpt = Annotated[
    str | None, typer.Option("--user", envvar="TTKG_NEO4J_USER", help="User [default: neo4j]")
]
PasswordOpt = Annotated[
    str | None,
    typer.Option("--password", envvar="TTKG_NEO4J_PASSWORD", help="Password", show_default=False),
]
DatabaseOpt = Annotated[
    str | None,
    typer.Option("--database", envvar="TTKG_NEO4J_DATABASE", help="Database [default: neo4j]"),
]


class _BarProgress:
    """graph.progress.Progress on a rich progress bar (one row per step)."""

    def __init__(self, bar: Progress) -> None:
        self._bar = bar

    @contextmanager
    def task(self, description: str, total: int | None = None) -> Iterator[Callable[[int], None]]:
        tid = self._bar.add_task(description, total=total or None)

        def advance(n: int) -> None:
            self._bar.advance(tid, n)

        try:
            yield advance
        finally:
            done = self._bar.tasks[tid].completed
            self._bar.update(tid, total=done or 1, completed=done or 1)


def _bar(disable: bool = False) -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description:<30}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        disable=disable,
    )


@contextmanager
def _errors() -> Iterator[None]:
    """ttkg errors as one line on stderr and a non-zero exit; no traceback."""
    try:
        yield
    except QueryTimeoutError as exc:
        err.print(f"[red]timeout:[/red] {exc}", highlight=False)
        raise typer.Exit(4) from None
    except TtkgError as exc:
        err.print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(1) from None


def _logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )


@app.command()
def push(
    graph: GraphOpt = None,
    uri: UriOpt = None,
    user: UserOpt = None,
    password: PasswordOpt = None,
    database: DatabaseOpt = None,
    replace: Annotated[
        bool,
        typer.Option(
            "--replace/--no-replace",
            help="Delete another build found in the database first (else refuse)",
        ),
    ] = False,
    batch_size: Annotated[
        int, typer.Option("--batch-size", min=1, max=100_000, help="Rows per UNWIND batch")
    ] = 10_000,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log details")] = False,
) -> None:
    """Push the built graph into Neo4j (idempotent: pushing a build again changes nothing).

    Constraints and indexes first, then nodes and relationships in UNWIND batches; afterwards
    the counts in the server are checked against the artifact's manifest.
    """
    from ttkg.graph.artifact import Artifact
    from ttkg.graph.backends.neo4j.backend import Neo4jSettings
    from ttkg.graph.backends.neo4j.push import push_artifact

    _logging(verbose)
    with _errors():
        artifact = Artifact.open(graph)
        settings = Neo4jSettings.resolve(uri, user, password, database)
        driver = settings.driver()
        try:
            with _bar(disable=quiet) as bar:
                result = push_artifact(
                    driver,
                    artifact,
                    database=settings.database,
                    batch_size=batch_size,
                    replace=replace,
                    progress=_BarProgress(bar),
                    uri=settings.uri,
                )
        finally:
            driver.close()
    table = Table("label / type", "in the server", "in the artifact", title="Neo4j")
    for name, n in [*result.node_counts.items(), *result.edge_counts.items()]:
        expected = {**artifact.node_counts, **artifact.edge_counts}.get(name, 0)
        if n or expected:
            table.add_row(name, f"{n:,}", f"{expected:,}")
    out.print(table)
    cleared = f"; deleted {result.cleared:,} nodes of the previous build" if result.cleared else ""
    out.print(
        f"Pushed build [bold]{result.build_id}[/bold] to {settings.database} at "
        f"{result.dialect.value} server in {result.seconds:.1f} s{cleared}"
    )


@export_app.command("neo4j-import")
def neo4j_import(
    directory: Annotated[Path, typer.Argument(help="Folder to write (created; must be empty)")],
    graph: GraphOpt = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace the files of an earlier export in DIR")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log details")] = False,
) -> None:
    """Write CSV files for `neo4j-admin database import full` (command in DIR/README.md).

    One node file per label (its own ID space), relationship files per type and end labels,
    typed headers, the manifest node, schema.cypher for the constraints afterwards.
    """
    from ttkg.graph.artifact import Artifact
    from ttkg.graph.backends.neo4j.bulk_import import export_neo4j_import

    _logging(verbose)
    with _errors():
        artifact = Artifact.open(graph)
        with _bar(disable=quiet) as bar:
            result = export_neo4j_import(
                artifact, directory, overwrite=force, progress=_BarProgress(bar)
            )
    files = len(result.node_files) + len(result.relationship_files)
    out.print(
        f"Wrote {files} CSV files to [bold]{directory}[/bold] "
        f"({sum(result.node_counts.values()):,} nodes, "
        f"{sum(result.edge_counts.values()):,} relationships). Import with:\n"
    )
    out.print(f"cd {directory}\n{result.command}", highlight=False, markup=False)
    out.print(f"\nthen: cypher-shell -f {directory / 'schema.cypher'}  (see README.md)")
