"""Issue 13, session 13b: shared inventors as family evidence (rule 10 of the family step), on
real patents of the shared PatentsView extract (tests/data/identity/inventors_slice_*.tsv:
every assignee and inventor row of the patents carrying Olympus Optical, Olympus
Corporation, Kyocera Mita, Kyocera Document Solutions, LG.Philips LCD or LG Display)."""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from itertools import combinations
from pathlib import Path

import numpy as np
import pytest

from ttkg.graph.identity import AssigneeName, OrganizationResolver
from ttkg.graph.identity import inventor_links as inventor_links_module
from ttkg.graph.identity.entities import Membership, Resolution
from ttkg.graph.identity.families import co_ownership, families
from ttkg.graph.identity.inventor_links import (
    INVENTOR_CLUSTERS,
    InventorLinks,
    inventor_key,
    inventor_links,
    inventor_links_of_rows,
    place_words,
)

DATA = Path(__file__).resolve().parents[1] / "data" / "identity"


def _read(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


@pytest.fixture(scope="module")
def slice_rows() -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    return _read("inventors_slice_assignees.tsv"), _read("inventors_slice_inventors.tsv")


def _evidence(resolver: OrganizationResolver,
              rows: tuple[list[dict[str, str]], list[dict[str, str]]],
              ) -> tuple[list[AssigneeName], list[tuple[str, str]], Resolution, InventorLinks]:
    assignees, inventors = rows
    counts = Counter(r["organization"] for r in assignees)
    evidence = {r["organization"]: (r["assignee_type"] or None, r["country"] or None)
                for r in assignees}
    names = [AssigneeName(n, *evidence[n], c) for n, c in sorted(counts.items())]
    holders = [(r["patent_id"], r["organization"]) for r in assignees]
    people = [(r["patent_id"], k) for r in inventors
              if (k := inventor_key(r["name_first"], r["name_last"])) is not None]
    years = {r["patent_id"]: int(r["grant_year"]) for r in assignees}
    res = resolver.resolve(names)
    return names, holders, res, inventor_links(res, holders, people, years)


def test_inventor_keys_ignore_case_accents_and_punctuation() -> None:
    """Real spellings of one inventor ('Seung June Yi' and 'Seungjune Yi' in the extract);
    a middle initial makes another key (the sure side); no key without both names."""
    assert inventor_key("Seung-June", "Yi") == inventor_key("Seungjune", "YI") == "yi|seungjune"
    assert inventor_key("José", "Núñez") == inventor_key("Jose", "Nunez")
    assert inventor_key("William I.", "Wood") != inventor_key("William", "Wood")
    assert inventor_key("", "Kim") is None and inventor_key("Yun-Jo", None) is None


def test_place_words_are_one_word_cities_by_country() -> None:
    """City names of real location rows: a one-word city is a place in its own country only
    ('Star' is a town of Idaho, no place in a Chinese company's name)."""
    got = place_words([("Wuhan", "CN"), ("Star", "US"), ("San Jose", "US"), (None, "JP"),
                       ("Yokohama", None)])
    assert got == {"CN": frozenset({"wuhan"}), "US": frozenset({"star"})}


def test_shared_inventors_equal_a_plain_count(
    resolver: OrganizationResolver,
    slice_rows: tuple[list[dict[str, str]], list[dict[str, str]]],
) -> None:
    """Oracle: for every pair of organisations, the inventor names carried by at most
    `INVENTOR_CLUSTERS` organisations that are on a patent of each that the other does not
    hold, counted by brute force over the slice's rows."""
    _, holders, res, links = _evidence(resolver, slice_rows)
    held: dict[str, set[str]] = defaultdict(set)
    for p, n in holders:
        held[p].add(res.cluster_of[n])
    orgs = {k for ks in held.values() for k in ks}
    by_person: dict[str, set[str]] = defaultdict(set)
    for r in slice_rows[1]:
        k = inventor_key(r["name_first"], r["name_last"])
        if k is not None:
            by_person[k].add(r["patent_id"])
    want: Counter[tuple[str, str]] = Counter()
    for patents in by_person.values():
        carriers = {c for p in patents for c in held.get(p, ())}
        if len(carriers) > INVENTOR_CLUSTERS:
            continue
        for a, b in combinations(sorted(carriers & orgs), 2):
            if any(a in held[p] and b not in held[p] for p in patents) \
                    and any(b in held[p] and a not in held[p] for p in patents):
                want[(a, b)] += 1
    assert links.shared == dict(want)
    assert links.shared  # the slice holds shared inventors


@pytest.mark.parametrize("part_rows", [4_000_000, 97])
def test_inventor_links_from_arrays_equal_the_row_loop(
    resolver: OrganizationResolver,
    slice_rows: tuple[list[dict[str, str]], list[dict[str, str]]],
    part_rows: int, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The build counts the evidence with numpy over its row arrays (patents as indexes,
    inventor names as codes), in parts by person when the rows are many (here forced: parts of
    97 rows); the plain loop over (patent, name) rows is the oracle, on every assignee and
    inventor row of the slice's real patents (a person's patent: -1)."""
    monkeypatch.setattr(inventor_links_module, "_PART_ROWS", part_rows)
    _, holders, res, links = _evidence(resolver, slice_rows)
    keys = list(res.clusters)
    at = {k: i for i, k in enumerate(keys)}
    assignees, inventors = slice_rows
    patents = {p: i for i, p in enumerate(sorted({r["patent_id"] for r in assignees}))}
    patent = np.array([patents[p] for p, _ in holders] + [0], dtype=np.int64)
    cluster = np.array([at[res.cluster_of[n]] for _, n in holders] + [-1], dtype=np.int64)
    people: dict[str | None, int] = {None: -1}
    person = np.array([people.setdefault(inventor_key(r["name_first"], r["name_last"]),
                                         len(people) * 7919) for r in inventors], np.int64)
    year = np.full(len(patents), -1, np.int64)
    for r in assignees:
        year[patents[r["patent_id"]]] = int(r["grant_year"])
    year[0] = -1  # an unknown year is left out of the span
    got = inventor_links_of_rows(patent, cluster, keys,
                                 np.array([patents[r["patent_id"]] for r in inventors],
                                          np.int64), person, year)
    assert got.shared == links.shared
    assert got.inventors == links.inventors
    first = min(patents)
    without = {k for p, n in holders if p == first for k in [res.cluster_of[n]]}
    assert {k: v for k, v in got.years.items() if k not in without} \
        == {k: v for k, v in links.years.items() if k not in without}


def test_a_renamed_company_joins_its_successors_family(
    resolver: OrganizationResolver, monkeypatch: pytest.MonkeyPatch,
    slice_rows: tuple[list[dict[str, str]], list[dict[str, str]]],
) -> None:
    """Olympus Optical became Olympus Corporation (2003) and Kyocera Mita became Kyocera
    Document Solutions (2012): the names share their rare first word and the patents rare
    inventors (16 and 5 in the whole extract); the smaller family goes under the larger
    one's head, with a reason naming the inventors and the years. Without the inventors
    (rule 10 off) they stay apart. LG.Philips LCD became LG Display too, but its name carries
    Philips, a ROR company: a joint venture, its own family (as the labelled set says).
    'Olympus' and 'Kyocera' lead 0.03-0.05% of the extract's 11,157 company names, under
    `RARE_WORD`; this slice is too small for that share, so it is raised here."""
    monkeypatch.setattr("ttkg.graph.identity.inventor_links.RARE_WORD", 0.5)
    names, holders, res, links = _evidence(resolver, slice_rows)
    counts = {k: c.count for k, c in res.clusters.items()}
    co_owned = co_ownership(res, holders)

    def family(fam: dict[str, Membership], name: str) -> Membership:
        return fam[res.cluster_of[name]]

    without = families(res, resolver.index, counts, names, co_owned)
    fam = families(res, resolver.index, counts, names, co_owned, links)
    for old, new in (("Olympus Optical Co., Ltd.", "Olympus Corporation"),
                     ("Kyocera Mita Corporation", "KYOCERA Document Solutions Inc.")):
        assert family(without, old).family_id != family(without, new).family_id
        assert family(fam, old).family_id == family(fam, new).family_id
    olympus = family(fam, "Olympus Corporation")
    assert olympus.family_id == family(without, "Olympus Optical Co., Ltd.").family_id
    assert olympus.reason.startswith("shares ")
    assert "inventors with 'Olympus Optical" in olympus.reason
    assert "'olympus'" in olympus.reason and "its patents 2004-2022" in olympus.reason
    assert family(fam, "LG.Philips LCD Co., Ltd.").family_id \
        != family(fam, "LG Display Co., Ltd.").family_id
    # and Olympus Medical Systems, a co-owner of some of the slice's patents, as in the extract
    changed = {k for k in fam if fam[k].family_id != without[k].family_id}
    assert {res.clusters[k].display_name for k in changed} == {
        "Olympus Corporation", "Olympus Medical Systems Corp.", "Kyocera Mita Corporation"}
