"""OpenAlex works (JSON lines) and the OpenAlex topic table (research-field taxonomy).

Source: https://openalex.org, licence CC0 ("OpenAlex"). Works are read in the layouts users
have, all streamed one line at a time (memory stays flat on the full snapshot):

* the snapshot: `<root>/data/works/updated_date=YYYY-MM-DD/part_NNN.gz` (any folder that has
  `updated_date=*` folders below it); partitions are read newest first, so when a work
  occurs in several partitions the newest copy is the one kept;
* a folder of `.jsonl`, `.jsonl.gz`, `.ndjson(.gz)` or `part_*.gz` files (read in name order);
* one such file.

Every line is one Work object exactly as the OpenAlex API returns it. Rejected (file, line,
field, reason, value), never dropped silently:

* a line that is not UTF-8, not JSON, or not a JSON object;
* `id` missing or not an OpenAlex work id (`https://openalex.org/W123` or `W123`);
* a work id already accepted from an earlier line (duplicate; the first copy is kept);
* `publication_year` not an integer, or outside 1000..next year;
* `doi` that is not a DOI (after removing `https://doi.org/`);
* `topics`, `authorships` or an authorship's `institutions` not a list of objects; a topic
  without a `T<n>` id; an institution without an `I<n>` id, or with a `ror` that is not a ROR
  id URL. An institution whose `id` is null (OpenAlex's placeholder for an affiliation it did
  not resolve) is not an institution: the authorship keeps its raw affiliation strings.

Blank lines are not records. A slice (`WorkSlice`: years, institution countries, work types)
leaves out well-formed works on purpose; they are counted as `skipped`, not as rejected.

The topic table (`openalex_topics.csv`: topic_id, new_topic_label, subfield_id, subfield_name,
field_id, field_name, domain_id, domain_name) gives the taxonomy domain -> field -> subfield
-> topic; a row with a non-integer id or an empty name is rejected, as is a repeated topic id.
"""

from __future__ import annotations

import gzip
import json
import logging
import re
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO, Any, Final, cast

from ttkg.core.errors import InputError
from ttkg.loaders.records import (
    ResearchTopicRecord,
    WorkAuthorship,
    WorkInstitution,
    WorkRecord,
    WorkTopic,
)
from ttkg.loaders.report import FileReport, LoadReport, Rejection
from ttkg.loaders.tabular import ROW, Col, bounded_lines, read_rows

__all__ = [
    "WorkSlice",
    "find_work_files",
    "read_topics",
    "read_works",
    "short_id",
]

log = logging.getLogger(__name__)

#: The earliest publication year accepted (OpenAlex holds works from the 1600s).
FIRST_YEAR: Final = 1000

_OPENALEX: Final = "https://openalex.org/"
_WORK_ID: Final = re.compile(r"^(?:https://openalex\.org/)?(W\d+)$")
_TOPIC_ID: Final = re.compile(r"^(?:https://openalex\.org/)?T(\d+)$")
_INST_ID: Final = re.compile(r"^(?:https://openalex\.org/)?(I\d+)$")
_ROR_ID: Final = re.compile(r"^https://ror\.org/0[a-z0-9]{8}$")
_DOI: Final = re.compile(r"^10\.\d{4,9}/\S+$")
_DOI_PREFIXES: Final = ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "doi:")
_WORK_FILE_SUFFIXES: Final = (".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz")
_GZIP_ERRORS: Final = (OSError, EOFError, zlib.error)
#: Longest work line accepted: works with thousands of authors run to megabytes of JSON.
MAX_WORK_BYTES: Final = 1 << 26


