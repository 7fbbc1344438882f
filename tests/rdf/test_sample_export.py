"""The export of the bundled sample: parses back with rdflib in every format, matches its
VoID description and conforms to the SHACL shapes (0 violations).

The sample export holds about 1.2 million triples, so rdflib parsing dominates: the Turtle and
JSON-LD files are parsed in a second process while this one parses and validates N-Triples.
"""

from __future__ import annotations

from concurrent.futures import Future

import pyshacl
import pytest
import rdflib

from tests.rdf.conftest import digest
from ttkg.graph.rdf import SHAPES_PATH, ExportResult, RdfFormat

pytestmark = pytest.mark.slow

VOID = rdflib.Namespace("http://rdfs.org/ns/void#")


def test_sample_export_parses_back_in_every_format(
    sample_exports: dict[RdfFormat, ExportResult],
    sample_rdf: rdflib.Graph,
    sample_other_formats: dict[RdfFormat, Future[tuple[int, str]]],
) -> None:
    assert len(sample_rdf) == sample_exports[RdfFormat.NT].triples > 500_000
    expected = digest(sample_rdf)
    for fmt, future in sample_other_formats.items():
        count, fingerprint = future.result(timeout=900)
        assert count == sample_exports[fmt].triples == len(sample_rdf), fmt
        assert fingerprint == expected, fmt


def test_sample_void_description_counts_the_triples(
    sample_exports: dict[RdfFormat, ExportResult], sample_rdf: rdflib.Graph
) -> None:
    for result in sample_exports.values():
        void = rdflib.Graph().parse(result.description)
        ds = next(void.subjects(rdflib.RDF.type, VOID.Dataset))
        assert void.value(ds, VOID.triples).toPython() == len(sample_rdf)


def test_sample_export_conforms_to_the_shapes(sample_rdf: rdflib.Graph) -> None:
    shapes = rdflib.Graph().parse(SHAPES_PATH)
    conforms, _, text = pyshacl.validate(sample_rdf, shacl_graph=shapes)
    assert conforms, text[:5000]
