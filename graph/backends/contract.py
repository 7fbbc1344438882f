"""The storage backend contract every backend implements, and the value types it speaks.

Queries in `queries/` are written only against `GraphBackend`; they never see networkx or
Cypher. Each method is one coarse primitive so that the Neo4j backend answers it with one
parameterised read query and the embedded backend with an index lookup or a sparse product.

Parity rule: every method returns plain values whose content and order are fully determined
(ties broken by id), so both backends give identical answers for the same artifact.
"""

from __future__ import annotations

import heapq
from abc import ABC, abstractmethod
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

from ttkg.core.model import EdgeType, NodeLabel, label_of_id

if TYPE_CHECKING:
    from ttkg.graph.indexing.fuzzy import FuzzyNames

__all__ = [
    "DEFAULT_VIA",
    "LEVELS",
    "CoOwnershipRow",
    "CountryPairTally",
    "Direction",
    "FieldSet",
    "FieldSpec",
    "Filters",
    "FlowCounts",
    "FlowTally",
    "FoundPath",
    "GraphBackend",
    "Neighbor",
    "NodeRecord",
    "OrgPairTally",
    "PatentRef",
    "Relation",
    "RelationHop",
    "ResearchCounts",
    "Side",
    "WorkRef",
    "WorkRow",
    "YearlyMembership",
    "activity_spec",
    "cpc_activity",
    "field_parts",
]


class Relation(StrEnum):
    """Relations of the entity graph that path queries walk (hops between entities).

    Stored edges keep their type name; CO_ASSIGNED and ACTIVE_IN are derived from patents,
    and their evidence is the patents behind them; CO_AUTHORED is derived from works
    (AUTHORED_BY), and its evidence is the works behind it.
    """

    CO_ASSIGNED = "CO_ASSIGNED"  # Organization - Organization: co-owned patents
    CO_AUTHORED = "CO_AUTHORED"  # Organization - Organization: co-authored works
    ACTIVE_IN = "ACTIVE_IN"  # Organization - TechnologyField (WIPO field): patents
    ASSIGNED_TO = "ASSIGNED_TO"  # Patent - Organization
    IN_FIELD = "IN_FIELD"  # Patent - TechnologyField
    LOCATED_IN = "LOCATED_IN"  # Organization - Country
    PART_OF = "PART_OF"  # Organization - Organization (ROR)
    ACTS_FOR = "ACTS_FOR"  # Organization - Organization (TTO / board for a university)
    BROADER = "BROADER"  # TechnologyField - sector


#: The relations a path query walks when none are named: every one but CO_AUTHORED, which is
#: asked for by name (co-authorship is counted per organisation, not per family, and the RDF
#: renderings of a path have no term for it yet).
DEFAULT_VIA: tuple[Relation, ...] = tuple(r for r in Relation if r is not Relation.CO_AUTHORED)

Direction = Literal["out", "in"]
#: A technology selection as the primitives take it: one FieldSpec, or a tuple of several
#: whose union it is (a patent is in it when it is in at least one of them): a theme, or
#: several fields asked at once. `field_parts` gives its parts.
FieldSet: TypeAlias = "FieldSpec | tuple[FieldSpec, ...]"
#: One side of a bridge: a technology selection (one or several fields), or a ResearchField
#: node id.
Side: TypeAlias = "FieldSet | str"
Level = Literal["organization", "family"]
#: What a query counts as one holder of a patent: each organisation, or each family (the
#: head organisation of the family stands for all its members; see `Filters.level`).
LEVELS: tuple[Level, ...] = ("organization", "family")

#: One row of `co_ownerships`: (patent id, year, x, y, x's country, y's country).
CoOwnershipRow = tuple[str, int | None, str, str, str | None, str | None]


@dataclass(frozen=True, slots=True)
class NodeRecord:
    """A node with its label and properties (as stored in the artifact)."""

    id: str
    label: NodeLabel
    props: dict[str, Any] = field(default_factory=dict, hash=False, compare=True)

    @property
    def name(self) -> str:
        """A display name: name, title or symbol, whichever the label has."""
        p = self.props
        return str(p.get("name") or p.get("title") or p.get("symbol") or p.get("number") or self.id)


