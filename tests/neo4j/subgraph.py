"""Small real graphs for push tests: a consistent slice of a built artifact, written with
ArtifactWriter (every edge's ends are in the slice; counts in the manifest are the slice's)."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from ttkg.core.model import EdgeType, NodeLabel
from ttkg.graph.artifact import Artifact, ArtifactWriter


def write_slice(source: Path, out: Path, patents: int = 40, offset: int = 0) -> Artifact:
    """A graph of `patents` assigned patents of `source` (from `offset`), their organisations,
    countries and WIPO fields, with the edges between them."""
    art = Artifact.open(source)
    assigned = art.edges(EdgeType.ASSIGNED_TO)
    chosen = sorted(set(assigned.column("src").to_pylist()))[offset : offset + patents]
    keep_assigned = assigned.filter(pc.is_in(assigned.column("src"), pa.array(chosen)))
    orgs = sorted(set(keep_assigned.column("dst").to_pylist()))

    def nodes(label: NodeLabel, ids: list[str] | None) -> pa.Table:
        t = art.nodes(label)
        return t if ids is None else t.filter(pc.is_in(t.column("id"), pa.array(ids, pa.string())))

    def edges(etype: EdgeType, src: list[str], dst: set[str] | None = None) -> pa.Table:
        t = art.edges(etype)
        t = t.filter(pc.is_in(t.column("src"), pa.array(src, pa.string())))
        if dst is not None:
            t = t.filter(pc.is_in(t.column("dst"), pa.array(sorted(dst), pa.string())))
        return t

    fields = art.nodes(NodeLabel.TECHNOLOGY_FIELD).column("id").to_pylist()
    tables_n = {
        NodeLabel.PATENT: nodes(NodeLabel.PATENT, chosen),
        NodeLabel.ORGANIZATION: nodes(NodeLabel.ORGANIZATION, orgs),
        NodeLabel.COUNTRY: nodes(NodeLabel.COUNTRY, None),
        NodeLabel.TECHNOLOGY_FIELD: nodes(NodeLabel.TECHNOLOGY_FIELD, None),
    }
    tables_e = {
        EdgeType.ASSIGNED_TO: keep_assigned,
        EdgeType.IN_FIELD: edges(EdgeType.IN_FIELD, chosen),
        EdgeType.BROADER: edges(EdgeType.BROADER, fields),
        EdgeType.LOCATED_IN: edges(EdgeType.LOCATED_IN, orgs),
        EdgeType.PART_OF: edges(EdgeType.PART_OF, orgs, set(orgs)),
    }
    with ArtifactWriter(out) as writer:
        for label, table in tables_n.items():
            writer.write_nodes(label, table)
        for etype, table in tables_e.items():
            writer.write_edges(etype, table)
        writer.commit(
            {
                "sources": art.manifest.get("sources", {}),
                "nodes": {k.value: v.num_rows for k, v in tables_n.items()},
                "edges": {k.value: v.num_rows for k, v in tables_e.items()},
                "slice_of": art.manifest.get("build_id"),
            }
        )
    return Artifact.open(out)
