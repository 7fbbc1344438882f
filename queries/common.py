"""Validation shared by the queries: limits, year ranges, kinds, countries.

The one filter model of ttkg: the HTTP API, the CLI and the Python API all hand what the user
wrote to `make_filters` (same names everywhere: years, country, kind, partner_country,
partner_kind; several values as a list or comma-separated; level), which validates every value
and refuses what it does not know, naming it and the valid form.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

import pycountry

from ttkg.core.errors import InvalidQueryError
from ttkg.core.groups import country_group, country_groups, group_suggestions
from ttkg.core.model import OrgKind
from ttkg.graph.backends.contract import LEVELS, Filters, GraphBackend, Level

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
    "only_filters",
    "organization_level_only",
    "parse_countries",
    "parse_kinds",
    "parse_level",
    "parse_places",
    "parse_years",
    "patent_coverage",
]

Values = str | Iterable[str] | None

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


def _items(values: Values) -> list[str]:
    """Values from a list (a repeated option or query parameter), each possibly
    comma-separated, or from one comma-separated string."""
    if not values:
        return []
    raw = [values] if isinstance(values, str) else list(values)
    return [item.strip() for text in raw for item in text.split(",") if item.strip()]


def parse_kinds(kinds: Values, option: str = "kind") -> frozenset[str]:
    """Organisation kinds; refuses unknown kinds, naming them and the valid ones."""
    valid = {k.value for k in OrgKind}
    out = set()
    for item in _items(kinds):
        k = item.lower()
        if k not in valid:
            raise InvalidQueryError(
                f"{option}: unknown organisation kind {item!r}; valid: {', '.join(sorted(valid))}"
            )
        out.add(k)
    return frozenset(out)


def parse_countries(countries: Values, option: str = "country") -> frozenset[str]:
    """ISO 3166-1 alpha-2 codes (any case), or country groups expanded into their members;
    refuses anything else, naming it.

    >>> sorted(parse_countries("sa,MY"))
    ['MY', 'SA']
    >>> parse_countries(["XX"])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ttkg.core.errors.InvalidQueryError: country: 'XX' is not an ISO 3166-1 alpha-2 ...
    """
    return parse_places(countries, option)[0]


def parse_places(
    values: Values,
    option: str = "country",
    years: tuple[int | None, int | None] = (None, None),
) -> tuple[frozenset[str], tuple[str, ...]]:
    """(countries, groups): ISO 3166-1 alpha-2 codes, and country groups (OIC, EU27, BRICS,
    UN M49 regions...; `ttkg.core.groups`) expanded into their members: with years, the
    members at some time in those years where the group's dates are known
    (`CountryGroup.members_in`), else the current ones. A two-letter ISO code
    is a country (AU is Australia; the African Union is AFRICAN_UNION). Anything else is
    refused with the nearest group names.

    >>> codes, groups = parse_places("OIC,US")
    >>> len(codes), groups, "US" in codes, "IN" in codes
    (58, ('OIC',), True, False)
    """
    out: set[str] = set()
    groups: list[str] = []
    for item in _items(values):
        code = item.upper()
        if len(code) == 2 and pycountry.countries.get(alpha_2=code) is not None:
            out.add(code)
            continue
        group = country_group(item)
        if group is None:
            near = group_suggestions(item)
            hint = f"; did you mean {' or '.join(near)}?" if near else ""
            raise InvalidQueryError(
                f"{option}: {item!r} is not an ISO 3166-1 alpha-2 country code "
                f"(two letters, e.g. US, CN, SA) nor a country group{hint} "
                f"(groups: {', '.join(g for g in country_groups() if ':' not in g)}, "
                "and UN M49 regions by name, e.g. Western Asia)"
            )
        out.update(group.members_in(*years))
        if group.code not in groups:
            groups.append(group.code)
    return frozenset(out), tuple(groups)


def parse_level(text: str | None) -> Level:
    """'organization' (default; 'organisation' too) or 'family', any case; refuses anything
    else, naming the valid values.

    >>> parse_level(None), parse_level("Family"), parse_level("organisation")
    ('organization', 'family', 'organization')
    """
    t = (text or "organization").strip().lower()
    t = "organization" if t == "organisation" else t
    for level in LEVELS:
        if t == level:
            return level
    raise InvalidQueryError(f"level: unknown level {text!r}; valid: {', '.join(LEVELS)}")


def make_filters(
    years: str | None = None,
    country: Values = None,
    kind: Values = None,
    partner_country: Values = None,
    partner_kind: Values = None,
    level: str | None = None,
    *,
    sides: tuple[str, str] = ("country", "partner_country"),
) -> Filters:
    """Validated Filters from what a user wrote; a country may be a country group (OIC, EU27,
    BRICS...), on either side; `sides` names the two country options in messages (flows
    calls them from and to).

    >>> f = make_filters("2010-2015", "tw", ["university"], partner_kind="company")
    >>> f.year_from, f.year_to, sorted(f.countries), sorted(f.kinds), sorted(f.partner_kinds)
    (2010, 2015, ['TW'], ['university'], ['company'])
    """
    year_from, year_to = parse_years(years)
    for y in (year_from, year_to):
        if y is not None and not 1790 <= y <= 2100:
            raise InvalidQueryError(f"years: {y} is out of range 1790..2100")
    if year_from is not None and year_to is not None and year_from > year_to:
        raise InvalidQueryError(f"years: the range {year_from}-{year_to} is empty")
    countries, groups = parse_places(country, sides[0], (year_from, year_to))
    partner_countries, partner_groups = parse_places(
        partner_country, sides[1], (year_from, year_to)
    )
    return Filters(
        year_from,
        year_to,
        countries,
        parse_kinds(kind),
        partner_countries,
        parse_kinds(partner_kind, "partner_kind"),
        parse_level(level),
        groups,
        partner_groups,
        _named(country),
        _named(partner_country),
    )


def _named(values: Values) -> frozenset[str]:
    """The countries written as ISO codes (not through a group), already validated."""
    return frozenset(c for c in (i.upper() for i in _items(values))
                     if len(c) == 2 and pycountry.countries.get(alpha_2=c) is not None)


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
            f"years must look like 2010-2020, 2010-, -2020 or 2015; got {text!r}"
        ) from None


_SIDES: Final = {
    "country": "countries",
    "kind": "kinds",
    "partner_country": "partner_countries",
    "partner_kind": "partner_kinds",
}


def only_filters(filters: Filters, query: str, *allowed: str) -> None:
    """Refuse the organisation filters a query does not apply (a filter not applied must
    never look applied): `allowed` names the ones it does (country, kind, partner_country,
    partner_kind); years apply everywhere."""
    for name, attribute in _SIDES.items():
        if name not in allowed and getattr(filters, attribute):
            valid = ", ".join(["years", *allowed])
            raise InvalidQueryError(f"{query} does not filter by {name}; its filters: {valid}")


def organization_level_only(filters: Filters, query: str) -> None:
    """Refuse the family level in a query that counts organisations only."""
    if filters.family:
        raise InvalidQueryError(
            f"{query} answers at the organization level only; level=family is not supported"
        )


def patent_coverage(backend: GraphBackend) -> dict[str, Any]:
    """The patents' grant dates the data covers, from the manifest: first_grant, last_grant,
    last_year and partial_last_year (the data stops before the last year's last grants)."""
    patents = dict(backend.manifest().get("coverage", {}).get("patents") or {})
    return {k: patents.get(k) for k in ("first_grant", "last_grant", "last_year",
                                        "partial_last_year")}
