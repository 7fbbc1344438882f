"""Country names in organisation names: 'Samsung Electronics (South Korea)' in ROR."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final

import pycountry

from graph.identity.normalise import fold

__all__ = ["country_in_parentheses", "strip_country_suffix"]

#: Short forms ROR and patents use that pycountry does not list.
_EXTRA: Final[dict[str, str]] = {
    "russia": "RU", "turkey": "TR", "korea": "KR", "the gambia": "GM", "usa": "US",
    "u s a": "US", "us": "US", "uk": "GB", "england": "GB", "scotland": "GB",
    "hong kong": "HK", "macau": "MO", "macao": "MO", "taiwan": "TW", "prc": "CN",
    "peoples republic of china": "CN", "people s republic of china": "CN",
}

_PAREN_RE: Final = re.compile(r"^(.*\S)\s*\(([^()]*)\)\s*$")


@lru_cache(maxsize=1)
def _country_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for c in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            value = getattr(c, attr, None)
            if value:
                names[" ".join(re.split(r"[\W_]+", fold(value))).strip()] = c.alpha_2
    names.update(_EXTRA)
    return names


def country_code(text: str) -> str | None:
    """Alpha-2 of a country name ('South Korea' -> 'KR'), None if not a country name."""
    return _country_names().get(" ".join(re.split(r"[\W_]+", fold(text))).strip())


def country_in_parentheses(name: str) -> tuple[str, str | None]:
    """Split a trailing '(Country)' off a name: ('Samsung Electronics', 'KR')."""
    m = _PAREN_RE.match(name)
    if m:
        code = country_code(m.group(2))
        if code:
            return m.group(1), code
    return name, None


def strip_country_suffix(name: str) -> str:
    """The name without a trailing '(Country)'."""
    return country_in_parentheses(name)[0]
