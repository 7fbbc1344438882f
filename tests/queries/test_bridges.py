"""Field bridges on the bundled real sample, on every backend."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.parity import assert_same
from tests.queries.oracle import Oracle
from ttkg.core.errors import EntityNotFoundError, InvalidQueryError
from ttkg.graph.backends.contract import GraphBackend
from ttkg.queries.bridges import bridges
from ttkg.queries.common import make_filters


@pytest.fixture(scope="module")
def oracle(sample_graph: Path) -> Oracle:
    return Oracle(sample_graph)


def test_display_makers_bridge_semiconductors_and_optics(backend: GraphBackend) -> None:
    r = bridges(backend, "Semiconductors", "Optics", limit=5)
    top5 = [d.organization.name for d in r.direct]
    for name in ("BOE TECHNOLOGY GROUP CO., LTD.", "Samsung Display Co., Ltd."):
        assert name in top5
    assert any(n.startswith("Samsung Electronics") for n in top5), top5
    assert r.field_a.id == "wipo:field:8" and r.field_b.id == "wipo:field:9"


def test_direct_bridges_equal_an_independent_recomputation(
    backend: GraphBackend, oracle: Oracle
) -> None:
    r = bridges(backend, "8", "9", make_filters("2010-2020"), limit=50, evidence=2)
    want = oracle.direct("wipo:field:8", "wipo:field:9", 2010, 2020)
    assert r.total_direct == len(want)
    assert_same([(d.organization.id, d.count_a, d.count_b) for d in r.direct], want[:50])
    for d in r.direct:
        assert d.evidence["a"].total == d.count_a and len(d.evidence["a"].patents) <= 2
        for p in d.evidence["a"].patents + d.evidence["b"].patents:
            assert p.id in oracle.org_patents[d.organization.id]
            assert p.year is not None and 2010 <= p.year <= 2020


def test_tsinghua_and_hon_hai_are_a_top_university_company_pair(
    backend: GraphBackend, oracle: Oracle
) -> None:
    r = bridges(
        backend,
        "Semiconductors",
        "Optics",
        make_filters(kind="university", partner_kind="company"),
        limit=5,
        evidence=5,
    )
    first = r.partnerships[0]
    assert [o.name for o in first.organizations] == [
        "Tsinghua University",
        "Hon Hai Precision Industry Co., Ltd.",
    ]
    # the numbers: 99 co-owned in all, 21 in Semiconductors and 1 in Optics
    assert (first.count, first.count_a, first.count_b, first.co_owned_total) == (22, 21, 1, 99)
    semis = oracle.field_patents["wipo:field:8"] | oracle.field_patents["wipo:field:9"]
    for p in r.partnerships:
        university, company = p.organizations
        assert (university.kind, company.kind) == ("university", "company")
        co = oracle.co_owned(university.id, company.id)
        assert p.co_owned_total == len(co)
        assert p.count == len(co & semis) == p.evidence.total
        assert {e.id for e in p.evidence.patents} <= co & semis  # evidence inside the fields
    counts = [p.count for p in r.partnerships]
    assert counts == sorted(counts, reverse=True)


def test_sides_are_filtered_separately(backend: GraphBackend, oracle: Oracle) -> None:
    """--country TW --kind university means the first member is a TW university (the issue:
    it used to match either member and returned a CN university with a TW company)."""
    r = bridges(
        backend, "Semiconductors", "Optics", make_filters(country="TW", kind="university"),
        limit=50,
    )
    assert r.partnerships
    for p in r.partnerships:
        assert (p.organizations[0].country, p.organizations[0].kind) == ("TW", "university")
    assert r.filters.countries == ["TW"] and r.filters.kinds == ["university"]
    side = (frozenset({"TW"}), frozenset({"university"}))
    want = oracle.partnerships("wipo:field:8", "wipo:field:9", side=side)
    assert [tuple(o.id for o in p.organizations) for p in r.partnerships] == [
        w[:2] for w in want[:50]
    ]


def test_several_countries_and_the_partner_side(backend: GraphBackend, oracle: Oracle) -> None:
    flt = make_filters(country="CN,JP", partner_country=["TW", "KR"], partner_kind="company")
    r = bridges(backend, "Semiconductors", "Optics", flt, limit=100, evidence=0)
    side = (frozenset({"CN", "JP"}), frozenset())
    partner = (frozenset({"TW", "KR"}), frozenset({"company"}))
    want = oracle.partnerships("wipo:field:8", "wipo:field:9", side=side, partner=partner)
    got = [
        (p.organizations[0].id, p.organizations[1].id, p.count, p.count_a, p.count_b,
         p.co_owned_total)
        for p in r.partnerships
    ]
    assert_same(got, want[:100], "CN/JP x TW/KR companies")
    assert r.filters.partner_countries == ["KR", "TW"]


def test_filters_narrow_the_answer(backend: GraphBackend) -> None:
    everyone = bridges(backend, "Semiconductors", "Optics", limit=500)
    korean = bridges(backend, "Semiconductors", "Optics", make_filters(country="KR"), limit=500)
    assert korean.filters.countries == ["KR"]
    assert 0 < korean.total_direct < everyone.total_direct
    assert all(d.organization.country == "KR" for d in korean.direct)
    strong = bridges(backend, "Semiconductors", "Optics", min_evidence=50, limit=500)
    assert all(min(d.count_a, d.count_b) >= 50 for d in strong.direct)
    assert all(p.count >= 50 for p in strong.partnerships)


def test_pagination_is_stable(backend: GraphBackend) -> None:
    full = bridges(backend, "Semiconductors", "Optics", limit=20, evidence=0)
    page2 = bridges(backend, "Semiconductors", "Optics", limit=10, offset=10, evidence=0)
    assert [d.organization.id for d in page2.direct] == [
        d.organization.id for d in full.direct[10:]
    ]
    assert [[o.id for o in p.organizations] for p in page2.partnerships] == [
        [o.id for o in p.organizations] for p in full.partnerships[10:]
    ]


def test_cpc_symbols_and_sectors_are_fields(backend: GraphBackend, oracle: Oracle) -> None:
    r = bridges(backend, "H01M", "Y02E", limit=3)  # batteries x climate-change energy tech
    assert r.field_a.kind == "cpc" and r.field_a.value == "H01M"
    assert r.total_direct > 0
    sector = bridges(backend, "Electrical engineering", "Instruments", limit=3)
    assert sector.field_a.kind == "wipo_sector"
    assert sector.total_direct >= bridges(backend, "Semiconductors", "Optics").total_direct


def test_bad_fields_and_parameters_are_clear_errors(backend: GraphBackend) -> None:
    with pytest.raises(EntityNotFoundError):
        bridges(backend, "Semiconductors", "Underwater basket weaving")
    with pytest.raises(InvalidQueryError):
        bridges(backend, "Semiconductors", "Optics", limit=0)
    with pytest.raises(InvalidQueryError, match="empty"):
        make_filters("2020-2010")
    with pytest.raises(InvalidQueryError, match="spaceship"):
        make_filters(kind="spaceship")
    with pytest.raises(InvalidQueryError, match="'XX'"):
        make_filters(country="US,XX")
    with pytest.raises(InvalidQueryError, match="partner_country"):
        make_filters(partner_country="Narnia")


@pytest.mark.parametrize("years", [(None, None), (2012, 2018)])
def test_partnerships_equal_an_independent_recomputation(
    backend: GraphBackend, oracle: Oracle, years: tuple[int | None, int | None]
) -> None:
    text = None if years == (None, None) else f"{years[0]}-{years[1]}"
    r = bridges(backend, "8", "9", make_filters(text), limit=40, evidence=0)
    want = oracle.partnerships("wipo:field:8", "wipo:field:9", *years)
    assert r.total_partnerships == len(want)
    got = [
        (p.organizations[0].id, p.organizations[1].id, p.count, p.count_a, p.count_b,
         p.co_owned_total)
        for p in r.partnerships
    ]
    assert_same(got, want[:40], f"partnerships in {years}")
