"""The VoID/DCAT description written next to every export.

It says what the file is (dataset, build id, release date, distribution with media type and
size), what it holds (triple count, entities per class, triples per property) and where the
data came from (each source with its release and licence), so a triple store or a data catalogue
can ingest the export without reading ttkg's code. Small, so built with rdflib.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final
from urllib.parse import quote

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, OWL, RDF, VOID, XSD

from ttkg.graph.rdf.iris import IriMinter, segment
from ttkg.graph.rdf.mapping import DATASET_TITLE, Mapper, dataset_iri
from ttkg.graph.rdf.vocab import DCAT as DCAT_NS
from ttkg.graph.rdf.vocab import DCTERMS as DCTERMS_NS
from ttkg.graph.rdf.vocab import NS, PREFIXES, SCHEMA, SKOS, TTKG, W3C_ORG
from ttkg.graph.rdf.vocab import PROV as PROV_NS
from ttkg.graph.rdf.writers import MEDIA_TYPES, RdfFormat, lexical

__all__ = ["ExportStats", "describe_export", "description_path", "dump_iri"]

_FORMAT_IRIS: Final = {
    RdfFormat.TURTLE: "http://www.w3.org/ns/formats/Turtle",
    RdfFormat.NT: "http://www.w3.org/ns/formats/N-Triples",
    RdfFormat.JSONLD: "http://www.w3.org/ns/formats/JSON-LD",
}
_IANA: Final = "https://www.iana.org/assignments/media-types/"
SHAPES_IRI: Final = "https://w3id.org/ttkg/shapes"


@dataclass
class ExportStats:
    """Counts gathered while writing: triples per property, entities per class."""

    triples: int = 0
    entities: int = 0
    by_property: Counter[str] = field(default_factory=Counter)
    by_class: Counter[str] = field(default_factory=Counter)


def description_path(export_path: Path) -> Path:
    """`ttkg.nt.gz` -> `ttkg.nt.gz.void.ttl`: one description per export file."""
    return export_path.with_name(export_path.name + ".void.ttl")


def dump_iri(export_path: Path, base_url: str | None = None) -> str:
    """The absolute IRI of an export file: under `base_url` when given, else `file:`.

    >>> dump_iri(Path("/data/ttkg.nt"), "https://example.org/dumps")
    'https://example.org/dumps/ttkg.nt'
    >>> dump_iri(Path("/data/ttkg.nt"))
    'file:///data/ttkg.nt'
    """
    if base_url:
        return base_url.rstrip("/") + "/" + quote(export_path.name)
    return export_path.resolve().as_uri()


def describe_export(
    export_path: Path,
    fmt: RdfFormat,
    gzipped: bool,
    stats: ExportStats,
    manifest: Mapping[str, Any],
    base_url: str | None = None,
) -> Path:
    """Write the VoID/DCAT description of an export file next to it; returns its path.

    Every IRI in it is absolute (strict parsers refuse relative ones): the dump is
    `base_url` + the file name when the export will be published there, else the file's own
    `file:` IRI."""
    build_id = str(manifest.get("build_id") or "unknown")
    g = Graph(bind_namespaces="none")
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns, override=True)
    g.bind("void", VOID)
    ds = URIRef(dataset_iri(build_id))
    dist = URIRef(NS.DATASET + segment(build_id) + "/" + fmt.value + (".gz" if gzipped else ""))
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)

    g.add((ds, RDF.type, VOID.Dataset))
    g.add((ds, RDF.type, DCAT.Dataset))
    g.add((ds, DCTERMS.title, Literal(DATASET_TITLE)))
    g.add((ds, DCTERMS.description, Literal(
        "Organisations (ROR-linked where possible), US patents, CPC and WIPO technology "
        "taxonomies, countries, and evidence-bearing relations (field activity, co-ownership) "
        "derived from patent assignments. Each source's licence applies to the data taken "
        "from it; see dcterms:source.")))
    g.add((ds, DCTERMS.identifier, Literal(build_id)))
    g.add((ds, OWL.versionInfo, Literal(build_id)))
    g.add((ds, URIRef(DCAT_NS + "version"), Literal(build_id)))
    built = _datetime(manifest.get("built_at") or manifest.get("created"))
    if built is not None:
        g.add((ds, DCTERMS.created, Literal(built, datatype=XSD.dateTime)))
    g.add((ds, DCTERMS.issued, Literal(now.isoformat(), datatype=XSD.dateTime)))
    g.add((ds, DCTERMS.conformsTo, URIRef(SHAPES_IRI)))
    for vocab in (SCHEMA, W3C_ORG, SKOS, DCTERMS_NS, PROV_NS, TTKG):
        g.add((ds, VOID.vocabulary, URIRef(vocab)))

    g.add((ds, VOID.triples, Literal(stats.triples, datatype=XSD.integer)))
    g.add((ds, VOID.entities, Literal(stats.entities, datatype=XSD.integer)))
    g.add((ds, VOID.classes, Literal(len(stats.by_class), datatype=XSD.integer)))
    g.add((ds, VOID.properties, Literal(len(stats.by_property), datatype=XSD.integer)))
    for cls, n in sorted(stats.by_class.items()):
        part = BNode()
        g.add((ds, VOID.classPartition, part))
        g.add((part, VOID["class"], URIRef(cls)))
        g.add((part, VOID.entities, Literal(n, datatype=XSD.integer)))
    for prop, n in sorted(stats.by_property.items()):
        part = BNode()
        g.add((ds, VOID.propertyPartition, part))
        g.add((part, VOID.property, URIRef(prop)))
        g.add((part, VOID.triples, Literal(n, datatype=XSD.integer)))

    # sources with licences, as in the export itself
    mapper = Mapper(IriMinter())
    sources: Mapping[str, Mapping[str, Any]] = manifest.get("sources") or {}
    for subject, pairs in mapper.source_blocks(sources):
        s = URIRef(subject)
        for p, o in pairs:
            obj = URIRef(o) if p.kind == "iri" else _literal(p, o)
            g.add((s, URIRef(p.iri), obj))
    for key in sorted(sources):
        g.add((ds, DCTERMS.source, URIRef(NS.SOURCE + segment(key))))

    # the distribution: this file
    file_ref = URIRef(dump_iri(export_path, base_url))
    g.add((ds, VOID.dataDump, file_ref))
    g.add((ds, VOID.feature, URIRef(_FORMAT_IRIS[fmt])))
    g.add((ds, DCAT.distribution, dist))
    g.add((dist, RDF.type, DCAT.Distribution))
    g.add((dist, DCTERMS.title, Literal(export_path.name)))
    g.add((dist, DCAT.downloadURL, file_ref))
    g.add((dist, DCAT.mediaType, URIRef(_IANA + MEDIA_TYPES[fmt])))
    g.add((dist, DCTERMS["format"], Literal(MEDIA_TYPES[fmt])))
    if gzipped:
        g.add((dist, DCAT.compressFormat, URIRef(_IANA + "application/gzip")))
    if export_path.is_file():
        size = export_path.stat().st_size
        g.add((dist, DCAT.byteSize, Literal(size, datatype=XSD.nonNegativeInteger)))
    g.add((dist, DCTERMS.conformsTo, URIRef(SHAPES_IRI)))

    out = description_path(export_path)
    tmp = out.with_name(out.name + ".part")
    tmp.write_text(g.serialize(format="turtle"), encoding="utf-8")
    tmp.replace(out)
    return out


def _literal(prop: Any, value: Any) -> Literal:
    if prop.lang:
        return Literal(value, lang=prop.lang)
    if prop.datatype:
        return Literal(lexical(prop, value), datatype=URIRef(prop.datatype))
    return Literal(str(value))


def _datetime(value: Any) -> str | None:
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return parsed.isoformat()
