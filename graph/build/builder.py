"""Build step: read every source, resolve organisations, write one versioned graph artifact.

records (loaders/) -> columns -> Parquet tables (graph/artifact.py), all in one pass per file.
The artifact is committed atomically: if anything fails, the previous graph stays current.
The manifest accounts for every input row (read = accepted + rejected per file) and lists
node and edge counts by type.
"""

from __future__ import annotations

import importlib.metadata
import logging
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from ttkg.core.errors import InputError
from ttkg.core.groups import country_groups
from ttkg.core.model import (
    EdgeType,
    NodeLabel,
    OrgKind,
    country_id,
    cpc_id,
    cpc_level,
    field_id,
    org_id,
    patent_id,
    sector_id,
)
from ttkg.core.progress import NO_PROGRESS, Progress
from ttkg.graph.artifact import (
    FORMAT,
    Artifact,
    ArtifactWriter,
    default_graph_dir,
    edge_schema,
    node_schema,
)
from ttkg.graph.build.coverage import cpc_release, patent_coverage, ror_release
from ttkg.graph.build.openalex import run_openalex
from ttkg.graph.build.wipo import WipoMatcher
from ttkg.graph.identity import AssigneeName, IdentitySettings, OrganizationResolver, Resolution
from ttkg.graph.identity.families import (
    Membership,
    co_ownership,
    families,
    record_families,
)
from ttkg.graph.identity.org_country import decide_country
from ttkg.graph.identity.overrides import Overrides
from ttkg.graph.identity.stored import NAMES_FILE, write_names
from ttkg.graph.indexing import INDEX_DIR, compute_index, write_index
from ttkg.loaders import countries, cpc, patentsview, ror, wipo
from ttkg.loaders.openalex import WorkSlice
from ttkg.loaders.records import CpcTitleRecord, RorRecord
from ttkg.loaders.report import LoadReport
from ttkg.loaders.sources import SOURCES, SourcePaths, describe_files, release_from_name

__all__ = ["BuildResult", "build_graph"]

log = logging.getLogger(__name__)

_ROR_KIND = {
    "education": OrgKind.UNIVERSITY,
    "company": OrgKind.COMPANY,
    "government": OrgKind.GOVERNMENT,
    "healthcare": OrgKind.HOSPITAL,
    "nonprofit": OrgKind.NONPROFIT,
}


@dataclass
class _Table:
    """Column-wise accumulator for one node or edge table."""

    columns: dict[str, list[Any]]

    @classmethod
    def for_schema(cls, schema: pa.Schema) -> _Table:
        return cls({name: [] for name in schema.names})

    def add(self, **values: Any) -> None:
        for name, col in self.columns.items():
            col.append(values.get(name))

    def __len__(self) -> int:
        return len(next(iter(self.columns.values())))

    def to_arrow(self, schema: pa.Schema) -> pa.Table:
        return pa.table(
            {n: pa.array(c, type=schema.field(n).type) for n, c in self.columns.items()},
            schema=schema,
        )


@dataclass
class BuildResult:
    """Where the graph was written and what its manifest says."""

    path: Path
    manifest: dict[str, Any]


@dataclass
class _State:
    """Everything gathered across sources before tables are written."""

    report: LoadReport = field(default_factory=LoadReport)
    nodes: dict[NodeLabel, _Table] = field(default_factory=dict)
    edges: dict[EdgeType, _Table] = field(default_factory=dict)
    notes: dict[str, int] = field(default_factory=dict)

    def node_table(self, label: NodeLabel) -> _Table:
        if label not in self.nodes:
            self.nodes[label] = _Table.for_schema(node_schema(label))
        return self.nodes[label]

    def edge_table(self, etype: EdgeType) -> _Table:
        if etype not in self.edges:
            self.edges[etype] = _Table.for_schema(edge_schema(etype))
        return self.edges[etype]

    def note(self, key: str, n: int = 1) -> None:
        self.notes[key] = self.notes.get(key, 0) + n


def _empty_inputs(report: LoadReport) -> list[str]:
    """A warning per input file that held no data rows (a header only, say): the build goes
    on, as an optional table may be empty, but nothing from it is in the graph."""
    warnings = []
    for rep in report.files.values():
        if rep.read == 0:
            warnings.append(f"{rep.file}: no data rows; nothing was loaded from it")
            log.warning("%s", warnings[-1])
    return warnings


