"""Bridges and profiles broken down by year, on the bundled real sample and on every backend,
checked against an independent recomputation from the artifact's tables (every counted
patent, not only the evidence shown); the partial last year marked from the manifest; the
CLI, the HTTP API and the Python API of `by_year`."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tests.queries.oracle import Oracle
from ttkg.api.app import create_app
from ttkg.cli.main import app
from ttkg.core.errors import InvalidQueryError
from ttkg.core.settings import Settings
from ttkg.facade import KnowledgeGraph
from ttkg.graph.artifact import Artifact
from ttkg.graph.backends.contract import GraphBackend
from ttkg.queries.bridges import bridges
from ttkg.queries.common import make_filters
from ttkg.queries.profile import field_profile


@pytest.fixture(scope="module")
def oracle(sample_graph: Path) -> Oracle:
    return Oracle(sample_graph)


@pytest.fixture(scope="module")
def partial(sample_graph: Path) -> int | None:
    """The sample's partial last year, from its manifest (None when complete)."""
    cov = Artifact.open(sample_graph).manifest["coverage"]["patents"]
    return int(cov["last_year"]) if cov["partial_last_year"] else None


def series(counts: Counter[int | None]) -> list[tuple[int | None, int]]:
    return sorted(((y, n) for y, n in counts.items() if n),
                  key=lambda r: (r[0] is None, r[0] or 0))


def per_year(oracle: Oracle, patents: set[str]) -> Counter[int | None]:
    return Counter(oracle.year[p] for p in patents)


@pytest.mark.parametrize("years", [(None, None), (2012, 2020)])
def test_bridges_by_year_count_every_patent(
    backend: GraphBackend, oracle: Oracle, partial: int | None,
    years: tuple[int | None, int | None],
) -> None:
    text = None if years == (None, None) else f"{years[0]}-{years[1]}"
    fa, fb = "wipo:field:8", "wipo:field:9"
    r = bridges(backend, "8", "9", make_filters(text), limit=15, evidence=1, by_year=True)
    assert r.direct and r.partnerships
    in_a = oracle.in_years(oracle.field_patents[fa], *years)
    in_b = oracle.in_years(oracle.field_patents[fb], *years)
    for d in r.direct:
        mine = oracle.org_patents[d.organization.id]
        want_a, want_b = per_year(oracle, mine & in_a), per_year(oracle, mine & in_b)
        got = [(y.year, y.count_a, y.count_b) for y in d.by_year]
        assert got == [(y, want_a[y], want_b[y])
                       for y, _ in series(want_a + want_b)], d.organization.name
        assert sum(y.count_a for y in d.by_year) == d.count_a
        assert sum(y.count_b for y in d.by_year) == d.count_b
        assert len(d.evidence["a"].patents) <= 1  # the series is not limited to the evidence
        assert [y.year for y in d.by_year if y.partial] == (
            [partial] if partial in want_a + want_b else [])
    for p in r.partnerships:
        x, y = (o.id for o in p.organizations)
        joint = oracle.co_owned(x, y) & (in_a | in_b)
        assert [(c.year, c.patents) for c in p.by_year] == series(per_year(oracle, joint))
        assert sum(c.patents for c in p.by_year) == p.count
        assert [c.year for c in p.by_year if c.partial] == (
            [partial] if partial in per_year(oracle, joint) else [])


def test_bridges_without_by_year_are_unchanged(backend: GraphBackend) -> None:
    plain = bridges(backend, "8", "9", limit=5, evidence=2)
    yearly = bridges(backend, "8", "9", limit=5, evidence=2, by_year=True)
    assert all(not d.by_year for d in plain.direct)
    assert all(not p.by_year for p in plain.partnerships)
    for a, b in zip(plain.direct, yearly.direct, strict=True):
        assert a.model_dump(exclude={"by_year"}) == b.model_dump(exclude={"by_year"})
    for a, b in zip(plain.partnerships, yearly.partnerships, strict=True):
        assert a.model_dump(exclude={"by_year"}) == b.model_dump(exclude={"by_year"})


def test_by_year_needs_two_technology_fields(backend: GraphBackend) -> None:
    with pytest.raises(InvalidQueryError, match="by_year"):
        bridges(backend, "Semiconductors", "openalex:field:25", by_year=True)


@pytest.mark.parametrize(("field", "wipo", "country"), [
    ("Semiconductors", "wipo:field:8", None),
    ("Optics", "wipo:field:9", "KR,JP"),
])
def test_profile_by_year(
    backend: GraphBackend, oracle: Oracle, partial: int | None, field: str, wipo: str,
    country: str | None,
) -> None:
    r = field_profile(backend, field, make_filters(country=country), by_year=True)
    countries = set(country.split(",")) if country else set()
    patents = {
        p for p in oracle.field_patents[wipo]
        if not countries or any(oracle.orgs[o]["country"] in countries
                                for o in oracle.patent_orgs[p])
    }
    want = per_year(oracle, patents)
    assert [(y.year, y.patents) for y in r.by_year] == series(want)
    assert sum(y.patents for y in r.by_year) == r.patents == len(patents)
    assert [y.year for y in r.by_year if y.partial] == ([partial] if partial in want else [])
    assert not field_profile(backend, field).by_year


