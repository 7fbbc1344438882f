"""The Neo4j backend over the pushed sample answers every contract method exactly as the
embedded backend does (values and order), on inputs drawn from the sample itself.

Every comparison is of an answer with something in it (`tests.parity.assert_same`): two
backends that both answer nothing agree without proving anything. Where nothing is the right
answer (an unknown id, a label filter that excludes every match, a structural hop), the case
says why, and the reason is checked on the artifact's own tables or the contract, not taken
from either backend."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.parity import assert_both_empty, assert_same
from tests.queries.oracle import Oracle
from ttkg.core.errors import InvalidQueryError
from ttkg.core.model import NodeLabel, field_id, label_of_id, sector_id
from ttkg.graph.artifact import Artifact
from ttkg.graph.backends.contract import FieldSpec, Filters, GraphBackend, Relation
from ttkg.graph.backends.memory.backend import MemoryBackend
from ttkg.graph.backends.neo4j.backend import Neo4jBackend
from ttkg.queries.resolve import search

pytestmark = pytest.mark.bolt

#: Relations that stand on patents (their evidence); the others are stored structure.
PATENT_BACKED = {Relation.CO_ASSIGNED, Relation.ACTIVE_IN, Relation.ASSIGNED_TO, Relation.IN_FIELD}

FILTERS = [
    Filters(),
    Filters(year_from=2015, year_to=2018),
    Filters(year_to=2016, countries=frozenset({"US"})),
    Filters(kinds=frozenset({"university"})),
    Filters(
        year_from=2010, countries=frozenset({"CN"}), kinds=frozenset({"company", "university"})
    ),
    Filters(countries=frozenset({"CN", "JP"}), partner_kinds=frozenset({"company"})),
    Filters(kinds=frozenset({"university"}), partner_countries=frozenset({"TW", "US"})),
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
    """Both backends' answers to `name(*args)`: equal, and not nothing."""
    expected = getattr(mem, name)(*args)
    got = getattr(neo, name)(*args)
    assert_same(got, expected, f"{name}{args}")
    return expected


def compare_nothing(
    mem: GraphBackend, neo: GraphBackend, call: tuple[Any, ...], *, because: str, confirmed: bool
) -> None:
    """Both backends answer `call` (method name, then arguments) with nothing, as `because`
    (checked independently: `confirmed`) says they must."""
    name, *args = call
    expected = getattr(mem, name)(*args)
    got = getattr(neo, name)(*args)
    assert_both_empty(got, expected, because=because, confirmed=confirmed, what=f"{name}{args}")


def _casefolded(*values: Any) -> set[str]:
    out: set[str] = set()
    for v in values:
        if isinstance(v, list):
            out |= _casefolded(*v)
        elif v:
            out.add(str(v).strip().casefold())
    return out


@pytest.fixture(scope="module")
def artifact_keys(sample_graph: Path) -> dict[NodeLabel, set[str]]:
    """Per label, every text a node can be found by (ids, names, titles, symbols, aliases,
    codes, numbers, ROR ids and their short form), casefolded, read from the artifact's
    tables: the independent reason a lookup or prefix search rightly finds nothing."""
    art = Artifact.open(sample_graph)
    keys: dict[NodeLabel, set[str]] = {}
    for label in NodeLabel:
        table = art.nodes(label).to_pylist()
        found: set[str] = set()
        for row in table:
            found |= _casefolded(*(row.get(c) for c in ("id", "name", "title", "symbol")))
            found |= _casefolded(*(row.get(c) for c in ("aliases", "code", "alpha3", "number")))
            ror = row.get("ror_id")
            if ror:
                found |= _casefolded(ror, ror.rsplit("/", 1)[-1])
        keys[label] = found
    return keys


def _no_key(keys: dict[NodeLabel, set[str]], labels: list[NodeLabel], text: str) -> bool:
    """No node of `labels` has a key equal to `text` (ignoring case and outer spaces)."""
    return all(text.strip().casefold() not in keys[label] for label in labels)


def _no_prefix(keys: dict[NodeLabel, set[str]], labels: list[NodeLabel], text: str) -> bool:
    """No node of `labels` has a key starting with `text` (ignoring case and outer spaces)."""
    key = text.strip().casefold()
    return bool(key) and not any(k.startswith(key) for label in labels for k in keys[label])


def _refused(text: str, mem: GraphBackend) -> bool:
    """The query layer refuses `text` before asking any backend (a blank name)."""
    try:
        search(mem, text)
    except InvalidQueryError:
        return True
    return False


@pytest.fixture(scope="module")
def oracle(sample_graph: Path) -> Oracle:
    """Patents per organisation, recomputed from the artifact's tables."""
    return Oracle(sample_graph)


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
    compare(mem, neo, "manifest")
    compare(mem, neo, "node_counts")
    compare(mem, neo, "edge_counts")


