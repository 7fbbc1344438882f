"""The `ttkg` command line: build, inspect and query the graph, serve the API.

A thin layer over graph/ and queries/: it parses options, opens a backend, calls one query and
prints its result as a table for people or as the API's JSON (`--format json`).
"""

from __future__ import annotations

import copy
import json
import logging
import logging.config
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from pydantic import BaseModel
from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

from ttkg.cli.render import (
    render_bridges,
    render_node,
    render_partners,
    render_paths,
    render_profile,
    render_search,
    render_stats,
)
from ttkg.core.errors import (
    AmbiguousEntityError,
    EntityNotFoundError,
    InvalidQueryError,
    QueryTimeoutError,
    TtkgError,
)
from ttkg.core.model import NodeLabel
from ttkg.graph.artifact import default_graph_dir
from ttkg.graph.backends.contract import GraphBackend
from ttkg.queries.common import DEFAULT_EVIDENCE, DEFAULT_HOPS, MAX_HOPS, MAX_K

app = typer.Typer(
    name="ttkg",
    help="ttkg: a knowledge graph of institutions and technologies for technology transfer.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
query_app = typer.Typer(
    help="Path questions with evidence: bridges, paths, partners, profile.", no_args_is_help=True
)
app.add_typer(query_app, name="query")

out = Console()
err = Console(stderr=True)
T = TypeVar("T")


class OutputFormat(StrEnum):
    table = "table"
    json = "json"


class BackendName(StrEnum):
    memory = "memory"
    neo4j = "neo4j"


# -- shared options ---------------------------------------------------------------------------
GraphOpt = Annotated[
    Path | None,
    typer.Option(
        "--graph",
        help="Graph directory [default: $TTKG_GRAPH or the per-user data folder]",
        show_default=False,
    ),
]
FormatOpt = Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format")]
BackendOpt = Annotated[
    BackendName, typer.Option("--backend", envvar="TTKG_BACKEND", help="memory (embedded) or neo4j")
]
UriOpt = Annotated[str | None, typer.Option("--uri", envvar="TTKG_NEO4J_URI", help="Neo4j URI")]
UserOpt = Annotated[str | None, typer.Option("--user", envvar="TTKG_NEO4J_USER", help="Neo4j user")]
PasswordOpt = Annotated[
    str | None,
    typer.Option(
        "--password", envvar="TTKG_NEO4J_PASSWORD", help="Neo4j password", show_default=False
    ),
]
DatabaseOpt = Annotated[
    str | None, typer.Option("--database", envvar="TTKG_NEO4J_DATABASE", help="Neo4j database")
]
YearsOpt = Annotated[str | None, typer.Option("--years", help="Grant years, e.g. 2010-2020, 2015-")]
CountryOpt = Annotated[
    str | None, typer.Option("--country", help="Organisation country (ISO alpha-2)")
]
KindOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--kind",
        help="Organisation kind (university, company, government, hospital, nonprofit, "
        "individual, other); repeatable",
    ),
]
LimitOpt = Annotated[int, typer.Option("--limit", min=1, help="Results per page")]
OffsetOpt = Annotated[int, typer.Option("--offset", min=0, help="Results to skip")]
EvidenceOpt = Annotated[int, typer.Option("--evidence", min=0, help="Evidence patents per item")]
VerboseOpt = Annotated[bool, typer.Option("--verbose", "-v", help="Log progress details")]


@contextmanager
def _errors() -> Iterator[None]:
    """Print ttkg errors as one clear line and exit non-zero; no tracebacks for users."""
    try:
        yield
    except (InvalidQueryError, AmbiguousEntityError) as exc:
        err.print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(2) from None
    except EntityNotFoundError as exc:
        err.print(f"[red]not found:[/red] {exc}", highlight=False)
        raise typer.Exit(3) from None
    except QueryTimeoutError as exc:
        err.print(f"[red]timeout:[/red] {exc}", highlight=False)
        raise typer.Exit(4) from None
    except TtkgError as exc:
        err.print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(1) from None


