"""Answers that mean what they say (issue: every entity reachable, lookups a person expects,
structural hops with their own evidence), on every backend, checked against the artifact."""

from __future__ import annotations

from pathlib import Path

import pytest

from ttkg.core.errors import AmbiguousEntityError, EntityNotFoundError
from ttkg.core.model import EdgeType
from ttkg.graph.artifact import Artifact
from ttkg.graph.backends.contract import GraphBackend
from ttkg.queries.paths import paths
from ttkg.queries.profile import field_profile
from ttkg.queries.resolve import resolve_entity

TSINGHUA = "ror:03cve4549"


@pytest.fixture(scope="module")
def artifact(sample_graph: Path) -> Artifact:
    return Artifact.open(sample_graph)


def _classified_under(artifact: Artifact, prefix: str) -> set[str]:
    rows = artifact.edges(EdgeType.CLASSIFIED_AS).to_pylist()
    return {r["src"] for r in rows if r["dst"].startswith("cpc:" + prefix)}


def _patents_of(artifact: Artifact, org: str) -> set[str]:
    return {r["src"] for r in artifact.edges(EdgeType.ASSIGNED_TO).to_pylist() if r["dst"] == org}


def test_a_cpc_class_is_a_path_end_point(backend: GraphBackend, artifact: Artifact) -> None:
    """Tsinghua holds a G06N patent: the answer is that one hop, with that patent."""
    held = _patents_of(artifact, TSINGHUA) & _classified_under(artifact, "G06N")
    assert held  # the sample's own edges say so
    r = paths(backend, "Tsinghua University", "G06N", k=2, evidence=5)
    assert r.paths, "no path to a CPC class Tsinghua holds a patent in"
    first = r.paths[0].hops
    assert len(first) == 1 and first[0].relation == "ACTIVE_IN"
    assert first[0].target.id == "cpc:G06N"
    assert first[0].evidence.total == len(held) == first[0].weight
    assert {p.id for p in first[0].evidence.patents} == held


def test_a_path_through_an_organisation_to_a_cpc_group(backend: GraphBackend) -> None:
    r = paths(backend, "Massachusetts Institute of Technology", "H01L21/02", k=2, evidence=1)
    assert r.paths and r.target.id == "cpc:H01L21/02"
    for path in r.paths:
        last = path.hops[-1]
        assert last.relation == "ACTIVE_IN" and last.evidence.total == last.weight > 0


@pytest.mark.parametrize(
    ("text", "ror"),
    [("MIT", "ror:042nb2s44"), ("KAUST", "ror:01q3tbs38"), ("kaust", "ror:01q3tbs38")],
)
def test_ror_acronyms_find_their_organisation(backend: GraphBackend, text: str, ror: str) -> None:
    assert resolve_entity(backend, text).id == ror


def test_structural_hops_carry_their_own_evidence(
    backend: GraphBackend, artifact: Artifact
) -> None:
    r = paths(backend, "Tsinghua University", "China", via="LOCATED_IN", k=1)
    hop = r.paths[0].hops[0]
    assert hop.relation == "LOCATED_IN" and hop.evidence.total == 0
    stored = next(
        e
        for e in artifact.edges(EdgeType.LOCATED_IN).to_pylist()
        if e["src"] == TSINGHUA and e["dst"] == "country:CN"
    )
    assert hop.properties["basis"] == stored["basis"] == "ror"
    assert hop.properties["source"] == stored["source"]


def test_a_plain_word_for_a_field_suggests_fields(backend: GraphBackend) -> None:
    with pytest.raises(EntityNotFoundError) as info:
        field_profile(backend, "apparatus")
    ids = [s["id"] for s in info.value.suggestions]
    assert "wipo:field:1" in ids  # Electrical machinery, apparatus, energy
    # "energy" is no longer such a word: it names OpenAlex's research field Energy, and the
    # theme energy, so it is a question back naming both ids
    with pytest.raises(AmbiguousEntityError, match=r"theme:energy .*openalex:field:21"):
        field_profile(backend, "energy")
    assert field_profile(backend, "openalex:field:21").field.name == "Energy"
    assert field_profile(backend, "theme:energy").field.id == "theme:energy"
    assert "WIPO field" in str(info.value)
