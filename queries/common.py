"""Validation shared by the queries: limits, year ranges, kinds, countries."""

from __future__ import annotations

from typing import Final

from ttkg.core.errors import InvalidQueryError
from ttkg.core.model import OrgKind
from ttkg.graph.backends.contract import Filters

__all__ = [
    "DEFAULT_EVIDENCE",
    "DEFAULT_HOPS",
    "MAX_EVIDENCE",
    "MAX_HOPS",
    "MAX_K",
    "MAX_LIMIT",
    "MAX_OFFSET",
    "check_page",
    "make_filters",
    "parse_kinds",
    "parse_years",
]

MAX_LIMIT: Final = 500
MAX_EVIDENCE: Final = 100
#: Evidence patents per item unless asked otherwise (the API's and the CLI's default too).
DEFAULT_EVIDENCE: Final = 3
#: Path queries: hop cap by default and at most, and most paths per answer.
DEFAULT_HOPS: Final = 4
MAX_HOPS: Final = 6
MAX_K: Final = 20
MAX_OFFSET: Final = 100_000


def check_page(limit: int, offset: int, evidence: int) -> None:
    """Refuse pages and evidence caps that would let one request allocate without bound."""
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidQueryError(f"limit must be between 1 and {MAX_LIMIT}, got {limit}")
    if not 0 <= offset <= MAX_OFFSET:
        raise InvalidQueryError(f"offset must be between 0 and {MAX_OFFSET}, got {offset}")
    if not 0 <= evidence <= MAX_EVIDENCE:
        raise InvalidQueryError(f"evidence must be between 0 and {MAX_EVIDENCE}, got {evidence}")


def parse_kinds(kinds: str | list[str] | tuple[str, ...] | frozenset[str] | None) -> frozenset[str]:
    """Organisation kinds from a list or a comma-separated string; refuses unknown kinds."""
    if not kinds:
        return frozenset()
    items = kinds.split(",") if isinstance(kinds, str) else list(kinds)
    out = set()
    valid = {k.value for k in OrgKind}
    for item in items:
        k = item.strip().lower()
        if not k:
            continue
        if k not in valid:
            raise InvalidQueryError(
                f"unknown organisation kind {item!r}; valid: {', '.join(sorted(valid))}"
            )
        out.add(k)
    return frozenset(out)


def make_filters(
    year_from: int | None = None,
    year_to: int | None = None,
    country: str | None = None,
    kinds: str | list[str] | tuple[str, ...] | frozenset[str] | None = None,
) -> Filters:
    """Validated Filters."""
    for y in (year_from, year_to):
        if y is not None and not 1790 <= y <= 2100:
            raise InvalidQueryError(f"year {y} out of range 1790..2100")
    if year_from is not None and year_to is not None and year_from > year_to:
        raise InvalidQueryError(f"year range {year_from}-{year_to} is empty")
    if country is not None:
        c = country.strip().upper()
        if len(c) != 2 or not c.isalpha():
            raise InvalidQueryError(f"country must be an ISO 3166-1 alpha-2 code, got {country!r}")
        country = c
    return Filters(year_from, year_to, country, parse_kinds(kinds))


def parse_years(text: str | None) -> tuple[int | None, int | None]:
    """'2010-2020', '2010-', '-2020' or '2015' -> (from, to)."""
    if not text:
        return None, None
    t = text.strip()
    try:
        if "-" in t:
            a, _, b = t.partition("-")
            return (int(a) if a.strip() else None, int(b) if b.strip() else None)
        return int(t), int(t)
    except ValueError:
        raise InvalidQueryError(
            f"years must look like 2010-2020, 2010- or 2015; got {text!r}"
        ) from None
