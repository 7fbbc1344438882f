"""Linking a group of names to a ROR record: exact normalised names, acronyms, country."""

from __future__ import annotations

from dataclasses import dataclass

from graph.identity.groups import NameGroup
from graph.identity.ror_index import RorIndex
from graph.identity.settings import IdentitySettings

__all__ = ["Link", "link_exact"]


@dataclass(frozen=True, slots=True)
class Link:
    """A decided link of a group to a ROR record."""

    ror_id: str
    score: float
    reason: str


def _successor_note(index: RorIndex, via_record: str, ror_id: str) -> str:
    if via_record == ror_id:
        return ""
    return f"; {via_record} is {index.records[via_record].status}, successor {ror_id}"


def link_exact(
    group: NameGroup, index: RorIndex, settings: IdentitySettings
) -> tuple[Link | None, list[str]]:
    """Exact link by normalised name (then acronym); returns (link, notes on candidates)."""
    notes: list[str] = []
    hits = index.hits(group.normalised)
    country = group.country
    if hits:
        chosen = hits
        if len(hits) > 1:
            same = [h for h in hits if index.country(h.ror_id) == country] if country else []
            notes.append(
                f"{len(hits)} ROR records named '{group.normalised}': "
                + ", ".join(f"{h.ror_id} ({index.country(h.ror_id)})" for h in hits)
            )
            if len(same) != 1:
                return None, [*notes, "ambiguous and country evidence does not decide: not linked"]
            chosen = same
        hit = chosen[0]
        score = 1.0 if hit.via == "name" else 0.98
        ror_country = index.country(hit.ror_id)
        if country and ror_country and country != ror_country:
            score -= 0.03
            notes.append(f"country evidence {country} differs from ROR {ror_country}")
        reason = f"normalised name equals ROR {hit.via} '{hit.matched}'"
        if len(hits) > 1:
            reason += f" (country {country} picks 1 of {len(hits)})"
        reason += _successor_note(index, hit.via_record, hit.ror_id)
        return Link(hit.ror_id, round(score, 3), reason), notes
    if settings.use_acronyms and " " not in group.normalised and country:
        ids = index.acronym_hits(group.normalised)
        if len(ids) == 1:
            (ror_id,) = ids
            if index.country(ror_id) == country:
                return (
                    Link(
                        ror_id,
                        0.9,
                        f"unique ROR acronym '{group.normalised.upper()}' of "
                        f"'{index.name(ror_id)}', same country {country}",
                    ),
                    notes,
                )
            notes.append(f"acronym matches {ror_id} but country differs: not linked")
        elif len(ids) > 1:
            notes.append(f"acronym '{group.normalised.upper()}' is ambiguous in ROR ({len(ids)})")
    return None, notes
