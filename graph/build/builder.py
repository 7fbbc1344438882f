"""Build step: read every source, resolve organisations, write one versioned graph artifact.

records (loaders/) -> columns -> Parquet tables (graph/artifact.py), all in one pass per file.
The artifact is committed atomically: if anything fails, the previous graph stays current.
The manifest accounts for every input row (read = accepted + rejected per file) and lists
node and edge counts by type.

Two steps run in forked processes beside the others (`background.Background`; not when
identity is told to use one process, nor for PatentsView inputs over
`SMALL_INPUT_BYTES`): the CPC scheme and PatentsView tables while this
process reads ROR and indexes it, and the OpenAlex reading while it finds families. What
they hand back joins the build in the order of one process, so the graph is the same.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import importlib.metadata
import logging
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from ttkg.core.arrays import distinct
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
    sector_id,
)
from ttkg.core.progress import NO_PROGRESS, Advance, Progress
from ttkg.graph.artifact import (
    FORMAT,
    Artifact,
    ArtifactWriter,
    default_graph_dir,
    edge_schema,
    node_schema,
    scratch_folder,
    write_batches,
)
from ttkg.graph.build.background import Background
from ttkg.graph.build.columns import (
    Part,
    Table,
    counters,
    first_order,
    first_rows,
    top_per_key,
)
from ttkg.graph.build.coverage import cpc_release, patent_coverage, ror_release
from ttkg.graph.build.openalex import (
    OpenAlexInputs,
    OpenAlexRecords,
    read_openalex,
    run_openalex,
)
from ttkg.graph.build.wipo import WipoMatcher
from ttkg.graph.identity import AssigneeName, IdentitySettings, OrganizationResolver, Resolution
from ttkg.graph.identity.families import (
    Membership,
    co_ownership_of_rows,
    families,
    record_families,
)
from ttkg.graph.identity.inventor_links import (
    inventor_codes,
    inventor_links_of_rows,
    place_words,
)
from ttkg.graph.identity.org_country import decide_country
from ttkg.graph.identity.overrides import Overrides
from ttkg.graph.identity.parallel import worker_count
from ttkg.graph.identity.ror_index import RorIndex
from ttkg.graph.identity.stored import NAMES_FILE, write_names
from ttkg.graph.indexing import INDEX_DIR, build_index
from ttkg.loaders import countries, cpc, patentsview, ror, wipo
from ttkg.loaders.columnar import Coded
from ttkg.loaders.openalex import WorkSlice, find_work_files
from ttkg.loaders.records import CpcTitleRecord, RorRecord
from ttkg.loaders.report import LoadReport
from ttkg.loaders.sources import SOURCES, SourcePaths, describe_files, release_from_name

__all__ = ["BuildResult", "build_graph"]

log = logging.getLogger(__name__)

IntArray = npt.NDArray[np.int64]

_ROR_KIND = {
    "education": OrgKind.UNIVERSITY,
    "company": OrgKind.COMPANY,
    "government": OrgKind.GOVERNMENT,
    "healthcare": OrgKind.HOSPITAL,
    "nonprofit": OrgKind.NONPROFIT,
}


_Table = Table


@dataclass
class BuildResult:
    """Where the graph was written and what its manifest says."""

    path: Path
    manifest: dict[str, Any]
    #: the build's peak resident memory in MB, the largest of its stages' peaks (Linux; None
    #: elsewhere). Measuring each stage resets the kernel's high-water mark, so the
    #: `ru_maxrss` a parent or `/usr/bin/time` reads afterwards is only the last stage's.
    peak_rss_mb: float | None = None


@dataclass
class _State:
    """Everything gathered across sources before tables are written."""

    report: LoadReport = field(default_factory=LoadReport)
    nodes: dict[NodeLabel, _Table] = field(default_factory=dict)
    edges: dict[EdgeType, _Table] = field(default_factory=dict)
    notes: dict[str, int] = field(default_factory=dict)
    #: first and last grant date of the patents (`coverage.patent_coverage`)
    coverage: dict[str, Any] = field(default_factory=dict)
    #: node id of every patent, in the order of the Patent table
    patent_ids: pa.Array = field(default_factory=lambda: pa.array([], pa.string()))
    #: folder for tables written as soon as they are complete (`spill`)
    spill_dir: Path | None = None
    #: tables written there: node label or edge type -> (file, rows)
    spilled: dict[NodeLabel | EdgeType, tuple[Path, int]] = field(default_factory=dict)

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

    def spill(self, kind: NodeLabel | EdgeType) -> None:
        """Write a complete table to the spill folder now and let go of its columns (the
        Patent table's titles, 63M CLASSIFIED_AS rows at 9.1M patents), so that later
        stages do not hold them; the artifact takes the file when it is written."""
        assert self.spill_dir is not None
        if isinstance(kind, NodeLabel):
            table, schema = self.nodes[kind], node_schema(kind)
            self.nodes[kind] = _Table.for_schema(schema)  # keeps the table's place
        else:
            table, schema = self.edges[kind], edge_schema(kind)
            self.edges[kind] = _Table.for_schema(schema)
        path = self.spill_dir / f"{kind.value}.parquet"
        write_batches(path, table.batches(schema), schema)
        self.spilled[kind] = (path, len(table))
        del table
        _release_free_memory()


def _peak_rss_mb(reset: bool = False) -> float | None:
    """The process's peak resident memory (Linux `VmHWM`, MB), reset after reading when
    asked, so that each stage reports its own peak; None where /proc does not say."""
    try:
        with open("/proc/self/status") as f:
            line = next((x for x in f if x.startswith("VmHWM:")), None)
        if reset:
            with open("/proc/self/clear_refs", "w") as f:
                f.write("5")
    except OSError:
        return None
    return int(line.split()[1]) / 1024 if line else None


class _Timed:
    """Progress that also logs every stage's wall and CPU time and peak RSS (the profile
    of a build)."""

    def __init__(self, inner: Progress) -> None:
        self.inner = inner
        self.peak_mb: float | None = None  # the largest stage peak so far

    @contextmanager
    def task(self, description: str, total: int | None = None) -> Iterator[Advance]:
        _peak_rss_mb(reset=True)
        wall, cpu = time.perf_counter(), time.process_time()
        with self.inner.task(description, total) as advance:
            yield advance
        peak = _peak_rss_mb()
        if peak is not None:
            self.peak_mb = max(peak, self.peak_mb or 0.0)
        log.info("stage %s: %.1f s wall, %.1f s CPU, peak RSS %s MB", description,
                 time.perf_counter() - wall, time.process_time() - cpu,
                 "?" if peak is None else f"{peak:.0f}")


def _release_free_memory() -> None:
    """Hand freed memory back to the system (Arrow's pool, and glibc's heap by
    `malloc_trim`): tables and identity objects just freed leave pages that the allocators
    keep, so the next stage would start on top of them. `malloc_trim` is skipped where
    glibc is absent."""
    pa.default_memory_pool().release_unused()  # Arrow's own allocator keeps freed pages too
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        log.debug("malloc_trim not available")


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
    """Build the graph from `sources` (default: the bundled sample) into graph dir `out`.

    The biggest tables are written to a scratch folder of the graph (`scratch_folder`) as
    soon as they are complete and moved into the artifact when it is written."""
    out = Path(out) if out is not None else default_graph_dir()
    sources = sources or SourcePaths.sample()
    files = _check_inputs(sources)
    assert sources.ror is not None
    small = _small_inputs(files)
    with (scratch_folder(out) as spill, _fewer_collections(),
          _arrow_allocator() if small else contextlib.nullcontext(), ExitStack() as jobs):
        return _build(sources, files, out, progress, identity, openalex_slice, Path(spill),
                      jobs)


def _check_inputs(sources: SourcePaths) -> patentsview.PatentsViewFiles:
    """The PatentsView tables; InputError when a required input is missing."""
    files = patentsview.find_tables(sources.patentsview)
    for required, path in (
        ("--ror", sources.ror),
        ("--cpc", sources.cpc),
        ("--wipo", sources.wipo),
    ):
        if path is None or not path.exists():
            raise InputError(str(path), f"input file for {required} not found")
    return files


#: PatentsView inputs of at most this many bytes (the full shared data: 42 MB) have their
#: stages forked beside ROR's and the build's Arrow buffers from jemalloc, where both were
#: measured; larger ones (9.1M patents: 1.7 GB) run in one process with the default pool,
#: as measured there (a forked process's whole state would cross the pipe and be held twice).
SMALL_INPUT_BYTES = 512 << 20


def _small_inputs(files: patentsview.PatentsViewFiles) -> bool:
    """Whether the PatentsView tables are at most `SMALL_INPUT_BYTES` in all."""
    paths = [files.patent, files.assignee, files.cpc, files.inventor, files.location]
    return sum(p.stat().st_size for p in paths if p is not None) <= SMALL_INPUT_BYTES


def _forks(settings: IdentitySettings | None) -> bool:
    """Whether the build may run steps in forked processes: as identity may (its `workers`
    setting; `TTKG_IDENTITY_WORKERS=1` keeps a build in one process)."""
    return worker_count(settings.workers if settings else None) > 1


#: OpenAlex works files of at most this many bytes in all are read in a forked process
#: (`_openalex_in_background`), every record in memory at once (~1.1 KB a work, pickled);
#: larger ones are streamed in the build's process.
FORKED_OPENALEX_BYTES = 256 << 20


def _openalex_in_background(
    sources: SourcePaths, selection: WorkSlice | None, settings: IdentitySettings | None
) -> Background[OpenAlexRecords] | None:
    """The OpenAlex inputs read (`read_openalex`) in a forked process, started once the
    assignee names are resolved: the second core is free from there on, while this one
    finds families and makes the Organization table (1.6 s of one core for the 15.7 MB of
    works of the shared data). None when there are no works, they are larger than
    `FORKED_OPENALEX_BYTES` or an input is missing (`run_openalex` says which)."""
    works, topics = sources.openalex, sources.openalex_topics
    if works is None or topics is None or not topics.exists() or not works.exists():
        return None
    try:
        files = find_work_files(works)
    except InputError:
        return None
    if sum(p.stat().st_size for p in files) > FORKED_OPENALEX_BYTES:
        return None
    inputs = OpenAlexInputs(works, topics, selection or WorkSlice())
    return Background(lambda _: read_openalex(inputs), what="OpenAlex reading",
                      fork=_forks(settings))


def _log_forked(job: Background[Any]) -> None:
    """The profile line of a step run in a forked process (none when it ran here)."""
    if job.wall is not None:
        log.info("stage %s (forked, beside the stages above): %.1f s wall, %.1f s CPU, "
                 "peak RSS %.0f MB", job.what, job.wall, job.cpu or 0.0, job.peak_mb or 0.0)


@dataclass
class _PatentsView:
    """What the PatentsView stages (`_patentsview_stages`) hand on: the build's state with
    their tables and notes, the assignees' load report apart (it follows ROR's), and what
    the stages after them read."""

    state: _State
    assignee_report: LoadReport
    known: pa.Array
    where: _Where
    patent_countries: _PatentCountries
    assignments: _Assignments
    #: the family step's shared-inventor evidence: each inventor row's patent and name code,
    #: each known patent's grant year
    inventors: _Inventors
    #: the largest peak RSS of the stages, in MB (of the forked process when they ran there)
    peak_mb: float | None
    #: the manifest's sources (`_manifest_sources`: the files' checksums) and the releases
    #: the ROR and CPC files state (`_data_releases`): reading the inputs again, not the
    #: build's state, so computed beside the stages
    manifest_sources: dict[str, Any]
    releases: dict[str, str | None]


def _patentsview_stages(
    st: _State,
    files: patentsview.PatentsViewFiles,
    sources: SourcePaths,
    matcher: WipoMatcher,
    progress: _Timed,
    forked: bool,
) -> _PatentsView:
    """The CPC scheme and every PatentsView table: Patent, CPC_CLASS and their edges into
    `st` (the biggest written to its spill folder), the locations, inventors' countries and
    assignee rows; then the inputs' checksums and releases for the manifest. The build runs
    them in a forked process while it reads ROR (`forked`: then without the caller's
    progress bar, and with the tables' rows sealed into Arrow columns, which pickle as
    buffers)."""
    assert sources.cpc is not None and sources.ror is not None
    if forked:
        progress = _Timed(NO_PROGRESS)
    with progress.task("CPC scheme") as adv:
        cpc_symbols = _add_cpc_scheme(
            st, _counted(cpc.read_cpc_titles(sources.cpc, st.report), adv)
        )
    with progress.task("Patents") as adv:
        known, years = _add_patents(st, files.patent)
        adv(len(known))
        st.spill(NodeLabel.PATENT)
    with progress.task("CPC classifications") as adv:
        rows = patentsview.cpc_rows(files.cpc, st.report, known_patents=known)
        adv(len(rows))
        _add_classifications(st, rows, cpc_symbols, matcher)
        del rows, cpc_symbols
        st.spill(EdgeType.CLASSIFIED_AS)
    with progress.task("Locations"):
        where = _locations(st, files)
    with progress.task("Inventor locations") as adv:
        patent_countries, inventors = _inventor_countries(st, files, known, where, adv)
        inventors = replace(inventors, year=years)
    with progress.task("Assignees") as adv:
        assignee_report = LoadReport()
        assignments = _read_assignments(st, files.assignee, known, where, adv,
                                        assignee_report)
    if forked:
        for kind in _SEALED:
            table = st.nodes.get(kind) if isinstance(kind, NodeLabel) else st.edges.get(kind)
            if table is not None:
                table.seal(node_schema(kind) if isinstance(kind, NodeLabel)
                           else edge_schema(kind))
    inputs = [files.patent, files.assignee, files.cpc]
    inputs += [p for p in (files.inventor, files.location, files.abstract) if p is not None]
    manifest_sources = _manifest_sources(sources, inputs)
    releases = {"ror": ror_release(sources.ror), "cpc": cpc_release(sources.cpc)}
    return _PatentsView(st, assignee_report, known, where, patent_countries, assignments,
                        inventors, progress.peak_mb, manifest_sources, releases)


#: Tables of the PatentsView stages that no later stage reads back by column (`_State`'s
#: `columns`: the countries' codes, the organisations' ids are), sealed into Arrow columns
#: before they cross processes (`Table.seal`).
_SEALED: tuple[NodeLabel | EdgeType, ...] = (
    NodeLabel.CPC_CLASS, EdgeType.BROADER, EdgeType.IN_FIELD)


#: The collector's thresholds during a build (`gc.set_threshold`): a young collection every
#: 100,000 allocations, not 700. A build allocates millions of objects that live until it
#: ends (ROR records, name groups, table columns), and the default thresholds walked them
#: again and again: 5.8 s of a 32.7 s build of the full shared data went to collections,
#: 0.8 s with these (CPU time in `gc.callbacks`).
_BUILD_GC_THRESHOLDS = (100_000, 50, 100)


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Collect garbage less often while the build runs; the caller's thresholds after."""
    before = gc.get_threshold()
    gc.set_threshold(*_BUILD_GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*before)