def test_the_sample_has_a_partial_last_year(partial: int | None) -> None:
    """The marking above is exercised: the sample stops inside its last year."""
    assert partial is not None


def test_cli_api_and_python_api(sample_graph: Path, memory_backend: GraphBackend) -> None:
    want = field_profile(memory_backend, "Optics", by_year=True)
    g = KnowledgeGraph(memory_backend)
    assert g.profile("Optics", by_year=True) == want
    pair = bridges(memory_backend, "8", "9", limit=3, by_year=True)
    assert g.bridges("8", "9", limit=3, by_year=True) == pair
    with TestClient(create_app(Settings(), backend=memory_backend)) as client:
        got = client.get("/fields/Optics/profile", params={"by_year": "true"})
        assert got.status_code == 200, got.text
        assert got.json()["by_year"] == want.model_dump(mode="json")["by_year"]
        got = client.get("/bridges", params={"field_a": "8", "field_b": "9", "limit": 3,
                                             "by_year": "true"})
        assert got.status_code == 200, got.text
        assert got.json()["partnerships"][0]["by_year"] == pair.model_dump(
            mode="json")["partnerships"][0]["by_year"]
    runner = CliRunner()
    out = runner.invoke(app, ["query", "profile", "Optics", "--by-year", "--graph",
                              str(sample_graph)])
    assert out.exit_code == 0, out.output
    assert "patents by year:" in out.output and "*" in out.output
    out = runner.invoke(app, ["query", "bridges", "8", "9", "--by-year", "--limit", "2",
                              "--format", "json", "--graph", str(sample_graph)])
    assert out.exit_code == 0, out.output
    assert json.loads(out.output)["direct"][0]["by_year"]


def test_by_year_breakdowns_apply_group_membership_year_by_year(
    backend: GraphBackend, oracle: Oracle
) -> None:
    """The UK left the EU on 2020-01-31. EU27 in 2019-2021 counts it (a member at some time
    then) in a bridge's and a profile's counts; their by-year breakdowns count it in 2019 and
    2020 only, as an independent table of accession dates says, and the echo says so."""
    from tests.queries.test_flows import _in_eu

    f = make_filters("2019-2021", "EU27")
    computer = oracle.in_years(oracle.field_patents["wipo:field:6"], 2019, 2021)
    prof = field_profile(backend, "6", f, by_year=True)
    ranged = {p for p in computer
              if any(oracle.orgs[o]["country"] in f.countries for o in oracle.patent_orgs[p])}
    yearly = {p for p in ranged
              if any(_in_eu(oracle.orgs[o]["country"], oracle.year[p])
                     for o in oracle.patent_orgs[p])}
    assert prof.patents == len(ranged) and "GB" in f.countries
    assert [(y.year, y.patents) for y in prof.by_year] == series(per_year(oracle, yearly))
    assert yearly < ranged  # the UK's 2021 patents: counted in the range, not in 2021
    assert "by-year breakdown, year by year" in prof.filters.country_groups[0].membership

    checked = 0
    for fb in ("7", "9", "10"):
        r = bridges(backend, "6", fb, f, limit=50, evidence=1, by_year=True)
        assert "by-year breakdown" in r.filters.country_groups[0].membership
        other = oracle.in_years(oracle.field_patents[f"wipo:field:{fb}"], 2019, 2021)
        for d in r.direct:
            country = d.organization.country
            mine = oracle.org_patents[d.organization.id]
            per_a = per_year(oracle, {p for p in mine & computer
                                      if _in_eu(country, oracle.year[p])})
            per_b = per_year(oracle, {p for p in mine & other
                                      if _in_eu(country, oracle.year[p])})
            assert [(y.year, y.count_a, y.count_b) for y in d.by_year] == [
                (y, per_a[y], per_b[y]) for y, _ in series(per_a + per_b)]
            checked += country == "GB"
        for p in r.partnerships:
            x, y = (o.country for o in p.organizations)
            joint = {q for q in oracle.co_owned(p.organizations[0].id, p.organizations[1].id)
                     & (computer | other)
                     if _in_eu(x, oracle.year[q]) or _in_eu(y, oracle.year[q])}
            assert [(s.year, s.patents) for s in p.by_year] == series(per_year(oracle, joint))
            checked += "GB" in (x, y)
    assert checked >= 2  # British bridges and partnerships, with 2021 patents not counted
