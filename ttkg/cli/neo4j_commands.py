"""`ttkg neo4j ...` (push a built graph into Neo4j) and `ttkg export neo4j-import DIR`.

Mounted by ttkg/cli/main.py: `app` as the `neo4j` group, `export_app`'s commands under `export`.
The password is read from --password or TTKG_NEO4J_PASSWORD and never printed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ttkg.cli.options import (
    DatabaseOpt,
    GraphOpt,
    PasswordOpt,
    QuietOpt,
    RichProgress,
    UriOpt,
    UserOpt,
    VerboseOpt,
    errors,
    out,
    progress_bar,
    settings_from,
    setup_logging,
)

__all__ = ["app", "export_app"]

app = typer.Typer(help="Neo4j: push the built graph into a Neo4j 5 server.", no_args_is_help=True)
export_app = typer.Typer(help="Exports owned by the Neo4j integration.", no_args_is_help=True)

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
    derived: Annotated[
        bool,
        typer.Option(
            "--derived/--no-derived",
            help="Also store CO_ASSIGNED, ACTIVE_IN and CO_AUTHORED (the hops path queries "
            "walk) with their patent (work) counts and evidence ids",
        ),
    ] = True,
    evidence: Annotated[
        int,
        typer.Option(
            "--evidence", min=0, max=10_000, help="Patent ids stored per derived relationship"
        ),
    ] = 20,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Push the built graph into Neo4j (idempotent: pushing a build again changes nothing).

    Constraints and indexes first, then nodes and relationships in UNWIND batches, then the
    derived relations; afterwards the counts in the server are checked against the artifact's
    manifest.
    """
    from ttkg.graph.artifact import Artifact
    from ttkg.graph.backends.derived import derived_relations
    from ttkg.graph.backends.memory.backend import MemoryBackend
    from ttkg.graph.backends.neo4j.backend import driver_for
    from ttkg.graph.backends.neo4j.push import push_artifact

    setup_logging(verbose)
    settings = settings_from(graph, None, uri, user, password, database).neo4j
    with errors():
        artifact = Artifact.open(graph)
        embedded = MemoryBackend(artifact) if derived else None
        driver = driver_for(settings)
        try:
            with progress_bar(disable=quiet, counts="") as bar:
                progress = RichProgress(bar)
                rows = (
                    derived_relations(embedded, evidence=evidence, progress=progress)
                    if embedded is not None
                    else None
                )
                result = push_artifact(
                    driver,
                    artifact,
                    database=settings.database,
                    batch_size=batch_size,
                    replace=replace,
                    progress=progress,
                    uri=settings.uri,
                    derived=rows,
                )
        finally:
            driver.close()
            if embedded is not None:
                embedded.close()
    table = Table("label / type", "in the server", "in the artifact", title="Neo4j")
    for name, n in [*result.node_counts.items(), *result.edge_counts.items()]:
        expected = {**artifact.node_counts, **artifact.edge_counts}.get(name, 0)
        if n or expected:
            table.add_row(name, f"{n:,}", f"{expected:,}")
    for name, n in result.derived_counts.items():
        table.add_row(f"{name} (derived)", f"{n:,}", "-")
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
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Write CSV files for `neo4j-admin database import full` (command in DIR/README.md).

    One node file per label (its own ID space), relationship files per type and end labels,
    typed headers, the manifest node, schema.cypher for the constraints afterwards.
    """
    from ttkg.graph.artifact import Artifact
    from ttkg.graph.backends.neo4j.bulk_import import export_neo4j_import

    setup_logging(verbose)
    with errors():
        artifact = Artifact.open(graph)
        with progress_bar(disable=quiet, counts="") as bar:
            result = export_neo4j_import(
                artifact, directory, overwrite=force, progress=RichProgress(bar)
            )
    files = len(result.node_files) + len(result.relationship_files)
    out.print(
        f"Wrote {files} CSV files to [bold]{directory}[/bold] "
        f"({sum(result.node_counts.values()):,} nodes, "
        f"{sum(result.edge_counts.values()):,} relationships). Import with:\n"
    )
    out.print(f"cd {directory}\n{result.command}", highlight=False, markup=False)
    out.print(f"\nthen: cypher-shell -f {directory / 'schema.cypher'}  (see README.md)")
