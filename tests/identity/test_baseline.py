"""Normalisation, exact clustering and exact ROR linking on real assignee strings."""

from __future__ import annotations

from ttkg.core.model import OrgKind
from ttkg.graph.identity import AssigneeName, OrganizationResolver, classify_kind, normalise
from ttkg.loaders.records import RorRecord


def org(name: str, type_: str | None = "3", country: str | None = None, n: int = 1) -> AssigneeName:
    return AssigneeName(name, type_, country, n)


def test_legal_forms_case_and_punctuation_do_not_matter() -> None:
    assert normalise("SAMSUNG ELECTRONICS CO., LTD.") == normalise("Samsung Electronics Co., Ltd")
    assert normalise("Kabushiki Kaisha Toshiba") == normalise("Toshiba Corporation")
    assert normalise("Siemens Aktiengesellschaft") == normalise("SIEMENS AG")
    assert normalise("Fiat S.p.A.") == normalise("FIAT SPA")
    assert normalise("Universität Stuttgart") == "universitat stuttgart"
    # '& Co' is part of a name: Merck & Co. is not Merck KGaA
    assert normalise("Merck & Co., Inc.") != normalise("Merck KGaA")


def test_samsung_variants_are_one_cluster_linked_to_ror(resolver: OrganizationResolver) -> None:
    res = resolver.resolve(
        [
            org("Samsung Electronics Co., Ltd.", n=5276, country="KR"),
            org("SAMSUNG ELECTRONICS CO., LTD.", n=2220, country="KR"),
            org("Samsung Electronics Co., Ltd", n=547, country="KR"),
        ]
    )
    keys = set(res.cluster_of.values())
    assert len(keys) == 1
    cluster = res.clusters[keys.pop()]
    assert cluster.display_name == "Samsung Electronics Co., Ltd."
    assert len(cluster.names) == 3
    assert cluster.ror_id == "https://ror.org/020m7t761"
    assert cluster.kind is OrgKind.COMPANY
    assert cluster.link_score is not None and cluster.link_score >= 0.9
    assert cluster.link_reason and "Samsung Electronics" in cluster.link_reason


def test_individuals_are_never_merged_with_organisations_or_linked(
    resolver: OrganizationResolver,
) -> None:
    res = resolver.resolve(
        [
            AssigneeName("Stanford University", "4", "US", 1, individual=True),
            org("Stanford University", "2", "US"),
        ]
    )
    clusters = list(res.clusters.values())
    assert len(clusters) == 2
    person = next(c for c in clusters if c.kind is OrgKind.INDIVIDUAL)
    assert person.ror_id is None
    company = next(c for c in clusters if c.kind is not OrgKind.INDIVIDUAL)
    assert company.ror_id == "https://ror.org/00f54p054"


def test_one_cluster_per_ror_record(resolver: OrganizationResolver) -> None:
    res = resolver.resolve(
        [
            org("Stanford University", "2", "US"),
            org("Leland Stanford Junior University", "2", "US"),  # a ROR alias
        ]
    )
    assert len(res.clusters) == 1
    (cluster,) = res.clusters.values()
    assert cluster.ror_id == "https://ror.org/00f54p054"
    assert cluster.kind is OrgKind.UNIVERSITY
    assert "same ROR record" in cluster.merge_reason


def test_inactive_ror_record_links_to_its_successor(
    resolver: OrganizationResolver, ror_slice: list[RorRecord]
) -> None:
    old = next(r for r in ror_slice if r.ror_id == "https://ror.org/000nwmh60")
    assert old.status == "inactive"
    res = resolver.resolve([org("L-3 Communications Corporation", "2", "US")])
    (cluster,) = res.clusters.values()
    successor = next(r.ror_id for r in old.relationships if r.type == "successor")
    assert cluster.ror_id == successor
    assert cluster.link_reason and "successor" in cluster.link_reason


def test_classify_kind_from_ror_types_type_code_and_name() -> None:
    assert classify_kind("X", "2", ("education", "funder")) is OrgKind.UNIVERSITY
    assert classify_kind("X", None, ("funder", "government")) is OrgKind.GOVERNMENT
    assert classify_kind("X", None, ("healthcare",)) is OrgKind.HOSPITAL
    assert classify_kind("X", None, ("facility",)) is OrgKind.OTHER
    assert classify_kind("The Regents of the University of Michigan", "2") is OrgKind.UNIVERSITY
    assert classify_kind("Seiko Epson Corporation", "3") is OrgKind.COMPANY
    assert classify_kind("John Smith", "4") is OrgKind.INDIVIDUAL
    navy = "The United States of America as represented by the Secretary of the Navy"
    assert classify_kind(navy, "6") is OrgKind.GOVERNMENT
