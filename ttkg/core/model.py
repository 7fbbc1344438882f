"""The ttkg graph model: node labels, edge types, allowed triples, property columns, identifiers.

Everything that names a label or a relationship type anywhere in ttkg (artifact tables, Cypher,
RDF, CSV exports) comes from the enums here, never from user strings. New node and edge types
(e.g. scholarly works) are added by extending the enums, `SCHEMA` and `PROPERTIES`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Final, Literal

__all__ = [
    "PROPERTIES",
    "SCHEMA",
    "EdgeType",
    "NodeLabel",
    "OrgKind",
    "PropType",
    "Source",
    "country_id",
    "cpc_id",
    "cpc_level",
    "field_id",
    "id_candidates",
    "label_of_id",
    "org_id",
    "patent_id",
    "research_field_id",
    "sector_id",
    "work_id",
]


class NodeLabel(StrEnum):
    """Node labels; the value is the Neo4j label and the artifact table name."""

    ORGANIZATION = "Organization"
    PATENT = "Patent"
    COUNTRY = "Country"
    CPC_CLASS = "CPCClass"
    TECHNOLOGY_FIELD = "TechnologyField"
    RESEARCH_FIELD = "ResearchField"
    WORK = "Work"  # a scholarly work (OpenAlex)
    COUNTRY_GROUP = "CountryGroup"  # OIC, EU27, BRICS, a UN M49 region... (ttkg.core.groups)


class EdgeType(StrEnum):
    """Relationship types; the value is the Neo4j type and the artifact table name."""

    ASSIGNED_TO = "ASSIGNED_TO"  # Patent -> Organization (sequence, raw name)
    CLASSIFIED_AS = "CLASSIFIED_AS"  # Patent -> CPCClass (inventional/additional)
    IN_FIELD = "IN_FIELD"  # CPCClass|Patent -> TechnologyField (WIPO concordance)
    BROADER = "BROADER"  # taxonomy child -> parent (CPC, WIPO field -> sector)
    LOCATED_IN = "LOCATED_IN"  # Organization -> Country (basis: the org's country_basis)
    PART_OF = "PART_OF"  # Organization -> Organization (ROR parent relation)
    ACTS_FOR = "ACTS_FOR"  # Organization -> Organization (TTO / regents board for a university)
    MEMBER_OF = "MEMBER_OF"  # Organization -> Organization: the head of its family (score, reason)
    HAS_TOPIC = "HAS_TOPIC"  # Work -> ResearchField (an OpenAlex topic; score, primary flag)
    AUTHORED_BY = "AUTHORED_BY"  # Work -> Organization (an author's affiliation)
    IN_GROUP = "IN_GROUP"  # Country -> CountryGroup: membership (since, until where known)


class OrgKind(StrEnum):
    """What kind of organisation a node is; from ROR types, PatentsView assignee type, name."""

    UNIVERSITY = "university"
    COMPANY = "company"
    GOVERNMENT = "government"
    HOSPITAL = "hospital"
    NONPROFIT = "nonprofit"
    INDIVIDUAL = "individual"
    OTHER = "other"


#: Allowed (source label, edge type, target label) triples. The build refuses anything else.
SCHEMA: Final[frozenset[tuple[NodeLabel, EdgeType, NodeLabel]]] = frozenset(
    {
        (NodeLabel.PATENT, EdgeType.ASSIGNED_TO, NodeLabel.ORGANIZATION),
        (NodeLabel.PATENT, EdgeType.CLASSIFIED_AS, NodeLabel.CPC_CLASS),
        (NodeLabel.PATENT, EdgeType.IN_FIELD, NodeLabel.TECHNOLOGY_FIELD),
        (NodeLabel.CPC_CLASS, EdgeType.IN_FIELD, NodeLabel.TECHNOLOGY_FIELD),
        (NodeLabel.CPC_CLASS, EdgeType.BROADER, NodeLabel.CPC_CLASS),
        (NodeLabel.TECHNOLOGY_FIELD, EdgeType.BROADER, NodeLabel.TECHNOLOGY_FIELD),
        (NodeLabel.RESEARCH_FIELD, EdgeType.BROADER, NodeLabel.RESEARCH_FIELD),
        (NodeLabel.ORGANIZATION, EdgeType.LOCATED_IN, NodeLabel.COUNTRY),
        (NodeLabel.ORGANIZATION, EdgeType.PART_OF, NodeLabel.ORGANIZATION),
        (NodeLabel.ORGANIZATION, EdgeType.ACTS_FOR, NodeLabel.ORGANIZATION),
        (NodeLabel.ORGANIZATION, EdgeType.MEMBER_OF, NodeLabel.ORGANIZATION),
        (NodeLabel.WORK, EdgeType.HAS_TOPIC, NodeLabel.RESEARCH_FIELD),
        (NodeLabel.WORK, EdgeType.AUTHORED_BY, NodeLabel.ORGANIZATION),
        (NodeLabel.COUNTRY, EdgeType.IN_GROUP, NodeLabel.COUNTRY_GROUP),
    }
)

PropType = Literal["string", "int", "float", "bool", "string[]"]

#: Property columns of every node table (besides `id` and `source`) and edge table (besides
#: `src`, `dst` and `source`), in artifact column order. `source` is a key into the manifest's
#: `sources` map, which holds the source's name, release/file and licence (provenance).
PROPERTIES: Final[dict[NodeLabel | EdgeType, tuple[tuple[str, PropType], ...]]] = {
    NodeLabel.ORGANIZATION: (
        ("name", "string"),
        ("kind", "string"),
        ("country", "string"),  # ISO 3166-1 alpha-2, or null
        # where the country comes from (graph.identity.org_country.BASES): "ror" |
        # "assignee_location" | "assignee_type" | "inventors_foreign" | "inventors" |
        # "ambiguous" | "foreign_unknown" | null; all but ror/assignee_location are inferred
        ("country_basis", "string"),
        ("country_confidence", "float"),  # 1.0 for ROR, lower the weaker the evidence
        ("ror_id", "string"),  # https://ror.org/... or null
        # the identity decision of the build (the names' own decisions are in the artifact's
        # identity_names table): lowest merge score and why the names are one organisation;
        # ROR link score and why it is (or is not) linked
        ("merge_score", "float"),
        ("merge_reason", "string"),
        ("link_score", "float"),
        ("link_reason", "string"),
        # the family level (graph.identity.families): node id of the family's head (itself
        # when it heads its own family); MEMBER_OF edges say why
        ("family_id", "string"),
        ("aliases", "string[]"),  # every name variant seen (assignee strings, ROR names)
        ("ror_types", "string[]"),
        ("established", "int"),
        ("status", "string"),
        ("patent_count", "int"),
    ),
    NodeLabel.PATENT: (
        ("number", "string"),  # PatentsView patent_id, e.g. 10000002, D800000, RE46000
        ("date", "string"),  # ISO date of grant
        ("year", "int"),
        ("title", "string"),
        ("kind", "string"),  # WIPO kind code, e.g. B2
        ("type", "string"),  # utility, design, plant, reissue, ...
        ("num_claims", "int"),
    ),
    NodeLabel.COUNTRY: (
        ("code", "string"),  # alpha-2
        ("alpha3", "string"),
        ("name", "string"),
    ),
    NodeLabel.CPC_CLASS: (
        ("symbol", "string"),  # H, H01, H01L, H01L21/00, H01L21/02
        ("level", "string"),  # section | class | subclass | main_group | group
        ("title", "string"),
        ("dots", "int"),  # CPC dot level of a group (0 for main groups), null above
    ),
    NodeLabel.TECHNOLOGY_FIELD: (
        ("name", "string"),
        ("level", "string"),  # sector | field
        ("number", "int"),  # WIPO field 1..35, sector 1..5
    ),
    NodeLabel.RESEARCH_FIELD: (
        ("name", "string"),
        ("level", "string"),  # domain | field | subfield | topic
        ("openalex_id", "string"),
    ),
    NodeLabel.WORK: (
        ("openalex_id", "string"),  # https://openalex.org/W...
        ("doi", "string"),  # lower-case, without resolver: 10.1001/jama.1902.02480300026007
        ("title", "string"),
        ("year", "int"),  # publication year
        ("type", "string"),  # OpenAlex work type: article, book-chapter, review, ...
    ),
    NodeLabel.COUNTRY_GROUP: (
        ("code", "string"),  # OIC, EU27, BRICS, M49:145
        ("name", "string"),
        ("kind", "string"),  # organisation | M49 region | M49 sub-region | ...
        ("reference", "string"),  # where the membership list comes from
        ("as_of", "string"),  # when the list was checked
        ("note", "string"),
    ),
    EdgeType.ASSIGNED_TO: (
        ("sequence", "int"),
        ("raw_name", "string"),
        ("assignee_type", "string"),
    ),
    EdgeType.CLASSIFIED_AS: (
        ("sequence", "int"),
        ("cpc_type", "string"),  # inventional | additional
    ),
    EdgeType.IN_FIELD: (("pattern", "string"),),
    EdgeType.BROADER: (),
    EdgeType.LOCATED_IN: (
        ("basis", "string"),  # the organisation's country_basis
        ("share", "float"),  # for basis=inventors: fraction of located inventors in country
    ),
    EdgeType.PART_OF: (),
    EdgeType.ACTS_FOR: (
        ("score", "float"),
        ("reason", "string"),
    ),
    EdgeType.MEMBER_OF: (
        ("score", "float"),
        ("reason", "string"),
    ),
    EdgeType.HAS_TOPIC: (
        ("score", "float"),  # OpenAlex topic score
        ("primary", "bool"),  # the work's primary topic
    ),
    EdgeType.AUTHORED_BY: (
        ("authors", "int"),  # authorships of the work at this organisation
        ("raw_affiliation", "string"),  # one raw affiliation string naming it, if any
        ("basis", "string"),  # openalex (its institution) | identity (ttkg linked a raw string)
        ("score", "float"),  # for basis=identity: the link's score
        ("reason", "string"),  # for basis=identity: why
    ),
    EdgeType.IN_GROUP: (
        ("since", "string"),  # date or year of accession, where known
        ("until", "string"),  # date a former member left (null: a member today)
    ),
}


@dataclass(frozen=True, slots=True)
class Source:
    """Provenance of a set of nodes/edges: which source, which release or file, which licence."""

    key: str
    name: str
    release: str
    licence: str
    url: str = ""
    attribution: str = ""


# --- identifiers ---------------------------------------------------------------------------
# Stable, prefixed, human-readable ids. The prefix tells the label, so any id can be routed.

_PREFIX_TO_LABEL: Final[dict[str, NodeLabel]] = {
    "patent": NodeLabel.PATENT,
    "org": NodeLabel.ORGANIZATION,
    "ror": NodeLabel.ORGANIZATION,
    "country": NodeLabel.COUNTRY,
    "cpc": NodeLabel.CPC_CLASS,
    "wipo": NodeLabel.TECHNOLOGY_FIELD,
    "openalex": NodeLabel.RESEARCH_FIELD,
    "work": NodeLabel.WORK,
    "group": NodeLabel.COUNTRY_GROUP,
}


def patent_id(number: str) -> str:
    """`patent:US10000002`-style id of a US grant (PatentsView `patent_id`)."""
    return f"patent:US{number}"


def org_id(key: str, ror_id: str | None = None) -> str:
    """Organisation id: `ror:<ror suffix>` when linked to ROR, else `org:<normalised key>`."""
    if ror_id:
        return "ror:" + ror_id.rstrip("/").rsplit("/", 1)[-1]
    return "org:" + key


def work_id(openalex_id: str) -> str:
    """`work:W4244661389` for an OpenAlex work (short id or URL)."""
    return "work:" + openalex_id.rstrip("/").rsplit("/", 1)[-1]


def research_field_id(level: str, number: int) -> str:
    """OpenAlex taxonomy id: `openalex:domain:3`, `openalex:field:17`, `openalex:subfield:1702`,
    `openalex:topic:10001`."""
    return f"openalex:{level}:{number}"


def country_id(alpha2: str) -> str:
    """`country:US`."""
    return f"country:{alpha2.upper()}"


def cpc_id(symbol: str) -> str:
    """`cpc:H01L21/02` (spaces removed)."""
    return "cpc:" + symbol.replace(" ", "")


def field_id(number: int) -> str:
    """WIPO technology field id, `wipo:field:4`."""
    return f"wipo:field:{number}"


def sector_id(number: int) -> str:
    """WIPO technology sector id, `wipo:sector:1`."""
    return f"wipo:sector:{number}"


def id_candidates(text: str) -> tuple[list[str], str]:
    """Ids a user's text could denote (itself, a ROR id or URL, a US patent number, a CPC
    symbol), and its upper-cased code form to compare with ISO country codes. Every backend's
    exact lookup uses this, so they agree on what an identifier means.

    >>> id_candidates("https://ror.org/03cve4549")[0][:2]
    ['https://ror.org/03cve4549', 'ror:03cve4549']
    >>> id_candidates("h01l 21/02")
    (['h01l 21/02', 'patent:USH01L21/02', 'cpc:H01L21/02'], 'H01L21/02')
    """
    t = text.strip()
    candidates = [t]
    low = t.lower()
    if low.startswith(("https://ror.org/", "http://ror.org/", "ror.org/")):
        candidates.append("ror:" + t.rstrip("/").rsplit("/", 1)[-1])
    elif len(t) == 9 and t[0] == "0" and t.isalnum():
        candidates.append("ror:" + low)
    upper = t.upper().replace(" ", "")
    number = upper[2:] if upper.startswith("US") else upper
    candidates += ["patent:US" + number, cpc_id(upper)]
    return list(dict.fromkeys(candidates)), upper


def label_of_id(node_id: str) -> NodeLabel | None:
    """The label an id belongs to, from its prefix; None for an unknown prefix."""
    return _PREFIX_TO_LABEL.get(node_id.split(":", 1)[0])


_GROUP_RE: Final = re.compile(r"^([A-HY]\d\d[A-Z])\s*(\d{1,4})/(\d{2,6})$")


def cpc_level(symbol: str) -> str:
    """Level of a CPC symbol: section, class, subclass, main_group or group.

    >>> [cpc_level(s) for s in ("H", "H01", "H01L", "H01L21/00", "H01L21/02")]
    ['section', 'class', 'subclass', 'main_group', 'group']
    """
    s = symbol.replace(" ", "")
    if len(s) == 1:
        return "section"
    if len(s) == 3:
        return "class"
    if len(s) == 4:
        return "subclass"
    m = _GROUP_RE.match(s)
    if m is None:
        raise ValueError(f"not a CPC symbol: {symbol!r}")
    return "main_group" if m.group(3) == "00" else "group"


def cpc_main_group(symbol: str) -> str:
    """Main group of a CPC group symbol: `H01L21/02` -> `H01L21/00`."""
    s = symbol.replace(" ", "")
    head, _, _ = s.partition("/")
    return head + "/00"
