"""Build step for OpenAlex: the research-field taxonomy, works, and their organisations.

Called by the builder after the organisations of the patents exist, so that works join the
same Organization nodes:

* the topic table becomes ResearchField nodes `openalex:domain:<n>`, `openalex:field:<n>`,
  `openalex:subfield:<n>`, `openalex:topic:<n>` with BROADER edges topic -> subfield ->
  field -> domain;
* each work becomes a Work node `work:W<n>` with HAS_TOPIC edges to its topics (OpenAlex's
  score; primary flag) -- a topic missing from the table is counted in the notes, not linked;
* each authorship institution with a ROR id is the organisation `ror:<id>` (the node of the
  ROR record, which patent assignees linked to ROR share; created from the OpenAlex record
  when the ROR dump in use lacks it); an institution without ROR is `org:openalex:I<n>`;
* raw affiliation strings of authorships without any institution are given to the
  `linker` (the identity engine): each ROR id it returns becomes an edge with basis
  `identity`, its score and reason; strings it does not link stay unlinked (counted);
* AUTHORED_BY edges work -> organisation, one per pair, carry the number of authorships.

Every row carries `source` = openalex (or ttkg for what ttkg derived: links of raw strings).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from ttkg.core.errors import InputError
from ttkg.core.model import (
    EdgeType,
    NodeLabel,
    country_id,
    org_id,
    research_field_id,
    work_id,
)
from ttkg.core.progress import NO_PROGRESS, Progress
from ttkg.graph.identity.affiliations import AffiliationLink, affiliation_linker
from ttkg.graph.identity.kinds import kind_from_ror_types
from ttkg.graph.identity.ror_index import RorIndex
from ttkg.graph.identity.settings import IdentitySettings
from ttkg.loaders.openalex import WorkSlice, find_work_files, read_topics, read_works
from ttkg.loaders.records import ResearchTopicRecord, RorRecord, WorkRecord
from ttkg.loaders.report import LoadReport
from ttkg.loaders.sources import describe_files

__all__ = [
    "AffiliationLink",
    "OpenAlexInputs",
    "OpenAlexRecords",
    "add_openalex",
    "openalex_org_id",
    "read_openalex",
    "run_openalex",
]

log = logging.getLogger(__name__)

#: Above this many bytes of works files the manifest lists names and sizes, not checksums
#: (hashing the 300 GB snapshot would cost longer than reading it).
HASH_LIMIT = 2 << 30

_OPENALEX = "https://openalex.org/"


class _Table(Protocol):
    columns: dict[str, list[Any]]

    def add(self, **values: Any) -> None: ...


class BuildState(Protocol):
    """What of the builder's state this step uses."""

    report: LoadReport

    def node_table(self, label: NodeLabel) -> Any: ...

    def edge_table(self, etype: EdgeType) -> Any: ...

    def note(self, key: str, n: int = 1) -> None: ...


#: raw affiliation string, country evidence -> the ROR records it names (possibly none)
Linker = Callable[[str, str | None], Sequence[AffiliationLink]]


@dataclass(frozen=True)
class OpenAlexInputs:
    """Works (snapshot folder, folder of JSON-lines files, or one file), the topic table, and
    the slice of works to keep."""

    works: Path
    topics: Path
    selection: WorkSlice = field(default_factory=WorkSlice)


@dataclass(frozen=True)
class OpenAlexRecords:
    """Every record of the OpenAlex inputs, read at once (`read_openalex`), and the report of
    the reading."""

    topics: list[ResearchTopicRecord]
    files: list[Path]
    works: list[WorkRecord]
    report: LoadReport
    #: the source's manifest entry (`_manifest_entry`: the files' checksums)
    entry: dict[str, Any]


def read_openalex(inputs: OpenAlexInputs) -> OpenAlexRecords:
    """The topic table and the works (of the slice), in a report of their own: the build
    reads a small input so in a forked process while it resolves organisations."""
    report = LoadReport()
    topics = list(read_topics(inputs.topics, report))
    files = find_work_files(inputs.works)
    works = list(read_works(files, report, inputs.selection))
    return OpenAlexRecords(topics, files, works, report,
                           _manifest_entry([inputs.topics, *files], inputs.selection))


def openalex_org_id(institution: str) -> str:
    """Organisation id of an OpenAlex institution without ROR: `org:openalex:I123`."""
    return "org:openalex:" + institution.removeprefix(_OPENALEX)


