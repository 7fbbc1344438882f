"""Issue 13, session 13b: what the build hands the family step's shared-inventor rule, on the
bundled real sample (PatentsView inventor and location rows)."""

from __future__ import annotations

from collections import defaultdict

from ttkg.graph.build import builder
from ttkg.graph.identity.inventor_links import inventor_key
from ttkg.graph.identity.normalise import normalise
from ttkg.loaders import patentsview
from ttkg.loaders.report import LoadReport
from ttkg.loaders.sources import SAMPLE_DIR

PV = SAMPLE_DIR / "patentsview"


def test_the_builds_name_codes_group_rows_as_inventor_keys_do() -> None:
    """Oracle: the rows `inventor_key` gives one key (read row by row) are the rows the build
    gives one code (coded columns, each distinct value normalised once); rows without a
    name are left out."""
    path = PV / "g_inventor_not_disambiguated.tsv.zip"
    rows = patentsview.inventor_rows(path, LoadReport(), names=True)
    got = builder._inventor_names(rows)
    ids = rows.patent_ids.to_pylist()
    by_code: dict[int, set[tuple[str, int]]] = defaultdict(set)
    seen: dict[str, int] = defaultdict(int)
    for p, code in zip(got.patent.tolist(), got.person.tolist(), strict=True):
        by_code[code].add((ids[p], seen[f"{p}:{code}"]))
        seen[f"{p}:{code}"] += 1
    by_key: dict[str, set[tuple[str, int]]] = defaultdict(set)
    seen.clear()
    for p, first, last in patentsview.read_inventor_names(path, LoadReport()):
        key = inventor_key(first, last)
        if key is not None:
            by_key[key].add((p, seen[f"{p}:{key}"]))
            seen[f"{p}:{key}"] += 1
    assert sorted(map(sorted, by_code.values())) == sorted(map(sorted, by_key.values()))
    assert len(got.person) == sum(len(v) for v in by_key.values()) > 100


def test_the_builds_place_words_are_its_locations_cities_by_country() -> None:
    """Oracle: the one-word cities of the sample's location rows (read row by row), under
    their countries, are the build's place words (from the coded columns)."""
    where = builder._locations(builder._State(), patentsview.find_tables(PV))
    want: dict[str, set[str]] = defaultdict(set)
    for loc in patentsview.read_locations(PV / "g_location_not_disambiguated.tsv.zip",
                                          LoadReport()):
        words = normalise(loc.city or "").split()
        if loc.country and len(words) == 1 and words[0].isalpha():
            want[loc.country].add(words[0])
    assert where.places == {c: frozenset(w) for c, w in want.items()}
    assert len(want) >= 3  # the sample's one-word cities stand in several countries
