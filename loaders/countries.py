"""Countries (ISO 3166-1) and the mapping of raw patent-office country codes to alpha-2.

Source: the `pycountry` package, i.e. Debian's iso-codes copy of ISO 3166-1 (LGPL-2.1
package; the code lists themselves are facts). No copy of the list is kept in the project.

`to_alpha2` also understands the raw codes of PatentsView's `raw_country` column, which come
from the USPTO's old APS text format and older WIPO ST.3 usage. Every code seen in the shared
`g_location_not_disambiguated` extract that denotes a country is handled:

* ISO alpha-2 (`JP`) and alpha-3 (`JPN`), any case, surrounding spaces ignored;
* APS three-character codes: alpha-2 followed by `X` (`JPX`, `DEX`, `TWX` ...) and GB
  followed by a digit (`GB2`, `GB3`, `GB5`, `GB6`: United Kingdom);
* legacy codes, each confirmed by the cities filed under it: `JA` Japan, `DT` (West)
  Germany, `DD` German Democratic Republic -> DE, `SW` Sweden, `EN` England -> GB,
  `UK` -> GB, `EI` Eire -> IE, `CT` Taiwan (Tainan, Taichung) -> TW, and `NY` (a US state
  written in the country column: Webster, NY) -> US.

Deliberately unmapped (-> None): `SU` (Soviet Union: no single successor; the extract files
both Moscow and Kharkov under it) and anything unrecognised. Codes that are valid ISO codes
are taken at their ISO meaning even where a record's city shows a typing error (`CM` for
Shanghai, `ML` for Kuala Lumpur): the mapping is per code, not per record.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Final

import pycountry

from ttkg.loaders.records import CountryRecord

#: Non-ISO raw codes with the country they denote (see the module docstring for evidence).
LEGACY_CODES: Final[dict[str, str]] = {
    "JA": "JP",
    "DT": "DE",
    "DD": "DE",
    "SW": "SE",
    "EN": "GB",
    "UK": "GB",
    "EI": "IE",
    "CT": "TW",
    "NY": "US",
}

_APS_GB: Final = re.compile(r"^GB\d$")


def read_countries() -> Iterator[CountryRecord]:
    """Every current ISO 3166-1 country; the common name where ISO's is formal
    ('South Korea' rather than 'Korea, Republic of')."""
    for c in pycountry.countries:
        name = getattr(c, "common_name", None) or c.name
        yield CountryRecord(c.alpha_2, c.alpha_3, name)


@lru_cache(maxsize=4096)
def to_alpha2(raw: str | None) -> str | None:
    """ISO alpha-2 code for an ISO alpha-2/alpha-3 or PatentsView raw country code.

    >>> [to_alpha2(c) for c in ("JP", "JPX", "jpn", "GB2", "DT", "SU", "", None)]
    ['JP', 'JP', 'JP', 'GB', 'DE', None, None, None]
    """
    if raw is None:
        return None
    code = raw.strip().upper()
    if not code:
        return None
    alpha2, alpha3 = _iso_tables()
    if len(code) == 2:
        return code if code in alpha2 else LEGACY_CODES.get(code)
    if len(code) == 3:
        if code in alpha3:  # before the APS rule: MEX is Mexico, not Montenegro + X
            return alpha3[code]
        if code.endswith("X") and code[:2] in alpha2:
            return code[:2]
        if _APS_GB.match(code):
            return "GB"
    return None


@lru_cache(maxsize=1)
def _iso_tables() -> tuple[frozenset[str], dict[str, str]]:
    alpha2 = frozenset(c.alpha_2 for c in pycountry.countries)
    alpha3 = {c.alpha_3: c.alpha_2 for c in pycountry.countries}
    return alpha2, alpha3
