"""Research fields in queries on the bundled sample, on every backend.

The research side is checked against an independent computation from the raw sample files:
a work is in OpenAlex field F when one of its listed topics (in the work's JSON) has field F;
its year is its `publication_year`; its organisations are its authorships' institutions
(ror:<id>, or org:openalex:I<n>), plus the raw affiliation strings ttkg linked to ROR (read
from the artifact, basis=identity: that linking is the identity engine's, tested on its own).
The technology side comes from the plain artifact oracle (`tests/queries/oracle.py`).
Running on the `backend` fixture makes every test a parity test of the Neo4j backend too."""

from __future__ import annotations

import gzip
import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pytest

from ttkg.core.errors import AmbiguousEntityError, EntityNotFoundError, InvalidQueryError
from ttkg.core.model import EdgeType, NodeLabel
from ttkg.graph.artifact import Artifact
from ttkg.graph.backends.contract import FieldSpec, Filters, GraphBackend
from ttkg.graph.backends.memory.backend import MemoryBackend
from ttkg.loaders.sources import SAMPLE_DIR
from ttkg.queries.bridges import bridges
from ttkg.queries.common import make_filters
from ttkg.queries.partners import partners
from ttkg.queries.profile import field_profile
from ttkg.queries.research import ResearchSpec, resolve_any_field, resolve_research_field
from ttkg.queries.resolve import resolve_field

from ..parity import assert_same
from .oracle import Oracle

WORKS = SAMPLE_DIR / "openalex" / "works" / "openalex-works-sample.jsonl.gz"
MATERIALS, ENGINEERING = 25, 22
SEMICONDUCTORS = "wipo:field:8"


def _tail(url: str) -> str:
    return url.rsplit("/", 1)[1]


@dataclass
class RawWorks:
    """The raw sample works: id -> (year, OpenAlex field numbers, organisation ids)."""

    year: dict[str, int | None]
    fields: dict[str, set[int]]
    orgs: dict[str, set[str]]
    doi: dict[str, str | None]

    @classmethod
    def read(cls, graph: Path, works: Path = WORKS) -> RawWorks:
        identity: dict[str, set[str]] = defaultdict(set)
        for e in Artifact.open(graph).edges(EdgeType.AUTHORED_BY).to_pylist():
            if e["basis"] == "identity":
                identity[e["src"]].add(e["dst"])
        year, fields, orgs, doi = {}, {}, {}, {}
        with gzip.open(works, "rt", encoding="utf-8") as fh:
            for line in fh:
                w = json.loads(line)
                wid = "work:" + _tail(w["id"])
                year[wid] = w["publication_year"]
                doi[wid] = w["doi"].removeprefix("https://doi.org/") if w["doi"] else None
                fields[wid] = {int(_tail(t["field"]["id"])) for t in w["topics"]}
                found = set(identity.get(wid, ()))
                for a in w["authorships"]:
                    for i in a["institutions"]:
                        if i["id"] is not None:
                            found.add(
                                "ror:" + _tail(i["ror"])
                                if i["ror"]
                                else "org:openalex:" + _tail(i["id"])
                            )
                orgs[wid] = found
        return cls(year, fields, orgs, doi)

    def in_field(self, field: int, years: tuple[int, int] | None = None) -> set[str]:
        return {
            w
            for w, fs in self.fields.items()
            if field in fs
            and (years is None or years[0] <= (self.year[w] or 0) <= years[1])
        }

    def by_org(self, works: set[str]) -> dict[str, set[str]]:
        out: dict[str, set[str]] = defaultdict(set)
        for w in works:
            for o in self.orgs[w]:
                out[o].add(w)
        return dict(out)

    def co_authored(self, works: set[str]) -> dict[tuple[str, str], set[str]]:
        out: dict[tuple[str, str], set[str]] = defaultdict(set)
        for w in works:
            orgs = sorted(self.orgs[w])
            for i, x in enumerate(orgs):
                for y in orgs[i + 1 :]:
                    out[(x, y)].add(w)
        return dict(out)


