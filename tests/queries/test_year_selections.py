"""Year-filtered and CPC selections read from their own patents (no mask over every patent):
bridges and profiles of a CPC subclass, a WIPO sector and a WIPO field within years, on the
bundled real sample, against a plain recomputation from the artifact's Parquet tables."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from tests.queries.oracle import Oracle
from ttkg.core.model import EdgeType
from ttkg.graph.artifact import Artifact
from ttkg.graph.backends.memory.backend import MemoryBackend
from ttkg.queries.bridges import bridges
from ttkg.queries.common import make_filters
from ttkg.queries.profile import field_profile

#: (field as asked, how the oracle selects its patents), years
CASES = [
    ("H01L", {"cpc": ["H01L"]}, "2015-2018"),
    ("Electrical engineering", {"sector": "wipo:sector:1"}, "2016-"),
    ("Optics", {"wipo": ["wipo:field:9"]}, "-2012"),
    ("G06F", {"cpc": ["G06F"]}, "2019-2020"),
    # most of a field within the years: its stored row less the patents outside them
    ("Semiconductors", {"wipo": ["wipo:field:8"]}, "2012-"),
    ("Computer technology", {"wipo": ["wipo:field:6"]}, "2010-"),
]


@pytest.fixture(scope="module")
def oracle(sample_graph: Path) -> Oracle:
    return Oracle(sample_graph)


@pytest.fixture(scope="module")
def tables(sample_graph: Path) -> dict[str, list[dict[str, str]]]:
    art = Artifact.open(sample_graph)
    return {e.value: art.edges(e).to_pylist() for e in (EdgeType.BROADER,)}


def _patents(oracle: Oracle, tables: dict[str, list[dict[str, str]]], how: dict[str, object],
             years: str) -> set[str]:
    wipo = list(how.get("wipo", []))  # type: ignore[call-overload]
    if "sector" in how:
        wipo += [e["src"] for e in tables["BROADER"] if e["dst"] == how["sector"]]
        assert wipo, how
    chosen = oracle.selection(wipo=wipo, cpc=how.get("cpc", []))  # type: ignore[arg-type]
    y0, _, y1 = years.partition("-")
    return oracle.in_years(set(chosen), int(y0) if y0 else None, int(y1) if y1 else None)


def _years(years: str) -> tuple[int | None, int | None]:
    y0, _, y1 = years.partition("-")
    return (int(y0) if y0 else None), (int(y1) if y1 else None)


@pytest.mark.parametrize("kind", [None, "company"])
@pytest.mark.parametrize(("asked", "how", "years"), CASES)
def test_profile_within_years_equals_the_oracle(
    memory_backend: MemoryBackend, oracle: Oracle, tables: dict[str, list[dict[str, str]]],
    asked: str, how: dict[str, object], years: str, kind: str | None,
) -> None:
    chosen = _patents(oracle, tables, how, years)
    passing = {o for o, row in oracle.orgs.items() if kind is None or row["kind"] == kind}
    if kind is not None:  # only patents an organisation of the kind holds count
        chosen = {p for p in chosen if oracle.patent_orgs[p] & passing}
    r = field_profile(memory_backend, asked, make_filters(years=years, kind=kind), limit=200)
    assert r.patents == len(chosen) > 0
    held = Counter({o: len(p & chosen) for o, p in oracle.org_patents.items()
                    if p & chosen and o in passing})
    want = sorted(held.items(), key=lambda kv: (-kv[1], kv[0]))[:200]
    assert [(o.entity.id, o.count) for o in r.organizations] == want
    countries: Counter[str] = Counter()  # patents held by an organisation located there
    for p in chosen:
        countries.update({f"country:{oracle.orgs[o]['country']}" for o in oracle.patent_orgs[p]
                          if oracle.orgs[o]["country"] and o in passing})
    got = {c.entity.id: c.count for c in r.countries}
    assert got == {c: n for c, n in countries.items() if c in got}
    assert len(got) == min(200, len(countries))
    assert min(got.values()) >= max((n for c, n in countries.items() if c not in got), default=0)


@pytest.mark.parametrize(("asked", "how", "years"), CASES)
def test_bridges_within_years_equal_the_oracle(
    memory_backend: MemoryBackend, oracle: Oracle, tables: dict[str, list[dict[str, str]]],
    asked: str, how: dict[str, object], years: str,
) -> None:
    other = "Optics" if asked in ("H01L", "Semiconductors") else "Semiconductors"
    a = frozenset(_patents(oracle, tables, how, years))
    b_field = "wipo:field:8" if other == "Semiconductors" else "wipo:field:9"
    y0, y1 = _years(years)
    r = bridges(memory_backend, asked, other, make_filters(years=years), limit=50, evidence=2)
    want = oracle.direct(a, b_field, y0, y1)
    assert r.total_direct == len(want) > 0
    assert [(d.organization.id, d.count_a, d.count_b) for d in r.direct] == want[:50]
    pairs = oracle.partnerships(a, b_field, y0, y1)
    assert r.total_partnerships == len(pairs)
    assert [(p.organizations[0].id, p.organizations[1].id, p.count, p.count_a, p.count_b,
             p.co_owned_total) for p in r.partnerships] == pairs[:50]


def test_a_selection_without_patents_in_the_years_is_empty(
    memory_backend: MemoryBackend, oracle: Oracle, tables: dict[str, list[dict[str, str]]],
) -> None:
    assert not _patents(oracle, tables, {"cpc": ["G06F"]}, "1950-1960")
    r = field_profile(memory_backend, "G06F", make_filters(years="1950-1960"), limit=10)
    assert (r.patents, r.organizations, r.countries) == (0, [], [])
