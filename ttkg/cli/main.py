"""The `ttkg` command line: build, inspect and query the graph, serve the API.

A thin layer over graph/ and queries/: it parses options, opens a backend, calls one query and
prints its result as a table for people or as the API's JSON (`--format json`).
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable, Iterator
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, ClassVar

import typer
from typer.core import TyperGroup

from ttkg.cli.options import (
    CountryOpt,
    EvidenceOpt,
    FormatOpt,
    KindOpt,
    LevelOpt,
    LimitOpt,
    OffsetOpt,
    OutputFormat,
    PartnerCountryOpt,
    PartnerKindOpt,
    QueryFormat,
    QueryFormatOpt,
    RichProgress,
    ThemesFileOpt,
    VerboseOpt,
    YearsOpt,
    emit,
    err,
    errors,
    out,
    progress_bar,
    run_on_backend,
    settings_from,
    setup_logging,
    themes_file,
    with_settings,
)
from ttkg.cli.render import (
    render_bridges,
    render_coverage,
    render_node,
    render_partners,
    render_paths,
    render_profile,
    render_search,
    render_stats,
)
from ttkg.core.model import NodeLabel
from ttkg.core.settings import Settings
from ttkg.queries.common import DEFAULT_EVIDENCE, DEFAULT_HOPS, MAX_HOPS, MAX_K

if TYPE_CHECKING:
    from pydantic import BaseModel
    from typer import _click as click  # the Click that Typer vendors and builds on

    from ttkg.graph.backends.contract import GraphBackend

#: What a field argument may name (bridges, profile, partners --field).
FIELD_HELP = (
    "WIPO field name/number, sector, CPC symbol, or OpenAlex domain/field/subfield/topic "
    "(name or id such as openalex:field:25); or a theme (AI, health...) or several fields "
    "or themes comma-separated (H01L,Optics), counted as their union"
)


class LazyGroup(TyperGroup):
    """A command group whose sub-commands in `lazy` (name -> a function making the Click
    command) are made, and their modules imported, only when called or listed in help: a query
    must not pay for importing rdflib, the identity engine or uvicorn (~0.35 s)."""

    lazy: ClassVar[dict[str, Callable[[], click.Command]]] = {}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*super().list_commands(ctx), *(n for n in self.lazy if n not in self.commands)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        make = self.lazy.get(cmd_name)
        if make is not None and cmd_name not in self.commands:
            self.add_command(make(), cmd_name)
        return super().get_command(ctx, cmd_name)


def lazy_group(commands: dict[str, Callable[[], click.Command]]) -> type[LazyGroup]:
    """A LazyGroup class with these lazy sub-commands (Typer takes a class, not an instance)."""
    return type("LazyGroup", (LazyGroup,), {"lazy": commands})


def _made(name: str, mount: Callable[[typer.Typer], None]) -> click.Command:
    """The Click command `name` as Typer makes it when `mount` adds it to a group."""
    root = typer.Typer()
    mount(root)
    return typer.main.get_group(root).commands[name]


def _command(module: str, function: str, name: str) -> Callable[[], click.Command]:
    """Makes the command of a function of a command module (`ttkg.cli.<module>`)."""

    def make() -> click.Command:
        fn = getattr(import_module(f"ttkg.cli.{module}"), function)
        return _made(name, lambda root: root.command(name)(fn))

    return make


def _group(name: str, *parts: tuple[str, str], help: str = "") -> Callable[[], click.Command]:
    """Makes the group of a Typer app (module, attribute) of a command module, or of the
    commands of several such apps together."""

    def make() -> click.Command:
        apps = [getattr(import_module(f"ttkg.cli.{m}"), a) for m, a in parts]
        group = apps[0]
        if len(apps) > 1:
            group = typer.Typer(help=help, no_args_is_help=True)
            for sub in apps:
                group.registered_commands.extend(sub.registered_commands)
        return _made(name, lambda root: root.add_typer(group, name=name))

    return make


app = typer.Typer(
    name="ttkg",
    help="ttkg: a knowledge graph of institutions and technologies for technology transfer.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    # sub-commands owned by their own modules, imported when used
    cls=lazy_group(
        {
            "identity": _group("identity", ("identity_commands", "app")),
            "neo4j": _group("neo4j", ("neo4j_commands", "app")),
            "export": _group(
                "export",
                ("rdf_commands", "app"),
                ("network_commands", "app"),
                ("neo4j_commands", "export_app"),
                help="Export the graph (RDF, GraphML/GEXF, neo4j-admin CSV).",
            ),
        }
    ),
)
query_app = typer.Typer(
    help="Path questions with evidence: bridges, paths, partners, profile, flows, brokers.",
    no_args_is_help=True,
    cls=lazy_group(
        {
            "science": _command("research_commands", "science", "science"),
            "flows": _command("cooperation_commands", "flows", "flows"),
            "brokers": _command("cooperation_commands", "brokers", "brokers"),
        }
    ),
)
app.add_typer(query_app, name="query")

# -- commands ---------------------------------------------------------------------------------


@app.command()
def build(
    patentsview: Annotated[
        Path | None, typer.Option(help="Folder of PatentsView g_*.tsv.zip tables")
    ] = None,
    ror: Annotated[Path | None, typer.Option(help="ROR v2 data dump (.zip or .json)")] = None,
    cpc: Annotated[Path | None, typer.Option(help="CPC Title List zip")] = None,
    wipo: Annotated[Path | None, typer.Option(help="WIPO IPC-technology concordance CSV")] = None,
    openalex: Annotated[
        Path | None,
        typer.Option(
            help="OpenAlex works: snapshot folder (data/works/updated_date=*/part_*.gz), "
            "folder of .jsonl(.gz) files, or one file [default: the bundled slice]"
        ),
    ] = None,
    openalex_topics: Annotated[
        Path | None, typer.Option(help="OpenAlex topic table (research-field taxonomy) CSV")
    ] = None,
    openalex_years: Annotated[
        str | None, typer.Option(help="Keep works of these years, e.g. 2010-2020, 2015-")
    ] = None,
    openalex_countries: Annotated[
        str | None,
        typer.Option(help="Keep works with an institution in these countries, e.g. US,DE"),
    ] = None,
    openalex_types: Annotated[
        str | None, typer.Option(help="Keep works of these OpenAlex types, e.g. article,review")
    ] = None,
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Graph directory to write [default: $TTKG_GRAPH or the per-user data folder]",
            show_default=False,
        ),
    ] = None,
    overrides: Annotated[
        Path | None,
        typer.Option(
            "--overrides",
            help="Reviewed identity decisions (CSV: action,name,target or an edited review "
            "file) to apply; reported in the manifest",
        ),
    ] = None,
    fmt: FormatOpt = OutputFormat.table,
    verbose: VerboseOpt = False,
) -> None:
    """Build the graph (default: from the bundled real sample) into a versioned artifact."""
    from ttkg.cli.openalex_options import work_slice
    from ttkg.graph.artifact import default_graph_dir
    from ttkg.graph.build.builder import build_graph
    from ttkg.graph.identity import IdentitySettings
    from ttkg.loaders.sources import SourcePaths

    setup_logging(verbose)
    sources = SourcePaths.sample().with_overrides(
        patentsview=patentsview,
        ror=ror,
        cpc=cpc,
        wipo=wipo,
        openalex=openalex,
        openalex_topics=openalex_topics,
    )
    target = out_dir or default_graph_dir()
    identity = IdentitySettings(overrides_path=overrides,
                                workers=settings_from().identity_workers)
    with errors(), progress_bar(disable=fmt is OutputFormat.json) as bar:
        selection = work_slice(openalex_years, openalex_countries, openalex_types)
        result = build_graph(
            sources,
            target,
            progress=RichProgress(bar),
            identity=identity,
            openalex_slice=selection,
        )
    if fmt is OutputFormat.json:
        out.print_json(json.dumps({"path": str(result.path), **result.manifest}))
        return
    m = result.manifest
    render_stats({"nodes": m["nodes"], "edges": m["edges"]}, out)
    applied = (m.get("identity") or {}).get("overrides")
    if applied:
        out.print(
            f"Applied {sum(applied['decisions'].values())} reviewed identity decision(s) from "
            f"{applied['file']} ({applied['names_in_data']} of {applied['names']} named "
            "string(s) in the data)."
        )
    rejected = m["rejected_rows"]
    out.print(
        f"Built [bold]{result.path}[/bold] in {m['build_seconds']} s; "
        f"{sum(f['read'] for f in m['inputs']):,} input rows read, {rejected:,} rejected"
        + (f" (see {result.path / 'rejections.tsv'})" if rejected else "")
        + (f"; peak memory {result.peak_rss_mb / 1024:.2f} GB" if result.peak_rss_mb else "")
        + "."
    )


@app.command()
@with_settings
def stats(
    settings: Settings,
    fmt: FormatOpt = OutputFormat.table,
) -> None:
    """Node and edge counts by label and type."""
    counts = run_on_backend(
        settings,
        lambda be: {
            "nodes": be.node_counts(),
            "edges": be.edge_counts(),
            "coverage": be.manifest().get("coverage", {}),
            "releases": {k: v.get("release") for k, v in be.manifest()["sources"].items()},
        },
    )
    if fmt is OutputFormat.json:
        out.print_json(json.dumps(counts))
    else:
        render_stats(counts, out)
        render_coverage(counts["coverage"], counts["releases"], out)


@app.command()
@with_settings
def show(
    settings: Settings,
    entity: Annotated[
        str, typer.Argument(help="Id, name, ROR id, patent number, CPC symbol or ISO code")
    ],
    limit: Annotated[int, typer.Option(min=1, max=500)] = 25,
    fmt: FormatOpt = OutputFormat.table,
) -> None:
    """Print an entity with its neighbours."""
    from ttkg.queries.entity import entity_detail

    result = run_on_backend(
        settings,
        lambda be: entity_detail(be, entity, limit=limit),
    )
    emit(result, fmt, render_node)


@app.command()
@with_settings
def search(
    settings: Settings,
    text: Annotated[str, typer.Argument(help="Name (prefix or fuzzy), id or code")],
    label: Annotated[list[NodeLabel] | None, typer.Option(help="Restrict to labels")] = None,
    limit: Annotated[int, typer.Option(min=1, max=100)] = 10,
    fmt: QueryFormatOpt = QueryFormat.table,
) -> None:
    """Find entities by name (exact, prefix, fuzzy), ROR id, patent number, CPC symbol, ISO code."""
    from ttkg.queries.resolve import search as do_search

    result = run_on_backend(
        settings,
        lambda be: do_search(be, text, label or (), limit),
    )
    emit(result, fmt, render_search)


@query_app.command("bridges")
@with_settings
def query_bridges(
    settings: Settings,
    field_a: Annotated[str, typer.Argument(help=FIELD_HELP)],
    field_b: Annotated[str, typer.Argument(help=FIELD_HELP)],
    years: YearsOpt = None,
    country: CountryOpt = None,
    kind: KindOpt = None,
    partner_country: PartnerCountryOpt = None,
    partner_kind: PartnerKindOpt = None,
    level: LevelOpt = "organization",
    min_evidence: Annotated[
        int, typer.Option(min=1, help="Minimum patents (works) behind a bridge")
    ] = 1,
    limit: LimitOpt = 10,
    offset: OffsetOpt = 0,
    evidence: EvidenceOpt = DEFAULT_EVIDENCE,
    by_year: Annotated[bool, typer.Option(
        "--by-year", help="Each bridge's and partnership's counted patents per grant year")
    ] = False,
    themes: ThemesFileOpt = None,
    fmt: QueryFormatOpt = QueryFormat.table,
) -> None:
    """Which organisations and partnerships connect two fields (technology or research:
    works count for a research field, co-authorship for its partnerships), themes or sets
    of fields."""
    from ttkg.queries.bridges import bridges
    from ttkg.queries.common import make_filters

    def run(be: GraphBackend) -> BaseModel:
        flt = make_filters(years, country, kind, partner_country, partner_kind, level)
        return bridges(
            be,
            field_a,
            field_b,
            flt,
            min_evidence=min_evidence,
            limit=limit,
            offset=offset,
            evidence=evidence,
            by_year=by_year,
            themes=themes_file(settings, themes),
        )

    emit(run_on_backend(settings, run), fmt, render_bridges)


@query_app.command("paths")
@with_settings
def query_paths(
    settings: Settings,
    source: Annotated[str, typer.Argument(help="Entity: name, id or code")],
    target: Annotated[str, typer.Argument(help="Entity: name, id or code")],
    max_hops: Annotated[
        int, typer.Option(min=1, max=MAX_HOPS, help=f"Hop cap (hard maximum {MAX_HOPS})")
    ] = DEFAULT_HOPS,
    via: Annotated[
        str | None,
        typer.Option(
            help="Relations to walk, comma-separated: CO_ASSIGNED,CO_AUTHORED,ACTIVE_IN,"
            "LOCATED_IN,PART_OF,... (default: all but CO_AUTHORED)"
        ),
    ] = None,
    k: Annotated[int, typer.Option("-k", "--k", min=1, max=MAX_K, help="Paths to return")] = 3,
    time_budget: Annotated[float, typer.Option(help="Seconds before giving up")] = 10.0,
    evidence: EvidenceOpt = DEFAULT_EVIDENCE,
    level: LevelOpt = "organization",
    fmt: QueryFormatOpt = QueryFormat.table,
) -> None:
    """The k shortest paths between two entities, each hop with its evidence (--level family:
    each family contracted into its head)."""
    from ttkg.queries.paths import paths

    result = run_on_backend(
        settings,
        lambda be: paths(
            be,
            source,
            target,
            max_hops=max_hops,
            via=via,
            k=k,
            time_budget=time_budget,
            evidence=evidence,
            level=level,
        ),
    )
    emit(result, fmt, render_paths)


@query_app.command("partners")
@with_settings
def query_partners(
    settings: Settings,
    organization: Annotated[str, typer.Argument(help="Organisation: name, id or ROR id")],
    field: Annotated[
        str | None,
        typer.Option(
            help="Only co-owned patents in this technology field, theme or these fields "
            "(comma-separated), or co-authored works in this research field"
        ),
    ] = None,
    years: YearsOpt = None,
    partner_country: PartnerCountryOpt = None,
    partner_kind: PartnerKindOpt = None,
    level: LevelOpt = "organization",
    limit: LimitOpt = 20,
    offset: OffsetOpt = 0,
    evidence: EvidenceOpt = DEFAULT_EVIDENCE,
    themes: ThemesFileOpt = None,
    fmt: QueryFormatOpt = QueryFormat.table,
) -> None:
    """Co-owners (co-owned patents) and co-authors (co-authored works) of an organisation,
    kept apart."""
    from ttkg.queries.common import make_filters
    from ttkg.queries.partners import partners

    def run(be: GraphBackend) -> BaseModel:
        return partners(
            be,
            organization,
            field,
            make_filters(
                years, partner_country=partner_country, partner_kind=partner_kind, level=level
            ),
            limit=limit,
            offset=offset,
            evidence=evidence,
            themes=themes_file(settings, themes),
        )

    emit(run_on_backend(settings, run), fmt, render_partners)


@query_app.command("profile")
@with_settings
def query_profile(
    settings: Settings,
    field: Annotated[str, typer.Argument(help=FIELD_HELP)],
    years: YearsOpt = None,
    country: CountryOpt = None,
    kind: KindOpt = None,
    level: LevelOpt = "organization",
    limit: LimitOpt = 10,
    by_year: Annotated[
        bool, typer.Option("--by-year", help="The field's patents per grant year")
    ] = False,
    themes: ThemesFileOpt = None,
    fmt: QueryFormatOpt = QueryFormat.table,
) -> None:
    """Top organisations and countries in a field (a theme, several fields), and the fields
    it co-occurs with."""
    from ttkg.queries.common import make_filters
    from ttkg.queries.profile import field_profile

    def run(be: GraphBackend) -> BaseModel:
        return field_profile(
            be, field, make_filters(years, country, kind, level=level), limit=limit,
            by_year=by_year, themes=themes_file(settings, themes),
        )

    emit(run_on_backend(settings, run), fmt, render_profile)


@app.command()
@with_settings
def serve(
    settings: Settings,
    host: Annotated[str, typer.Option(help="Interface to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port")] = 8000,
    access_log: Annotated[
        bool, typer.Option(help="Write one JSON line per request to stdout")
    ] = True,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=64,
            help="Worker processes; embedded-backend workers map the same serving index, its "
            "pages shared (default: $TTKG_WORKERS or 1)",
            show_default=False,
        ),
    ] = None,
    watch: Annotated[
        bool,
        typer.Option(
            "--watch",
            help="Move to a newly built graph version as soon as `ttkg build` commits it "
            "(checks the graph's CURRENT pointer every --watch-interval seconds); without it, "
            "the server moves on SIGHUP (kill -HUP <pid>)",
        ),
    ] = False,
    watch_interval: Annotated[
        float, typer.Option(min=0.1, max=3600, help="Seconds between checks with --watch")
    ] = 2.0,
    cache_mb: Annotated[
        int | None,
        typer.Option(
            min=0,
            max=65_536,
            help="MB of answers each worker keeps for the graph version it serves; 0: none "
            "(ETags and 304 Not Modified still) (default: $TTKG_CACHE_MB or 64)",
            show_default=False,
        ),
    ] = None,
    verbose: VerboseOpt = False,
) -> None:
    """Serve the web explorer at / and the read-only HTTP API (OpenAPI docs at /docs).

    The server answers from the graph version it opened while builds commit new ones; it moves
    to the current version between requests on SIGHUP or, with --watch, by itself (/health
    states the build_id it serves)."""
    import logging.config
    import signal

    import uvicorn

    from ttkg.api.http_protocol import BoundedHttpToolsProtocol
    from ttkg.api.serve_workers import balanced_workers_supported, run_workers

    log_config = _serve_log_config(verbose, access_log)
    logging.config.dictConfig(log_config)
    if workers is not None:
        settings = settings.model_copy(update={"workers": workers})
    # a server process: what exists once the graph is warm lives as long as it (api/serving.py)
    # and its query threads share one malloc arena (api/allocator.py)
    settings = settings.model_copy(update={"gc_freeze": True, "malloc_arenas": 1})
    if watch:
        settings = settings.model_copy(update={"watch": watch_interval})
    if cache_mb is not None:
        settings = settings.model_copy(update={"cache_mb": cache_mb})
    if hasattr(signal, "SIGHUP"):
        # until the app handles it (reload), a SIGHUP must not end the server
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
    base = f"http://{'127.0.0.1' if host == '0.0.0.0' else host}:{port}"
    err.print(
        f"ttkg explorer: {base}/  (API docs: {base}/docs; Ctrl+C to stop)",
        highlight=False,
        soft_wrap=True,
    )
    with errors():
        options: dict[str, Any] = {
            "host": host,
            "port": port,
            "log_level": "info" if verbose else "warning",
            "log_config": log_config,  # applied by uvicorn in every worker process
            "access_log": False,  # ours is the JSON one
            # httptools (C) with the bound on a request head that h11 has (api/http_protocol.py)
            "http": BoundedHttpToolsProtocol,
        }
        if settings.workers == 1:
            from ttkg.api.app import create_app

            uvicorn.run(create_app(settings), **options)
            return
        if settings.backend == "memory":
            _check_graph(settings.graph)  # fail once here, not in every worker, restarted
        with _shared_answers(settings) as shared:
            # workers import the app themselves: they read the settings from the environment
            os.environ.update(_settings_environment(settings.model_copy(
                update={"shared_cache": shared})))
            if settings.malloc_arenas:  # read by glibc as each worker starts
                from ttkg.api.allocator import tunables_with_arena_cap

                os.environ["GLIBC_TUNABLES"] = tunables_with_arena_cap(
                    os.environ.get("GLIBC_TUNABLES"), settings.malloc_arenas)
            factory = "ttkg.api.app:create_app"
            if not balanced_workers_supported():
                uvicorn.run(factory, factory=True, workers=settings.workers, **options)
                return
            try:
                code = run_workers(settings.workers, factory, host, port, options)
            except OSError as exc:
                err.print(f"[red]error:[/red] cannot listen on {host}:{port}: {exc}",
                          highlight=False)
                raise typer.Exit(1) from None
        if code:
            raise typer.Exit(code)


@contextlib.contextmanager
def _shared_answers(settings: Settings) -> Iterator[Path | None]:
    """The directory where the workers of this server share their answers
    (`ttkg.api.shared_answers.store_directory`), removed when the server stops; None when
    nothing is cached (no answer cache, or a Neo4j graph that changes under its own
    control)."""
    from ttkg.api.caching import IMMUTABLE_BACKENDS
    from ttkg.api.shared_answers import store_directory

    if not settings.cache_mb or settings.backend not in IMMUTABLE_BACKENDS:
        yield None
        return
    with store_directory(settings.cache_mb << 20) as made:
        yield made


def _settings_environment(settings: Settings) -> dict[str, str]:
    """The TTKG_* variables that give worker processes the settings of this process."""
    env: dict[str, str] = {
        "TTKG_BACKEND": settings.backend,
        "TTKG_WATCH": str(settings.watch),
        "TTKG_GC_FREEZE": str(settings.gc_freeze).lower(),
        "TTKG_MALLOC_ARENAS": str(settings.malloc_arenas),
        "TTKG_CACHE_MB": str(settings.cache_mb),
    }
    if settings.shared_cache is not None:
        env["TTKG_SHARED_CACHE"] = str(settings.shared_cache)
    if settings.graph is not None:
        env["TTKG_GRAPH"] = str(settings.graph)
    for key, value in settings.neo4j.model_dump().items():
        if value is not None:
            secret = value.get_secret_value() if hasattr(value, "get_secret_value") else value
            env[f"TTKG_NEO4J_{key.upper()}"] = str(secret)
    return env


def _check_graph(graph: Path | None) -> None:
    """Raise the ArtifactError a worker would meet when the graph directory is unusable."""
    from ttkg.graph.artifact import Artifact, default_graph_dir

    Artifact.open(graph or default_graph_dir())


def _serve_log_config(verbose: bool, access_log: bool) -> dict[str, Any]:
    """Logging of `ttkg serve`, as a dictConfig that uvicorn applies in each worker: uvicorn's
    own loggers as uvicorn sets them; everything else on stderr (INFO with --verbose, else
    WARNING); with `access_log`, the API's access log (logger ttkg.access, one JSON object per
    request) on stdout, whatever the level of the other logs."""
    import copy

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


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
