"""Example SPARQL queries over ttkg RDF exports (the same ones docs/rdf.md shows).

They use standard SPARQL 1.1 only (no reasoning), so they run unchanged in rdflib, Apache Jena
Fuseki, GraphDB, Oxigraph, QLever or Virtuoso. The bridge queries reproduce the answers of
`queries.bridges` (ranks, counts and evidence) from the export alone. Each group starts from
a selective pattern (an organisation's `ttkg:activeIn`, the patents of a field) so that
engines without a cost-based optimiser, rdflib among them, answer in seconds.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "DIRECT_BRIDGES",
    "FIELD_EVIDENCE",
    "PARTNERSHIP_BRIDGES",
    "PARTNERSHIP_EVIDENCE",
    "PREFIXES",
    "direct_bridges",
    "field_evidence",
    "partnership_bridges",
    "partnership_evidence",
]

PREFIXES: Final = """\
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX schema: <http://schema.org/>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX ttkg: <https://w3id.org/ttkg/vocab#>
"""

#: Organisations with patents in both fields, ranked like `queries.bridges` (direct bridges):
#: min(count in A, count in B) desc, then the sum desc, then ttkg id.
DIRECT_BRIDGES: Final = PREFIXES + """\
SELECT ?org ?id ?name ?countA ?countB WHERE {
  { ?org ttkg:activeIn <%(field_a)s>, <%(field_b)s> ;
         dcterms:identifier ?id ; schema:name ?name . }
  { ?org ttkg:qualifiedActivity ?actA .
    ?actA ttkg:technologyField ?fieldA ; ttkg:patentCount ?countA .
    FILTER (?fieldA = <%(field_a)s>) }
  { ?org ttkg:qualifiedActivity ?actB .
    ?actB ttkg:technologyField ?fieldB ; ttkg:patentCount ?countB .
    FILTER (?fieldB = <%(field_b)s>) }
}
ORDER BY DESC(IF(?countA < ?countB, ?countA, ?countB)) DESC(?countA + ?countB) ?id
"""

#: Partnerships, ranked like `queries.bridges`: pairs of organisations co-owning patents that
#: are in A or in B, one of them active in A and the other in B (either way round), listed
#: once in ttkg id order. ?count: their co-owned patents in A or B (the evidence), ?countA and
#: ?countB: those in A and in B, ?coOwned: all their co-owned patents, in any field. Ranked by
#: ?count desc, then ?countA + ?countB desc, then ids. Each branch starts from the patents of
#: one field and reaches the co-ownerships derived from them.
PARTNERSHIP_BRIDGES: Final = PREFIXES + """\
SELECT ?xid ?yid (COUNT(DISTINCT ?p) AS ?count) (COUNT(DISTINCT ?pA) AS ?countA)
       (COUNT(DISTINCT ?pB) AS ?countB) ?coOwned WHERE {
  { ?p ttkg:technologyField <%(field_a)s> . ?co prov:wasDerivedFrom ?p . BIND (?p AS ?pA) }
  UNION
  { ?p ttkg:technologyField <%(field_b)s> . ?co prov:wasDerivedFrom ?p . BIND (?p AS ?pB) }
  ?co a ttkg:CoOwnership ; ttkg:organization ?x, ?y ; ttkg:patentCount ?coOwned .
  ?x dcterms:identifier ?xid .
  ?y dcterms:identifier ?yid .
  FILTER (?xid < ?yid)
  FILTER (EXISTS { ?x ttkg:activeIn <%(field_a)s> . ?y ttkg:activeIn <%(field_b)s> }
          || EXISTS { ?x ttkg:activeIn <%(field_b)s> . ?y ttkg:activeIn <%(field_a)s> })
}
GROUP BY ?xid ?yid ?coOwned
ORDER BY DESC(?count) DESC(?countA + ?countB) ?xid ?yid
"""

#: The evidence of an organisation's activity in a field: its patents there, newest first.
FIELD_EVIDENCE: Final = PREFIXES + """\
SELECT ?patent ?number ?year ?title WHERE {
  <%(org)s> ttkg:qualifiedActivity ?act .
  ?act ttkg:technologyField <%(field)s> ; prov:wasDerivedFrom ?patent .
  ?patent ttkg:patentNumber ?number ; ttkg:grantYear ?year .
  OPTIONAL { ?patent schema:name ?title }
}
ORDER BY DESC(?year) ?number
"""

#: The evidence of a partnership: the patents two organisations co-own that are in A or in B,
#: newest first.
PARTNERSHIP_EVIDENCE: Final = PREFIXES + """\
SELECT DISTINCT ?patent ?number ?year ?title WHERE {
  <%(org_x)s> ttkg:qualifiedCoOwnership ?co .
  ?co ttkg:organization <%(org_y)s> ; prov:wasDerivedFrom ?patent .
  ?patent ttkg:technologyField ?field ; ttkg:patentNumber ?number ; ttkg:grantYear ?year .
  FILTER (?field IN (<%(field_a)s>, <%(field_b)s>))
  OPTIONAL { ?patent schema:name ?title }
}
ORDER BY DESC(?year) ?number
"""


def direct_bridges(field_a: str, field_b: str) -> str:
    """DIRECT_BRIDGES for two field IRIs."""
    return DIRECT_BRIDGES % {"field_a": field_a, "field_b": field_b}


def partnership_bridges(field_a: str, field_b: str) -> str:
    """PARTNERSHIP_BRIDGES for two field IRIs."""
    return PARTNERSHIP_BRIDGES % {"field_a": field_a, "field_b": field_b}


def field_evidence(org: str, field: str) -> str:
    """FIELD_EVIDENCE for an organisation IRI and a field IRI."""
    return FIELD_EVIDENCE % {"org": org, "field": field}


def partnership_evidence(org_x: str, org_y: str, field_a: str, field_b: str) -> str:
    """PARTNERSHIP_EVIDENCE for two organisation IRIs and two field IRIs."""
    return PARTNERSHIP_EVIDENCE % {"org_x": org_x, "org_y": org_y,
                                   "field_a": field_a, "field_b": field_b}
