"""The Neo4j backend over the pushed sample answers every contract method exactly as the
embedded backend does (values and order), on inputs drawn from the sample itself."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest

from ttkg.core.model import NodeLabel, field_id, label_of_id, sector_id
from ttkg.graph.backends.contract import FieldSpec, Filters, GraphBackend, Relation
from ttkg.graph.backends.memory.backend import MemoryBackend
from ttkg.graph.backends.neo4j.backend import Neo4jBackend

pytestmark = pytest.mark.bolt

FILTERS = [
    Filters(),
    Filters(year_from=2015, year_to=2018),
    Filters(year_to=2016, country="us"),
    Filters(kinds=frozenset({"university"})),
    Filters(year_from=2010, country="CN", kinds=frozenset({"company", "university"})),
    Filters(country=""),
]


def specs(mem: MemoryBackend) -> list[FieldSpec]:
    """WIPO fields and sectors, and CPC selections at every level, from the sample's busiest
    classes."""
    classes = mem.get_nodes([f"cpc:{s}" for s in ("H", "A61", "H01L")]).values()
    busiest_group = max(
        ("H01L21/02", "G06F3/0482", "H04L9/40", "A61K9/00"),
        key=lambda s: mem.selection_size(FieldSpec("cpc", s, f"cpc:{s}", s), Filters()),
    )
    out = [
        FieldSpec("wipo_field", "4", field_id(4), "field 4"),
        FieldSpec("wipo_field", "13", field_id(13), "field 13"),
        FieldSpec("wipo_sector", "1", sector_id(1), "sector 1"),
        FieldSpec("cpc", "H01L21/00", "cpc:H01L21/00", "main group"),
        FieldSpec("cpc", busiest_group, f"cpc:{busiest_group}", "group"),
    ]
    out += [FieldSpec("cpc", n.props["symbol"], n.id, n.name) for n in classes]
    return out


def compare(mem: GraphBackend, neo: GraphBackend, name: str, *args: Any) -> Any:
    expected = getattr(mem, name)(*args)
    got = getattr(neo, name)(*args)
    assert got == expected, f"{name}{args}"
    return expected


@pytest.fixture(scope="module")
def both(
    memory_backend: MemoryBackend, neo4j_sample_backend: Neo4jBackend
) -> tuple[MemoryBackend, Neo4jBackend]:
    return memory_backend, neo4j_sample_backend


@pytest.fixture(scope="module")
def busy_orgs(memory_backend: MemoryBackend) -> list[str]:
    """Organisations with the most patents, and some with co-owned patents or ROR links."""
    counts = memory_backend.field_org_counts(
        FieldSpec("wipo_sector", "1", sector_id(1), "s"), Filters()
    )
    top = sorted(counts, key=lambda o: (-counts[o], o))[:4]
    co = memory_backend.co_assignment_counts(top, None, Filters())
    partners = sorted({b for pair in co for b in pair} - set(top))[:2]
    ror = [n.id for n in memory_backend.search_prefix("univ", [NodeLabel.ORGANIZATION], 3)]
    return top + partners + ror


def test_metadata(both: tuple[MemoryBackend, Neo4jBackend]) -> None:
    mem, neo = both
    assert neo.manifest() == mem.manifest()
    compare(mem, neo, "node_counts")
    compare(mem, neo, "edge_counts")


def test_entities(both: tuple[MemoryBackend, Neo4jBackend], busy_orgs: list[str]) -> None:
    mem, neo = both
    ids = [
        *busy_orgs,
        "country:US",
        "country:DE",
        "wipo:field:4",
        "wipo:sector:1",
        "cpc:H01L",
        "cpc:H01L21/02",
        "patent:US10000060",
        "org:no-such-org",
        "nope:1",
    ]
    compare(mem, neo, "get_nodes", ids)
    names = [n.name for n in mem.get_nodes(busy_orgs).values()]
    aliases = [a for n in mem.get_nodes(busy_orgs).values() for a in n.props["aliases"]][:3]
    ror_ids = [n.props["ror_id"] for n in mem.get_nodes(busy_orgs).values() if n.props["ror_id"]]
    texts = [
        *names,
        *aliases,
        *(t.upper() for t in names),
        *ror_ids,
        *(r.rsplit("/", 1)[-1] for r in ror_ids),
        "US",
        "usa",
        "DEU",
        "germany",
        "10000060",
        "US10000060",
        "h01l21/02",
        "Digital communication",
        "",
        "zzz-nothing",
    ]
    for text in texts:
        compare(mem, neo, "lookup", text)
        compare(mem, neo, "lookup", text, [NodeLabel.ORGANIZATION], 3)
    for text in ["a", "univ", "samsung", "MASSACHUSETTS", "ü", "", "electr", "ger", *names[:3]]:
        compare(mem, neo, "search_prefix", text)
        compare(mem, neo, "search_prefix", text, [NodeLabel.COUNTRY, NodeLabel.TECHNOLOGY_FIELD], 5)
    for i in ids:
        compare(mem, neo, "neighbors", i)
        compare(mem, neo, "neighbors", i, 3)


def test_names_hold_the_same_candidates(both: tuple[MemoryBackend, Neo4jBackend]) -> None:
    mem, neo = both
    labels = [
        NodeLabel.ORGANIZATION,
        NodeLabel.COUNTRY,
        NodeLabel.TECHNOLOGY_FIELD,
        NodeLabel.CPC_CLASS,
    ]
    got = neo.names(labels)
    assert sorted(got) == sorted(mem.names(labels))
    # documented order: label (schema order), then id
    order = {label: i for i, label in enumerate(NodeLabel)}
    keys = [(order[label_of_id(i)], i) for i, _ in got]  # type: ignore[index]
    assert keys == sorted(keys)


def test_aggregates(both: tuple[MemoryBackend, Neo4jBackend], busy_orgs: list[str]) -> None:
    mem, neo = both
    for spec, f in itertools.product(specs(mem), FILTERS):
        for name in (
            "field_org_counts",
            "field_country_counts",
            "field_cooccurrence",
            "selection_size",
        ):
            compare(mem, neo, name, spec, f)
        compare(mem, neo, "co_assignment_counts", busy_orgs, spec, f)
    for f in FILTERS:
        compare(mem, neo, "co_assignment_counts", busy_orgs, None, f)


def test_patent_lists(both: tuple[MemoryBackend, Neo4jBackend], busy_orgs: list[str]) -> None:
    mem, neo = both
    sector = FieldSpec("wipo_sector", "1", sector_id(1), "sector 1")
    for f in FILTERS[:4]:
        for org in busy_orgs:
            compare(mem, neo, "org_patents", org, None, f, 5)
            compare(mem, neo, "org_patents", org, sector, f, 3)
        for a, b in itertools.combinations(busy_orgs[:6], 2):
            compare(mem, neo, "co_assigned_patents", a, b, None, f, 4)
        compare(mem, neo, "co_assigned_patents", busy_orgs[0], busy_orgs[0], None, f, 4)
    compare(mem, neo, "org_patents", "org:no-such-org", None, Filters(), 5)


def test_bridges(both: tuple[MemoryBackend, Neo4jBackend]) -> None:
    mem, neo = both
    s = specs(mem)
    pairs = [(s[0], s[2]), (s[5], s[7]), (s[1], s[3])]
    for (a, b), f in itertools.product(pairs, FILTERS[:5]):
        compare(mem, neo, "direct_bridges", a, b, f, 1, 0, 10)
        compare(mem, neo, "direct_bridges", a, b, f, 3, 2, 5)
        compare(mem, neo, "partnership_bridges", a, b, f, frozenset(), 1, 0, 10)
        compare(mem, neo, "partnership_bridges", a, b, f, frozenset({"company"}), 1, 1, 5)


def test_relations_and_evidence(
    both: tuple[MemoryBackend, Neo4jBackend], busy_orgs: list[str]
) -> None:
    mem, neo = both
    starts = [*busy_orgs, "country:DE", "wipo:field:4", "wipo:sector:1", "patent:US10000060"]
    every: list[Relation] = list(Relation)
    for node in starts:
        hops = compare(mem, neo, "relations", [node], every)
        for hop in hops[:: max(1, len(hops) // 12)]:
            compare(mem, neo, "hop_evidence", hop, 3)
    compare(mem, neo, "relations", starts, [Relation.CO_ASSIGNED, Relation.LOCATED_IN])
    compare(mem, neo, "relations", starts, [Relation.PART_OF, Relation.BROADER])


def test_reads_run_as_timed_read_transactions(
    neo4j_sample_backend: Neo4jBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    from neo4j import Session

    seen: list[Any] = []
    original = Session.execute_read

    def spy(self: Session, fn: Callable[..., Any], *a: Any, **k: Any) -> Any:
        seen.append((self._config.default_access_mode, getattr(fn, "timeout", None)))
        return original(self, fn, *a, **k)

    monkeypatch.setattr(Session, "execute_read", spy)
    assert neo4j_sample_backend.node_counts()
    assert seen == [("READ", neo4j_sample_backend.timeout)]