def _counted(items: Iterable[Any], advance: Any, every: int = 20_000) -> Iterator[Any]:
    n = 0
    for n, item in enumerate(items, 1):
        if n % every == 0:
            advance(every)
        yield item
    advance(n % every)


def build_graph(
    sources: SourcePaths | None = None,
    out: Path | None = None,
    *,
    progress: Progress = NO_PROGRESS,
    identity: IdentitySettings | None = None,
    openalex_slice: WorkSlice | None = None,
) -> BuildResult:
    """Build the graph from `sources` (default: the bundled sample) into graph dir `out`."""
    sources = sources or SourcePaths.sample()
    out = Path(out) if out is not None else default_graph_dir()
    started = time.time()
    st = _State()

    files = patentsview.find_tables(sources.patentsview)
    for required, path in (
        ("--ror", sources.ror),
        ("--cpc", sources.cpc),
        ("--wipo", sources.wipo),
    ):
        if path is None or not path.exists():
            raise InputError(str(path), f"input file for {required} not found")
    assert sources.ror and sources.cpc and sources.wipo

    _add_countries(st)
    _add_country_groups(st)
    matcher = _add_wipo(st, sources.wipo)
    with progress.task("CPC scheme") as adv:
        cpc_symbols = _add_cpc_scheme(
            st, _counted(cpc.read_cpc_titles(sources.cpc, st.report), adv)
        )
    with progress.task("Patents") as adv:
        years = _add_patents(st, _counted(patentsview.read_patents(files.patent, st.report), adv))
    with progress.task("CPC classifications") as adv:
        _add_classifications(
            st,
            _counted(patentsview.read_cpc(files.cpc, st.report, known_patents=years), adv),
            years,
            cpc_symbols,
            matcher,
        )
    where = _locations(st, files)
    with progress.task("Inventor locations") as adv:
        patent_countries = _inventor_countries(st, files, years, where, adv)
    with progress.task("ROR registry") as adv:
        ror_records = list(_counted(ror.read_ror(sources.ror, st.report), adv, 5_000))
    with progress.task("Assignees") as adv:
        assignments = _read_assignments(st, files.assignee, years, where, adv)
    with progress.task("Organisation identity"):
        resolution, names, resolver = _resolve(
            assignments, patent_countries, ror_records, identity
        )
        overrides = resolver.overrides
        membership = families(
            resolution, resolver.index, {k: c.count for k, c in resolution.clusters.items()},
            names, co_ownership(resolution, ((a.patent, a.name) for a in assignments
                                             if not a.individual)),
        )
        unheld = record_families(resolver.index, (r.ror_id for r in ror_records), membership,
                                 resolution)
    _add_organizations(st, assignments, resolution, patent_countries, ror_records, membership,
                       unheld)
    identity_summary = _identity_summary(resolution, overrides, identity)
    openalex_entry = run_openalex(
        st,
        sources.openalex,
        sources.openalex_topics,
        selection=openalex_slice,
        ror_records=resolver.index,
        identity=identity,
        progress=progress,
    )

    inputs = [files.patent, files.assignee, files.cpc]
    inputs += [p for p in (files.inventor, files.location, files.abstract) if p is not None]
    manifest_sources = _manifest_sources(sources, inputs)
    if openalex_entry is None:
        manifest_sources.pop("openalex", None)
    else:
        manifest_sources["openalex"].update(openalex_entry)
    with ArtifactWriter(out) as writer:
        with progress.task("Writing artifact"):
            node_counts: dict[str, int] = {}
            edge_counts: dict[str, int] = {}
            coverage: dict[str, Any] = {}
            for label, table in st.nodes.items():
                arrow = table.to_arrow(node_schema(label))
                writer.write_nodes(label, arrow)
                node_counts[label.value] = len(table)
                if label is NodeLabel.PATENT:
                    coverage["patents"] = patent_coverage(arrow)
            _data_releases(manifest_sources, sources, coverage.get("patents", {}))
            for etype, etable in st.edges.items():
                writer.write_edges(etype, etable.to_arrow(edge_schema(etype)))
                edge_counts[etype.value] = len(etable)
            st.report.write_tsv(writer.tmp / "rejections.tsv")
            write_names(writer.tmp / NAMES_FILE, _name_rows(names, resolution, overrides))
            warnings = _empty_inputs(st.report)
        with progress.task("Serving index"):
            # from the tables just written, as a reader sees them: the backends map the result
            write_index(compute_index(Artifact(writer.tmp, {})), writer.tmp / INDEX_DIR)
        manifest = {
            "format": FORMAT,
            "build_id": writer.build_id,
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "build_seconds": round(time.time() - started, 2),
            "sources": manifest_sources,
            "coverage": coverage,
            "inputs": st.report.as_manifest(),
            "rejected_rows": len(st.report.rejections),
            "rejections_file": "rejections.tsv",
            "nodes": node_counts,
            "edges": edge_counts,
            "notes": st.notes,
            "identity": identity_summary,
            "warnings": warnings,
        }
        path = writer.commit(manifest)
    log.info("built %s in %.1f s", path, time.time() - started)
    return BuildResult(path, manifest)


