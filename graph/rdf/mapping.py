"""The mapping of ttkg nodes and edges onto RDF: one node or edge row in, subject blocks out.

A block is `(subject IRI, [(Prop, value), ...])`; IRI-valued props carry IRI strings, literal
props plain Python values. The writers serialise blocks; nothing here knows about formats.
The mapping is documented for users in docs/rdf.md and ontology.ttl; keep the three in step.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, Final
from urllib.parse import quote

from ttkg.core.model import EdgeType, NodeLabel, OrgKind
from ttkg.graph.rdf.iris import IriMinter, segment
from ttkg.graph.rdf.vocab import NS, C, P, Prop

__all__ = ["DATASET_TITLE", "SCHEMES", "Block", "Mapper", "Pair", "dataset_iri", "licence_iri"]

log = logging.getLogger(__name__)

Pair = tuple[Prop, Any]
Block = tuple[str, list[Pair]]

KIND_CLASS: Final[dict[str, str]] = {
    OrgKind.UNIVERSITY: C.UNIVERSITY,
    OrgKind.COMPANY: C.CORPORATION,
    OrgKind.GOVERNMENT: C.GOVERNMENT,
    OrgKind.HOSPITAL: C.HOSPITAL,
    OrgKind.NONPROFIT: C.NGO,
    OrgKind.INDIVIDUAL: C.INDIVIDUAL_ASSIGNEE,
}


DATASET_TITLE: Final = "ttkg: a knowledge graph of institutions and technologies"


def dataset_iri(build_id: str) -> str:
    """IRI of the dataset a build's export is (also the subject of its VoID description)."""
    return NS.DATASET + segment(build_id)


class SCHEMES:
    """The SKOS concept schemes of the taxonomies."""

    CPC: Final = NS.SCHEME + "cpc"
    WIPO: Final = NS.SCHEME + "wipo-technology"
    OPENALEX: Final = NS.SCHEME + "openalex-topics"


_SCHEME_TITLES: Final = (
    (SCHEMES.CPC, "Cooperative Patent Classification (CPC)"),
    (SCHEMES.WIPO, "WIPO technology concordance: 35 technology fields in 5 sectors"),
    (SCHEMES.OPENALEX, "OpenAlex topic classification: domains, fields, subfields, topics"),
)

_CC_BY: Final = "https://creativecommons.org/licenses/by/4.0/"
_CC_BY_SA: Final = "https://creativecommons.org/licenses/by-sa/4.0/"
_CC0: Final = "https://creativecommons.org/publicdomain/zero/1.0/"
#: Licence names (first word, lower-cased: SPDX ids and common spellings) -> licence IRIs.
_KNOWN_LICENCES: Final[dict[str, str]] = {
    "cc-by-4.0": _CC_BY,
    "cc-by-sa-4.0": _CC_BY_SA,
    "cc0-1.0": _CC0,
    "cc0": _CC0,
}
_SPDX: Final = "http://spdx.org/licenses/"
_SPDX_IDS: Final = ("LGPL-2.1-or-later", "LGPL-2.1-only", "MIT", "Apache-2.0", "ODbL-1.0",
                    "PDDL-1.0", "ODC-By-1.0")
_HTTP_IRI: Final = re.compile(r"^https?://[^\s<>\"{}|\\^`]+$")


def licence_iri(text: str) -> tuple[str, bool]:
    """(IRI, well known?) of a licence named in the manifest: Creative Commons licences by
    their deed IRIs, a few SPDX ids by their SPDX IRIs, an http(s) IRI as itself. Other texts
    get a ttkg licence resource labelled with the text, so `dcterms:license` is always an IRI.
    """
    if _HTTP_IRI.match(text):
        return text, True
    key = re.sub(r"\s+", "-", text.split("(", 1)[0].strip().lower())
    if key in _KNOWN_LICENCES:
        return _KNOWN_LICENCES[key], True
    for spdx in _SPDX_IDS:
        if key == spdx.lower():
            return _SPDX + spdx, True
    return NS.LICENCE + (re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "unnamed"), False


