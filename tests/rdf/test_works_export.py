"""Works and the OpenAlex taxonomy in the RDF export of the bundled sample, read back and
checked against the raw OpenAlex works: each work a schema:ScholarlyArticle at its OpenAlex
IRI with its DOI IRI (schema:sameAs), publication year, organisations and topics; topics in
SKOS, broader up to a domain that tops the OpenAlex scheme; the SHACL shapes of works and
research fields hold (0 violations)."""

from __future__ import annotations

from pathlib import Path

import pyshacl
import pytest
import rdflib
from rdflib.namespace import RDF, SKOS

from tests.queries.test_research import RawWorks
from ttkg.graph.rdf import SHAPES_PATH, RdfFormat, export_rdf

SCHEMA = rdflib.Namespace("http://schema.org/")
SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
TTKG = rdflib.Namespace("https://w3id.org/ttkg/vocab#")
_KEEP = ("<https://openalex.org/W", "<https://w3id.org/ttkg/id/research-field/")


@pytest.fixture(scope="module")
def works_rdf(sample_graph: Path, tmp_path_factory: pytest.TempPathFactory) -> rdflib.Graph:
    """The triples about works and research fields from the sample's N-Triples export, with
    the rdf:type of every node they point to."""
    out = export_rdf(sample_graph, tmp_path_factory.mktemp("works-rdf") / "s.nt", RdfFormat.NT)
    lines = out.path.read_text(encoding="utf-8").splitlines()
    kept = [line for line in lines if line.startswith(_KEEP)]
    objects = {line.split(" ", 2)[2].rsplit(" ", 1)[0] for line in kept}
    type_of = f"<{RDF.type}>"
    kept += [
        line
        for line in lines
        if line.split(" ", 1)[0] in objects and line.split(" ", 2)[1] == type_of
    ]
    return rdflib.Graph().parse(data="\n".join(kept), format="nt")


@pytest.fixture(scope="module")
def raw(sample_graph: Path) -> RawWorks:
    return RawWorks.read(sample_graph)


def test_works_are_scholarly_articles_with_doi_and_openalex_iris(
    works_rdf: rdflib.Graph, raw: RawWorks
) -> None:
    articles = set(works_rdf.subjects(RDF.type, SCHEMA.ScholarlyArticle))
    assert {str(a) for a in articles} == {
        "https://openalex.org/" + w.removeprefix("work:") for w in raw.year
    }
    for a in articles:
        wid = "work:" + str(a).rsplit("/", 1)[1]
        doi = raw.doi[wid]
        same = {str(o) for o in works_rdf.objects(a, SCHEMA.sameAs)}
        assert same == ({"https://doi.org/" + doi} if doi else set())
        year = works_rdf.value(a, TTKG.publicationYear)
        assert (year.toPython() if year is not None else None) == raw.year[wid]
        assert len(set(works_rdf.objects(a, SCHEMA.sourceOrganization))) == len(raw.orgs[wid])
        fields = {
            int(str(f).rsplit(":", 1)[1])
            for t in works_rdf.objects(a, SCHEMA.about)
            for f in works_rdf.transitive_objects(t, SKOS.broader)
            if "/research-field/field:" in str(f)
        }
        assert fields == raw.fields[wid]


def test_openalex_taxonomy_is_skos(works_rdf: rdflib.Graph) -> None:
    topics = {t for t in works_rdf.objects(None, SCHEMA.about)}
    assert len(topics) > 100
    for t in topics:
        chain = list(works_rdf.transitive_objects(t, SKOS.broader))
        assert len(chain) == 4  # topic, subfield, field, domain
        assert works_rdf.value(chain[-1], SKOS.topConceptOf) is not None
        assert str(works_rdf.value(t, SKOS.exactMatch)).startswith("https://openalex.org/T")


def test_works_and_research_fields_conform_to_their_shapes(works_rdf: rdflib.Graph) -> None:
    shapes = rdflib.Graph().parse(SHAPES_PATH)
    mine = {SCHEMA.ScholarlyArticle, TTKG.ResearchField}
    targets = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
    for target in targets:  # only the shapes of works and research fields
        for shape, cls in list(shapes.subject_objects(target)):
            if cls not in mine:
                shapes.remove((shape, target, cls))
    assert {c for _, c in shapes.subject_objects(SH.targetClass)} == mine
    conforms, _, text = pyshacl.validate(works_rdf, shacl_graph=shapes)
    assert conforms, text[:3000]
