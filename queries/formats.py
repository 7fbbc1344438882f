"""Query answers as files for researchers' tools: CSV (from `rows()`, for spreadsheets, R,
pandas) and networks (GraphML, GEXF: Gephi, Cytoscape, networkx, igraph).

`answer_graph` turns one answer into its subgraph: the entities it names as nodes (`label`:
the display name, which Gephi shows; `type`: Organization, TechnologyField, Country...; for
organisations kind, country, ROR id) and the relations behind it as edges
(relation, count, evidence patent numbers and their total), in stored direction.

    >>> from ttkg.queries.models import SearchResult
    >>> csv_text(SearchResult(query="x", hits=[]))
    'rank,id,label,name,match,score\\r\\n'
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final, Literal

if TYPE_CHECKING:  # networkx takes ~0.5 s to import: only answers written as graphs need it
    import networkx as nx

from ttkg.queries.models import (
    BridgesResult,
    EntityRef,
    Evidence,
    FieldProfile,
    FieldRef,
    OrgRef,
    PartnersResult,
    PathsResult,
    SearchResult,
    Tabular,
)
from ttkg.queries.organization import OrganizationOverview

__all__ = [
    "GRAPH_ANSWERS",
    "GraphFormat",
    "answer_graph",
    "csv_text",
    "edge_key",
    "graph_text",
    "scalar_attributes",
]

GraphFormat = Literal["graphml", "gexf"]
GraphAnswer = (
    BridgesResult | PathsResult | PartnersResult | FieldProfile | SearchResult
    | OrganizationOverview
)
GRAPH_ANSWERS: Final = (
    BridgesResult, PathsResult, PartnersResult, FieldProfile, SearchResult, OrganizationOverview
)


def csv_text(result: Tabular) -> str:
    """The rows of a result as CSV (RFC 4180: a header, CRLF line ends); empty cells for None."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=result.columns())
    writer.writeheader()
    writer.writerows(result.rows())
    return buffer.getvalue()


def scalar_attributes(values: Mapping[str, Any]) -> dict[str, str | int | float | bool]:
    """The attributes GraphML and GEXF can hold: scalars, without None (lists are dropped)."""
    return {k: v for k, v in values.items() if isinstance(v, str | int | float | bool)}


def _evidence_attrs(evidence: Evidence) -> dict[str, Any]:
    return {
        "evidence_total": evidence.total,
        "evidence": " ".join(p.number for p in evidence.patents),
    }


class _Builder:
    """Nodes and edges of an answer, each once (an edge is keyed by its relation)."""

    def __init__(self) -> None:
        import networkx as nx

        self.graph = nx.MultiDiGraph()

    def entity(self, e: EntityRef) -> str:
        self.graph.add_node(e.id, type=e.label, label=e.name)
        return e.id

    def org(self, o: OrgRef) -> str:
        attrs = scalar_attributes(
            {"type": "Organization", "label": o.name, "kind": o.kind, "country": o.country,
             "ror_id": o.ror_id}
        )
        self.graph.add_node(o.id, **attrs)
        return o.id

    def field(self, f: FieldRef) -> str:
        self.graph.add_node(f.id, type="TechnologyField", label=f.name, selection=f.kind)
        return f.id

    def edge(self, src: str, relation: str, dst: str, **attrs: Any) -> None:
        self.graph.add_edge(
            src, dst, key=edge_key(src, relation, dst), relation=relation,
            **scalar_attributes(attrs),
        )


def answer_graph(result: GraphAnswer) -> nx.MultiDiGraph:
    """The subgraph of one answer (see the module's description); a search answer is its
    matches, without edges."""
    b = _Builder()
    if isinstance(result, PathsResult):
        b.entity(result.source)
        b.entity(result.target)
        on_paths: dict[tuple[str, str, str], list[str]] = {}
        for i, path in enumerate(result.paths, 1):
            for h in path.hops:
                src, dst = (h.source, h.target) if h.forward else (h.target, h.source)
                key = (b.entity(src), h.relation, b.entity(dst))
                on_paths.setdefault(key, []).append(str(i))
                b.edge(key[0], h.relation, key[2], weight=h.weight, paths=" ".join(on_paths[key]),
                       **_evidence_attrs(h.evidence))
    elif isinstance(result, BridgesResult):
        fa, fb = b.field(result.field_a), b.field(result.field_b)
        for d in result.direct:
            org = b.org(d.organization)
            for fld, count, side in ((fa, d.count_a, "a"), (fb, d.count_b, "b")):
                b.edge(org, "ACTIVE_IN", fld, weight=count, bridge="direct",
                       **_evidence_attrs(d.evidence[side]))  # type: ignore[index]
        for p in result.partnerships:
            x, y = (b.org(o) for o in p.organizations)
            b.edge(x, "CO_ASSIGNED", y, weight=p.count, bridge="partnership", count_a=p.count_a,
                   count_b=p.count_b, **_evidence_attrs(p.evidence))
    elif isinstance(result, PartnersResult):
        org = b.org(result.organization)
        for partner in result.partners:
            b.edge(org, "CO_ASSIGNED", b.org(partner.organization), weight=partner.count,
                   **_evidence_attrs(partner.evidence))
    elif isinstance(result, OrganizationOverview):
        org = b.org(result.organization)
        for rel, ranked in (("ACTIVE_IN", result.fields),
                            ("HAS_CO_OWNERS_IN", result.partner_countries)):
            for r in ranked:
                b.edge(org, rel, b.entity(r.entity), weight=r.count)
    elif isinstance(result, SearchResult):
        for hit in result.hits:  # the matches, as nodes without edges
            b.graph.add_node(b.entity(hit.entity), match=hit.match, score=hit.score)
    else:
        fld = b.field(result.field)
        for rel, ranked in (("ACTIVE_IN", result.organizations), ("ACTIVE_IN", result.countries),
                            ("COOCCURS_WITH", result.cooccurring_fields)):
            for r in ranked:
                b.edge(b.entity(r.entity), rel, fld, weight=r.count)
    return b.graph


def edge_key(src: str, relation: str, dst: str) -> str:
    """The key of an edge, unique in a file (GraphML and GEXF edge ids must be)."""
    return f"{src} {relation} {dst}"


def graph_text(graph: nx.Graph, fmt: GraphFormat) -> str:
    """A networkx graph as a GraphML or GEXF 1.2 document (UTF-8, with its XML declaration)."""
    import networkx as nx

    buffer = io.BytesIO()
    if fmt == "graphml":
        nx.write_graphml(graph, buffer, encoding="utf-8")
    else:
        nx.write_gexf(graph, buffer, encoding="utf-8")
    return buffer.getvalue().decode("utf-8")
