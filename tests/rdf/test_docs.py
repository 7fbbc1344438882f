"""The example SPARQL queries of docs/rdf.md run on an export and answer what they say."""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib

from ttkg.graph.rdf import examples
from ttkg.graph.rdf.iris import IriMinter
from ttkg.graph.rdf.vocab import PREFIXES

DOC = Path(__file__).resolve().parents[2] / "docs" / "rdf.md"


def _fenced() -> list[tuple[str, str]]:
    """(language, text) of every fenced code block of the page."""
    blocks: list[tuple[str, str]] = []
    lang: str | None = None
    lines: list[str] = []
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            if lang is None:
                lang, lines = line[3:].strip(), []
            else:
                blocks.append((lang, "\n".join(lines) + "\n"))
                lang = None
        elif lang is not None:
            lines.append(line)
    return blocks


def _blocks(lang: str) -> list[str]:
    return [text for kind, text in _fenced() if kind == lang]


def _prefixes() -> str:
    return next(text for kind, text in _fenced() if kind == "" and text.startswith("PREFIX"))


QUERIES = _blocks("sparql")


def test_the_documented_prefixes_are_the_ones_the_examples_use() -> None:
    assert _prefixes() == examples.PREFIXES


@pytest.mark.parametrize("query", QUERIES, ids=[f"query{i}" for i in range(len(QUERIES))])
def test_documented_query_answers_on_the_fixture(fixture_rdf: rdflib.Graph, query: str) -> None:
    rows = list(fixture_rdf.query(_prefixes() + query))
    assert rows, "the example finds nothing in the fixture slice"


def test_documented_bridge_queries_are_the_tested_ones(fixture_rdf: rdflib.Graph) -> None:
    """The docs show the queries the bridges parity test runs, for fields 1 and 10 (and the
    evidence queries for Tsinghua University, and for Nuctech with it), row for row."""
    mint = IriMinter()
    a, b = mint.node("wipo:field:1"), mint.node("wipo:field:10")
    nuctech, tsinghua = mint.node("org:nuctech"), mint.node("ror:03cve4549")
    tested = {
        "direct bridges": examples.direct_bridges(a, b),
        "partnerships": examples.partnership_bridges(a, b),
        "field evidence": examples.field_evidence(tsinghua, b),
        "partnership evidence": examples.partnership_evidence(nuctech, tsinghua, a, b),
    }
    assert len(QUERIES) >= len(tested)
    for documented, (what, query) in zip(QUERIES, tested.items(), strict=False):
        got = [tuple(r) for r in fixture_rdf.query(_prefixes() + documented)]
        want = [tuple(r) for r in fixture_rdf.query(query)]
        assert got == want, what
        assert want, what


def test_documented_turtle_parses() -> None:
    prefixes = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in PREFIXES.items())
    for block in _blocks("turtle"):
        assert len(rdflib.Graph().parse(data=prefixes + block, format="turtle")) > 3
