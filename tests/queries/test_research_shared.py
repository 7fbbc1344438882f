"""Research aggregates on the full shared OpenAlex works (7,625 works, a work with 191
institutions), beside the bundled sample's patents: skipped without `../shared/data`.

The embedded backend's sparse products against the raw JSONL (research x research bridges,
as the sample test checks them) and against the reference written over `research_works`
(domains, research x technology, filters)."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from pathlib import Path

import pytest

from ttkg.core.model import EdgeType
from ttkg.graph.artifact import Artifact
from ttkg.graph.backends import research as reference
from ttkg.graph.backends.contract import FieldSpec
from ttkg.graph.backends.memory.backend import MemoryBackend
from ttkg.graph.build.builder import build_graph
from ttkg.loaders.sources import SourcePaths
from ttkg.queries.bridges import bridges
from ttkg.queries.common import make_filters
from ttkg.queries.research import ResearchSpec, resolve_any_field

from .test_research import ENGINEERING, MATERIALS, SEMICONDUCTORS, RawWorks

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "openalex"
WORKS = SHARED / "works" / "openalex-works-sample.jsonl.gz"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not WORKS.is_file(), reason="the shared data (../shared/data) is absent"),
]


@pytest.fixture(scope="module")
def graph(tmp_path_factory: pytest.TempPathFactory) -> Path:
    sources = dataclasses.replace(
        SourcePaths.sample(),
        openalex=WORKS.parent,
        openalex_topics=SHARED / "openalex_topics.csv",
    )
    out = tmp_path_factory.mktemp("shared-works")
    build_graph(sources, out)
    return out


@pytest.fixture(scope="module")
def backend(graph: Path) -> MemoryBackend:
    return MemoryBackend.open(graph)


def test_research_bridges_on_the_full_works(backend: MemoryBackend, graph: Path) -> None:
    raw = RawWorks.read(graph, WORKS)
    assert len(raw.year) > 7000
    answer = bridges(backend, "openalex:field:25", "openalex:field:22", limit=500, evidence=0)
    a_works, b_works = raw.in_field(MATERIALS), raw.in_field(ENGINEERING)
    a, b = raw.by_org(a_works), raw.by_org(b_works)
    want = {o: (len(a[o]), len(b[o])) for o in a.keys() & b.keys()}
    direct = sorted(want.items(), key=lambda kv: (-min(kv[1]), -sum(kv[1]), kv[0]))
    assert [(d.organization.id, (d.count_a, d.count_b)) for d in answer.direct] == direct[:500]
    assert answer.total_direct == len(direct)
    pairs = {}
    for (x, y), ws in raw.co_authored(a_works | b_works).items():
        if (x in a and y in b) or (x in b and y in a):
            pairs[(x, y)] = (len(ws), len(ws & a_works), len(ws & b_works))
    ranked = sorted(pairs.items(), key=lambda kv: (-kv[1][0], -(kv[1][1] + kv[1][2]), kv[0]))
    got = [
        ((p.organizations[0].id, p.organizations[1].id), (p.count, p.count_a, p.count_b))
        for p in answer.partnerships
    ]
    assert got == ranked[:500] and answer.total_partnerships == len(ranked) > 1000
    every = backend.research_partnerships(
        "openalex:field:25", "openalex:field:22", make_filters(), 1, 0, 10**6
    )
    assert [((x, y), (n, na, nb)) for x, y, n, na, nb in every[1]] == ranked


@pytest.mark.parametrize(
    ("a", "b", "flt"),
    [
        ("openalex:domain:3", "openalex:domain:1", {}),
        ("openalex:domain:2", "openalex:domain:4", {"years": "2015-", "kind": "university"}),
        ("openalex:field:17", "wipo:field:6", {"partner_kind": "company"}),
    ],
)
def test_full_works_equal_the_reference(
    backend: MemoryBackend, a: str, b: str, flt: dict[str, str]
) -> None:
    filters = make_filters(flt.get("years"), kind=flt.get("kind"),
                           partner_kind=flt.get("partner_kind"))

    def side(text: str) -> str | FieldSpec:
        spec = resolve_any_field(backend, text)
        return spec.node_id if isinstance(spec, ResearchSpec) else spec

    sa, sb = side(a), side(b)
    got = backend.research_partnerships(sa, sb, filters, 1, 0, 10**6)
    assert got == reference.research_partnerships(backend, sa, sb, filters, 1, 0, 10**6)
    assert got[0] > 0
    assert backend.research_direct(sa, sb, filters, 1, 0, 10**6) == (
        reference.research_direct(backend, sa, sb, filters, 1, 0, 10**6)
    )
    for r in (s for s in (sa, sb) if isinstance(s, str)):
        assert backend.research_profile_counts(r, filters, 50) == (
            reference.research_profile_counts(backend, r, filters, 50)
        )


def test_science_technology_direct_bridges_on_the_full_works(
    backend: MemoryBackend, graph: Path
) -> None:
    """Materials Science x Semiconductors: organisations publishing in the field (raw JSONL)
    and patenting in the WIPO field (the build's raw ASSIGNED_TO and IN_FIELD rows)."""
    art = Artifact.open(graph)
    in_t = {e["src"] for e in art.edges(EdgeType.IN_FIELD).to_pylist()
            if e["dst"] == SEMICONDUCTORS}
    tech: dict[str, int] = defaultdict(int)
    for e in art.edges(EdgeType.ASSIGNED_TO).to_pylist():
        if e["src"] in in_t:
            tech[e["dst"]] += 1
    raw = RawWorks.read(graph, WORKS)
    research = raw.by_org(raw.in_field(MATERIALS))
    want = {o: (len(ws), tech[o]) for o, ws in research.items() if tech.get(o, 0) > 0}
    answer = bridges(backend, "openalex:field:25", SEMICONDUCTORS, limit=500, evidence=0)
    got = {d.organization.id: (d.count_a, d.count_b) for d in answer.direct}
    assert got == want and answer.total_direct == len(want) > 5