@dataclass(frozen=True, slots=True)
class Neighbor:
    """One edge at a node, seen from that node."""

    edge_type: EdgeType
    direction: Direction
    node: NodeRecord
    props: dict[str, Any] = field(default_factory=dict, hash=False)


@dataclass(frozen=True, slots=True)
class PatentRef:
    """A patent cited as evidence."""

    id: str
    number: str
    year: int | None
    title: str | None

    @classmethod
    def of_node(cls, node: NodeRecord) -> PatentRef:
        """The reference of a Patent node."""
        p = node.props
        year = p.get("year")
        return cls(node.id, p.get("number") or "", int(year) if year is not None else None,
                   p.get("title"))


@dataclass(frozen=True, slots=True)
class WorkRef:
    """A scholarly work cited as evidence (DOI without its https://doi.org/ prefix)."""

    id: str
    doi: str | None
    year: int | None
    title: str | None

    @classmethod
    def of_node(cls, node: NodeRecord) -> WorkRef:
        """The reference of a Work node."""
        p = node.props
        year = p.get("year")
        return cls(node.id, p.get("doi"), int(year) if year is not None else None,
                   p.get("title"))


@dataclass(frozen=True, slots=True)
class WorkRow:
    """A work as research queries count it: its publication year, the organisations of its
    authorships (AUTHORED_BY, sorted ids) and the OpenAlex fields (level `field`) of its
    topics (sorted ids)."""

    id: str
    year: int | None
    orgs: tuple[str, ...]
    fields: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ResearchCounts:
    """What a research field's profile counts (`GraphBackend.research_profile_counts`): each
    ranking the first `limit` by count desc, then id (countries: by ISO code)."""

    works: int
    organizations: list[tuple[str, int]]
    countries: list[tuple[str, int]]  # ISO alpha-2 code, works
    research_fields: list[tuple[str, int]]  # OpenAlex field id (level field), works
    technology_fields: list[tuple[str, int]]  # WIPO field id, organisations


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """A resolved technology selection.

    kind: 'wipo_field' (value = field number as str), 'wipo_sector' (sector number as str),
    'cpc' (value = CPC symbol at any level; groups include their subgroups).
    """

    kind: Literal["wipo_field", "wipo_sector", "cpc"]
    value: str
    node_id: str  # the graph node that stands for the selection
    name: str


@dataclass(frozen=True, slots=True)
class Filters:
    """Filters common to aggregate queries, validated by the queries layer.

    Years filter patents by grant year (inclusive). `countries` (ISO alpha-2) and `kinds`
    filter organisations: the organisations counted, or in a pair the first member; the
    `partner_*` sets filter the other member of a pair (partnerships). An empty set filters
    nothing; several values mean any of them.

    `level`: 'organization' (default) counts each organisation; 'family' counts each family
    as one holder: a patent is held by the family of each of its assignees (the node id in
    the assignee's `family_id`, its family's head, reached by its MEMBER_OF edge), patents
    co-owned inside one family are no co-ownership, and the organisation filters (country,
    kind) apply to the family's head. Organisation ids the primitives take and return are
    then family heads'.

    `country_groups` and `partner_country_groups` name the country groups (codes such as OIC,
    EU27) that the user wrote and that are already expanded into the country sets: backends
    filter on the countries only; answers echo the groups. `named_countries` and
    `partner_named_countries` are the countries written as countries beside them (what a
    year-by-year membership keeps every year)."""

    year_from: int | None = None
    year_to: int | None = None
    countries: frozenset[str] = frozenset()
    kinds: frozenset[str] = frozenset()
    partner_countries: frozenset[str] = frozenset()
    partner_kinds: frozenset[str] = frozenset()
    level: Level = "organization"
    country_groups: tuple[str, ...] = ()
    partner_country_groups: tuple[str, ...] = ()
    named_countries: frozenset[str] = frozenset()
    partner_named_countries: frozenset[str] = frozenset()

    @property
    def family(self) -> bool:
        """Whether families are the holders (level 'family')."""
        return self.level == "family"

    def org_filtered(self) -> bool:
        """Whether the organisation side is filtered."""
        return bool(self.countries or self.kinds)

    def years_only(self) -> Filters:
        """The year range and level alone (for evidence of a count that already passed the
        rest)."""
        return Filters(self.year_from, self.year_to, level=self.level)

    def partner_side(self) -> Filters:
        """The years and level, with the partner side as the organisation side."""
        return Filters(self.year_from, self.year_to, self.partner_countries, self.partner_kinds,
                       level=self.level, country_groups=self.partner_country_groups,
                       named_countries=self.partner_named_countries)