@pytest.fixture(scope="module")
def raw(sample_graph: Path) -> RawWorks:
    return RawWorks.read(sample_graph)


@pytest.fixture(scope="module")
def oracle(sample_graph: Path) -> Oracle:
    return Oracle(sample_graph)


def test_resolve_research_fields(backend: GraphBackend) -> None:
    assert resolve_research_field(backend, "openalex:field:25").name == "Materials Science"
    spec = resolve_research_field(backend, "materials science")
    assert (spec.node_id, spec.level) == ("openalex:field:25", "field")
    assert resolve_research_field(backend, "Physical Sciences").level == "domain"
    with pytest.raises(EntityNotFoundError):
        resolve_research_field(backend, "no such research field at all")


def test_ambiguous_research_field_name(backend: GraphBackend) -> None:
    """Some subfield names are shared by several subfields (252 ids, 245 names)."""
    dup: dict[str, list[str]] = {}
    for nid, name in backend.names([NodeLabel.RESEARCH_FIELD]):
        dup.setdefault(name.casefold(), []).append(nid)
    name = next(n for n, ids in sorted(dup.items()) if len(ids) > 1)
    with pytest.raises(AmbiguousEntityError):
        resolve_research_field(backend, name)


def test_a_field_argument_names_either_kind(backend: GraphBackend) -> None:
    """Technology fields resolve as before; research fields by name or id; a name that is
    both (WIPO field 15 and OpenAlex subfield 1305, "Biotechnology") is a question back
    naming both ids."""
    assert resolve_any_field(backend, "Semiconductors") == resolve_field(backend, "Semiconductors")
    assert resolve_any_field(backend, "H01L") == resolve_field(backend, "H01L")
    found = resolve_any_field(backend, "Materials Science")
    assert isinstance(found, ResearchSpec) and found.node_id == "openalex:field:25"
    assert isinstance(resolve_any_field(backend, "openalex:subfield:1305"), ResearchSpec)
    with pytest.raises(AmbiguousEntityError) as err:
        resolve_any_field(backend, "Biotechnology")
    assert {c.split()[0] for c in err.value.candidates} == {
        "wipo:field:15",
        "openalex:subfield:1305",
    }
    with pytest.raises(EntityNotFoundError) as missing:
        resolve_any_field(backend, "Materials Scienc")
    assert "openalex:field:25" in {s["id"] for s in missing.value.suggestions}


def test_research_works_primitive(
    backend: GraphBackend, memory_backend: MemoryBackend, raw: RawWorks
) -> None:
    """The contract's works of a field, with years, organisations, fields and order, against
    the raw files (and the embedded backend: parity)."""
    rows = backend.research_works("openalex:field:25", None, Filters(2015, 2022))
    want = raw.in_field(MATERIALS, (2015, 2022))
    assert {r.id for r in rows} == want and len(want) > 5
    for r in rows:
        assert set(r.orgs) == raw.orgs[r.id]
        assert {int(f.rsplit(":", 1)[1]) for f in r.fields} == raw.fields[r.id]
    assert [r.id for r in rows] == sorted(want, key=lambda w: (-(raw.year[w] or -1), w))
    org = rows[0].orgs[0]
    assert {r.id for r in backend.research_works(None, org, Filters())} == {
        w for w, os in raw.orgs.items() if org in os
    }
    assert_same(
        backend.research_works("openalex:domain:3", None, Filters()),
        memory_backend.research_works("openalex:domain:3", None, Filters()),
    )


