"""Flows between countries and groups, on the bundled real sample and on every backend,
checked against an independent recomputation from the artifact's tables; the themes table;
the CLI, the HTTP API and the Python API of flows."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tests.parity import assert_same
from tests.queries.test_research import RawWorks
from ttkg.api.app import create_app
from ttkg.cli.main import app
from ttkg.core.errors import EntityNotFoundError, InvalidQueryError
from ttkg.core.groups import country_group
from ttkg.core.model import EdgeType, NodeLabel
from ttkg.core.settings import Settings
from ttkg.facade import KnowledgeGraph
from ttkg.graph.artifact import Artifact
from ttkg.graph.backends.contract import Filters, GraphBackend
from ttkg.queries.common import make_filters
from ttkg.queries.flows import flows
from ttkg.queries.selections import resolve_selections
from ttkg.queries.themes import default_themes, load_themes

Side = tuple[frozenset[str], frozenset[str]]
Pair = tuple[str | None, str | None]


class FlowOracle:
    """Co-owned patents between two sides, from the artifact's Parquet rows in plain Python."""

    def __init__(self, graph: Path) -> None:
        art = Artifact.open(graph)
        self.year = {r["id"]: r["year"] for r in art.nodes(NodeLabel.PATENT).to_pylist()}
        self.orgs = {r["id"]: r for r in art.nodes(NodeLabel.ORGANIZATION).to_pylist()}
        self.owners: dict[str, set[str]] = defaultdict(set)
        for e in art.edges(EdgeType.ASSIGNED_TO).to_pylist():
            self.owners[e["src"]].add(e["dst"])
        self.fields: dict[str, set[str]] = defaultdict(set)
        for e in art.edges(EdgeType.IN_FIELD).to_pylist():
            if e["src"].startswith("patent:"):
                self.fields[e["src"]].add(e["dst"])
        self.symbols: dict[str, set[str]] = defaultdict(set)
        for e in art.edges(EdgeType.CLASSIFIED_AS).to_pylist():
            self.symbols[e["src"]].add(e["dst"].removeprefix("cpc:"))
        self.last_year = art.manifest["coverage"]["patents"]["last_year"]
        self.partial = art.manifest["coverage"]["patents"]["partial_last_year"]

    def country(self, org: str) -> str | None:
        return self.orgs[org]["country"] or None

    def passes(self, org: str, side: Side) -> bool:
        countries, kinds = side
        return (not countries or self.country(org) in countries) and (
            not kinds or self.orgs[org]["kind"] in kinds
        )

    def in_selection(self, patent: str, wipo: set[str], prefixes: tuple[str, ...]) -> bool:
        return bool(self.fields[patent] & wipo) or any(
            s.startswith(prefixes) for s in self.symbols[patent]
        )

    def rows(self, origin: Side, dest: Side, wipo: set[str] = frozenset(),  # type: ignore[assignment]
             prefixes: tuple[str, ...] = (), years: tuple[int, int] | None = None
             ) -> set[tuple[str, str, str]]:
        return self.oriented(lambda o, _: self.passes(o, origin),
                             lambda o, _: self.passes(o, dest), wipo, prefixes, years)

    def oriented(self, origin: Callable[[str, int | None], bool],
                 dest: Callable[[str, int | None], bool], wipo: set[str] = frozenset(),  # type: ignore[assignment]
                 prefixes: tuple[str, ...] = (), years: tuple[int, int] | None = None
                 ) -> set[tuple[str, str, str]]:
        """(patent, origin owner, destination owner) of every co-owned patent in the
        selection and years whose owners pass the sides (given owner and grant year), turned
        round when they pass only the other way round, as flows orient them."""
        out = set()
        for patent, owners in self.owners.items():
            if (wipo or prefixes) and not self.in_selection(patent, wipo, prefixes):
                continue
            y = self.year[patent]
            if years and (y is None or not years[0] <= y <= years[1]):
                continue
            for x in owners:
                for z in owners:
                    if x >= z:
                        continue
                    if origin(x, y) and dest(z, y):
                        out.add((patent, x, z))
                    elif origin(z, y) and dest(x, y):
                        out.add((patent, z, x))
        return out

    def by_country_pair(self, rows: set[tuple[str, str, str]]) -> dict[Pair, int]:
        per: dict[Pair, set[str]] = defaultdict(set)
        for p, x, y in rows:
            per[(self.country(x), self.country(y))].add(p)
        return {k: len(v) for k, v in per.items()}

    def by_year(self, rows: set[tuple[str, str, str]]) -> dict[int | None, int]:
        per: dict[int | None, set[str]] = defaultdict(set)
        for p, _, _ in rows:
            per[self.year[p]].add(p)
        return {k: len(v) for k, v in per.items()}