def add_openalex(
    st: BuildState,
    inputs: OpenAlexInputs,
    *,
    linker: Linker | None = None,
    advance: Callable[[int], None] | None = None,
    records: OpenAlexRecords | None = None,
) -> dict[str, Any]:
    """Add the taxonomy, works and their organisations to the build; returns the manifest
    entry of the OpenAlex source (files, release, slice). The inputs are streamed, the works
    never all in memory, unless their `records` are given (read already, with their report,
    which joins the build's here: the same files, counts and rejections in the same order)."""
    works: Iterable[WorkRecord]
    if records is None:
        topics = _add_taxonomy(st, read_topics(inputs.topics, st.report))
        files = find_work_files(inputs.works)
        works = read_works(files, st.report, inputs.selection)
    else:
        st.report.absorb(records.report)
        topics = _add_taxonomy(st, records.topics)
        files, works = records.files, records.works
    if advance is not None:
        works = _counted(works, advance)
    _add_works(st, works, topics, linker)
    if records is not None:
        return records.entry
    return _manifest_entry([inputs.topics, *files], inputs.selection)


def _counted(items: Iterable[WorkRecord], advance: Callable[[int], None]) -> Iterator[WorkRecord]:
    n = 0
    for n, item in enumerate(items, 1):
        if n % 5_000 == 0:
            advance(5_000)
        yield item
    advance(n % 5_000)


def _add_taxonomy(st: BuildState, records: Iterable[ResearchTopicRecord]) -> set[int]:
    nodes = st.node_table(NodeLabel.RESEARCH_FIELD)
    broader = st.edge_table(EdgeType.BROADER)
    seen: set[str] = set()
    topics: set[int] = set()

    def node(level: str, number: int, name: str, url: str, parent: str | None) -> None:
        nid = research_field_id(level, number)
        if nid in seen:
            return
        seen.add(nid)
        nodes.add(id=nid, name=name, level=level, openalex_id=url, source="openalex")
        if parent is not None:
            broader.add(src=nid, dst=parent, source="openalex")

    for r in records:
        node("domain", r.domain, r.domain_name, f"{_OPENALEX}domains/{r.domain}", None)
        node(
            "field",
            r.field,
            r.field_name,
            f"{_OPENALEX}fields/{r.field}",
            research_field_id("domain", r.domain),
        )
        node(
            "subfield",
            r.subfield,
            r.subfield_name,
            f"{_OPENALEX}subfields/{r.subfield}",
            research_field_id("field", r.field),
        )
        node(
            "topic",
            r.topic,
            r.name,
            f"{_OPENALEX}T{r.topic}",
            research_field_id("subfield", r.subfield),
        )
        topics.add(r.topic)
    return topics


@dataclass
class _Authored:
    authors: int = 0
    raw: str | None = None
    basis: str = "openalex"
    score: float | None = None
    reason: str | None = None


def _add_works(
    st: BuildState, works: Iterable[WorkRecord], topics: set[int], linker: Linker | None
) -> None:
    work_nodes = st.node_table(NodeLabel.WORK)
    has_topic = st.edge_table(EdgeType.HAS_TOPIC)
    authored_by = st.edge_table(EdgeType.AUTHORED_BY)
    orgs = st.node_table(NodeLabel.ORGANIZATION)
    existing: set[str] = set(orgs.columns["id"])
    new_orgs: dict[str, dict[str, Any]] = {}
    counts: Counter[str] = Counter()
    for w in works:
        counts["works"] += 1
        wid = work_id(w.openalex_id)
        work_nodes.add(
            id=wid,
            openalex_id=_OPENALEX + w.openalex_id,
            doi=w.doi,
            title=w.title,
            year=w.year,
            type=w.type,
            source="openalex",
        )
        for t in w.topics:
            if t.topic not in topics:
                counts["work_topics_not_in_taxonomy"] += 1
                continue
            has_topic.add(
                src=wid,
                dst=research_field_id("topic", t.topic),
                score=t.score,
                primary=t.primary,
                source="openalex",
            )
        by_org: dict[str, _Authored] = {}
        for a in w.authorships:
            for inst in a.institutions:
                node = org_id("", inst.ror_id) if inst.ror_id else openalex_org_id(inst.openalex_id)
                if node not in existing and node not in new_orgs:
                    new_orgs[node] = _org_row(node, inst.name, inst.ror_id, inst.type, inst.country)
                got = by_org.setdefault(node, _Authored())
                got.authors += 1
                if got.raw is None and len(a.institutions) == 1 and a.raw_affiliations:
                    got.raw = a.raw_affiliations[0]
            if a.institutions or not a.raw_affiliations:
                continue
            for raw in a.raw_affiliations:
                counts["raw_affiliations_without_institution"] += 1
                links = (
                    linker(raw, a.countries[0] if len(a.countries) == 1 else None) if linker else ()
                )
                if not links:
                    counts["raw_affiliations_unlinked"] += 1
                    continue
                counts["raw_affiliations_linked"] += 1
                for link in links:
                    node = org_id("", link.ror_id)
                    if node not in existing and node not in new_orgs:
                        counts["raw_affiliation_links_to_ror_records_not_in_graph"] += 1
                        continue
                    got = by_org.setdefault(
                        node, _Authored(basis="identity", score=link.score, reason=link.reason)
                    )
                    got.authors += 1
                    got.raw = got.raw or raw
        for node, got in sorted(by_org.items()):
            authored_by.add(
                src=wid,
                dst=node,
                authors=got.authors,
                raw_affiliation=got.raw,
                basis=got.basis,
                score=got.score,
                reason=got.reason,
                source="openalex" if got.basis == "openalex" else "ttkg",
            )
    _add_new_orgs(st, new_orgs)
    for key, n in sorted(counts.items()):
        st.note(f"openalex_{key}", n)
    log.info("OpenAlex: %d works, %d organisations added", counts["works"], len(new_orgs))


