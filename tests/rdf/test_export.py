"""Whole-graph exports of the real fixture slice: every format, the mapping of every row, the
derived relations, the VoID/DCAT description and the SHACL shapes."""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pyshacl
import pytest
import rdflib
from rdflib import Literal, URIRef
from rdflib.namespace import RDF

import ttkg.graph.rdf.derived as derived
from tests.rdf.conftest import fixture_rows, parse
from ttkg.graph.rdf import SHAPES_PATH, ExportResult, RdfFormat, export_rdf
from ttkg.graph.rdf.iris import IriMinter
from ttkg.graph.rdf.vocab import C, P

# open namespaces (rdflib's closed ones warn when pytest inspects module attributes)
DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
DCTERMS = rdflib.Namespace("http://purl.org/dc/terms/")
PROV = rdflib.Namespace("http://www.w3.org/ns/prov#")
SKOS = rdflib.Namespace("http://www.w3.org/2004/02/skos/core#")
VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
XSD = rdflib.Namespace("http://www.w3.org/2001/XMLSchema#")
SCHEMA = rdflib.Namespace("http://schema.org/")
TTKG = rdflib.Namespace("https://w3id.org/ttkg/vocab#")
W3C_ORG = rdflib.Namespace("http://www.w3.org/ns/org#")
MINT = IriMinter()


def iri(node_id: str) -> URIRef:
    return URIRef(MINT.node(node_id))