@contextmanager
def _arrow_allocator() -> Iterator[None]:
    """Arrow's buffers from its jemalloc pool while the build runs (where pyarrow has it),
    the caller's pool after. Arrow's default, mimalloc, made the same work cost bimodal
    CPU: the serving index of the full shared data 1.65-1.94 or 3.0-3.2 s in fresh
    processes after a released heap (as in a build), 1.55-1.65 s every time with jemalloc;
    a process's first CSV table read 0.46 s against 0.09 s."""
    try:
        pool = pa.jemalloc_memory_pool()
    except NotImplementedError:  # (a pyarrow built without it)
        yield
        return
    before = pa.default_memory_pool()
    pa.set_memory_pool(pool)
    try:
        yield
    finally:
        pa.set_memory_pool(before)


def _build(
    sources: SourcePaths,
    files: patentsview.PatentsViewFiles,
    out: Path,
    progress: Progress,
    identity: IdentitySettings | None,
    openalex_slice: WorkSlice | None,
    spill: Path,
    jobs: ExitStack,
) -> BuildResult:
    started = time.time()
    st = _State(spill_dir=spill)
    progress = _Timed(progress)
    assert sources.ror and sources.cpc and sources.wipo

    _add_countries(st)
    _add_country_groups(st)
    matcher = _add_wipo(st, sources.wipo)
    # PatentsView (and the CPC scheme) in a forked process, ROR and its index here: the two
    # need nothing of each other until identity (~4 s and ~3.5 s of one core on the full
    # shared data). The order of the manifest's files and of the rejections stays that of
    # one process: CPC, PatentsView, ROR, then the assignees.
    pv_job = jobs.enter_context(Background(
        partial(_patentsview_stages, st, files, sources, matcher, progress),
        what="PatentsView tables", fork=_forks(identity) and _small_inputs(files)))
    ror_report = LoadReport()
    with progress.task("ROR registry") as adv:
        ror_records = list(_counted(ror.read_ror(sources.ror, ror_report), adv, 5_000))
    with progress.task("ROR index"):
        ror_index = RorIndex(ror_records)
        ror_index.prepare(identity.fuzzy if identity else True)
    with progress.task("PatentsView tables" + (" (waiting for the forked process)"
                                               if pv_job.forked else "")):
        pv = pv_job.result()
    _log_forked(pv_job)
    st = pv.state
    st.report.absorb(ror_report)
    st.report.absorb(pv.assignee_report)
    if pv.peak_mb is not None:
        progress.peak_mb = max(pv.peak_mb, progress.peak_mb or 0.0)
    known, where, patent_countries, assignments, inventors = (
        pv.known, pv.where, pv.patent_countries, pv.assignments, pv.inventors)
    manifest_sources, releases = pv.manifest_sources, pv.releases
    del pv
    openalex_job: Background[OpenAlexRecords] | None = None

    def read_openalex_now() -> None:
        nonlocal openalex_job
        openalex_job = _openalex_in_background(sources, openalex_slice, identity)
        if openalex_job is not None:
            jobs.enter_context(openalex_job)

    with progress.task("Organisation identity"):
        resolution, names, resolver, membership, unheld = _identity(
            assignments, patent_countries, ror_records, identity, where.countries, ror_index,
            on_resolved=read_openalex_now, inventors=inventors, places=where.places,
        )
        overrides = resolver.overrides
    with progress.task("Organisations"):
        _add_organizations(st, assignments, resolution, patent_countries, where.countries,
                           ror_records, membership, unheld)
    identity_summary = _identity_summary(resolution, overrides, identity)
    openalex_entry = run_openalex(
        st,
        sources.openalex,
        sources.openalex_topics,
        selection=openalex_slice,
        ror_records=resolver.index,
        identity=identity,
        progress=progress,
        records=openalex_job.result if openalex_job is not None else None,
    )
    if openalex_job is not None:
        _log_forked(openalex_job)

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
                if label in st.spilled:
                    path, node_counts[label.value] = st.spilled[label]
                    writer.adopt_nodes(label, path)
                    continue
                writer.write_node_batches(label, table.batches(node_schema(label)))
                node_counts[label.value] = len(table)
            coverage["patents"] = st.coverage
            _data_releases(manifest_sources, releases, coverage.get("patents", {}))
            for etype, etable in st.edges.items():
                if etype in st.spilled:
                    path, edge_counts[etype.value] = st.spilled[etype]
                    writer.adopt_edges(etype, path)
                    continue
                writer.write_edge_batches(etype, etable.batches(edge_schema(etype)))
                edge_counts[etype.value] = len(etable)
            st.report.write_tsv(writer.tmp / "rejections.tsv")
            write_names(writer.tmp / NAMES_FILE, _name_rows(names, resolution, overrides))
            warnings = _empty_inputs(st.report)
        # the tables are on disk: let go of the build's own columns and identity objects
        # before the index (read back from the files) needs its memory
        st.nodes.clear()
        st.edges.clear()
        st.patent_ids = pa.array([], pa.string())
        del resolution, names, resolver, membership, unheld, assignments, patent_countries
        del inventors
        del ror_records, ror_index, where, known, matcher
        # the loops' last tables (the Organization table's Python columns at least: 107k
        # rows x 8 columns at 1M patents) and the CPC symbols, WIPO patterns and patent
        # numbers were still alive while the index was computed (countries and CPC BROADER
        # edges are always there: both loops ran)
        del table, etable
        gc.collect()
        _release_free_memory()
        with progress.task("Serving index"):
            # from the tables just written, as a reader sees them: the backends map the result
            build_index(Artifact(writer.tmp, {}), writer.tmp / INDEX_DIR)
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
    log.info("built %s in %.1f s, peak RSS %s MB", path, time.time() - started,
             "?" if progress.peak_mb is None else f"{progress.peak_mb:.0f}")
    return BuildResult(path, manifest, progress.peak_mb)


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
    entries: dict[str, Any], releases: dict[str, str | None], patents: dict[str, Any]
) -> None:
    """Each source's release as its data states it (`release`), the file name kept apart
    (`file_release`): PatentsView by its last grant date, ROR by its newest record, CPC by
    the date of its section files; the WIPO concordance states none."""
    for entry in entries.values():
        if "files" in entry:
            entry["file_release"] = entry.pop("release")
    last = patents.get("last_grant")
    entries["patentsview"]["release"] = f"grants through {last}" if last else None
    entries["ror"]["release"] = releases["ror"]  # (`ror_release`, `cpc_release`)
    entries["cpc"]["release"] = releases["cpc"]
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
    symbols: set[str] = set()
    stack: list[str] = []  # stack[d] = last group seen at dot level d
    node_symbol: list[str] = []
    node_level: list[str] = []
    node_title: list[str] = []
    node_dots: list[int | None] = []
    child: list[str] = []
    parent_of: list[str] = []
    duplicates = 0
    for r in records:
        if r.symbol in symbols:
            duplicates += 1
            continue
        symbols.add(r.symbol)
        node_symbol.append(r.symbol)
        node_level.append(r.level)
        node_title.append(r.title)
        node_dots.append(r.dots)
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
            child.append(r.symbol)
            parent_of.append(parent)
    if duplicates:
        st.note("cpc_title_duplicate_symbols", duplicates)
    n = len(node_symbol)
    # `cpc_id` of each: a loader's symbol has no spaces (`cpc._SYMBOL`), nor has any slice
    # of one, so the id is the prefix and the symbol (0.5 s of calls for 780k ids)
    st.node_table(NodeLabel.CPC_CLASS).extend(
        n, id=["cpc:" + x for x in node_symbol], symbol=node_symbol, level=node_level,
        title=node_title, dots=node_dots, source=["cpc"] * n)
    st.edge_table(EdgeType.BROADER).extend(
        len(child), src=["cpc:" + x for x in child], dst=["cpc:" + x for x in parent_of],
        source=["cpc"] * len(child))
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