# --- sources --------------------------------------------------------------------------------


def _manifest_sources(sources: SourcePaths, pv_files: list[Path]) -> dict[str, Any]:
    assert sources.ror and sources.cpc and sources.wipo
    files = {
        "patentsview": pv_files,
        "ror": [sources.ror],
        "cpc": [sources.cpc],
        "wipo": [sources.wipo],
    }
    out: dict[str, Any] = {}
    for key, src in SOURCES.items():
        entry: dict[str, Any] = {
            "name": src.name,
            "licence": src.licence,
            "url": src.url,
            "attribution": src.attribution,
        }
        if key in files:
            entry["files"] = describe_files(files[key])
            entry["release"] = ", ".join(release_from_name(p) for p in files[key][:1])
        elif key == "iso3166":
            entry["release"] = "pycountry " + importlib.metadata.version("pycountry")
        elif key == "country_groups":
            entry["release"] = ("ttkg country_groups.toml, country_converter "
                                + importlib.metadata.version("country_converter"))
        else:
            entry["release"] = "this build"
        out[key] = entry
    return out


def _data_releases(
    entries: dict[str, Any], sources: SourcePaths, patents: dict[str, Any]
) -> None:
    """Each source's release as its data states it (`release`), the file name kept apart
    (`file_release`): PatentsView by its last grant date, ROR by its newest record, CPC by
    the date of its section files; the WIPO concordance states none."""
    for entry in entries.values():
        if "files" in entry:
            entry["file_release"] = entry.pop("release")
    last = patents.get("last_grant")
    entries["patentsview"]["release"] = f"grants through {last}" if last else None
    entries["ror"]["release"] = ror_release(sources.ror) if sources.ror else None
    entries["cpc"]["release"] = cpc_release(sources.cpc) if sources.cpc else None
    entries["wipo"]["release"] = None  # the concordance carries no version; see its sha256


def _add_countries(st: _State) -> None:
    t = st.node_table(NodeLabel.COUNTRY)
    for c in countries.read_countries():
        t.add(
            id=country_id(c.alpha2), code=c.alpha2, alpha3=c.alpha3, name=c.name, source="iso3166"
        )


def _add_country_groups(st: _State) -> None:
    """Every country group (`ttkg.core.groups`) as a node, and its members, current and
    former, as IN_GROUP edges with the dates known."""
    t = st.node_table(NodeLabel.COUNTRY_GROUP)
    member = st.edge_table(EdgeType.IN_GROUP)
    known = set(st.node_table(NodeLabel.COUNTRY).columns["code"])
    for g in country_groups().values():
        t.add(id=g.node_id, code=g.code, name=g.name, kind=g.kind, reference=g.source,
              as_of=g.as_of, note=g.note or None, source="country_groups")
        since, until = dict(g.since), dict(g.until)
        for code in sorted({*g.members, *until}):
            if code in known:
                member.add(src=country_id(code), dst=g.node_id, since=since.get(code),
                           until=until.get(code), source="country_groups")