#: A side's countries year by year: (country, first year, last year) spans (None: open).
Spans: TypeAlias = "tuple[tuple[str, int | None, int | None], ...]"


@dataclass(frozen=True, slots=True)
class YearlyMembership:
    """Country groups applied year by year (flows with `by_year`): an owner's country counts
    for a side in year Y only when one of its spans holds Y. A side of None has no groups:
    its countries (the filters') count in every year. An item without a year counts when the
    country is among the filters' countries. A pair failing as oriented but passing the
    other way round is turned round when the kinds pass too. The filters sent beside it list
    every country of the spans (what `ttkg.queries.yearly.widened` gives)."""

    origin: Spans | None = None
    destination: Spans | None = None

    def member(self, country: str | None, year: int | None, spans: Spans | None,
               countries: frozenset[str]) -> bool:
        """Whether an owner's country belongs to a side (its spans, its countries) in a year.

        >>> m, gb = YearlyMembership((("GB", 1973, 2020),)), frozenset({"GB"})
        >>> m.member("GB", 2020, m.origin, gb), m.member("GB", 2021, m.origin, gb)
        (True, False)
        """
        if spans is None:
            return not countries or country in countries
        if year is None:
            return country in countries
        return any(c == country and (lo is None or lo <= year) and (hi is None or year <= hi)
                   for c, lo, hi in spans)


@dataclass(frozen=True, slots=True)
class FlowTally:
    """Distinct items (patents or works) of a part of a flow: in all, per year (None: items
    without one), per selection (in the order asked) and per selection and year."""

    items: int
    by_year: dict[int | None, int]
    by_selection: tuple[int, ...]
    by_selection_year: tuple[dict[int | None, int], ...] = ()


@dataclass(frozen=True, slots=True)
class CountryPairTally:
    """The items between organisations of two countries (origin side first)."""

    country: str | None
    partner_country: str | None
    organization_pairs: int
    tally: FlowTally


@dataclass(frozen=True, slots=True)
class OrgPairTally:
    """One organisation pair (x on the origin side) and its items; `evidence`: for works,
    the ids of the first ones newest first (then by id), up to the evidence asked."""

    x: str
    y: str
    tally: FlowTally
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FlowCounts:
    """A flow between two sides, counted: the whole (with per selection and year), the
    number of organisation pairs, the country pairs ranked by items (then by country, None
    last), and the top organisation pairs ranked by items (then by ids)."""

    tally: FlowTally
    organization_pairs: int
    country_pairs: tuple[CountryPairTally, ...]
    top_pairs: tuple[OrgPairTally, ...]


@dataclass(frozen=True, slots=True)
class RelationHop:
    """One hop of the entity graph, undirected for walking; `src`/`dst` as stored."""

    src: str
    relation: Relation
    dst: str
    weight: int  # evidence size: patents (works for CO_AUTHORED) behind the hop; 1 if structural


@dataclass(frozen=True, slots=True)
class FoundPath:
    """A path as node ids, with the hop chosen between each pair of consecutive nodes."""

    nodes: tuple[str, ...]
    hops: tuple[RelationHop, ...]


