"""Evidence-bearing relations derived from the stored edges, for the RDF export.

* field activity: organisation x WIPO field, with the distinct patents behind it
  (ASSIGNED_TO joined with IN_FIELD on the patent);
* co-ownership: unordered organisation pairs (a < b) holding the same patents
  (ASSIGNED_TO joined with itself on the patent).

Both are computed with Arrow joins over the two edge columns only (memory in proportion to
the assignment edges, not to the export), sorted, and yielded group by group.
"""

from __future__ import annotations

from collections.abc import Iterator

import pyarrow as pa
import pyarrow.compute as pc

from ttkg.core.model import EdgeType
from ttkg.graph.artifact import Artifact

__all__ = ["co_ownerships", "field_activities"]

_CHUNK = 65_536


def _assignments(art: Artifact) -> pa.Table:
    table = art.edges(EdgeType.ASSIGNED_TO, columns=["src", "dst"])
    return table.rename_columns(["patent", "org"])


def _runs(
    table: pa.Table, keys: tuple[str, str], value: str
) -> Iterator[tuple[str, str, list[str]]]:
    """Group a table sorted by (keys, value) into (key1, key2, [values])."""
    current: tuple[str, str] | None = None
    values: list[str] = []
    for start in range(0, table.num_rows, _CHUNK):
        part = table.slice(start, _CHUNK)
        k1 = part.column(keys[0]).to_pylist()
        k2 = part.column(keys[1]).to_pylist()
        vs = part.column(value).to_pylist()
        for a, b, v in zip(k1, k2, vs, strict=True):
            if (a, b) != current:
                if current is not None:
                    yield current[0], current[1], values
                current, values = (a, b), []
            values.append(v)
    if current is not None:
        yield current[0], current[1], values


def field_activities(art: Artifact) -> Iterator[tuple[str, str, list[str]]]:
    """(organisation id, WIPO field id, sorted distinct patent ids), by organisation, field."""
    infield = art.edges(EdgeType.IN_FIELD, columns=["src", "dst"])
    mask = pc.and_(pc.starts_with(infield["src"], "patent:"),
                   pc.starts_with(infield["dst"], "wipo:field:"))
    infield = infield.filter(mask).rename_columns(["patent", "field"])
    joined = _assignments(art).join(infield, keys="patent", join_type="inner")
    distinct = joined.group_by(["org", "field", "patent"], use_threads=False).aggregate([])
    ordered = distinct.sort_by([("org", "ascending"), ("field", "ascending"),
                                ("patent", "ascending")])
    yield from _runs(ordered, ("org", "field"), "patent")


def co_ownerships(art: Artifact) -> Iterator[tuple[str, str, list[str]]]:
    """(organisation a, organisation b, sorted co-owned patent ids) for a < b."""
    left = _assignments(art)
    right = left.rename_columns(["patent", "org_b"])
    joined = left.join(right, keys="patent", join_type="inner")
    joined = joined.filter(pc.less(joined["org"], joined["org_b"]))
    distinct = joined.group_by(["org", "org_b", "patent"], use_threads=False).aggregate([])
    ordered = distinct.sort_by([("org", "ascending"), ("org_b", "ascending"),
                                ("patent", "ascending")])
    yield from _runs(ordered, ("org", "org_b"), "patent")