def test_science_technology_bridges(
    backend: GraphBackend, raw: RawWorks, oracle: Oracle
) -> None:
    answer = bridges(backend, "Materials Science", "Semiconductors", limit=500, evidence=2)
    assert (answer.field_a.kind, answer.field_b.kind) == ("openalex_field", "wipo_field")
    research = raw.by_org(raw.in_field(MATERIALS))
    tech = {o: len(p & oracle.field_patents[SEMICONDUCTORS]) for o, p in oracle.org_patents.items()}
    want = {o: (len(ws), tech[o]) for o, ws in research.items() if tech.get(o, 0) > 0}
    got = {d.organization.id: (d.count_a, d.count_b) for d in answer.direct}
    assert got == want and answer.total_direct == len(want) > 5
    ranks = sorted((-min(a, b), -(a + b), o) for o, (a, b) in got.items())
    assert [d.organization.id for d in answer.direct] == [r[2] for r in ranks]
    top = answer.direct[0]
    works = top.evidence["a"].works
    assert top.evidence["a"].total == top.count_a and works and not top.evidence["a"].patents
    assert all(w.id in research[top.organization.id] and w.doi == raw.doi[w.id] for w in works)
    assert [w.year or 0 for w in works] == sorted((w.year or 0 for w in works), reverse=True)
    assert top.evidence["b"].total == top.count_b and top.evidence["b"].patents


def test_science_technology_partnerships(
    backend: GraphBackend, raw: RawWorks, oracle: Oracle
) -> None:
    """A pair co-authoring in R where one partner patents in T, or co-owning patents in T
    where one partner publishes in R: count = co-authored works in R + co-owned patents in T."""
    answer = bridges(backend, "openalex:field:25", "Semiconductors", limit=500, evidence=3)
    in_r = raw.in_field(MATERIALS)
    publishes = set(raw.by_org(in_r))
    t = oracle.field_patents[SEMICONDUCTORS]
    patents = {o for o, p in oracle.org_patents.items() if p & t}
    want: dict[tuple[str, str], tuple[int, int]] = {}
    for (x, y), ws in raw.co_authored(in_r).items():
        if x in patents or y in patents:
            want[(x, y)] = (len(ws), 0)
    for x in publishes:
        for p in oracle.org_patents.get(x, set()) & t:
            for y in oracle.patent_orgs[p] - {x}:
                key = (min(x, y), max(x, y))
                n_w = want.get(key, (0, 0))[0]
                want[key] = (n_w, len(oracle.co_owned(x, y) & t))
    got = {
        tuple(sorted(o.id for o in p.organizations)): (p.count_a, p.count_b)
        for p in answer.partnerships
    }
    assert got == want and answer.total_partnerships == len(want) > 10
    assert any(a and b for a, b in want.values()) or any(a for a, _ in want.values())
    for p in answer.partnerships:
        assert p.count == p.count_a + p.count_b == p.evidence.total
        x, y = (o.id for o in p.organizations)
        assert p.co_owned_total == len(oracle.co_owned(x, y))
        assert p.co_authored_total == sum({x, y} <= os for os in raw.orgs.values())
        assert all(w.id in in_r and {x, y} <= raw.orgs[w.id] for w in p.evidence.works)
        assert all(pt.id in oracle.co_owned(x, y) & t for pt in p.evidence.patents)
        assert len(p.evidence.works) == min(3, p.count_a)
    keys = [(-p.count, p.organizations[0].id, p.organizations[1].id) for p in answer.partnerships]
    assert keys == sorted(keys)


def test_research_research_bridges(backend: GraphBackend, raw: RawWorks) -> None:
    answer = bridges(backend, "openalex:field:25", "openalex:field:22", limit=500)
    a_works, b_works = raw.in_field(MATERIALS), raw.in_field(ENGINEERING)
    a, b = raw.by_org(a_works), raw.by_org(b_works)
    want = {o: (len(a[o]), len(b[o])) for o in a.keys() & b.keys()}
    got = {d.organization.id: (d.count_a, d.count_b) for d in answer.direct}
    assert got == want and len(want) > 20
    pairs = {}
    for (x, y), ws in raw.co_authored(a_works | b_works).items():
        if (x in a and y in b) or (x in b and y in a):
            pairs[(x, y)] = (len(ws), len(ws & a_works), len(ws & b_works))
    ranked = sorted(pairs.items(), key=lambda kv: (-kv[1][0], -(kv[1][1] + kv[1][2]), kv[0]))
    got_pairs = [
        ((p.organizations[0].id, p.organizations[1].id), (p.count, p.count_a, p.count_b))
        for p in answer.partnerships
    ]
    assert got_pairs == ranked[:500] and answer.total_partnerships == len(pairs) > 20
    for p in answer.partnerships[:20]:
        x, y = (o.id for o in p.organizations)
        assert {w.id for w in p.evidence.works} <= (a_works | b_works)
        assert all({x, y} <= raw.orgs[w.id] for w in p.evidence.works)


