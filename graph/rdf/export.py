"""Whole-graph RDF export: stream the artifact's tables through the mapping into a writer.

Node and edge tables are read in record batches and each batch is written before the next is
read, so memory does not grow with the export (only the two-column joins behind the derived
relations hold a table, in proportion to the assignment edges). The file is written under a
temporary name and moved into place when complete; a VoID/DCAT description goes next to it.
"""

from __future__ import annotations

import gzip
import logging
import os
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from typing import IO, Any

from ttkg.core.errors import TtkgError
from ttkg.core.model import EdgeType, NodeLabel
from ttkg.graph.artifact import Artifact
from ttkg.graph.rdf.derived import co_ownerships, field_activities
from ttkg.graph.rdf.description import ExportStats, describe_export
from ttkg.graph.rdf.iris import IriMinter
from ttkg.graph.rdf.mapping import Block, Mapper
from ttkg.graph.rdf.vocab import P, Prop
from ttkg.graph.rdf.writers import BlockWriter, RdfFormat, make_writer

__all__ = ["ExportResult", "export_path_for", "export_rdf", "write_graph"]

log = logging.getLogger(__name__)

_TYPE = P.TYPE


@dataclass(frozen=True, slots=True)
class ExportResult:
    """What an export wrote."""

    path: Path
    description: Path
    format: RdfFormat
    triples: int
    seconds: float
    bytes: int


def export_path_for(out: Path, gzipped: bool) -> Path:
    """The file an export writes: OUT, with `.gz` appended when gzipping (unless present)."""
    if gzipped and out.suffix != ".gz":
        return out.with_name(out.name + ".gz")
    return out


class _Counting:
    """Feeds blocks to a writer and keeps the VoID statistics."""

    _TALLY_EVERY = 1 << 16

    def __init__(self, writer: BlockWriter) -> None:
        self.writer = writer
        self.stats = ExportStats()
        self._props: Counter[Prop] = Counter()
        self._seen: list[Prop] = []  # predicates written since the last tally

    def emit(self, blocks: Iterable[Block]) -> None:
        write = self.writer.write
        seen = self._seen
        extend = seen.extend
        stats = self.stats
        first = itemgetter(0)
        for subject, pairs in blocks:
            write(subject, pairs)
            extend(map(first, pairs))
            if pairs and pairs[0][0] is _TYPE:
                stats.entities += 1
                for p, o in pairs:
                    if p is not _TYPE:
                        break
                    stats.by_class[o] += 1
            if len(seen) > self._TALLY_EVERY:
                self._tally()

    def _tally(self) -> None:
        self._props.update(self._seen)
        self._seen.clear()

    def finish(self) -> ExportStats:
        self._tally()
        self.stats.triples = self.writer.triples
        for p, n in self._props.items():
            self.stats.by_property[p.iri] += n
        return self.stats


def write_graph(
    art: Artifact,
    writer: BlockWriter,
    batch_size: int = 10_000,
    progress: Callable[[str, int], None] | None = None,
) -> ExportStats:
    """Stream the whole graph of an artifact into a writer (begin ... end included)."""
    countries = art.nodes(NodeLabel.COUNTRY, columns=["code", "alpha3"]).to_pylist()
    minter = IriMinter({r["code"]: r["alpha3"] for r in countries if r["code"] and r["alpha3"]})
    mapper = Mapper(minter)
    sources: dict[str, Any] = dict(art.manifest.get("sources") or {})
    out = _Counting(writer)
    writer.begin()
    out.emit(mapper.scheme_blocks())
    out.emit(mapper.source_blocks(sources))
    out.emit([mapper.dataset_block(art.manifest)])
    for label in NodeLabel:
        node = mapper.node
        for batch in art.iter_node_batches(label, batch_size):
            out.emit(node(label, row) for row in batch.to_pylist())
            if progress:
                progress(label.value, batch.num_rows)
    for etype in EdgeType:
        edge = mapper.edge
        for batch in art.iter_edge_batches(etype, batch_size):
            out.emit(b for row in batch.to_pylist() for b in edge(etype, row))
            if progress:
                progress(etype.value, batch.num_rows)
    out.emit(block for org, fld, pats in field_activities(art)
             for block in mapper.field_activity(org, fld, pats))
    out.emit(block for org_a, org_b, pats in co_ownerships(art)
             for block in mapper.co_ownership(org_a, org_b, pats))
    out.emit(mapper.undescribed_source_blocks(sources))
    writer.end()
    return out.finish()


def export_rdf(
    graph_dir: Path | str | None,
    out: Path,
    fmt: RdfFormat | str = RdfFormat.TURTLE,
    gzipped: bool = False,
    batch_size: int = 10_000,
    progress: Callable[[str, int], None] | None = None,
    base_url: str | None = None,
) -> ExportResult:
    """Export the current graph of `graph_dir` as RDF to `out` (plus `out`.void.ttl, whose
    dump IRI is `base_url`/file name, or the file's `file:` IRI).

    Raises GraphNotFoundError/ArtifactError for a missing or unreadable graph, TtkgError when
    the output cannot be written.
    """
    fmt = RdfFormat(fmt)
    art = Artifact.open(graph_dir)
    path = export_path_for(Path(out), gzipped)
    tmp = path.with_name(path.name + ".part")
    started = time.perf_counter()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb", buffering=1 << 20) as raw:
            stream: IO[bytes] = (
                gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=6, mtime=0)  # type: ignore[assignment]
                if gzipped
                else raw
            )
            try:
                stats = write_graph(art, make_writer(fmt, stream), batch_size, progress)
            finally:
                if gzipped:
                    stream.close()
        os.replace(tmp, path)
    except OSError as exc:
        raise TtkgError(f"{path}: cannot write the export ({exc.strerror or exc})") from exc
    finally:
        if tmp.exists():
            tmp.unlink()
    seconds = time.perf_counter() - started
    description = describe_export(path, fmt, gzipped, stats, art.manifest, base_url)
    log.info("exported %d triples to %s in %.1f s", stats.triples, path, seconds)
    return ExportResult(path, description, fmt, stats.triples, seconds, path.stat().st_size)

