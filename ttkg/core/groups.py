"""Country groups as data, with provenance: OIC, Arab League, GCC, EU-27, OECD, G7, G20,
BRICS, ASEAN, African Union and the UN M49 regions, sub-regions and intermediate regions.

Where a maintained package lists a group, its list is taken from there: EU-27, OECD (with each
member's year of accession), G7 and the countries of every M49 sub-region come from the data
table of `country_converter` (read as the package ships it, with the csv module: its pandas
API is not needed, and reads Namibia's code "NA" as a missing value under pandas 3). The other
groups, and which sub-regions make up each M49 region, are in `data/country_groups.toml`, each
with its source and the date its list was checked.

A group is named by its code (`OIC`, `EU27`, `M49:145`), its name or an alias, ignoring case,
spaces, hyphens and underscores: `oic`, `EU-27`, `Arab League`, `Western Asia`.

>>> g = country_group("OIC")
>>> len(g.members), "SA" in g.members, "IN" in g.members
(57, True, False)
>>> country_group("eu-27").code, country_group("Western Asia").code
('EU27', 'M49:145')
"""

from __future__ import annotations

import csv
import dataclasses
import difflib
import functools
import importlib.resources
import re
import tomllib
from dataclasses import dataclass
from typing import Any, Final

import pycountry

__all__ = ["CountryGroup", "country_group", "country_groups", "group_suggestions"]

_CC: Final = "country_converter"
_CC_SOURCE: Final = (
    "country_converter {version} (country_data.tsv), Stadler 2017, "
    "https://github.com/IndEcol/country_converter"
)


@dataclass(frozen=True, slots=True)
class CountryGroup:
    """A named set of countries. `members` are ISO 3166-1 alpha-2 codes, sorted (the current
    members); `since` gives (member, date or year of accession) where known; `until` gives
    (former member, date it left), a former member being in `since` and `until` but not in
    `members`; `as_of` is when the list was checked (membership changes)."""

    code: str
    name: str
    kind: str  # "organisation", "M49 region", "M49 sub-region", "M49 intermediate region"
    members: tuple[str, ...]
    source: str
    as_of: str
    note: str = ""
    aliases: tuple[str, ...] = ()
    since: tuple[tuple[str, str], ...] = ()
    until: tuple[tuple[str, str], ...] = ()
    dates_source: str = ""

    @property
    def dated(self) -> bool:
        """Whether membership dates are known (accessions or departures)."""
        return bool(self.since or self.until)

    def members_in(self, year_from: int | None, year_to: int | None) -> tuple[str, ...]:
        """The countries that were members at some time in the years [year_from, year_to]
        (either end open), where dates are known: a member whose accession year is after
        year_to, or a former member that left before year_from, is left out; a former member
        that was in the group during those years is in. A member without a known date counts
        as a member throughout. Both ends open: the current members.

        >>> brics = country_group("BRICS")
        >>> len(brics.members_in(None, 2023)), len(brics.members_in(2024, 2024))
        (5, 9)
        >>> "GB" in country_group("EU27").members_in(2010, 2015)
        True
        """
        if year_from is None and year_to is None:
            return self.members
        since = {c: int(d[:4]) for c, d in self.since}
        until = {c: int(d[:4]) for c, d in self.until}
        out = []
        for code in sorted({*self.members, *until}):
            joined, left = since.get(code), until.get(code)
            if year_to is not None and joined is not None and joined > year_to:
                continue
            if year_from is not None and left is not None and left < year_from:
                continue
            out.append(code)
        return tuple(out)

    @property
    def node_id(self) -> str:
        """The group's node in the graph: `group:OIC`."""
        return f"group:{self.code}"

    def member_since(self, code: str) -> str | None:
        """When a member joined (a date or a year), if known."""
        return dict(self.since).get(code)


def _key(text: str) -> str:
    """What names are compared on: case, spaces, hyphens, underscores and dots ignored."""
    return re.sub(r"[\s\-_.]+", "", text.casefold().replace("&", "and"))


def _alpha2(code: str) -> str:
    """An ISO alpha-2 code, checked against pycountry (a typo in the data file is an error)."""
    if pycountry.countries.get(alpha_2=code) is None:
        raise ValueError(f"country group data: {code!r} is not an ISO 3166-1 alpha-2 code")
    return code


def _cc_rows() -> tuple[str, list[dict[str, str]]]:
    """country_converter's version and its table, with alpha-2 codes from the ISO3 column (the
    ISO2 column holds regular expressions for a few entries); entries without an ISO 3166-1
    country (Kosovo, the former Soviet Union...) are left out."""
    from importlib.metadata import version

    text = importlib.resources.files(_CC).joinpath("country_data.tsv").read_text("utf-8")
    rows = []
    for row in csv.DictReader(text.splitlines(), delimiter="\t"):
        country = pycountry.countries.get(alpha_3=row["ISO3"])
        if country is not None and not row["obsolete"]:
            rows.append({**row, "alpha2": country.alpha_2})
    return version(_CC), rows


