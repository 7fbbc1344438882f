"""Country groups year by year: with `by_year`, a country counts for a group in year Y only
if it was a member in Y (the UK for EU27 until 2020, Egypt for BRICS from 2024), where the
group's membership dates are known (`ttkg.core.groups`); without them, its current members
count in every year.

Without `by_year` a group stands for the countries that were members at some time in the
years asked (`CountryGroup.members_in`); with it, flows ask the backend for every country that
was a member at some time in those years (or ever, without years), with each member's years
(`membership`), and the backend keeps each co-owned patent only where both owners' countries
belonged to their side in the patent's grant year.
Countries named as countries (`--from GB,EU27`) count every year.

Bridges and profiles keep the range membership for their counts and apply it year by year to
their by-year breakdown: of the countries counted, one counts in a year only if it was a
member in it (`in_year`, `periods`).
"""

from __future__ import annotations

import dataclasses
import functools

from ttkg.core.groups import country_groups
from ttkg.graph.backends.contract import Filters, Spans, YearlyMembership

__all__ = ["in_year", "members_in_year", "membership", "periods", "widened"]


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


def _spans(groups: tuple[str, ...], named: frozenset[str]) -> Spans | None:
    """A side's (country, first year, last year) membership spans: each group's members
    between their accession and their leaving (open where unknown), named countries
    always; None for a side without groups."""
    if not groups:
        return None
    out: set[tuple[str, int | None, int | None]] = {(c, None, None) for c in named}
    for g in groups:
        group = country_groups()[g]
        since = {c: int(d[:4]) for c, d in group.since}
        until = {c: int(d[:4]) for c, d in group.until}
        out |= {(c, since.get(c), until.get(c)) for c in {*group.members, *until}}
    return tuple(sorted(out, key=lambda s: (s[0], s[1] or 0, s[2] or 0)))


@functools.lru_cache(maxsize=64)
def membership(filters: Filters) -> YearlyMembership | None:
    """The year-by-year membership of the filters' groups (None when neither side has a
    group), to send beside `widened(filters)`."""
    if not filters.country_groups and not filters.partner_country_groups:
        return None
    return YearlyMembership(_spans(filters.country_groups, filters.named_countries),
                            _spans(filters.partner_country_groups,
                                   filters.partner_named_countries))


def in_year(filters: Filters, country: str | None, year: int | None, partner: bool = False
            ) -> bool:
    """Whether an organisation's country counts for a side of the filters (the partner side
    with `partner`) in a year: among the side's countries (the range membership) and, where
    the side has a group, a member in that year (a named country: every year)."""
    countries = filters.partner_countries if partner else filters.countries
    if countries and country not in countries:
        return False
    m = membership(filters)
    spans = None if m is None else (m.destination if partner else m.origin)
    return YearlyMembership().member(country, year, spans, countries)


def periods(filters: Filters, first: int, last: int) -> list[tuple[int, int, frozenset[str]]]:
    """The years first..last cut where the origin side's countries counting year by year
    (`in_year`) change: (from, to, countries) for each run of years."""
    out: list[tuple[int, int, frozenset[str]]] = []
    for year in range(first, last + 1):
        now = frozenset(c for c in filters.countries if in_year(filters, c, year))
        if out and out[-1][2] == now:
            out[-1] = (out[-1][0], year, now)
        else:
            out.append((year, year, now))
    return out
