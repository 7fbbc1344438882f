"""Shared inventors as family evidence: a renamed company, or a subsidiary named after its
group, whose patents name the same rare inventors as another company of its name.

Names alone cannot tell a renamed company from another firm that bears its word ('Olympus
Optical' became 'Olympus Corporation'; 'Sumitomo Heavy Industries' is no Sumitomo Metal
company), and inventors alone cannot tell a rename from an acquisition, a joint programme or
an engineer who changed employers. Together they can: two companies join one family when

* both names carry a rare word that leads at least one of them, the group's coined name (at
  most `RARE_WORD` of company names carry it; no ordinary word and no place: countries,
  provinces and the cities of the data's own locations in the companies' country, 'Wuhan
  Tianma' and 'Wuhan China Star' share only their city);
* their patents name at least `SHARED_MIN` inventors in common whose names are rare (an
  inventor name found on the patents of at most `INVENTOR_CLUSTERS` organisations: 'Wei Li'
  is no evidence), each on a patent of one that the other does not hold (co-owned patents
  show partners, not one group: rule 7 of `families` reads them);
* they stand in one country and on one side of the assignee-type flag, and neither name
  carries another ROR company's word (a joint venture: 'LG.Philips LCD');
* the smaller family's head is the organisation that shares them, and the larger
  organisation heads its family or its head's name carries the word (a company sold and
  renamed, 'Koki Holdings' after 'Hitachi Koki', is no Hitachi company).

The smaller family (by patent rows) goes under the head of the larger one's, with a reason
naming the evidence: "shares 15 of its 26 inventors with 'Incyte Corporation' ...; its
patents 2001-2003, theirs 2003-2021".
"""

from __future__ import annotations

import logging
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from ttkg.core.arrays import distinct
from ttkg.core.model import OrgKind, org_id
from ttkg.graph.identity.countries import is_place
from ttkg.graph.identity.entities import Membership, OrgCluster, Resolution
from ttkg.graph.identity.normalise import normalise
from ttkg.graph.identity.patterns import clean_name

__all__ = ["INVENTOR_CLUSTERS", "SHARED_MIN", "InventorLinks", "inventor_codes", "inventor_key",
           "inventor_links", "inventor_links_of_rows", "join_by_inventors", "place_words"]

logger = logging.getLogger(__name__)

#: An inventor name is evidence only when the patents of at most this many organisations carry
#: it (a person who moved once or twice; common names are on many).
INVENTOR_CLUSTERS: Final = 3
#: Rare inventor names two companies must share (leave-one-dev-set-out chose 2 or 3; 3 is the
#: surer: 'several shared inventors').
SHARED_MIN: Final = 3
#: A word names a group when at most this share of the company names carry it (as rule 7).
RARE_WORD: Final = 0.005
SCORE: Final = 0.8
#: Inventor rows counted at once (in parts by person code beyond it): bounds the temporaries.
_PART_ROWS = 4_000_000


def inventor_key(first: str | None, last: str | None) -> str | None:
    """An inventor's name as a key: letters only, casefolded, accents dropped, last name
    first ('Seung-June Yi' and 'Seungjune Yi' are one; 'William I. Wood' and 'William Wood'
    are not: the sure side). None without both parts."""
    surname, given = _letters(last), _letters(first)
    return f"{surname}|{given}" if surname and given else None


def _letters(raw: str | None) -> str:
    """The letters of a name, casefolded, accents dropped."""
    text = unicodedata.normalize("NFKD", raw or "").casefold()
    return "".join(ch for ch in text if ch.isalpha())


def inventor_codes(first: npt.NDArray[np.integer[Any]], first_values: Sequence[str],
                   last: npt.NDArray[np.integer[Any]], last_values: Sequence[str],
                   ) -> npt.NDArray[np.int64]:
    """`inventor_key` as integer codes for columns of coded names (row i: `first_values[
    first[i]]`, -1 for none): rows of one key get one code, rows without a key -1. Each
    distinct value is normalised once."""
    def ids(values: Sequence[str]) -> tuple[npt.NDArray[np.int64], int]:
        seen: dict[str, int] = {}
        out = np.full(len(values) + 1, -1, np.int64)  # the last: code -1
        for i, v in enumerate(values):
            part = _letters(v)
            if part:
                out[i] = seen.setdefault(part, len(seen))
        return out, max(len(seen), 1)

    first_ids, width = ids(first_values)
    last_ids, _ = ids(last_values)
    f, la = first_ids[first], last_ids[last]
    return np.where((f >= 0) & (la >= 0), la * width + f, -1)


