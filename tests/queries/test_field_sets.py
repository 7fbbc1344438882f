"""Every field argument takes a theme or several fields at once: bridges, partners and
profile count the union of their parts (a patent once, when it is in any part), on every
backend, checked against an independent recomputation from the artifact's tables; the answer
echoes the expansion; a name ambiguity is still a question back (exit 2, HTTP 422)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tests.parity import assert_same
from tests.queries.oracle import Oracle
from ttkg.api.app import create_app
from ttkg.cli.main import app
from ttkg.core.errors import AmbiguousEntityError, InvalidQueryError
from ttkg.core.model import field_id
from ttkg.core.settings import Settings
from ttkg.facade import KnowledgeGraph
from ttkg.graph.backends.contract import Filters, GraphBackend
from ttkg.queries.bridges import bridges
from ttkg.queries.common import make_filters
from ttkg.queries.partners import partners
from ttkg.queries.profile import field_profile
from ttkg.queries.selections import FieldUnion, resolve_field_arg


@pytest.fixture(scope="module")
def oracle(sample_graph: Path) -> Oracle:
    return Oracle(sample_graph)


def _ai(oracle: Oracle) -> frozenset[str]:
    """The AI theme as the bundled table writes it (data/themes.toml): CPC G06N, G06V and the
    main groups G10L15/00, G06F40/00, G06T7/00 (a main group: every symbol under it)."""
    return oracle.selection(cpc=["G06N", "G06V", "G10L15/", "G06F40/", "G06T7/"])


def _health(oracle: Oracle) -> frozenset[str]:
    """The health theme: CPC G16H and WIPO fields 13 and 16."""
    return oracle.selection(wipo=[field_id(13), field_id(16)], cpc=["G16H"])


def test_bridges_between_a_theme_and_two_fields_equal_the_oracle(
    backend: GraphBackend, oracle: Oracle
) -> None:
    chips_optics = oracle.selection(wipo=[field_id(9)], cpc=["H01L"])
    ai = _ai(oracle)
    r = bridges(backend, "AI", "H01L,Optics", limit=20, evidence=1)
    want = oracle.direct(ai, chips_optics)
    assert r.total_direct == len(want)
    assert_same([(d.organization.id, d.count_a, d.count_b) for d in r.direct], want[:20])
    pairs = oracle.partnerships(ai, chips_optics)
    assert r.total_partnerships == len(pairs)
    assert_same(
        [(p.organizations[0].id, p.organizations[1].id, p.count, p.count_a, p.count_b,
          p.co_owned_total) for p in r.partnerships],
        pairs[:20],
    )
    # deeper in the rankings, as the backend's primitives give them (every direct bridge;
    # partnerships to 200: each listed pair's co-owned total is one more lookup on Neo4j)
    a, b = resolve_field_arg(backend, "AI"), resolve_field_arg(backend, "H01L,Optics")
    assert isinstance(a, FieldUnion) and isinstance(b, FieldUnion)
    assert_same(backend.direct_bridges(a.parts, b.parts, Filters(), 1, 0, 10**6),
                (len(want), want))
    assert_same(backend.partnership_bridges(a.parts, b.parts, Filters(), 1, 0, 200),
                (len(pairs), pairs[:200]))
    # a union counts a patent once: an organisation's count is not the sum over the parts
    chips = oracle.selection(cpc=["H01L"])
    optics = oracle.field_patents[field_id(9)]
    top = r.direct[0]
    held = oracle.org_patents[top.organization.id]
    assert top.count_b == len(held & chips_optics) <= len(held & chips) + len(held & optics)
    # the echo: a theme with its parts and source; several fields with each of them
    assert r.field_a.kind == "theme" and r.field_a.id == "theme:ai" and r.field_a.source
    assert [p.value for p in r.field_a.parts] == ["G06N", "G06V", "G10L15/00", "G06F40/00",
                                                  "G06T7/00"]
    assert r.field_b.kind == "fields" and r.field_b.name == "H01L or Optics"
    assert [(p.id, p.kind) for p in r.field_b.parts] == [("cpc:H01L", "cpc"),
                                                         (field_id(9), "wipo_field")]


def test_bridges_by_year_and_filters_with_a_union(backend: GraphBackend, oracle: Oracle) -> None:
    health = _health(oracle)
    chips = oracle.field_patents[field_id(8)]
    r = bridges(backend, "theme:health", "Semiconductors,Optics", make_filters("2015-2020"),
                by_year=True, limit=20, evidence=0)
    optics = oracle.field_patents[field_id(9)]
    want = oracle.direct(health, frozenset(chips | optics), 2015, 2020)
    assert_same([(d.organization.id, d.count_a, d.count_b) for d in r.direct], want[:20])
    for d in r.direct:
        assert sum(y.count_a for y in d.by_year) == d.count_a
        held = oracle.in_years(oracle.org_patents[d.organization.id] & health, 2015, 2020)
        assert {y.year: y.count_a for y in d.by_year if y.count_a} == dict(
            Counter(oracle.year[p] for p in held))


def test_profile_of_a_theme_equals_the_oracle(backend: GraphBackend, oracle: Oracle) -> None:
    health = _health(oracle)
    r = field_profile(backend, "medicine and health", limit=5, by_year=True)
    assert r.patents == len(health) > 0
    per_org = {o: len(p & health) for o, p in oracle.org_patents.items()}
    want = sorted(((o, n) for o, n in per_org.items() if n), key=lambda t: (-t[1], t[0]))[:5]
    assert_same([(e.entity.id, e.count) for e in r.organizations], want)
    assert_same({y.year: y.patents for y in r.by_year},
                dict(Counter(oracle.year[p] for p in health)))
    # its own WIPO fields are not "co-occurring"
    assert not {e.entity.id for e in r.cooccurring_fields} & {field_id(13), field_id(16)}
    assert r.field.kind == "theme" and len(r.field.parts) == 3


def test_partners_in_several_fields_equal_the_oracle(
    backend: GraphBackend, oracle: Oracle
) -> None:
    both = oracle.field_patents[field_id(8)] | oracle.field_patents[field_id(9)]
    org = max(oracle.org_patents, key=lambda o: (len(oracle.org_patents[o] & both), o))
    r = partners(backend, org, "Semiconductors,Optics", limit=100, evidence=2)
    mine = oracle.org_patents[org] & both
    want = Counter({o: len(mine & ps) for o, ps in oracle.org_patents.items()
                    if o != org and mine & ps})
    assert r.total == len(want)
    assert_same([(p.organization.id, p.count) for p in r.partners],
                sorted(want.items(), key=lambda t: (-t[1], t[0]))[:100])
    for p in r.partners[:5]:
        assert {e.id for e in p.evidence.patents} <= mine & oracle.org_patents[p.organization.id]
    assert r.field is not None and r.field.kind == "fields"


def test_ambiguity_and_research_fields_in_a_set(backend: GraphBackend) -> None:
    with pytest.raises(AmbiguousEntityError, match=r"wipo:field:15.*openalex:subfield:1305"):
        bridges(backend, "Biotechnology,Optics", "AI")
    with pytest.raises(InvalidQueryError, match="'Materials Science' is an OpenAlex research"):
        field_profile(backend, "Materials Science,Optics")
    # a theme named as a research field is too ("health": the theme, and OpenAlex's
    # subfield Health): a question back naming both ids; theme:health is the theme
    for text in ("health", "Semiconductors,health"):
        with pytest.raises(AmbiguousEntityError,
                           match=r"theme:health .*openalex:subfield:3306 \(Health\)"):
            field_profile(backend, text)
    # one research field against a theme is a science x technology bridge, as before
    r = bridges(backend, "Materials Science", "AI", limit=3)
    assert r.field_a.kind == "openalex_field" and r.field_b.kind == "theme"


@pytest.fixture(scope="module")
def client(backend: GraphBackend) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(), backend=backend)) as c:
        yield c


def test_api_and_python_api_take_themes_and_sets(
    client: TestClient, backend: GraphBackend
) -> None:
    got = client.get("/bridges", params={"field_a": "AI", "field_b": "H01L,Optics",
                                         "limit": 3})
    assert got.status_code == 200, got.text
    assert got.json() == bridges(backend, "AI", "H01L,Optics", limit=3).model_dump(mode="json")
    assert got.json()["field_b"]["parts"][1]["name"] == "Optics"
    profile = client.get("/fields/theme:health/profile")
    assert profile.status_code == 200 and profile.json()["field"]["id"] == "theme:health"
    bad = client.get("/bridges", params={"field_a": "Biotechnology,Optics", "field_b": "AI"})
    assert bad.status_code == 422 and "ambiguous" in bad.text
    g = KnowledgeGraph(backend)
    assert g.profile("AI,theme:health").field.kind == "fields"
    assert g.partners("Tsinghua University", field="microelectronics").field is not None


def test_cli_takes_themes_and_sets(sample_graph: Path, memory_backend: GraphBackend) -> None:
    runner = CliRunner()
    ok = runner.invoke(app, ["query", "profile", "AI", "--graph", str(sample_graph),
                             "--format", "json"])
    assert ok.exit_code == 0, ok.output
    assert '"theme:ai"' in ok.output
    table = runner.invoke(app, ["query", "bridges", "AI", "H01L,Optics", "--limit", "1",
                                "--graph", str(sample_graph)])
    assert table.exit_code == 0 and "Artificial intelligence: G06N, G06V" in table.output
    ambiguous = runner.invoke(app, ["query", "bridges", "Biotechnology,Optics", "AI",
                                    "--graph", str(sample_graph)])
    assert ambiguous.exit_code == 2 and "ambiguous" in ambiguous.output
    assert Filters() == make_filters()  # nothing else leaks into the filters
