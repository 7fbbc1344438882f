"""Research fields (OpenAlex) in queries: resolving them, and direct bridges between a research
field and a research or technology field, with works (and patents) as evidence.

What is counted, exactly:

* a work is *in* research field R when one of its listed topics (HAS_TOPIC) is R or falls
  under R through BROADER (topic -> subfield -> field -> domain);
* an organisation *publishes in* R with the number of distinct works in R that list it
  among their authorships' organisations (AUTHORED_BY, any basis);
* research x research direct bridge: an organisation that publishes in both R1 and R2
  (counts: works in R1, works in R2; a work in both counts on both sides);
* science-technology direct bridge: an organisation that publishes in R and holds patents in
  technology field T (counts: works in R; patents in T as `field_org_counts` counts them for
  technology bridges);
* ranking as for technology bridges: by the smaller of the two counts, then the larger, then
  the organisation id; evidence: the newest works (DOI, year, title) and patents.

Partnership bridges (co-authorship), paths through works and research-field profiles are not
implemented yet. Years, country and kind filters are not applied to works.

The works of a research field come from the backend: the embedded backend reads its
artifact's tables; the Neo4j backend runs one Cypher query. This module reaches into both
(rather than the backend contract) so that it adds to them without changing their shared
code; moving it into the contract is the next step.
"""

from __future__ import annotations

import re
import weakref
from collections import defaultdict
from dataclasses import dataclass
from typing import Final

from pydantic import BaseModel

from ttkg.core.errors import AmbiguousEntityError, EntityNotFoundError, InvalidQueryError
from ttkg.core.model import EdgeType, NodeLabel
from ttkg.graph.backends.contract import FieldSpec, Filters, GraphBackend
from ttkg.graph.backends.memory.backend import MemoryBackend
from ttkg.graph.backends.neo4j.backend import Neo4jBackend
from ttkg.queries.models import Evidence, OrgRef
from ttkg.queries.resolve import resolve_field

__all__ = [
    "ResearchBridges",
    "ResearchSpec",
    "resolve_research_field",
    "science_bridges",
    "works_by_org",
]

_ID: Final = re.compile(r"^openalex:(domain|field|subfield|topic):\d+$")


@dataclass(frozen=True, slots=True)
class ResearchSpec:
    """A resolved OpenAlex research field at any level."""

    node_id: str  # openalex:field:25
    level: str  # domain | field | subfield | topic
    name: str


def resolve_research_field(backend: GraphBackend, text: str) -> ResearchSpec:
    """An OpenAlex domain, field, subfield or topic by id (`openalex:field:17`) or by name
    (case-insensitive, exact). A name several nodes carry (e.g. a subfield and a topic) is an
    AmbiguousEntityError listing them; an unknown one an EntityNotFoundError with names
    that contain the text."""
    q = " ".join(text.split())
    if _ID.match(q):
        nodes = backend.get_nodes([q])
        if not nodes:
            raise EntityNotFoundError(q)
        node = nodes[q]
        return ResearchSpec(node.id, str(node.props.get("level")), node.name)
    names = backend.names([NodeLabel.RESEARCH_FIELD])
    hits = [nid for nid, name in names if name.casefold() == q.casefold()]
    if len(hits) == 1:
        node = backend.get_nodes(hits)[hits[0]]
        return ResearchSpec(node.id, str(node.props.get("level")), node.name)
    if hits:
        raise AmbiguousEntityError(q, [f"{nid} ({q})" for nid in sorted(hits)])
    near = sorted((nid, name) for nid, name in names if q.casefold() in name.casefold())
    suggestions: list[dict[str, str | None]] = [
        {"id": nid, "name": name, "label": NodeLabel.RESEARCH_FIELD.value} for nid, name in near
    ]
    raise EntityNotFoundError(
        q,
        suggestions[:10],
        hint="a research field is an OpenAlex domain, field, subfield or topic, by name or id "
        "such as openalex:field:17",
    )


class WorkEvidence(BaseModel):
    """A work cited as evidence."""

    id: str
    doi: str | None
    year: int | None
    title: str | None


class WorksEvidence(BaseModel):
    """Works behind a count: the newest few and the total."""

    total: int
    works: list[WorkEvidence]


class ResearchDirectBridge(BaseModel):
    organization: OrgRef
    count_a: int  # works in the research field
    count_b: int  # works in the second research field, or patents in the technology field
    works_a: WorksEvidence
    evidence_b: WorksEvidence | Evidence


class ResearchBridges(BaseModel):
    """Direct bridges between a research field and a research or technology field."""

    field_a: str
    field_a_name: str
    field_b: str
    field_b_name: str
    kind: str  # research-research | research-technology
    total_direct: int
    direct: list[ResearchDirectBridge]


def works_by_org(backend: GraphBackend, spec: ResearchSpec) -> dict[str, set[str]]:
    """Organisation id -> ids of its works in the research field."""
    if isinstance(backend, MemoryBackend):
        return _memory_works(backend, spec)
    if isinstance(backend, Neo4jBackend):
        rows = backend._rows(
            (
                "MATCH (r:ResearchField {id: $rid}) "
                "MATCH (t:ResearchField)-[:BROADER*0..3]->(r) "
                "MATCH (w:Work)-[:HAS_TOPIC]->(t) "
                "MATCH (w)-[:AUTHORED_BY]->(o:Organization) "
                "RETURN DISTINCT o.id AS org, w.id AS work",
                {"rid": spec.node_id},
            )
        )
        out: dict[str, set[str]] = defaultdict(set)
        for r in rows:
            out[str(r["org"])].add(str(r["work"]))
        return dict(out)
    raise InvalidQueryError(f"research fields are not available on {type(backend).__name__}")