def test_entities(
    both: tuple[MemoryBackend, Neo4jBackend],
    busy_orgs: list[str],
    artifact_keys: dict[NodeLabel, set[str]],
) -> None:
    mem, neo = both
    every = list(NodeLabel)
    orgs = [NodeLabel.ORGANIZATION]
    places_and_fields = [NodeLabel.COUNTRY, NodeLabel.TECHNOLOGY_FIELD]
    unknown_ids = ["org:no-such-org", "nope:1"]
    known_ids = [
        *busy_orgs,
        "country:US",
        "country:DE",
        "wipo:field:4",
        "wipo:sector:1",
        "cpc:H01L",
        "cpc:H01L21/02",
        "patent:US10000060",
    ]
    compare(mem, neo, "get_nodes", [*known_ids, *unknown_ids])
    names = [n.name for n in mem.get_nodes(busy_orgs).values()]
    aliases = [a for n in mem.get_nodes(busy_orgs).values() for a in n.props["aliases"]][:3]
    ror_ids = [n.props["ror_id"] for n in mem.get_nodes(busy_orgs).values() if n.props["ror_id"]]
    org_texts = [
        *names,
        *aliases,
        *(t.upper() for t in names),
        *ror_ids,
        *(r.rsplit("/", 1)[-1] for r in ror_ids),
    ]
    other_texts = [
        "US",
        "usa",
        "DEU",
        "germany",
        "10000060",
        "US10000060",
        "h01l21/02",
        "Digital communication",
    ]
    for text in org_texts:
        compare(mem, neo, "lookup", text)
        compare(mem, neo, "lookup", text, orgs, 3)
    for text in other_texts:
        compare(mem, neo, "lookup", text)
        compare_nothing(
            mem,
            neo,
            ("lookup", text, orgs, 3),
            because="no organisation has it as id, ROR id, name or alias: the filter leaves none",
            confirmed=_no_key(artifact_keys, orgs, text),
        )
    for text in ["", "zzz-nothing"]:
        for args in ((), (orgs, 3)):
            compare_nothing(
                mem,
                neo,
                ("lookup", text, *args),
                because="no node of the sample has it as id, code, number, name or alias",
                confirmed=_no_key(artifact_keys, every, text),
            )

    for text in ["a", "electr", "ger"]:
        compare(mem, neo, "search_prefix", text)
        compare(mem, neo, "search_prefix", text, places_and_fields, 5)
    for text in ["univ", "samsung", "MASSACHUSETTS", *names[:3]]:
        compare(mem, neo, "search_prefix", text)
        compare_nothing(
            mem,
            neo,
            ("search_prefix", text, places_and_fields, 5),
            because="no country or field name, alias or code starts so: the filter leaves none",
            confirmed=_no_prefix(artifact_keys, places_and_fields, text),
        )
    for text, because, confirmed in (
        ("ü", "no node's name, alias or code starts so", _no_prefix(artifact_keys, every, "ü")),
        ("", "a blank text is no name (the query layer refuses it)", _refused("", mem)),
    ):
        for args in ((), (places_and_fields, 5)):
            compare_nothing(
                mem, neo, ("search_prefix", text, *args), because=because, confirmed=confirmed
            )

    for i in known_ids:
        compare(mem, neo, "neighbors", i)
        compare(mem, neo, "neighbors", i, 3)
    for i in unknown_ids:
        for args in ((), (3,)):
            compare_nothing(
                mem,
                neo,
                ("neighbors", i, *args),
                because="no node of the sample has this id",
                confirmed=_no_key(artifact_keys, every, i),
            )


def test_names_hold_the_same_candidates(both: tuple[MemoryBackend, Neo4jBackend]) -> None:
    mem, neo = both
    labels = [
        NodeLabel.ORGANIZATION,
        NodeLabel.COUNTRY,
        NodeLabel.TECHNOLOGY_FIELD,
        NodeLabel.CPC_CLASS,
    ]
    got = neo.names(labels)
    assert_same(sorted(got), sorted(mem.names(labels)), "names")
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
        compare(mem, neo, "top_field_orgs", spec, f, 10)
        compare(mem, neo, "selection_years", spec, f)
        compare(mem, neo, "co_assignment_counts", busy_orgs, spec, f)
    for f in FILTERS:
        compare(mem, neo, "co_assignment_counts", busy_orgs, None, f)


