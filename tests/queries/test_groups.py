"""Country groups: their membership as data with provenance, and their expansion wherever a
country is accepted (each side of a pair), echoed in the answers."""

from __future__ import annotations

from pathlib import Path

import pycountry
import pytest

from tests.queries.oracle import Oracle
from ttkg.core.errors import InvalidQueryError
from ttkg.core.groups import country_group, country_groups
from ttkg.core.model import EdgeType, NodeLabel
from ttkg.graph.artifact import Artifact
from ttkg.graph.backends.contract import GraphBackend
from ttkg.queries.bridges import bridges
from ttkg.queries.common import make_filters, parse_places
from ttkg.queries.models import AppliedFilters
from ttkg.queries.profile import field_profile


def test_oic_has_57_members_and_india_is_not_one() -> None:
    oic = country_group("OIC")
    assert oic is not None and len(oic.members) == 57
    assert "IN" not in oic.members
    assert {"SA", "MY", "ID", "TR", "EG", "PK", "NG", "AE", "PS", "GY", "SR"} <= set(oic.members)
    assert "oic-oci.org" in oic.source and oic.as_of


def test_every_member_is_an_iso_country_and_every_group_cites_a_source() -> None:
    groups = country_groups()
    for code in ("OIC", "ARAB_LEAGUE", "GCC", "EU27", "OECD", "G7", "G20", "BRICS", "ASEAN",
                 "AFRICAN_UNION", "M49:002", "M49:145", "M49:202", "M49:419"):
        assert code in groups, code
    for g in groups.values():
        assert g.members and g.source and g.as_of, g.code
        assert all(pycountry.countries.get(alpha_2=c) for c in g.members), g.code


@pytest.mark.parametrize(
    ("name", "size"),
    [("Arab League", 22), ("GCC", 6), ("EU-27", 27), ("OECD", 38), ("G7", 7), ("G20", 19),
     ("African Union", 55)],
)
def test_group_sizes(name: str, size: int) -> None:
    group = country_group(name)
    assert group is not None and len(group.members) == size


def test_eu27_is_after_brexit_and_from_the_maintained_package() -> None:
    eu = country_group("EU")
    assert eu is not None and eu.code == "EU27"
    assert "GB" not in eu.members and {"DE", "FR", "HR", "IE"} <= set(eu.members)
    assert "country_converter" in eu.source


def test_brics_with_its_recent_members_and_their_dates() -> None:
    brics = country_group("brics")
    assert brics is not None
    assert {"BR", "RU", "IN", "CN", "ZA", "EG", "ET", "IR", "AE", "ID"} == set(brics.members)
    assert brics.member_since("EG") == "2024-01-01"
    assert brics.member_since("ID") == "2025-01-06"
    assert brics.member_since("ZA") == "2010-12-24"
    assert "SA" not in brics.members  # invited, never confirmed


def test_oecd_accession_years_come_with_the_members() -> None:
    oecd = country_group("OECD")
    assert oecd is not None
    assert oecd.member_since("US") == "1961" and oecd.member_since("CR") == "2021"


def test_m49_regions_are_their_sub_regions() -> None:
    west_asia, asia = country_group("Western Asia"), country_group("M49:142")
    assert west_asia is not None and asia is not None
    assert {"SA", "TR", "AE", "IL"} <= set(west_asia.members) <= set(asia.members)
    africa, north, south = (country_group(n) for n in ("Africa", "Northern Africa",
                                                       "Sub-Saharan Africa"))
    assert africa and north and south
    assert set(africa.members) == set(north.members) | set(south.members)


def test_a_two_letter_iso_code_stays_a_country() -> None:
    """AU is Australia, never the African Union."""
    codes, groups = parse_places("AU")
    assert codes == {"AU"} and groups == ()


def test_groups_expand_on_both_sides_and_are_echoed() -> None:
    f = make_filters(country="OIC", kind="university", partner_country="US,CN")
    assert len(f.countries) == 57 and f.country_groups == ("OIC",)
    assert f.partner_countries == {"US", "CN"} and f.partner_country_groups == ()
    g = make_filters(country="SA", partner_country=["BRICS", "gcc"])
    assert g.partner_country_groups == ("BRICS", "GCC")
    assert g.partner_countries == set(country_groups()["BRICS"].members) | set(
        country_groups()["GCC"].members
    )
    applied = AppliedFilters.of(f)
    assert [grp.code for grp in applied.country_groups] == ["OIC"]
    assert len(applied.country_groups[0].members) == 57
    assert "OIC (57 countries)" in applied.describe()
    assert applied.partner_countries == ["CN", "US"]


def test_unknown_group_is_an_error_with_suggestions() -> None:
    with pytest.raises(InvalidQueryError, match=r"'OCI'.*did you mean OIC"):
        make_filters(country="OCI")
    with pytest.raises(InvalidQueryError, match="partner_country"):
        make_filters(partner_country="Westrn Asa Blah Blah")


def test_a_group_filters_like_its_countries(backend: GraphBackend) -> None:
    """On the real sample: --country OIC gives what the 57 codes typed by hand give."""
    by_group = bridges(backend, "Semiconductors", "Optics", make_filters(country="Asia"),
                       limit=50)
    by_hand = bridges(
        backend, "Semiconductors", "Optics",
        make_filters(country=sorted(country_groups()["M49:142"].members)), limit=50,
    )
    assert by_group.direct and by_group.direct == by_hand.direct
    assert by_group.partnerships == by_hand.partnerships
    assert [g.code for g in by_group.filters.country_groups] == ["M49:142"]
    assert all(d.organization.country in country_groups()["M49:142"].members
               for d in by_group.direct)


