"""Paths at the family level (issue 13), on every backend, against an independent computation:
networkx paths over a contracted graph built here from the artifact's raw tables
(ASSIGNED_TO, IN_FIELD, LOCATED_IN, PART_OF, ACTS_FOR, BROADER and the family table, MEMBER_OF):
each organisation is replaced by its family's head, a family's patents are its members'
patents, co-ownership inside a family is no edge."""

from __future__ import annotations

import itertools
import json
from collections import defaultdict
from pathlib import Path

import networkx as nx
import pytest

from ttkg.core.errors import InvalidQueryError
from ttkg.core.model import EdgeType
from ttkg.graph.artifact import Artifact
from ttkg.graph.backends.contract import GraphBackend
from ttkg.queries.paths import paths

BERKELEY, UC_SYSTEM = "ror:01an7q238", "ror:00pjdza24"
SAMSUNG_ELECTRONICS, SAMSUNG = "ror:020m7t761", "ror:04w3jy968"
US_GOVERNMENT = "ror:02rcrvv70"
_PATENT_BACKED = ("CO_ASSIGNED", "ACTIVE_IN")


class Contracted:
    """The family-level entity graph, from the raw tables: per pair of adjacent nodes, the
    weight of each relation between them (patents for CO_ASSIGNED and ACTIVE_IN, else 1)."""

    def __init__(self, graph: Path) -> None:
        art = Artifact.open(graph)
        edges = {t: art.edges(t).to_pylist() for t in EdgeType}
        self.family = {e["src"]: e["dst"] for e in edges[EdgeType.MEMBER_OF]}
        fam = self.fam
        owners: dict[str, set[str]] = defaultdict(set)
        for e in edges[EdgeType.ASSIGNED_TO]:
            owners[e["src"]].add(fam(e["dst"]))
        fields: dict[str, set[str]] = defaultdict(set)
        for e in edges[EdgeType.IN_FIELD]:
            if e["src"].startswith("patent:") and e["dst"].startswith("wipo:field:"):
                fields[e["src"]].add(e["dst"])
        self.patents: dict[tuple[str, str, str], set[str]] = defaultdict(set)
        for patent, fams in owners.items():
            for x, y in itertools.combinations(sorted(fams), 2):
                self.patents[(x, "CO_ASSIGNED", y)].add(patent)
            for f in fams:
                for field in fields.get(patent, ()):
                    self.patents[(f, "ACTIVE_IN", field)].add(patent)
        self.rel: dict[frozenset[str], dict[str, int]] = defaultdict(dict)
        for (x, r, y), ps in self.patents.items():
            self.rel[frozenset((x, y))][r] = len(ps)
        for etype in (EdgeType.LOCATED_IN, EdgeType.PART_OF, EdgeType.ACTS_FOR, EdgeType.BROADER):
            for e in edges[etype]:
                if e["src"].split(":")[0] in ("cpc", "openalex"):
                    continue
                x, y = fam(e["src"]), fam(e["dst"])
                if x != y:
                    self.rel[frozenset((x, y))][etype.value] = 1

    def fam(self, node: str) -> str:
        return self.family.get(node, node)

    def graph(self, via: tuple[str, ...]) -> nx.Graph:
        g = nx.Graph()
        for pair, rels in self.rel.items():
            kept = {r: w for r, w in rels.items() if r in via}
            if kept:
                x, y = sorted(pair)
                # the hop standing for the pair: most evidence, then relation name
                best = min(kept.items(), key=lambda rw: (-rw[1], rw[0]))
                g.add_edge(x, y, weight=best[1], relation=best[0])
        return g

    def best(self, a: str, b: str, via: tuple[str, ...], max_hops: int,
             k: int) -> list[list[tuple[str, str, int]]]:
        """The k best paths as the search defines them: of the shortest length L and L + 1
        (within max_hops), ranked by length, weakest hop (desc), total weight (desc), ids."""
        g = self.graph(via)
        a, b = self.fam(a), self.fam(b)
        if a not in g or b not in g or not nx.has_path(g, a, b):
            return []
        short = nx.shortest_path_length(g, a, b)
        if short > max_hops:
            return []
        found = list(nx.all_simple_paths(g, a, b, cutoff=min(short + 1, max_hops)))

        def rank(p: list[str]) -> tuple[object, ...]:
            w = [g[x][y]["weight"] for x, y in itertools.pairwise(p)]
            return (len(p), -min(w), -sum(w), tuple(p))

        found.sort(key=rank)
        return [[(g[x][y]["relation"], y, g[x][y]["weight"]) for x, y in itertools.pairwise(p)]
                for p in found[:k]]


@pytest.fixture(scope="module")
def contracted(sample_graph: Path) -> Contracted:
    return Contracted(sample_graph)


def _hops(r: object) -> list[list[tuple[str, str, int]]]:
    return [[(h.relation, h.target.id, h.weight) for h in p.hops] for p in r.paths]  # type: ignore[attr-defined]


def _check_evidence(r: object, contracted: Contracted) -> None:
    for p in r.paths:  # type: ignore[attr-defined]
        for h in p.hops:
            x, y = (h.source.id, h.target.id) if h.forward else (h.target.id, h.source.id)
            assert contracted.fam(x) == x and contracted.fam(y) == y  # family heads only
            if h.relation in _PATENT_BACKED:
                key = (x, h.relation, y) if (x, h.relation, y) in contracted.patents \
                    else (y, h.relation, x)
                assert h.evidence.total == h.weight == len(contracted.patents[key])
                assert {e.id for e in h.evidence.patents} <= contracted.patents[key]


