"""Typed, JSON-stable results of every query. The API returns them as they are and the CLI's
`--format json` prints the same JSON, so field names here are a public contract."""

from __future__ import annotations

from abc import abstractmethod
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ttkg.core.groups import country_groups
from ttkg.graph.backends.contract import Filters, NodeRecord, PatentRef, WorkRef

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "AppliedFilters",
    "BridgeYearCount",
    "BridgesResult",
    "DirectBridge",
    "EntityRef",
    "Evidence",
    "FieldProfile",
    "FieldRef",
    "GroupRef",
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
    "Tabular",
    "WorkEvidence",
    "YearCount",
    "partial_year",
    "year_series",
]

Row = dict[str, Any]


class Tabular(BaseModel):
    """A result with a flat, one-row-per-item view: `rows()` (plain dicts, the same columns
    for every row) and `to_frame()` (a pandas DataFrame of those rows, for notebooks)."""

    @abstractmethod
    def rows(self) -> list[Row]:
        """The answer as flat rows; each subclass says what a row is."""

    def to_frame(self) -> pd.DataFrame:
        """The rows as a pandas DataFrame (pandas is the optional extra `ttkg[notebook]`)."""
        try:
            import pandas as pd
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError(
                "to_frame() needs pandas: pip install 'ttkg[notebook]' (or pandas)"
            ) from exc
        rows = self.rows()
        return pd.DataFrame(rows, columns=list(rows[0]) if rows else self.columns())

    @abstractmethod
    def columns(self) -> list[str]:
        """Column names of `rows()`, also when there are no rows."""


def _org_cells(prefix: str, org: OrgRef | None) -> Row:
    return {
        f"{prefix}_id": org.id if org else None,
        f"{prefix}_name": org.name if org else None,
        f"{prefix}_kind": org.kind if org else None,
        f"{prefix}_country": org.country if org else None,
        f"{prefix}_ror_id": org.ror_id if org else None,
    }


def _evidence_cells(prefix: str, evidence: Evidence | None) -> Row:
    return {
        f"{prefix}_total": evidence.total if evidence else None,
        f"{prefix}_patents": " ".join(p.number for p in evidence.patents) if evidence else None,
        f"{prefix}_works": " ".join(w.doi or w.id for w in evidence.works) if evidence else None,
    }


class YearCount(BaseModel):
    """Patents granted in one year."""

    year: int | None = Field(description="grant year; null for patents without a date")
    patents: int
    partial: bool = Field(False, description="the data stops before this year's last grants")


class BridgeYearCount(BaseModel):
    """A direct bridge's patents in field A and in field B granted in one year."""

    year: int | None = Field(description="grant year; null for patents without a date")
    count_a: int
    count_b: int
    partial: bool = Field(False, description="the data stops before this year's last grants")


def partial_year(coverage: dict[str, Any]) -> int | None:
    """The last year of the data when it is partial (`coverage` as `patent_coverage` gives)."""
    last = coverage.get("last_year") if coverage.get("partial_last_year") else None
    return None if last is None else int(last)


def year_series(counts: dict[int | None, int], coverage: dict[str, Any]) -> list[YearCount]:
    """Counts per year as a series, oldest first (no year last), the partial last year
    marked."""
    last = partial_year(coverage)
    return [YearCount(year=y, patents=counts[y], partial=y is not None and y == last)
            for y in sorted(counts, key=lambda y: (y is None, y or 0)) if counts[y]]