@dataclass(frozen=True, slots=True)
class WorkSlice:
    """Which works to keep while loading (None = no restriction).

    `years` is an inclusive (first, last) range, either end open; a work without a year is
    outside any year range. `countries` keeps a work when one of its institutions (or an
    authorship's countries) is in the set; `types` keeps works of these OpenAlex types.
    """

    years: tuple[int | None, int | None] | None = None
    countries: frozenset[str] | None = None
    types: frozenset[str] | None = None

    @property
    def is_everything(self) -> bool:
        return self.years is None and self.countries is None and self.types is None

    def keeps(self, work: WorkRecord) -> bool:
        if self.years is not None:
            first, last = self.years
            if work.year is None:
                return False
            if (first is not None and work.year < first) or (last is not None and work.year > last):
                return False
        if self.types is not None and work.type not in self.types:
            return False
        if self.countries is not None:
            found = {i.country for a in work.authorships for i in a.institutions if i.country}
            found.update(c for a in work.authorships for c in a.countries)
            if not found & self.countries:
                return False
        return True


def short_id(openalex_url: str) -> str:
    """`https://openalex.org/W123` -> `W123` (already short ids unchanged)."""
    return openalex_url.removeprefix(_OPENALEX)


def find_work_files(path: Path) -> list[Path]:
    """The works files under `path`: a snapshot, a folder of JSON-lines files, or one file."""
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise InputError(str(path), "no such file or folder of OpenAlex works")
    partitions = sorted(
        (p for p in path.rglob("updated_date=*") if p.is_dir()),
        key=lambda p: p.name,
        reverse=True,  # newest partition first: its copy of a work is the current one
    )
    if partitions:
        files = [f for part in partitions for f in sorted(part.glob("part_*.gz"))]
        if not files:
            raise InputError(str(path), "snapshot folders updated_date=* hold no part_*.gz files")
        return files
    files = sorted(
        p
        for p in path.iterdir()
        if p.is_file() and (p.name.lower().endswith(_WORK_FILE_SUFFIXES) or _is_part(p))
    )
    if not files:
        raise InputError(
            str(path),
            "no OpenAlex works here: expected a snapshot (data/works/updated_date=*/part_*.gz)"
            " or .jsonl / .jsonl.gz files",
        )
    return files


def _is_part(p: Path) -> bool:
    return p.name.startswith("part_") and p.name.endswith(".gz")


def read_works(
    paths: Path | Iterable[Path],
    report: LoadReport,
    selection: WorkSlice | None = None,
) -> Iterator[WorkRecord]:
    """Works of one file, or of every file in `paths` in order, as typed records."""
    files = [paths] if isinstance(paths, Path) else list(paths)
    selection = selection or WorkSlice()
    accepted: set[str] = set()
    for path in files:
        name = _report_name(path, files)
        rep = report.file(name)
        for line, raw in _lines(path, name):
            rep.read += 1
            work = _parse(raw, name, line, report)
            if work is None:
                continue
            if work.openalex_id in accepted:
                report.reject(
                    Rejection(
                        name,
                        line,
                        "id",
                        "duplicate work id (an earlier copy was kept)",
                        work.openalex_id,
                    )
                )
                continue
            if not selection.keeps(work):
                rep.skipped += 1
                continue
            accepted.add(work.openalex_id)
            rep.accepted += 1
            yield work
        _log_file(rep)


def _report_name(path: Path, files: list[Path]) -> str:
    """The file's name, with its partition folder when names repeat (part_000.gz)."""
    if len(files) > 1 and path.parent.name.startswith("updated_date="):
        return f"{path.parent.name}/{path.name}"
    return path.name


def _log_file(rep: FileReport) -> None:
    log.info(
        "%s: %d works read, %d accepted, %d rejected, %d skipped by the slice",
        rep.file,
        rep.read,
        rep.accepted,
        rep.rejected,
        rep.skipped,
    )


