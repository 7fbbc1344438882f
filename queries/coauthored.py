"""Co-authored works between two sides of countries or groups: the works half of flows.

A work is co-authored by two organisations when both are among its authorships'
organisations (AUTHORED_BY); it is between the two sides when one of them passes the origin
side (countries, kinds) and the other the destination side, counted once per pair as
co-owned patents are (`GraphBackend.co_ownerships`): a pair passing both ways round once,
the smaller id first. Written over the contract's `research_works`, so every backend gives
the same rows.

Works count in a field only through research fields: a theme lists the OpenAlex fields it
corresponds to (`themes.toml`, `openalex`), and a work is in the theme when it is in one of
them; a technology field (WIPO, CPC) has no research field, so no works are counted for it.
"""

from __future__ import annotations

from collections.abc import Sequence

from ttkg.graph.backends.contract import CoOwnershipRow, Filters, GraphBackend, WorkRow

__all__ = ["co_authorships", "has_works"]


def has_works(backend: GraphBackend) -> bool:
    """Whether the graph holds scholarly works (OpenAlex) at all."""
    return bool((backend.manifest().get("nodes") or {}).get("Work"))


def _passes(props: dict[str, object], countries: frozenset[str],
            kinds: frozenset[str]) -> bool:
    return (not countries or props.get("country") in countries) and (
        not kinds or props.get("kind") in kinds)


def co_authorships(
    backend: GraphBackend, research: Sequence[str] | None, filters: Filters
) -> list[CoOwnershipRow]:
    """(work id, publication year, x, y, x's country, y's country) for each co-authored work
    and each two of its organisations, x on the origin side and y on the destination side, in
    one of the research fields (any work when `research` is None; none when it is empty) and
    the years; ordered by work, then x, then y."""
    if research is not None and not research:
        return []
    years = filters.years_only()
    works: dict[str, WorkRow] = {}
    for field in [None] if research is None else research:
        for row in backend.research_works(field, None, years):
            if len(row.orgs) > 1:
                works.setdefault(row.id, row)
    orgs = backend.get_nodes(sorted({o for w in works.values() for o in w.orgs}))
    props = {o: n.props for o, n in orgs.items()}

    def side(o: str, countries: frozenset[str], kinds: frozenset[str]) -> bool:
        return o in props and _passes(props[o], countries, kinds)

    out: list[CoOwnershipRow] = []
    for w in works.values():
        members = sorted(set(w.orgs))
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                if side(a, filters.countries, filters.kinds) and side(
                        b, filters.partner_countries, filters.partner_kinds):
                    x, y = a, b
                elif side(b, filters.countries, filters.kinds) and side(
                        a, filters.partner_countries, filters.partner_kinds):
                    x, y = b, a
                else:
                    continue
                out.append((w.id, w.year, x, y, _country(props[x]), _country(props[y])))
    out.sort(key=lambda r: (r[0], r[2], r[3]))
    return out


def _country(props: dict[str, object]) -> str | None:
    c = props.get("country")
    return str(c) if c else None