class GraphBackend(ABC):
    """Read contract of a built graph. Every method but `hop_evidence` and `co_owned_count`
    (written once, below, over the primitives) is abstract: a backend implements all. A
    backend without a faster path search answers `best_paths` with the reference search over
    its own `relations` (`ttkg.graph.backends.pathsearch.search_paths(self, ...)`)."""

    name: str

    # -- metadata ----------------------------------------------------------------------
    @abstractmethod
    def manifest(self) -> dict[str, Any]:
        """The build manifest (sources, counts, build id and time)."""

    @abstractmethod
    def node_counts(self) -> dict[str, int]:
        """Node counts keyed by label, as stored."""

    @abstractmethod
    def edge_counts(self) -> dict[str, int]:
        """Edge counts keyed by type, as stored."""

    # -- entities ------------------------------------------------------------------------
    @abstractmethod
    def get_nodes(self, ids: Sequence[str]) -> dict[str, NodeRecord]:
        """Nodes by id; unknown ids are absent from the result."""

    @abstractmethod
    def lookup(
        self, text: str, labels: Collection[NodeLabel] = (), limit: int = 10
    ) -> list[NodeRecord]:
        """Exact matches: id, ROR id/URL, patent number, CPC symbol, ISO code, or a name/alias
        equal ignoring case. Ordered by label, then patent_count desc, then id."""

    @abstractmethod
    def search_prefix(
        self, text: str, labels: Collection[NodeLabel] = (), limit: int = 10
    ) -> list[NodeRecord]:
        """Nodes whose name or an alias starts with text ignoring case, most patents first,
        then id."""

    @abstractmethod
    def names(self, labels: Collection[NodeLabel]) -> list[tuple[str, str]]:
        """(id, name) of every named node of the labels, ordered by label (enum order) then
        id: the candidate list for fuzzy search."""

    @abstractmethod
    def neighbors(self, node_id: str, limit: int = 50) -> list[Neighbor]:
        """Edges at a node with the node at the other end: at most `limit` for each (edge type,
        direction), ordered by edge type (enum order), direction (out before in), then the other
        node's id."""

    def edge_properties(self, src: str, edge_type: EdgeType, dst: str) -> dict[str, Any]:
        """The properties of the stored edge src -[edge_type]-> dst, those without a value
        left out ({} when there is no such edge): what a structural hop of a path shows
        (LOCATED_IN's basis, PART_OF's share...). Of several such edges, the first in
        `neighbors`' order. Written once over `neighbors` (at most 500 edges of each type);
        a backend may read the one edge instead of every edge at src, with its end node."""
        for n in self.neighbors(src, limit=500):
            if n.edge_type is edge_type and n.direction == "out" and n.node.id == dst:
                return {k: v for k, v in n.props.items() if v is not None}
        return {}

    # -- aggregates for bridges, partners, profiles ----------------------------------------
    # A selection (`FieldSet`) is one FieldSpec or several: with several, a patent is in the
    # selection when it is in at least one, and counts once (a union, never a sum).
    @abstractmethod
    def field_org_counts(self, spec: FieldSet, filters: Filters) -> dict[str, int]:
        """Organisation id -> number of distinct patents it holds in the selection."""

    def top_field_orgs(
        self, spec: FieldSet, filters: Filters, limit: int
    ) -> list[tuple[str, int]]:
        """The `limit` organisations holding the most patents in the selection, as
        `field_org_counts` counts them: (id, count), by count desc, then id. Written once
        over `field_org_counts`; a backend may answer it without counting every
        organisation in Python."""
        counts = self.field_org_counts(spec, filters)
        return heapq.nsmallest(limit, counts.items(), key=lambda kv: (-kv[1], kv[0]))

    @abstractmethod
    def org_patents(
        self, org_id: str, spec: FieldSet | None, filters: Filters, limit: int
    ) -> tuple[int, list[PatentRef]]:
        """(total, first `limit` patents newest first then by number) of an organisation,
        optionally within a selection."""

    @abstractmethod
    def direct_bridges(
        self, a: FieldSet, b: FieldSet, filters: Filters, min_count: int, offset: int, limit: int
    ) -> tuple[int, list[tuple[str, int, int]]]:
        """Organisations (passing the filters' org part) holding at least `min_count` patents
        (years filtered) in selection a and in selection b. Returns (total, page) where page is
        [(org id, count_a, count_b)] ranked by min(count_a, count_b) desc, then
        count_a + count_b desc, then org id asc."""

    @abstractmethod
    def partnership_bridges(
        self,
        a: FieldSet,
        b: FieldSet,
        filters: Filters,
        min_count: int,
        offset: int,
        limit: int,
    ) -> tuple[int, list[tuple[str, str, int, int, int, int]]]:
        """Pairs of distinct organisations (x, y) co-owning at least `min_count` (≥ 1)
        patents that are in selection a or in selection b (years filtered), one of them
        active in a and the other in b (≥ 1 patent each, years filtered, either way round).
        x passes the organisation side of the filters (countries, kinds), y the partner side
        (partner_countries, partner_kinds); a pair passing both ways round is reported once,
        with x < y. Returns (total, page) of (x, y, count, count_a, count_b, co_owned) where
        count is their co-owned patents in a or b, count_a those in a, count_b those in b, and
        co_owned all their co-owned patents (years filtered, any field); ranked by count desc,
        then count_a + count_b desc, then x, then y."""

    @abstractmethod
    def co_assignment_counts(
        self, org_ids: Collection[str], spec: FieldSet | None, filters: Filters
    ) -> dict[tuple[str, str], int]:
        """Co-owned patent counts (patents in the selection when given, years filtered) of
        pairs (x, y) with x < y, where one member is in org_ids and the other is any
        organisation passing the filters' org part."""

    @abstractmethod
    def co_assigned_patents(
        self,
        org_a: str,
        org_b: str,
        specs: Sequence[FieldSpec],
        filters: Filters,
        limit: int,
    ) -> tuple[int, list[PatentRef]]:
        """(total, first `limit`, newest first then by number) patents assigned to both
        organisations, years filtered; with selections, only patents in at least one of them."""

    @abstractmethod
    def selection_size(self, spec: FieldSet, filters: Filters) -> int:
        """Distinct patents in the selection (years filtered; with an org part in the filters,
        only patents held by at least one passing organisation)."""

    @abstractmethod
    def selection_years(self, spec: FieldSet, filters: Filters) -> dict[int | None, int]:
        """Grant year (None for patents without one) -> distinct patents of the selection as
        `selection_size` counts them; the values sum to `selection_size(spec, filters)`."""

    @abstractmethod
    def field_country_counts(self, spec: FieldSet, filters: Filters) -> dict[str, int]:
        """Country code -> distinct patents in the selection held by at least one organisation
        located there (organisations without a country are not counted). The filters' org part
        restricts which organisations count."""

    @abstractmethod
    def field_cooccurrence(self, spec: FieldSet, filters: Filters) -> dict[str, int]:
        """WIPO field node id -> patents in the selection that are also in that field
        (the selection's own field included). With an org part in the filters, only patents
        held by at least one passing organisation count."""

    @abstractmethod
    def co_ownerships(
        self, specs: Sequence[FieldSpec], filters: Filters
    ) -> list[CoOwnershipRow]:
        """Every co-owned patent with each two of its owners: (patent id, grant year, x, y,
        x's country, y's country) for distinct organisations x and y assigned the patent,
        where x passes the organisation side of the filters (countries, kinds) and y the
        partner side, the patent is in at least one of `specs` (any field when there are none)
        and in the years. A pair passing both ways round appears once, with x < y. Countries
        are None for organisations without one. Ordered by patent id, then x, then y: the
        primitive of flows between countries (and of brokerage on the cooperation network)."""

    @abstractmethod
    def co_authorships(
        self, field_ids: Sequence[str] | None, filters: Filters
    ) -> list[CoOwnershipRow]:
        """`co_ownerships` for works: (work id, publication year, x, y, x's country, y's
        country) for each work and each two distinct organisations among its authorships'
        organisations (AUTHORED_BY), x passing the organisation side of the filters and y the
        partner side (a pair passing both ways once, x < y); works in at least one of the
        research fields (ResearchField ids: every work when None, none when empty) and in
        the years (publication year). Ordered by work id, then x, then y."""

    @abstractmethod
    def patent_flows(
        self,
        selections: Sequence[tuple[FieldSpec, ...]],
        filters: Filters,
        membership: YearlyMembership | None,
        limit: int,
        country_limit: int,
        by_year: bool = True,
    ) -> FlowCounts:
        """`co_ownerships` counted: the co-owned patents between the sides in the union of
        the selections (any field when there are none; each selection's count apart), with
        the year-by-year membership applied when given; the first `country_limit` country
        pairs (their years left empty without `by_year`) and the top `limit` organisation
        pairs."""

    @abstractmethod
    def work_flows(
        self,
        selections: Sequence[tuple[str, ...]] | None,
        filters: Filters,
        membership: YearlyMembership | None,
        limit: int,
        country_limit: int,
        evidence: int,
        by_year: bool = True,
    ) -> FlowCounts:
        """`co_authorships` counted as `patent_flows` counts `co_ownerships`: selections are
        sets of research field ids (None: every work; none: no work); the top pairs carry
        the ids of their first `evidence` works, newest first."""

    def co_owned_count(self, specs: Sequence[FieldSpec], filters: Filters) -> int:
        """Distinct patents among `co_ownerships(specs, filters)`. Written once over it; a
        backend may answer faster (what flows' notes on a thin answer ask)."""
        return len({row[0] for row in self.co_ownerships(specs, filters)})

    # -- research (OpenAlex works) ------------------------------------------------------------
    @abstractmethod
    def research_works(
        self, field_id: str | None, org_id: str | None, filters: Filters
    ) -> list[WorkRow]:
        """Works in a research field (a ResearchField id at any level: works with a topic
        that is it or falls under it through BROADER), or every work when `field_id` is
        None; only those authored by `org_id` when given; publication year within the
        filters' years (a work without a year passes only when no year bound is set; the
        organisation filters are not applied here). Ordered newest first (no year last),
        then by id. An unknown field or organisation gives []."""

    @abstractmethod
    def research_direct(
        self, a: Side, b: Side, filters: Filters, min_count: int, offset: int, limit: int
    ) -> tuple[int, list[tuple[str, int, int]]]:
        """`direct_bridges` with a research field on either side or both (a `Side` that is a
        str is a ResearchField id: an organisation's count there is its works in the field,
        years filtered). Same filters, ranking and page."""

    @abstractmethod
    def research_partnerships(
        self, a: Side, b: Side, filters: Filters, min_count: int, offset: int, limit: int
    ) -> tuple[int, list[tuple[str, str, int, int, int]]]:
        """Partnership bridges with a research field on at least one side, as
        `ttkg.queries.research_bridges` defines them: research x research, pairs co-authoring
        works in a or b (one in a, the other in b): count, count_a, count_b their works in a
        or b, in a, in b; research x technology, pairs co-authoring works in the research
        field with one of them patenting in the technology field, or co-owning patents there
        with one of them publishing in the research field: count = works + patents, split
        by side into count_a and count_b. Years filter works and patents; count >= min_count;
        x passes the organisation side of the filters and y the partner side, reported once
        (x < y when both ways pass); ranked by count desc, count_a + count_b desc, x, y.
        Returns (total, page of (x, y, count, count_a, count_b))."""

    @abstractmethod
    def org_works(
        self, org_id: str, field_id: str | None, filters: Filters, limit: int
    ) -> tuple[int, list[WorkRef]]:
        """(total, first `limit` newest first then by id) works of an organisation, in a
        research field when given, years filtered."""

    @abstractmethod
    def co_authored_works(
        self, org_a: str, org_b: str, field_ids: Sequence[str], filters: Filters, limit: int
    ) -> tuple[int, list[WorkRef]]:
        """(total, first `limit`, newest first then by id) works both organisations
        co-author, years filtered; with research fields, only works in at least one."""

    @abstractmethod
    def research_profile_counts(
        self, field_id: str, filters: Filters, limit: int
    ) -> ResearchCounts:
        """A research field's works (years filtered) that have at least one organisation
        passing the filters' org part: how many; per passing organisation; per country
        (works with a passing organisation located there); per OpenAlex field (level field,
        the field itself excluded) they are in; and per WIPO field, the passing organisations
        publishing in the field that hold patents there (years filtered)."""

    # -- entity graph for path queries -------------------------------------------------------
    @abstractmethod
    def relations(self, node_ids: Collection[str], via: Collection[Relation]) -> list[RelationHop]:
        """Every hop of the given relation types touching any of node_ids, each once,
        ordered by (src, relation, dst).

        Patents are path endpoints only: ASSIGNED_TO and IN_FIELD hops are returned for the
        patent ids among node_ids, never when expanding an organisation or a field (which would
        fan out to all their patents; CO_ASSIGNED and ACTIVE_IN carry those patents instead).
        CPC classes are end points only too: for the CPC class ids among node_ids, ACTIVE_IN
        hops from every organisation with patents in the class (at any level below it, as a
        field selection counts them; `cpc_activity`), never when expanding an organisation."""

    @abstractmethod
    def best_paths(
        self,
        source: str,
        target: str,
        via: Collection[Relation],
        max_hops: int,
        k: int,
        deadline: float,
    ) -> list[FoundPath]:
        """The k best paths between two node ids, best first, as
        `ttkg.graph.backends.pathsearch` defines them (shortest first, then strongest weakest
        hop...): the reference search over `relations`, or a faster search giving the same
        paths. Raises QueryTimeoutError past `deadline` (a `time.monotonic()` value)."""

    def fuzzy_names(self) -> FuzzyNames | None:
        """The names fuzzy search scores with their bigram index, when stored with the graph
        (`ttkg.graph.indexing.fuzzy`; the embedded backend's build writes them), else None:
        the search makes them from `names`."""
        return None

    def hop_evidence(self, hop: RelationHop, limit: int) -> tuple[int, list[PatentRef]]:
        """(total, first `limit`) patents behind a hop; (0, []) for structural hops, and
        (co-authored works, []) for CO_AUTHORED (its works: `hop_works`).

        Written once, over the primitives: co-owned patents for CO_ASSIGNED, the
        organisation's patents in the field for ACTIVE_IN, the patent itself for ASSIGNED_TO
        and IN_FIELD."""
        if hop.relation is Relation.CO_AUTHORED:
            return self.co_authored_works(hop.src, hop.dst, (), Filters(), 0)[0], []
        if hop.relation is Relation.CO_ASSIGNED:
            return self.co_assigned_patents(hop.src, hop.dst, (), Filters(), limit)
        if hop.relation is Relation.ACTIVE_IN:
            return self.org_patents(hop.src, activity_spec(hop.dst), Filters(), limit)
        if hop.relation in (Relation.ASSIGNED_TO, Relation.IN_FIELD):
            node = self.get_nodes([hop.src]).get(hop.src)
            return (0, []) if node is None else (1, [PatentRef.of_node(node)][:limit])
        return 0, []

    def hop_works(self, hop: RelationHop, limit: int) -> tuple[int, list[WorkRef]]:
        """(total, first `limit`, newest first) works behind a CO_AUTHORED hop; (0, []) for
        every other hop."""
        if hop.relation is Relation.CO_AUTHORED:
            return self.co_authored_works(hop.src, hop.dst, (), Filters(), limit)
        return 0, []

    @abstractmethod
    def warm_up(self) -> None:
        """Build whatever the backend builds lazily (indexes, caches), so that a server's
        first requests do not pay for it."""

    @abstractmethod
    def close(self) -> None:
        """Release connections or memory."""


