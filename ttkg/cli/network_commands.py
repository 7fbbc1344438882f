"""`ttkg export graphml`: the organisation and field graph for Gephi, Cytoscape or networkx.

Mounted by ttkg/cli/main.py under `ttkg export`. One answer's subgraph is `--format graphml`
(or gexf) on the query commands instead.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ttkg.cli.options import out, run_on_backend, with_settings
from ttkg.core.settings import Settings
from ttkg.graph.backends.contract import GraphBackend

__all__ = ["app"]

app = typer.Typer(help="Export the entity graph as GraphML or GEXF.", no_args_is_help=True)


@app.callback()
def _group() -> None:
    """Network exports (kept a command group so `graphml` stays a sub-command when mounted)."""


@app.command("graphml")
@with_settings
def graphml(
    settings: Settings,
    target: Annotated[
        Path, typer.Argument(metavar="OUT", help="Output file, e.g. ttkg.graphml or ttkg.gexf")
    ],
    gexf: Annotated[
        bool, typer.Option("--gexf", help="Write GEXF 1.2 (default for a .gexf file name)")
    ] = False,
    evidence: Annotated[
        int, typer.Option(min=0, max=100, help="Evidence patent numbers per derived edge")
    ] = 3,
) -> None:
    """Export the organisation and field graph (organisations, fields, sectors, countries;
    co-ownership and activity with patent counts and evidence; location, hierarchy) with
    node and edge attributes, as GraphML (default) or GEXF."""
    from ttkg.queries.formats import GraphFormat, graph_text
    from ttkg.queries.network import entity_network

    fmt: GraphFormat = "gexf" if gexf or target.suffix.lower() == ".gexf" else "graphml"

    def run(backend: GraphBackend) -> tuple[int, int]:
        graph = entity_network(backend, evidence)
        target.write_text(graph_text(graph, fmt), encoding="utf-8")
        return graph.number_of_nodes(), graph.number_of_edges()

    nodes, edges = run_on_backend(settings, run)
    out.print(f"wrote {nodes:,} nodes and {edges:,} edges ({fmt}) to {target}", highlight=False)