def _lines(path: Path, name: str) -> Iterator[tuple[int, bytes]]:
    """(line number, bytes) of the non-blank lines of a plain or gzipped JSON-lines file."""
    try:
        with path.open("rb") as probe:
            gzipped = probe.read(2) == b"\x1f\x8b"
    except OSError as exc:
        raise InputError(name, f"cannot open: {exc}") from None
    line = 0
    with path.open("rb") as plain, _maybe_gunzip(plain, gzipped) as fh:
        try:
            for line, chunk in enumerate(bounded_lines(fh, name, MAX_WORK_BYTES), start=1):
                if chunk.strip():
                    yield line, chunk
        except _GZIP_ERRORS as exc:
            raise InputError(
                name, f"damaged gzip stream after line {line} (truncated download?): {exc}"
            ) from None


@contextmanager
def _maybe_gunzip(plain: IO[bytes], gzipped: bool) -> Iterator[IO[bytes]]:
    if not gzipped:
        yield plain
        return
    with gzip.GzipFile(fileobj=plain, mode="rb") as unzipped:
        yield cast(IO[bytes], unzipped)


class _Bad(Exception):
    """A field of a work that makes the record unusable."""

    def __init__(self, field: str, reason: str, value: object = "") -> None:
        super().__init__(reason)
        self.field = field
        self.reason = reason
        self.value = value if isinstance(value, str) else json.dumps(value)[:300]


def _parse(raw: bytes, name: str, line: int, report: LoadReport) -> WorkRecord | None:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        report.reject(Rejection(name, line, ROW, "not valid UTF-8"))
        return None
    try:
        obj = json.loads(text)
    except ValueError as exc:
        report.reject(Rejection(name, line, ROW, f"not valid JSON ({exc.args[0]})", text[:300]))
        return None
    if not isinstance(obj, dict):
        report.reject(Rejection(name, line, ROW, "not a JSON object", text[:300]))
        return None
    try:
        return _work(obj)
    except _Bad as bad:
        report.reject(Rejection(name, line, bad.field, bad.reason, bad.value))
        return None


def _work(obj: dict[str, Any]) -> WorkRecord:
    wid = obj.get("id")
    m = _WORK_ID.match(wid) if isinstance(wid, str) else None
    if m is None:
        raise _Bad("id", "not an OpenAlex work id", wid if wid is not None else "")
    return WorkRecord(
        openalex_id=m.group(1),
        doi=_doi(obj.get("doi")),
        title=_text(obj.get("title") or obj.get("display_name")),
        year=_year(obj.get("publication_year")),
        type=_text(obj.get("type")),
        topics=_topics(obj.get("topics"), obj.get("primary_topic")),
        authorships=_authorships(obj.get("authorships")),
    )


def _text(value: object) -> str | None:
    if isinstance(value, str):
        value = " ".join(value.split())
        return value or None
    return None


def _doi(value: object) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise _Bad("doi", "not a string", value)
    doi = value.strip()
    for prefix in _DOI_PREFIXES:
        if doi.lower().startswith(prefix):
            doi = doi[len(prefix) :]
            break
    doi = doi.lower()
    if not _DOI.match(doi):
        raise _Bad("doi", "not a DOI (10.<registrant>/<suffix>)", value)
    return doi


def _year(value: object) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise _Bad("publication_year", "not an integer", value)
    last = date.today().year + 1
    if not FIRST_YEAR <= value <= last:
        raise _Bad("publication_year", f"outside {FIRST_YEAR}..{last}", str(value))
    return value


def _objects(value: object, field: str) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise _Bad(field, "not a list of objects", value)
    return value


def _topic_number(value: object, field: str) -> int:
    m = _TOPIC_ID.match(value) if isinstance(value, str) else None
    if m is None:
        raise _Bad(field, "not an OpenAlex topic id (T<n>)", value if value is not None else "")
    return int(m.group(1))


def _score(value: object) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def _topics(value: object, primary: object) -> tuple[WorkTopic, ...]:
    primary_number: int | None = None
    if isinstance(primary, dict) and primary.get("id") is not None:
        primary_number = _topic_number(primary.get("id"), "primary_topic.id")
    out: dict[int, WorkTopic] = {}
    for i, t in enumerate(_objects(value, "topics")):
        number = _topic_number(t.get("id"), f"topics[{i}].id")
        if number not in out:
            out[number] = WorkTopic(number, _score(t.get("score")), number == primary_number)
    if primary_number is not None and primary_number not in out and isinstance(primary, dict):
        out[primary_number] = WorkTopic(primary_number, _score(primary.get("score")), True)
    return tuple(out.values())