@pytest.fixture(scope="module")
def oracle(sample_graph: Path) -> FlowOracle:
    return FlowOracle(sample_graph)


UNI: Side = (frozenset(), frozenset({"university"}))
COMPANY: Side = (frozenset(), frozenset({"company"}))


def test_university_company_flows_by_country_pair_and_year_equal_the_oracle(
    backend: GraphBackend, oracle: FlowOracle
) -> None:
    r = flows(backend, make_filters(kind="university", partner_kind="company"), by_year=True,
              limit=500, evidence=2)
    want = oracle.rows(UNI, COMPANY)
    assert r.patents == len({p for p, _, _ in want})
    assert r.total_organization_pairs == len({(x, y) for _, x, y in want})
    assert_same({(c.country, c.partner_country): c.patents for c in r.country_pairs},
                oracle.by_country_pair(want))
    assert_same({y.year: y.patents for y in r.by_year}, oracle.by_year(want))
    for y in r.by_year:
        assert y.partial == (oracle.partial and y.year == oracle.last_year)
    # each country pair's years, from the oracle's rows of that pair
    for c in r.country_pairs[:5]:
        rows = {(p, x, y) for p, x, y in want
                if (oracle.country(x), oracle.country(y)) == (c.country, c.partner_country)}
        assert {y.year: y.patents for y in c.by_year} == oracle.by_year(rows)
    # organisation pairs: a university first, evidence among their co-owned patents
    counts = [p.patents for p in r.organization_pairs]
    assert counts == sorted(counts, reverse=True)
    for pair in r.organization_pairs[:20]:
        a, b = pair.organizations
        assert (a.kind, b.kind) == ("university", "company")
        co = {p for p, x, y in want if (x, y) == (a.id, b.id)}
        assert pair.patents == len(co) == pair.evidence.total
        assert {e.id for e in pair.evidence.patents} <= co


def test_a_group_to_a_country_in_a_theme_and_years_equals_the_oracle(
    backend: GraphBackend, oracle: FlowOracle
) -> None:
    """Asia (UN M49) to the US, in the AI theme and Computer technology, 2010-2020."""
    asia = frozenset(country_group("Asia").members)  # type: ignore[union-attr]
    r = flows(backend, make_filters("2010-2020", "Asia", partner_country="US"),
              ["AI", "Computer technology"], by_year=True)
    ai = default_themes().get("ai")
    prefixes = tuple(s if len(s) <= 4 else s.removesuffix("00") for s in ai.cpc)
    want_ai = oracle.rows((asia, frozenset()), (frozenset({"US"}), frozenset()), set(), prefixes,
                          (2010, 2020))
    want_ct = oracle.rows((asia, frozenset()), (frozenset({"US"}), frozenset()),
                          {"wipo:field:6"}, (), (2010, 2020))
    assert [f.field.id for f in r.by_field] == ["theme:ai", "wipo:field:6"]
    assert_same([f.patents for f in r.by_field],
                [len({p for p, _, _ in want_ai}), len({p for p, _, _ in want_ct})])
    both = want_ai | want_ct
    assert r.patents == len({p for p, _, _ in both})
    assert_same({(c.country, c.partner_country): c.patents for c in r.country_pairs},
                oracle.by_country_pair(both))
    assert all(c.country in asia and c.partner_country == "US" for c in r.country_pairs)
    assert r.filters.country_groups[0].code == "M49:142"


def test_the_seed_question_is_answered_honestly_when_the_data_holds_little(
    backend: GraphBackend, oracle: FlowOracle
) -> None:
    oic = frozenset(country_group("OIC").members)  # type: ignore[union-attr]
    r = flows(backend, make_filters(None, "OIC", "university", "US,CN", "company"),
              theme="AI,agriculture,digital security,energy,health", by_year=True)
    expected = oracle.rows((oic, frozenset({"university"})),
                           (frozenset({"US", "CN"}), frozenset({"company"})))
    assert not expected  # the sample holds no such patent, in any field
    assert r.patents == 0 and not r.country_pairs and not r.organization_pairs
    assert [f.field.id for f in r.by_field] == [
        "theme:ai", "theme:agriculture", "theme:digital_security", "theme:energy",
        "theme:health"]
    assert r.coverage["last_grant"] and "covers US patents granted" in r.notes[0]
    assert any(n.startswith("The origin side co-owns") for n in r.notes)
    assert r.notes[-1] == "Between the two sides, in any field: 0 co-owned patent(s)."