def _add_patents(st: _State, path: Path) -> tuple[pa.Array, IntArray]:
    """Patent nodes; returns the patent numbers in table order (the known patents) and their
    grant years (-1: unknown)."""
    table = patentsview.patent_rows(path, st.report).table
    numbers = table.column("patent_id").combine_chunks()
    st.patent_ids = pc.utf8_replace_slice(numbers, 0, 0, "patent:US")
    st.coverage = patent_coverage(table.select(["date"]))
    st.node_table(NodeLabel.PATENT).add_part(Part(len(numbers), {
        "id": st.patent_ids,
        "number": numbers,
        "date": table.column("date").combine_chunks(),
        "year": table.column("year").combine_chunks(),
        "title": table.column("title").combine_chunks(),
        "kind": table.column("wipo_kind").combine_chunks(),
        "type": table.column("patent_type").combine_chunks(),
        "num_claims": table.column("num_claims").combine_chunks(),
        "source": "patentsview",
    }))
    years = table.column("year").combine_chunks().fill_null(-1)
    year = years.to_numpy(zero_copy_only=False).astype(np.int64)
    return numbers, np.where(year > 0, year, -1)


def _add_classifications(
    st: _State,
    rows: patentsview.KeyedRows,
    symbols: set[str],
    matcher: WipoMatcher,
) -> None:
    """CLASSIFIED_AS edges (exact duplicates merged), patent IN_FIELD edges, CPC IN_FIELD edges.

    Columnar: the validated rows are integer codes (patent, symbol in order of first
    appearance), duplicates are dropped and fields joined as integer arrays, and the WIPO
    concordance is matched once per distinct symbol, not once per row."""
    pcode = rows.patent
    sym = rows.columns["symbol"]
    seen, _, _ = first_order(sym.codes)  # symbols in order of first appearance
    remap = np.zeros(len(sym.values) + 1, np.int32)
    remap[seen] = np.arange(len(seen))
    scode = remap[sym.codes]
    distinct: list[str] = sym.values.take(pa.array(seen)).to_pylist()
    del seen, remap
    # first row of every (patent, symbol) pair, in row order
    kept = first_rows(pcode, scode, max(len(distinct), 1))
    if len(pcode) > len(kept):
        st.note("cpc_rows_duplicate_patent_symbol_merged", len(pcode) - len(kept))
    for s in distinct:  # in order of first appearance, as the rows bring them
        if s not in symbols:
            _ensure_cpc(st, s, symbols)
    cids = pa.array([cpc_id(x) for x in distinct], pa.string())
    ctype = rows.columns["cpc_type"]
    kept_patent, kept_symbol = pcode[kept], scode[kept]
    del pcode, scode
    st.edge_table(EdgeType.CLASSIFIED_AS).add_part(Part(len(kept), {
        "src": (kept_patent, st.patent_ids),
        "dst": (kept_symbol, cids),
        "sequence": pa.array(rows.sequence[kept]),
        "cpc_type": (ctype.codes[kept], ctype.values),
        "source": "patentsview",
    }))
    del kept

    # fields of each distinct symbol as CSR (field number, pattern), then one entry per
    # (kept row, field), in row order, and the first of every (patent, field)
    sizes = np.zeros(len(distinct), np.int64)
    numbers: list[int] = []
    patterns: list[str] = []
    for k, s in enumerate(distinct):
        found = matcher.fields(s)
        sizes[k] = len(found)
        numbers.extend(found)
        patterns.extend(found.values())
    starts = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int32)
    per_row = sizes[kept_symbol]
    total = int(per_row.sum())
    at = np.repeat(starts[kept_symbol], per_row)  # entry -> its (symbol, field) pattern
    at += (np.arange(total, dtype=np.int64)
           - np.repeat(np.cumsum(per_row) - per_row, per_row)).astype(np.int32)
    patent = np.repeat(kept_patent, per_row)
    del per_row, kept_symbol
    number = np.asarray(numbers, np.int32)[at] if total else np.empty(0, np.int32)
    width = int(number.max(initial=0)) + 1
    first = first_rows(patent, number, width)
    # patents in order of their first entry; fields ascending within a patent
    patent, number, at = patent[first], number[first], at[first]
    del first
    _, first_of_patent = np.unique(patent, return_index=True)
    patent_rank = np.empty(len(st.patent_ids), np.int64)
    patent_rank[patent[np.sort(first_of_patent)]] = np.arange(len(first_of_patent))
    order = np.lexsort((number, patent_rank[patent]))
    del patent_rank
    in_field = st.edge_table(EdgeType.IN_FIELD)
    fids = pa.array([field_id(k) for k in range(width)], pa.string())
    in_field.add_part(Part(len(order), {
        "src": (patent[order], st.patent_ids),
        "dst": (number[order], fids),
        "pattern": (at[order], pa.array(patterns, pa.string())),
        "source": "ttkg",
    }))
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