def test_research_bridges_filters(backend: GraphBackend, raw: RawWorks) -> None:
    """Years filter works by publication year; kind and partner kind select the members."""
    flt = make_filters("2020-2024", kind="university", partner_kind="government")
    answer = bridges(backend, "openalex:field:25", "openalex:field:22", flt, limit=500)
    a_works = raw.in_field(MATERIALS, (2020, 2024))
    b_works = raw.in_field(ENGINEERING, (2020, 2024))
    a, b = raw.by_org(a_works), raw.by_org(b_works)
    nodes = backend.get_nodes(sorted(a.keys() | b.keys()))
    kind = {o: n.props.get("kind") for o, n in nodes.items()}
    want = {o: (len(a[o]), len(b[o])) for o in a.keys() & b.keys() if kind[o] == "university"}
    assert {d.organization.id: (d.count_a, d.count_b) for d in answer.direct} == want
    assert want
    for p in answer.partnerships:
        assert (p.organizations[0].kind, p.organizations[1].kind) == ("university", "government")
        x, y = (o.id for o in p.organizations)
        n = sum({x, y} <= raw.orgs[w] for w in a_works | b_works)
        assert p.count == n
    assert answer.partnerships
    assert answer.filters.years == (2020, 2024)


def test_partners_keep_co_authors_and_co_owners_apart(
    backend: GraphBackend, raw: RawWorks, oracle: Oracle
) -> None:
    answer = partners(backend, "Tsinghua University", limit=500, evidence=2)
    me = answer.organization.id
    owners = {
        y: len(oracle.co_owned(me, y))
        for p in oracle.org_patents[me]
        for y in oracle.patent_orgs[p] - {me}
    }
    assert {p.organization.id: p.count for p in answer.partners} == owners
    mine = {w for w, os in raw.orgs.items() if me in os}
    authors = {o: sum(o in raw.orgs[w] for w in mine) for w in mine for o in raw.orgs[w] - {me}}
    assert {p.organization.id: p.count for p in answer.co_authors} == authors
    assert answer.total_co_authors == len(authors) > 5 and answer.total == len(owners) > 5
    for p in answer.co_authors:
        assert p.evidence.total == p.count and not p.evidence.patents
        assert all({me, p.organization.id} <= raw.orgs[w.id] for w in p.evidence.works)
    counts = [p.count for p in answer.co_authors]
    assert counts == sorted(counts, reverse=True)
    in_field = partners(backend, "Tsinghua University", "Materials Science", limit=500)
    works = mine & raw.in_field(MATERIALS)
    assert not in_field.partners and in_field.field and in_field.field.id == "openalex:field:25"
    want = {o: sum(o in raw.orgs[w] for w in works) for w in works for o in raw.orgs[w] - {me}}
    assert {p.organization.id: p.count for p in in_field.co_authors} == want and want
    tech = partners(backend, "Tsinghua University", "Semiconductors", limit=500)
    assert tech.partners and not tech.co_authors