def rows(kind: str, name: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = fixture_rows()[kind].get(name, [])
    return found


# -- formats ------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", list(RdfFormat))
def test_every_format_parses_back_to_the_same_triples(
    fixture_exports: dict[RdfFormat, ExportResult], fixture_rdf: rdflib.Graph, fmt: RdfFormat
) -> None:
    g = parse(fixture_exports[fmt].path, fmt)
    assert len(g) == fixture_exports[fmt].triples  # no statement written twice
    assert set(g) == set(fixture_rdf)


def test_gzip_export_is_the_same_graph_compressed(
    fixture_graph: Path, fixture_rdf: rdflib.Graph, tmp_path: Path
) -> None:
    result = export_rdf(fixture_graph, tmp_path / "ttkg.ttl", RdfFormat.TURTLE, gzipped=True)
    assert result.path == tmp_path / "ttkg.ttl.gz"
    assert result.path.read_bytes()[:2] == b"\x1f\x8b"
    assert set(parse(result.path, RdfFormat.TURTLE)) == set(fixture_rdf)
    void = rdflib.Graph().parse(result.description)
    gz = URIRef("https://www.iana.org/assignments/media-types/application/gzip")
    assert (None, DCAT.compressFormat, gz) in void
    assert not list(tmp_path.glob("*.part"))


def test_output_does_not_depend_on_batch_or_chunk_sizes(
    fixture_graph: Path, fixture_exports: dict[RdfFormat, ExportResult], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Row batches and the chunks of the derived-relation scan cut groups anywhere; the
    streamed output must be byte-identical to one-batch processing."""
    monkeypatch.setattr(derived, "_CHUNK", 3)
    small = export_rdf(fixture_graph, tmp_path / "small.nt", RdfFormat.NT, batch_size=5)
    assert small.path.read_bytes() == fixture_exports[RdfFormat.NT].path.read_bytes()


def test_tricky_strings_survive_every_format(
    fixture_exports: dict[RdfFormat, ExportResult],
) -> None:
    title = next(r["title"] for r in rows("nodes", "Patent") if '"' in r["title"])
    raw = next(r["raw_name"] for r in rows("edges", "ASSIGNED_TO") if "\n" in r["raw_name"])
    for fmt, result in fixture_exports.items():
        g = parse(result.path, fmt)
        assert (None, SCHEMA.name, Literal(title)) in g, fmt
        assert (None, TTKG.rawName, Literal(raw)) in g, fmt


# -- mapping of stored rows -------------------------------------------------------------------


def test_organizations(fixture_rdf: rdflib.Graph) -> None:
    kind_class = {"university": SCHEMA.CollegeOrUniversity, "company": SCHEMA.Corporation,
                  "nonprofit": SCHEMA.NGO, "hospital": SCHEMA.Hospital,
                  "individual": TTKG.IndividualAssignee}
    for row in rows("nodes", "Organization"):
        s = iri(row["id"])
        if row["ror_id"]:
            assert str(s) == row["ror_id"]
        types = set(fixture_rdf.objects(s, RDF.type))
        assert {SCHEMA.Organization, W3C_ORG.Organization, kind_class[row["kind"]]} <= types
        assert fixture_rdf.value(s, SCHEMA.name) == Literal(row["name"])
        assert fixture_rdf.value(s, DCTERMS.identifier) == Literal(row["id"])
        assert set(fixture_rdf.objects(s, SCHEMA.alternateName)) == {
            Literal(a) for a in row["aliases"] if a != row["name"]
        }
        assert fixture_rdf.value(s, TTKG.patentCount).toPython() == row["patent_count"]
        founded = fixture_rdf.value(s, SCHEMA.foundingDate)
        if row["established"] is None:
            assert founded is None
        else:
            assert founded == Literal(f"{row['established']:04d}", datatype=XSD.gYear)
        assert fixture_rdf.value(s, DCTERMS.source) == URIRef(MINT.source(row["source"]))


def test_patents(fixture_rdf: rdflib.Graph) -> None:
    for row in rows("nodes", "Patent"):
        s = iri(row["id"])
        assert {URIRef(C.PATENT), SCHEMA.CreativeWork} <= set(fixture_rdf.objects(s, RDF.type))
        assert fixture_rdf.value(s, SCHEMA.name) == Literal(row["title"])
        assert fixture_rdf.value(s, SCHEMA.datePublished) == Literal(row["date"], datatype=XSD.date)
        assert fixture_rdf.value(s, TTKG.grantYear).toPython() == row["year"]
        assert fixture_rdf.value(s, TTKG.patentNumber) == Literal(row["number"])
        assert fixture_rdf.value(s, TTKG.claimCount).toPython() == row["num_claims"]


def test_taxonomies(fixture_rdf: rdflib.Graph) -> None:
    for row in rows("nodes", "CPCClass"):
        s = iri(row["id"])
        assert fixture_rdf.value(s, SKOS.notation) == Literal(row["symbol"])
        assert fixture_rdf.value(s, SKOS.prefLabel) == Literal(row["title"], lang="en")
    broader = {(iri(r["src"]), iri(r["dst"])) for r in rows("edges", "BROADER")}
    assert set(fixture_rdf.subject_objects(SKOS.broader)) == broader
    cpc_fields = {(iri(r["src"]), iri(r["dst"])) for r in rows("edges", "IN_FIELD")
                  if r["src"].startswith("cpc:")}
    assert set(fixture_rdf.subject_objects(SKOS.broadMatch)) == cpc_fields
    sectors = [r for r in rows("nodes", "TechnologyField") if r["level"] == "sector"]
    assert len(set(fixture_rdf.subjects(SKOS.topConceptOf, None))) == len(sectors) + len(
        [r for r in rows("nodes", "CPCClass") if r["level"] == "section"]
    )


def test_patent_edges(fixture_rdf: rdflib.Graph) -> None:
    assigned = rows("edges", "ASSIGNED_TO")
    assert set(fixture_rdf.subject_objects(TTKG.assignee)) == {
        (iri(r["src"]), iri(r["dst"])) for r in assigned
    }
    for r in assigned:
        q = next(q for q in fixture_rdf.objects(iri(r["src"]), TTKG.qualifiedAssignment)
                 if fixture_rdf.value(q, TTKG.organization) == iri(r["dst"]))
        assert fixture_rdf.value(q, TTKG.rawName) == Literal(r["raw_name"])
        assert fixture_rdf.value(q, TTKG.assigneeSequence).toPython() == r["sequence"]
        assert fixture_rdf.value(q, DCTERMS.source) == URIRef(MINT.source(r["source"]))
    classified = rows("edges", "CLASSIFIED_AS")
    assert set(fixture_rdf.subject_objects(TTKG.cpcClass)) == {
        (iri(r["src"]), iri(r["dst"])) for r in classified
    }
    assert set(fixture_rdf.subject_objects(TTKG.inventionalCpcClass)) == {
        (iri(r["src"]), iri(r["dst"])) for r in classified if r["cpc_type"] == "inventional"
    }
    in_field = {(iri(r["src"]), iri(r["dst"])) for r in rows("edges", "IN_FIELD")
                if r["src"].startswith("patent:")}
    assert {(s, o) for s, o in fixture_rdf.subject_objects(TTKG.technologyField)
            if (s, RDF.type, URIRef(C.PATENT)) in fixture_rdf} == in_field


def test_organization_edges(fixture_rdf: rdflib.Graph) -> None:
    located = rows("edges", "LOCATED_IN")
    assert set(fixture_rdf.subject_objects(TTKG.country)) >= {
        (iri(r["src"]), iri(r["dst"])) for r in located
    }
    assert set(fixture_rdf.subject_objects(SCHEMA.location)) == {
        (iri(r["src"]), iri(r["dst"])) for r in located if r["basis"] == "ror"
    }
    inferred = [r for r in located if r["basis"] == "inventors"]
    assert inferred
    for r in inferred:
        q = next(x for x in fixture_rdf.subjects(RDF.type, URIRef(C.COUNTRY_INFERENCE))
                 if fixture_rdf.value(x, TTKG.organization) == iri(r["src"]))
        assert fixture_rdf.value(q, TTKG.country) == iri(r["dst"])
        assert fixture_rdf.value(q, TTKG.inventorShare).toPython() == pytest.approx(r["share"])
    for r in rows("edges", "PART_OF"):
        assert (iri(r["src"]), W3C_ORG.subOrganizationOf, iri(r["dst"])) in fixture_rdf
        assert (iri(r["src"]), SCHEMA.parentOrganization, iri(r["dst"])) in fixture_rdf
    for r in rows("edges", "ACTS_FOR"):
        assert (iri(r["src"]), TTKG.actsFor, iri(r["dst"])) in fixture_rdf
        d = fixture_rdf.value(iri(r["src"]), PROV.qualifiedDelegation)
        assert fixture_rdf.value(d, PROV.agent) == iri(r["dst"])
        assert fixture_rdf.value(d, TTKG.score).toPython() == pytest.approx(r["score"])


def test_country_iris_come_from_the_eu_authority(fixture_rdf: rdflib.Graph) -> None:
    for row in rows("nodes", "Country"):
        s = URIRef("http://publications.europa.eu/resource/authority/country/" + row["alpha3"])
        assert fixture_rdf.value(s, TTKG.iso3166Alpha2) == Literal(row["code"])


# -- derived relations, checked against a plain-Python computation from the rows ---------------


def _expected_activity() -> dict[tuple[str, str], set[str]]:
    owners: dict[str, set[str]] = defaultdict(set)
    for r in rows("edges", "ASSIGNED_TO"):
        owners[r["src"]].add(r["dst"])
    out: dict[tuple[str, str], set[str]] = defaultdict(set)
    for r in rows("edges", "IN_FIELD"):
        if r["src"].startswith("patent:") and r["dst"].startswith("wipo:field:"):
            for org in owners[r["src"]]:
                out[(org, r["dst"])].add(r["src"])
    return out


def _expected_co_ownership() -> dict[frozenset[str], set[str]]:
    owners: dict[str, set[str]] = defaultdict(set)
    for r in rows("edges", "ASSIGNED_TO"):
        owners[r["src"]].add(r["dst"])
    out: dict[frozenset[str], set[str]] = defaultdict(set)
    for patent, orgs in owners.items():
        for a in orgs:
            for b in orgs:
                if a < b:
                    out[frozenset((a, b))].add(patent)
    return out


def test_field_activity_with_evidence(fixture_rdf: rdflib.Graph) -> None:
    found = {}
    for act in fixture_rdf.subjects(RDF.type, URIRef(C.FIELD_ACTIVITY)):
        org = fixture_rdf.value(act, TTKG.organization)
        fld = fixture_rdf.value(act, TTKG.technologyField)
        evidence = set(fixture_rdf.objects(act, PROV.wasDerivedFrom))
        assert fixture_rdf.value(act, TTKG.patentCount).toPython() == len(evidence)
        assert (org, TTKG.activeIn, fld) in fixture_rdf
        assert (org, TTKG.qualifiedActivity, act) in fixture_rdf
        found[(org, fld)] = evidence
    expected = _expected_activity()
    assert found == {(iri(o), iri(f)): {iri(p) for p in ps} for (o, f), ps in expected.items()}
    assert any(len(v) > 1 for v in found.values())


def test_co_ownership_with_evidence(fixture_rdf: rdflib.Graph) -> None:
    found = {}
    for co in fixture_rdf.subjects(RDF.type, URIRef(C.CO_OWNERSHIP)):
        a, b = sorted(fixture_rdf.objects(co, TTKG.organization))
        evidence = set(fixture_rdf.objects(co, PROV.wasDerivedFrom))
        assert fixture_rdf.value(co, TTKG.patentCount).toPython() == len(evidence)
        assert (a, TTKG.coOwnerWith, b) in fixture_rdf and (b, TTKG.coOwnerWith, a) in fixture_rdf
        found[frozenset((a, b))] = evidence
    expected = _expected_co_ownership()
    assert found == {frozenset(iri(x) for x in k): {iri(p) for p in v} for k, v in expected.items()}
    tsinghua_hon_hai = frozenset((iri("ror:03cve4549"), iri("org:hon-hai-precision-industry")))
    assert len(found[tsinghua_hon_hai]) == len(expected[frozenset(
        ("ror:03cve4549", "org:hon-hai-precision-industry"))])


# -- provenance and the VoID/DCAT description ---------------------------------------------------


def test_sources_carry_licences(fixture_rdf: rdflib.Graph) -> None:
    sources = fixture_rows()["sources"]
    for key, info in sources.items():
        s = URIRef(MINT.source(key))
        assert fixture_rdf.value(s, DCTERMS.title) == Literal(info["name"])
        assert fixture_rdf.value(s, DCTERMS.license) is not None
    cc_by = URIRef("https://creativecommons.org/licenses/by/4.0/")
    assert fixture_rdf.value(URIRef(MINT.source("patentsview")), DCTERMS.license) == cc_by
    cc0 = URIRef("https://creativecommons.org/publicdomain/zero/1.0/")
    assert fixture_rdf.value(URIRef(MINT.source("ror")), DCTERMS.license) == cc0


@pytest.mark.parametrize("fmt", list(RdfFormat))
def test_void_description_counts_what_the_file_holds(
    fixture_exports: dict[RdfFormat, ExportResult], fmt: RdfFormat
) -> None:
    result = fixture_exports[fmt]
    g = parse(result.path, fmt)
    void = rdflib.Graph().parse(result.description, publicID=result.description.as_uri())
    ds = next(void.subjects(RDF.type, VOID.Dataset))
    assert (ds, RDF.type, VOID.Dataset) in g  # the same dataset IRI inside the export
    assert void.value(ds, VOID.triples).toPython() == len(g)
    classes = Counter(o for _, o in g.subject_objects(RDF.type))
    for part in void.objects(ds, VOID.classPartition):
        cls = void.value(part, VOID["class"])
        assert void.value(part, VOID.entities).toPython() == classes[cls], cls
    assert len(list(void.objects(ds, VOID.classPartition))) == len(classes)
    predicates = Counter(p for _, p, _ in g)
    for part in void.objects(ds, VOID.propertyPartition):
        prop = void.value(part, VOID.property)
        assert void.value(part, VOID.triples).toPython() == predicates[prop], prop
    dist = void.value(ds, DCAT.distribution)
    assert void.value(dist, DCAT.byteSize).toPython() == result.path.stat().st_size
    assert void.value(dist, DCAT.downloadURL) == URIRef(result.path.as_uri())
    media = {"turtle": "text/turtle", "nt": "application/n-triples",
             "jsonld": "application/ld+json"}[fmt]
    assert str(void.value(dist, DCAT.mediaType)).endswith(media)
    build_id = void.value(ds, DCTERMS.identifier)
    assert str(ds).endswith("/dataset/" + str(build_id))
    licences = {void.value(s, DCTERMS.license) for s in void.objects(ds, DCTERMS.source)}
    assert URIRef("https://creativecommons.org/licenses/by/4.0/") in licences


# -- SHACL ------------------------------------------------------------------------------------


def _validate(g: rdflib.Graph) -> tuple[bool, rdflib.Graph]:
    shapes = rdflib.Graph().parse(SHAPES_PATH)
    conforms, report, _ = pyshacl.validate(g, shacl_graph=shapes)
    return bool(conforms), report


def test_fixture_export_conforms_to_the_shapes(fixture_rdf: rdflib.Graph) -> None:
    conforms, report = _validate(fixture_rdf)
    assert conforms, report.serialize(format="turtle")


def _drop_evidence_assignee(g: rdflib.Graph) -> URIRef:
    act = next(iter(sorted(g.subjects(RDF.type, URIRef(C.FIELD_ACTIVITY)))))
    patent = next(g.objects(act, PROV.wasDerivedFrom))
    g.remove((patent, TTKG.assignee, g.value(act, TTKG.organization)))
    return act


def _second_name(g: rdflib.Graph) -> URIRef:
    org = URIRef("https://ror.org/042nb2s44")
    g.add((org, SCHEMA.name, Literal("MIT")))
    return org


def _unlicensed_source(g: rdflib.Graph) -> URIRef:
    src = URIRef(MINT.source("ror"))
    g.remove((src, DCTERMS.license, None))
    return src


def _unknown_broader(g: rdflib.Graph) -> URIRef:
    cpc = next(iter(sorted(g.subjects(RDF.type, URIRef(C.CPC_CLASS)))))
    g.add((cpc, SKOS.broader, URIRef(MINT.node("wipo:field:8"))))
    return cpc


def _co_owner_link_missing(g: rdflib.Graph) -> URIRef:
    co = next(iter(sorted(g.subjects(RDF.type, URIRef(C.CO_OWNERSHIP)))))
    a = g.value(co, TTKG.organization)
    g.remove((a, TTKG.coOwnerWith, None))
    return co


@pytest.mark.parametrize(
    "tamper",
    [_drop_evidence_assignee, _second_name, _unlicensed_source, _unknown_broader,
     _co_owner_link_missing],
)
def test_shapes_catch_broken_exports(fixture_rdf: rdflib.Graph, tamper: Any) -> None:
    g = rdflib.Graph()
    g += fixture_rdf
    culprit = tamper(g)
    conforms, report = _validate(g)
    assert not conforms
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    named = {o for r in report.subjects(RDF.type, sh.ValidationResult)
             for o in (report.value(r, sh.focusNode), report.value(r, sh.value))}
    assert culprit in named


def test_prop_table_and_exported_predicates_agree(fixture_rdf: rdflib.Graph) -> None:
    """Every predicate in an export comes from the Prop table (documented in the ontology)."""
    known = {URIRef(p.iri) for p in vars(P).values() if hasattr(p, "iri")}
    assert set(fixture_rdf.predicates()) <= known
