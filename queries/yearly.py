"""Country groups year by year: with `by_year`, a country counts for a group in year Y only
if it was a member in Y (the UK for EU27 until 2020, Egypt for BRICS from 2024), where the
group's membership dates are known (`ttkg.core.groups`); without them, its current members
count in every year.

Without `by_year` a group stands for the countries that were members at some time in the
years asked (`CountryGroup.members_in`); with it, flows ask the backend for every country that
was a member at some time in those years (or ever, without years) and keep each co-owned
patent only where both owners' countries belonged to their side in the patent's grant year.
Countries named as countries (`--from GB,EU27`) count every year.
"""

from __future__ import annotations

import dataclasses
import functools

from ttkg.core.groups import country_groups
from ttkg.graph.backends.contract import CoOwnershipRow, Filters, GraphBackend

__all__ = ["members_in_year", "widened", "yearly_rows"]


@functools.cache
def members_in_year(group: str, year: int) -> frozenset[str]:
    """The members of a group in one year (dates applied where known)."""
    return frozenset(country_groups()[group].members_in(year, year))


def _ever(filters: Filters, groups: tuple[str, ...], named: frozenset[str],
          countries: frozenset[str]) -> frozenset[str]:
    if not groups:
        return countries
    span = (filters.year_from or 1, filters.year_to or 9999)
    out = set(named)
    for g in groups:
        out |= set(country_groups()[g].members_in(*span))
    return frozenset(out)


@functools.lru_cache(maxsize=64)
def widened(filters: Filters) -> Filters:
    """The filters with each side's groups standing for every country that was a member at
    some time in the years (ever, without years): what the backend is asked for before the
    year-by-year membership is applied (cached: filters are immutable)."""
    return dataclasses.replace(
        filters,
        countries=_ever(filters, filters.country_groups, filters.named_countries,
                        filters.countries),
        partner_countries=_ever(filters, filters.partner_country_groups,
                                filters.partner_named_countries, filters.partner_countries),
    )


def _member(country: str | None, year: int | None, groups: tuple[str, ...],
            named: frozenset[str], countries: frozenset[str]) -> bool:
    """Whether an owner's country belongs to a side in a year (a side without groups: its
    country list, any year; a patent without a year: the range membership)."""
    if not groups:
        return not countries or country in countries
    if year is None or country in named:
        return country in countries
    return country is not None and any(country in members_in_year(g, year) for g in groups)


def yearly_rows(backend: GraphBackend, rows: list[CoOwnershipRow],
                filters: Filters) -> list[CoOwnershipRow]:
    """The rows of `co_ownerships(..., widened(filters))` that count year by year: both
    owners' countries members of their side in the patent's grant year. A row that fails as
    oriented but passes the other way round (both owners on both sides' country lists) is
    turned round when the owners' kinds pass too."""
    wide = widened(filters)
    origin = (filters.country_groups, filters.named_countries, wide.countries)
    dest = (filters.partner_country_groups, filters.partner_named_countries,
            wide.partner_countries)
    out: list[CoOwnershipRow] = []
    turn: list[CoOwnershipRow] = []
    for row in rows:
        _, year, _, _, cx, cy = row
        if _member(cx, year, *origin) and _member(cy, year, *dest):
            out.append(row)
        elif _member(cy, year, *origin) and _member(cx, year, *dest):
            turn.append(row)
    if turn:
        kinds = {k: n.props.get("kind") for k, n in backend.get_nodes(
            sorted({o for r in turn for o in r[2:4]})).items()}
        for p, year, x, y, cx, cy in turn:
            if ((not filters.kinds or kinds.get(y) in filters.kinds)
                    and (not filters.partner_kinds or kinds.get(x) in filters.partner_kinds)):
                out.append((p, year, y, x, cy, cx))
        out.sort(key=lambda r: (r[0], r[2], r[3]))
    return out