@pytest.mark.parametrize(
    ("source", "target", "via", "max_hops", "k"),
    [
        # a campus holding no patents reaches a company member through its system's partners
        (BERKELEY, SAMSUNG_ELECTRONICS, ("CO_ASSIGNED",), 4, 5),
        (US_GOVERNMENT, "org:dell-products", ("CO_ASSIGNED",), 4, 4),
        # every relation, through fields and countries
        (BERKELEY, SAMSUNG_ELECTRONICS, ("CO_ASSIGNED", "ACTIVE_IN", "LOCATED_IN", "PART_OF",
                                         "ACTS_FOR", "BROADER"), 2, 12),
        ("Sony Corporation", "Stanford University", ("CO_ASSIGNED", "ACTIVE_IN", "LOCATED_IN",
                                                     "PART_OF", "ACTS_FOR"), 2, 8),
    ],
)
def test_family_paths_are_the_contracted_graphs(
    backend: GraphBackend, contracted: Contracted, source: str, target: str,
    via: tuple[str, ...], max_hops: int, k: int,
) -> None:
    r = paths(backend, source, target, via=",".join(via), max_hops=max_hops, k=k,
              time_budget=30.0, level="family")
    assert r.level == "family"
    want = contracted.best(r.source.id, r.target.id, via, max_hops, k)
    assert want, "the oracle finds paths"
    assert _hops(r) == want
    _check_evidence(r, contracted)
    if source.startswith("ror:") and contracted.fam(source) != source:
        assert r.source.id == contracted.fam(source)
        assert r.source_asked is not None and r.source_asked.id == source


def test_a_campus_without_co_owners_has_paths_only_at_the_family_level(
    backend: GraphBackend, contracted: Contracted
) -> None:
    org = paths(backend, BERKELEY, SAMSUNG_ELECTRONICS, via="CO_ASSIGNED")
    assert org.level == "organization" and org.paths == [] and org.source_asked is None
    fam = paths(backend, BERKELEY, SAMSUNG_ELECTRONICS, via="CO_ASSIGNED", level="family")
    assert fam.source.id == UC_SYSTEM and fam.target.id == SAMSUNG
    assert fam.paths and fam.paths[0].length == 1
    assert fam.target_asked is not None and fam.target_asked.id == SAMSUNG_ELECTRONICS


def test_a_family_is_located_where_its_members_are(
    backend: GraphBackend, contracted: Contracted
) -> None:
    assert paths(backend, SAMSUNG_ELECTRONICS, "US", via="LOCATED_IN", max_hops=1).paths == []
    r = paths(backend, SAMSUNG_ELECTRONICS, "US", via="LOCATED_IN", max_hops=1, level="family")
    assert _hops(r) == contracted.best(SAMSUNG, "country:US", ("LOCATED_IN",), 1, 3)
    (hop,) = r.paths[0].hops
    members = hop.properties["via_members"]
    assert members and all(contracted.fam(m) == SAMSUNG != m for m in members)
    assert hop.properties["basis"] == "ror"


def test_members_of_one_family_have_no_family_path(backend: GraphBackend) -> None:
    with pytest.raises(InvalidQueryError, match="same family"):
        paths(backend, BERKELEY, UC_SYSTEM, level="family")
    with pytest.raises(InvalidQueryError, match="level: unknown level"):
        paths(backend, BERKELEY, SAMSUNG, level="campus")


def test_family_paths_through_the_api_cli_and_python(
    memory_backend: GraphBackend, sample_graph: Path
) -> None:
    from fastapi.testclient import TestClient
    from typer.testing import CliRunner

    import ttkg
    from ttkg.api.app import create_app
    from ttkg.cli.main import app
    from ttkg.core.settings import Settings

    want = paths(memory_backend, BERKELEY, SAMSUNG_ELECTRONICS, via="CO_ASSIGNED", k=2,
                 level="family", time_budget=10.0)
    with TestClient(create_app(Settings(), backend=memory_backend)) as client:
        r = client.get("/paths", params={"source": BERKELEY, "target": SAMSUNG_ELECTRONICS,
                                         "via": "CO_ASSIGNED", "k": 2, "level": "family"})
        assert r.status_code == 200 and r.json() == want.model_dump(mode="json")
        assert r.json()["level"] == "family"
        r = client.get("/paths", params={"source": BERKELEY, "target": SAMSUNG,
                                         "level": "campus"})
        assert r.status_code == 422 and "level" in r.json()["detail"]
    out = CliRunner().invoke(app, ["query", "paths", BERKELEY, SAMSUNG_ELECTRONICS, "--via",
                                   "CO_ASSIGNED", "-k", "2", "--level", "family", "--format",
                                   "json", "--graph", str(sample_graph)])
    assert out.exit_code == 0, out.output
    assert json.loads(out.output) == want.model_dump(mode="json")
    out = CliRunner().invoke(app, ["query", "paths", BERKELEY, SAMSUNG_ELECTRONICS, "--via",
                                   "CO_ASSIGNED", "--level", "family", "--graph",
                                   str(sample_graph)])
    assert out.exit_code == 0 and "family level" in out.output
    assert "University of California System" in out.output
    g = ttkg.open(sample_graph)
    assert g.paths(BERKELEY, SAMSUNG_ELECTRONICS, via="CO_ASSIGNED", k=2, level="family") == want