def place_words(cities: Iterable[tuple[str | None, str | None]],
                ) -> dict[str, frozenset[str]]:
    """Country -> the one-word city names of the data's locations in it (normalised), from
    (city, country) pairs: 'Wuhan' in China; 'Star' and 'Golden' are US towns, no place in a
    Chinese company's name."""
    out: dict[str, set[str]] = defaultdict(set)
    for city, country in cities:
        words = normalise(city or "").split()
        if country and len(words) == 1 and words[0].isalpha():
            out[country].add(words[0])
    return {c: frozenset(w) for c, w in out.items()}


@dataclass(frozen=True)
class InventorLinks:
    """What the patents say about pairs of organisations: `shared[(a, b)]` (cluster keys,
    a < b) counts the rare inventor names both hold on patents the other does not;
    `inventors` each cluster's distinct inventor names, `years` its first and last grant
    year, `places` the words naming the data's cities by country."""

    shared: Mapping[tuple[str, str], int]
    inventors: Mapping[str, int]
    years: Mapping[str, tuple[int, int]]
    places: Mapping[str, frozenset[str]] = field(default_factory=dict)


def inventor_links(resolution: Resolution, holders: Iterable[tuple[str, str]],
                   inventors: Iterable[tuple[str, str]], years: Mapping[str, int],
                   places: Mapping[str, frozenset[str]] | None = None) -> InventorLinks:
    """`InventorLinks` from (patent id, assignee name) and (patent id, `inventor_key`) pairs
    and each patent's grant year. Organisation clusters only; a name carried by more than
    `INVENTOR_CLUSTERS` organisations is dropped before any pair is made, so the pairs are
    at most three per inventor name."""
    organisations = {k for k, c in resolution.clusters.items()
                     if c.kind is not OrgKind.INDIVIDUAL}
    held: dict[str, set[str]] = defaultdict(set)
    for patent, name in holders:
        key = resolution.cluster_of.get(name)
        if key in organisations:
            held[patent].add(key)
    on: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for patent, person in inventors:
        for key in held.get(patent, ()):
            on[person][key].add(patent)
    span: dict[str, list[int]] = {}
    for patent, keys in held.items():
        year = years.get(patent)
        if year is None:
            continue
        for key in keys:
            first_last = span.setdefault(key, [year, year])
            first_last[0], first_last[1] = min(first_last[0], year), max(first_last[1], year)
    distinct: Counter[str] = Counter()
    shared: Counter[tuple[str, str]] = Counter()
    for patents_of in on.values():
        distinct.update(patents_of.keys())
        if not 2 <= len(patents_of) <= INVENTOR_CLUSTERS:
            continue
        for a, b in combinations(sorted(patents_of), 2):
            # on a patent of each that the other does not hold: not a joint programme
            if patents_of[a] - patents_of[b] and patents_of[b] - patents_of[a] \
                    and any(b not in held[p] for p in patents_of[a]) \
                    and any(a not in held[p] for p in patents_of[b]):
                shared[(a, b)] += 1
    return InventorLinks(dict(shared), dict(distinct),
                         {k: (v[0], v[1]) for k, v in span.items()}, dict(places or {}))


