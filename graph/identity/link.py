"""Linking an organisation to a ROR record: exact names, acronyms, then typo-tolerant names.

Evidence about where the organisation stands works in three strengths. The PatentsView
assignee-type flag is a hard constraint: a foreign-type assignee never links to a US record,
a US-type one never to a record outside the US. The assignee's own location (`strong`)
decides between records of the same name and vetoes a record of another country. The
inventors' majority country (weak) chooses between records of the same name but does not
block an exact, label or alias match of a non-company record (CEA is French even with two
inventors in Beirut; a US-type New Jersey Institute of Technology is the US record whatever its
inventors), unless it is overwhelming and the type flag does not confirm the record: at least
`OVERWHELMING_ROWS` located patents, none in the record's country (a Korean 'Information and
Communications University' on two Korean patents is not ICU Zambia). Company records stay
vetoed by it: ROR files country subsidiaries under the parent's name. A name with a company
legal form never links to a non-company record. Every link
carries a score and a short reason; candidates that were considered and refused become notes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from rapidfuzz import fuzz

from ttkg.graph.identity.countries import same_country, same_country_key
from ttkg.graph.identity.loose import compact, loose_tokens
from ttkg.graph.identity.ror_index import NameHit, RorIndex, typo_keys
from ttkg.graph.identity.settings import IdentitySettings
from ttkg.graph.identity.similarity import typo_level

__all__ = ["FORM_COUNTRIES", "Link", "flag_allows", "link_acronym", "link_exact", "link_fuzzy"]

_NON_COMPANY_TYPES = frozenset({"education", "government", "facility", "healthcare", "archive"})
_VIA_SCORE = {"name": 1.0, "label": 0.99, "alias": 0.97, "system": 0.95}


@dataclass(frozen=True, slots=True)
class Link:
    """A decided link to a ROR record."""

    ror_id: str
    score: float
    reason: str


def _successor_note(index: RorIndex, via_record: str, ror_id: str) -> str:
    if via_record == ror_id:
        return ""
    return f"; {via_record} is {index.records[via_record].status}, successor {ror_id}"


def _company_clash(index: RorIndex, ror_id: str, company_form: bool) -> bool:
    types = set(index.types(ror_id))
    return company_form and "company" not in types and bool(types & _NON_COMPANY_TYPES)


def flag_allows(record_country: str | None, flag: str | None) -> bool:
    """The assignee-type flag ('US', 'foreign' or None) allows a record of this country."""
    if flag is None or record_country is None:
        return True
    return (record_country == "US") == (flag == "US")


#: Inventor evidence refuses a non-company record of another country only when at least
#: this many located patents agree and none is in the record's country.
OVERWHELMING_ROWS = 2


def _overwhelming(evidence: Counter[str] | None, countries: Sequence[str | None]) -> bool:
    if not evidence or sum(evidence.values()) < OVERWHELMING_ROWS:
        return False
    return not any(same_country(c, rc) for c in evidence for rc in countries)


#: Countries where the legal forms of one European jurisdiction are at home (groups.py's
#: `jurisdiction`; not the French forms: 'S.A.' is as much Spanish, Polish or Brazilian).
FORM_COUNTRIES: Final[dict[str, frozenset[str]]] = {
    "de": frozenset({"DE", "AT", "CH"}), "nl": frozenset({"NL", "BE"}),
    "it": frozenset({"IT"}), "nordic": frozenset({"SE", "FI", "NO", "DK", "IS"}),
}


def _choose(
    hits: Sequence[NameHit],
    country: str | None,
    company_form: bool,
    index: RorIndex,
    notes: list[str],
    label: str,
    *,
    flag: str | None = None,
    strong: bool = False,
    evidence: Counter[str] | None = None,
    home: frozenset[str] = frozenset(),
) -> tuple[NameHit | None, str]:
    """Pick one hit using country evidence; (hit, how) or (None, '') with notes explaining.
    `home`: the countries the name's legal form is at home in (`FORM_COUNTRIES`)."""
    usable = [h for h in hits if not _company_clash(index, h.ror_id, company_form)]
    if len(usable) < len(hits):
        notes.append(f"{label}: a company name is not the non-company ROR record(s) "
                     + ", ".join(h.ror_id for h in hits if h not in usable))
    allowed = [h for h in usable if flag_allows(index.country(h.ror_id), flag)]
    if len(allowed) < len(usable):
        notes.append(f"{label}: the {flag} assignee type rules out ROR record(s) of another "
                     "country: "
                     + ", ".join(f"{h.ror_id} ({index.country(h.ror_id)})"
                                 for h in usable if h not in allowed))
    usable = allowed
    if not usable:
        return None, ""
    at_home = [h for h in usable if index.country(h.ror_id) in home]
    if at_home and not strong and country not in home:
        # the legal form says where the legal person is ('Siemens AG', 'Siemens Healthcare
        # GmbH': Germany); the inventors say where its research is (China)
        usable, country, evidence = at_home, None, None
        if len(at_home) == 1:
            return at_home[0], (f"its legal form is at home in "
                                f"{index.country(at_home[0].ror_id)}; inventors not asked")
    disagree = ""
    if country and not strong and not flag_allows(country, flag):
        notes.append(f"{label}: inventor country {country} contradicts the {flag} assignee "
                     "type; not used")
        country = None
    if country:
        same = [h for h in usable if same_country(index.country(h.ror_id), country)]
        other = [h for h in usable if h not in same]
        if not same and strong:
            notes.append(f"{label}: ROR record(s) of another country than the assignee's "
                         f"location {country}: "
                         + ", ".join(f"{h.ror_id} ({index.country(h.ror_id)})" for h in other))
            return None, ""
        companies = [h for h in other if "company" in index.types(h.ror_id)]
        if not same and companies:
            # ROR files companies' country subsidiaries under the parent's name ('Eisai
            # Limited (Canada)', 'Halla Visteon Climate Control (Czechia)'): the inventors
            # still choose among a company's countries
            notes.append(f"{label}: company ROR record(s) of another country than the "
                         f"inventors' {country}: "
                         + ", ".join(f"{h.ror_id} ({index.country(h.ror_id)})"
                                     for h in companies))
            usable = [h for h in usable if h not in companies]
            other = [h for h in other if h not in companies]
        confirmed = flag == "US" and all(index.country(h.ror_id) == "US" for h in other)
        if not same and other and not confirmed and _overwhelming(
            evidence, [index.country(h.ror_id) for h in other]
        ):
            notes.append(f"{label}: every one of {sum((evidence or Counter()).values())} "
                         f"inventor locations is outside the country of "
                         + ", ".join(f"{h.ror_id} ({index.country(h.ror_id)})" for h in other))
            return None, ""
        if not same and not usable:
            return None, ""
        if not same:
            disagree = (f"inventor country {country} disagrees with "
                        + ", ".join(sorted({str(index.country(h.ror_id)) for h in other}))
                        + "; inventors never block an exact name")
            notes.append(f"{label}: {disagree}")
            country = None
        else:
            usable = same
    if len(usable) > 1:
        best_via = min(usable, key=lambda h: _VIA_ORDER(h))
        top = [h for h in usable if _VIA_ORDER(h) == _VIA_ORDER(best_via)]
        if len(top) > 1:
            head = _common_parent(top, index)
            if head is not None:
                return head, (f"{len(top)} records share the name, one group: "
                              f"{head.ror_id} is the parent of the others")
            notes.append(f"{label}: ambiguous, {len(top)} ROR records "
                         + ", ".join(h.ror_id for h in top) + ": not linked")
            return None, ""
        return best_via, f"{len(usable)} records share the name, its {best_via.via} decides"
    how = f"country {country} agrees" if country else (disagree or "no country evidence")
    if country and len(hits) > 1:
        how = f"country {country} picks 1 of {len(hits)}"
    elif flag and len(hits) > 1 and len(usable) == 1:
        how = f"the {flag} assignee type picks 1 of {len(hits)}"
    return usable[0], how