@dataclass
class _Countries:
    """Country codes of the build: code -> ISO alpha-2, and back."""

    names: list[str] = field(default_factory=list)
    code: dict[str, int] = field(default_factory=dict)

    def of(self, values: Sequence[str | None]) -> IntArray:
        """The code of every value (-1 for None), new countries added."""
        out = np.full(len(values), -1, np.int64)
        for i, v in enumerate(values):
            if v is not None:
                c = self.code.get(v)
                if c is None:
                    c = self.code[v] = len(self.names)
                    self.names.append(v)
                out[i] = c
        return out

    def rank(self) -> IntArray:
        """Every code's rank in string order (ties of counts go to the smaller name)."""
        rank = np.empty(len(self.names), np.int64)
        rank[np.argsort(np.array(self.names, dtype=object), kind="stable")] = np.arange(
            len(self.names))
        return rank


@dataclass
class _Where:
    """Raw location id -> ISO country code (inventors' and assignees' locations)."""

    ids: pa.Array
    country: IntArray  # per location, a `_Countries` code or -1
    countries: _Countries
    #: country -> the one-word city names of its locations (identity's place words)
    places: dict[str, frozenset[str]] = field(default_factory=dict)

    def of(self, locations: Coded) -> IntArray:
        """Country code per row of a location-id column (-1: no id, unknown, no country)."""
        found = pc.index_in(locations.values, value_set=self.ids).fill_null(-1)
        at = found.to_numpy(zero_copy_only=False).astype(np.int64)
        per_value = np.where(at >= 0, np.append(self.country, -1)[at], -1)
        return locations.mapped(per_value, -1)


