"""Rare spellings of dominant names, and the subsidiaries kept apart, on real PatentsView strings.

Every AssigneeName below is a real distinct assignee string of the shared PatentsView extract
with its real evidence (assignee type, most common inventor country, patent rows), so the
frequency-dominance rules see what they see in the build.
"""

from __future__ import annotations

from pathlib import Path

from ttkg.graph.identity import AssigneeName, OrganizationResolver, Resolution
from ttkg.loaders.records import RorRecord
from ttkg.loaders.report import LoadReport
from ttkg.loaders.ror import read_ror

DATA = Path(__file__).resolve().parents[1] / "data" / "identity"

A = AssigneeName

QUALCOMM = [A("QUALCOMM Incorporated", "2", "US", 1935), A("UALCOMM Incorporated", "2", "US", 1)]
SAMSUNG = [
    A("Samsung Electronics Co., Ltd.", "3", "KR", 5276),
    A("SAMSUNG ELECTRONICS CO., LTD.", "3", "KR", 2220),
    A("Samsung Electric Co., Ltd.", "3", "KR", 2),
]
ETRI = [
    A("Electronics and Telecommunications Research Institute", "3", "KR", 795),
    A("Electronics and Telecommunications Research Inst.", "3", "KR", 4),
    A("Electronics and Telecommunications", "3", "KR", 1),
]
AIST_AGENCY = [
    A("Agency of Industrial Science and Technology", "7", "JP", 12),
    A("Agency of Industrial Science & Technology", "7", "JP", 8),
    A("Agency of Industrial Science", "7", "JP", 1),
]
HON_HAI = [
    A("Hong Fu Jin Precision Industry (ShenZhen) Co., Ltd.", "3", "CN", 308),
    A("Hong Fu Jin Precision Industry (Shenzhen) Co., Ltd.", "3", "TW", 53),
    A("Hong Fu Jin Precision Industry (WuHan) Co., Ltd.", "3", "TW", 29),
    A("HONG FU JIN PRECISION INDUSTRY (WuHan) CO., LTD.", "3", "TW", 7),
    A("Hong Fu Jin Precision Industry Co., Ltd.", "3", "CN", 2),
    A("Hong Pu Jim Precision Industry (Shenzhen) Co., Ltd.", "3", "TW", 1),
]
CANON = [
    A("Canon Kabushiki Kaisha", "3", "JP", 1172),
    A("Cannon Kabushiki Kaisha", "3", "JP", 2),
    A("Caon Kabushiki Kaisha", "3", "JP", 1),
]
MISC_VARIANTS = [
    A("Sony Corporation", "3", "JP", 801),
    A("Sony Corporation of Japan", "3", "US", 1),  # its own country after the legal form
    A("LG Display Co., Ltd.", "3", "KR", 427),
    A("LG Display Co., LCD", "3", "KR", 1),  # junk after the legal form
    A("Mitsubishi Heavy Industries, Ltd.", "3", "JP", 126),
    A("Mitsubishi Jukogyo Kabushiki Kaisha", "3", "JP", 22),  # romanised Japanese
    A("Ministry of International Trade and Industry", "7", "JP", 4),
    A("Japan Ministry of International Trade and Industry", "7", "JP", 1),
    A("Samsung Gwangju Electronics Co., Ltd.", "3", "KR", 1),
    A("Samsung Kwangju Electronics Co., Ltd.", "3", "KR", 1),  # another romanisation
]
#: Similar names of different organisations: each pair must stay apart.
APART = [
    (A("Tokyo Electron Limited", "3", "JP", 155), A("Tokyo Electric Co., Ltd.", "3", "JP", 3)),
    (A("Hitachi Automotive Systems, Ltd.", "3", "JP", 45),
     A("Hitachi Systems, Ltd.", "3", "JP", 2)),
    (A("University of South Florida", "2", "US", 28), A("University of Florida", "2", "US", 2)),
    (A("Nokia Technologies Oy", "3", "CN", 33), A("NUBIA TECHNOLOGY CO., LTD.", "3", "CN", 3)),
    (A("Sanden Corporation", "3", "JP", 19), A("Anden Co., Ltd.", "3", "JP", 1)),
    (A("Kimberly-Clark Worldwide, Inc.", "2", "US", 35),
     A("Kimberly-Clark Corporation", "2", "US", 3)),
    (A("Murakami Corporation", "3", "JP", 9), A("Yutaka Mfg. Co., Ltd.", "3", "JP", 1)),
    (A("Tanaka Kogyo Co., Ltd.", "3", "JP", 1), A("Tanaka Sangyo Co., Ltd.", "3", "JP", 1)),
]
SUBSIDIARIES = [
    A("Siemens Aktiengesellschaft", "3", "CN", 111),
    A("SIEMENS AG", "3", "US", 1),
    A("SIEMENS AKTENGESELLSCHAFT", "3", "DE", 1),
    A("Siemens Corporation", "2", "US", 5),
    A("Ericsson AB", "3", "US", 8),
    A("Ericsson Inc.", "2", "US", 9),
]