class GroupRef(BaseModel):
    """A country group a filter named, with the countries it stands for and their source."""

    code: str = Field(description="OIC, EU27, BRICS, M49:145, ...")
    name: str
    members: list[str] = Field(description="ISO alpha-2 codes the group was expanded into")
    source: str
    as_of: str = Field(description="when the membership list was checked")
    membership: str = Field(
        "current members",
        description="which membership `members` is: the current members, or with years "
        "asked and dates known, the members at some time in those years",
    )

    @classmethod
    def of(cls, code: str, years: tuple[int | None, int | None] = (None, None),
           by_year: bool = False, breakdown: bool = False) -> GroupRef:
        """The echo of a group: `by_year`, membership applied year by year to every count
        (flows); `breakdown`, to the by-year breakdown only (bridges, profiles)."""
        g = country_groups()[code]
        asked = years != (None, None)
        span = f"{years[0] or ''}-{years[1] or ''}" if years[0] != years[1] else str(years[0])
        if by_year and g.dated:
            members = g.members_in(years[0] or 1, years[1] or 9999)
            former = sorted(set(members) - set(g.members))
            membership = ("members year by year (membership dates applied to each year: a "
                          "country counts in a year only if it was a member in it")
            membership += f"; former members, in their years: {', '.join(former)}" if former \
                else ""
            membership += f"; dates: {g.dates_source})"
        elif asked and g.dated:
            members = g.members_in(*years)
            gone = sorted(set(g.members) - set(members))
            back = sorted(set(members) - set(g.members))
            membership = f"members at some time in {span} (membership dates applied"
            membership += f"; not yet members: {', '.join(gone)}" if gone else ""
            membership += f"; former members then: {', '.join(back)}" if back else ""
            membership += f"; dates: {g.dates_source})"
        else:
            members = g.members
            membership = (f"current members (as of {g.as_of}; no membership dates known, "
                          f"applied to {span} as they are)") if asked else "current members"
        if breakdown and g.dated:
            membership += ("; in the by-year breakdown, year by year (of these, a country "
                           "counts in a year only if it was a member in it)")
        return cls(code=g.code, name=g.name, members=list(members), source=g.source,
                   as_of=g.as_of, membership=membership)


class AppliedFilters(BaseModel):
    """The filters an answer applied, as validated (an empty list filters nothing). A country
    group is echoed in `country_groups` (or `partner_country_groups`) with its members, which
    are also in `countries` (`partner_countries`)."""

    years: tuple[int | None, int | None] | None = Field(
        None, description="grant years [from, to], inclusive; null: all years"
    )
    countries: list[str] = Field(default_factory=list, description="ISO alpha-2, any of them")
    kinds: list[str] = Field(default_factory=list)
    partner_countries: list[str] = Field(default_factory=list)
    partner_kinds: list[str] = Field(default_factory=list)
    level: Literal["organization", "family"] = Field(
        "organization",
        description="organization: each organisation counts; family: each family (a company "
        "group, a university system with its campuses, boards and transfer offices, the US "
        "government) counts as one, its head standing for it",
    )
    country_groups: list[GroupRef] = Field(default_factory=list)
    partner_country_groups: list[GroupRef] = Field(default_factory=list)

    @classmethod
    def of(cls, filters: Filters, *, by_year: bool = False,
           breakdown: bool = False) -> AppliedFilters:
        """The echo of validated filters; `by_year`: groups' membership applied year by year
        (flows), `breakdown`: to the by-year breakdown only (bridges, profiles), said in each
        group's `membership`."""
        years = (filters.year_from, filters.year_to)
        return cls(
            years=None if years == (None, None) else years,
            countries=sorted(filters.countries),
            kinds=sorted(filters.kinds),
            partner_countries=sorted(filters.partner_countries),
            partner_kinds=sorted(filters.partner_kinds),
            level=filters.level,
            country_groups=[GroupRef.of(g, years, by_year, breakdown)
                            for g in filters.country_groups],
            partner_country_groups=[GroupRef.of(g, years, by_year, breakdown)
                                    for g in filters.partner_country_groups],
        )

    def describe(self) -> str:
        """One line for people: `years 2010-2015; country TW; partner kind company;
        organisation level` (or `family level`); a group as `country OIC (57 countries)`."""
        parts = []
        if self.years is not None:
            a, b = self.years
            parts.append(f"years {a or ''}-{b or ''}" if a != b else f"year {a}")
        for name, values, groups in (
            ("country", self.countries, self.country_groups),
            ("kind", self.kinds, []),
            ("partner country", self.partner_countries, self.partner_country_groups),
            ("partner kind", self.partner_kinds, []),
        ):
            if values:
                parts.append(f"{name} {_places(values, groups)}")
        parts.append(f"{'family' if self.level == 'family' else 'organisation'} level")
        return "; ".join(parts)


def _places(codes: list[str], groups: list[GroupRef]) -> str:
    """`OIC (57 countries), US`: groups by name, then the countries no group covers."""
    covered = {c for g in groups for c in g.members}
    named = [f"{g.code} ({len(g.members)} countries)" for g in groups]
    return ", ".join(named + [c for c in codes if c not in covered])