def test_patent_lists(
    both: tuple[MemoryBackend, Neo4jBackend], busy_orgs: list[str], oracle: Oracle
) -> None:
    mem, neo = both
    sector = FieldSpec("wipo_sector", "1", sector_id(1), "sector 1")
    pairs = list(itertools.combinations(busy_orgs, 2))
    co_owners = [(a, b) for a, b in pairs if oracle.co_owned(a, b)]
    apart = next((a, b) for a, b in pairs if not oracle.co_owned(a, b))
    assert len(co_owners) >= 5, co_owners
    for f in FILTERS[:4]:
        for org in busy_orgs:
            held = oracle.in_years(oracle.org_patents[org], f.year_from, f.year_to)
            for spec, limit in ((None, 5), (sector, 3)):
                if held:
                    compare(mem, neo, "org_patents", org, spec, f, limit)
                    continue
                compare_nothing(
                    mem,
                    neo,
                    ("org_patents", org, spec, f, limit),
                    because="the artifact's ASSIGNED_TO edges give it no patent of those years",
                    confirmed=not held,
                )
        for a, b in co_owners:
            co_owned = oracle.in_years(oracle.co_owned(a, b), f.year_from, f.year_to)
            if co_owned:
                compare(mem, neo, "co_assigned_patents", a, b, (), f, 4)
                continue
            compare_nothing(
                mem,
                neo,
                ("co_assigned_patents", a, b, (), f, 4),
                because="the two co-own no patent of those years (the artifact's edges)",
                confirmed=not co_owned,
            )
        # two that own nothing together: neither backend may invent a co-owned patent
        compare_nothing(
            mem,
            neo,
            ("co_assigned_patents", *apart, (), f, 4),
            because="the artifact's ASSIGNED_TO edges give the two no common patent",
            confirmed=not oracle.co_owned(*apart),
        )
        compare(mem, neo, "co_assigned_patents", busy_orgs[0], busy_orgs[0], (), f, 4)
    compare_nothing(
        mem,
        neo,
        ("org_patents", "org:no-such-org", None, Filters(), 5),
        because="no organisation of the sample has this id",
        confirmed="org:no-such-org" not in oracle.orgs,
    )


def test_bridges(both: tuple[MemoryBackend, Neo4jBackend]) -> None:
    mem, neo = both
    s = specs(mem)
    pairs = [(s[0], s[2]), (s[5], s[7]), (s[1], s[3])]
    for (a, b), f in itertools.product(pairs, FILTERS):
        compare(mem, neo, "direct_bridges", a, b, f, 1, 0, 10)
        compare(mem, neo, "direct_bridges", a, b, f, 3, 2, 5)
        compare(mem, neo, "partnership_bridges", a, b, f, 1, 0, 10)
        compare(mem, neo, "partnership_bridges", a, b, f, 2, 1, 5)


def test_relations_and_evidence(
    both: tuple[MemoryBackend, Neo4jBackend], busy_orgs: list[str]
) -> None:
    mem, neo = both
    starts = [*busy_orgs, "country:DE", "wipo:field:4", "wipo:sector:1", "patent:US10000060"]
    every: list[Relation] = list(Relation)
    for node in starts:
        hops = compare(mem, neo, "relations", [node], every)
        for hop in hops[:: max(1, len(hops) // 12)]:
            if hop.relation in PATENT_BACKED:
                compare(mem, neo, "hop_evidence", hop, 3)
            elif hop.relation is Relation.CO_AUTHORED:  # stands on works, not patents
                assert compare(mem, neo, "hop_evidence", hop, 3) == (hop.weight, [])
                total, works = compare(mem, neo, "hop_works", hop, 3)
                assert total == hop.weight and 0 < len(works) <= 3
            else:
                compare_nothing(
                    mem,
                    neo,
                    ("hop_evidence", hop, 3),
                    because="a structural hop (stored ROR, location or WIPO structure) stands "
                    "on no patent: the contract's evidence is the patents behind a hop",
                    confirmed=hop.weight == 1 and not hop.src.startswith("patent:"),
                )
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


def test_unions_of_selections(
    both: tuple[MemoryBackend, Neo4jBackend], busy_orgs: list[str], oracle: Oracle
) -> None:
    """Several selections as one (a theme, several fields asked at once): every primitive
    that takes a selection answers their union alike on both backends, and the union counts
    a patent once (the oracle's union of the fields' patents)."""
    mem, neo = both
    s = specs(mem)
    unions = [(s[0], s[1]), (s[1], s[3], s[5]), (s[2], s[4])]
    for union, f in itertools.product(unions, FILTERS[1:3]):
        for name in ("field_org_counts", "field_country_counts", "field_cooccurrence",
                     "selection_size", "selection_years"):
            compare(mem, neo, name, union, f)
        compare(mem, neo, "co_assignment_counts", busy_orgs, union, f)
        counts = mem.field_org_counts(union, f.years_only())
        top = min(counts, key=lambda o: (-counts[o], o))
        compare(mem, neo, "org_patents", top, union, f.years_only(), 5)
    for (a, b), f in itertools.product([(unions[0], unions[2]), (unions[1], s[6])],
                                       FILTERS[::2]):
        compare(mem, neo, "direct_bridges", a, b, f, 1, 0, 10)
        compare(mem, neo, "partnership_bridges", a, b, f, 1, 0, 10)
    two_fields = oracle.field_patents[field_id(4)] | oracle.field_patents[field_id(13)]
    assert_same(neo.selection_size(unions[0], Filters()), len(two_fields))
