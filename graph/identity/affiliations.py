"""Linking raw affiliation strings (as printed on papers) to ROR records.

An affiliation string names zero, one or several organisations among departments, streets,
cities and countries: "Dept. of Physics, Harvard University, Cambridge, MA, USA". The string
is cut at commas and semicolons into segments; every run of one to three consecutive
segments is a candidate name ("University of California, Berkeley" spans two). A candidate
links when the identity engine links it by name: exactly a ROR name, label or alias
(`link_exact`), or a ROR acronym unique in the string's country (`link_acronym`, only with
country evidence). Country evidence is the caller's country, else a country named by the
last segment; it is the affiliation's own location (`strong` evidence for the engine), so a
record of another country is refused. The longest candidate wins where runs
overlap; a segment that is only a country, a US state or a bare number is never a name.

Precision before recall: only exact (normalised) names link; typo-tolerant matching is left
to assignee names, whose strings are short. Scores and reasons come from `link.py`.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from ttkg.core.errors import InputError
from ttkg.graph.identity.countries import country_code
from ttkg.graph.identity.link import Link, link_acronym, link_exact
from ttkg.graph.identity.normalise import normalise
from ttkg.graph.identity.ror_index import RorIndex
from ttkg.graph.identity.settings import IdentitySettings
from ttkg.loaders.records import RorRecord

__all__ = ["AffiliationLink", "AffiliationLinker", "affiliation_linker", "link_csv"]

_SPLIT: Final = re.compile(r"\s*[,;]\s*")
_MAX_RUN: Final = 3
_MAX_WORDS: Final = 8
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

    def clear_cache(self) -> None:
        """Forget the strings already linked (for timing runs)."""
        self._cache.clear()

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
        for i, seg in enumerate(segments):
            if i not in covered:
                found += self._inner_names(seg, i, country)
        out: dict[str, AffiliationLink] = {}
        for _, _, link, candidate in sorted(found, key=lambda f: (-f[2].score, f[0])):
            if link.ror_id not in out:
                out[link.ror_id] = AffiliationLink(
                    link.ror_id, link.score, f"'{candidate}': {link.reason}"
                )
        return tuple(out.values())

    def _inner_names(
        self, segment: str, position: int, country: str | None
    ) -> list[tuple[int, int, Link, str]]:
        """A name ending a segment that is not one ('School of Mathematical Sciences and LPMC
        Nankai University'): the longest run of the last 2..8 words that is exactly a ROR name
        of the string's country (country evidence required). Only the end: a name at the
        start is usually part of a longer one ('Aarhus University Hospital',
        'University of California at Davis')."""
        words = segment.split()
        if country is None or len(words) < 3:
            return []
        for size in range(min(_MAX_WORDS, len(words) - 1), 1, -1):
            candidate = " ".join(words[-size:])
            normalised = normalise(candidate)
            if normalised.count(" ") < 1:
                continue
            link = link_exact(normalised, country, False, self.index, [], strong=True)
            if link is not None:
                scored = Link(link.ror_id, round(link.score - 0.05, 3), link.reason)
                return [(position, position + 1, scored, candidate)]
        return []

    def _link_candidate(
        self, candidate: str, parts: Sequence[str], country: str | None
    ) -> Link | None:
        if any(_not_a_name(p) for p in parts):
            return None
        normalised = normalise(candidate)
        if not normalised:
            return None
        notes: list[str] = []
        link = link_exact(normalised, country, False, self.index, notes, strong=True)
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


def link_csv(source: Path, target: Path, linker: AffiliationLinker) -> tuple[int, int]:
    """`ttkg identity link`: read `id,affiliation[,country]` rows, write
    `id,ror_ids,score,reason` (ror_ids space-separated, empty when nothing is linked; score the
    weakest link's; reasons joined by ' | '). Returns (rows, rows with a link). A missing
    column is an InputError naming the file."""
    rows = linked = 0
    with (
        source.open(newline="", encoding="utf-8-sig") as fh,
        target.open("w", newline="", encoding="utf-8") as out,
    ):
        reader = csv.DictReader(fh)
        header = [h.strip().lower() for h in reader.fieldnames or []]
        for needed in ("id", "affiliation"):
            if needed not in header:
                raise InputError(source.name, f"missing column {needed!r}", field=needed)
        reader.fieldnames = header
        writer = csv.writer(out)
        writer.writerow(["id", "ror_ids", "score", "reason"])
        for row in reader:
            rows += 1
            text = (row.get("affiliation") or "").strip()
            country = country_code(row["country"]) if row.get("country") else None
            links = linker(text, country) if text else ()
            if links:
                linked += 1
            writer.writerow(
                [
                    row.get("id") or "",
                    " ".join(link.ror_id for link in links),
                    f"{min(link.score for link in links):.3f}" if links else "",
                    " | ".join(link.reason for link in links),
                ]
            )
    return rows, linked
