"""The batch interface: a CSV of names in, a CSV of organisations out.

Input columns: `id,name` and optionally `country` (ISO alpha-2/alpha-3 or PatentsView code),
`assignee_type` (PatentsView code) and `count` (patent rows behind the name, default 1).
Output columns: `id,cluster_id,ror_id,score,reason`, one row per accepted input row, where
`cluster_id` is the graph's organisation node id (`ror:...` when linked, else `org:<key>`).
A row without id or name is rejected (file, line, field) and counted, never silently dropped.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from ttkg.core.errors import InputError
from ttkg.core.model import org_id
from ttkg.graph.identity.entities import AssigneeName, Resolution
from ttkg.graph.identity.families import Membership
from ttkg.loaders.countries import to_alpha2
from ttkg.loaders.report import LoadReport, Rejection

__all__ = ["OUTPUT_COLUMNS", "InputRow", "read_names_csv", "write_clusters_csv"]

OUTPUT_COLUMNS: Final = ("id", "cluster_id", "ror_id", "score", "reason", "family_id")


@dataclass(frozen=True, slots=True)
class InputRow:
    """One accepted input row."""

    id: str
    name: AssigneeName


def read_names_csv(path: Path, report: LoadReport) -> list[InputRow]:
    """Read `id,name[,country,assignee_type,count]`; bad rows go to `report`."""
    label = path.name
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise InputError(label, f"cannot read: {exc.strerror}") from None
    rows: list[InputRow] = []
    rep = report.file(label)
    with handle:
        reader = csv.DictReader(handle)
        fields = [f.strip().lower() for f in reader.fieldnames or ()]
        missing = [c for c in ("id", "name") if c not in fields]
        if missing:
            raise InputError(label, "missing column(s) " + ", ".join(missing)
                             + " (expected id,name[,country,assignee_type,count])", line=1)
        reader.fieldnames = fields
        for line, row in enumerate(reader, start=2):
            rep.read += 1
            ident = (row.get("id") or "").strip()
            name = (row.get("name") or "").strip()
            if not ident:
                report.reject(Rejection(label, line, "id", "empty id"))
                continue
            if not name:
                report.reject(Rejection(label, line, "name", "empty name", ident))
                continue
            raw_country = (row.get("country") or "").strip()
            country = to_alpha2(raw_country) if raw_country else None
            if raw_country and country is None:
                report.reject(Rejection(label, line, "country",
                                        "not a country code; the name is resolved without it",
                                        raw_country))
            raw_count = (row.get("count") or "").strip()
            count = 1
            if raw_count:
                if not raw_count.isdigit():
                    report.reject(Rejection(label, line, "count", "not a whole number", raw_count))
                    continue
                count = int(raw_count)
            atype = (row.get("assignee_type") or "").strip() or None
            individual = atype in ("4", "5", "14", "15")
            rows.append(InputRow(ident, AssigneeName(name, atype, country, count, individual)))
            rep.accepted += 1
    return rows


def write_clusters_csv(
    rows: Iterable[InputRow],
    resolution: Resolution,
    path: Path,
    family: Mapping[str, Membership] | None = None,
) -> int:
    """Write `id,cluster_id,ror_id,score,reason,family_id` for every input row (`family`:
    cluster key -> family, graph.identity.families; an individual is its own family);
    returns rows written."""
    n = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(OUTPUT_COLUMNS)
        for row in rows:
            raw = row.name.name
            cluster = resolution.clusters[resolution.cluster_of[raw]]
            score = resolution.name_score.get(raw, 1.0)
            reason = resolution.name_reason.get(raw, cluster.merge_reason)
            if cluster.ror_id and cluster.link_score is not None:
                score = min(score, cluster.link_score)
                reason += f"; ROR: {cluster.link_reason} ({cluster.link_score:.3f})"
            for acts in cluster.acts_for:
                reason += f"; acts for {acts.ror_id}: {acts.reason} ({acts.score:.3f})"
            node = org_id(cluster.key, cluster.ror_id)
            fam = (family or {}).get(cluster.key)
            writer.writerow((row.id, node, cluster.ror_id or "", f"{score:.3f}", reason,
                             fam.family_id if fam else node))
            n += 1
    return n
