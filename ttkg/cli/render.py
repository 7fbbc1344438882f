"""Rich table renderings of query results for people (the CLI's default output)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.table import Table

if TYPE_CHECKING:  # annotations only: the CLI imports what its command needs, no more
    from rich.console import Console

    from ttkg.queries.entity import EntityDetail
    from ttkg.queries.models import (
        BridgesResult,
        Evidence,
        FieldProfile,
        FieldRef,
        OrgRef,
        PartnersResult,
        PathsResult,
        SearchResult,
        YearCount,
    )

__all__ = [
    "render_bridges",
    "render_coverage",
    "render_node",
    "render_partners",
    "render_paths",
    "render_profile",
    "render_search",
    "render_stats",
]


#: Printed under a table whose organisations include an inferred country.
INFERRED_LEGEND = (
    "[dim]* country inferred (from the assignee type or the inventors' countries), "
    "not read from ROR or the assignee's address[/dim]"
)


def _country(o: OrgRef) -> str | None:
    if o.country is None:
        return None
    return f"{o.country}*" if o.country_inferred else o.country


def _org(o: OrgRef) -> str:
    extra = ", ".join(x for x in (o.kind, _country(o)) if x)
    return f"{o.name} [dim]({extra})[/dim]" if extra else o.name


def _legend(console: Console, orgs: list[OrgRef]) -> None:
    if any(o.country_inferred for o in orgs):
        console.print(INFERRED_LEGEND)


def _expansion(console: Console, label: str, field: FieldRef | None) -> None:
    """What the themes of a field argument stand for, under the table that counted them
    (several plain fields are named in the title already)."""
    if field is None or not field.parts:
        return
    themes = [field] if field.kind == "theme" else [f for f in field.parts if f.kind == "theme"]
    for f in themes:
        parts = ", ".join(p.value if p.kind == "cpc" else p.name for p in f.parts)
        source = f" [dim](source: {f.source})[/dim]" if f.source else ""
        console.print(f"{label}{f.name}: {parts}{source}", highlight=False)


def _evidence(e: Evidence) -> str:
    items = [f"{p.number} ({p.year})" for p in e.patents]
    items += [f"doi:{w.doi} ({w.year})" if w.doi else f"{w.id} ({w.year})" for w in e.works]
    shown = ", ".join(items)
    more = e.total - len(items)
    return shown + (f" [dim]+{more} more[/dim]" if more > 0 else "")


def render_stats(counts: dict[str, dict[str, int]], console: Console) -> None:
    """Counts by label and by type."""
    table = Table(title="Graph contents", show_lines=False)
    table.add_column("kind")
    table.add_column("label / type")
    table.add_column("count", justify="right")
    for section in ("nodes", "edges"):
        for name, n in sorted(counts.get(section, {}).items()):
            table.add_row(section[:-1], name, f"{n:,}")
    console.print(table)


def render_coverage(
    coverage: dict[str, Any], releases: dict[str, Any], console: Console
) -> None:
    """What the graph covers: patent grant dates (a partial last year marked) and each
    source's release as its data states it."""
    patents = coverage.get("patents") or {}
    if patents.get("last_grant"):
        partial = (
            f" [yellow](partial last year: {patents['last_year']} ends "
            f"{patents['last_grant']}; by-year counts drop there)[/yellow]"
            if patents.get("partial_last_year")
            else ""
        )
        console.print(
            f"Patents granted {patents['first_grant']} to {patents['last_grant']}{partial}"
        )
    known = ", ".join(f"{k} {v}" for k, v in releases.items() if v)
    console.print(f"Releases: {known}", highlight=False)


