"""Country names in organisation names: 'Samsung Electronics (South Korea)' in ROR."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final

import pycountry

from ttkg.graph.identity.normalise import fold

__all__ = [
    "country_code", "country_in_parentheses", "is_place", "same_country", "same_country_key",
    "strip_country_suffix",
]

#: Short forms ROR and patents use that pycountry does not list.
_EXTRA: Final[dict[str, str]] = {
    "russia": "RU", "turkey": "TR", "korea": "KR", "the gambia": "GM", "usa": "US",
    "u s a": "US", "us": "US", "uk": "GB", "england": "GB", "scotland": "GB",
    "hong kong": "HK", "macau": "MO", "macao": "MO", "taiwan": "TW", "prc": "CN",
    "peoples republic of china": "CN", "people s republic of china": "CN",
    "roc": "TW", "r o c": "TW", "republic of china": "TW", "republic of korea": "KR",
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
    """Alpha-2 of a country name or code ('South Korea', 'CN' -> 'KR', 'CN'), else None."""
    key = " ".join(re.split(r"[\W_]+", fold(text))).strip()
    found = _country_names().get(key)
    if found is None and len(key) == 2 and key.isalpha():
        c = pycountry.countries.get(alpha_2=key.upper())
        found = c.alpha_2 if c else None
    return found


@lru_cache(maxsize=1)
def _china_provinces() -> frozenset[str]:
    """First words of China's ISO 3166-2 subdivisions ('Jiangsu Sheng', 'Shanghai Shi'), of
    five letters or more: 'Hong' and 'Nei' are halves of 'Hong Kong' and 'Nei Mongol'."""
    firsts = (fold(s.name).split()[0] for s in pycountry.subdivisions if s.country_code == "CN")
    return frozenset(w for w in firsts if len(w) >= 5)


#: Short forms and regions a group's regional company adds to its name ('Ecolab USA',
#: 'Logitech Europe'); other two- and three-letter codes are too often words or legal forms.
_REGIONS: Final = frozenset({"us", "usa", "u s a", "uk", "america", "north america", "europe",
                             "asia", "asia pacific"})


def is_place(words: tuple[str, ...]) -> bool:
    """The words name a country ('Taiwan', 'South Korea', 'USA'), a region ('Europe') or a
    Chinese province or municipality ('Jiangsu', 'Shanghai'), as regional companies add them
    to a group's name."""
    text = " ".join(words)
    return text in _REGIONS or (len(text) > 3 and (
        country_code(text) is not None or (len(words) == 1 and text in _china_provinces())))


#: Countries whose inventors PatentsView records interchangeably (Hong Kong as CN).
_SAME_COUNTRY: Final[dict[str, str]] = {"HK": "CN", "MO": "CN"}


def same_country(a: str | None, b: str | None) -> bool:
    """Country evidence agrees (Hong Kong and Macao count as China)."""
    if a is None or b is None:
        return False
    return _SAME_COUNTRY.get(a, a) == _SAME_COUNTRY.get(b, b)


def same_country_key(code: str | None) -> str | None:
    """What `same_country` compares: equal keys (not None) are the same country."""
    return None if code is None else _SAME_COUNTRY.get(code, code)


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
