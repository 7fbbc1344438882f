"""Paths with evidence between entities, on every backend."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.queries.oracle import Oracle
from ttkg.core.errors import InvalidQueryError, QueryTimeoutError
from ttkg.core.model import EdgeType
from ttkg.graph.artifact import Artifact
from ttkg.graph.backends.contract import GraphBackend, Relation
from ttkg.queries.paths import MAX_HOPS, paths
from ttkg.queries.resolve import resolve_entity


def test_co_owners_are_one_hop_apart_with_their_patents(backend: GraphBackend) -> None:
    r = paths(
        backend,
        "Tsinghua University",
        "Hon Hai Precision Industry Co., Ltd.",
        k=3,
        via="CO_ASSIGNED",
    )
    first = r.paths[0]
    assert first.length == 1
    hop = first.hops[0]
    assert hop.relation == "CO_ASSIGNED"
    assert hop.weight == hop.evidence.total >= 90
    assert len(hop.evidence.patents) == 3
    # k paths, shortest first, each a simple path from source to target
    assert [p.length for p in r.paths] == sorted(p.length for p in r.paths)
    for p in r.paths:
        ids = [n.id for n in p.nodes]
        assert ids[0] == r.source.id and ids[-1] == r.target.id
        assert len(set(ids)) == len(ids) == p.length + 1


def test_paths_reach_patents_countries_and_fields(
    backend: GraphBackend, sample_graph: Path
) -> None:
    oracle = Oracle(sample_graph)
    tsinghua = resolve_entity(backend, "Tsinghua University").id
    hon_hai = resolve_entity(backend, "Hon Hai Precision Industry Co., Ltd.").id
    own = sorted(oracle.org_patents[tsinghua] - oracle.org_patents[hon_hai])[0]
    shared = sorted(oracle.co_owned(tsinghua, hon_hai))[0]
    r = paths(backend, own, hon_hai, k=2)
    assert r.paths[0].length == 2  # the patent's owner co-owns other patents with Hon Hai
    assert r.paths[0].hops[0].relation == Relation.ASSIGNED_TO.value
    r = paths(backend, shared, hon_hai, k=1)
    assert r.paths[0].length == 1 and r.paths[0].hops[0].evidence.patents[0].id == shared
    r = paths(backend, "Tsinghua University", "Semiconductors", k=1)
    assert r.paths[0].length == 1 and r.paths[0].hops[0].relation == "ACTIVE_IN"
    assert r.paths[0].hops[0].evidence.total == r.paths[0].hops[0].weight
    r = paths(backend, "Samsung Display Co., Ltd.", "CN", k=2, via="LOCATED_IN,CO_ASSIGNED")
    assert all(h.relation in ("LOCATED_IN", "CO_ASSIGNED") for p in r.paths for h in p.hops)


def test_no_path_within_the_hop_cap_is_an_explicit_empty_answer(backend: GraphBackend) -> None:
    r = paths(
        backend,
        "Tsinghua University",
        "Massachusetts Institute of Technology",
        max_hops=1,
        via="CO_ASSIGNED",
    )
    assert r.paths == [] and r.max_hops == 1


def test_hop_cap_and_parameters_are_enforced(backend: GraphBackend) -> None:
    with pytest.raises(InvalidQueryError):
        paths(backend, "Tsinghua University", "Optics", max_hops=MAX_HOPS + 1)
    with pytest.raises(InvalidQueryError):
        paths(backend, "Tsinghua University", "Tsinghua University")
    with pytest.raises(InvalidQueryError, match="unknown relation"):
        paths(backend, "Tsinghua University", "Optics", via="FRIENDS_WITH")


def test_time_budget_ends_in_an_explicit_error(backend: GraphBackend) -> None:
    with pytest.raises(QueryTimeoutError) as info:
        paths(
            backend,
            "Tsinghua University",
            "Massachusetts Institute of Technology",
            max_hops=6,
            k=20,
            time_budget=1e-6,
        )
    assert info.value.partial is not None


def _stored_edges(graph: Path, et: EdgeType) -> dict[tuple[str, str], dict[str, object]]:
    """Oracle: each (src, dst) pair's first stored row of an edge table, read with pyarrow,
    its properties without the empty ones."""
    out: dict[tuple[str, str], dict[str, object]] = {}
    for row in Artifact.open(graph).edges(et).to_pylist():
        src, dst = row.pop("src"), row.pop("dst")
        out.setdefault((src, dst), {k: v for k, v in row.items() if v is not None})
    return out


def test_structural_hops_show_their_stored_edges_properties(
    backend: GraphBackend, sample_graph: Path
) -> None:
    """A path's LOCATED_IN, PART_OF, ACTS_FOR and BROADER hops carry the stored edge's
    properties (`edge_properties` reads the one edge): checked on stored edges of every
    structural type and on paths to countries, against the edge tables read directly."""
    located = _stored_edges(sample_graph, EdgeType.LOCATED_IN)
    for et in (EdgeType.LOCATED_IN, EdgeType.PART_OF, EdgeType.ACTS_FOR, EdgeType.BROADER):
        stored = located if et is EdgeType.LOCATED_IN else _stored_edges(sample_graph, et)
        assert stored, et
        pairs = sorted(stored)
        for src, dst in pairs[:: max(1, len(pairs) // 150)]:
            assert backend.edge_properties(src, et, dst) == stored[(src, dst)], (et, src, dst)
        src, dst = pairs[0]
        assert backend.edge_properties(dst, et, src) == stored.get((dst, src), {})
        assert backend.edge_properties(src, et, "org:no-such-node") == {}
    shown = 0
    for org, country in ("Tsinghua University", "KR"), ("Samsung Display Co., Ltd.", "CN"):
        r = paths(backend, org, country, k=3, max_hops=3, via="LOCATED_IN,CO_ASSIGNED")
        for hop in (h for p in r.paths for h in p.hops if h.relation == "LOCATED_IN"):
            src, dst = (hop.source, hop.target) if hop.forward else (hop.target, hop.source)
            assert hop.properties == located[(src.id, dst.id)]
            shown += bool(hop.properties)
    assert shown >= 2