def _ancestors(ror_id: str, index: RorIndex) -> set[str]:
    """The records above `ror_id` by ROR parent relations (cycles cut)."""
    seen: set[str] = set()
    todo = [ror_id]
    while todo:
        for up in _parents(index, todo.pop()) - seen:
            seen.add(up)
            todo.append(up)
    return seen


def _common_parent(hits: Sequence[NameHit], index: RorIndex) -> NameHit | None:
    """The hit whose record is an ancestor of every other hit's record, if one is: records
    sharing a name within one ROR family ('Novartis (Switzerland)' and its Israeli, Italian
    and Singaporean companies, all 'Novartis') are the group, and the group's bare name names
    its parent."""
    above = {h.ror_id: _ancestors(h.ror_id, index) for h in hits}
    return next((h for h in hits
                 if all(h.ror_id in up for other, up in above.items() if other != h.ror_id)),
                None)


def _VIA_ORDER(hit: NameHit) -> int:
    return {"name": 0, "label": 1, "alias": 2, "system": 3}[hit.via]


def link_exact(
    normalised: str,
    country: str | None,
    company_form: bool,
    index: RorIndex,
    notes: list[str],
    *,
    flag: str | None = None,
    strong: bool = False,
    evidence: Counter[str] | None = None,
    home: frozenset[str] = frozenset(),
) -> Link | None:
    """Link by exact normalised name (display name, label, alias; 'X System' as 'X').

    `country` is the assignee's own location when `strong`, else the inventors' majority
    (`evidence`: inventor country -> located patents); `flag` the assignee-type flag; `home`
    the countries of the name's legal form (a record there is taken over the inventors')."""
    hits = index.hits(normalised)
    parent = ""
    if not hits:
        hits, parent = _unit_hits(normalised, index)
        if not hits:
            return None
    hit, how = _choose(hits, country, company_form, index, notes, f"'{normalised}'",
                       flag=flag, strong=strong, evidence=evidence, home=home)
    if hit is None:
        return None
    agrees = bool(country) and same_country(index.country(hit.ror_id), country)
    score = _VIA_SCORE[hit.via] - (0.0 if agrees else 0.03)
    reason = f"name equals ROR {hit.via} '{hit.matched}'" + (
        f" beside its ROR parent's name '{parent}'" if parent else "") + f" ({how})"
    reason += _successor_note(index, hit.via_record, hit.ror_id)
    return Link(hit.ror_id, round(score, 3), reason)


