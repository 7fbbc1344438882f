"""Queries at the family level (issue 13), on every backend, against an independent
recomputation: the oracle's patents per holder are recomputed from the artifact's ASSIGNED_TO
edges and its family table (the MEMBER_OF edges: an organisation with one belongs to the
family its edge points to, any other heads its own family)."""

from __future__ import annotations

import json
import zipfile
from collections import defaultdict
from pathlib import Path

import pytest

from tests.parity import assert_same
from tests.queries.oracle import Oracle
from ttkg.core.errors import InvalidQueryError
from ttkg.core.model import EdgeType
from ttkg.graph.artifact import Artifact
from ttkg.graph.backends.contract import GraphBackend
from ttkg.loaders.sources import SourcePaths
from ttkg.queries.bridges import bridges
from ttkg.queries.common import make_filters
from ttkg.queries.organization import organization_overview
from ttkg.queries.partners import partners
from ttkg.queries.profile import field_profile

SEMI, OPTICS = "wipo:field:8", "wipo:field:9"


class FamilyOracle(Oracle):
    """The Oracle's recomputations with each family as one holder."""

    def __init__(self, graph: Path) -> None:
        super().__init__(graph)
        edges = Artifact.open(graph).edges(EdgeType.MEMBER_OF).to_pylist()
        self.family = {o: o for o in self.orgs} | {e["src"]: e["dst"] for e in edges}
        self.members: dict[str, set[str]] = defaultdict(set)
        for org, fam in self.family.items():
            self.members[fam].add(org)
        by_org = self.org_level = self.org_patents
        self.org_patents = defaultdict(set)
        self.patent_orgs = defaultdict(set)
        for org, patents in by_org.items():
            fam = self.family[org]
            self.org_patents[fam] |= patents
            for p in patents:
                self.patent_orgs[p].add(fam)


@pytest.fixture(scope="module")
def oracle(sample_graph: Path) -> FamilyOracle:
    return FamilyOracle(sample_graph)


def test_the_family_table_is_one_level_deep_and_matches_family_id(oracle: FamilyOracle) -> None:
    heads = {f for o, f in oracle.family.items() if f != o}
    assert len(heads) > 20
    assert all(oracle.family[h] == h for h in heads)  # a head is no member of another family
    assert all((oracle.orgs[o]["family_id"] or o) == f for o, f in oracle.family.items())


def test_direct_bridges_count_each_family_once(backend: GraphBackend, oracle: FamilyOracle) -> None:
    r = bridges(backend, "8", "9", make_filters("2010-2020", level="family"), limit=40,
                evidence=2)
    want = oracle.direct(SEMI, OPTICS, 2010, 2020)
    assert r.filters.level == "family"
    assert r.total_direct == len(want)
    assert_same([(d.organization.id, d.count_a, d.count_b) for d in r.direct], want[:40])
    for d in r.direct:
        assert oracle.family[d.organization.id] == d.organization.id
        assert d.evidence["a"].total == d.count_a
        for p in d.evidence["a"].patents + d.evidence["b"].patents:
            assert p.id in oracle.org_patents[d.organization.id]
    # a family with several active members is found once, with its members' patents together
    by_id = {o: (a, b) for o, a, b in want}
    merged = [f for f in by_id if len(oracle.members[f]) > 1]
    assert merged, "no family of several organisations is active in both fields"


@pytest.mark.parametrize(
    ("side", "partner"),
    [((), ()), ((frozenset(), frozenset({"company"})), (frozenset(), frozenset({"company"})))],
)
def test_partnerships_are_between_families(
    backend: GraphBackend, oracle: FamilyOracle, side: tuple, partner: tuple
) -> None:
    kind = sorted(side[1]) if side else None
    pkind = sorted(partner[1]) if partner else None
    r = bridges(backend, "8", "9", make_filters(kind=kind, partner_kind=pkind, level="family"),
                limit=60, evidence=3)
    want = oracle.partnerships(SEMI, OPTICS, side=side or (frozenset(), frozenset()),
                               partner=partner or (frozenset(), frozenset()))
    got = [(p.organizations[0].id, p.organizations[1].id, p.count, p.count_a, p.count_b,
            p.co_owned_total) for p in r.partnerships]
    assert r.total_partnerships == len(want)
    assert_same(got, want[:60])
    for p in r.partnerships:
        x, y = (o.id for o in p.organizations)
        assert oracle.family[x] == x != y == oracle.family[y]
        assert p.evidence.total == p.count
        for e in p.evidence.patents:
            assert e.id in oracle.org_patents[x] & oracle.org_patents[y]


