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


def _families_with_countries(resolver: OrganizationResolver,
                             names: list[AssigneeName]) -> dict[str, str]:
    res = resolver.resolve(names)
    fam = families(res, resolver.index, {k: c.count for k, c in res.clusters.items()}, names)
    return {n.name: fam[res.cluster_of[n.name]].family_id for n in names}


# real strings with their patent rows, types and inventor countries (labelled_assignees.csv)
LG = [
    AssigneeName("LG Electronics Inc.", "3", "KR", 1882),
    AssigneeName("LG Display Co., Ltd.", "3", "KR", 427),
    AssigneeName("LG Chem, Ltd.", "3", "KR", 427),
    AssigneeName("LG Innotek Co., Ltd.", "3", "KR", 35),
    AssigneeName("LG Philips LCD Co., Ltd.", "3", "KR", 1),
]


def test_a_short_capital_brand_whose_companies_agree_on_a_country_is_a_group(
    resolver: OrganizationResolver,
) -> None:
    got = _families_with_countries(resolver, LG)
    # no company is named 'LG' alone: the head is ROR's group record, parent of LG Chem
    lg = "ror:03ddh2c27"
    assert got["LG Chem, Ltd."] == lg
    assert got["LG Electronics Inc."] == got["LG Display Co., Ltd."] == lg
    assert got["LG Innotek Co., Ltd."] == lg
    # a joint venture with another group (Philips is a ROR company) is its own family
    assert got["LG Philips LCD Co., Ltd."] != lg


def test_a_short_brand_needs_the_country_evidence(resolver: OrganizationResolver) -> None:
    # companies of different countries are no group: without LG Electronics, and with LG
    # Display put in Germany and LG Innotek in China, LG Chem's KR (ROR) holds 427 of 890 rows
    mixed = [AssigneeName(n.name, n.assignee_type, c, n.count)
             for n, c in zip(LG[1:], ("DE", "KR", "CN", "KR"), strict=True)]
    got = _families_with_countries(resolver, mixed)
    assert got["LG Display Co., Ltd."] != got["LG Chem, Ltd."]


def test_a_brand_word_rare_elsewhere_founds_a_family(resolver: OrganizationResolver) -> None:
    names = [
        AssigneeName("Intel Corporation", "2", "US", 1098),
        AssigneeName("Intel IP Corporation", "2", "DE", 30),
        AssigneeName("Intel Mobile Communications GmbH", "3", "DE", 28),
        AssigneeName("Intel Deutschland GmbH", "3", "DE", 3),
        AssigneeName("Urban Intel, Inc.", "2", "US", 3),
    ]
    got = _families_with_countries(resolver, names)
    intel = got["Intel Corporation"]
    assert got["Intel IP Corporation"] == got["Intel Mobile Communications GmbH"] == intel
    assert got["Intel Deutschland GmbH"] == intel
    # 'Urban Intel' (3 of 1,162 rows) does not stop the brand, and is no member
    assert got["Urban Intel, Inc."] != intel