def open_backend_from_options(
    backend: BackendName,
    graph: Path | None,
    uri: str | None = None,
    user: str | None = None,
    password: str | None = None,
    database: str | None = None,
) -> GraphBackend:
    """Open the backend selected by CLI options."""
    from ttkg.graph.backends.registry import open_backend

    if backend is BackendName.neo4j:
        return open_backend("neo4j", uri=uri, user=user, password=password, database=database)
    return open_backend("memory", graph=graph)


def _emit(result: BaseModel, fmt: OutputFormat, render: Callable[[Any, Console], None]) -> None:
    if fmt is OutputFormat.json:
        out.print_json(json.dumps(result.model_dump(mode="json")))
    else:
        render(result, out)


def _run(backend_opts: tuple[Any, ...], fn: Callable[[GraphBackend], T]) -> T:
    with _errors():
        be = open_backend_from_options(*backend_opts)
        try:
            return fn(be)
        finally:
            be.close()


class _RowsColumn(ProgressColumn):
    """Rows read so far, for steps that count rows."""

    def render(self, task: Task) -> Text:
        return Text(f"{int(task.completed):>10,} rows" if task.fields.get("counted") else "")


class _RichProgress:
    """graph.progress.Progress on a rich progress bar."""

    def __init__(self, progress: Progress) -> None:
        self._p = progress

    @contextmanager
    def task(self, description: str, total: int | None = None) -> Iterator[Callable[[int], None]]:
        tid = self._p.add_task(description, total=total)

        def advance(n: int) -> None:
            self._p.advance(tid, n)

        try:
            yield advance
        finally:
            self._p.update(
                tid,
                total=self._p.tasks[tid].completed or 1,
                completed=self._p.tasks[tid].completed or 1,
            )


def _logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )


# -- commands ---------------------------------------------------------------------------------


@app.command()
def build(
    patentsview: Annotated[
        Path | None, typer.Option(help="Folder of PatentsView g_*.tsv.zip tables")
    ] = None,
    ror: Annotated[Path | None, typer.Option(help="ROR v2 data dump (.zip or .json)")] = None,
    cpc: Annotated[Path | None, typer.Option(help="CPC Title List zip")] = None,
    wipo: Annotated[Path | None, typer.Option(help="WIPO IPC-technology concordance CSV")] = None,
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Graph directory to write [default: $TTKG_GRAPH or the per-user data folder]",
            show_default=False,
        ),
    ] = None,
    fmt: FormatOpt = OutputFormat.table,
    verbose: VerboseOpt = False,
) -> None:
    """Build the graph (default: from the bundled real sample) into a versioned artifact."""
    from ttkg.graph.build.builder import build_graph
    from ttkg.loaders.sources import SourcePaths

    _logging(verbose)
    sources = SourcePaths.sample().with_overrides(
        patentsview=patentsview, ror=ror, cpc=cpc, wipo=wipo
    )
    target = out_dir or default_graph_dir()
    with _errors():
        columns = (
            SpinnerColumn(),
            TextColumn("{task.description:<24}"),
            BarColumn(),
            TextColumn("{task.completed:>10,} rows"),
            TimeElapsedColumn(),
        )
        with Progress(
            *columns, console=err, transient=False, disable=fmt is OutputFormat.json
        ) as bar:
            result = build_graph(sources, target, progress=_RichProgress(bar))
    if fmt is OutputFormat.json:
        out.print_json(json.dumps({"path": str(result.path), **result.manifest}))
        return
    m = result.manifest
    render_stats({"nodes": m["nodes"], "edges": m["edges"]}, out)
    rejected = m["rejected_rows"]
    out.print(
        f"Built [bold]{result.path}[/bold] in {m['build_seconds']} s; "
        f"{sum(f['read'] for f in m['inputs']):,} input rows read, {rejected:,} rejected"
        + (f" (see {result.path / 'rejections.tsv'})" if rejected else "")
        + "."
    )


@app.command()
def stats(
    graph: GraphOpt = None,
    fmt: FormatOpt = OutputFormat.table,
    backend: BackendOpt = BackendName.memory,
    uri: UriOpt = None,
    user: UserOpt = None,
    password: PasswordOpt = None,
    database: DatabaseOpt = None,
) -> None:
    """Node and edge counts by label and type."""
    counts = _run(
        (backend, graph, uri, user, password, database),
        lambda be: {"nodes": be.node_counts(), "edges": be.edge_counts()},
    )
    if fmt is OutputFormat.json:
        out.print_json(json.dumps(counts))
    else:
        render_stats(counts, out)