def test_co_ownership_inside_a_family_is_no_partnership(
    backend: GraphBackend, oracle: FamilyOracle
) -> None:
    org_level = bridges(backend, "8", "9", limit=500, evidence=0)
    inside = [p for p in org_level.partnerships
              if oracle.family[p.organizations[0].id] == oracle.family[p.organizations[1].id]]
    assert inside, "the sample has partnerships inside a family (BOE's, Hitachi's, ...)"
    fam_level = bridges(backend, "8", "9", make_filters(level="family"), limit=500, evidence=0)
    for p in fam_level.partnerships:
        x, y = (o.id for o in p.organizations)
        assert x != y and oracle.family[x] == x and oracle.family[y] == y


def test_partners_of_a_family_member_are_its_familys(
    backend: GraphBackend, oracle: FamilyOracle
) -> None:
    # a member organisation with partners outside its family
    member = "ror:02rcrvv70"  # Government of the United States of America: agencies in it
    agencies = sorted(oracle.members[member] - {member})
    assert len(agencies) >= 5
    asked = max(agencies, key=lambda o: (len(oracle.org_patents.get(o, ())), o))
    r = partners(backend, asked, filters=make_filters(level="family"), limit=100, evidence=2)
    assert r.organization.id == member and r.asked is not None and r.asked.id == asked
    assert r.filters.level == "family"
    fam_patents = oracle.org_patents[member]
    want = sorted(
        ((f, len(fam_patents & oracle.org_patents[f])) for f in oracle.org_patents
         if f != member and fam_patents & oracle.org_patents[f]),
        key=lambda t: (-t[1], t[0]),
    )
    assert r.total == len(want)
    assert_same([(p.organization.id, p.count) for p in r.partners], want[:100])
    for p in r.partners:
        assert p.organization.id not in oracle.members[member]
        for e in p.evidence.patents:
            assert e.id in fam_patents & oracle.org_patents[p.organization.id]
    same = partners(backend, asked, limit=100)
    assert same.asked is None and same.filters.level == "organization"


def test_profile_ranks_families(backend: GraphBackend, oracle: FamilyOracle) -> None:
    r = field_profile(backend, "Semiconductors", make_filters(level="family"), limit=15)
    sel = oracle.field_patents[SEMI]
    counts = {f: len(p & sel) for f, p in oracle.org_patents.items() if p & sel}
    want = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:15]
    assert_same([(o.entity.id, o.count) for o in r.organizations], want)
    assert r.filters.level == "family" and "family level" in r.filters.describe()
    # countries: each patent once per country of a holding family's head
    by_country: dict[str, set[str]] = defaultdict(set)
    for p in sel:
        for f in oracle.patent_orgs[p]:
            if oracle.orgs[f]["country"]:
                by_country[oracle.orgs[f]["country"]].add(p)
    top = sorted(((c, len(p)) for c, p in by_country.items()), key=lambda kv: (-kv[1], kv[0]))
    assert_same([(c.entity.id.split(":")[1], c.count) for c in r.countries], top[:15])


def test_family_filters_apply_to_the_head(backend: GraphBackend, oracle: FamilyOracle) -> None:
    r = field_profile(backend, "Semiconductors", make_filters(country="JP", level="family"),
                      limit=10)
    sel = oracle.field_patents[SEMI]
    counts = {f: len(p & sel) for f, p in oracle.org_patents.items()
              if p & sel and oracle.orgs[f]["country"] == "JP"}
    want = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
    assert_same([(o.entity.id, o.count) for o in r.organizations], want)
    held = {p for f, ps in oracle.org_patents.items() if oracle.orgs[f]["country"] == "JP"
            for p in ps & sel}
    assert r.patents == len(held)