def test_research_field_profile(backend: GraphBackend, raw: RawWorks, oracle: Oracle) -> None:
    profile = field_profile(backend, "Materials Science", limit=500)
    works = raw.in_field(MATERIALS)
    assert profile.works == len(works) and profile.patents == 0
    by_org = raw.by_org(works)
    assert {r.entity.id: r.count for r in profile.organizations} == {
        o: len(ws) for o, ws in by_org.items()
    }
    fields: dict[str, int] = defaultdict(int)
    for w in works:
        for f in raw.fields[w] - {MATERIALS}:
            fields[f"openalex:field:{f}"] += 1
    assert {r.entity.id: r.count for r in profile.cooccurring_research_fields} == fields
    countries: dict[str, int] = defaultdict(int)
    for w in works:
        for c in {oracle.orgs[o]["country"] for o in raw.orgs[w]} - {None}:
            countries[f"country:{c}"] += 1
    assert {r.entity.id: r.count for r in profile.countries} == countries
    wipo = {
        f: len({o for o in by_org if oracle.org_patents.get(o, set()) & ps})
        for f, ps in oracle.field_patents.items()
        if f.startswith("wipo:field:")
    }
    assert {r.entity.id: r.count for r in profile.cooccurring_fields} == {
        f: n for f, n in wipo.items() if n
    }
    ranked = [(-r.count, r.entity.id) for r in profile.organizations]
    assert ranked == sorted(ranked)


def test_research_fields_refuse_the_family_level(memory_backend: MemoryBackend) -> None:
    """Works are counted per organisation: a family-level answer would look applied."""
    family = make_filters(level="family")
    for ask in (
        lambda: bridges(memory_backend, "Materials Science", "Semiconductors", family),
        lambda: field_profile(memory_backend, "Materials Science", family),
        lambda: partners(memory_backend, "Tsinghua University", "Materials Science", family),
    ):
        with pytest.raises(InvalidQueryError, match="family"):
            ask()


@pytest.mark.parametrize(
    ("a", "b", "flt"),
    [
        ("openalex:field:25", "openalex:field:22", {}),
        ("openalex:domain:3", "openalex:domain:1", {"years": "2015-"}),
        ("openalex:field:25", SEMICONDUCTORS, {"kind": "university"}),
        (SEMICONDUCTORS, "openalex:field:25", {"years": "2010-2020", "partner_kind": "company"}),
        ("openalex:subfield:2505", "wipo:sector:1", {"country": "US"}),
    ],
)
def test_research_aggregates_equal_the_reference(
    memory_backend: MemoryBackend, a: str, b: str, flt: dict[str, str]
) -> None:
    """The embedded backend's research aggregates (sparse products over the serving index)
    give the answers of the reference written over `research_works` (which Neo4j runs), on
    every side, filter and page; the oracle tests above check the reference's meaning."""
    from ttkg.graph.backends import research as reference
    from ttkg.queries.research import resolve_any_field

    filters = make_filters(flt.get("years"), country=flt.get("country"), kind=flt.get("kind"),
                           partner_kind=flt.get("partner_kind"))

    def side(text: str) -> str | FieldSpec:
        spec = resolve_any_field(memory_backend, text)
        return spec.node_id if isinstance(spec, ResearchSpec) else spec

    sa, sb = side(a), side(b)
    for offset, limit in ((0, 1000), (3, 5)):
        assert memory_backend.research_direct(sa, sb, filters, 1, offset, limit) == (
            reference.research_direct(memory_backend, sa, sb, filters, 1, offset, limit)
        )
        got = memory_backend.research_partnerships(sa, sb, filters, 1, offset, limit)
        assert got == reference.research_partnerships(
            memory_backend, sa, sb, filters, 1, offset, limit
        )
    total, page = memory_backend.research_partnerships(sa, sb, filters, 1, 0, 10)
    assert total and page  # not a comparison of empty answers
    research = [s for s in (sa, sb) if isinstance(s, str)]
    for x, y, *_ in page:
        for fields in ((), research):
            assert memory_backend.co_authored_works(x, y, fields, filters, 3) == (
                reference.co_authored_works(memory_backend, x, y, fields, filters, 3)
            )
        assert memory_backend.org_works(x, research[0], filters, 3) == (
            reference.org_works(memory_backend, x, research[0], filters, 3)
        )
    for r in research:
        assert memory_backend.research_profile_counts(r, filters, 15) == (
            reference.research_profile_counts(memory_backend, r, filters, 15)
        )
