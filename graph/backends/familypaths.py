"""The entity graph at the family level: each family contracted into its head, written once over
the contract's primitives so that every backend walks the same graph.

Path queries at the family level (`level=family`) run the reference search
(`ttkg.graph.backends.pathsearch.search_paths`) over a `FamilyRelations` view instead of the
backend itself. In the view an organisation is its family's head (its `family_id`; the
members of a family are the organisations with a MEMBER_OF edge to it, and the head itself):

- CO_ASSIGNED between two families: the patents a member of one co-owns with a member of the
  other (`co_assignment_counts` at the family level); patents co-owned inside one family are no
  hop;
- ACTIVE_IN from a family to a field: the family's patents in the field (`field_org_counts` at
  the family level);
- every other relation (LOCATED_IN, PART_OF, ACTS_FOR, ASSIGNED_TO from a patent end point) is
  the union of the members' hops with each organisation replaced by its family's head, hops
  inside a family dropped; weight 1. `origins` keeps the stored hops each contracted hop stands
  for (a family is LOCATED_IN the countries of its members).

Fields, countries, CPC classes and patents are themselves.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from typing import Final

from ttkg.core.model import EdgeType, NodeLabel, label_of_id
from ttkg.graph.backends.contract import (
    Filters,
    GraphBackend,
    PatentRef,
    Relation,
    RelationHop,
    activity_spec,
)

__all__ = ["FAMILY", "MAX_MEMBERS", "FamilyRelations", "family_hop_evidence"]

#: The family level, no other filter.
FAMILY: Final = Filters(level="family")
#: Most members of one family read (the MEMBER_OF edges into its head).
MAX_MEMBERS: Final = 100_000
_COUNTED: Final = frozenset({Relation.CO_ASSIGNED, Relation.ACTIVE_IN})


def _is_org(node: str) -> bool:
    return label_of_id(node) is NodeLabel.ORGANIZATION


class FamilyRelations:
    """The `relations` primitive of the family-level entity graph (see the module docstring);
    ids it returns and takes are family heads'."""

    def __init__(self, backend: GraphBackend) -> None:
        self.backend = backend
        self._head: dict[str, str] = {}
        self._members: dict[str, list[str]] = {}
        self._field_counts: dict[str, dict[str, int]] = {}
        #: contracted hop -> the stored hops it stands for (for the structural relations)
        self.origins: dict[RelationHop, set[RelationHop]] = defaultdict(set)

    def heads(self, ids: Iterable[str]) -> dict[str, str]:
        """Each id's family head (an id that is no organisation, or unknown, is itself)."""
        ids = list(ids)
        todo = sorted({i for i in ids if i not in self._head})
        orgs = [i for i in todo if _is_org(i)]
        nodes = self.backend.get_nodes(orgs) if orgs else {}
        for i in todo:
            node = nodes.get(i)
            head = node.props.get("family_id") if node is not None else None
            self._head[i] = str(head) if head else i
        return {i: self._head[i] for i in ids}

    def head(self, node: str) -> str:
        """One id's family head."""
        return self.heads([node])[node]

    def members(self, head: str) -> list[str]:
        """The organisations of a family: its head, then its members in id order."""
        if head not in self._members:
            found = sorted(
                n.node.id
                for n in self.backend.neighbors(head, limit=MAX_MEMBERS)
                if n.edge_type is EdgeType.MEMBER_OF and n.direction == "in"
            )
            self._members[head] = [head, *found]
            for m in found:
                self._head[m] = head
        return self._members[head]

    def field_counts(self, field: str) -> dict[str, int]:
        """Family head -> its patents in the field (a WIPO field or a CPC class)."""
        if field not in self._field_counts:
            self._field_counts[field] = self.backend.field_org_counts(activity_spec(field), FAMILY)
        return self._field_counts[field]

    def relations(self, node_ids: Collection[str], via: Collection[Relation]) -> list[RelationHop]:
        """Every hop of the family-level graph of the given relation types touching any of
        node_ids (organisation ids are taken as their family's head), each once, ordered by
        (src, relation, dst)."""
        wanted = set(via)
        ids = set(node_ids)
        heads = sorted({self.head(n) for n in ids if _is_org(n)})
        others = sorted(n for n in ids if not _is_org(n))
        found: dict[tuple[str, str, str], RelationHop] = {}

        def add(hop: RelationHop) -> None:
            found[(hop.src, hop.relation.value, hop.dst)] = hop

        if Relation.CO_ASSIGNED in wanted and heads:
            for (x, y), n in self.backend.co_assignment_counts(heads, None, FAMILY).items():
                if n and x != y:
                    add(RelationHop(min(x, y), Relation.CO_ASSIGNED, max(x, y), n))
        members = [m for h in heads for m in self.members(h)]
        stored = self.backend.relations(sorted({*members, *others}), wanted)
        ends = self.heads(n for hop in stored if hop.relation not in _COUNTED
                          for n in (hop.src, hop.dst))
        fields: set[str] = set()
        for hop in stored:
            if hop.relation is Relation.ACTIVE_IN:
                fields.add(hop.dst)
                continue
            if hop.relation is Relation.CO_ASSIGNED:
                continue
            src, dst = ends[hop.src], ends[hop.dst]
            if src == dst:  # inside one family
                continue
            contracted = RelationHop(src, hop.relation, dst, 1)
            add(contracted)
            self.origins[contracted].add(hop)
        asked = set(heads)
        for f in sorted(fields):
            counts = self.field_counts(f)
            for h, n in counts.items():
                if n and (f in ids or h in asked):
                    add(RelationHop(h, Relation.ACTIVE_IN, f, n))
        return [found[k] for k in sorted(found)]


def family_hop_evidence(
    backend: GraphBackend, hop: RelationHop, limit: int
) -> tuple[int, list[PatentRef]]:
    """(total, first `limit`) patents behind a hop of the family-level graph: the patents the
    two families co-own, or the family's patents in the field; else as `hop_evidence`."""
    if hop.relation is Relation.CO_ASSIGNED:
        return backend.co_assigned_patents(hop.src, hop.dst, (), FAMILY, limit)
    if hop.relation is Relation.ACTIVE_IN:
        return backend.org_patents(hop.src, activity_spec(hop.dst), FAMILY, limit)
    return backend.hop_evidence(hop, limit)