class Mapper:
    """Turns artifact rows into RDF blocks, minting IRIs with an `IriMinter`."""

    def __init__(self, minter: IriMinter) -> None:
        self.iri = minter
        self._sources: dict[str, str] = {}

    # -- provenance ---------------------------------------------------------------------
    def source(self, key: str) -> str:
        """IRI of a source key; remembers every key seen so the export can describe it."""
        iri = self._sources.get(key)
        if iri is None:
            iri = self._sources[key] = self.iri.source(key)
        return iri

    @property
    def seen_sources(self) -> set[str]:
        return set(self._sources)

    def source_blocks(self, sources: Mapping[str, Mapping[str, Any]]) -> Iterator[Block]:
        """One dcat:Dataset/prov:Entity per source of the manifest, with its licence."""
        licences: set[str] = set()
        for key in sorted(sources):
            info = sources[key] or {}
            pairs: list[Pair] = [(P.TYPE, C.DATASET), (P.TYPE, C.ENTITY), (P.IDENTIFIER, key)]
            _opt(pairs, P.TITLE, info.get("name") or key)
            _opt(pairs, P.VERSION, info.get("release"))
            _opt(pairs, P.CITATION, info.get("attribution"))
            url = info.get("url")
            if url and _HTTP_IRI.match(url):
                pairs.append((P.LANDING_PAGE, url))
            licence = info.get("licence")
            if licence:
                lic, known = licence_iri(str(licence))
                pairs.append((P.LICENSE, lic))
                if not known and lic not in licences:
                    licences.add(lic)
                    yield lic, [(P.TYPE, C.LICENSE_DOCUMENT), (P.LABEL, str(licence))]
            yield self.source(key), pairs

    def undescribed_source_blocks(self, described: Iterable[str]) -> Iterator[Block]:
        """Minimal descriptions of source keys rows used but the manifest does not list."""
        for key in sorted(self.seen_sources - set(described)):
            log.warning("source %r is used by rows but missing from the manifest", key)
            yield self.source(key), [(P.TYPE, C.DATASET), (P.TYPE, C.ENTITY),
                                     (P.IDENTIFIER, key), (P.TITLE, key)]

    def dataset_block(self, manifest: Mapping[str, Any]) -> Block:
        """The export itself as a void:Dataset: build id and sources. The VoID/DCAT file
        written next to the export describes the same IRI with counts and distribution."""
        build_id = str(manifest.get("build_id") or "unknown")
        pairs: list[Pair] = [(P.TYPE, C.VOID_DATASET), (P.TYPE, C.DATASET),
                             (P.IDENTIFIER, build_id), (P.TITLE, DATASET_TITLE)]
        pairs += [(P.SOURCE, self.source(k)) for k in sorted(manifest.get("sources") or {})]
        return dataset_iri(build_id), pairs

    @staticmethod
    def scheme_blocks() -> Iterator[Block]:
        """The SKOS concept schemes (CPC, WIPO technology, OpenAlex topics)."""
        for iri, title in _SCHEME_TITLES:
            yield iri, [(P.TYPE, C.CONCEPT_SCHEME), (P.TITLE, title)]

    # -- nodes --------------------------------------------------------------------------
    def node(self, label: NodeLabel, row: Mapping[str, Any]) -> Block:
        """The block describing one node row."""
        method = _NODE_METHODS[label]
        block: Block = method(self, row)
        src = row.get("source")
        if src:
            block[1].append((P.SOURCE, self.source(src)))
        return block

    def _organization(self, row: Mapping[str, Any]) -> Block:
        nid: str = row["id"]
        pairs: list[Pair] = [(P.TYPE, C.ORGANIZATION), (P.TYPE, C.W3C_ORGANIZATION)]
        kind = row.get("kind")
        if kind in KIND_CLASS:
            pairs.append((P.TYPE, KIND_CLASS[kind]))
        pairs.append((P.IDENTIFIER, nid))
        name = row.get("name")
        _opt(pairs, P.NAME, name)
        _opt(pairs, P.ORG_KIND, kind)
        for alias in row.get("aliases") or ():
            if alias and alias != name:
                pairs.append((P.ALTERNATE_NAME, alias))
        for t in row.get("ror_types") or ():
            pairs.append((P.ROR_TYPE, t))
        _opt(pairs, P.FOUNDING_DATE, row.get("established"))
        _opt(pairs, P.ROR_STATUS, row.get("status"))
        _opt(pairs, P.COUNTRY_BASIS, row.get("country_basis"))
        _opt(pairs, P.COUNTRY_CONFIDENCE, row.get("country_confidence"))
        _opt(pairs, P.PATENT_COUNT, row.get("patent_count"))
        return self.iri.node(nid), pairs

    def _patent(self, row: Mapping[str, Any]) -> Block:
        nid: str = row["id"]
        pairs: list[Pair] = [(P.TYPE, C.PATENT), (P.TYPE, C.CREATIVE_WORK), (P.IDENTIFIER, nid)]
        _opt(pairs, P.PATENT_NUMBER, row.get("number"))
        _opt(pairs, P.NAME, row.get("title"))
        _opt(pairs, P.DATE_PUBLISHED, row.get("date"))
        _opt(pairs, P.GRANT_YEAR, row.get("year"))
        _opt(pairs, P.KIND_CODE, row.get("kind"))
        _opt(pairs, P.PATENT_TYPE, row.get("type"))
        _opt(pairs, P.CLAIM_COUNT, row.get("num_claims"))
        return self.iri.node(nid), pairs

    def _work(self, row: Mapping[str, Any]) -> Block:
        """A scholarly work: its OpenAlex IRI, the DOI IRI as schema:sameAs."""
        nid: str = row["id"]
        pairs: list[Pair] = [(P.TYPE, C.SCHOLARLY_ARTICLE), (P.IDENTIFIER, nid)]
        _opt(pairs, P.NAME, row.get("title"))
        _opt(pairs, P.PUBLICATION_YEAR, row.get("year"))
        doi = row.get("doi")
        if doi:
            pairs.append((P.SAME_AS, "https://doi.org/" + quote(doi, safe="/:;()._-")))
        return self.iri.node(nid), pairs

    def _country(self, row: Mapping[str, Any]) -> Block:
        nid: str = row["id"]
        code = row.get("code") or nid.partition(":")[2]
        pairs: list[Pair] = [(P.TYPE, C.COUNTRY), (P.IDENTIFIER, nid)]
        _opt(pairs, P.NAME, row.get("name"))
        _opt(pairs, P.ALPHA2, code)
        _opt(pairs, P.ALPHA3, row.get("alpha3"))
        return self.iri.node(nid), pairs

    def _country_group(self, row: Mapping[str, Any]) -> Block:
        nid: str = row["id"]
        pairs: list[Pair] = [(P.TYPE, C.COUNTRY_GROUP), (P.TYPE, C.COLLECTION),
                             (P.IDENTIFIER, nid), (P.NOTATION, row.get("code") or
                                                    nid.partition(":")[2])]
        _opt(pairs, P.NAME, row.get("name"))
        _opt(pairs, P.GROUP_KIND, row.get("kind"))
        _opt(pairs, P.CITATION, row.get("reference"))
        _opt(pairs, P.AS_OF, row.get("as_of"))
        _opt(pairs, P.SCOPE_NOTE, row.get("note"))
        return self.iri.node(nid), pairs

    def _cpc_class(self, row: Mapping[str, Any]) -> Block:
        nid: str = row["id"]
        level = row.get("level")
        pairs: list[Pair] = [(P.TYPE, C.CONCEPT), (P.TYPE, C.CPC_CLASS), (P.IDENTIFIER, nid),
                             (P.NOTATION, row.get("symbol") or nid.partition(":")[2])]
        _opt(pairs, P.PREF_LABEL, row.get("title"))
        pairs.append((P.IN_SCHEME, SCHEMES.CPC))
        if level == "section":
            pairs.append((P.TOP_CONCEPT_OF, SCHEMES.CPC))
        _opt(pairs, P.LEVEL, level)
        _opt(pairs, P.DOT_LEVEL, row.get("dots"))
        return self.iri.node(nid), pairs

    def _technology_field(self, row: Mapping[str, Any]) -> Block:
        nid: str = row["id"]
        level = row.get("level")
        cls = C.TECHNOLOGY_SECTOR if level == "sector" else C.TECHNOLOGY_FIELD
        pairs: list[Pair] = [(P.TYPE, C.CONCEPT), (P.TYPE, cls), (P.IDENTIFIER, nid)]
        number = row.get("number")
        if level != "sector" and number is not None:
            pairs.append((P.NOTATION, str(number)))
        _opt(pairs, P.PREF_LABEL, row.get("name"))
        pairs.append((P.IN_SCHEME, SCHEMES.WIPO))
        if level == "sector":
            pairs.append((P.TOP_CONCEPT_OF, SCHEMES.WIPO))
        _opt(pairs, P.LEVEL, level)
        _opt(pairs, P.NUMBER, number)
        return self.iri.node(nid), pairs

    def _research_field(self, row: Mapping[str, Any]) -> Block:
        nid: str = row["id"]
        level = row.get("level")
        pairs: list[Pair] = [(P.TYPE, C.CONCEPT), (P.TYPE, C.RESEARCH_FIELD), (P.IDENTIFIER, nid)]
        _opt(pairs, P.PREF_LABEL, row.get("name"))
        pairs.append((P.IN_SCHEME, SCHEMES.OPENALEX))
        if level == "domain":
            pairs.append((P.TOP_CONCEPT_OF, SCHEMES.OPENALEX))
        _opt(pairs, P.LEVEL, level)
        oa = row.get("openalex_id")
        if oa and _HTTP_IRI.match(oa):
            pairs.append((P.EXACT_MATCH, oa))
        return self.iri.node(nid), pairs

    # -- edges --------------------------------------------------------------------------
    def edge(self, etype: EdgeType, row: Mapping[str, Any]) -> list[Block]:
        """The blocks of one edge row: the direct triple(s) and, for edges that carry
        qualifiers, a qualified relation node with them and the edge's source."""
        return _EDGE_METHODS[etype](self, row)

    def _src_iri(self, row: Mapping[str, Any]) -> list[Pair]:
        src = row.get("source")
        return [(P.SOURCE, self.source(src))] if src else []

    def _assigned_to(self, row: Mapping[str, Any]) -> list[Block]:
        patent, org = row["src"], row["dst"]
        p, o = self.iri.node(patent), self.iri.node(org)
        seq = row.get("sequence")
        tail = str(seq) if seq is not None else segment(org)
        q = NS.ASSIGNMENT + segment(patent.partition(":")[2]) + "/" + tail
        pairs: list[Pair] = [(P.TYPE, C.ASSIGNMENT), (P.PATENT, p), (P.ORGANIZATION, o)]
        _opt(pairs, P.ASSIGNEE_SEQUENCE, seq)
        _opt(pairs, P.RAW_NAME, row.get("raw_name"))
        _opt(pairs, P.ASSIGNEE_TYPE, row.get("assignee_type"))
        pairs += self._src_iri(row)
        return [(p, [(P.ASSIGNEE, o), (P.QUALIFIED_ASSIGNMENT, q)]), (q, pairs)]

    def _classified_as(self, row: Mapping[str, Any]) -> list[Block]:
        c = self.iri.node(row["dst"])
        pairs: list[Pair] = [(P.CPC_CLASS, c)]
        if row.get("cpc_type") == "inventional":
            pairs.append((P.INVENTIONAL_CPC_CLASS, c))
        return [(self.iri.node(row["src"]), pairs)]

    def _in_field(self, row: Mapping[str, Any]) -> list[Block]:
        src: str = row["src"]
        prop = P.BROAD_MATCH if src.startswith("cpc:") else P.TECHNOLOGY_FIELD
        return [(self.iri.node(src), [(prop, self.iri.node(row["dst"]))])]

    def _has_topic(self, row: Mapping[str, Any]) -> list[Block]:
        return [(self.iri.node(row["src"]), [(P.ABOUT, self.iri.node(row["dst"]))])]

    def _authored_by(self, row: Mapping[str, Any]) -> list[Block]:
        org = self.iri.node(row["dst"])
        return [(self.iri.node(row["src"]), [(P.SOURCE_ORGANIZATION, org)])]

    def _broader(self, row: Mapping[str, Any]) -> list[Block]:
        return [(self.iri.node(row["src"]), [(P.BROADER, self.iri.node(row["dst"]))])]

    def _located_in(self, row: Mapping[str, Any]) -> list[Block]:
        org, country = row["src"], row["dst"]
        o, c = self.iri.node(org), self.iri.node(country)
        basis = row.get("basis")
        if basis == "ror":
            return [(o, [(P.COUNTRY, c), (P.LOCATION, c)])]
        blocks: list[Block] = [(o, [(P.COUNTRY, c)])]
        if basis:
            q = NS.COUNTRY_INFERENCE + segment(org) + "/" + segment(country.partition(":")[2])
            pairs: list[Pair] = [(P.TYPE, C.COUNTRY_INFERENCE), (P.ORGANIZATION, o),
                                 (P.COUNTRY, c), (P.COUNTRY_BASIS, basis)]
            _opt(pairs, P.INVENTOR_SHARE, row.get("share"))
            blocks.append((q, pairs + self._src_iri(row)))
        return blocks

    def _in_group(self, row: Mapping[str, Any]) -> list[Block]:
        """A current member is a skos:member of its group; a membership with a known date
        (and every former one) is also a ttkg:GroupMembership with its dates."""
        country, group = row["src"], row["dst"]
        c, g = self.iri.node(country), self.iri.node(group)
        since, until = row.get("since"), row.get("until")
        blocks: list[Block] = [] if until else [(g, [(P.MEMBER, c)])]
        if since or until:
            q = (NS.GROUP_MEMBERSHIP + segment(group.partition(":")[2]) + "/"
                 + segment(country.partition(":")[2]))
            pairs: list[Pair] = [(P.TYPE, C.GROUP_MEMBERSHIP), (P.COUNTRY_GROUP, g),
                                 (P.COUNTRY, c)]
            _opt(pairs, P.MEMBER_SINCE, since)
            _opt(pairs, P.MEMBER_UNTIL, until)
            blocks.append((q, pairs + self._src_iri(row)))
        return blocks

    def _part_of(self, row: Mapping[str, Any]) -> list[Block]:
        d = self.iri.node(row["dst"])
        return [(self.iri.node(row["src"]), [(P.SUB_ORGANIZATION_OF, d),
                                             (P.PARENT_ORGANIZATION, d)])]

    def _member_of(self, row: Mapping[str, Any]) -> list[Block]:
        return [(self.iri.node(row["src"]),
                 [(P.MEMBER_OF_FAMILY, self.iri.node(row["dst"]))])]

    def _acts_for(self, row: Mapping[str, Any]) -> list[Block]:
        src, dst = row["src"], row["dst"]
        s, d = self.iri.node(src), self.iri.node(dst)
        q = NS.DELEGATION + segment(src) + "/" + segment(dst)
        pairs: list[Pair] = [(P.TYPE, C.DELEGATION), (P.AGENT, d)]
        _opt(pairs, P.SCORE, row.get("score"))
        _opt(pairs, P.REASON, row.get("reason"))
        return [(s, [(P.ACTS_FOR, d), (P.QUALIFIED_DELEGATION, q)]),
                (q, pairs + self._src_iri(row))]

    # -- derived, evidence-bearing relations -----------------------------------------------
    def field_activity(
        self, org: str, field: str, patents: Sequence[str], total: int | None = None
    ) -> list[Block]:
        """An organisation's activity in a WIPO field, with the patents behind it (`total`:
        the patent count when `patents` is only a first page of the evidence)."""
        o, f = self.iri.node(org), self.iri.node(field)
        q = NS.ACTIVITY + segment(org) + "/" + segment(field)
        count = len(patents) if total is None else total
        pairs: list[Pair] = [(P.TYPE, C.FIELD_ACTIVITY), (P.ORGANIZATION, o),
                             (P.TECHNOLOGY_FIELD, f), (P.PATENT_COUNT, count)]
        pairs += [(P.DERIVED_FROM, self.iri.node(p)) for p in patents]
        return [(o, [(P.ACTIVE_IN, f), (P.QUALIFIED_ACTIVITY, q)]), (q, pairs)]

    def co_ownership(
        self, org_a: str, org_b: str, patents: Sequence[str], total: int | None = None
    ) -> list[Block]:
        """Two organisations holding patents together, with the co-owned patents; the pair
        is put in id order so each relation has one IRI."""
        org_a, org_b = sorted((org_a, org_b))
        a, b = self.iri.node(org_a), self.iri.node(org_b)
        q = NS.CO_OWNERSHIP + segment(org_a) + "/" + segment(org_b)
        count = len(patents) if total is None else total
        pairs: list[Pair] = [(P.TYPE, C.CO_OWNERSHIP), (P.ORGANIZATION, a), (P.ORGANIZATION, b),
                             (P.PATENT_COUNT, count)]
        pairs += [(P.DERIVED_FROM, self.iri.node(p)) for p in patents]
        return [(a, [(P.CO_OWNER_WITH, b), (P.QUALIFIED_CO_OWNERSHIP, q)]),
                (b, [(P.CO_OWNER_WITH, a), (P.QUALIFIED_CO_OWNERSHIP, q)]), (q, pairs)]