def test_unknown_level_and_unsupported_queries_are_refused(backend: GraphBackend) -> None:
    with pytest.raises(InvalidQueryError, match="level: unknown level 'campus'"):
        make_filters(level="campus")
    assert make_filters(level="Organisation").level == "organization"
    with pytest.raises(InvalidQueryError, match="organization level only"):
        organization_overview(backend, "ror:02rcrvv70", make_filters(level="family"))


def test_api_cli_and_python_take_the_level(
    memory_backend: GraphBackend, sample_graph: Path
) -> None:
    from fastapi.testclient import TestClient
    from typer.testing import CliRunner

    import ttkg
    from ttkg.api.app import create_app
    from ttkg.cli.main import app
    from ttkg.core.settings import Settings

    want = bridges(memory_backend, "8", "9", make_filters(level="family"), limit=3)
    with TestClient(create_app(Settings(), backend=memory_backend)) as client:
        r = client.get("/bridges", params={"field_a": "8", "field_b": "9", "level": "family",
                                           "limit": 3})
        assert r.status_code == 200 and r.json() == want.model_dump(mode="json")
        assert r.json()["filters"]["level"] == "family"
        r = client.get("/bridges", params={"field_a": "8", "field_b": "9"})
        assert r.json()["filters"]["level"] == "organization"
        r = client.get("/organizations/ror:02rcrvv70/partners", params={"level": "campus"})
        assert r.status_code == 422 and "level" in r.json()["detail"]
        r = client.get("/fields/8/profile", params={"level": "family", "limit": 3})
        assert r.status_code == 200 and r.json()["filters"]["level"] == "family"
    out = CliRunner().invoke(app, ["query", "bridges", "8", "9", "--level", "family",
                                   "--limit", "3", "--format", "json", "--graph",
                                   str(sample_graph)])
    assert out.exit_code == 0, out.output
    assert json.loads(out.output) == want.model_dump(mode="json")
    out = CliRunner().invoke(app, ["query", "partners", "ror:02rcrvv70", "--level", "campus",
                                   "--graph", str(sample_graph)])
    assert out.exit_code == 2 and "unknown level" in out.output
    g = ttkg.open(sample_graph)
    assert g.bridges("8", "9", level="family", limit=3) == want
    assert g.partners("ror:02rcrvv70", level="family").filters.level == "family"


# -- a university system whose board holds every patent: its campuses (user question 8) --------

UC_SYSTEM, BERKELEY = "ror:00pjdza24", "ror:01an7q238"


def _ror_roots() -> dict[str, set[str]]:
    """Node id -> the tops of its ROR parent chains, read straight from the raw ROR sample
    (a record's parents: its 'parent' relations and the active records naming it as a 'child';
    a parent no longer active stands for its successors too, as ROR recommends them)."""
    ror = SourcePaths.sample().ror
    assert ror is not None
    with zipfile.ZipFile(ror) as z:
        records = json.loads(z.read(z.namelist()[0]))

    def node(url: str) -> str:
        return "ror:" + url.rstrip("/").rsplit("/", 1)[-1]

    known = {node(r["id"]) for r in records}
    parents: dict[str, set[str]] = defaultdict(set)
    for r in records:
        for rel in r["relationships"]:
            if node(rel["id"]) not in known:
                continue
            if rel["type"] == "parent":
                parents[node(r["id"])].add(node(rel["id"]))
            elif rel["type"] == "child" and r["status"] == "active":
                parents[node(rel["id"])].add(node(r["id"]))
    successors = {node(r["id"]): {node(x["id"]) for x in r["relationships"]
                                  if x["type"] == "successor" and node(x["id"]) in known}
                  for r in records if r["status"] != "active"}
    for n, ps in parents.items():
        parents[n] = ps | {s for p in ps for s in successors.get(p, ())}

    def roots(n: str, seen: frozenset[str] = frozenset()) -> set[str]:
        up = parents[n] - seen - {n}
        return set().union(*(roots(p, seen | {n}) for p in up)) if up else {n}

    return {n: roots(n) for n in sorted(known)}