_JOINERS = frozenset({"of", "at", "the", "in"})


def _unit_hits(normalised: str, index: RorIndex) -> tuple[list[NameHit], str]:
    """A unit's ROR name followed by its ROR parent's whole name ('Graduate School at
    Shenzhen, Tsinghua University': an alias of the Tsinghua Shenzhen International Graduate
    School, whose parent is Tsinghua University), or preceded by it ('Atomic Energy Council -
    Institute of Nuclear Energy Research'): that one record, and the parent's name.
    Not through a successor record: a unit merged into another under a new name is not
    what the string names (the Wuhan Institute of Physics and Mathematics, now part of the
    Innovation Academy for Precision Measurement)."""
    words = normalised.split()
    for i in range(2, len(words) - 1):
        units = [h for h in index.hits(" ".join(words[:i])) if h.via_record == h.ror_id]
        if not units:
            continue
        j = i
        while j < len(words) - 1 and words[j] in _JOINERS:
            j += 1
        parents = {h.ror_id: h.matched for h in _plural_hits(" ".join(words[j:]), index)}
        found = [(h, parents[p]) for h in units for p in _parents(index, h.ror_id)
                 if p in parents]
        if len(found) == 1:
            return [found[0][0]], found[0][1]
    for i in range(2, len(words) - 1):  # the parent first: 'Atomic Energy Council - Institute
        # of Nuclear Energy Research'
        parents = {h.ror_id: h.matched for h in index.hits(" ".join(words[:i]))}
        if not parents:
            continue
        found = [(h, parents[p]) for h in index.hits(" ".join(words[i:]))
                 if h.via_record == h.ror_id for p in _parents(index, h.ror_id) if p in parents]
        if len(found) == 1:
            return [found[0][0]], found[0][1]
    return [], ""


