"""The shipped vocabulary files agree with the code, and IRIs are minted as documented."""

from __future__ import annotations

import json

import pytest
import rdflib
from rdflib.namespace import OWL, RDF, RDFS

from ttkg.graph.rdf import CONTEXT_PATH, ONTOLOGY_PATH, SHAPES_PATH
from ttkg.graph.rdf.iris import IriMinter, cpc_iri
from ttkg.graph.rdf.vocab import ALL_PROPS, TTKG, C, context_document


def _ttkg_terms_in_code() -> set[str]:
    props = {p.iri for p in ALL_PROPS}
    classes = {v for k, v in vars(C).items() if not k.startswith("_") and isinstance(v, str)}
    return {t for t in props | classes if t.startswith(TTKG)}


def test_shipped_context_is_the_generated_one() -> None:
    assert json.loads(CONTEXT_PATH.read_text(encoding="utf-8")) == context_document()


def test_every_ttkg_term_is_documented_in_the_ontology_and_none_is_stale() -> None:
    onto = rdflib.Graph().parse(ONTOLOGY_PATH)
    declared = {
        str(s)
        for cls in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
        for s in onto.subjects(RDF.type, cls)
        if str(s).startswith(TTKG)
    }
    assert declared == _ttkg_terms_in_code()
    for term in declared:
        ref = rdflib.URIRef(term)
        assert onto.value(ref, RDFS.label) is not None, term
        comment = onto.value(ref, RDFS.comment)
        assert comment is not None and len(str(comment)) > 20, term


def test_shapes_parse_and_target_every_ttkg_class() -> None:
    shapes = rdflib.Graph().parse(SHAPES_PATH)
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    targeted = {str(o) for o in shapes.objects(None, sh.targetClass)}
    ttkg_classes = {v for k, v in vars(C).items()
                    if not k.startswith("_") and isinstance(v, str) and v.startswith(TTKG)}
    # individual assignees are validated as organisations
    assert ttkg_classes - targeted == {C.INDIVIDUAL_ASSIGNEE}


@pytest.mark.parametrize(
    ("node_id", "iri"),
    [
        ("ror:03vek6s52", "https://ror.org/03vek6s52"),
        ("org:hon-hai-precision-industry", "https://w3id.org/ttkg/id/org/hon-hai-precision-industry"),
        ("org:société générale", "https://w3id.org/ttkg/id/org/soci%C3%A9t%C3%A9%20g%C3%A9n%C3%A9rale"),
        ("patent:US10000002", "https://w3id.org/ttkg/id/patent/US10000002"),
        ("patent:USRE46000", "https://w3id.org/ttkg/id/patent/USRE46000"),
        ("cpc:H01L21/02", "http://data.epo.org/linked-data/def/cpc/H01L21-02"),
        ("cpc:H01L", "http://data.epo.org/linked-data/def/cpc/H01L"),
        ("cpc:Y02E10/50", "http://data.epo.org/linked-data/def/cpc/Y02E10-50"),
        ("country:US", "http://publications.europa.eu/resource/authority/country/USA"),
        ("country:CN", "http://publications.europa.eu/resource/authority/country/CHN"),
        ("wipo:field:8", "https://w3id.org/ttkg/id/wipo/field/8"),
        ("wipo:sector:1", "https://w3id.org/ttkg/id/wipo/sector/1"),
    ],
)
def test_iri_of_node_id(node_id: str, iri: str) -> None:
    assert IriMinter().node(node_id) == iri


def test_country_iri_prefers_the_artifact_alpha3_and_never_invents_an_authority_code() -> None:
    minter = IriMinter({"XK": "XKX"})  # Kosovo: user-assigned code, not in ISO 3166
    assert minter.node("country:XK").endswith("/country/XKX")
    # a code neither the artifact nor ISO knows gets a ttkg IRI, not a made-up EU one
    assert IriMinter().node("country:ZZ") == "https://w3id.org/ttkg/id/country/ZZ"


def test_cpc_iri_ignores_the_spaces_of_printed_symbols() -> None:
    assert cpc_iri("A44B 11/2523") == "http://data.epo.org/linked-data/def/cpc/A44B11-2523"
