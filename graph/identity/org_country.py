"""The country of an organisation, from evidence in a fixed order, with its basis and confidence.

Order (the first that decides wins):

1. `ror`: the linked ROR record's country;
2. `assignee_location`: the assignee's own location on its patents (PatentsView assignee
   `rawlocation_id` -> `g_location_*`), when the data has it; a tie is `ambiguous`;
3. the PatentsView assignee-type flag is a hard constraint: a US type (2 US company, 4 US
   individual, 6 US federal, 8 US county, 9 US state government) is US (`assignee_type`); a
   foreign type (3 foreign company, 5 foreign individual, 7 foreign government) is never US,
   and takes its country from the non-US inventors (`inventors_foreign`);
4. `inventors`: the inventors' majority, only as the last resort (no flag).

A tie between the leading countries is reported as `ambiguous` (no country), never broken
alphabetically. Hong Kong and Macao inventors count apart from China (PatentsView records
them as given). Confidence is 1.0 for ROR and falls with the share of the deciding evidence.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from ttkg.graph.identity.kinds import type_code

__all__ = [
    "BASES",
    "FOREIGN_TYPES",
    "US_TYPES",
    "CountryDecision",
    "decide_country",
    "type_flag",
]

#: PatentsView (USPTO) assignee type codes, part-interest codes '1x' read as 'x'.
US_TYPES: Final = frozenset({"2", "4", "6", "8", "9"})
FOREIGN_TYPES: Final = frozenset({"3", "5", "7"})

#: Every value `country_basis` can take.
BASES: Final = ("ror", "assignee_location", "assignee_type", "inventors_foreign", "inventors",
                "ambiguous", "foreign_unknown")

#: A flag decides only when at least this share of the typed rows agrees.
FLAG_MAJORITY: Final = 0.8


@dataclass(frozen=True, slots=True)
class CountryDecision:
    """A country (or None), why (`basis`, one of `BASES` or None) and how sure (0..1)."""

    country: str | None
    basis: str | None
    confidence: float | None
    note: str = ""

    @property
    def inferred(self) -> bool:
        """The country was not read from ROR nor from the assignee's own location."""
        return self.basis not in (None, "ror", "assignee_location")


def type_flag(types: Mapping[str, int]) -> str | None:
    """'US', 'foreign' or None: what the assignee-type codes of an organisation's rows say
    (at least `FLAG_MAJORITY` of the typed rows must agree)."""
    us = foreign = 0
    for raw, n in types.items():
        code = type_code(raw)
        if code in US_TYPES:
            us += n
        elif code in FOREIGN_TYPES:
            foreign += n
    total = us + foreign
    if not total:
        return None
    if us / total >= FLAG_MAJORITY:
        return "US"
    if foreign / total >= FLAG_MAJORITY:
        return "foreign"
    return None


def _leader(counter: Counter[str]) -> tuple[str | None, float, bool]:
    """(leading country, its share, tied?) of a country counter."""
    total = sum(counter.values())
    if not total:
        return None, 0.0, False
    ranked = counter.most_common()
    top, n = ranked[0]
    tied = len(ranked) > 1 and ranked[1][1] == n
    return top, n / total, tied


def decide_country(
    *,
    ror_country: str | None = None,
    locations: Counter[str] | None = None,
    types: Mapping[str, int] | None = None,
    inventors: Counter[str] | None = None,
) -> CountryDecision:
    """Decide an organisation's country from its evidence (see the module docstring)."""
    if ror_country:
        return CountryDecision(ror_country, "ror", 1.0)
    flag = type_flag(types or {})
    own = Counter(locations or {})
    if flag == "US":
        own = Counter({"US": own["US"]}) if own["US"] else Counter()
    elif flag == "foreign":
        own.pop("US", None)
    top, share, tied = _leader(own)
    if top is not None:
        if tied:
            return CountryDecision(None, "ambiguous", None,
                                   "assignee locations tie: " + _ties(own))
        return CountryDecision(top, "assignee_location", round(share, 4))
    if flag == "US":
        return CountryDecision("US", "assignee_type", 0.95, "US assignee type")
    pool = Counter(inventors or {})
    if flag == "foreign":
        pool.pop("US", None)
    top, share, tied = _leader(pool)
    if top is None:
        if flag == "foreign":
            return CountryDecision(None, "foreign_unknown", None,
                                   "foreign assignee type, no non-US evidence")
        return CountryDecision(None, None, None)
    if tied:
        return CountryDecision(None, "ambiguous", None, "inventor countries tie: " + _ties(pool))
    if flag == "foreign":
        return CountryDecision(top, "inventors_foreign", round(0.9 * share, 4),
                               "foreign assignee type; majority of non-US inventors")
    return CountryDecision(top, "inventors", round(0.8 * share, 4), "majority of inventors")


def _ties(counter: Counter[str]) -> str:
    ranked = counter.most_common()
    best = ranked[0][1]
    return ", ".join(f"{c} x{n}" for c, n in ranked if n == best)
