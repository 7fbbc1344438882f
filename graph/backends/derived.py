"""The derived relations of the entity graph as rows to store in another database.

Path queries walk CO_ASSIGNED (two organisations co-own patents), ACTIVE_IN (an
organisation holds patents in a WIPO field) and CO_AUTHORED (two organisations co-author
works), which the artifact does not store: every backend derives them from ASSIGNED_TO and
IN_FIELD, and from AUTHORED_BY. Storing them in Neo4j lets a person draw in Neo4j
Browser the same hop the CLI shows, with the same count and the same first evidence. The rows
are computed here once, over the contract's own primitives (`relations`, `hop_evidence`), so
they are by construction what the path queries use.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Final

from ttkg.core.model import NodeLabel
from ttkg.core.progress import NO_PROGRESS, Progress
from ttkg.graph.backends.contract import GraphBackend, PatentRef, Relation, WorkRef

__all__ = ["DERIVED_ENDS", "DerivedRelation", "derived_relations"]

log = logging.getLogger(__name__)

#: The derived relations and the labels of their (src, dst) as `relations` returns them.
DERIVED_ENDS: Final[dict[Relation, tuple[NodeLabel, NodeLabel]]] = {
    Relation.CO_ASSIGNED: (NodeLabel.ORGANIZATION, NodeLabel.ORGANIZATION),
    Relation.ACTIVE_IN: (NodeLabel.ORGANIZATION, NodeLabel.TECHNOLOGY_FIELD),
    Relation.CO_AUTHORED: (NodeLabel.ORGANIZATION, NodeLabel.ORGANIZATION),
}


@dataclass(frozen=True, slots=True)
class DerivedRelation:
    """One derived hop: `patents` behind it (for CO_AUTHORED: works), and the ids of the
    first `len(evidence)` of them in the order `hop_evidence` (`hop_works`) gives, newest
    first."""

    relation: Relation
    src: str
    dst: str
    patents: int
    evidence: tuple[str, ...]


def derived_relations(
    backend: GraphBackend,
    *,
    evidence: int = 20,
    batch: int = 1_000,
    progress: Progress = NO_PROGRESS,
) -> Iterator[DerivedRelation]:
    """Every CO_ASSIGNED, ACTIVE_IN and CO_AUTHORED hop of `backend`'s graph once, with at
    most `evidence` patent (work) ids each; organisations are expanded `batch` at a time, in
    id order.

    >>> import ttkg
    >>> g = ttkg.open()
    >>> hops = list(derived_relations(g.backend, evidence=3))
    >>> {h.relation.value for h in hops} == {"CO_ASSIGNED", "ACTIVE_IN", "CO_AUTHORED"}
    True
    >>> all(0 < len(h.evidence) <= min(3, h.patents) for h in hops)
    True
    """
    orgs = sorted(i for i, _ in backend.names([NodeLabel.ORGANIZATION]))
    via = tuple(DERIVED_ENDS)
    with progress.task("derived relations", total=len(orgs)) as advance:
        for start in range(0, len(orgs), batch):
            chunk = orgs[start : start + batch]
            mine = set(chunk)
            for hop in backend.relations(chunk, via):
                # a hop between organisations touches two: keep it with its stored src
                if hop.relation not in DERIVED_ENDS or hop.src not in mine:
                    continue
                if hop.relation is Relation.CO_AUTHORED:
                    total, ids = _ids(backend.hop_works(hop, evidence))
                else:
                    total, ids = _ids(backend.hop_evidence(hop, evidence))
                if total != hop.weight:
                    log.warning(
                        "%s %s-%s: weight %d but %d items of evidence",
                        hop.relation.value,
                        hop.src,
                        hop.dst,
                        hop.weight,
                        total,
                    )
                yield DerivedRelation(hop.relation, hop.src, hop.dst, hop.weight, ids)
            advance(len(chunk))


def _ids(found: tuple[int, Sequence[PatentRef | WorkRef]]) -> tuple[int, tuple[str, ...]]:
    return found[0], tuple(r.id for r in found[1])