def test_unknown_names_are_clear_errors(backend: GraphBackend) -> None:
    with pytest.raises(InvalidQueryError, match="did you mean agriculture"):
        flows(backend, Filters(), theme="agricultre")
    with pytest.raises(InvalidQueryError, match=r"from: 'OCI'.*OIC"):
        make_filters(country="OCI", sides=("from", "to"))
    with pytest.raises(EntityNotFoundError, match="or a theme"):
        flows(backend, Filters(), "Semiconductrs")


def test_themes_map_to_fields_in_the_graph(backend: GraphBackend) -> None:
    table = default_themes()
    for key in ("ai", "agriculture", "digital_security", "energy", "health"):
        assert key in table.themes and table.themes[key].source
    for theme in table.themes.values():
        sel = resolve_selections(backend, theme.key)
        assert len(sel) == 1 and len(sel[0].parts) == len(theme.cpc) + len(theme.wipo)
        for rf in theme.openalex:
            assert backend.get_nodes([rf]), rf
    assert [s.id for s in resolve_selections(backend, "Materials, metallurgy")] == [
        "wipo:field:20"]
    assert [s.id for s in resolve_selections(backend, ["ML,8", "energy and renewables"])] == [
        "theme:ai", "wipo:field:8", "theme:energy"]


def test_a_themes_file_overrides_and_extends(tmp_path: Path, backend: GraphBackend) -> None:
    path = tmp_path / "themes.toml"
    path.write_text(
        '[themes.ai]\nname = "AI (narrow)"\ncpc = ["G06N"]\nsource = "mine"\n'
        '[themes.batteries]\nname = "Batteries"\naliases = ["storage"]\ncpc = ["H01M"]\n'
        'source = "CPC H01M"\n',
        "utf-8",
    )
    table = load_themes(path)
    assert table.get("AI").cpc == ("G06N",) and table.get("storage").key == "batteries"
    assert "agriculture" in table.themes
    r = flows(backend, Filters(), theme="batteries", themes=table)
    assert r.by_field[0].field.source == "CPC H01M" and r.patents > 0


@pytest.fixture(scope="module")
def client(backend: GraphBackend) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(), backend=backend)) as c:
        yield c


def test_api_flows_is_the_query_result(client: TestClient, backend: GraphBackend) -> None:
    params = {"from": "Asia", "to": "US", "kind": "university", "field": "6,AI",
              "by_year": "true", "years": "2005-"}
    r = client.get("/flows", params=params)
    assert r.status_code == 200, r.text
    want = flows(backend, make_filters("2005-", "Asia", "university", "US"), "6,AI",
                 by_year=True)
    assert r.json() == want.model_dump(mode="json") and want.patents
    csv = client.get("/flows", params=params, headers={"accept": "text/csv"})
    assert csv.status_code == 200 and csv.text.startswith("section,rank,country")
    for bad, word in (({"from": "OCI"}, "OIC"), ({"theme": "agricultre"}, "agriculture"),
                      ({"country": "SA"}, "from")):
        problem = client.get("/flows", params=bad)
        assert problem.status_code == 422 and word in problem.json()["detail"], problem.text
    seed = client.get("/flows", params={"from": "OIC", "to": "US,CN", "kind": "university",
                                        "partner_kind": "company",
                                        "theme": "AI,agriculture,digital security,energy,health"})
    body = seed.json()
    assert seed.status_code == 200 and body["patents"] == 0 and body["notes"]
    assert len(body["filters"]["country_groups"][0]["members"]) == 57


def test_cli_flows_json_csv_and_table(sample_graph: Path, memory_backend: GraphBackend) -> None:
    runner = CliRunner()
    args = ["query", "flows", "--graph", str(sample_graph), "--from", "Asia", "--to", "US",
            "--field", "Computer technology", "--by-year"]
    r = runner.invoke(app, [*args, "--format", "json"])
    assert r.exit_code == 0, r.output
    want = flows(memory_backend, make_filters(None, "Asia", partner_country="US"),
                 "Computer technology", by_year=True)
    assert json.loads(r.output) == want.model_dump(mode="json")
    r = runner.invoke(app, [*args, "--format", "csv"])
    assert r.exit_code == 0 and r.output.splitlines()[0].startswith("section,rank")
    r = runner.invoke(app, args)
    assert r.exit_code == 0 and "By country pair" in r.output
    r = runner.invoke(app, ["query", "flows", "--graph", str(sample_graph), "--theme", "AIX"])
    assert r.exit_code == 2 and "unknown theme" in r.output