def _add_wipo(st: _State, path: Path) -> WipoMatcher:
    rows = list(wipo.read_wipo(path, st.report))
    try:
        matcher = WipoMatcher.from_patterns(rows)
    except ValueError as exc:
        raise InputError(path.name, str(exc), field="IPC_code") from exc
    sectors: dict[str, int] = {}
    fields_seen: dict[int, tuple[str, str]] = {}
    for r in rows:
        sectors.setdefault(r.sector_name, len(sectors) + 1)
        fields_seen.setdefault(r.field_number, (r.field_name, r.sector_name))
    t = st.node_table(NodeLabel.TECHNOLOGY_FIELD)
    broader = st.edge_table(EdgeType.BROADER)
    for name, number in sectors.items():
        t.add(id=sector_id(number), name=name, level="sector", number=number, source="wipo")
    for number in sorted(fields_seen):
        name, sector = fields_seen[number]
        t.add(id=field_id(number), name=name, level="field", number=number, source="wipo")
        broader.add(src=field_id(number), dst=sector_id(sectors[sector]), source="wipo")
    return matcher


def _add_cpc_scheme(st: _State, records: Iterable[CpcTitleRecord]) -> set[str]:
    """CPC nodes with titles and BROADER edges; returns the set of symbols present."""
    nodes = st.node_table(NodeLabel.CPC_CLASS)
    broader = st.edge_table(EdgeType.BROADER)
    symbols: set[str] = set()
    stack: list[str] = []  # stack[d] = last group seen at dot level d
    for r in records:
        if r.symbol in symbols:
            st.note("cpc_title_duplicate_symbols")
            continue
        symbols.add(r.symbol)
        nodes.add(
            id=cpc_id(r.symbol),
            symbol=r.symbol,
            level=r.level,
            title=r.title,
            dots=r.dots,
            source="cpc",
        )
        parent: str | None
        if r.level == "section":
            parent = None
        elif r.level in ("class", "subclass"):
            parent = r.symbol[: len(r.symbol) - (2 if r.level == "class" else 1)]
        else:
            dots = r.dots or 0
            del stack[dots:]
            parent = stack[dots - 1] if dots > 0 and len(stack) >= dots else r.symbol[:4]
            stack.append(r.symbol)
        if parent is not None:
            broader.add(src=cpc_id(r.symbol), dst=cpc_id(parent), source="cpc")
    return symbols


def _ensure_cpc(st: _State, symbol: str, symbols: set[str]) -> None:
    """Add a CPC node (untitled) for a symbol used by patents but absent from the title list."""
    chain = [symbol]
    level = cpc_level(symbol)
    if level == "group":
        chain.append(symbol.split("/")[0] + "/00")
    chain += [symbol[:4], symbol[:3], symbol[:1]]
    nodes = st.node_table(NodeLabel.CPC_CLASS)
    broader = st.edge_table(EdgeType.BROADER)
    for child, parent in zip(chain, [*chain[1:], None], strict=True):
        if child in symbols:
            break
        symbols.add(child)
        lvl = cpc_level(child)
        nodes.add(
            id=cpc_id(child),
            symbol=child,
            level=lvl,
            title=None,
            dots=0 if lvl == "main_group" else None,
            source="patentsview",
        )
        if parent is not None:
            broader.add(src=cpc_id(child), dst=cpc_id(parent), source="ttkg")
        st.note("cpc_symbols_missing_from_title_list")


def _add_patents(st: _State, records: Iterable[Any]) -> dict[str, int | None]:
    """Patent nodes; returns patent number -> grant year (the set of known patents)."""
    t = st.node_table(NodeLabel.PATENT)
    years: dict[str, int | None] = {}
    for r in records:
        year = int(r.date[:4]) if r.date else None
        years[r.patent_id] = year
        t.add(
            id=patent_id(r.patent_id),
            number=r.patent_id,
            date=r.date,
            year=year,
            title=r.title,
            kind=r.wipo_kind,
            type=r.patent_type,
            num_claims=r.num_claims,
            source="patentsview",
        )
    return years


