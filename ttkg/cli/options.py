"""What every `ttkg` command shares: consoles, options, settings, errors, progress, logging.

One place for each, so that the command modules hold commands only:

* `out` (results) and `err` (messages, progress) consoles;
* the options as `Annotated` aliases, and `with_settings`, which gives a command the backend
  options (--graph --backend --uri --user --password --database) and hands it one
  `ttkg.core.settings.Settings` built from them over the environment;
* `errors()`: a ttkg error becomes one line on stderr and the exit code of
  `ttkg.core.errors.ERROR_TABLE`, never a traceback;
* `progress_bar()` and `RichProgress` (the library's progress protocol on a rich bar);
* `setup_logging()`.
"""

from __future__ import annotations

import functools
import inspect
import json
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar, get_type_hints

import typer
from pydantic import BaseModel, ValidationError
from rich.console import Console

from ttkg.core.errors import TtkgError, error_spec
from ttkg.core.settings import Neo4jSettings, Settings

if TYPE_CHECKING:
    from rich.progress import Progress

    from ttkg.graph.backends.contract import GraphBackend

__all__ = [
    "BackendName",
    "OutputFormat",
    "QueryFormat",
    "RichProgress",
    "emit",
    "err",
    "errors",
    "out",
    "progress_bar",
    "run_on_backend",
    "settings_from",
    "setup_logging",
    "with_settings",
]

out = Console()
#: Messages on stderr are never hard-wrapped: an error naming a long path stays one line, whole
#: (a terminal may still fold it), so it can be copied and grepped.
err = Console(stderr=True, soft_wrap=True)
R = TypeVar("R")
T = TypeVar("T")


class OutputFormat(StrEnum):
    table = "table"
    json = "json"


class QueryFormat(StrEnum):
    """Output of the query commands: tables, the API's JSON, CSV of `rows()`, or the answer's
    subgraph as GraphML or GEXF (not for search, whose answer is no graph)."""

    table = "table"
    json = "json"
    csv = "csv"
    graphml = "graphml"
    gexf = "gexf"


class BackendName(StrEnum):
    memory = "memory"
    neo4j = "neo4j"


GraphOpt = Annotated[
    Path | None,
    typer.Option(
        "--graph",
        help="Graph directory (default: $TTKG_GRAPH or the per-user data folder)",
        show_default=False,
    ),
]
FormatOpt = Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format")]
QueryFormatOpt = Annotated[
    QueryFormat,
    typer.Option("--format", "-f", help="Output format: table, json, csv, graphml or gexf"),
]
BackendOpt = Annotated[
    BackendName | None,
    typer.Option("--backend", help="memory (embedded) or neo4j (default: $TTKG_BACKEND or memory)"),
]
UriOpt = Annotated[
    str | None, typer.Option("--uri", help="Neo4j URI (default: $TTKG_NEO4J_URI or local)")
]
UserOpt = Annotated[
    str | None, typer.Option("--user", help="Neo4j user (default: $TTKG_NEO4J_USER or neo4j)")
]
PasswordOpt = Annotated[
    str | None,
    typer.Option(
        "--password", help="Neo4j password (default: $TTKG_NEO4J_PASSWORD)", show_default=False
    ),
]
DatabaseOpt = Annotated[
    str | None,
    typer.Option("--database", help="Neo4j database (default: $TTKG_NEO4J_DATABASE or neo4j)"),
]
YearsOpt = Annotated[
    str | None,
    typer.Option(
        "--years", help="Years (patents: grant; works: publication), e.g. 2010-2020, 2015-"
    ),
]
CountryOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--country",
        help="Organisation country, ISO alpha-2, or a country group (OIC, EU27, BRICS, G20, "
        "ASEAN, 'Western Asia'...); repeat or comma-separate (SA,MY): any of them",
    ),
]
KindOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--kind",
        help="Organisation kind (university, company, government, hospital, nonprofit, "
        "individual, other); repeat or comma-separate",
    ),
]
PartnerCountryOpt = Annotated[
    list[str] | None,
    typer.Option("--partner-country", help="The partner's country (as --country)"),
]
PartnerKindOpt = Annotated[
    list[str] | None,
    typer.Option("--partner-kind", help="The partner's kind (as --kind)"),
]
LevelOpt = Annotated[
    str,
    typer.Option(
        "--level",
        help="organization (each organisation counts) or family (a company group, a university "
        "system with its campuses and transfer offices, counts as one)",
    ),
]
ThemesFileOpt = Annotated[
    Path | None,
    typer.Option(
        "--themes", help="A TOML file of themes over the bundled table (default: $TTKG_THEMES)"
    ),
]
LimitOpt = Annotated[int, typer.Option("--limit", min=1, help="Results per page")]
OffsetOpt = Annotated[int, typer.Option("--offset", min=0, help="Results to skip")]
EvidenceOpt = Annotated[int, typer.Option("--evidence", min=0, help="Evidence patents per item")]
VerboseOpt = Annotated[bool, typer.Option("--verbose", "-v", help="Log progress details")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar")]


def settings_from(
    graph: Path | None = None,
    backend: BackendName | None = None,
    uri: str | None = None,
    user: str | None = None,
    password: str | None = None,
    database: str | None = None,
) -> Settings:
    """The settings of the environment with the options given on the command line over them.

    >>> settings_from(backend=BackendName.neo4j, uri="bolt://db:7687").neo4j.uri
    'bolt://db:7687'
    """
    given: dict[str, Any] = {"uri": uri, "user": user, "password": password, "database": database}
    fields: dict[str, Any] = {"neo4j": Neo4jSettings(**{k: v for k, v in given.items() if v})}
    if graph is not None:
        fields["graph"] = graph
    if backend is not None:
        fields["backend"] = backend.value
    try:
        return Settings(**fields)
    except ValidationError as exc:
        err.print(f"[red]error:[/red] invalid setting: {exc}", highlight=False)
        raise typer.Exit(2) from None


_BACKEND_PARAMETERS = (
    ("graph", GraphOpt),
    ("backend", BackendOpt),
    ("uri", UriOpt),
    ("user", UserOpt),
    ("password", PasswordOpt),
    ("database", DatabaseOpt),
)


def with_settings(command: Callable[..., R]) -> Callable[..., R]:
    """Give a command taking `settings: Settings` the backend options instead.

    The options are declared once, here; the command sees one `Settings` built by
    `settings_from` (so TTKG_* variables and options mean the same thing everywhere)."""
    signature = inspect.signature(command)
    hints = get_type_hints(command, include_extras=True)  # resolved: Typer reads the metadata
    kept = [
        p.replace(annotation=hints.get(name, p.annotation))
        for name, p in signature.parameters.items()
        if name != "settings"
    ]
    added = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=ann)
        for name, ann in _BACKEND_PARAMETERS
    ]

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> R:
        options = {name: kwargs.pop(name, None) for name, _ in _BACKEND_PARAMETERS}
        return command(*args, settings=settings_from(**options), **kwargs)

    wrapper.__signature__ = signature.replace(parameters=[*kept, *added])  # type: ignore[attr-defined]
    wrapper.__annotations__ = {p.name: p.annotation for p in [*kept, *added]}
    del wrapper.__wrapped__  # Typer must read the signature above, not the command's
    return wrapper


