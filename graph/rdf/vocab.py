"""The RDF vocabulary of ttkg exports: namespaces, classes and the property table.

Every predicate an export writes is a `Prop` listed here, with the datatype of its values, so
that the N-Triples, Turtle and JSON-LD writers and the shipped JSON-LD context
(`context.jsonld`, generated from this table by `context_document()`) agree by construction.
Standard vocabularies are used wherever one fits; `ttkg:` terms (documented with labels and
comments in `ontology.ttl`) cover the rest.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final, Literal

__all__ = [
    "ALL_PROPS",
    "INSTANCE_PREFIXES",
    "NS",
    "PREFIXES",
    "VOCAB_PREFIXES",
    "C",
    "P",
    "Prop",
    "context_document",
]

# --- namespaces ---------------------------------------------------------------------------
RDF: Final = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS: Final = "http://www.w3.org/2000/01/rdf-schema#"
XSD: Final = "http://www.w3.org/2001/XMLSchema#"
OWL: Final = "http://www.w3.org/2002/07/owl#"
SKOS: Final = "http://www.w3.org/2004/02/skos/core#"
SCHEMA: Final = "http://schema.org/"
W3C_ORG: Final = "http://www.w3.org/ns/org#"
DCTERMS: Final = "http://purl.org/dc/terms/"
PROV: Final = "http://www.w3.org/ns/prov#"
DCAT: Final = "http://www.w3.org/ns/dcat#"
VOID: Final = "http://rdfs.org/ns/void#"
SH: Final = "http://www.w3.org/ns/shacl#"

TTKG: Final = "https://w3id.org/ttkg/vocab#"
#: Base of every IRI ttkg mints itself (organisations without ROR id, patents, fields, ...).
ID: Final = "https://w3id.org/ttkg/id/"
ROR: Final = "https://ror.org/"
#: EPO Linked open EP data: CPC symbols, '/' written as '-' (H01L21/02 -> .../cpc/H01L21-02).
EPO_CPC: Final = "http://data.epo.org/linked-data/def/cpc/"
#: EU Publications Office country authority, keyed by ISO 3166-1 alpha-3.
EU_COUNTRY: Final = "http://publications.europa.eu/resource/authority/country/"


class NS:
    """IRI namespaces of the resources ttkg mints (instance data)."""

    PATENT: Final = ID + "patent/"
    ORG: Final = ID + "org/"
    COUNTRY: Final = ID + "country/"  # only for a code without alpha-3 (not in ISO 3166)
    WIPO_FIELD: Final = ID + "wipo/field/"
    WIPO_SECTOR: Final = ID + "wipo/sector/"
    RESEARCH_FIELD: Final = ID + "research-field/"
    SOURCE: Final = ID + "source/"
    LICENCE: Final = ID + "licence/"
    SCHEME: Final = ID + "scheme/"
    ASSIGNMENT: Final = ID + "assignment/"
    ACTIVITY: Final = ID + "activity/"
    CO_OWNERSHIP: Final = ID + "co-ownership/"
    COUNTRY_INFERENCE: Final = ID + "country-inference/"
    COUNTRY_GROUP: Final = ID + "country-group/"
    GROUP_MEMBERSHIP: Final = ID + "group-membership/"
    DELEGATION: Final = ID + "delegation/"
    DATASET: Final = ID + "dataset/"
    NODE: Final = ID + "node/"  # fallback for an id with an unknown prefix


#: Prefixes of the vocabularies (Turtle and the JSON-LD context).
VOCAB_PREFIXES: Final[dict[str, str]] = {
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
    "owl": OWL,
    "skos": SKOS,
    "schema": SCHEMA,
    "org": W3C_ORG,
    "dcterms": DCTERMS,
    "prov": PROV,
    "dcat": DCAT,
    "void": VOID,
    "ttkg": TTKG,
}

#: Prefixes of instance IRIs, used by Turtle only (JSON-LD writes instance IRIs in full, so
#: that JSON terms such as "patent" or "source" stay free). They mirror ttkg ids
#: (`patent:US10000002`), except W3C ORG which owns `org:` by convention.
INSTANCE_PREFIXES: Final[dict[str, str]] = {
    "ror": ROR,
    "cpc": EPO_CPC,
    "country": EU_COUNTRY,
    "patent": NS.PATENT,
    "ttorg": NS.ORG,
    "wipofield": NS.WIPO_FIELD,
    "wiposector": NS.WIPO_SECTOR,
    "source": NS.SOURCE,
}

PREFIXES: Final[dict[str, str]] = {**VOCAB_PREFIXES, **INSTANCE_PREFIXES}


class C:
    """Classes used in exports."""

    # organisations
    ORGANIZATION: Final = SCHEMA + "Organization"
    W3C_ORGANIZATION: Final = W3C_ORG + "Organization"
    UNIVERSITY: Final = SCHEMA + "CollegeOrUniversity"
    CORPORATION: Final = SCHEMA + "Corporation"
    GOVERNMENT: Final = SCHEMA + "GovernmentOrganization"
    HOSPITAL: Final = SCHEMA + "Hospital"
    NGO: Final = SCHEMA + "NGO"
    INDIVIDUAL_ASSIGNEE: Final = TTKG + "IndividualAssignee"
    # patents
    PATENT: Final = TTKG + "Patent"
    CREATIVE_WORK: Final = SCHEMA + "CreativeWork"
    SCHOLARLY_ARTICLE: Final = SCHEMA + "ScholarlyArticle"
    # taxonomies
    CONCEPT: Final = SKOS + "Concept"
    CONCEPT_SCHEME: Final = SKOS + "ConceptScheme"
    CPC_CLASS: Final = TTKG + "CPCClass"
    TECHNOLOGY_FIELD: Final = TTKG + "TechnologyField"
    TECHNOLOGY_SECTOR: Final = TTKG + "TechnologySector"
    RESEARCH_FIELD: Final = TTKG + "ResearchField"
    COUNTRY: Final = SCHEMA + "Country"
    COUNTRY_GROUP: Final = TTKG + "CountryGroup"
    COLLECTION: Final = SKOS + "Collection"
    # qualified relations
    ASSIGNMENT: Final = TTKG + "Assignment"
    FIELD_ACTIVITY: Final = TTKG + "FieldActivity"
    CO_OWNERSHIP: Final = TTKG + "CoOwnership"
    COUNTRY_INFERENCE: Final = TTKG + "CountryInference"
    GROUP_MEMBERSHIP: Final = TTKG + "GroupMembership"
    DELEGATION: Final = PROV + "Delegation"
    # provenance
    VOID_DATASET: Final = VOID + "Dataset"
    DATASET: Final = DCAT + "Dataset"
    ENTITY: Final = PROV + "Entity"
    LICENSE_DOCUMENT: Final = DCTERMS + "LicenseDocument"


PropKind = Literal["iri", "literal"]


@dataclass(frozen=True, slots=True, eq=False)
class Prop:
    """A predicate with the kind and datatype of its objects.

    `term` is the JSON-LD term of the context. For literal properties `datatype` is an XSD
    IRI (None means xsd:string) or `lang` a language tag; values are plain Python values
    (str, int, float) that the writers turn into lexical forms. Props are singletons compared
    by identity (cheap hashing in the writers' hot loops).
    """

    term: str
    iri: str
    kind: PropKind = "literal"
    datatype: str | None = None
    lang: str | None = None
    curie: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "curie", compact_vocab(self.iri))


def compact_vocab(iri: str) -> str:
    """`http://schema.org/name` -> `schema:name` for the vocabulary namespaces."""
    best = ""
    for prefix, ns in VOCAB_PREFIXES.items():
        if iri.startswith(ns) and len(ns) > len(VOCAB_PREFIXES.get(best, "")):
            best = prefix
    if not best:
        raise ValueError(f"no prefix for vocabulary IRI {iri}")
    return f"{best}:{iri[len(VOCAB_PREFIXES[best]):]}"


def _iri(term: str, iri: str) -> Prop:
    return Prop(term, iri, "iri")


def _str(term: str, iri: str) -> Prop:
    return Prop(term, iri)


def _typed(term: str, iri: str, datatype: str) -> Prop:
    return Prop(term, iri, "literal", XSD + datatype)


class P:
    """Every predicate an export writes."""

    TYPE: Final = Prop("@type", RDF + "type", "iri")
    # identity and provenance
    IDENTIFIER: Final = _str("identifier", DCTERMS + "identifier")
    SOURCE: Final = _iri("source", DCTERMS + "source")
    DERIVED_FROM: Final = _iri("wasDerivedFrom", PROV + "wasDerivedFrom")
    TITLE: Final = _str("title", DCTERMS + "title")
    LICENSE: Final = _iri("license", DCTERMS + "license")
    VERSION: Final = _str("version", DCAT + "version")
    LANDING_PAGE: Final = _iri("landingPage", DCAT + "landingPage")
    CITATION: Final = _str("bibliographicCitation", DCTERMS + "bibliographicCitation")
    LABEL: Final = _str("label", RDFS + "label")
    # organisations
    NAME: Final = _str("name", SCHEMA + "name")
    ALTERNATE_NAME: Final = _str("alternateName", SCHEMA + "alternateName")
    FOUNDING_DATE: Final = _typed("foundingDate", SCHEMA + "foundingDate", "gYear")
    ORG_KIND: Final = _str("orgKind", TTKG + "orgKind")
    ROR_TYPE: Final = _str("rorType", TTKG + "rorType")
    ROR_STATUS: Final = _str("rorStatus", TTKG + "rorStatus")
    PATENT_COUNT: Final = _typed("patentCount", TTKG + "patentCount", "integer")
    COUNTRY_BASIS: Final = _str("countryBasis", TTKG + "countryBasis")
    COUNTRY_CONFIDENCE: Final = _typed("countryConfidence", TTKG + "countryConfidence", "double")
    COUNTRY: Final = _iri("country", TTKG + "country")
    LOCATION: Final = _iri("location", SCHEMA + "location")
    SUB_ORGANIZATION_OF: Final = _iri("subOrganizationOf", W3C_ORG + "subOrganizationOf")
    PARENT_ORGANIZATION: Final = _iri("parentOrganization", SCHEMA + "parentOrganization")
    ACTS_FOR: Final = _iri("actsFor", TTKG + "actsFor")
    MEMBER_OF_FAMILY: Final = _iri("memberOfFamily", TTKG + "memberOfFamily")
    QUALIFIED_DELEGATION: Final = _iri("qualifiedDelegation", PROV + "qualifiedDelegation")
    AGENT: Final = _iri("agent", PROV + "agent")
    SCORE: Final = _typed("score", TTKG + "score", "double")
    REASON: Final = _str("reason", TTKG + "reason")
    ACTIVE_IN: Final = _iri("activeIn", TTKG + "activeIn")
    QUALIFIED_ACTIVITY: Final = _iri("qualifiedActivity", TTKG + "qualifiedActivity")
    CO_OWNER_WITH: Final = _iri("coOwnerWith", TTKG + "coOwnerWith")
    QUALIFIED_CO_OWNERSHIP: Final = _iri("qualifiedCoOwnership", TTKG + "qualifiedCoOwnership")
    # patents
    PATENT_NUMBER: Final = _str("patentNumber", TTKG + "patentNumber")
    DATE_PUBLISHED: Final = _typed("datePublished", SCHEMA + "datePublished", "date")
    SAME_AS: Final = _iri("sameAs", SCHEMA + "sameAs")
    ABOUT: Final = _iri("about", SCHEMA + "about")
    SOURCE_ORGANIZATION: Final = _iri("sourceOrganization", SCHEMA + "sourceOrganization")
    GRANT_YEAR: Final = _typed("grantYear", TTKG + "grantYear", "integer")
    PUBLICATION_YEAR: Final = _typed("publicationYear", TTKG + "publicationYear", "integer")
    KIND_CODE: Final = _str("kindCode", TTKG + "kindCode")
    PATENT_TYPE: Final = _str("patentType", TTKG + "patentType")
    CLAIM_COUNT: Final = _typed("claimCount", TTKG + "claimCount", "integer")
    ASSIGNEE: Final = _iri("assignee", TTKG + "assignee")
    QUALIFIED_ASSIGNMENT: Final = _iri("qualifiedAssignment", TTKG + "qualifiedAssignment")
    CPC_CLASS: Final = _iri("cpcClass", TTKG + "cpcClass")
    INVENTIONAL_CPC_CLASS: Final = _iri("inventionalCpcClass", TTKG + "inventionalCpcClass")
    TECHNOLOGY_FIELD: Final = _iri("technologyField", TTKG + "technologyField")
    # qualified relation nodes
    PATENT: Final = _iri("patent", TTKG + "patent")
    ORGANIZATION: Final = _iri("organization", TTKG + "organization")
    ASSIGNEE_SEQUENCE: Final = _typed("assigneeSequence", TTKG + "assigneeSequence", "integer")
    RAW_NAME: Final = _str("rawName", TTKG + "rawName")
    ASSIGNEE_TYPE: Final = _str("assigneeType", TTKG + "assigneeType")
    INVENTOR_SHARE: Final = _typed("inventorShare", TTKG + "inventorShare", "double")
    # taxonomies (SKOS) and countries
    PREF_LABEL: Final = Prop("prefLabel", SKOS + "prefLabel", "literal", None, "en")
    NOTATION: Final = _str("notation", SKOS + "notation")
    IN_SCHEME: Final = _iri("inScheme", SKOS + "inScheme")
    TOP_CONCEPT_OF: Final = _iri("topConceptOf", SKOS + "topConceptOf")
    BROADER: Final = _iri("broader", SKOS + "broader")
    BROAD_MATCH: Final = _iri("broadMatch", SKOS + "broadMatch")
    EXACT_MATCH: Final = _iri("exactMatch", SKOS + "exactMatch")
    LEVEL: Final = _str("level", TTKG + "level")
    DOT_LEVEL: Final = _typed("dotLevel", TTKG + "dotLevel", "integer")
    NUMBER: Final = _typed("number", TTKG + "number", "integer")
    ALPHA2: Final = _str("iso3166Alpha2", TTKG + "iso3166Alpha2")
    ALPHA3: Final = _str("iso3166Alpha3", TTKG + "iso3166Alpha3")
    # country groups
    MEMBER: Final = _iri("member", SKOS + "member")
    SCOPE_NOTE: Final = Prop("scopeNote", SKOS + "scopeNote", "literal", None, "en")
    GROUP_KIND: Final = _str("groupKind", TTKG + "groupKind")
    AS_OF: Final = _str("membershipAsOf", TTKG + "membershipAsOf")
    COUNTRY_GROUP: Final = _iri("countryGroup", TTKG + "countryGroup")
    MEMBER_SINCE: Final = _str("memberSince", TTKG + "memberSince")
    MEMBER_UNTIL: Final = _str("memberUntil", TTKG + "memberUntil")


ALL_PROPS: Final[tuple[Prop, ...]] = tuple(v for v in vars(P).values() if isinstance(v, Prop))


def _check_unique() -> None:
    terms = [p.term for p in ALL_PROPS]
    iris = [p.iri for p in ALL_PROPS]
    if len(set(terms)) != len(terms) or len(set(iris)) != len(iris):
        raise RuntimeError("ttkg.graph.rdf.vocab: a JSON-LD term or predicate IRI is listed twice")


_check_unique()


def context_document() -> dict[str, Any]:
    """The JSON-LD context of ttkg exports (shipped as graph/rdf/context.jsonld)."""
    ctx: dict[str, Any] = dict(VOCAB_PREFIXES)
    for p in ALL_PROPS:
        if p is P.TYPE:
            continue
        if p.kind == "iri":
            ctx[p.term] = {"@id": p.curie, "@type": "@id"}
        elif p.lang:
            ctx[p.term] = {"@id": p.curie, "@language": p.lang}
        elif p.datatype:
            ctx[p.term] = {"@id": p.curie, "@type": compact_vocab(p.datatype)}
        else:
            ctx[p.term] = p.curie
    return {"@context": ctx}