def render_bridges(r: BridgesResult, console: Console) -> None:
    """Direct bridges and partnerships, in rank order."""
    a, b = r.field_a.name, r.field_b.name
    t = Table(
        title=f"Organisations active in both {a} (A) and {b} (B) — {r.total_direct:,} found",
        caption=f"filters: {r.filters.describe()}",
    )
    t.add_column("#", justify="right")
    t.add_column("organisation")
    t.add_column("A", justify="right")
    t.add_column("B", justify="right")
    t.add_column("evidence (A | B)")
    for i, d in enumerate(r.direct, r.offset + 1):
        t.add_row(
            str(i),
            _org(d.organization),
            str(d.count_a),
            str(d.count_b),
            _evidence(d.evidence["a"]) + " | " + _evidence(d.evidence["b"]),
        )
    console.print(t)
    research = [f.kind.startswith("openalex") for f in (r.field_a, r.field_b)]
    if all(research):
        title = "co-authors of works in A or B, one publishing in A, the other in B"
        legend = "A or B: co-authored works in A or B (A, B: of them in each"
    elif any(research):
        title = ("co-authors in the research field (one patenting in the technology field) "
                 "or co-owners in the technology field (one publishing in the research field)")
        legend = "A or B: co-authored works in the research field + co-owned patents in the " \
            "technology field (A, B: each side's part"
    else:
        title = "co-owners of patents in A or B, one active in A, the other in B"
        legend = "A or B: co-owned patents in A or B (A, B: of them in each"
    p = Table(
        title=f"Partnerships: {title} — {r.total_partnerships:,} found",
        caption=f"{legend}; all: co-owned in any field); filters: {r.filters.describe()}",
    )
    p.add_column("#", justify="right")
    p.add_column("organisation")
    p.add_column("partner")
    p.add_column("A or B", justify="right")
    p.add_column("A", justify="right")
    p.add_column("B", justify="right")
    p.add_column("all", justify="right")
    p.add_column("evidence (in A or B)")
    for i, q in enumerate(r.partnerships, r.offset + 1):
        p.add_row(
            str(i),
            _org(q.organizations[0]),
            _org(q.organizations[1]),
            str(q.count),
            str(q.count_a),
            str(q.count_b),
            str(q.co_owned_total),
            _evidence(q.evidence),
        )
    console.print(p)
    for i, d in enumerate(r.direct, r.offset + 1):
        if d.by_year:
            console.print(f"direct {i} by year (A/B): " + ", ".join(
                f"{y.year}{'*' if y.partial else ''}: {y.count_a}/{y.count_b}"
                for y in d.by_year), highlight=False)
    for i, q in enumerate(r.partnerships, r.offset + 1):
        if q.by_year:
            console.print(f"partnership {i} by year: {_year_series(q.by_year)}",
                          highlight=False)
    if any(y.partial for d in r.direct for y in d.by_year) or any(
            y.partial for q in r.partnerships for y in q.by_year):
        console.print("[dim]* partial year: the data stops before its last grants[/dim]")
    _expansion(console, "A = ", r.field_a)
    _expansion(console, "B = ", r.field_b)
    _legend(console, [d.organization for d in r.direct]
            + [o for q in r.partnerships for o in q.organizations])


def _year_series(series: list[YearCount]) -> str:
    """`2019: 3, 2022*: 1` (* a partial year)."""
    return ", ".join(f"{y.year}{'*' if y.partial else ''}: {y.patents}" for y in series)


def render_paths(r: PathsResult, console: Console) -> None:
    """Each path as a chain of hops with evidence."""
    console.print(
        f"[bold]{r.source.name}[/bold] → [bold]{r.target.name}[/bold] "
        f"(≤ {r.max_hops} hops, {'family' if r.level == 'family' else 'organisation'} level): "
        f"{len(r.paths)} path(s)"
    )
    for asked, head in ((r.source_asked, r.source), (r.target_asked, r.target)):
        if asked is not None:
            console.print(
                f"[dim]family level: {asked.name} stands as its family's head, {head.name} "
                f"({head.id})[/dim]",
                highlight=False,
            )
    if not r.paths:
        console.print(f"No path within {r.max_hops} hops over {', '.join(r.via)}.")
    for i, path in enumerate(r.paths, 1):
        console.print(
            f"\n[bold]Path {i}[/bold] ({path.length} hop{'s' if path.length > 1 else ''})"
        )
        for h in path.hops:
            arrow = f"-[{h.relation}]->" if h.forward else f"<-[{h.relation}]-"
            line = f"  {h.source.name} {arrow} {h.target.name}"
            if h.evidence.total:
                what = "work(s)" if h.relation == "CO_AUTHORED" else "patent(s)"
                line += f"  [dim]{h.evidence.total} {what}: {_evidence(h.evidence)}[/dim]"
            elif h.properties:
                facts = ", ".join(f"{k} {v}" for k, v in h.properties.items())
                line += f"  [dim]({facts})[/dim]"
            console.print(line, highlight=False)


