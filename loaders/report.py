"""Per-file accounting of rows read, accepted and rejected, with every rejection kept.

A malformed row is never dropped silently: it becomes a `Rejection` naming file, line, field
and reason, is counted in the manifest and written to the artifact's `rejections.tsv`.
"""

from __future__ import annotations

import csv
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

log = logging.getLogger(__name__)

#: How many rejections per file are logged at WARNING; all are kept regardless.
LOG_FIRST: Final = 5


@dataclass(frozen=True, slots=True)
class Rejection:
    """One rejected input row."""

    file: str
    line: int
    field: str
    reason: str
    value: str = ""

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: field {self.field!r}: {self.reason}" + (
            f" (value {self.value[:80]!r})" if self.value else ""
        )


@dataclass(slots=True)
class FileReport:
    """Counts for one input file (or one member of an archive)."""

    file: str
    read: int = 0
    accepted: int = 0
    rejected: int = 0
    #: well-formed rows left out on purpose by a slice (years, countries, types) the caller
    #: asked for: read = accepted + rejected + skipped
    skipped: int = 0

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "file": self.file,
            "read": self.read,
            "accepted": self.accepted,
            "rejected": self.rejected,
        }
        if self.skipped:
            out["skipped"] = self.skipped
        return out


@dataclass
class LoadReport:
    """Everything the loaders of one build read, accepted and rejected."""

    files: dict[str, FileReport] = field(default_factory=dict)
    rejections: list[Rejection] = field(default_factory=list)

    def file(self, name: str) -> FileReport:
        """The report of a file, created on first use."""
        rep = self.files.get(name)
        if rep is None:
            rep = self.files[name] = FileReport(name)
        return rep

    def reject(self, rejection: Rejection) -> None:
        """Record a rejected row (counts it against its file)."""
        rep = self.file(rejection.file)
        rep.rejected += 1
        self.rejections.append(rejection)
        if rep.rejected <= LOG_FIRST:
            log.warning("rejected %s", rejection)
        elif rep.rejected == LOG_FIRST + 1:
            log.warning("%s: more rejections; all are listed in rejections.tsv", rejection.file)

    def write_tsv(self, path: Path) -> None:
        """Write every rejection as a TSV file with a header."""
        with path.open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh, delimiter="\t")
            w.writerow(["file", "line", "field", "reason", "value"])
            for r in self.rejections:
                w.writerow([r.file, r.line, r.field, r.reason, r.value[:500]])

    def as_manifest(self) -> list[dict[str, object]]:
        return [rep.as_dict() for rep in self.files.values()]

    def absorb(self, other: LoadReport) -> None:
        """Add another report's files and rejections after this one's, in their order, as
        if this report had read them (the build reads ROR in another process); nothing is
        logged again."""
        for name, rep in other.files.items():
            mine = self.file(name)
            mine.read += rep.read
            mine.accepted += rep.accepted
            mine.rejected += rep.rejected
            mine.skipped += rep.skipped
        self.rejections.extend(other.rejections)

    def extend(self, rejections: Iterable[Rejection]) -> None:
        for r in rejections:
            self.reject(r)
