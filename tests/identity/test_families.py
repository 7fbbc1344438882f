"""Issue 13: the family level on real assignee strings of the shared PatentsView extract."""

from __future__ import annotations

from ttkg.graph.identity import AssigneeName, OrganizationResolver
from ttkg.graph.identity.families import families


def _families(resolver: OrganizationResolver, names: list[AssigneeName]) -> dict[str, str]:
    res = resolver.resolve(names)
    fam = families(res, resolver.index)
    return {n.name: fam[res.cluster_of[n.name]].family_id for n in names}


def test_us_federal_agencies_are_one_government(resolver: OrganizationResolver) -> None:
    army = "The United States of America as represented by the Secretary of the Army"
    navy = "The United States of America as represented by the Secretary of the Navy"
    energy = "The United States of America as represented by the United States Department of Energy"
    got = _families(resolver, [AssigneeName(army, "6", "US", 40),
                               AssigneeName(navy, "6", "US", 60),
                               AssigneeName(energy, "6", "US", 5)])
    assert got[army] == got[navy] == got[energy]


def test_a_transfer_foundation_is_in_its_universitys_family(
    resolver: OrganizationResolver,
) -> None:
    got = _families(resolver, [
        AssigneeName("Research & Business Foundation Sungkyunkwan University", "3", "KR", 30),
        AssigneeName("Sungkyunkwan University", "3", "KR", 3),
    ])
    assert got["Research & Business Foundation Sungkyunkwan University"] == "ror:04q78tk20"
    assert got["Sungkyunkwan University"] == "ror:04q78tk20"


def test_a_company_extending_a_distinctive_name_joins_its_family(
    resolver: OrganizationResolver,
) -> None:
    names = [
        AssigneeName("Samsung Electronics Co., Ltd.", "3", "KR", 900),
        AssigneeName("Samsung Electronics America, Inc.", "2", "US", 4),
        AssigneeName("Mentor Graphics Corporation", "2", "US", 20),
        AssigneeName("Mentor Corporation", "2", "US", 3),
        AssigneeName("Mitsubishi Corporation", "3", "JP", 2),
        AssigneeName("Mitsubishi Pencil Co., Ltd.", "3", "JP", 4),
    ]
    got = _families(resolver, names)
    assert got["Samsung Electronics America, Inc."] == got["Samsung Electronics Co., Ltd."]
    # one ordinary-looking word is no family: Mentor Graphics is not Mentor Corporation, the
    # pencil maker is not the trading house
    assert got["Mentor Graphics Corporation"] != got["Mentor Corporation"]
    assert got["Mitsubishi Pencil Co., Ltd."] != got["Mitsubishi Corporation"]


def test_a_dominant_brand_founds_a_family(resolver: OrganizationResolver) -> None:
    # real strings with their patent rows, types and countries (labelled_assignees.csv)
    names = [
        AssigneeName("Sony Corporation", "3", "JP", 801),
        AssigneeName("Sony Electronics Inc.", "2", "US", 43),
        AssigneeName("Sony Mobile Communications Inc.", "3", "JP", 22),
        AssigneeName("SONY GROUP CORPORATION", "3", "CN", 2),
        AssigneeName("Rohm and Haas Electronic Materials LLC", "2", "US", 13),
        AssigneeName("Rohm and Haas Company", "2", "CN", 56),
    ]
    got = _families(resolver, names)
    sony = got["Sony Corporation"]
    assert got["Sony Electronics Inc."] == got["Sony Mobile Communications Inc."] == sony
    assert got["SONY GROUP CORPORATION"] == sony
    # 'Rohm and Haas' is a firm of its own, not the brand 'Rohm'
    assert got["Rohm and Haas Company"] != sony
    # memberships point at the head, which heads its own family
    assert got[next(n.name for n in names if got[n.name] == sony)] == sony