@app.command()
def show(
    entity: Annotated[
        str, typer.Argument(help="Id, name, ROR id, patent number, CPC symbol or ISO code")
    ],
    graph: GraphOpt = None,
    limit: Annotated[int, typer.Option(min=1, max=500)] = 25,
    fmt: FormatOpt = OutputFormat.table,
    backend: BackendOpt = BackendName.memory,
    uri: UriOpt = None,
    user: UserOpt = None,
    password: PasswordOpt = None,
    database: DatabaseOpt = None,
) -> None:
    """Print an entity with its neighbours."""
    from ttkg.queries.entity import entity_detail

    result = _run(
        (backend, graph, uri, user, password, database),
        lambda be: entity_detail(be, entity, limit=limit),
    )
    _emit(result, fmt, render_node)


@app.command()
def search(
    text: Annotated[str, typer.Argument(help="Name (prefix or fuzzy), id or code")],
    label: Annotated[list[NodeLabel] | None, typer.Option(help="Restrict to labels")] = None,
    limit: Annotated[int, typer.Option(min=1, max=100)] = 10,
    graph: GraphOpt = None,
    fmt: FormatOpt = OutputFormat.table,
    backend: BackendOpt = BackendName.memory,
    uri: UriOpt = None,
    user: UserOpt = None,
    password: PasswordOpt = None,
    database: DatabaseOpt = None,
) -> None:
    """Find entities by name (exact, prefix, fuzzy), ROR id, patent number, CPC symbol, ISO code."""
    from ttkg.queries.resolve import search as do_search

    result = _run(
        (backend, graph, uri, user, password, database),
        lambda be: do_search(be, text, label or (), limit),
    )
    _emit(result, fmt, render_search)


@query_app.command("bridges")
def query_bridges(
    field_a: Annotated[str, typer.Argument(help="WIPO field name/number, sector, or CPC symbol")],
    field_b: Annotated[str, typer.Argument(help="WIPO field name/number, sector, or CPC symbol")],
    years: YearsOpt = None,
    country: CountryOpt = None,
    kind: KindOpt = None,
    partner_kind: Annotated[
        list[str] | None,
        typer.Option(
            help="Kind of the other member of a partnership (e.g. --kind university "
            "--partner-kind company)"
        ),
    ] = None,
    min_evidence: Annotated[int, typer.Option(min=1, help="Minimum patents behind a bridge")] = 1,
    limit: LimitOpt = 10,
    offset: OffsetOpt = 0,
    evidence: EvidenceOpt = DEFAULT_EVIDENCE,
    graph: GraphOpt = None,
    fmt: FormatOpt = OutputFormat.table,
    backend: BackendOpt = BackendName.memory,
    uri: UriOpt = None,
    user: UserOpt = None,
    password: PasswordOpt = None,
    database: DatabaseOpt = None,
) -> None:
    """Which organisations and partnerships connect two technology fields."""
    from ttkg.queries.bridges import bridges
    from ttkg.queries.common import make_filters, parse_years

    def run(be: GraphBackend) -> BaseModel:
        y0, y1 = parse_years(years)
        flt = make_filters(y0, y1, country, kind)
        return bridges(
            be,
            field_a,
            field_b,
            flt,
            partner_kinds=partner_kind,
            min_evidence=min_evidence,
            limit=limit,
            offset=offset,
            evidence=evidence,
        )

    _emit(_run((backend, graph, uri, user, password, database), run), fmt, render_bridges)