def _from_package(version: str, rows: list[dict[str, str]]) -> list[CountryGroup]:
    source = _CC_SOURCE.format(version=version)
    as_of = f"country_converter {version}"

    def members(column: str) -> tuple[str, ...]:
        return tuple(sorted(r["alpha2"] for r in rows if r[column]))

    oecd_since = tuple(sorted((r["alpha2"], r["OECD"]) for r in rows if r["OECD"]))
    return [
        CountryGroup("EU27", "European Union (27 member states)", "organisation",
                     members("EU27"), source, as_of, "Since the United Kingdom left on "
                     "2020-01-31.", ("EU", "European Union", "EU-27")),
        CountryGroup("OECD", "Organisation for Economic Co-operation and Development",
                     "organisation", members("OECD"), source, as_of,
                     "Year of accession per member.", ("Organization for Economic "
                     "Co-operation and Development",), oecd_since, dates_source=source),
        CountryGroup("G7", "Group of Seven", "organisation", members("G7"), source, as_of,
                     "The European Union takes part as a non-enumerated member.",
                     ("Group of 7",)),
    ]


def _from_file(data: dict[str, Any]) -> list[CountryGroup]:
    out = []
    for code, g in data["groups"].items():
        since = tuple(sorted((_alpha2(k), str(v)) for k, v in g.get("since", {}).items()))
        until = tuple(sorted((_alpha2(k), str(v)) for k, v in g.get("until", {}).items()))
        out.append(
            CountryGroup(
                code, g["name"], "organisation",
                tuple(sorted({_alpha2(c) for c in g["members"]})), g["source"], g["as_of"],
                g.get("note", ""), tuple(g.get("aliases", ())), since, until,
                g["source"] if since or until else "",
            )
        )
    return out


def _with_dates(group: CountryGroup, dates: dict[str, Any]) -> CountryGroup:
    """A group from country_converter with the accession and leaving dates of the data file
    (its `[dates.CODE]` table): each current member must have one, each former member both."""
    since = {_alpha2(k): str(v) for k, v in dates.get("since", {}).items()}
    until = {_alpha2(k): str(v) for k, v in dates.get("until", {}).items()}
    if set(group.members) - set(since) or set(until) & set(group.members) or set(until) - set(
        since
    ):
        raise ValueError(f"country group data: dates of {group.code} do not match its members")
    return dataclasses.replace(group, since=tuple(sorted(since.items())),
                               until=tuple(sorted(until.items())),
                               dates_source=dates["source"])


def _m49(data: dict[str, Any], version: str, rows: list[dict[str, str]]) -> list[CountryGroup]:
    """M49 regions: the countries of their parts (country_converter's UNregion column)."""
    m49 = data["m49"]
    source = f"{m49['source']}; countries per sub-region: " + _CC_SOURCE.format(version=version)
    by_part: dict[str, set[str]] = {}
    for r in rows:
        by_part.setdefault(r["UNregion"], set()).add(r["alpha2"])
    out = []
    for number, (name, kind, parts) in m49["regions"].items():
        unknown = [p for p in parts if p not in by_part]
        if unknown:
            raise ValueError(f"country group data: M49 {number}: unknown parts {unknown}")
        members = tuple(sorted(set().union(*(by_part[p] for p in parts))))
        out.append(
            CountryGroup(f"M49:{number}", name, f"M49 {kind}", members, source, m49["as_of"],
                         aliases=(f"M49 {number}", f"UN {name}"))
        )
    return out


@functools.cache
def country_groups() -> dict[str, CountryGroup]:
    """Every known group by code, in a fixed order (organisations, then M49 by code)."""
    text = importlib.resources.files("ttkg.core").joinpath("data/country_groups.toml")
    data = tomllib.loads(text.read_text("utf-8"))
    version, rows = _cc_rows()
    dates = data.get("dates", {})
    groups = [_with_dates(g, dates[g.code]) if g.code in dates else g
              for g in _from_package(version, rows)] + _from_file(data)
    groups.sort(key=lambda g: g.code)
    groups += _m49(data, version, rows)
    return {g.code: g for g in groups}


@functools.cache
def _names() -> dict[str, str]:
    """Comparison key of every code, name and alias -> group code."""
    out: dict[str, str] = {}
    for g in country_groups().values():
        for text in (g.code, g.name, *g.aliases):
            out.setdefault(_key(text), g.code)
    return out


def country_group(name: str) -> CountryGroup | None:
    """The group a user means by a code, name or alias (see the module's description), or
    None."""
    code = _names().get(_key(name))
    return None if code is None else country_groups()[code]


def group_suggestions(name: str, n: int = 3) -> list[str]:
    """Codes of the groups whose code, name or alias is closest to a misspelt name."""
    names = _names()
    close = difflib.get_close_matches(_key(name), list(names), n=n * 2, cutoff=0.6)
    return list(dict.fromkeys(names[c] for c in close))[:n]
