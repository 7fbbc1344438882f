"""`ttkg identity`: which assignee names are one organisation, and which ROR record it is.

Mounted by ttkg/cli/main.py as `ttkg identity`. Both commands run the same engine as the build
(graph.identity.OrganizationResolver) over a ROR dump: `--ror` or the bundled sample.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ttkg.cli.options import VerboseOpt, err, errors, out, setup_logging
from ttkg.graph.identity import AssigneeName, IdentitySettings, OrganizationResolver
from ttkg.graph.identity.batch import read_names_csv, write_clusters_csv
from ttkg.graph.identity.families import families
from ttkg.graph.identity.overrides import write_review
from ttkg.loaders.countries import to_alpha2
from ttkg.loaders.records import RorRecord
from ttkg.loaders.report import LoadReport
from ttkg.loaders.ror import read_ror
from ttkg.loaders.sources import SAMPLE_DIR

__all__ = ["app"]

app = typer.Typer(
    help="Organisation identity: cluster assignee names, link them to ROR, explain decisions.",
    no_args_is_help=True,
)

DEFAULT_ROR = SAMPLE_DIR / "ror" / "ror-data-sample.zip"


RorOption = Annotated[
    Path,
    typer.Option("--ror", help="ROR v2 dump (.zip or .json); default: the bundled sample"),
]
OverridesOption = Annotated[
    Path | None,
    typer.Option("--overrides", help="Overrides or an edited review file (CSV) to apply"),
]


def _load_ror(path: Path) -> list[RorRecord]:
    report = LoadReport()
    records = list(read_ror(path, report))
    if report.rejections:
        err.print(f"{path.name}: {len(report.rejections)} ROR record(s) rejected")
    return records


def _settings(
    overrides: Path | None,
    merge_threshold: float | None = None,
    review_threshold: float | None = None,
    link_threshold: float | None = None,
    fuzzy: bool = True,
) -> IdentitySettings:
    base = IdentitySettings()
    return IdentitySettings(
        merge_threshold=base.merge_threshold if merge_threshold is None else merge_threshold,
        review_threshold=base.review_threshold if review_threshold is None else review_threshold,
        link_threshold=base.link_threshold if link_threshold is None else link_threshold,
        link_review_threshold=base.link_review_threshold,
        min_fuzzy_length=base.min_fuzzy_length,
        use_acronyms=base.use_acronyms,
        fuzzy=fuzzy,
        overrides_path=overrides,
    )


@app.command("explain")
def explain(
    name: Annotated[
        str, typer.Argument(help="An assignee name, e.g. 'The John Hopkins University'")
    ],
    country: Annotated[
        str | None, typer.Option("--country", help="Country evidence (ISO code), e.g. US")
    ] = None,
    assignee_type: Annotated[
        str | None, typer.Option("--type", help="PatentsView assignee type, e.g. 2")
    ] = None,
    context: Annotated[
        Path | None,
        typer.Option("--context", help="CSV of other names (id,name,...) to resolve it among"),
    ] = None,
    ror: RorOption = DEFAULT_ROR,
    overrides: OverridesOption = None,
    graph: Annotated[
        Path | None,
        typer.Option(
            "--graph",
            help="Built graph directory: show the decision the build stored for the name",
        ),
    ] = None,
    fresh: Annotated[
        bool,
        typer.Option("--fresh", help="With --graph: also show what a fresh resolution says"),
    ] = False,
    verbose: VerboseOpt = False,
) -> None:
    """Show how a name is normalised, grouped, merged and linked to ROR, with scores.

    With --graph, the decision the build stored (the one every query uses); without it, or
    with --fresh, a resolution of the name alone (or among --context names)."""
    setup_logging(verbose)
    if graph is not None:
        _explain_stored(graph, name)
        if not fresh:
            return
        out.print("fresh resolution (may differ from the build, which saw every name):",
                  highlight=False, markup=False)
    with errors():
        code = to_alpha2(country) if country else None
        if country and code is None:
            raise typer.BadParameter(f"{country!r} is not a country code", param_hint="--country")
        resolver = OrganizationResolver(_load_ror(ror), _settings(overrides))
        names = [AssigneeName(name, assignee_type, code, 1)]
        if context is not None:
            report = LoadReport()
            names += [row.name for row in read_names_csv(context, report)]
        resolution = resolver.resolve(names)
        explanation = resolver.explain(name, resolution=resolution)
    for line in explanation.lines():
        out.print(line, highlight=False, markup=False)


def _explain_stored(graph: Path, name: str) -> None:
    from ttkg.graph.artifact import Artifact
    from ttkg.graph.identity.stored import read_decision

    with errors():
        decision = read_decision(Artifact.open(graph).path, name)
    if decision is None:
        err.print(f"{name!r} is not an assignee string of the graph at {graph}",
                  highlight=False)
        raise typer.Exit(1)
    out.print(f"stored decision of the build at {graph}:", highlight=False, markup=False)
    for line in decision.lines():
        out.print(line, highlight=False, markup=False)


@app.command("cluster")
def cluster(
    infile: Annotated[Path, typer.Argument(help="CSV with id,name[,country,assignee_type,count]")],
    outfile: Annotated[
        Path,
        typer.Argument(help="CSV to write: id,cluster_id,ror_id,score,reason,family_id"),
    ],
    ror: RorOption = DEFAULT_ROR,
    overrides: OverridesOption = None,
    review: Annotated[
        Path | None,
        typer.Option("--review", help="Write borderline decisions here (CSV) for a person"),
    ] = None,
    merge_threshold: Annotated[
        float | None,
        typer.Option(
            "--merge-threshold",
            min=0.0,
            max=1.0,
            help="Similarity needed to merge two spellings (0.88)",
        ),
    ] = None,
    review_threshold: Annotated[
        float | None,
        typer.Option(
            "--review-threshold",
            min=0.0,
            max=1.0,
            help="Similarity from which a pair is sent to review (0.80)",
        ),
    ] = None,
    link_threshold: Annotated[
        float | None,
        typer.Option(
            "--link-threshold",
            min=0.0,
            max=1.0,
            help="Similarity needed for a typo-tolerant ROR link (0.95)",
        ),
    ] = None,
    no_fuzzy: Annotated[
        bool, typer.Option("--no-fuzzy", help="Exact (normalised) matching only")
    ] = False,
    verbose: VerboseOpt = False,
) -> None:
    """Cluster a list of names into organisations and link them to ROR."""
    setup_logging(verbose)
    try:
        with errors():
            report = LoadReport()
            rows = read_names_csv(infile, report)
            settings = _settings(
                overrides, merge_threshold, review_threshold, link_threshold, fuzzy=not no_fuzzy
            )
            resolver = OrganizationResolver(_load_ror(ror), settings)
            resolution = resolver.resolve(row.name for row in rows)
            counts: dict[str, int] = {}
            for r in rows:
                key = resolution.cluster_of[r.name.name]
                counts[key] = counts.get(key, 0) + r.name.count
            written = write_clusters_csv(rows, resolution, outfile,
                                         families(resolution, resolver.index, counts,
                                                  [r.name for r in rows]))
            reviewed = write_review(resolution.review, review) if review is not None else 0
    except OSError as exc:
        err.print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(1) from None
    clusters = len({resolution.cluster_of[r.name.name] for r in rows})
    linked = sum(1 for c in resolution.clusters.values() if c.ror_id)
    err.print(
        f"{written} row(s) -> {clusters} organisation(s), {linked} linked to ROR; wrote {outfile}",
        highlight=False,
    )
    for rejection in report.rejections:
        err.print(f"  {rejection}", highlight=False, markup=False)
    if report.rejections:
        err.print(f"{len(report.rejections)} row problem(s) reported above", highlight=False)
    if review is not None:
        err.print(f"{reviewed} borderline decision(s) for review in {review}", highlight=False)


@app.command("link")
def link(
    infile: Annotated[Path, typer.Argument(help="CSV with id,affiliation[,country]")],
    outfile: Annotated[Path, typer.Argument(help="CSV to write: id,ror_ids,score,reason")],
    ror: RorOption = DEFAULT_ROR,
    verbose: VerboseOpt = False,
) -> None:
    """Link raw affiliation strings (as printed on papers) to zero or more ROR records."""
    from ttkg.graph.identity.affiliations import affiliation_linker, link_csv

    setup_logging(verbose)
    try:
        with errors():
            rows, linked = link_csv(infile, outfile, affiliation_linker(_load_ror(ror)))
    except OSError as exc:
        err.print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(1) from None
    err.print(f"{rows} row(s), {linked} linked to ROR; wrote {outfile}", highlight=False)