@contextmanager
def errors() -> Iterator[None]:
    """A ttkg error as one line on stderr and the table's exit code; no traceback."""
    try:
        yield
    except TtkgError as exc:
        spec = error_spec(exc)
        err.print(f"[red]{spec.prefix}:[/red] {exc}", highlight=False)
        raise typer.Exit(spec.exit_code) from None


def run_on_backend(settings: Settings, fn: Callable[[GraphBackend], T]) -> T:
    """Open the backend the settings select, run `fn` on it, close it; errors as `errors()`."""
    from ttkg.graph.backends.registry import open_backend

    with errors():
        backend = open_backend(settings)
        try:
            return fn(backend)
        finally:
            backend.close()


def emit(
    result: BaseModel, fmt: OutputFormat | QueryFormat, render: Callable[[Any, Console], None]
) -> None:
    """A query result as the API's JSON, as tables, as CSV of its rows, or as its subgraph in
    GraphML or GEXF (files go to stdout as they are, without the console's markup)."""
    if fmt == "table":
        render(result, out)
    elif fmt == "json":
        out.print_json(json.dumps(result.model_dump(mode="json")))
    elif not _write_file(result, fmt):
        err.print(f"[red]error:[/red] --format {fmt} is not available here", highlight=False)
        raise typer.Exit(2)


def _write_file(result: BaseModel, fmt: str) -> bool:
    """Write a result as CSV of its rows or as its subgraph (GraphML, GEXF) to stdout, if it
    has that form; False if not."""
    from ttkg.queries.formats import GRAPH_ANSWERS, answer_graph, csv_text, graph_text
    from ttkg.queries.models import Tabular

    if fmt == "csv" and isinstance(result, Tabular):
        sys.stdout.write(csv_text(result))
    elif fmt in ("graphml", "gexf") and isinstance(result, GRAPH_ANSWERS):
        sys.stdout.write(graph_text(answer_graph(result), "gexf" if fmt == "gexf" else "graphml"))
    else:
        return False
    return True


def progress_bar(disable: bool = False, counts: str = "rows") -> Progress:
    """A rich progress bar on stderr, one row per step; `counts` names the units counted
    ("rows" for the build, "" for M of N steps)."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    count_column = TextColumn("{task.completed:>10,} " + counts) if counts else MofNCompleteColumn()
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description:<24}"),
        BarColumn(),
        count_column,
        TimeElapsedColumn(),
        console=err,
        disable=disable,
    )


class RichProgress:
    """The library's progress protocol (`ttkg.core.progress.Progress`) on a rich bar."""

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


def setup_logging(verbose: bool) -> None:
    """Library logs on stderr: INFO with --verbose, else warnings only."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )


def themes_file(settings: Settings, path: Path | None) -> Any:
    """The theme table field arguments read: the bundled one with --themes (or
    $TTKG_THEMES) over it."""
    from ttkg.queries.themes import default_themes, load_themes

    chosen = path or settings.themes
    return load_themes(chosen) if chosen else default_themes()
