"""Linking an organisation to a ROR record: exact names, acronyms, then typo-tolerant names.

Country evidence decides between records of the same name and vetoes a record of another
country; a name with a company legal form never links to a non-company record. Every link
carries a score and a short reason; candidates that were considered and refused become notes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from ttkg.graph.identity.countries import same_country
from ttkg.graph.identity.loose import compact, loose_tokens
from ttkg.graph.identity.ror_index import NameHit, RorIndex, typo_keys
from ttkg.graph.identity.settings import IdentitySettings
from ttkg.graph.identity.similarity import typo_level

__all__ = ["Link", "link_acronym", "link_exact", "link_fuzzy"]

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


def _choose(
    hits: Sequence[NameHit],
    country: str | None,
    company_form: bool,
    index: RorIndex,
    notes: list[str],
    label: str,
) -> tuple[NameHit | None, str]:
    """Pick one hit using country evidence; (hit, how) or (None, '') with notes explaining."""
    usable = [h for h in hits if not _company_clash(index, h.ror_id, company_form)]
    if len(usable) < len(hits):
        notes.append(f"{label}: a company name is not the non-company ROR record(s) "
                     + ", ".join(h.ror_id for h in hits if h not in usable))
    if not usable:
        return None, ""
    if country:
        same = [h for h in usable if same_country(index.country(h.ror_id), country)]
        other = [h for h in usable if h not in same]
        if not same:
            notes.append(f"{label}: ROR record(s) of another country than the evidence "
                         f"{country}: " + ", ".join(f"{h.ror_id} ({index.country(h.ror_id)})"
                                                  for h in other))
            return None, ""
        usable = same
    if len(usable) > 1:
        best_via = min(usable, key=lambda h: _VIA_ORDER(h))
        top = [h for h in usable if _VIA_ORDER(h) == _VIA_ORDER(best_via)]
        if len(top) > 1:
            notes.append(f"{label}: ambiguous, {len(top)} ROR records "
                         + ", ".join(h.ror_id for h in top) + ": not linked")
            return None, ""
        return best_via, f"{len(usable)} records share the name, its {best_via.via} decides"
    how = f"country {country} agrees" if country else "no country evidence"
    if country and len(hits) > 1:
        how = f"country {country} picks 1 of {len(hits)}"
    return usable[0], how


def _VIA_ORDER(hit: NameHit) -> int:
    return {"name": 0, "label": 1, "alias": 2, "system": 3}[hit.via]


def link_exact(
    normalised: str, country: str | None, company_form: bool, index: RorIndex, notes: list[str]
) -> Link | None:
    """Link by exact normalised name (display name, label, alias; 'X System' as 'X')."""
    hits = index.hits(normalised)
    if not hits:
        return None
    hit, how = _choose(hits, country, company_form, index, notes, f"'{normalised}'")
    if hit is None:
        return None
    score = _VIA_SCORE[hit.via] - (0.03 if not country else 0.0)
    reason = f"name equals ROR {hit.via} '{hit.matched}' ({how})"
    reason += _successor_note(index, hit.via_record, hit.ror_id)
    return Link(hit.ror_id, round(score, 3), reason)


def link_acronym(
    normalised: str,
    country: str | None,
    index: RorIndex,
    notes: list[str],
    company_form: bool = False,
) -> Link | None:
    """Link a one-word name by a ROR acronym: only when unique and the country matches."""
    if " " in normalised or not country or len(normalised) < 2:
        return None
    ids = {i for i in index.acronym_hits(normalised)
           if not _company_clash(index, i, company_form)}
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
) -> tuple[Link | None, Link | None]:
    """Typo-tolerant link: (accepted link, borderline candidate for review).

    Needs country evidence that matches the ROR record; the names must differ only by
    typo-level edits of words that are not real words of ROR.
    """
    text = compact(normalised)
    if len(text) < settings.min_fuzzy_length or not country:
        return None, None
    mine = loose_tokens(normalised)
    seen: set[str] = set()
    best: tuple[float, str, NameHit] | None = None
    for k in typo_keys(mine):
        for cand in index.fuzzy_blocks.get(k, ()):
            if cand in seen or cand == normalised:
                continue
            seen.add(cand)
            verdict = typo_level(mine, loose_tokens(cand), index.vocabulary, df or {})
            if verdict is None:
                continue
            score = fuzz.ratio(" ".join(mine), " ".join(loose_tokens(cand))) / 100
            for hit in index.hits(cand):
                if not same_country(index.country(hit.ror_id), country):
                    continue
                if _company_clash(index, hit.ror_id, company_form):
                    continue
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
