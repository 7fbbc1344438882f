"""Countries from pycountry and the mapping of PatentsView raw country codes."""

from __future__ import annotations

import csv
import io
import zipfile

import pycountry
import pytest

from tests.loaders.slices import PATENTSVIEW
from ttkg.loaders.countries import read_countries, to_alpha2
from ttkg.loaders.records import CountryRecord

#: Every raw code of the real location slice that is not a current ISO alpha-2 code,
#: with the country its records show (cities checked in the shared extract).
NON_ISO = {
    "ATX": "AT", "AUX": "AU", "BEX": "BE", "CAX": "CA", "CHX": "CH", "CNX": "CN",
    "DEX": "DE", "FRX": "FR", "GBX": "GB", "HKX": "HK", "ILX": "IL", "INX": "IN",
    "ITX": "IT", "JPX": "JP", "KRX": "KR", "NLX": "NL", "RUX": "RU", "SEX": "SE",
    "SGX": "SG", "TWX": "TW",
    "GB2": "GB", "GB3": "GB", "GB5": "GB", "GB6": "GB",
    "JA": "JP",  # Tokuyama, Nagoya ...
    "DT": "DE",  # Munich, Stuttgart ...
    "DD": "DE",  # Hoyerswerda (German Democratic Republic)
    "SW": "SE",  # Taby
    "EN": "GB",  # Manchester, Northampton ...
    "EI": "IE",  # Dalkey
    "CT": "TW",  # Tainan, Taichung
    "NY": "US",  # Webster, NY
    "SU": None,  # Moscow and Kharkov: no single successor
    "": None,
}  # fmt: skip


def slice_raw_countries() -> set[str]:
    with zipfile.ZipFile(PATENTSVIEW / "g_location_not_disambiguated.tsv.zip") as zf:
        text = zf.read("g_location_not_disambiguated.tsv").decode("utf-8")
    return {row["raw_country"] for row in csv.DictReader(io.StringIO(text), delimiter="\t")}


def test_every_raw_code_of_the_real_slice_is_handled() -> None:
    codes = slice_raw_countries()
    assert len(codes) == 86  # one location per distinct code was cut into the slice
    iso = {c.alpha_2 for c in pycountry.countries}
    assert codes - iso <= set(NON_ISO)
    for code in codes:
        expected = NON_ISO.get(code, code)
        assert to_alpha2(code) == expected, code
    assert {c for c in codes if to_alpha2(c) is None} == {"SU", ""}


@pytest.mark.parametrize(
    ("raw", "alpha2"),
    [
        ("JP", "JP"),
        (" jp ", "JP"),
        ("JPN", "JP"),
        ("usa", "US"),
        ("MEX", "MX"),  # an alpha-3 code, not Montenegro + X
        ("LUX", "LU"),
        ("UK", "GB"),
        ("ZZ", None),
        ("XYZ", None),
        ("JPXX", None),
        ("", None),
        (None, None),
    ],
)
def test_to_alpha2_on_iso_codes_and_unknowns(raw: str | None, alpha2: str | None) -> None:
    assert to_alpha2(raw) == alpha2


def test_read_countries_is_iso_3166_with_common_names() -> None:
    countries = list(read_countries())
    assert len(countries) == len(pycountry.countries)
    by_code = {c.alpha2: c for c in countries}
    assert by_code["US"] == CountryRecord("US", "USA", "United States")
    assert by_code["TW"] == CountryRecord("TW", "TWN", "Taiwan")
    assert by_code["KR"] == CountryRecord("KR", "KOR", "South Korea")
    assert len({c.alpha3 for c in countries}) == len(countries)