def _add_classifications(
    st: _State,
    records: Iterable[Any],
    years: dict[str, int | None],
    symbols: set[str],
    matcher: WipoMatcher,
) -> None:
    """CLASSIFIED_AS edges (exact duplicates merged), patent IN_FIELD edges, CPC IN_FIELD edges.

    Columnar: the validated rows become two dictionary-encoded columns (codes in order of
    first appearance), duplicates are dropped and fields joined as integer arrays, and the
    WIPO concordance is matched once per distinct symbol, not once per row."""
    patents: list[str] = []
    syms: list[str] = []
    sequences: list[int] = []
    types: list[str | None] = []
    for r in records:
        patents.append(r.patent_id)
        syms.append(r.symbol)
        sequences.append(r.sequence)
        types.append(r.cpc_type)
    p_enc = pa.array(patents, pa.string()).dictionary_encode()
    s_enc = pa.array(syms, pa.string()).dictionary_encode()
    pcode = p_enc.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    scode = s_enc.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    distinct = s_enc.dictionary.to_pylist()
    # first row of every (patent, symbol) pair, in row order
    _, first = np.unique(pcode * max(len(distinct), 1) + scode, return_index=True)
    kept = np.sort(first)
    if len(pcode) > len(kept):
        st.note("cpc_rows_duplicate_patent_symbol_merged", len(pcode) - len(kept))
    for sym in distinct:  # in order of first appearance, as the rows bring them
        if sym not in symbols:
            _ensure_cpc(st, sym, symbols)
    classified = st.edge_table(EdgeType.CLASSIFIED_AS).columns
    rows = kept.tolist()
    pids = [patent_id(p) for p in p_enc.dictionary.to_pylist()]
    cids = [cpc_id(x) for x in distinct]
    classified["src"].extend(pids[c] for c in pcode[kept].tolist())
    classified["dst"].extend(cids[c] for c in scode[kept].tolist())
    classified["sequence"].extend(sequences[i] for i in rows)
    classified["cpc_type"].extend(types[i] for i in rows)
    classified["source"].extend(["patentsview"] * len(rows))

    # fields of each distinct symbol as CSR (field number, pattern), then one row per
    # (kept row, field) and the first of every (patent, field) in row order
    sizes = np.zeros(len(distinct), np.int64)
    numbers: list[int] = []
    patterns: list[str] = []
    for k, sym in enumerate(distinct):
        found = matcher.fields(sym)
        sizes[k] = len(found)
        numbers.extend(found)
        patterns.extend(found.values())
    starts = np.concatenate([[0], np.cumsum(sizes)])
    per_row = sizes[scode[kept]]
    row_of = np.repeat(kept, per_row)
    at = np.repeat(starts[scode[kept]], per_row) + (
        np.arange(int(per_row.sum())) - np.repeat(np.cumsum(per_row) - per_row, per_row)
    )
    number = np.asarray(numbers, np.int64)[at] if len(at) else np.empty(0, np.int64)
    patent = pcode[row_of]
    _, first = np.unique(patent * (int(number.max(initial=0)) + 1) + number, return_index=True)
    first = np.sort(first)
    # patents in order of their first row with a field; fields ascending within a patent
    _, first_of_patent = np.unique(patent, return_index=True)
    patent_rank = np.empty(len(pids), np.int64)
    patent_rank[patent[np.sort(first_of_patent)]] = np.arange(len(first_of_patent))
    order = first[np.lexsort((number[first], patent_rank[patent[first]]))]
    in_field = st.edge_table(EdgeType.IN_FIELD)
    for i in order.tolist():
        in_field.add(
            src=pids[patent[i]],
            dst=field_id(int(number[i])),
            pattern=patterns[at[i]],
            source="ttkg",
        )
    st.note("patents_in_a_wipo_field", len(first_of_patent))
    for sub, fields in matcher.subclass_patterns().items():
        _cpc_in_field(st, in_field, sub, fields, symbols)
    for (sub, group), fields in matcher.main_group_patterns().items():
        _cpc_in_field(st, in_field, f"{sub}{group}/00", fields, symbols)


def _cpc_in_field(
    st: _State, table: _Table, symbol: str, found: dict[int, str], symbols: set[str]
) -> None:
    if symbol not in symbols:
        st.note("concordance_patterns_without_cpc_symbol", len(found))
        return
    for number in sorted(found):
        table.add(src=cpc_id(symbol), dst=field_id(number), pattern=found[number], source="wipo")


def _locations(st: _State, files: patentsview.PatentsViewFiles) -> dict[str, str | None]:
    """Raw location id -> ISO country (inventors' and assignees' locations)."""
    if files.location is None:
        return {}
    return {
        r.rawlocation_id: r.country for r in patentsview.read_locations(files.location, st.report)
    }


