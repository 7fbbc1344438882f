"""OpenAlex in the build of the bundled sample: taxonomy, works, organisations, provenance.

Expected values are computed from the raw sample files (topic CSV, works JSON lines) with the
csv and json modules, independently of the loader and the build."""

from __future__ import annotations

import csv
import gzip
import io
import json
import zipfile
from collections import defaultdict
from typing import Any

import pyarrow.compute as pc

from ttkg.core.model import EdgeType, NodeLabel
from ttkg.graph.artifact import Artifact
from ttkg.graph.build.builder import BuildResult
from ttkg.loaders.sources import SAMPLE_DIR

WORKS = SAMPLE_DIR / "openalex" / "works" / "openalex-works-sample.jsonl.gz"
TOPICS = SAMPLE_DIR / "openalex" / "openalex_topics.zip"


def _raw_works() -> list[dict[str, Any]]:
    with gzip.open(WORKS, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _raw_topics() -> list[dict[str, str]]:
    with zipfile.ZipFile(TOPICS) as zf:
        text = zf.read("openalex_topics.csv").decode("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def _pairs(art: Artifact, etype: EdgeType) -> set[tuple[str, str]]:
    t = art.edges(etype, columns=["src", "dst"])
    return set(zip(t["src"].to_pylist(), t["dst"].to_pylist(), strict=True))


def test_research_field_taxonomy(sample_build: BuildResult) -> None:
    art = Artifact.open(sample_build.path)
    rows = _raw_topics()
    fields = art.nodes(NodeLabel.RESEARCH_FIELD)
    levels = defaultdict(set)
    for nid, level in zip(fields["id"].to_pylist(), fields["level"].to_pylist(), strict=True):
        levels[level].add(nid)
    assert levels["domain"] == {f"openalex:domain:{r['domain_id']}" for r in rows}
    assert levels["field"] == {f"openalex:field:{r['field_id']}" for r in rows}
    assert levels["subfield"] == {f"openalex:subfield:{r['subfield_id']}" for r in rows}
    assert levels["topic"] == {f"openalex:topic:{r['topic_id']}" for r in rows}
    assert (len(levels["domain"]), len(levels["field"]), len(levels["subfield"])) == (4, 26, 252)
    broader = {p for p in _pairs(art, EdgeType.BROADER) if p[0].startswith("openalex:")}
    want = set()
    for r in rows:
        want.add((f"openalex:topic:{r['topic_id']}", f"openalex:subfield:{r['subfield_id']}"))
        want.add((f"openalex:subfield:{r['subfield_id']}", f"openalex:field:{r['field_id']}"))
        want.add((f"openalex:field:{r['field_id']}", f"openalex:domain:{r['domain_id']}"))
    assert broader == want
    materials = fields.filter(pc.equal(fields["id"], "openalex:field:25")).to_pylist()
    assert materials[0]["name"] == "Materials Science"


def test_works_topics_and_organisations(sample_build: BuildResult) -> None:
    art = Artifact.open(sample_build.path)
    raw = _raw_works()
    works = art.nodes(NodeLabel.WORK)
    assert sorted(works["id"].to_pylist()) == sorted(
        "work:" + w["id"].rsplit("/", 1)[1] for w in raw
    )
    by_id = {r["id"]: r for r in works.to_pylist()}
    for w in raw:
        row = by_id["work:" + w["id"].rsplit("/", 1)[1]]
        assert row["year"] == w["publication_year"] and row["type"] == w["type"]
        assert row["doi"] == (
            w["doi"].removeprefix("https://doi.org/").lower() if w["doi"] else None
        )
        assert row["source"] == "openalex"
    topics = {
        ("work:" + w["id"].rsplit("/", 1)[1], "openalex:topic:" + t["id"].rsplit("T", 1)[1])
        for w in raw
        for t in w["topics"]
    }
    assert _pairs(art, EdgeType.HAS_TOPIC) == topics
    primary = art.edges(EdgeType.HAS_TOPIC).filter(pc.field("primary")).to_pylist()
    assert len(primary) == sum(1 for w in raw if w["primary_topic"])

    def org(inst: dict[str, Any]) -> str:
        if inst["ror"]:
            return "ror:" + inst["ror"].rsplit("/", 1)[1]
        return "org:openalex:" + inst["id"].rsplit("/", 1)[1]

    institutional = {
        ("work:" + w["id"].rsplit("/", 1)[1], org(i))
        for w in raw
        for a in w["authorships"]
        for i in a["institutions"]
        if i["id"]
    }
    authored = art.edges(EdgeType.AUTHORED_BY).to_pylist()
    assert {(e["src"], e["dst"]) for e in authored if e["basis"] == "openalex"} == institutional
    assert all(
        e["source"] == ("openalex" if e["basis"] == "openalex" else "ttkg") for e in authored
    )
    linked = [e for e in authored if e["basis"] == "identity"]
    assert all(e["score"] is not None and e["reason"] for e in linked)
    orgs = set(art.nodes(NodeLabel.ORGANIZATION, columns=["id"])["id"].to_pylist())
    assert {d for _, d in institutional} <= orgs


def test_works_join_the_organisations_of_patents(sample_build: BuildResult) -> None:
    """An organisation that patents and publishes is one node: ASSIGNED_TO and AUTHORED_BY
    meet on it (the sample's works were chosen to join its patent holders)."""
    art = Artifact.open(sample_build.path)
    assignees = {d for _, d in _pairs(art, EdgeType.ASSIGNED_TO)}
    authors = {d for _, d in _pairs(art, EdgeType.AUTHORED_BY)}
    both = assignees & authors
    assert len(both) >= 100
    assert "ror:042nb2s44" in both  # MIT: patents and works on one node
    rors = {
        "ror:" + i["ror"].rsplit("/", 1)[1]
        for w in _raw_works()
        for a in w["authorships"]
        for i in a["institutions"]
        if i["ror"]
    }
    assert both <= rors | {d for d in authors if not d.startswith("org:openalex:")}


def test_manifest_counts_and_provenance(sample_build: BuildResult) -> None:
    m = sample_build.manifest
    assert m["nodes"]["Work"] == len(_raw_works())
    assert m["nodes"]["ResearchField"] == 4 + 26 + 252 + len(_raw_topics())
    assert m["edges"]["HAS_TOPIC"] == sum(len(w["topics"]) for w in _raw_works())
    src = m["sources"]["openalex"]
    assert src["licence"] == "CC0-1.0"
    assert {f["file"] for f in src["files"]} == {WORKS.name, TOPICS.name}
    by_file = {f["file"]: f for f in m["inputs"]}
    assert by_file[WORKS.name]["read"] == by_file[WORKS.name]["accepted"] == len(_raw_works())
    assert m["notes"]["openalex_works"] == len(_raw_works())