def test_python_api_flows(memory_backend: GraphBackend) -> None:
    g = KnowledgeGraph(memory_backend)
    r = g.flows("KR", "US", field="Semiconductors", by_year=True)
    assert r.patents and r.country_pairs[0].country == "KR"
    assert list(r.to_frame().columns) == r.columns()


#: EU accession years (the accession treaties), for the independent year-by-year oracle;
#: the United Kingdom was a member from 1973-01-01 to 2020-01-31 (so in 2020, not 2021).
EU_JOINED = {"BE": 1958, "DE": 1958, "FR": 1958, "IT": 1958, "LU": 1958, "NL": 1958,
             "DK": 1973, "IE": 1973, "GB": 1973, "GR": 1981, "ES": 1986, "PT": 1986,
             "AT": 1995, "FI": 1995, "SE": 1995, "CY": 2004, "CZ": 2004, "EE": 2004,
             "HU": 2004, "LT": 2004, "LV": 2004, "MT": 2004, "PL": 2004, "SK": 2004,
             "SI": 2004, "BG": 2007, "RO": 2007, "HR": 2013}


def _in_eu(country: str | None, year: int | None) -> bool:
    joined = EU_JOINED.get(country or "")
    return (joined is not None and year is not None and joined <= year
            and (country != "GB" or year <= 2020))


def _eu_rows(oracle: FlowOracle, dest: frozenset[str], years: tuple[int, int] | None
             ) -> set[tuple[str, str, str]]:
    """Co-owned patents from EU27 (each owner's country a member in the grant year) to
    `dest` (any country when empty), oriented as flows orient them."""
    return oracle.oriented(lambda o, y: _in_eu(oracle.country(o), y),
                           lambda o, _: not dest or oracle.country(o) in dest, years=years)


def test_by_year_counts_a_country_for_a_group_only_in_its_member_years(
    backend: GraphBackend, oracle: FlowOracle
) -> None:
    """The UK left the EU on 2020-01-31: from EU27 by year, its 2021 co-owned patent with a
    US company is not counted, its 2015-2019 ones with EU and other partners are."""
    f = make_filters("2015-2021", "EU27", partner_country="US", sides=("from", "to"))
    ranged = flows(backend, f)  # range membership: the UK was a member in 2015-2021
    assert "GB" in {c.country for c in ranged.country_pairs}
    yearly = flows(backend, f, by_year=True, limit=500)
    want = _eu_rows(oracle, frozenset({"US"}), (2015, 2021))
    assert yearly.patents == len({p for p, _, _ in want})
    assert "GB" not in {c.country for c in yearly.country_pairs}
    assert_same({(c.country, c.partner_country): c.patents for c in yearly.country_pairs},
                oracle.by_country_pair(want))
    assert_same({y.year: y.patents for y in yearly.by_year}, oracle.by_year(want))
    echo = yearly.filters.country_groups[0]
    assert echo.code == "EU27" and "year by year" in echo.membership and "GB" in echo.members

    anyone = flows(backend, make_filters(country="EU27", sides=("from", "to")), by_year=True,
                   limit=500)
    want = _eu_rows(oracle, frozenset(), None)
    assert_same({(c.country, c.partner_country): c.patents for c in anyone.country_pairs},
                oracle.by_country_pair(want))
    assert_same({y.year: y.patents for y in anyone.by_year}, oracle.by_year(want))
    gb = [c for c in anyone.country_pairs if c.country == "GB"]
    assert gb and all(y.year is not None and y.year <= 2020 for c in gb for y in c.by_year)


def _works_between(raw: RawWorks, oracle: FlowOracle, works: set[str], origin: Side,
                   dest: Side) -> set[tuple[str, str, str]]:
    """(work, x, y): co-authored works (from the raw OpenAlex records) between an origin
    organisation and a destination one, oriented as flows orient them (x < y when both ways
    pass), organisations' countries and kinds from the artifact's table."""
    out = set()
    for w in works:
        members = sorted(o for o in raw.orgs[w] if o in oracle.orgs)
        for i, x in enumerate(members):
            for z in members[i + 1:]:
                if oracle.passes(x, origin) and oracle.passes(z, dest):
                    out.add((w, x, z))
                elif oracle.passes(z, origin) and oracle.passes(x, dest):
                    out.add((w, z, x))
    return out


