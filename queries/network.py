"""The organisation and field graph as one network for Gephi, Cytoscape or networkx: the
entity graph that path queries walk (organisations, technology fields and sectors, countries;
CO_ASSIGNED and ACTIVE_IN with their patent counts, CO_AUTHORED with its work counts,
LOCATED_IN, PART_OF, ACTS_FOR, BROADER),
built over the backend contract, so that every backend gives the same file."""

from __future__ import annotations

from typing import Final

import networkx as nx

from ttkg.core.model import NodeLabel
from ttkg.graph.backends.contract import GraphBackend, Relation
from ttkg.queries.formats import edge_key, scalar_attributes

__all__ = ["ENTITY_LABELS", "ENTITY_RELATIONS", "entity_network"]

ENTITY_LABELS: Final = (NodeLabel.ORGANIZATION, NodeLabel.TECHNOLOGY_FIELD, NodeLabel.COUNTRY)
ENTITY_RELATIONS: Final = tuple(
    r for r in Relation if r not in (Relation.ASSIGNED_TO, Relation.IN_FIELD)
)
_BATCH: Final = 2000


def entity_network(backend: GraphBackend, evidence: int = 0) -> nx.MultiDiGraph:
    """Nodes with their scalar properties (`label`: the display name, `type`: the node
    label; kind, country, ROR id, patent
    count...), edges in stored direction with `relation` and `weight` (patents behind a
    CO_ASSIGNED or ACTIVE_IN edge, works behind a CO_AUTHORED edge, 1 for structural ones);
    with `evidence` > 0, also the first patent numbers (work DOIs, or ids when a work has
    none) behind each derived edge (`evidence`, newest first) and their total
    (`evidence_total`)."""
    ids = [node_id for node_id, _ in backend.names(ENTITY_LABELS)]
    graph = nx.MultiDiGraph()
    for start in range(0, len(ids), _BATCH):
        nodes = backend.get_nodes(ids[start : start + _BATCH])
        for node in nodes.values():
            attrs = scalar_attributes(node.props)
            attrs.pop("name", None)
            attrs.update(type=node.label.value, label=node.name)
            graph.add_node(node.id, **attrs)
    for hop in backend.relations(ids, ENTITY_RELATIONS):
        edge: dict[str, str | int] = {"relation": hop.relation.value, "weight": hop.weight}
        if evidence and hop.relation in (Relation.CO_ASSIGNED, Relation.ACTIVE_IN):
            total, patents = backend.hop_evidence(hop, evidence)
            edge.update(evidence_total=total, evidence=" ".join(p.number for p in patents))
        elif evidence and hop.relation is Relation.CO_AUTHORED:
            total, works = backend.hop_works(hop, evidence)
            edge.update(evidence_total=total, evidence=" ".join(w.doi or w.id for w in works))
        graph.add_edge(hop.src, hop.dst, key=edge_key(hop.src, hop.relation, hop.dst), **edge)
    return graph
