"""The build's identity decisions, stored in the graph artifact and read back.

Every assignee string the build resolved is one row of `identity_names.parquet` beside the
node and edge tables: which organisation node it went to, with the name's own merge score and
reason, its patents, evidence (assignee type, inventors' country, own location) and whether a
person's override decided it. The organisation's own decision (merge score and reason, ROR
link score and reason, country basis) is on its Organization node. `ttkg identity explain
--graph DIR` reads both, so it shows what the build decided, not a fresh resolution.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ttkg.core.errors import InputError

__all__ = ["NAMES_FILE", "NAMES_SCHEMA", "NameDecision", "StoredDecision", "read_decision",
           "write_names"]

NAMES_FILE: Final = "identity_names.parquet"

NAMES_SCHEMA: Final = pa.schema([
    pa.field("name", pa.string(), nullable=False),  # the raw assignee string
    pa.field("individual", pa.bool_()),
    pa.field("organization", pa.string()),  # Organization node id
    pa.field("cluster", pa.string()),  # the resolver's cluster key
    pa.field("score", pa.float64()),  # the name's own merge score (1.0: exact grouping)
    pa.field("reason", pa.string()),  # why this name is in its organisation
    pa.field("decided_by", pa.string()),  # engine | override
    pa.field("patents", pa.int64()),  # assignee rows carrying the string
    pa.field("assignee_type", pa.string()),
    pa.field("inventor_country", pa.string()),
    pa.field("location", pa.string()),
])


@dataclass(frozen=True, slots=True)
class NameDecision:
    """One stored row of `identity_names.parquet`."""

    name: str
    individual: bool
    organization: str
    cluster: str
    score: float
    reason: str
    decided_by: str
    patents: int
    assignee_type: str | None
    inventor_country: str | None
    location: str | None


@dataclass(frozen=True, slots=True)
class StoredDecision:
    """What the build decided for a name: the name's rows and its organisation's node."""

    names: list[NameDecision]
    organization: dict[str, Any]
    family: dict[str, Any] | None = None  # its MEMBER_OF edge (dst, score, reason), if any

    def lines(self) -> list[str]:
        o = self.organization
        out = []
        for n in self.names:
            out += [
                f"name:        {n.name}  ({n.patents} patent row(s); type {n.assignee_type or '-'}"
                f"; inventors {n.inventor_country or '-'}; own location {n.location or '-'})",
                f"in:          {n.organization}  score {n.score:.3f} ({n.decided_by}): {n.reason}",
            ]
        out += [
            f"organisation: {o.get('name')!r}  kind {o.get('kind')}",
            f"merge:       score {_num(o.get('merge_score'))}: {o.get('merge_reason') or '-'}",
            f"ror:         {o.get('ror_id') or '-'}  score {_num(o.get('link_score'))}: "
            f"{o.get('link_reason') or '-'}",
            f"country:     {o.get('country') or '-'}  basis {o.get('country_basis') or '-'}, "
            f"confidence {_num(o.get('country_confidence'))}",
            f"variants:    {len(o.get('aliases') or []) + 1} name(s); patents "
            f"{o.get('patent_count')}",
            f"family:      {self.family['dst']}  score {_num(self.family.get('score'))}: "
            f"{self.family.get('reason') or '-'}" if self.family else
            f"family:      {o.get('family_id') or o.get('id')}: its own family",
        ]
        return out


def _num(x: object) -> str:
    return f"{x:.3f}" if isinstance(x, float) else "-"


def write_names(path: Path, rows: list[dict[str, Any]]) -> None:
    """Write the name decisions (dicts with NAMES_SCHEMA's keys) to `path`."""
    columns = {f.name: pa.array([r.get(f.name) for r in rows], type=f.type)
               for f in NAMES_SCHEMA}
    pq.write_table(pa.table(columns, schema=NAMES_SCHEMA), path)


def read_decision(version_dir: Path, name: str) -> StoredDecision | None:
    """The stored decision for a raw assignee string (exact, then case-insensitive), or None
    when the build never saw it. `version_dir` is one built version (Artifact.path)."""
    path = version_dir / NAMES_FILE
    if not path.exists():
        raise InputError(str(path), "this graph stores no identity decisions (built before "
                         "they were stored): rebuild it")
    table = pq.read_table(path)
    hit = table.filter(pc.equal(table["name"], name))
    if hit.num_rows == 0:
        hit = table.filter(pc.equal(pc.utf8_lower(table["name"]), name.lower()))
    if hit.num_rows == 0:
        return None
    rows = [NameDecision(**r) for r in hit.to_pylist()]
    org_id = rows[0].organization
    nodes = pq.read_table(version_dir / "nodes" / "Organization.parquet")
    found = nodes.filter(pc.equal(nodes["id"], org_id)).to_pylist()
    if not found:
        raise InputError(str(path), f"names point at organisation {org_id}, which is not in "
                         "the graph", field="organization")
    family = None
    member_of = version_dir / "edges" / "MEMBER_OF.parquet"
    if member_of.exists():
        edges = pq.read_table(member_of)
        hits = edges.filter(pc.equal(edges["src"], org_id)).to_pylist()
        family = hits[0] if hits else None
    return StoredDecision(rows, found[0], family)