@query_app.command("paths")
def query_paths(
    source: Annotated[str, typer.Argument(help="Entity: name, id or code")],
    target: Annotated[str, typer.Argument(help="Entity: name, id or code")],
    max_hops: Annotated[
        int, typer.Option(min=1, max=MAX_HOPS, help=f"Hop cap (hard maximum {MAX_HOPS})")
    ] = DEFAULT_HOPS,
    via: Annotated[
        str | None,
        typer.Option(
            help="Relations to walk, comma-separated: CO_ASSIGNED,ACTIVE_IN,LOCATED_IN,PART_OF,..."
        ),
    ] = None,
    k: Annotated[int, typer.Option("-k", "--k", min=1, max=MAX_K, help="Paths to return")] = 3,
    time_budget: Annotated[float, typer.Option(help="Seconds before giving up")] = 10.0,
    evidence: EvidenceOpt = DEFAULT_EVIDENCE,
    graph: GraphOpt = None,
    fmt: FormatOpt = OutputFormat.table,
    backend: BackendOpt = BackendName.memory,
    uri: UriOpt = None,
    user: UserOpt = None,
    password: PasswordOpt = None,
    database: DatabaseOpt = None,
) -> None:
    """The k shortest paths between two entities, each hop with its evidence."""
    from ttkg.queries.paths import paths

    result = _run(
        (backend, graph, uri, user, password, database),
        lambda be: paths(
            be,
            source,
            target,
            max_hops=max_hops,
            via=via,
            k=k,
            time_budget=time_budget,
            evidence=evidence,
        ),
    )
    _emit(result, fmt, render_paths)


@query_app.command("partners")
def query_partners(
    organization: Annotated[str, typer.Argument(help="Organisation: name, id or ROR id")],
    field: Annotated[str | None, typer.Option(help="Only co-owned patents in this field")] = None,
    years: YearsOpt = None,
    country: CountryOpt = None,
    kind: KindOpt = None,
    limit: LimitOpt = 20,
    offset: OffsetOpt = 0,
    evidence: EvidenceOpt = DEFAULT_EVIDENCE,
    graph: GraphOpt = None,
    fmt: FormatOpt = OutputFormat.table,
    backend: BackendOpt = BackendName.memory,
    uri: UriOpt = None,
    user: UserOpt = None,
    password: PasswordOpt = None,
    database: DatabaseOpt = None,
) -> None:
    """Co-owners of an organisation, with their co-owned patents."""
    from ttkg.queries.common import make_filters, parse_years
    from ttkg.queries.partners import partners

    def run(be: GraphBackend) -> BaseModel:
        y0, y1 = parse_years(years)
        return partners(
            be,
            organization,
            field,
            make_filters(y0, y1, country, kind),
            limit=limit,
            offset=offset,
            evidence=evidence,
        )

    _emit(_run((backend, graph, uri, user, password, database), run), fmt, render_partners)


@query_app.command("profile")
def query_profile(
    field: Annotated[str, typer.Argument(help="WIPO field name/number, sector, or CPC symbol")],
    years: YearsOpt = None,
    country: CountryOpt = None,
    kind: KindOpt = None,
    limit: LimitOpt = 10,
    graph: GraphOpt = None,
    fmt: FormatOpt = OutputFormat.table,
    backend: BackendOpt = BackendName.memory,
    uri: UriOpt = None,
    user: UserOpt = None,
    password: PasswordOpt = None,
    database: DatabaseOpt = None,
) -> None:
    """Top organisations and countries in a field, and the fields it co-occurs with."""
    from ttkg.queries.common import make_filters, parse_years
    from ttkg.queries.profile import field_profile

    def run(be: GraphBackend) -> BaseModel:
        y0, y1 = parse_years(years)
        return field_profile(be, field, make_filters(y0, y1, country, kind), limit=limit)

    _emit(_run((backend, graph, uri, user, password, database), run), fmt, render_profile)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port")] = 8000,
    graph: GraphOpt = None,
    backend: BackendOpt = BackendName.memory,
    uri: UriOpt = None,
    user: UserOpt = None,
    password: PasswordOpt = None,
    database: DatabaseOpt = None,
    access_log: Annotated[
        bool, typer.Option(help="Write one JSON line per request to stdout")
    ] = True,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            max=64,
            envvar="TTKG_WORKERS",
            help="Worker processes; each embedded-backend worker loads its own copy of the graph",
        ),
    ] = 1,
    verbose: VerboseOpt = False,
) -> None:
    """Serve the read-only HTTP API (OpenAPI docs at /docs)."""
    import uvicorn
    from pydantic import ValidationError

    from ttkg.api.serve_workers import balanced_workers_supported, run_workers
    from ttkg.core.settings import Settings

    log_config = _serve_log_config(verbose, access_log)
    logging.config.dictConfig(log_config)
    overrides: dict[str, Any] = {"backend": backend.value}
    for key, value in (
        ("graph", graph),
        ("neo4j_uri", uri),
        ("neo4j_user", user),
        ("neo4j_password", password),
        ("neo4j_database", database),
    ):
        if value is not None:
            overrides[key] = value
    with _errors():
        try:
            settings = Settings(**overrides)
        except ValidationError as exc:
            err.print(f"[red]error:[/red] invalid setting: {exc}", highlight=False)
            raise typer.Exit(2) from None
        options: dict[str, Any] = {
            "host": host,
            "port": port,
            "log_level": "info" if verbose else "warning",
            "log_config": log_config,  # applied by uvicorn in every worker process
            "access_log": False,  # ours is the JSON one
            # h11 refuses a request head over 16 KiB before the app sees it; httptools (picked
            # by "auto" when installed) has no such bound
            "http": "h11",
        }
        if workers == 1:
            from ttkg.api.app import create_app

            uvicorn.run(create_app(settings), **options)
            return
        if settings.backend == "memory":
            _check_graph(settings.graph)  # fail once here, not in every worker, restarted
        # workers import the app themselves: they read the settings from the environment
        os.environ.update(_settings_environment(overrides))
        factory = "ttkg.api.app:create_app"
        if not balanced_workers_supported():
            uvicorn.run(factory, factory=True, workers=workers, **options)
            return
        try:
            code = run_workers(workers, factory, host, port, options)
        except OSError as exc:
            err.print(f"[red]error:[/red] cannot listen on {host}:{port}: {exc}", highlight=False)
            raise typer.Exit(1) from None
        if code:
            raise typer.Exit(code)