def field_parts(selection: FieldSet) -> tuple[FieldSpec, ...]:
    """The parts of a selection: itself when it is one FieldSpec.

    >>> a = FieldSpec("cpc", "G06N", "cpc:G06N", "G06N")
    >>> field_parts(a) == (a,), field_parts((a, a)) == (a, a)
    (True, True)
    """
    return (selection,) if isinstance(selection, FieldSpec) else tuple(selection)


def activity_spec(node_id: str) -> FieldSpec:
    """The selection an ACTIVE_IN hop stands for: a WIPO field, or a CPC class end point."""
    if label_of_id(node_id) is NodeLabel.CPC_CLASS:
        symbol = node_id.split(":", 1)[1]
        return FieldSpec("cpc", symbol, node_id, symbol)
    return FieldSpec("wipo_field", node_id, node_id, node_id)


def cpc_activity(
    backend: GraphBackend, node_ids: Collection[str], via: Collection[Relation]
) -> list[RelationHop]:
    """ACTIVE_IN hops into the CPC class end points among node_ids (weight: the
    organisation's patents in the class), written once over `field_org_counts`."""
    if Relation.ACTIVE_IN not in set(via):
        return []
    hops = []
    for node in sorted(n for n in node_ids if label_of_id(n) is NodeLabel.CPC_CLASS):
        counts = backend.field_org_counts(activity_spec(node), Filters())
        hops += [RelationHop(org, Relation.ACTIVE_IN, node, n) for org, n in counts.items() if n]
    return hops