# -- membership dates, applied when years are asked ----------------------------------------


def test_brics_in_2024_is_its_nine_members_of_that_year() -> None:
    """Egypt, Ethiopia, Iran and the UAE joined on 2024-01-01, Indonesia on 2025-01-06."""
    f = make_filters("2024-2024", country="BRICS")
    assert f.countries == {"BR", "RU", "IN", "CN", "ZA", "EG", "ET", "IR", "AE"}
    assert make_filters("2015-2020", country="BRICS").countries == {"BR", "RU", "IN", "CN", "ZA"}
    assert make_filters(country="BRICS").countries == set(country_group("BRICS").members)
    echo = AppliedFilters.of(f).country_groups[0]
    assert echo.members == sorted(f.countries)
    assert "membership dates applied" in echo.membership
    assert "not yet members: ID" in echo.membership


def test_eu27_includes_the_uk_before_it_left_and_croatia_after_it_joined() -> None:
    assert "GB" in make_filters("2010-2015", country="EU27").countries
    assert "GB" in make_filters("2020-", country="EU").countries  # a member until 2020-01-31
    assert "GB" not in make_filters("2021-2022", country="EU27").countries
    assert "HR" not in make_filters("2000-2012", partner_country="EU27").partner_countries
    assert len(make_filters("1990-1994", country="EU27").countries) == 12
    echo = AppliedFilters.of(make_filters("2010-2015", partner_country="EU27"))
    assert "former members then: GB" in echo.partner_country_groups[0].membership


def test_groups_without_dates_say_current_membership_was_used() -> None:
    echo = AppliedFilters.of(make_filters("2010-2015", country="OIC"))
    assert echo.country_groups[0].membership.startswith("current members (as of 2025-06")
    assert "no membership dates known" in echo.country_groups[0].membership
    assert AppliedFilters.of(make_filters(country="EU27")).country_groups[0].membership == (
        "current members")


def test_dated_membership_reaches_the_counts(backend: GraphBackend, sample_graph: Path) -> None:
    """Patents of a field held by an organisation of the EU in 2005-2015 count British
    organisations (the UK was a member then); recomputed from the artifact's tables."""
    oracle = Oracle(sample_graph)
    eu_then = set(country_group("EU27").members) | {"GB"}
    counted = {"current": set(), "then": set()}
    field = "wipo:field:16"
    for p in oracle.in_years(oracle.field_patents[field], 2005, 2015):
        countries = {oracle.orgs[o]["country"] for o in oracle.patent_orgs[p]}
        counted["then"] |= {p} if countries & eu_then else set()
        counted["current"] |= {p} if countries & set(country_group("EU27").members) else set()
    assert len(counted["then"]) > len(counted["current"])  # British holders make a difference
    r = field_profile(backend, "16", make_filters("2005-2015", country="EU27"))
    assert r.patents == len(counted["then"])
    assert "GB" in {c.entity.id.removeprefix("country:") for c in r.countries}


def test_groups_are_nodes_of_the_graph(sample_graph: Path, backend: GraphBackend) -> None:
    """Every group is a CountryGroup node; its members, current and former, IN_GROUP edges
    with their dates (read back from the artifact's tables and through the backend)."""
    art = Artifact.open(sample_graph)
    groups = {r["id"]: r for r in art.nodes(NodeLabel.COUNTRY_GROUP).to_pylist()}
    assert set(groups) == {g.node_id for g in country_groups().values()}
    assert groups["group:OIC"]["name"] == "Organisation of Islamic Cooperation"
    edges = art.edges(EdgeType.IN_GROUP).to_pylist()
    brics = {e["src"]: e["since"] for e in edges if e["dst"] == "group:BRICS"}
    assert len(brics) == 10 and brics["country:ID"] == "2025-01-06"
    uk = [e for e in edges if e["src"] == "country:GB" and e["dst"] == "group:EU27"]
    assert [(e["since"], e["until"]) for e in uk] == [("1973-01-01", "2020-01-31")]
    assert len([e for e in edges if e["dst"] == "group:EU27"]) == 28
    node = backend.get_nodes(["group:EU27"])["group:EU27"]
    assert node.label is NodeLabel.COUNTRY_GROUP and node.props["code"] == "EU27"


def test_members_year_by_year() -> None:
    """What flows --by-year applies to each grant year: BRICS without Egypt in 2023 and with
    it in 2024, Indonesia from 2025; the UK in EU27 in 2020 (it left on 2020-01-31), not 2021."""
    from ttkg.queries.yearly import members_in_year

    assert "EG" not in members_in_year("BRICS", 2023) and "EG" in members_in_year("BRICS", 2024)
    assert "ID" not in members_in_year("BRICS", 2024) and "ID" in members_in_year("BRICS", 2025)
    assert len(members_in_year("BRICS", 2009)) == 4  # South Africa joined on 2010-12-24
    assert "GB" in members_in_year("EU27", 2020) and "GB" not in members_in_year("EU27", 2021)
    assert "HR" not in members_in_year("EU27", 2012) and "HR" in members_in_year("EU27", 2013)