def _authorships(value: object) -> tuple[WorkAuthorship, ...]:
    out = []
    for i, a in enumerate(_objects(value, "authorships")):
        institutions = []
        for j, inst in enumerate(_objects(a.get("institutions"), f"authorships[{i}].institutions")):
            where = f"authorships[{i}].institutions[{j}]"
            iid = inst.get("id")
            if iid is None:  # OpenAlex's placeholder for an affiliation it did not resolve
                continue
            m = _INST_ID.match(iid) if isinstance(iid, str) else None
            if m is None:
                raise _Bad(where + ".id", "not an OpenAlex institution id (I<n>)", iid or "")
            ror = inst.get("ror")
            if ror is not None and not (isinstance(ror, str) and _ROR_ID.match(ror)):
                raise _Bad(where + ".ror", "not a ROR id (https://ror.org/0xxxxxxxx)", ror)
            country = inst.get("country_code")
            institutions.append(
                WorkInstitution(
                    m.group(1),
                    _text(inst.get("display_name")),
                    ror,
                    country.upper() if isinstance(country, str) and len(country) == 2 else None,
                    _text(inst.get("type")),
                )
            )
        raw = a.get("raw_affiliation_strings")
        strings = tuple(s for s in (_text(r) for r in raw) if s) if isinstance(raw, list) else ()
        countries = a.get("countries")
        codes = (
            tuple(c.upper() for c in countries if isinstance(c, str) and len(c) == 2)
            if isinstance(countries, list)
            else ()
        )
        out.append(
            WorkAuthorship(
                i, tuple(dict.fromkeys(institutions)), tuple(dict.fromkeys(strings)), codes
            )
        )
    return tuple(out)


_TOPIC_COLUMNS: Final = (
    Col.of("topic_id"),
    Col.of("new_topic_label", "topic_name", "display_name"),
    Col.of("subfield_id"),
    Col.of("subfield_name"),
    Col.of("field_id"),
    Col.of("field_name"),
    Col.of("domain_id"),
    Col.of("domain_name"),
)


def read_topics(path: Path, report: LoadReport) -> Iterator[ResearchTopicRecord]:
    """Rows of the OpenAlex topic table (`openalex_topics.csv`, plain or zipped)."""
    name = path.name
    rep = report.file(name)
    seen: set[int] = set()
    rows = read_rows(path, _TOPIC_COLUMNS, report, delimiter=",", suffixes=(".csv",))
    for line, values in rows:
        tid, tname, sid, sname, fid, fname, did, dname = values
        numbers: list[int] = []
        bad = False
        for col, v in (
            ("topic_id", tid),
            ("subfield_id", sid),
            ("field_id", fid),
            ("domain_id", did),
        ):
            if v is None or not (v.isascii() and v.isdigit()):
                report.reject(Rejection(name, line, col, "not an integer", v or ""))
                bad = True
                break
            numbers.append(int(v))
        if bad:
            continue
        names = (("new_topic_label", tname), ("subfield_name", sname), ("field_name", fname))
        empty = [col for col, v in (*names, ("domain_name", dname)) if v is None]
        if empty:
            report.reject(Rejection(name, line, empty[0], "empty name"))
            continue
        if numbers[0] in seen:
            report.reject(
                Rejection(name, line, "topic_id", "duplicate topic id (first row kept)", tid or "")
            )
            continue
        seen.add(numbers[0])
        assert tname and sname and fname and dname
        rep.accepted += 1
        yield ResearchTopicRecord(
            numbers[0], tname, numbers[1], sname, numbers[2], fname, numbers[3], dname
        )