def same(res: Resolution, *names: str) -> bool:
    return len({res.cluster_of[n] for n in names}) == 1


def test_rare_misspellings_attach_to_the_dominant_name(resolver: OrganizationResolver) -> None:
    res = resolver.resolve(QUALCOMM + SAMSUNG + CANON)
    assert same(res, "QUALCOMM Incorporated", "UALCOMM Incorporated")  # first letter lost
    assert same(res, "Samsung Electronics Co., Ltd.", "Samsung Electric Co., Ltd.")  # stem
    assert same(res, "Canon Kabushiki Kaisha", "Cannon Kabushiki Kaisha", "Caon Kabushiki Kaisha")
    reason = res.name_reason["UALCOMM Incorporated"]
    assert "rare spelling" in reason and "'ualcomm'~'qualcomm'" in reason


def test_cut_off_names_attach_to_the_only_name_they_begin(resolver: OrganizationResolver) -> None:
    res = resolver.resolve(ETRI + AIST_AGENCY)
    assert same(res, *(a.name for a in ETRI))
    assert same(res, *(a.name for a in AIST_AGENCY))
    assert "cut off before 'research institute'" in res.name_reason[
        "Electronics and Telecommunications"]


def test_a_name_that_fits_two_dominant_names_attaches_to_neither(
    resolver: OrganizationResolver,
) -> None:
    res = resolver.resolve(HON_HAI)
    shenzhen = res.cluster_of["Hong Fu Jin Precision Industry (ShenZhen) Co., Ltd."]
    wuhan = res.cluster_of["Hong Fu Jin Precision Industry (WuHan) Co., Ltd."]
    assert shenzhen != wuhan
    # without a city it could be the Shenzhen or the Wuhan company
    assert res.cluster_of["Hong Fu Jin Precision Industry Co., Ltd."] not in (shenzhen, wuhan)
    assert res.cluster_of["Hong Pu Jim Precision Industry (Shenzhen) Co., Ltd."] == shenzhen


def test_junk_after_legal_forms_romanised_japanese_and_country_words(
    resolver: OrganizationResolver,
) -> None:
    res = resolver.resolve(MISC_VARIANTS)
    assert same(res, "Sony Corporation", "Sony Corporation of Japan")
    assert same(res, "LG Display Co., Ltd.", "LG Display Co., LCD")
    assert same(res, "Mitsubishi Heavy Industries, Ltd.", "Mitsubishi Jukogyo Kabushiki Kaisha")
    assert same(res, "Ministry of International Trade and Industry",
                "Japan Ministry of International Trade and Industry")
    assert same(res, "Samsung Gwangju Electronics Co., Ltd.",
                "Samsung Kwangju Electronics Co., Ltd.")


def test_similar_names_of_other_organisations_stay_apart(resolver: OrganizationResolver) -> None:
    res = resolver.resolve([a for pair in APART for a in pair])
    for big, small in APART:
        assert res.cluster_of[big.name] != res.cluster_of[small.name], small.name


def test_a_parent_and_its_us_subsidiary_stay_apart(resolver: OrganizationResolver) -> None:
    res = resolver.resolve(SUBSIDIARIES)
    assert same(res, "Siemens Aktiengesellschaft", "SIEMENS AG", "SIEMENS AKTENGESELLSCHAFT")
    assert res.cluster_of["Siemens Corporation"] != res.cluster_of["Siemens Aktiengesellschaft"]
    assert res.cluster_of["Ericsson Inc."] != res.cluster_of["Ericsson AB"]
    us = res.clusters[res.cluster_of["Siemens Corporation"]]
    assert us.key == "siemens-corporation" and us.names == ("Siemens Corporation",)


#: Real strings of the dev 3 tuning set (with their real evidence): the Dutch parent and the
#: Italian company of STMicroelectronics; positives: one company's spellings whose forms are
#: of one jurisdiction, or of two that a Swiss or Belgian company uses side by side.
JURISDICTIONS = [
    A("STMicroelectronics N.V.", "3", "SE", 15),
    A("Stmicroelectronics N.V.", "3", "SE", 1),
    A("STMicroelectronics NV", "3", "SE", 4),
    A("STMicroelectronics S.r.l.", "3", "CN", 6),
    A("Reifenhäuser GmbH & Co. Maschinenfabrik", "3", "DE", 4),
    A("Reifenhäuser GmbH & Co. KG Maschinenfabrik", "3", "DE", 2),
]