def _opt(pairs: list[Pair], prop: Prop, value: Any) -> None:
    if value is not None and value != "":
        pairs.append((prop, value))


_NODE_METHODS: Final = {
    NodeLabel.ORGANIZATION: Mapper._organization,
    NodeLabel.PATENT: Mapper._patent,
    NodeLabel.COUNTRY: Mapper._country,
    NodeLabel.CPC_CLASS: Mapper._cpc_class,
    NodeLabel.TECHNOLOGY_FIELD: Mapper._technology_field,
    NodeLabel.RESEARCH_FIELD: Mapper._research_field,
    NodeLabel.WORK: Mapper._work,
    NodeLabel.COUNTRY_GROUP: Mapper._country_group,
}

_EDGE_METHODS: Final = {
    EdgeType.ASSIGNED_TO: Mapper._assigned_to,
    EdgeType.CLASSIFIED_AS: Mapper._classified_as,
    EdgeType.IN_FIELD: Mapper._in_field,
    EdgeType.BROADER: Mapper._broader,
    EdgeType.LOCATED_IN: Mapper._located_in,
    EdgeType.PART_OF: Mapper._part_of,
    EdgeType.ACTS_FOR: Mapper._acts_for,
    EdgeType.MEMBER_OF: Mapper._member_of,
    EdgeType.HAS_TOPIC: Mapper._has_topic,
    EdgeType.AUTHORED_BY: Mapper._authored_by,
    EdgeType.IN_GROUP: Mapper._in_group,
}
