"""Linking raw affiliation strings (as printed on papers) to ROR records.

An affiliation string names zero, one or several organisations among departments, streets,
cities and countries: "Dept. of Physics, Harvard University, Cambridge, MA, USA". The string
is cut at commas and semicolons into segments; every run of one to three consecutive
segments is a candidate name ("University of California, Berkeley" spans two). A candidate
links when the identity engine links it by name: exactly a ROR name, label or alias
(`link_exact`), or a ROR acronym unique in the string's country (`link_acronym`, only with
country evidence). Country evidence is the caller's country, else a country named by the
last segment; a record of another country is refused. The longest candidate wins where runs
overlap; a segment that is only a country, a US state or a bare number is never a name.

Precision before recall: only exact (normalised) names link; typo-tolerant matching is left
to assignee names, whose strings are short. Scores and reasons come from `link.py`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from ttkg.graph.identity.countries import country_code
from ttkg.graph.identity.link import Link, link_acronym, link_exact
from ttkg.graph.identity.normalise import normalise
from ttkg.graph.identity.ror_index import RorIndex
from ttkg.graph.identity.settings import IdentitySettings
from ttkg.loaders.records import RorRecord

__all__ = ["AffiliationLink", "AffiliationLinker", "affiliation_linker"]

_SPLIT: Final = re.compile(r"\s*[,;]\s*")
_MAX_RUN: Final = 3
_NUMBERISH: Final = re.compile(r"^[\d\s\-#.()/]+$")
#: US states and their postal codes: a segment of an address, never an organisation.
_US_POSTAL: Final = (
    "al ak az ar ca co ct de fl ga hi id il in ia ks ky la me md ma mi mn ms mo mt ne nv nh nj "
    "nm ny nc nd oh ok or pa ri sc sd tn tx ut vt va wa wv wi wy dc"
)
_US_STATES: Final = frozenset(_US_POSTAL.split(" ")) | frozenset(
    {
        "alabama", "alaska", "arizona", "arkansas", "california", "colorado", "connecticut",
        "delaware", "florida", "georgia", "hawaii", "idaho", "illinois", "indiana", "iowa",
        "kansas", "kentucky", "louisiana", "maine", "maryland", "massachusetts", "michigan",
        "minnesota", "mississippi", "missouri", "montana", "nebraska", "nevada",
        "new hampshire", "new jersey", "new mexico", "new york", "north carolina",
        "north dakota", "ohio", "oklahoma", "oregon", "pennsylvania", "rhode island",
        "south carolina", "south dakota", "tennessee", "texas", "utah", "vermont", "virginia",
        "washington", "west virginia", "wisconsin", "wyoming",
    }
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class AffiliationLink:
    """A ROR record a raw affiliation string names, with the engine's score and reason."""

    ror_id: str
    score: float
    reason: str


class AffiliationLinker:
    """Links raw affiliation strings to ROR records with a `RorIndex`; call it with
    (string, country evidence or None)."""

    def __init__(self, index: RorIndex, settings: IdentitySettings | None = None) -> None:
        self.index = index
        self.settings = settings or IdentitySettings()
        self._cache: dict[tuple[str, str | None], tuple[AffiliationLink, ...]] = {}

    def __call__(self, text: str, country: str | None = None) -> tuple[AffiliationLink, ...]:
        key = (text, country)
        hit = self._cache.get(key)
        if hit is None:
            hit = self._cache[key] = self.link(text, country)
        return hit

    def link(self, text: str, country: str | None = None) -> tuple[AffiliationLink, ...]:
        """The ROR records `text` names (best first, each once)."""
        segments = [s.strip(" .()[]") for s in _SPLIT.split(text) if s.strip(" .()[]")]
        if not segments:
            return ()
        if country is None:
            country = _country_of(segments[-1])
        found: list[tuple[int, int, Link, str]] = []  # (start, end, link, candidate)
        covered: set[int] = set()
        for size in range(min(_MAX_RUN, len(segments)), 0, -1):
            for start in range(len(segments) - size + 1):
                span = range(start, start + size)
                if covered.intersection(span):
                    continue
                candidate = ", ".join(segments[start : start + size])
                link = self._link_candidate(candidate, segments[start : start + size], country)
                if link is not None:
                    found.append((start, start + size, link, candidate))
                    covered.update(span)
        out: dict[str, AffiliationLink] = {}
        for _, _, link, candidate in sorted(found, key=lambda f: (-f[2].score, f[0])):
            if link.ror_id not in out:
                out[link.ror_id] = AffiliationLink(
                    link.ror_id, link.score, f"'{candidate}': {link.reason}"
                )
        return tuple(out.values())

    def _link_candidate(
        self, candidate: str, parts: Sequence[str], country: str | None
    ) -> Link | None:
        if any(_not_a_name(p) for p in parts):
            return None
        normalised = normalise(candidate)
        if not normalised:
            return None
        notes: list[str] = []
        link = link_exact(normalised, country, False, self.index, notes)
        acronym = len(parts) == 1 and parts[0].isupper() and 2 <= len(parts[0]) <= 8
        if link is None and self.settings.use_acronyms and acronym:
            link = link_acronym(normalised, country, self.index, notes)
        return link


def _not_a_name(segment: str) -> bool:
    low = segment.lower().strip()
    return (
        not low
        or bool(_NUMBERISH.match(low))
        or low in _US_STATES
        or country_code(segment) is not None
    )


def _country_of(segment: str) -> str | None:
    """Country named by the last segment ('USA', 'P.R. China', 'Japan 113-8656')."""
    code = country_code(segment)
    if code is not None:
        return code
    if len(segment) > 2 and segment.lower() in _US_STATES:
        return "US"
    words = re.sub(r"[\d\-]+", " ", segment).split()
    return country_code(" ".join(words)) if words else None


def affiliation_linker(
    records: Iterable[RorRecord] | RorIndex, settings: IdentitySettings | None = None
) -> AffiliationLinker:
    """A linker over ROR records (or an index already built)."""
    index = records if isinstance(records, RorIndex) else RorIndex(records)
    return AffiliationLinker(index, settings)