def test_flows_count_co_authored_works_as_the_raw_works_say(
    backend: GraphBackend, oracle: FlowOracle, sample_graph: Path
) -> None:
    raw = RawWorks.read(sample_graph)
    us, cn = (frozenset({"US"}), frozenset()), (frozenset({"CN"}), frozenset())
    r = flows(backend, make_filters(country="US", partner_country="CN", sides=("from", "to")),
              by_year=True, limit=500, evidence=2)
    want = _works_between(raw, oracle, set(raw.year), us, cn)
    co = r.co_authored
    assert co is not None and co.works == len({w for w, _, _ in want}) > 0
    per_pair: dict[Pair, set[str]] = defaultdict(set)
    for w, x, y in want:
        per_pair[(oracle.country(x), oracle.country(y))].add(w)
    assert_same({(c.country, c.partner_country): c.works for c in co.country_pairs},
                {k: len(v) for k, v in per_pair.items()})
    years: dict[int | None, set[str]] = defaultdict(set)
    for w, _, _ in want:
        years[raw.year[w]].add(w)
    assert_same({y.year: y.works for y in co.by_year}, {k: len(v) for k, v in years.items()})
    pairs: dict[tuple[str, str], set[str]] = defaultdict(set)
    for w, x, y in want:
        pairs[(x, y)].add(w)
    assert co.total_organization_pairs == len(pairs)
    ranked = sorted(pairs.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    assert_same([((p.organizations[0].id, p.organizations[1].id), p.works)
                 for p in co.organization_pairs], [(k, len(v)) for k, v in ranked[:500]])
    for p in co.organization_pairs:
        key = (p.organizations[0].id, p.organizations[1].id)
        assert {e.id for e in p.evidence.works} <= pairs[key] and p.evidence.works
    # in a theme: works in its OpenAlex field (agriculture: Agricultural and Biological
    # Sciences, field 11); a technology field counts none, and says so
    r = flows(backend, Filters(), "agriculture,Optics", limit=5)
    want = _works_between(raw, oracle, raw.in_field(11), (frozenset(), frozenset()),
                          (frozenset(), frozenset()))
    assert r.co_authored is not None
    assert_same(r.co_authored.works, len({w for w, _, _ in want}))
    assert [f.works for f in r.by_field] == [r.co_authored.works, None]
    assert any("no works are counted for Optics" in n for n in r.notes)


def test_co_authorships_equal_the_reference_over_research_works(backend: GraphBackend) -> None:
    """The backend's `co_authorships` (vectorised in the embedded backend) gives the rows
    the reference computes from `research_works` and the organisations' nodes."""
    from ttkg.graph.backends import research as reference

    found = 0
    for f in (Filters(), make_filters(None, "US", partner_country="CN"),
              make_filters("2015-2020", kind="university", partner_kind="company"),
              make_filters(None, "EU27")):
        for fields in (None, ("openalex:field:11",), ("openalex:subfield:1702",
                                                      "openalex:field:27")):
            want = reference.co_authorships(backend, fields, f)
            assert backend.co_authorships(fields, f) == want
            found += bool(want)
    assert found >= 8  # of 12 cases: the comparison is of rows, not of two empty answers
    assert backend.co_authorships((), Filters()) == []


def test_flow_counts_equal_the_reference_over_rows(memory_backend: GraphBackend) -> None:
    """The embedded backend's `patent_flows` and `work_flows` (array passes over its stored
    pairs) count what the reference counts from `co_ownerships` / `co_authorships` rows in
    Python: whole, per selection and year, country pairs, top organisation pairs (with the
    works' evidence), with and without the year-by-year membership."""
    from ttkg.graph.backends import flowcounts as reference
    from ttkg.queries.yearly import membership, widened

    b = memory_backend
    themes = resolve_selections(b, "AI,health,6", default_themes())
    parts = [s.parts for s in themes]
    research = [tuple(s.research) for s in themes if s.research]
    compared = 0
    for f in (Filters(), make_filters(None, "US", partner_country="CN"),
              make_filters("2010-2020", "EU27", partner_country="US,BRICS",
                           sides=("from", "to")),
              make_filters(None, "EU27,GB", sides=("from", "to")),
              make_filters(None, kind="university", partner_kind="company")):
        for yearly in (None, membership(f)):
            asked = widened(f) if yearly else f
            for sel in ([], parts):
                for by_year in (True, False):
                    want = reference.patent_flows(b, sel, asked, yearly, 7, 40, by_year)
                    assert b.patent_flows(sel, asked, yearly, 7, 40, by_year) == want
                    compared += bool(want.tally.items)
            for wsel in (None, research, []):
                want = reference.work_flows(b, wsel, asked, yearly, 7, 40, 3)
                assert b.work_flows(wsel, asked, yearly, 7, 40, 3) == want
                compared += bool(want.tally.items)
    assert compared >= 30  # the comparison is of counts, not of empty answers