@pytest.fixture(scope="module")
def ror_roots() -> dict[str, set[str]]:
    return _ror_roots()


def test_a_ror_record_without_patents_is_in_the_family_of_its_ror_top(
    oracle: FamilyOracle, ror_roots: dict[str, set[str]]
) -> None:
    unheld = [n for n in ror_roots if not oracle.org_level.get(n) and n in oracle.orgs]
    assert len(unheld) > 1000
    joined = 0
    for n in unheld:
        tops = ror_roots[n]
        # a top that is itself in another family (a company's name family) hands it on
        want = {oracle.family[t] for t in tops}
        assert oracle.family[n] in (want if tops != {n} else {n}), n
        joined += oracle.family[n] != n
    assert joined > 500
    campuses = {n for n, tops in ror_roots.items() if tops == {UC_SYSTEM} and n != UC_SYSTEM}
    assert BERKELEY in campuses and len(campuses) >= 15
    assert all(oracle.family[c] == UC_SYSTEM for c in campuses)


def _uc_family_patents(oracle: FamilyOracle, ror_roots: dict[str, set[str]]) -> set[str]:
    """The patents of the University of California's family: those of every organisation whose
    only ROR top is the UC System (the system itself, its campuses and their institutes)."""
    return {p for o, ps in oracle.org_level.items() if ror_roots.get(o) == {UC_SYSTEM}
            for p in ps}


@pytest.mark.parametrize(("field", "years"), [(None, None), ("wipo:field:14", "2005-2020")])
def test_a_campus_at_the_family_level_has_its_systems_partners(
    backend: GraphBackend, oracle: FamilyOracle, ror_roots: dict[str, set[str]],
    field: str | None, years: str | None,
) -> None:
    uc = _uc_family_patents(oracle, ror_roots)
    if field:
        uc &= oracle.field_patents[field]
    y0, y1 = (int(y) for y in years.split("-")) if years else (None, None)
    uc = oracle.in_years(uc, y0, y1)
    counts: dict[str, int] = defaultdict(int)
    for p in uc:
        for f in oracle.patent_orgs[p] - {UC_SYSTEM}:
            counts[f] += 1
    want = sorted(counts.items(), key=lambda t: (-t[1], t[0]))
    assert len(want) >= 2
    r = partners(backend, "University of California, Berkeley", field.split(":")[-1]
                 if field else None, make_filters(years, level="family"), limit=100,
                 evidence=2)
    assert r.organization.id == UC_SYSTEM and r.asked is not None and r.asked.id == BERKELEY
    assert r.filters.level == "family"
    assert r.note is not None and "University of California System" in r.note
    assert "ROR parent chain" in r.note
    assert r.total == len(want)
    assert_same([(p.organization.id, p.count) for p in r.partners], want[:100])
    for p in r.partners:
        for e in p.evidence.patents:
            assert e.id in uc and e.id in oracle.org_patents[p.organization.id]


def test_a_campus_without_patents_at_the_organisation_level_says_who_holds_them(
    backend: GraphBackend, oracle: FamilyOracle
) -> None:
    assert not oracle.org_level.get(BERKELEY)
    r = partners(backend, "University of California, Berkeley")
    assert r.total == 0 and r.partners == [] and r.asked is None
    assert r.organization.id == BERKELEY and r.filters.level == "organization"
    assert r.note is not None
    assert "holds no patents of its own" in r.note and UC_SYSTEM in r.note
    assert "--level family" in r.note
    # an organisation holding patents of its own needs no note at its own level
    assert partners(backend, UC_SYSTEM).note is None