def inventor_links_of_rows(patent: npt.NDArray[np.int64], cluster: npt.NDArray[np.int64],
                           keys: Sequence[str], inventor_patent: npt.NDArray[np.integer[Any]],
                           inventor: npt.NDArray[np.int64], year: npt.NDArray[np.int64],
                           places: Mapping[str, frozenset[str]] | None = None,
                           ) -> InventorLinks:
    """`inventor_links` from arrays, as the build holds its rows: assignee row i names the
    cluster `keys[cluster[i]]` (-1: a person or no cluster) on patent `patent[i]`; inventor
    row j names the person `inventor[j]` (a code of `inventor_key`; -1: none) on patent
    `inventor_patent[j]`; `year[p]` is patent p's grant year (-1: unknown). The same answer,
    counted with numpy (sorts and joins of integer codes, no row loop)."""
    n = max(len(keys), 1)
    ok = cluster >= 0
    held = distinct(patent[ok].astype(np.int64) * n + cluster[ok])  # by patent, then cluster
    hp, hc = held // n, held % n
    years: dict[str, tuple[int, int]] = {}
    if len(hp):
        y = year[hp]
        dated = y >= 0
        first = np.full(n, np.iinfo(np.int64).max)
        last = np.full(n, -1, np.int64)
        np.minimum.at(first, hc[dated], y[dated])
        np.maximum.at(last, hc[dated], y[dated])
        years = {keys[c]: (int(first[c]), int(last[c]))
                 for c in np.flatnonzero(last >= 0).tolist()}
    named = inventor >= 0
    all_patents, all_people = inventor_patent[named], inventor[named]
    # a person's rows are counted together and apart from everyone else's: so the rows are
    # taken in parts by person code, and the temporaries (several per inventor row and per
    # person's other clusters) are those of one part (9.1M patents: ~36M inventor rows)
    parts = max(1, -(-len(all_people) // _PART_ROWS))
    distinct_inventors = np.zeros(n, np.int64)
    shared: Counter[tuple[str, str]] = Counter()
    for part in range(parts):
        take = all_people % parts == part if parts > 1 else slice(None)
        ip = all_patents[take].astype(np.int64)
        person = all_people[take].astype(np.int64)
        pair, inventors_here = _shared_pairs(held, hp, hc, n, ip, person)
        distinct_inventors += inventors_here
        codes, counts = np.unique(pair, return_counts=True)
        for c, k in zip(codes.tolist(), counts.tolist(), strict=True):
            a, b = keys[c // n], keys[c % n]
            shared[(a, b) if a < b else (b, a)] += k
    return InventorLinks(dict(shared), {keys[c]: int(distinct_inventors[c])
                                  for c in np.flatnonzero(distinct_inventors).tolist()},
                         years, dict(places or {}))


def _shared_pairs(held: npt.NDArray[np.int64], hp: npt.NDArray[np.int64],
                  hc: npt.NDArray[np.int64], n: int, ip: npt.NDArray[np.int64],
                  person: npt.NDArray[np.int64]
                  ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """For the inventor rows of some people (each person's rows all here): one code a * n + b
    (a < b) per person shared by clusters a and b as `inventor_links_of_rows` counts them,
    and each cluster's distinct inventors among these people."""
    lo = np.searchsorted(hp, ip, "left")
    sizes = np.searchsorted(hp, ip, "right") - lo
    at = np.repeat(lo, sizes) + _ramp(sizes)
    t_person, t_cluster, t_patent = np.repeat(person, sizes), hc[at], hp[at]
    del lo, sizes, at
    # people by code: persons may be any int64 codes, so number them 0..m-1 first
    people, t_person = np.unique(t_person, return_inverse=True)
    m = max(len(people), 1)
    carried = distinct(t_person * n + t_cluster)  # (person, cluster), by person
    c_person, c_cluster = carried // n, carried % n
    distinct_inventors = np.bincount(c_cluster, minlength=n)
    df = np.bincount(c_person, minlength=m)
    kept = (df[t_person] >= 2) & (df[t_person] <= INVENTOR_CLUSTERS)
    t_person, t_cluster, t_patent = t_person[kept], t_cluster[kept], t_patent[kept]
    # each row (person, a, patent) beside every other cluster b of the person: does b hold it?
    c_start = np.searchsorted(c_person, np.arange(m))
    width = df[t_person]
    row = np.repeat(np.arange(len(t_person)), width)
    other = c_cluster[np.repeat(c_start[t_person], width) + _ramp(width)]
    mine = other != t_cluster[row]
    row, other = row[mine], other[mine]
    code = t_patent[row] * n + other
    spot = np.searchsorted(held, code)
    spot[spot >= len(held)] = 0
    elsewhere = held[spot] != code  # the patent of a is not b's
    directed = distinct((t_person[row[elsewhere]] * n + t_cluster[row[elsewhere]]) * n
                        + other[elsewhere])  # (person, a, b): a holds one without b
    d_person, d_a, d_b = directed // (n * n), (directed // n) % n, directed % n
    forward = d_a < d_b
    back = distinct((d_person[~forward] * n + d_b[~forward]) * n + d_a[~forward])
    both = np.isin((d_person[forward] * n + d_a[forward]) * n + d_b[forward], back)
    pair: npt.NDArray[np.int64] = d_a[forward][both] * n + d_b[forward][both]
    return pair, distinct_inventors


def _ramp(sizes: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """0..m-1 for every m of `sizes`, one after the other."""
    ends = np.cumsum(sizes)
    return np.arange(int(ends[-1]) if len(ends) else 0) - np.repeat(ends - sizes, sizes)


def join_by_inventors(clusters: Mapping[str, OrgCluster], memberships: Mapping[str, Membership],
                      links: InventorLinks, country: Mapping[str, str],
                      flags: Mapping[str, str], ror_company: Callable[[str], bool],
                      generic: frozenset[str]) -> dict[str, Membership]:
    """The memberships after joining the families that shared inventors and a leading rare
    word say are one group (see the module docstring); the others unchanged."""
    companies = {k: c for k, c in clusters.items() if c.kind is OrgKind.COMPANY}
    words = {k: tuple(normalise(clean_name(c.display_name)).split()) for k, c in companies.items()}
    frequency: Counter[str] = Counter()
    for w in words.values():
        frequency.update(set(w))
    rare_limit = max(2.0, RARE_WORD * len(companies))

    def place(word: str, where: str) -> bool:
        return word in links.places.get(where, ()) or is_place((word,))

    def rare(word: str, where: str) -> bool:
        return (len(word) >= 2 and word.isalpha() and word not in generic
                and not place(word, where) and frequency[word] <= rare_limit)

    def lead(k: str, where: str) -> str | None:
        rest = [x for x in words[k] if not place(x, where)]
        return rest[0] if rest else None

    family = {k: (m.family_id if (m := memberships.get(k)) else org_id(c.key, c.ror_id))
              for k, c in clusters.items()}
    head_of = {org_id(c.key, c.ror_id): k for k, c in clusters.items()}
    rows: Counter[str] = Counter()
    for k, c in clusters.items():
        rows[family[k]] += c.count

    def heads(k: str) -> bool:
        return family[k] == org_id(clusters[k].key, clusters[k].ror_id)

    found: list[tuple[int, str, str, str, bool]] = []
    for (a, b), n in links.shared.items():
        if n < SHARED_MIN or a not in companies or b not in companies or family[a] == family[b]:
            continue
        where = country.get(a)
        if not where or where != country.get(b) \
                or flags.get(a) is None or flags.get(a) != flags.get(b):
            continue
        common = {x for x in set(words[a]) & set(words[b]) if rare(x, where)}
        led = common & {lead(a, where), lead(b, where)}
        if not led or any(ror_company(x) for x in (set(words[a]) | set(words[b])) - common):
            continue
        small, large = sorted((a, b), key=lambda k: (rows[family[k]], family[k]))
        if not heads(small):
            continue
        top = head_of.get(family[large])
        if not heads(large) and (top is None or not led & set(
                normalise(clean_name(clusters[top].display_name)).split())):
            continue
        word = min(led)
        found.append((n, small, large, word, lead(a, where) == lead(b, where) == word))
    parent: dict[str, str] = {}
    reason: dict[str, str] = {}

    def root(f: str) -> str:
        while f in parent:
            f = parent[f]
        return f

    for n, small, large, word, both in sorted(found, key=lambda t: (-t[0], t[1], t[2])):
        moving, target = family[small], root(family[large])
        if moving in parent or root(moving) == target:
            continue
        parent[moving] = target
        reason[moving] = _reason(n, small, large, (word, both), clusters, links, flags)
    out = dict(memberships)
    for k in clusters:
        before = family[k]
        after = root(before)
        if after == before:
            continue
        if heads(k):
            out[k] = Membership(after, SCORE, reason[before])
        else:
            m = memberships[k]
            out[k] = Membership(after, round(m.score * SCORE, 3),
                                f"{m.reason}; whose family joins {after} ({reason[before]})")
    if parent:
        logger.debug("shared inventors: %d families joined", len(parent))
    return out


def _reason(n: int, small: str, large: str, word: tuple[str, bool],
            clusters: Mapping[str, OrgCluster], links: InventorLinks,
            flags: Mapping[str, str]) -> str:
    """Why: the inventors, the word, the flag and both organisations' years."""
    mine, theirs = links.years.get(small), links.years.get(large)
    when = (f"; its patents {mine[0]}-{mine[1]}, theirs {theirs[0]}-{theirs[1]}"
            if mine and theirs else "")
    return (f"shares {n} of its {links.inventors.get(small, n)} inventors with "
            f"{clusters[large].display_name!r} (rare names, on patents the other does not "
            f"hold); both names carry the rare word {word[0]!r}, leading "
            f"{'both' if word[1] else 'one of them'}; one country, both {flags[small]} "
            f"companies{when}")
