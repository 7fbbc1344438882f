"""Example SPARQL queries over ttkg RDF exports (the same ones docs/rdf.md shows).

They use standard SPARQL 1.1 only (no reasoning), so they run unchanged in rdflib, Apache Jena
Fuseki, GraphDB, Oxigraph, QLever or Virtuoso. The bridge queries reproduce the answers of
`queries.bridges` (ranks and counts) from the exported qualified relations alone. They are
written as groups that each start from a selective pattern (an organisation's `ttkg:activeIn`)
so that engines without a cost-based optimiser, rdflib among them, answer in seconds.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "DIRECT_BRIDGES",
    "FIELD_EVIDENCE",
    "PARTNERSHIP_BRIDGES",
    "PREFIXES",
    "direct_bridges",
    "field_evidence",
    "partnership_bridges",
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

#: Co-owners, one active in A and the other in B, ranked like `queries.bridges`
#: (partnerships): co-owned patents desc, then count in A + count in B desc, then ids. A pair
#: that qualifies both ways round is listed once, in ttkg id order.
PARTNERSHIP_BRIDGES: Final = PREFIXES + """\
SELECT ?x ?xid ?y ?yid ?coOwned ?countA ?countB WHERE {
  { ?x ttkg:activeIn <%(field_a)s> ; ttkg:qualifiedActivity ?actA ; dcterms:identifier ?xid .
    ?actA ttkg:technologyField ?fieldA ; ttkg:patentCount ?countA .
    FILTER (?fieldA = <%(field_a)s>) }
  { ?x ttkg:qualifiedCoOwnership ?co .
    ?co ttkg:organization ?y ; ttkg:patentCount ?coOwned .
    FILTER (?x != ?y) }
  { ?y ttkg:activeIn <%(field_b)s> ; ttkg:qualifiedActivity ?actB ; dcterms:identifier ?yid .
    ?actB ttkg:technologyField ?fieldB ; ttkg:patentCount ?countB .
    FILTER (?fieldB = <%(field_b)s>) }
  FILTER (?xid < ?yid || NOT EXISTS { ?x ttkg:activeIn <%(field_b)s> .
                                      ?y ttkg:activeIn <%(field_a)s> })
}
ORDER BY DESC(?coOwned) DESC(?countA + ?countB) ?xid ?yid
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


def direct_bridges(field_a: str, field_b: str) -> str:
    """DIRECT_BRIDGES for two field IRIs."""
    return DIRECT_BRIDGES % {"field_a": field_a, "field_b": field_b}


def partnership_bridges(field_a: str, field_b: str) -> str:
    """PARTNERSHIP_BRIDGES for two field IRIs."""
    return PARTNERSHIP_BRIDGES % {"field_a": field_a, "field_b": field_b}


def field_evidence(org: str, field: str) -> str:
    """FIELD_EVIDENCE for an organisation IRI and a field IRI."""
    return FIELD_EVIDENCE % {"org": org, "field": field}