def _org_row(
    node: str, name: str | None, ror_id: str | None, itype: str | None, country: str | None
) -> dict[str, Any]:
    return {
        "id": node,
        "name": name or node,
        "kind": str(kind_from_ror_types([itype] if itype else [])),
        "country": country,
        "country_basis": "openalex" if country else None,
        "ror_id": ror_id,
        "aliases": [],
        "ror_types": [],
        "established": None,
        "status": None,
        "patent_count": 0,
        "source": "openalex",
    }


def _add_new_orgs(st: BuildState, new_orgs: dict[str, dict[str, Any]]) -> None:
    orgs = st.node_table(NodeLabel.ORGANIZATION)
    located = st.edge_table(EdgeType.LOCATED_IN)
    known = set(st.node_table(NodeLabel.COUNTRY).columns["code"])
    for node in sorted(new_orgs):
        row = new_orgs[node]
        orgs.add(**row)
        country = row["country"]
        if country in known:
            located.add(
                src=node, dst=country_id(country), basis="openalex", share=None, source="openalex"
            )
        elif country is not None:
            st.note("organisation_country_not_iso3166")
    st.note("openalex_organisations_added", len(new_orgs))


def _manifest_entry(files: list[Path], selection: WorkSlice) -> dict[str, Any]:
    total = sum(p.stat().st_size for p in files)
    described = (
        describe_files(files)
        if total <= HASH_LIMIT
        else [{"file": p.name, "bytes": p.stat().st_size} for p in files]
    )
    partitions = sorted(p.parent.name for p in files if p.parent.name.startswith("updated_date="))
    release = partitions[-1] if partitions else files[-1].name
    entry: dict[str, Any] = {"files": described, "release": release}
    if not selection.is_everything:
        entry["slice"] = {
            "years": list(selection.years) if selection.years else None,
            "countries": sorted(selection.countries) if selection.countries else None,
            "types": sorted(selection.types) if selection.types else None,
        }
    return entry


def run_openalex(
    st: BuildState,
    works: Path | None,
    topics: Path | None,
    *,
    selection: WorkSlice | None = None,
    ror_records: Sequence[RorRecord] | RorIndex = (),
    identity: IdentitySettings | None = None,
    progress: Progress = NO_PROGRESS,
    records: Callable[[], OpenAlexRecords] | None = None,
) -> dict[str, Any] | None:
    """The builder's entry point: nothing without works; the manifest entry otherwise. Raw
    affiliation strings are linked over `ror_records` (none given: left unlinked).
    `records`: the inputs' records (`read_openalex`), asked for once the inputs are checked;
    without it they are streamed."""
    if works is None:
        return None
    if topics is None or not topics.exists():
        raise InputError(str(topics), "input file for --openalex-topics not found")
    if not works.exists():
        raise InputError(str(works), "input for --openalex not found")
    inputs = OpenAlexInputs(works, topics, selection or WorkSlice())
    linker = affiliation_linker(ror_records, identity) if ror_records else None
    with progress.task("OpenAlex works") as adv:
        return add_openalex(st, inputs, linker=linker, advance=adv,
                            records=records() if records is not None else None)