def _settings_environment(overrides: dict[str, Any]) -> dict[str, str]:
    """The TTKG_* variables that give worker processes the settings given as options."""
    return {f"TTKG_{key.upper()}": str(value) for key, value in overrides.items()}


def _check_graph(graph: Path | None) -> None:
    """Raise the ArtifactError a worker would meet when the graph directory is unusable."""
    from ttkg.graph.artifact import Artifact

    Artifact.open(graph or default_graph_dir())


def _serve_log_config(verbose: bool, access_log: bool) -> dict[str, Any]:
    """Logging of `ttkg serve`, as a dictConfig that uvicorn applies in each worker: uvicorn's
    own loggers as uvicorn sets them; everything else on stderr (INFO with --verbose, else
    WARNING); with `access_log`, the API's access log (logger ttkg.access, one JSON object per
    request) on stdout, whatever the level of the other logs."""
    from uvicorn.config import LOGGING_CONFIG

    config: dict[str, Any] = copy.deepcopy(LOGGING_CONFIG)
    config["formatters"]["ttkg"] = {"format": "%(levelname)s %(name)s: %(message)s"}
    config["formatters"]["ttkg_access"] = {"format": "%(message)s"}
    config["handlers"]["ttkg"] = {
        "class": "logging.StreamHandler",
        "formatter": "ttkg",
        "stream": "ext://sys.stderr",
    }
    config["root"] = {"handlers": ["ttkg"], "level": "INFO" if verbose else "WARNING"}
    if access_log:
        config["handlers"]["ttkg_access"] = {
            "class": "logging.StreamHandler",
            "formatter": "ttkg_access",
            "stream": "ext://sys.stdout",
        }
        config["loggers"]["ttkg.access"] = {
            "handlers": ["ttkg_access"],
            "level": "INFO",
            "propagate": False,
        }
    return config


def _mount_subcommands() -> None:
    """Sub-commands owned by their own modules: identity, neo4j, exports."""
    from ttkg.cli import identity_commands, neo4j_commands, rdf_commands

    app.add_typer(identity_commands.app, name="identity")
    app.add_typer(neo4j_commands.app, name="neo4j")
    export_app = typer.Typer(help="Export the graph (RDF, neo4j-admin CSV).", no_args_is_help=True)
    for sub in (rdf_commands.app, neo4j_commands.export_app):
        export_app.registered_commands.extend(sub.registered_commands)
    app.add_typer(export_app, name="export")


_mount_subcommands()


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
