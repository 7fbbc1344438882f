"""Research fields in queries on the bundled sample, on every backend.

The research side is checked against an independent computation from the raw sample files:
a work is in OpenAlex field F when one of its listed topics (in the work's JSON) has field F;
its organisations are its authorships' institutions (ror:<id>, or org:openalex:I<n>), plus
the raw affiliation strings ttkg linked to ROR (read from the artifact, basis=identity: that
linking is the identity engine's, tested on its own). The technology side is the patents'
count that technology bridges use (field_org_counts), tested in test_bridges.py."""

from __future__ import annotations

import gzip
import json
from collections import defaultdict
from pathlib import Path

import pytest

from ttkg.core.errors import AmbiguousEntityError, EntityNotFoundError
from ttkg.core.model import EdgeType, NodeLabel
from ttkg.graph.artifact import Artifact
from ttkg.graph.backends.contract import Filters, GraphBackend
from ttkg.loaders.sources import SAMPLE_DIR
from ttkg.queries.research import resolve_research_field, science_bridges
from ttkg.queries.resolve import resolve_field

WORKS = SAMPLE_DIR / "openalex" / "works" / "openalex-works-sample.jsonl.gz"


def _oracle(graph: Path, field: int) -> dict[str, set[str]]:
    """Organisation -> works in OpenAlex field `field`, from the raw works."""
    identity: dict[str, set[str]] = defaultdict(set)
    for e in Artifact.open(graph).edges(EdgeType.AUTHORED_BY).to_pylist():
        if e["basis"] == "identity":
            identity[e["src"]].add(e["dst"])
    out: dict[str, set[str]] = defaultdict(set)
    with gzip.open(WORKS, "rt", encoding="utf-8") as fh:
        for line in fh:
            w = json.loads(line)
            fields = {int(t["field"]["id"].rsplit("/", 1)[1]) for t in w["topics"]}
            if field not in fields:
                continue
            wid = "work:" + w["id"].rsplit("/", 1)[1]
            for a in w["authorships"]:
                for i in a["institutions"]:
                    if i["id"] is None:
                        continue
                    org = (
                        ("ror:" + i["ror"].rsplit("/", 1)[1])
                        if i["ror"]
                        else ("org:openalex:" + i["id"].rsplit("/", 1)[1])
                    )
                    out[org].add(wid)
            for org in identity.get(wid, ()):
                out[org].add(wid)
    return dict(out)


def test_resolve_research_fields(backend: GraphBackend) -> None:
    assert resolve_research_field(backend, "openalex:field:25").name == "Materials Science"
    spec = resolve_research_field(backend, "materials science")
    assert (spec.node_id, spec.level) == ("openalex:field:25", "field")
    assert resolve_research_field(backend, "Physical Sciences").level == "domain"
    with pytest.raises(EntityNotFoundError):
        resolve_research_field(backend, "no such research field at all")


def test_ambiguous_research_field_name(backend: GraphBackend) -> None:
    """Some subfield names are shared by several subfields (252 ids, 245 names)."""
    dup: dict[str, list[str]] = {}
    for nid, name in backend.names([NodeLabel.RESEARCH_FIELD]):
        dup.setdefault(name.casefold(), []).append(nid)
    name = next(n for n, ids in sorted(dup.items()) if len(ids) > 1)
    with pytest.raises(AmbiguousEntityError):
        resolve_research_field(backend, name)


def test_science_technology_bridges(backend: GraphBackend, sample_graph: Path) -> None:
    answer = science_bridges(backend, "Materials Science", "Semiconductors", limit=500)
    assert answer.kind == "research-technology"
    research = _oracle(sample_graph, 25)
    tech = backend.field_org_counts(resolve_field(backend, "Semiconductors"), Filters())
    want = {o: (len(ws), tech[o]) for o, ws in research.items() if tech.get(o, 0) > 0}
    got = {d.organization.id: (d.count_a, d.count_b) for d in answer.direct}
    assert got == want and answer.total_direct == len(want) > 5
    ranks = [(-min(a, b), -max(a, b), o) for o, (a, b) in got.items()]
    assert [d.organization.id for d in answer.direct] == [r[2] for r in sorted(ranks)]
    top = answer.direct[0]
    assert top.works_a.total == top.count_a and top.works_a.works
    assert all(w.id in research[top.organization.id] for w in top.works_a.works)
    years = [w.year or 0 for w in top.works_a.works]
    assert years == sorted(years, reverse=True)


def test_research_research_bridges(backend: GraphBackend, sample_graph: Path) -> None:
    answer = science_bridges(backend, "openalex:field:25", "openalex:field:22", limit=500)
    assert answer.kind == "research-research"
    a, b = _oracle(sample_graph, 25), _oracle(sample_graph, 22)
    want = {o: (len(a[o]), len(b[o])) for o in a.keys() & b.keys()}
    got = {d.organization.id: (d.count_a, d.count_b) for d in answer.direct}
    assert got == want and len(want) > 20
