"""Value types of organisation identity: inputs (assignee names) and results (clusters)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ttkg.core.model import OrgKind

if TYPE_CHECKING:
    from ttkg.graph.identity.overrides import ReviewRow

__all__ = ["ActsFor", "AssigneeName", "Membership", "OrgCluster", "Resolution"]


@dataclass(frozen=True, slots=True)
class AssigneeName:
    """One distinct assignee string with the evidence that comes with it."""

    name: str  # raw assignee string (organisation), or "First Last" for an individual
    assignee_type: str | None  # PatentsView code as string ('2' US company, '3' foreign, ...)
    country: str | None  # ISO alpha-2 evidence (e.g. most common inventor country)
    count: int  # how many patent rows carry this string
    individual: bool = False
    location: str | None = None  # ISO alpha-2 of the assignee's own location, when known


@dataclass(frozen=True, slots=True)
class ActsFor:
    """The organisation acts for a ROR organisation (TTO, research foundation, regents board)."""

    ror_id: str
    score: float
    reason: str


@dataclass(frozen=True, slots=True)
class OrgCluster:
    """One organisation: the raw variants that name it and what it is linked to."""

    key: str  # stable slug of the normalised name; node id 'org:<key>' when not ROR-linked
    display_name: str  # most frequent raw variant (ties -> alphabetical)
    names: tuple[str, ...]  # every raw variant, sorted
    kind: OrgKind
    ror_id: str | None  # https://ror.org/xxxx when linked
    link_score: float | None
    link_reason: str | None
    merge_reason: str  # why these variants are one organisation
    acts_for: tuple[ActsFor, ...] = ()
    merge_score: float = 1.0  # lowest score of the merges that made it (1.0: exact grouping)
    notes: tuple[str, ...] = ()  # candidates considered and refused (why not linked, ...)
    count: int = 0  # assignee rows carrying its names


@dataclass
class Resolution:
    """Result of resolving a batch of names."""

    clusters: dict[str, OrgCluster]  # key -> cluster
    cluster_of: dict[str, str]  # raw name -> cluster key (every input name present)
    name_score: dict[str, float] = field(default_factory=dict)  # raw name -> merge score
    name_reason: dict[str, str] = field(default_factory=dict)  # raw name -> why in its cluster
    review: list[ReviewRow] = field(default_factory=list)  # borderline decisions


@dataclass(frozen=True, slots=True)
class Membership:
    """An organisation's family: the head's node id, a score in [0, 1] and a reason."""

    family_id: str
    score: float
    reason: str