def _inventor_countries(
    st: _State,
    files: patentsview.PatentsViewFiles,
    years: dict[str, int | None],
    where: dict[str, str | None],
    advance: Any,
) -> dict[str, Counter[str]]:
    """Patent number -> countries of its located inventors (evidence for org countries)."""
    out: dict[str, Counter[str]] = {}
    if files.inventor is None or files.location is None:
        st.note("inventor_tables_missing")
        return out
    for r in _counted(
        patentsview.read_inventors(files.inventor, st.report, known_patents=years), advance
    ):
        if r.rawlocation_id is None:
            continue
        country = where.get(r.rawlocation_id)
        if country is None:
            st.note("inventor_locations_unknown_or_without_country")
            continue
        out.setdefault(r.patent_id, Counter())[country] += 1
    return out


@dataclass(slots=True)
class _Assignment:
    patent: str
    sequence: int
    name: str
    assignee_type: str | None
    individual: bool
    location: str | None = None  # ISO country of the assignee's own location on this patent


def _read_assignments(
    st: _State,
    path: Path,
    years: dict[str, int | None],
    where: dict[str, str | None],
    advance: Any,
) -> list[_Assignment]:
    out: list[_Assignment] = []
    for r in _counted(patentsview.read_assignees(path, st.report, known_patents=years), advance):
        location = r.country
        if r.rawlocation_id is not None:
            location = where.get(r.rawlocation_id) or location
            if location is None:
                st.note("assignee_locations_unknown_or_without_country")
        if location is not None:
            st.note("assignee_rows_with_own_location")
        if r.organization:
            out.append(_Assignment(r.patent_id, r.sequence, r.organization, r.assignee_type,
                                   False, location))
        else:
            # the loader rejects rows with neither organisation nor individual name
            person = " ".join(p for p in (r.first_name, r.last_name) if p)
            out.append(_Assignment(r.patent_id, r.sequence, person, r.assignee_type, True,
                                   location))
    return out


def _resolve(
    assignments: list[_Assignment],
    patent_countries: dict[str, Counter[str]],
    ror_records: list[RorRecord],
    settings: IdentitySettings | None,
) -> tuple[Resolution, list[AssigneeName], OrganizationResolver]:
    counts: Counter[tuple[str, bool]] = Counter()
    types: dict[tuple[str, bool], Counter[str]] = defaultdict(Counter)
    where: dict[tuple[str, bool], Counter[str]] = defaultdict(Counter)
    own: dict[tuple[str, bool], Counter[str]] = defaultdict(Counter)
    for a in assignments:
        k = (a.name, a.individual)
        counts[k] += 1
        if a.assignee_type:
            types[k][a.assignee_type] += 1
        if a.patent in patent_countries:
            where[k].update(patent_countries[a.patent])
        if a.location:
            own[k][a.location] += 1
    names = [
        AssigneeName(
            name=name,
            assignee_type=_most_common(types[(name, ind)]),
            country=_most_common(where[(name, ind)]),
            count=n,
            individual=ind,
            location=_most_common(own[(name, ind)]),
        )
        for (name, ind), n in sorted(counts.items())
    ]
    resolver = OrganizationResolver(ror_records, settings)
    return resolver.resolve(names), names, resolver


def _name_rows(
    names: list[AssigneeName], resolution: Resolution, overrides: Overrides
) -> list[dict[str, Any]]:
    """One stored decision per resolved assignee string (graph.identity.stored)."""
    reviewed = overrides.names()
    rows = []
    for n in names:
        key = resolution.cluster_of.get(n.name)
        if key is None:  # blank strings are not resolved
            continue
        c = resolution.clusters[key]
        rows.append({
            "name": n.name,
            "individual": n.individual,
            "organization": org_id(key, c.ror_id),
            "cluster": key,
            "score": resolution.name_score.get(n.name, 1.0),
            "reason": resolution.name_reason.get(n.name, ""),
            "decided_by": "override" if n.name in reviewed else "engine",
            "patents": n.count,
            "assignee_type": n.assignee_type,
            "inventor_country": n.country,
            "location": n.location,
        })
    return rows