def _locations(st: _State, files: patentsview.PatentsViewFiles) -> _Where:
    countries = _Countries()
    if files.location is None:
        return _Where(pa.array([], pa.string()), np.empty(0, np.int64), countries)
    rows = patentsview.location_rows(files.location, st.report)
    ids = rows.columns["rawlocation_id"]
    country = rows.columns["country"]
    city = rows.columns["city"]
    width = len(country.values) + 1
    pairs = distinct(city.codes.astype(np.int64) * width + country.codes + 1)
    cities, country_names = city.distinct(), country.distinct()
    places = place_words((cities[c // width] if c // width >= 0 else None,
                          country_names[c % width - 1] if c % width else None)
                         for c in pairs.tolist())
    return _Where(_strings(ids), country.mapped(countries.of(country.distinct()), -1),
                  countries, places)


def _strings(column: Coded) -> pa.Array:
    return column.values.take(pa.array(column.codes, pa.int64(), mask=column.codes < 0))


@dataclass(frozen=True)
class _PatentCountries:
    """Countries of each patent's located inventors, as CSR over the known patents: for
    patent p, `country[indptr[p]:indptr[p+1]]` with counts `count[...]`, in the order a
    Counter filled row by row would list them."""

    indptr: IntArray
    country: IntArray
    count: IntArray

    def expand(self, patents: IntArray) -> tuple[IntArray, IntArray, IntArray]:
        """For each given patent (in order) its countries: (position in `patents`, country,
        count)."""
        sizes = self.indptr[patents + 1] - self.indptr[patents]
        pos = np.repeat(np.arange(len(patents)), sizes)
        at = np.repeat(self.indptr[patents], sizes) + (
            np.arange(int(sizes.sum())) - np.repeat(np.cumsum(sizes) - sizes, sizes))
        return pos, self.country[at], self.count[at]


@dataclass(frozen=True)
class _Inventors:
    """Inventor rows for the family step's shared-inventor evidence: each row's patent (index
    of the known patents) and name (`inventor_codes`; -1: none), each patent's grant year."""

    patent: npt.NDArray[np.int32]
    person: IntArray
    year: IntArray


def _inventor_names(rows: patentsview.KeyedRows) -> _Inventors:
    """The rows with a name (first and last), coded; none when the table has no names."""
    first, last = rows.columns.get("name_first"), rows.columns.get("name_last")
    empty = np.empty(0, np.int64)
    if first is None or last is None:
        return _Inventors(np.empty(0, np.int32), empty, empty)
    person = inventor_codes(first.codes, first.distinct(), last.codes, last.distinct())
    named = person >= 0
    return _Inventors(rows.patent[named], person[named], empty)


def _inventor_countries(
    st: _State,
    files: patentsview.PatentsViewFiles,
    known: pa.Array,
    where: _Where,
    advance: Any,
) -> tuple[_PatentCountries, _Inventors]:
    """Countries of each patent's located inventors (evidence for org countries), and the
    inventors' names (evidence for families)."""
    n = len(known)
    empty = np.empty(0, np.int64)
    if files.inventor is None:
        st.note("inventor_tables_missing")
        return (_PatentCountries(np.zeros(n + 1, np.int64), empty, empty),
                _Inventors(np.empty(0, np.int32), empty, empty))
    rows = patentsview.inventor_rows(files.inventor, st.report, known_patents=known, names=True)
    advance(len(rows))
    inventors = _inventor_names(rows)
    if files.location is None:
        st.note("inventor_tables_missing")
        return _PatentCountries(np.zeros(n + 1, np.int64), empty, empty), inventors
    location = rows.columns["rawlocation_id"]
    country = where.of(location)
    unknown = int(((location.codes >= 0) & (country < 0)).sum())
    if unknown:
        st.note("inventor_locations_unknown_or_without_country", unknown)
    ok = country >= 0
    width = max(len(where.countries.names), 1)
    pair, first, counts = first_order(rows.patent[ok].astype(np.int64) * width + country[ok])
    order = np.lexsort((first, pair // width))  # by patent, then first appearance
    patent, ctry, counts = pair[order] // width, pair[order] % width, counts[order]
    indptr = np.zeros(n + 1, np.int64)
    np.add.at(indptr, patent + 1, 1)
    return (_PatentCountries(np.cumsum(indptr), ctry.astype(np.int64), counts.astype(np.int64)),
            inventors)


@dataclass(frozen=True)
class _Assignments:
    """Assignee rows in file order: patent (index of the known patents), sequence, key
    (index of `keys`: (name, individual)), assignee type, own location (country code)."""

    patent: IntArray
    sequence: IntArray
    key: IntArray
    keys: list[tuple[str, bool]]
    assignee_type: Coded
    location: IntArray

    def clusters(self, resolution: Resolution) -> tuple[IntArray, IntArray, list[str]]:
        """Every row's patent and cluster (index of the returned keys; -1 for a person or a
        name no cluster holds): what `co_ownership_of_rows` counts."""
        keys = list(resolution.clusters)
        at = {k: i for i, k in enumerate(keys)}
        of_key = np.array([-1 if individual else at.get(resolution.cluster_of.get(name, ""), -1)
                           for name, individual in self.keys], dtype=np.int64)
        return self.patent.astype(np.int64), of_key[self.key], keys

    def rows(self, countries: _Countries) -> list[tuple[str, str | None]]:
        """(name, location) of every row (for tests and debugging)."""
        return [(self.keys[k][0], countries.names[c] if c >= 0 else None)
                for k, c in zip(self.key.tolist(), self.location.tolist(), strict=True)]


def _read_assignments(
    st: _State,
    path: Path,
    known: pa.Array,
    where: _Where,
    advance: Any,
    report: LoadReport | None = None,
) -> _Assignments:
    """The assignee rows (read into `report`, else the build's)."""
    rows = patentsview.assignee_rows(path, st.report if report is None else report,
                                     known_patents=known)
    advance(len(rows))
    org, first, last = (rows.columns[c] for c in ("organization", "first_name", "last_name"))
    keys: list[tuple[str, bool]] = [(v, False) for v in org.distinct()]
    key = org.codes.astype(np.int64)
    person = np.flatnonzero(org.codes < 0)  # the loader rejects rows without any name
    width = len(last.values) + 1
    pairs, inverse = np.unique((first.codes[person].astype(np.int64) + 1) * width
                               + last.codes[person] + 1, return_inverse=True)
    firsts, lasts = first.distinct(), last.distinct()
    index: dict[tuple[str, bool], int] = {}
    person_key = np.empty(len(pairs), np.int64)
    for j, p in enumerate(pairs.tolist()):
        f, la = divmod(p, width)
        name = " ".join(x for x in (firsts[f - 1] if f else None,
                                    lasts[la - 1] if la else None) if x)
        k = index.get((name, True))
        if k is None:
            k = index[(name, True)] = len(keys)
            keys.append((name, True))
        person_key[j] = k
    key[person] = person_key[inverse]
    countries = where.countries
    country = rows.columns["country"]
    own = country.mapped(countries.of(country.distinct()), -1)
    location_id = rows.columns["rawlocation_id"]
    has_id = location_id.codes >= 0
    found = where.of(location_id)
    location = np.where(has_id & (found >= 0), found, own)
    unknown = has_id & (location < 0)
    located = location >= 0
    notes = [("assignee_locations_unknown_or_without_country", unknown),
             ("assignee_rows_with_own_location", located)]
    notes.sort(key=lambda kv: int(np.argmax(kv[1])) if kv[1].any() else len(kv[1]))
    for name, mask in notes:  # in the order a row-by-row pass would first note them
        if mask.any():
            st.note(name, int(mask.sum()))
    return _Assignments(rows.patent.astype(np.int64), rows.sequence.astype(np.int64), key, keys,
                        rows.columns["assignee_type"], location)


def _resolve(
    assignments: _Assignments,
    patent_countries: _PatentCountries,
    ror_records: list[RorRecord],
    settings: IdentitySettings | None,
    countries: _Countries,
    ror_index: RorIndex | None = None,
) -> tuple[Resolution, list[AssigneeName], OrganizationResolver]:
    """One resolver call over the distinct (name, individual) keys with their evidence:
    rows, most common assignee type, inventor country and own location. `ror_index`: the
    records' index, when made already."""
    a = assignments
    n = len(a.keys)
    counts = np.bincount(a.key, minlength=n)
    types = a.assignee_type
    type_names = types.distinct()
    type_rank = np.empty(len(type_names), np.int64)
    type_rank[np.argsort(np.array(type_names, dtype=object), kind="stable")] = np.arange(
        len(type_names))
    typed = types.codes >= 0
    top_type = top_per_key(a.key[typed], types.codes[typed], np.ones(int(typed.sum()), np.int64),
                           n, type_rank)
    rank = countries.rank()
    pos, ctry, cnt = patent_countries.expand(a.patent)
    top_where = top_per_key(a.key[pos], ctry, cnt, n, rank)
    located = a.location >= 0
    top_own = top_per_key(a.key[located], a.location[located],
                          np.ones(int(located.sum()), np.int64), n, rank)

    def name(code: int, values: list[str]) -> str | None:
        return values[code] if code >= 0 else None

    names = [
        AssigneeName(
            name=a.keys[k][0],
            assignee_type=name(int(top_type[k]), type_names),
            country=name(int(top_where[k]), countries.names),
            count=int(counts[k]),
            individual=a.keys[k][1],
            location=name(int(top_own[k]), countries.names),
        )
        for k in sorted(range(n), key=a.keys.__getitem__)
    ]
    resolver = OrganizationResolver(ror_records, settings, index=ror_index)
    return resolver.resolve(names), names, resolver


def _identity(
    assignments: _Assignments,
    patent_countries: _PatentCountries,
    ror_records: list[RorRecord],
    settings: IdentitySettings | None,
    countries: _Countries,
    ror_index: RorIndex | None = None,
    on_resolved: Callable[[], None] | None = None,
    inventors: _Inventors | None = None,
    places: dict[str, frozenset[str]] | None = None,
) -> tuple[Resolution, list[AssigneeName], OrganizationResolver, dict[str, Membership],
           dict[str, Membership]]:
    """Organisation identity of the build (`ttkg.graph.identity`): the resolution of the
    assignee names, the resolver, the families of its clusters and of ROR records without
    patents. One function, so that a benchmark can time the stages around it alone.
    `on_resolved` is called between the names' resolution (which forks workers) and the
    families (which do not). `inventors` (with `places`, the data's city words) give the
    family step its shared-inventor evidence; without them that rule is off."""
    resolution, names, resolver = _resolve(
        assignments, patent_countries, ror_records, settings, countries, ror_index
    )
    if on_resolved is not None:
        on_resolved()
    held = assignments.clusters(resolution)
    links = None
    if inventors is not None and len(inventors.person):
        links = inventor_links_of_rows(*held, inventors.patent, inventors.person,
                                       inventors.year, places)
    membership = families(
        resolution, resolver.index, {k: c.count for k, c in resolution.clusters.items()},
        names, co_ownership_of_rows(*held), links,
    )
    unheld = record_families(resolver.index, (r.ror_id for r in ror_records), membership,
                             resolution)
    return resolution, names, resolver, membership, unheld


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
    assignments: _Assignments,
    resolution: Resolution,
    patent_countries: _PatentCountries,
    countries: _Countries,
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

    # every assignee row's organisation node, as a code into `nodes`
    a = assignments
    nodes: list[str] = []
    code: dict[str, int] = {}
    key_node = np.empty(len(a.keys), np.int64)
    for k, (name, _) in enumerate(a.keys):
        node = node_of_cluster[resolution.cluster_of[name]]
        nc = code.get(node)
        if nc is None:
            nc = code[node] = len(nodes)
            nodes.append(node)
        key_node[k] = nc
    row_node = key_node[a.key]
    types = a.assignee_type
    typed = types.codes >= 0
    types_by = counters(row_node[typed], types.codes[typed],
                        np.ones(int(typed.sum()), np.int64), types.distinct())
    has_location = a.location >= 0
    own_by = counters(row_node[has_location], a.location[has_location],
                      np.ones(int(has_location.sum()), np.int64), countries.names)
    # one ASSIGNED_TO per (patent, organisation): the first row
    kept = first_rows(a.patent, row_node, max(len(nodes), 1))
    if len(kept) < len(row_node):
        st.note("assignee_rows_same_organisation_on_patent_merged", len(row_node) - len(kept))
    names = pa.array([k[0] for k in a.keys], pa.string())
    st.edge_table(EdgeType.ASSIGNED_TO).add_part(Part(len(kept), {
        "src": (a.patent[kept], st.patent_ids),
        "dst": (row_node[kept], pa.array(nodes, pa.string())),
        "sequence": pa.array(a.sequence[kept], pa.int64()),
        "raw_name": (a.key[kept], names),
        "assignee_type": (types.codes[kept], types.values),
        "source": "patentsview",
    }))
    patent_counts = np.bincount(row_node[kept], minlength=len(nodes))
    pos, ctry, cnt = patent_countries.expand(a.patent[kept])
    inventors_by = counters(row_node[kept][pos], ctry, cnt, countries.names)
    patents_of = {node: int(patent_counts[nc]) for node, nc in code.items()}
    own_where = {nodes[nc]: v for nc, v in own_by.items()}
    types_of = {nodes[nc]: v for nc, v in types_by.items()}
    inventor_where = {nodes[nc]: v for nc, v in inventors_by.items()}

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
            patent_count=patents_of.get(node, 0),
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