def _plural_hits(name: str, index: RorIndex) -> list[NameHit]:
    """Records under a name, or under it with its last word in the plural or the singular
    (a parent written 'Chinese Academy of Science' is ROR's Chinese Academy of Sciences)."""
    hits = index.hits(name)
    if hits or len(name) < 4:
        return hits
    return index.hits(name[:-1] if name.endswith("s") else name + "s")


def _parents(index: RorIndex, ror_id: str) -> set[str]:
    rec = index.records.get(ror_id)
    return {index.canonical(r.ror_id) or r.ror_id
            for r in (rec.relationships if rec else ()) if r.type == "parent"}


def link_acronym(
    normalised: str,
    country: str | None,
    index: RorIndex,
    notes: list[str],
    company_form: bool = False,
    flag: str | None = None,
) -> Link | None:
    """Link a one-word name by a ROR acronym: only when unique and the country matches."""
    if " " in normalised or not country or len(normalised) < 2:
        return None
    ids = {i for i in index.acronym_hits(normalised)
           if not _company_clash(index, i, company_form)
           and flag_allows(index.country(i), flag)}
    if len(ids) == 1:
        (ror_id,) = ids
        if index.country(ror_id) == country:
            return Link(ror_id, 0.9, f"unique ROR acronym '{normalised.upper()}' of "
                        f"'{index.name(ror_id)}', same country {country}")
        notes.append(f"acronym '{normalised.upper()}' is {ror_id} of another country")
    elif len(ids) > 1:
        same = [i for i in ids if same_country(index.country(i), country)]
        if len(same) == 1:
            return Link(same[0], 0.88, f"ROR acronym '{normalised.upper()}' of "
                        f"'{index.name(same[0])}', the only one in {country}")
        notes.append(f"acronym '{normalised.upper()}' is ambiguous in ROR ({len(ids)})")
    return None


def link_fuzzy(
    normalised: str,
    country: str | None,
    company_form: bool,
    index: RorIndex,
    settings: IdentitySettings,
    notes: list[str],
    df: Mapping[str, int] | None = None,
    flag: str | None = None,
) -> tuple[Link | None, Link | None]:
    """Typo-tolerant link: (accepted link, borderline candidate for review).

    Needs country evidence that matches the ROR record; the names must differ only by
    typo-level edits of words that are not real words of ROR.
    """
    text = compact(normalised)
    if len(text) < settings.min_fuzzy_length or not country:
        return None, None
    mine = loose_tokens(normalised)
    text_mine = " ".join(mine)
    place = same_country_key(country)
    lowest = min(settings.link_threshold, settings.link_review_threshold)
    seen: set[str] = set()
    best: tuple[float, str, NameHit] | None = None
    for cand in index.fuzzy_candidates(list(typo_keys(mine)), place):  # (of its country)
        if cand in seen or cand == normalised:
            continue
        seen.add(cand)
        # cheap refusals first (most candidates are too far apart to be reviewed: a best
        # candidate below both thresholds decides nothing)
        theirs = index.loose_names[cand]
        score = fuzz.ratio(text_mine, " ".join(theirs)) / 100
        if score < lowest:
            continue
        hits = [hit for hit in index.hits(cand)
                if same_country(index.country(hit.ror_id), country)
                and flag_allows(index.country(hit.ror_id), flag)
                and not _company_clash(index, hit.ror_id, company_form)]
        if not hits:
            continue
        verdict = typo_level(mine, theirs, index.vocabulary, df or {})
        if verdict is None:
            continue
        for hit in hits:
            if best is None or score > best[0]:
                best = (score, verdict, hit)
    if best is None:
        return None, None
    score, verdict, hit = best
    link = Link(hit.ror_id, round(score * 0.98, 3),
                f"{verdict}: ROR {hit.via} '{hit.matched}' (similarity {score:.2f}, same "
                f"country {country})" + _successor_note(index, hit.via_record, hit.ror_id))
    if score >= settings.link_threshold:
        return link, None
    if score >= settings.link_review_threshold:
        notes.append(f"borderline ROR candidate {hit.ror_id} '{hit.matched}' ({score:.2f})")
        return None, link
    return None, None