@dataclass(frozen=True)
class _ResearchTables:
    """What research queries read from an embedded backend's artifact, loaded once."""

    children: dict[str, list[str]]  # research field -> narrower research fields
    works_of_topic: dict[str, list[str]]  # topic -> works
    orgs_of_work: dict[str, list[str]]  # work -> organisations

    @classmethod
    def load(cls, backend: MemoryBackend) -> _ResearchTables:
        art = backend.index.artifact
        children: dict[str, list[str]] = defaultdict(list)
        broader = art.edges(EdgeType.BROADER, columns=["src", "dst"])
        for s, d in zip(broader["src"].to_pylist(), broader["dst"].to_pylist(), strict=True):
            if s.startswith("openalex:"):
                children[d].append(s)
        works_of_topic: dict[str, list[str]] = defaultdict(list)
        topics = art.edges(EdgeType.HAS_TOPIC, columns=["src", "dst"])
        for w, t in zip(topics["src"].to_pylist(), topics["dst"].to_pylist(), strict=True):
            works_of_topic[t].append(w)
        orgs_of_work: dict[str, list[str]] = defaultdict(list)
        authored = art.edges(EdgeType.AUTHORED_BY, columns=["src", "dst"])
        for w, o in zip(authored["src"].to_pylist(), authored["dst"].to_pylist(), strict=True):
            orgs_of_work[w].append(o)
        return cls(dict(children), dict(works_of_topic), dict(orgs_of_work))


_TABLES: weakref.WeakKeyDictionary[MemoryBackend, _ResearchTables] = weakref.WeakKeyDictionary()


def _memory_works(backend: MemoryBackend, spec: ResearchSpec) -> dict[str, set[str]]:
    tables = _TABLES.get(backend)
    if tables is None:
        tables = _TABLES[backend] = _ResearchTables.load(backend)
    under = {spec.node_id}
    frontier = [spec.node_id]
    while frontier:
        nxt = [c for n in frontier for c in tables.children.get(n, ())]
        under.update(nxt)
        frontier = nxt
    works = {w for t in under for w in tables.works_of_topic.get(t, ())}
    out: dict[str, set[str]] = defaultdict(set)
    for w in works:
        for o in tables.orgs_of_work.get(w, ()):
            out[o].add(w)
    return dict(out)


def _work_evidence(backend: GraphBackend, works: set[str], limit: int) -> WorksEvidence:
    nodes = backend.get_nodes(sorted(works))
    rows = [
        WorkEvidence(
            id=n.id,
            doi=n.props.get("doi"),
            year=n.props.get("year"),
            title=n.props.get("title"),
        )
        for n in nodes.values()
    ]
    rows.sort(key=lambda w: (-(w.year or 0), w.id))
    return WorksEvidence(total=len(works), works=rows[:limit])


def science_bridges(
    backend: GraphBackend,
    research: str,
    other: str,
    *,
    limit: int = 20,
    evidence: int = 3,
) -> ResearchBridges:
    """Direct bridges between research field `research` and `other`, which is a research
    field (research x research) or else a technology field (science-technology)."""
    a = resolve_research_field(backend, research)
    by_org_a = works_by_org(backend, a)
    try:
        b: ResearchSpec | FieldSpec = resolve_research_field(backend, other)
    except EntityNotFoundError:
        b = resolve_field(backend, other)
    if isinstance(b, ResearchSpec):
        by_org_b = works_by_org(backend, b)
        counts_b = {o: len(ws) for o, ws in by_org_b.items()}
        kind, b_id, b_name = "research-research", b.node_id, b.name
    else:
        counts_b = backend.field_org_counts(b, Filters())
        kind, b_id, b_name = "research-technology", b.node_id, b.name
    both = [o for o in by_org_a if counts_b.get(o, 0) > 0]
    ranked = sorted(
        both,
        key=lambda o: (
            -min(len(by_org_a[o]), counts_b[o]),
            -max(len(by_org_a[o]), counts_b[o]),
            o,
        ),
    )
    page = ranked[:limit]
    orgs = backend.get_nodes(page)
    direct = []
    for o in page:
        if isinstance(b, ResearchSpec):
            ev_b: WorksEvidence | Evidence = _work_evidence(backend, by_org_b[o], evidence)
        else:
            ev_b = Evidence.of(backend.org_patents(o, b, Filters(), evidence))
        direct.append(
            ResearchDirectBridge(
                organization=OrgRef.of(orgs[o]),
                count_a=len(by_org_a[o]),
                count_b=counts_b[o],
                works_a=_work_evidence(backend, by_org_a[o], evidence),
                evidence_b=ev_b,
            )
        )
    return ResearchBridges(
        field_a=a.node_id,
        field_a_name=a.name,
        field_b=b_id,
        field_b_name=b_name,
        kind=kind,
        total_direct=len(both),
        direct=direct,
    )