def render_partners(r: PartnersResult, console: Console) -> None:
    """Co-owners ranked by co-owned patents, then co-authors ranked by co-authored works."""
    scope = f" in {r.field.name}" if r.field else ""
    family = f" (the family of {r.asked.name})" if r.asked else ""
    research = r.field is not None and r.field.kind.startswith("openalex")
    lists = [
        ("Co-owners", "co-owned", r.partners, r.total),
        ("Co-authors", "co-authored", r.co_authors, r.total_co_authors),
    ]
    for title, what, listed, total in lists[1:] if research else lists:
        if title == "Co-authors" and r.field is not None and not research:
            continue
        t = Table(
            title=f"{title} of {r.organization.name}{family}{scope} — {total:,} found",
            caption=f"filters: {r.filters.describe()}",
        )
        t.add_column("#", justify="right")
        t.add_column("partner")
        t.add_column(what, justify="right")
        t.add_column("evidence")
        for i, p in enumerate(listed, r.offset + 1):
            t.add_row(str(i), _org(p.organization), str(p.count), _evidence(p.evidence))
        console.print(t)
    if r.note:
        console.print(f"[yellow]{r.note}[/yellow]", highlight=False)
    _expansion(console, "", r.field)
    _legend(console, [r.organization, *(p.organization for p in r.partners + r.co_authors)])


def render_profile(r: FieldProfile, console: Console) -> None:
    """Top organisations, countries and co-occurring fields."""
    research = r.works is not None
    size = f"{r.works:,} works" if research else f"{r.patents:,} patents"
    console.print(
        f"[bold]{r.field.name}[/bold] ({r.field.kind} {r.field.value}): {size}"
        f" [dim](filters: {r.filters.describe()})[/dim]"
    )
    unit = "works" if research else "patents"
    sections = [
        ("Top organisations", unit, r.organizations),
        ("Top countries", unit, r.countries),
        (
            "WIPO fields its organisations patent in" if research else "Co-occurring WIPO fields",
            "organisations" if research else "patents",
            r.cooccurring_fields,
        ),
    ]
    if research:
        sections.append(("Co-occurring OpenAlex fields", "works", r.cooccurring_research_fields))
    for title, what, rows in sections:
        t = Table(title=title)
        t.add_column("name")
        t.add_column(what, justify="right")
        for row in rows:
            t.add_row(row.entity.name, f"{row.count:,}")
        console.print(t)
    if r.by_year:
        console.print(f"{unit} by year: {_year_series(r.by_year)}", highlight=False)
        if any(y.partial for y in r.by_year):
            console.print("[dim]* partial year: the data stops before its last grants[/dim]")
    _expansion(console, "", r.field)


def render_search(r: SearchResult, console: Console) -> None:
    """Search hits, best first."""
    t = Table(title=f"Matches for {r.query!r}")
    t.add_column("id")
    t.add_column("label")
    t.add_column("name")
    t.add_column("match")
    t.add_column("details")
    for h in r.hits:
        details = ", ".join(f"{k}={v}" for k, v in h.properties.items())
        t.add_row(h.entity.id, h.entity.label, h.entity.name, f"{h.match} {h.score:g}", details)
    console.print(t)


def render_node(r: EntityDetail, console: Console) -> None:
    """An entity's properties and neighbours."""
    console.print(f"[bold]{r.entity.name}[/bold]  {r.entity.label}  [dim]{r.entity.id}[/dim]")
    props = Table(show_header=False, box=None)
    for k, v in r.properties.items():
        props.add_row(f"[dim]{k}[/dim]", _value(v))
    console.print(props)
    t = Table(title=f"Neighbours (first {r.limit})")
    t.add_column("relation")
    t.add_column("entity")
    t.add_column("label")
    t.add_column("properties")
    for n in r.neighbors:
        arrow = f"-[{n.relation}]->" if n.direction == "out" else f"<-[{n.relation}]-"
        t.add_row(
            arrow,
            f"{n.entity.name} [dim]{n.entity.id}[/dim]",
            n.entity.label,
            ", ".join(f"{k}={_value(v)}" for k, v in n.properties.items()),
        )
    console.print(t)


def _value(v: Any) -> str:
    if isinstance(v, list):
        return "; ".join(map(str, v[:8])) + (f" (+{len(v) - 8})" if len(v) > 8 else "")
    return str(v)