def test_legal_forms_of_two_european_jurisdictions_are_two_companies(
        resolver: OrganizationResolver) -> None:
    res = resolver.resolve(JURISDICTIONS)
    assert same(res, "STMicroelectronics N.V.", "Stmicroelectronics N.V.", "STMicroelectronics NV")
    assert res.cluster_of["STMicroelectronics S.r.l."] != res.cluster_of["STMicroelectronics NV"]
    assert same(res, "Reifenhäuser GmbH & Co. Maschinenfabrik",
                "Reifenhäuser GmbH & Co. KG Maschinenfabrik")


#: A real string of dev 3 that is a unit's whole name, not the longer name cut off.
PHARMACOLOGY = [
    A("Institute of Pharmacology and Toxicology Academy of Military Medical Sciences, P.L.A.",
      "7", "CN", 1),
    A("Institute of Pharmacology and Toxicology Academy of Military Medical Science P.L.A. China",
      "3", "CN", 1),
    A("Institute of Pharmacology and Toxicology Academy of Military Medical Sciences P.L.A. "
      "China", "3", "CN", 12),
    A("Institute of Pharmacology", "3", "CN", 1),
]


def test_a_unit_word_and_one_subject_is_no_cut_off_name(resolver: OrganizationResolver) -> None:
    res = resolver.resolve(PHARMACOLOGY + ETRI + AIST_AGENCY)
    assert res.cluster_of["Institute of Pharmacology"] != res.cluster_of[PHARMACOLOGY[2].name]
    # names cut off after two words of their own still attach
    assert same(res, "Electronics and Telecommunications Research Institute",
                "Electronics and Telecommunications")
    assert same(res, "Agency of Industrial Science and Technology", "Agency of Industrial Science")


def test_a_rare_name_of_another_compass_direction_is_no_misspelling(
        resolver: OrganizationResolver) -> None:
    """'SOUTHEAST UNIVERSITY' with its real evidence (dev 3's neighbour strings), and the
    real name of Southwest University (ROR 01kj4z117) as a rare string beside it."""
    res = resolver.resolve([A("Southeast University", "3", "CN", 10),
                            A("SOUTHEAST UNIVERSITY", "3", "CN", 7),
                            A("Southwest University", "3", "CN", 1)])
    assert same(res, "Southeast University", "SOUTHEAST UNIVERSITY")
    assert res.cluster_of["Southwest University"] != res.cluster_of["Southeast University"]


def test_a_units_ror_alias_then_its_ror_parents_name_links_the_unit(
        ror_slice: list[RorRecord]) -> None:
    """Real strings of dev 3: 'Graduate School at Shenzhen' is a ROR alias of the Tsinghua
    Shenzhen International Graduate School (01vceef04), whose ROR parent is Tsinghua
    University; the former name followed by the parent's is that record, one organisation
    with the new name. The alias before a university that is not the record's parent
    (constructed from the same real names) links nothing."""
    gss = "Graduate School at Shenzhen, Tsinghua University"
    sigs = "Tsinghua Shenzhen International Graduate School"
    other = "Graduate School at Shenzhen, Tohoku University"
    resolver = OrganizationResolver(ror_slice + list(read_ror(DATA / "ror-parents.json",
                                                              LoadReport())))
    res = resolver.resolve([A(gss, "3", "CN", 3), A(sigs, "3", "CN", 2),
                            A("Tsinghua University", "3", "CN", 50), A(other, "3", "CN", 1)])
    assert res.clusters[res.cluster_of[gss]].ror_id == "https://ror.org/01vceef04"
    assert same(res, gss, sigs)
    assert res.clusters[res.cluster_of["Tsinghua University"]].ror_id == (
        "https://ror.org/03cve4549")
    assert res.clusters[res.cluster_of[other]].ror_id is None


def test_a_minzu_university_links_its_nationalities_record(ror_slice: list[RorRecord]) -> None:
    """Real strings of dev 4 and the extract: ROR names Yunnan Minzu University by its former
    translation ('Yunnan Nationalities University') and Dalian Nationalities University by its
    pinyin ('Dalian Minzu University'); Beifang Minzu University is neither."""
    resolver = OrganizationResolver(ror_slice + list(read_ror(DATA / "ror-parents.json",
                                                              LoadReport())))
    res = resolver.resolve([A("YUNNAN MINZU UNIVERSITY", "3", "CN", 2),
                            A("DALIAN NATIONALITIES UNIVERSITY", "3", "CN", 1),
                            A("BEIFANG MINZU UNIVERSITY", "3", "CN", 1)])
    link = {n: res.clusters[k].ror_id for n, k in res.cluster_of.items()}
    assert link["YUNNAN MINZU UNIVERSITY"] == "https://ror.org/030jhb479"
    assert link["DALIAN NATIONALITIES UNIVERSITY"] == "https://ror.org/02hxfx521"
    assert link["BEIFANG MINZU UNIVERSITY"] is None