def _identity_summary(
    resolution: Resolution, overrides: Overrides, settings: IdentitySettings | None
) -> dict[str, Any]:
    """The manifest's account of organisation identity, with the reviewed overrides applied."""
    orgs = [c for c in resolution.clusters.values() if c.kind is not OrgKind.INDIVIDUAL]
    named = overrides.names()
    present = sorted(n for n in named if n in resolution.cluster_of)
    path = settings.overrides_path if settings else None
    return {
        "organisations": len(orgs),
        "linked_to_ror": sum(1 for c in orgs if c.ror_id),
        "review_rows": len(resolution.review),
        "names_file": NAMES_FILE,
        "overrides": None if path is None else {
            "file": str(path),
            "decisions": overrides.counts(),
            "names": len(named),
            "names_in_data": len(present),
            "names_not_in_data": sorted(named - set(present))[:50],
        },
    }


def _most_common(counter: Counter[str]) -> str | None:
    if not counter:
        return None
    return min(counter.items(), key=lambda kv: (-kv[1], kv[0]))[0]


def _add_organizations(
    st: _State,
    assignments: list[_Assignment],
    resolution: Resolution,
    patent_countries: dict[str, Counter[str]],
    ror_records: list[RorRecord],
    membership: dict[str, Membership] | None = None,
    record_membership: dict[str, Membership] | None = None,
) -> None:
    """Organization nodes (every ROR record + every assignee cluster), ASSIGNED_TO, LOCATED_IN,
    PART_OF, ACTS_FOR and MEMBER_OF edges. `record_membership` (node id -> family) gives the
    families of ROR records without patents (`record_families`)."""
    family_of: dict[str, Membership] = {}
    for key, m in (membership or {}).items():
        node = org_id(key, resolution.clusters[key].ror_id)
        if node not in family_of or m.score > family_of[node].score:
            family_of[node] = m
    for node, m in (record_membership or {}).items():
        family_of.setdefault(node, m)
    by_ror = {r.ror_id: r for r in ror_records}
    node_of_cluster = {key: org_id(key, c.ror_id) for key, c in resolution.clusters.items()}

    assigned = st.edge_table(EdgeType.ASSIGNED_TO)
    patents_of: dict[str, set[str]] = defaultdict(set)
    inventor_where: dict[str, Counter[str]] = defaultdict(Counter)
    own_where: dict[str, Counter[str]] = defaultdict(Counter)
    types_of: dict[str, Counter[str]] = defaultdict(Counter)
    seen: set[tuple[str, str]] = set()
    for a in assignments:
        node = node_of_cluster[resolution.cluster_of[a.name]]
        pid = patent_id(a.patent)
        if a.assignee_type:
            types_of[node][a.assignee_type] += 1
        if a.location:
            own_where[node][a.location] += 1
        if (pid, node) in seen:
            st.note("assignee_rows_same_organisation_on_patent_merged")
            continue
        seen.add((pid, node))
        assigned.add(
            src=pid,
            dst=node,
            sequence=a.sequence,
            raw_name=a.name,
            assignee_type=a.assignee_type,
            source="patentsview",
        )
        if a.patent not in patents_of[node]:
            patents_of[node].add(a.patent)
            if a.patent in patent_countries:
                inventor_where[node].update(patent_countries[a.patent])

    clusters_by_node: dict[str, list[Any]] = defaultdict(list)
    for key, c in resolution.clusters.items():
        clusters_by_node[node_of_cluster[key]].append(c)

    orgs = st.node_table(NodeLabel.ORGANIZATION)
    located = st.edge_table(EdgeType.LOCATED_IN)
    known_countries = set(st.node_table(NodeLabel.COUNTRY).columns["code"])
    node_ids = sorted(set(clusters_by_node) | {org_id("", r) for r in by_ror})
    for node in node_ids:
        clusters = clusters_by_node.get(node, [])
        rec = by_ror.get("https://ror.org/" + node[4:]) if node.startswith("ror:") else None
        names = sorted({n for c in clusters for n in c.names})
        if rec is not None:
            names = sorted(set(names) | {rec.name, *rec.labels, *rec.aliases, *rec.acronyms})
            name = rec.name
            kind = _ror_kind(rec.types) if rec.types else clusters[0].kind
        else:
            (only,) = clusters  # unlinked clusters have unique keys, so one per node
            name, kind = only.display_name, only.kind
        decision = decide_country(
            ror_country=rec.country if rec is not None else None,
            locations=own_where.get(node),
            types=types_of.get(node),
            inventors=inventor_where.get(node),
        )
        country, basis = decision.country, decision.basis
        share: float | None = None
        if basis in ("inventors", "inventors_foreign"):
            counter = inventor_where[node]
            share = round(counter[country or ""] / sum(counter.values()), 4)
        if basis is not None:
            st.note(f"organisation_country_basis_{basis}")
        orgs.add(
            id=node,
            name=name,
            kind=str(kind),
            country=country,
            country_basis=basis,
            country_confidence=decision.confidence,
            ror_id=rec.ror_id if rec else None,
            **_decision_columns(clusters, rec is not None),
            family_id=_family_head(family_of, node, by_ror, clusters_by_node),
            aliases=[n for n in names if n != name],
            ror_types=list(rec.types) if rec else [],
            established=rec.established if rec else None,
            status=rec.status if rec else None,
            patent_count=len(patents_of.get(node, ())),
            source="ror" if rec is not None else "patentsview",
        )
        if country is not None and country in known_countries:
            located.add(
                src=node,
                dst=country_id(country),
                basis=basis,
                share=share,
                source="ror" if basis == "ror" else "ttkg",
            )
        elif country is not None:
            st.note("organisation_country_not_iso3166")

    part_of = st.edge_table(EdgeType.PART_OF)
    pairs: set[tuple[str, str]] = set()
    for r in ror_records:
        for rel in r.relationships:
            if rel.type == "parent":
                pairs.add((r.ror_id, rel.ror_id))
            elif rel.type == "child":
                pairs.add((rel.ror_id, r.ror_id))
    for child, parent in sorted(pairs):
        if child in by_ror and parent in by_ror:
            part_of.add(src=org_id("", child), dst=org_id("", parent), source="ror")
        else:
            st.note("ror_relationships_to_records_not_in_dump")

    _add_families(st, family_of, set(node_ids))

    acts_for = st.edge_table(EdgeType.ACTS_FOR)
    for key, c in sorted(resolution.clusters.items()):
        for af in c.acts_for:
            target = org_id("", af.ror_id)
            if af.ror_id in by_ror and target != node_of_cluster[key]:
                acts_for.add(
                    src=node_of_cluster[key],
                    dst=target,
                    score=af.score,
                    reason=af.reason,
                    source="ttkg",
                )