class PatentEvidence(BaseModel):
    """A patent cited as evidence."""

    # validated straight from the backend's PatentRef objects (pydantic-core reads their
    # attributes: three times faster than building each model in Python)
    model_config = ConfigDict(from_attributes=True)

    id: str
    number: str
    year: int | None
    title: str | None


class WorkEvidence(BaseModel):
    """A scholarly work cited as evidence: OpenAlex id (`work:W...`), DOI (without
    https://doi.org/), publication year, title."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    doi: str | None
    year: int | None
    title: str | None


def evidence_data(
    found: tuple[int, list[PatentRef]], works: list[WorkRef] | None = None
) -> dict[str, Any]:
    """The input of an Evidence model: a backend's (total, patents) answer, and the works
    behind the count when it counts works."""
    return {"total": found[0], "patents": found[1], "works": works or []}


class Evidence(BaseModel):
    """What is behind a count, newest first: the first few patents and, for counts of
    scholarly works (research fields), the first few works; `total` is the count."""

    total: int
    patents: list[PatentEvidence]
    works: list[WorkEvidence] = Field(
        default_factory=list, description="works behind a count of works, newest first"
    )

    @classmethod
    def of(cls, found: tuple[int, list[PatentRef]]) -> Evidence:
        return cls.model_validate(evidence_data(found))


class OrgRef(BaseModel):
    """An organisation as it appears in results."""

    id: str
    name: str
    kind: str | None
    country: str | None
    country_basis: str | None = Field(
        default=None,
        description="Where the country comes from: ror, assignee_location (read), or "
        "assignee_type, inventors_foreign, inventors (inferred); ambiguous or foreign_unknown "
        "when no country could be decided",
    )
    country_confidence: float | None = Field(default=None, ge=0.0, le=1.0)
    ror_id: str | None

    @property
    def country_inferred(self) -> bool:
        """The country was inferred (not read from ROR or the assignee's own location)."""
        return self.country is not None and self.country_basis not in (
            None, "ror", "assignee_location"
        )

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
        "country_basis": p.get("country_basis"),
        "country_confidence": p.get("country_confidence"),
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
    """A resolved field: a technology selection (WIPO field or sector, CPC symbol; counted in
    patents), an OpenAlex research field at any level (counted in works), a theme (kind
    `theme`: its CPC symbols and WIPO fields in `parts`, its published `source`), or several
    fields or themes asked at once (kind `fields`: each in `parts`). A patent is in a theme or
    in several fields when it is in at least one part, and counts once."""

    id: str
    name: str
    kind: Literal[
        "wipo_field",
        "wipo_sector",
        "cpc",
        "openalex_domain",
        "openalex_field",
        "openalex_subfield",
        "openalex_topic",
        "theme",
        "fields",
    ]
    value: str
    parts: list[FieldRef] = Field(
        default_factory=list,
        description="a theme's CPC symbols and WIPO fields, or each of several fields or "
        "themes asked at once: the expansion the answer counted in (empty for one field)",
    )
    source: str | None = Field(default=None, description="a theme's published source")


class DirectBridge(BaseModel):
    """An organisation holding patents in both fields."""

    organization: OrgRef
    count_a: int
    count_b: int
    evidence: dict[Literal["a", "b"], Evidence]
    by_year: list[BridgeYearCount] = Field(
        default_factory=list, description="with by_year: count_a and count_b per grant year"
    )


class Partnership(BaseModel):
    """Two organisations joined in field A or B, one of them active in A and the other in B.
    The first passes the organisation filters (country, kind), the second the partner
    filters (partner_country, partner_kind).

    Technology x technology: patents they co-own. Research x research: works they co-author.
    Research x technology: works they co-author in the research field (when one of them
    patents in the technology field) and patents they co-own in the technology field (when one
    of them publishes in the research field)."""

    organizations: list[OrgRef] = Field(min_length=2, max_length=2)
    count: int = Field(
        description="items joining the two in A or B: co-owned patents (technology x "
        "technology), co-authored works (research x research), co-authored works in the "
        "research field plus co-owned patents in the technology field (research x technology)"
    )
    count_a: int = Field(description="of them in field A (patents or works, as A counts)")
    count_b: int = Field(description="of them in field B (patents or works, as B counts)")
    co_owned_total: int = Field(description="all patents the two co-own, in any field")
    co_authored_total: int | None = Field(
        default=None,
        description="all works the two co-author, in any field (with a research field only)",
    )
    evidence: Evidence = Field(
        description="co-owned patents and co-authored works counted in `count`, newest first"
    )
    by_year: list[YearCount] = Field(
        default_factory=list, description="with by_year: `count`'s patents per grant year"
    )


class BridgesResult(Tabular):
    """Organisations and partnerships connecting two fields, in rank order.

    As rows: one per direct bridge (`bridge` = "direct", the organisation, count_a, count_b)
    and one per partnership (`bridge` = "partnership", the organisation active in A, its
    partner active in B, count_a, count_b and `count`), each with its evidence patents."""

    field_a: FieldRef
    field_b: FieldRef
    filters: AppliedFilters
    direct: list[DirectBridge]
    partnerships: list[Partnership]
    total_direct: int
    total_partnerships: int
    offset: int
    limit: int

    def rows(self) -> list[Row]:
        out: list[Row] = []
        for rank, d in enumerate(self.direct, self.offset + 1):
            out.append(
                {"bridge": "direct", "rank": rank, **_org_cells("organization", d.organization),
                 **_org_cells("partner", None), "count_a": d.count_a, "count_b": d.count_b,
                 "count": None, "co_owned_total": None,
                 **_evidence_cells("evidence_a", d.evidence.get("a")),
                 **_evidence_cells("evidence_b", d.evidence.get("b")),
                 **_evidence_cells("evidence", None)}
            )
        for rank, p in enumerate(self.partnerships, self.offset + 1):
            out.append(
                {"bridge": "partnership", "rank": rank,
                 **_org_cells("organization", p.organizations[0]),
                 **_org_cells("partner", p.organizations[1]), "count_a": p.count_a,
                 "count_b": p.count_b, "count": p.count, "co_owned_total": p.co_owned_total,
                 **_evidence_cells("evidence_a", None),
                 **_evidence_cells("evidence_b", None), **_evidence_cells("evidence", p.evidence)}
            )
        return out

    def columns(self) -> list[str]:
        return [
            "bridge", "rank", *_org_cells("organization", None), *_org_cells("partner", None),
            "count_a", "count_b", "count", "co_owned_total", *_evidence_cells("evidence_a", None),
            *_evidence_cells("evidence_b", None), *_evidence_cells("evidence", None),
        ]


class Hop(BaseModel):
    """One step of a path, with the patents behind it."""

    source: EntityRef
    relation: str
    target: EntityRef
    forward: bool = Field(description="true when the path walks the relation from source to target")
    weight: int
    evidence: Evidence
    properties: dict[str, Any] = Field(
        default_factory=dict,
        description="a structural hop's own evidence: the stored edge's properties (LOCATED_IN: "
        "basis ror|inventors and share; ACTS_FOR, PART_OF: score, reason; source); at the "
        "family level `via_members`: the members whose stored edge the hop stands for",
    )


class Path(BaseModel):
    """A path between two entities."""

    length: int
    nodes: list[EntityRef]
    hops: list[Hop]


class PathsResult(Tabular):
    """The k shortest paths between two entities. As rows: one per hop of each path."""

    source: EntityRef
    target: EntityRef
    max_hops: int
    via: list[str]
    level: Literal["organization", "family"] = Field(
        "organization",
        description="organization: the graph as stored; family: each family contracted into "
        "its head (co-ownership inside a family is no hop; a family's hops are its members')",
    )
    source_asked: EntityRef | None = Field(
        None,
        description="at the family level, the source asked for when its family's head (given "
        "as `source`) is another organisation",
    )
    target_asked: EntityRef | None = Field(
        None, description="at the family level, the target asked for, as `source_asked`"
    )
    paths: list[Path]

    def rows(self) -> list[Row]:
        return [
            {"path": i, "length": path.length, "hop": j, "source_id": h.source.id,
             "source_label": h.source.label, "source_name": h.source.name,
             "relation": h.relation, "forward": h.forward, "target_id": h.target.id,
             "target_label": h.target.label, "target_name": h.target.name, "weight": h.weight,
             **_evidence_cells("evidence", h.evidence)}
            for i, path in enumerate(self.paths, 1)
            for j, h in enumerate(path.hops, 1)
        ]

    def columns(self) -> list[str]:
        return [
            "path", "length", "hop", "source_id", "source_label", "source_name", "relation",
            "forward", "target_id", "target_label", "target_name", "weight",
            *_evidence_cells("evidence", None),
        ]


class PartnerResult(BaseModel):
    """A co-owner (count: co-owned patents) or co-author (count: co-authored works) of an
    organisation."""

    organization: OrgRef
    count: int
    evidence: Evidence


class PartnersResult(Tabular):
    """Partners of an organisation, kept apart: co-owners (most co-owned patents first) and
    co-authors (most co-authored works first). A technology field restricts the co-owners to
    patents in it and lists no co-authors; a research field restricts the co-authors to works
    in it and lists no co-owners. As rows: one per partner, `relation` saying which list."""

    organization: OrgRef
    asked: OrgRef | None = Field(
        None,
        description="at the family level, the organisation asked for when its family (given "
        "as `organization`, the family's head) is another",
    )
    field: FieldRef | None
    filters: AppliedFilters
    note: str | None = Field(
        None,
        description="what the level did with the organisation asked for: at the family level "
        "the family it answers for; at the organisation level, an organisation without patents "
        "of its own whose family's patents another organisation (its head) holds",
    )
    partners: list[PartnerResult] = Field(description="co-owners, with co-owned patents")
    total: int = Field(description="co-owners found")
    co_authors: list[PartnerResult] = Field(
        default_factory=list, description="co-authors, with co-authored works"
    )
    total_co_authors: int = 0
    offset: int
    limit: int

    def rows(self) -> list[Row]:
        return [
            {"relation": relation, "rank": rank, **_org_cells("partner", p.organization),
             "count": p.count, **_evidence_cells("evidence", p.evidence)}
            for relation, listed in (("co_owner", self.partners), ("co_author", self.co_authors))
            for rank, p in enumerate(listed, self.offset + 1)
        ]

    def columns(self) -> list[str]:
        return ["relation", "rank", *_org_cells("partner", None), "count",
                *_evidence_cells("evidence", None)]


class RankedCount(BaseModel):
    """An entity with a count."""

    entity: EntityRef
    count: int


class FieldProfile(Tabular):
    """Top organisations and countries of a field, and the fields it co-occurs with.
    As rows: one per ranked entity, `section` saying which list it is from.

    A technology field counts patents: its holders, their countries, and the WIPO fields its
    patents are also in. A research field counts works: its authors' organisations, their
    countries (works with at least one organisation located there), the other OpenAlex fields
    its works are also in (`cooccurring_research_fields`), and in `cooccurring_fields` the
    WIPO fields its organisations patent in (count: organisations publishing in the research
    field that hold patents in the WIPO field)."""

    field: FieldRef
    filters: AppliedFilters
    patents: int = Field(description="patents in the field (0 for a research field)")
    works: int | None = Field(default=None, description="works in a research field")
    organizations: list[RankedCount]
    countries: list[RankedCount]
    cooccurring_fields: list[RankedCount]
    cooccurring_research_fields: list[RankedCount] = Field(default_factory=list)
    by_year: list[YearCount] = Field(
        default_factory=list,
        description="with by_year: the field's patents per grant year (technology fields)",
    )

    def rows(self) -> list[Row]:
        sections = (
            ("organization", self.organizations),
            ("country", self.countries),
            ("cooccurring_field", self.cooccurring_fields),
            ("cooccurring_research_field", self.cooccurring_research_fields),
        )
        return [
            {"section": name, "rank": rank, "id": r.entity.id, "label": r.entity.label,
             "name": r.entity.name, "count": r.count}
            for name, ranked in sections
            for rank, r in enumerate(ranked, 1)
        ]

    def columns(self) -> list[str]:
        return ["section", "rank", "id", "label", "name", "count"]


class SearchHit(BaseModel):
    """One search match."""

    entity: EntityRef
    match: Literal["exact", "prefix", "fuzzy"]
    score: float
    properties: dict[str, object] = Field(default_factory=dict)


class SearchResult(Tabular):
    """Search matches, best first. As rows: one per hit."""

    query: str
    hits: list[SearchHit]

    def rows(self) -> list[Row]:
        return [
            {"rank": rank, "id": h.entity.id, "label": h.entity.label, "name": h.entity.name,
             "match": h.match, "score": h.score}
            for rank, h in enumerate(self.hits, 1)
        ]

    def columns(self) -> list[str]:
        return ["rank", "id", "label", "name", "match", "score"]
