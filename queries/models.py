"""Typed, JSON-stable results of every query. The API returns them as they are and the CLI's
`--format json` prints the same JSON, so field names here are a public contract."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ttkg.graph.backends.contract import NodeRecord, PatentRef

__all__ = [
    "BridgesResult",
    "DirectBridge",
    "EntityRef",
    "Evidence",
    "FieldProfile",
    "FieldRef",
    "Hop",
    "OrgRef",
    "PartnerResult",
    "PartnersResult",
    "Partnership",
    "PatentEvidence",
    "Path",
    "PathsResult",
    "RankedCount",
    "SearchHit",
    "SearchResult",
]


class PatentEvidence(BaseModel):
    """A patent cited as evidence."""

    # validated straight from the backend's PatentRef objects (pydantic-core reads their
    # attributes: three times faster than building each model in Python)
    model_config = ConfigDict(from_attributes=True)

    id: str
    number: str
    year: int | None
    title: str | None


def evidence_data(found: tuple[int, list[PatentRef]]) -> dict[str, Any]:
    """The input of an Evidence model: a backend's (total, patents) answer."""
    return {"total": found[0], "patents": found[1]}


class Evidence(BaseModel):
    """Patents behind a count: the first few (newest first) and the total."""

    total: int
    patents: list[PatentEvidence]

    @classmethod
    def of(cls, found: tuple[int, list[PatentRef]]) -> Evidence:
        return cls.model_validate(evidence_data(found))


class OrgRef(BaseModel):
    """An organisation as it appears in results."""

    id: str
    name: str
    kind: str | None
    country: str | None
    ror_id: str | None

    @classmethod
    def of(cls, node: NodeRecord) -> OrgRef:
        return cls.model_validate(org_data(node))


def org_data(node: NodeRecord) -> dict[str, Any]:
    """The input of an OrgRef model."""
    p = node.props
    return {
        "id": node.id,
        "name": node.name,
        "kind": p.get("kind"),
        "country": p.get("country"),
        "ror_id": p.get("ror_id"),
    }


class EntityRef(BaseModel):
    """Any node: id, label and display name."""

    id: str
    label: str
    name: str

    @classmethod
    def of(cls, node: NodeRecord) -> EntityRef:
        return cls(id=node.id, label=node.label.value, name=node.name)


class FieldRef(BaseModel):
    """A resolved technology selection."""

    id: str
    name: str
    kind: Literal["wipo_field", "wipo_sector", "cpc"]
    value: str


class DirectBridge(BaseModel):
    """An organisation holding patents in both fields."""

    organization: OrgRef
    count_a: int
    count_b: int
    evidence: dict[Literal["a", "b"], Evidence]


class Partnership(BaseModel):
    """Two organisations co-owning patents, the first active in field A, the second in B."""

    organizations: list[OrgRef] = Field(min_length=2, max_length=2)
    count: int = Field(description="co-owned patents")
    count_a: int = Field(description="patents of the first organisation in field A")
    count_b: int = Field(description="patents of the second organisation in field B")
    evidence: Evidence


class BridgesResult(BaseModel):
    """Organisations and partnerships connecting two fields, in rank order."""

    field_a: FieldRef
    field_b: FieldRef
    direct: list[DirectBridge]
    partnerships: list[Partnership]
    total_direct: int
    total_partnerships: int
    offset: int
    limit: int


class Hop(BaseModel):
    """One step of a path, with the patents behind it."""

    source: EntityRef
    relation: str
    target: EntityRef
    forward: bool = Field(description="true when the path walks the relation from source to target")
    weight: int
    evidence: Evidence


class Path(BaseModel):
    """A path between two entities."""

    length: int
    nodes: list[EntityRef]
    hops: list[Hop]


class PathsResult(BaseModel):
    """The k shortest paths between two entities."""

    source: EntityRef
    target: EntityRef
    max_hops: int
    via: list[str]
    paths: list[Path]


class PartnerResult(BaseModel):
    """A co-owner of an organisation."""

    organization: OrgRef
    count: int
    evidence: Evidence


class PartnersResult(BaseModel):
    """Co-owners of an organisation, most co-owned patents first."""

    organization: OrgRef
    field: FieldRef | None
    partners: list[PartnerResult]
    total: int
    offset: int
    limit: int


class RankedCount(BaseModel):
    """An entity with a count."""

    entity: EntityRef
    count: int


class FieldProfile(BaseModel):
    """Top organisations and countries of a field, and the WIPO fields it co-occurs with."""

    field: FieldRef
    patents: int
    organizations: list[RankedCount]
    countries: list[RankedCount]
    cooccurring_fields: list[RankedCount]


class SearchHit(BaseModel):
    """One search match."""

    entity: EntityRef
    match: Literal["exact", "prefix", "fuzzy"]
    score: float
    properties: dict[str, object] = Field(default_factory=dict)


class SearchResult(BaseModel):
    """Search matches, best first."""

    query: str
    hits: list[SearchHit]