def _family_head(family_of: dict[str, Membership], node: str, by_ror: dict[str, Any],
                 clusters_by_node: dict[str, list[Any]]) -> str:
    """The node's family head (a node of the graph: else the node is its own family)."""
    m = family_of.get(node)
    if m is None or m.family_id == node:
        return node
    head = m.family_id
    in_graph = head in clusters_by_node or (
        head.startswith("ror:") and "https://ror.org/" + head[4:] in by_ror)
    return head if in_graph else node


def _add_families(st: _State, family_of: dict[str, Membership], nodes: set[str]) -> None:
    member_of = st.edge_table(EdgeType.MEMBER_OF)
    for node, m in sorted(family_of.items()):
        if m.family_id == node:
            continue
        if m.family_id not in nodes:
            st.note("family_heads_not_in_graph")
            continue
        member_of.add(src=node, dst=m.family_id, score=m.score, reason=m.reason, source="ttkg")
    st.note("organisations_in_a_larger_family",
            sum(1 for n, m in family_of.items() if m.family_id != n))


def _decision_columns(clusters: list[Any], in_ror: bool) -> dict[str, Any]:
    """The identity decision of an organisation node: merge and ROR-link score and reason
    (for an unlinked one, why no record was taken)."""
    if not clusters:  # a ROR record no assignee string reached
        return {"merge_score": None, "merge_reason": None, "link_score": None,
                "link_reason": "ROR record without patents" if in_ror else None}
    c = clusters[0]
    if c.ror_id:
        link_reason = c.link_reason
    elif c.kind is OrgKind.INDIVIDUAL:
        link_reason = "individual: never linked to ROR"
    else:
        link_reason = "not linked: " + ("; ".join(c.notes[:4]) if c.notes
                                        else "no ROR record has this name")
    return {"merge_score": min(x.merge_score for x in clusters),
            "merge_reason": "; ".join(x.merge_reason for x in clusters),
            "link_score": c.link_score, "link_reason": link_reason}


def _ror_kind(types: Iterable[str]) -> OrgKind:
    for t in types:
        if t in _ROR_KIND:
            return _ROR_KIND[t]
    return OrgKind.OTHER
