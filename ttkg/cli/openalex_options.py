"""Parsing the `ttkg build --openalex-*` slice options into a `WorkSlice`."""

from __future__ import annotations

from ttkg.core.errors import InvalidQueryError
from ttkg.loaders.countries import to_alpha2
from ttkg.loaders.openalex import WorkSlice
from ttkg.queries.common import parse_years

__all__ = ["work_slice"]


def work_slice(years: str | None, countries: str | None, types: str | None) -> WorkSlice:
    """'2010-2020', 'US,de', 'article,review' -> the slice (None = no restriction)."""
    span = parse_years(years) if years else None
    codes: frozenset[str] | None = None
    if countries:
        found = set()
        for c in countries.split(","):
            code = to_alpha2(c.strip())
            if code is None:
                raise InvalidQueryError(f"--openalex-countries: not a country code: {c.strip()!r}")
            found.add(code)
        codes = frozenset(found)
    kinds = frozenset(t.strip().lower() for t in types.split(",") if t.strip()) if types else None
    return WorkSlice(years=span, countries=codes, types=kinds or None)
