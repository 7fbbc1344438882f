"""The Neo4j Browser kit (neo4j/): the style sheet is well-formed GraSS covering the schema,
and every query of examples.cypher and guide.html runs on a real Bolt server holding the
pushed sample and gives the result written next to it. Some are cross-checked against the
embedded backend, which computes the same questions independently."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from neo4j import GraphDatabase

from tests.neo4j import kit
from tests.neo4j.bolt import BoltServer, pushed_sample
from tests.parity import assert_same
from ttkg.core.model import PROPERTIES, EdgeType, NodeLabel, field_id
from ttkg.graph.backends.contract import FieldSpec, Filters
from ttkg.graph.backends.derived import DERIVED_ENDS
from ttkg.graph.backends.memory.backend import MemoryBackend
from ttkg.graph.backends.neo4j import cypher

WRITES = re.compile(r"\b(CREATE|MERGE|DELETE|DETACH|SET|REMOVE|DROP|LOAD)\b", re.I)


def test_style_sheet_is_grass_covering_every_label_and_type() -> None:
    rules = kit.parse_grass((kit.KIT / "style.grass").read_text())
    assert {"node", "relationship"} <= set(rules)
    for label in [*(lbl.value for lbl in NodeLabel), cypher.META_LABEL]:
        rule = rules[f"node.{label}"]
        assert re.fullmatch(r"#[0-9A-Fa-f]{6}", rule["color"]), label
        assert re.fullmatch(r"#[0-9A-Fa-f]{6}", rule["border-color"]), label
        assert re.fullmatch(r"\d+px", rule["diameter"]), label
        caption = re.fullmatch(r'"\{(\w+)\}"|"<id>"', rule["caption"])
        assert caption, label
        if caption.group(1) and label != cypher.META_LABEL:
            assert caption.group(1) in {n for n, _ in PROPERTIES[NodeLabel(label)]} | {"id"}
    for etype in EdgeType:
        rule = rules[f"relationship.{etype.value}"]
        assert re.fullmatch(r"#[0-9A-Fa-f]{6}", rule["color"]), etype
        caption = re.fullmatch(r'"\{(\w+)\}"|"<type>"', rule["caption"])
        assert caption, etype
        if caption.group(1):
            assert caption.group(1) in {n for n, _ in PROPERTIES[etype]}
    for derived in DERIVED_ENDS:  # what `ttkg neo4j push` adds: captioned with its count
        count = "works" if derived.value == "CO_AUTHORED" else "patents"
        assert rules[f"relationship.{derived.value}"]["caption"] == f'"{{{count}}}"'
    with pytest.raises(ValueError):
        kit.parse_grass("node { color: #fff }")  # no ';'
    with pytest.raises(ValueError):
        kit.parse_grass("node.Organization { color #fff; }")


def test_kit_files_parse_and_only_read() -> None:
    examples = kit.parse_examples((kit.KIT / "examples.cypher").read_text())
    slides, guide = kit.parse_guide((kit.KIT / "guide.html").read_text())
    assert len(examples) >= 10 and slides >= 6 and len(guide) >= slides
    for q in [*examples, *guide]:
        assert not WRITES.search(q.query), q.where
        assert q.expected, f"{q.where}: no expected rows written"
    with pytest.raises(ValueError, match="expect"):
        kit.parse_examples("MATCH (n) RETURN n;")
    with pytest.raises(ValueError, match="data-expected"):
        kit.parse_guide('<pre class="code runnable">RETURN 1</pre>')
    with pytest.raises(ValueError, match="does not close"):
        kit.parse_guide("<slide><div></slide>")


@pytest.fixture(scope="module")
def sample_server(bolt_server: BoltServer, sample_graph: Path) -> BoltServer:
    return pushed_sample(bolt_server, sample_graph)


@pytest.mark.bolt
@pytest.mark.parametrize("source", ["examples.cypher", "guide.html"])
def test_every_kit_query_gives_its_expected_result(sample_server: BoltServer, source: str) -> None:
    text = (kit.KIT / source).read_text()
    queries = kit.parse_examples(text) if source.endswith(".cypher") else kit.parse_guide(text)[1]
    s = sample_server
    mismatches = []
    with GraphDatabase.driver(s.uri, auth=(s.user, s.password)) as driver:
        for q in queries:
            got = kit.run(driver, s.database, q.query)
            if got != q.expected:
                mismatches.append(f"{q.where}:\n  expected {q.expected}\n  got      {got}")
    assert not mismatches, (
        "kit results differ (after a deliberate change of the sample, refresh them with "
        "`python -m tests.neo4j.kit refresh ...`):\n" + "\n".join(mismatches)
    )


def test_guide_notes_state_the_checked_results() -> None:
    text = (kit.KIT / "guide.html").read_text()
    _, queries = kit.parse_guide(text)
    notes = re.findall(r'<p class="ttkg-note expected">(.*?)</p>', text, re.S)
    assert len(notes) == len(queries)
    for q, note in zip(queries, notes, strict=True):
        first = q.expected[0]
        assert all(str(v) in kit.html.unescape(note) for v in first.values()), q.where


def test_kit_answers_match_the_embedded_backend(memory_backend: MemoryBackend) -> None:
    """The kit's field, bridge and CPC questions, answered by the embedded backend."""
    examples = {q.where: q for q in kit.parse_examples((kit.KIT / "examples.cypher").read_text())}
    by_text = {q.query.split("\n", 1)[0]: q for q in examples.values()}

    def find(fragment: str) -> kit.KitQuery:
        return next(q for q in examples.values() if fragment in q.query)

    semis = FieldSpec("wipo_field", "8", field_id(8), "Semiconductors")
    optics = FieldSpec("wipo_field", "9", field_id(9), "Optics")
    counts = memory_backend.field_org_counts(semis, Filters())
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:5]
    q3 = find("RETURN o.id AS id, o.name AS organisation, o.country AS country")
    assert_same([(r["id"], r["patents"]) for r in q3.expected], top, q3.where)
    _, bridges = memory_backend.direct_bridges(semis, optics, Filters(), 1, 0, 5)
    q4 = find("semiconductors, optics")
    kit_rows = [(r["id"], r["semiconductors"], r["optics"]) for r in q4.expected]
    assert_same(kit_rows, bridges, q4.where)
    q9 = find("H01L21/")
    main_group = FieldSpec("cpc", "H01L21/00", "cpc:H01L21/00", "H01L21")
    main_group_size = memory_backend.selection_size(main_group, Filters())
    assert_same(q9.expected[0]["patents"], main_group_size, q9.where)
    assert by_text
