"""`ttkg query flows` and `ttkg query brokers`: cooperation between countries or groups of
countries, and who bridges it. Mounted by ttkg/cli/main.py."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from pydantic import BaseModel
from rich.console import Console
from rich.table import Table

from ttkg.cli.options import (
    EvidenceOpt,
    KindOpt,
    LimitOpt,
    PartnerKindOpt,
    QueryFormat,
    QueryFormatOpt,
    ThemesFileOpt,
    YearsOpt,
    emit,
    run_on_backend,
    themes_file,
    with_settings,
)
from ttkg.core.settings import Settings
from ttkg.graph.backends.contract import GraphBackend
from ttkg.queries.common import DEFAULT_EVIDENCE

__all__ = ["brokers", "flows", "render_brokers", "render_flows"]

FromOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--from",
        help="Origin side: countries (ISO alpha-2) or country groups (OIC, EU27, BRICS, "
        "'Western Asia'...); repeat or comma-separate",
    ),
]
ToOpt = Annotated[
    list[str] | None, typer.Option("--to", help="Destination side (as --from)")
]
FieldsOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--field",
        help="Fields or themes: WIPO field, sector, CPC symbol or a theme; repeat or "
        "comma-separate (any field when none)",
    ),
]
ThemeOpt = Annotated[
    list[str] | None,
    typer.Option("--theme", help="Themes (AI, agriculture, 'digital security', energy, health...)"),
]
ByYearOpt = Annotated[bool, typer.Option("--by-year", help="Break every count down by year")]


def _years(by_year: list[Any]) -> str:
    return ", ".join(f"{y.year}{'*' if y.partial else ''}: {y.patents}" for y in by_year)


def _render_works(w: Any, console: Console) -> None:
    """The co-authored works of a flows answer: country pairs, years, organisation pairs."""
    t = Table(title="Co-authored works by country pair")
    for col in ("from", "to", "works", "org pairs", "by year"):
        t.add_column(col)
    for c in w.country_pairs:
        t.add_row(c.country or "?", c.partner_country or "?", str(c.works),
                  str(c.organization_pairs), ", ".join(f"{y.year}: {y.works}" for y in c.by_year))
    console.print(t)
    t = Table(title="Top organisation pairs by co-authored works")
    for col in ("#", "organisation", "partner", "works", "years", "evidence"):
        t.add_column(col)
    for i, p in enumerate(w.organization_pairs, 1):
        a, b = p.organizations
        ev = ", ".join(f"doi:{e.doi} ({e.year})" if e.doi else e.id for e in p.evidence.works)
        t.add_row(str(i), f"{a.name} ({a.kind}, {a.country})", f"{b.name} ({b.kind}, "
                  f"{b.country})", str(p.works), f"{p.first_year}-{p.last_year}", ev)
    console.print(t)


def render_flows(r: Any, console: Console) -> None:
    """Country pairs, fields, years and organisation pairs of a flows answer."""
    names = {f.id: f.name for f in r.fields}
    console.print(
        f"[bold]Co-owned patents between the two sides: {r.patents:,}[/bold] "
        f"({r.total_organization_pairs:,} organisation pairs) "
        f"[dim](filters: {r.filters.describe()})[/dim]"
    )
    works = r.co_authored
    if works is not None:
        console.print(f"[bold]Co-authored works between the two sides: {works.works:,}[/bold] "
                      f"({works.total_organization_pairs:,} organisation pairs)")
    if r.fields:
        console.print("fields: " + "; ".join(f"{f.name} [dim]({f.id})[/dim]" for f in r.fields))
    if not r.patents and not (works and works.works):
        for note in r.notes:
            console.print(note)
        return
    t = Table(title="By country pair")
    for col in ("from", "to", "patents", "org pairs", "by field", *(["by year"] * bool(
            r.by_year))):
        t.add_column(col)
    for c in r.country_pairs:
        fields = ", ".join(f"{names.get(k, k)} {n}" for k, n in c.by_field.items())
        t.add_row(c.country or "?", c.partner_country or "?", str(c.patents),
                  str(c.organization_pairs), fields, *([_years(c.by_year)] * bool(r.by_year)))
    console.print(t)
    if r.by_field:
        t = Table(title="By field or theme")
        for col in ("field", "patents", "works", *(["by year"] * bool(r.by_year))):
            t.add_column(col)
        for f in r.by_field:
            t.add_row(f.field.name, str(f.patents), "-" if f.works is None else str(f.works),
                      *([_years(f.by_year)] * bool(r.by_year)))
        console.print(t)
    if r.by_year:
        console.print("by year: " + _years(r.by_year) + (
            "  [dim](* partial year: the data stops before its last grants)[/dim]"
            if any(y.partial for y in r.by_year) else ""))
    t = Table(title="Top organisation pairs")
    for col in ("#", "organisation", "partner", "patents", "years", "evidence"):
        t.add_column(col)
    for i, p in enumerate(r.organization_pairs, 1):
        a, b = p.organizations
        ev = ", ".join(f"{e.number} ({e.year})" for e in p.evidence.patents)
        t.add_row(str(i), f"{a.name} ({a.kind}, {a.country})", f"{b.name} ({b.kind}, "
                  f"{b.country})", str(p.patents), f"{p.first_year}-{p.last_year}", ev)
    console.print(t)
    if works is not None and works.works:
        _render_works(works, console)
    for note in r.notes:
        console.print(f"[dim]{note}[/dim]")


@with_settings
def flows(
    settings: Settings,
    origin: FromOpt = None,
    destination: ToOpt = None,
    kind: KindOpt = None,
    partner_kind: PartnerKindOpt = None,
    field: FieldsOpt = None,
    theme: ThemeOpt = None,
    years: YearsOpt = None,
    by_year: ByYearOpt = False,
    themes: ThemesFileOpt = None,
    limit: LimitOpt = 10,
    evidence: EvidenceOpt = DEFAULT_EVIDENCE,
    fmt: QueryFormatOpt = QueryFormat.table,
) -> None:
    """Cooperation between countries or groups: co-owned patents per country pair, field
    and year, and the organisation pairs that carry it."""
    from ttkg.cli.options import errors
    from ttkg.queries.common import make_filters
    from ttkg.queries.flows import FLOW_SIDES
    from ttkg.queries.flows import flows as run_flows

    with errors():
        table = themes_file(settings, themes)

    def run(be: GraphBackend) -> BaseModel:
        filters = make_filters(years, origin, kind, destination, partner_kind, sides=FLOW_SIDES)
        return run_flows(be, filters, field, theme, themes=table, by_year=by_year, limit=limit,
                         evidence=evidence)

    emit(run_on_backend(settings, run), fmt, render_flows)



def render_brokers(r: Any, console: Console) -> None:
    """Brokers with their scores and the path through each."""
    if r.mode == "fields":
        ends = (f"{', '.join(s.name for s in r.side_a)} (A) and "
                f"{', '.join(s.name for s in r.side_b)} (B)")
    else:
        ends = "the two sides"
    m = r.method
    t = Table(
        title=f"Brokers between {ends} — {m['a_organizations']:,} A, {m['b_organizations']:,} B "
        f"organisations on a network of {m['network_organizations']:,}",
        caption=f"filters: {r.filters.describe()}; {m['how']}",
    )
    for col in ("#", "organisation", "score", "path (A … B)", "evidence per hop"):
        t.add_column(col)
    for i, b in enumerate(r.brokers, 1):
        score = f"{b.score:,.1f}" + (f" ± {b.standard_error:,.1f}" if b.standard_error else "")
        ev = " | ".join(", ".join(p.number for p in h.evidence.patents) for h in b.hops)
        t.add_row(str(i), f"{b.organization.name} ({b.organization.kind}, "
                  f"{b.organization.country})", score, " > ".join(o.name for o in b.path), ev)
    console.print(t)
    if r.note:
        console.print(f"No brokers: {r.note}.")


@with_settings
def brokers(
    settings: Settings,
    a: Annotated[str | None, typer.Argument(help="Field(s) or theme(s) of end A")] = None,
    b: Annotated[str | None, typer.Argument(help="Field(s) or theme(s) of end B")] = None,
    origin: FromOpt = None,
    destination: ToOpt = None,
    kind: KindOpt = None,
    partner_kind: PartnerKindOpt = None,
    field: FieldsOpt = None,
    theme: ThemeOpt = None,
    years: YearsOpt = None,
    themes: ThemesFileOpt = None,
    limit: LimitOpt = 10,
    evidence: EvidenceOpt = DEFAULT_EVIDENCE,
    fmt: QueryFormatOpt = QueryFormat.table,
) -> None:
    """Who bridges two fields or themes (A B), or two countries or groups (--from --to):
    organisations ranked by brokerage on the co-ownership network, each with a path."""
    from ttkg.cli.options import errors
    from ttkg.queries.brokers import brokers as run_brokers
    from ttkg.queries.common import make_filters
    from ttkg.queries.flows import FLOW_SIDES

    with errors():
        table = themes_file(settings, themes)

    def run(be: GraphBackend) -> BaseModel:
        filters = make_filters(years, origin, kind, destination, partner_kind, sides=FLOW_SIDES)
        return run_brokers(be, a, b, filters, fields=field, theme=theme, themes=table,
                           limit=limit, evidence=evidence)

    emit(run_on_backend(settings, run), fmt, render_brokers)
