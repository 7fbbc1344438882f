"""Shared streaming reader of delimited tables (CSV/TSV), plain or inside a .zip archive.

Every source loader reads through here so that the hard cases are handled once:

* columns are found by header NAME (case-insensitive, with per-release aliases); unknown
  extra columns are ignored; a missing required column is an `InputError` naming file and
  column;
* the real `csv` module parses quoting, so quoted fields may hold tabs, newlines and quotes;
* line numbers are physical lines of the file (1 = header), right even after a quoted
  field that spans several lines;
* bytes that are not UTF-8 never raise `UnicodeDecodeError`: the row is rejected, naming the
  line and the field (only fields the loader uses are checked);
* a row with the wrong number of columns is rejected, not guessed at; so is a row whose
  quoted field ran over whole following rows (a stray quote), naming the lines it covers;
* a truncated, corrupt or non-zip archive, an archive with no matching member, an empty
  file: `InputError` naming the file, never a `zipfile` traceback;
* a physical line longer than `MAX_LINE_CHARS` (a damaged download: a file without line
  ends, a zero-filled preallocated tail) is an `InputError` naming file and line, found
  after reading at most that many characters.

Nothing is held in memory beyond the current row (a row is at most one physical line of
`MAX_LINE_CHARS`, or the csv module's field size limit for a quoted field spanning lines).
"""

from __future__ import annotations

import csv
import io
import logging
import re
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, AnyStr, Final

from ttkg.core.errors import InputError
from ttkg.loaders.report import LoadReport, Rejection

log = logging.getLogger(__name__)

#: Errors `zipfile` raises while decompressing a damaged member.
ARCHIVE_ERRORS: Final = (zipfile.BadZipFile, zlib.error, EOFError)

#: Field name used in rejections that concern the whole row rather than one column.
ROW: Final = "(row)"

#: Longest physical line read (characters, or bytes for binary streams); longer is an error,
#: so that a damaged file cannot make a loader hold gigabytes in one string.
MAX_LINE_CHARS: Final = 1 << 20

# Lone surrogates in U+DC80..U+DCFF are what `surrogateescape` makes of undecodable bytes.
_UNDECODABLE: Final = re.compile("[\udc80-\udcff]")
_VALUE_PREVIEW: Final = 300


@dataclass(frozen=True, slots=True)
class Col:
    """A column a loader wants: accepted header names (first one present wins)."""

    names: tuple[str, ...]
    required: bool = True
    #: Not valid UTF-8 here reads as empty instead of rejecting the row (a key whose loss
    #: costs only an optional link, like an assignee's location key).
    lenient: bool = False

    @classmethod
    def of(cls, *names: str, required: bool = True, lenient: bool = False) -> Col:
        return cls(tuple(names), required, lenient)


def list_members(path: Path) -> list[str]:
    """Names of the files in a zip archive (directories and macOS resource forks left out)."""
    _check_file(path)
    try:
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(
            path.name, f"not a readable zip archive (truncated or not a zip): {exc}"
        ) from None
    return [n for n in names if not n.endswith("/") and not n.startswith("__MACOSX/")]


def pick_member(path: Path, suffixes: Sequence[str]) -> str:
    """The one data member of an archive ending with one of `suffixes`.

    When several match, the member named like the archive (`g_patent.tsv` in
    `g_patent.tsv.zip`) wins; otherwise the choice would be a guess, so it is an error.
    """
    members = list_members(path)
    matching = [m for m in members if m.lower().endswith(tuple(s.lower() for s in suffixes))]
    if not matching:
        listed = ", ".join(members) or "none"
        raise InputError(
            path.name, f"archive holds no {' or '.join(suffixes)} member (members: {listed})"
        )
    if len(matching) == 1:
        return matching[0]
    stem = path.name[: -len(".zip")] if path.name.lower().endswith(".zip") else path.name
    same = [m for m in matching if PurePosixPath(m).name == stem]
    if len(same) == 1:
        return same[0]
    raise InputError(path.name, f"archive holds several candidate members: {', '.join(matching)}")


@contextmanager
def open_binary(
    path: Path, *, suffixes: Sequence[str] = (".tsv",), member: str | None = None
) -> Iterator[IO[bytes]]:
    """Open a plain file, or a member of it when it is a zip archive (by extension).

    `member` names the archive member; by default `pick_member(path, suffixes)` chooses.
    """
    _check_file(path)
    if not path.name.lower().endswith(".zip"):
        with path.open("rb") as plain:
            yield plain
        return
    name = member if member is not None else pick_member(path, suffixes)
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(
            path.name, f"not a readable zip archive (truncated or not a zip): {exc}"
        ) from None
    try:
        try:
            fh = zf.open(name)
        except KeyError:
            raise InputError(path.name, f"archive has no member {name!r}") from None
        except (*ARCHIVE_ERRORS, NotImplementedError) as exc:
            raise InputError(path.name, f"cannot open archive member {name!r}: {exc}") from None
        with fh:
            yield fh
    finally:
        zf.close()


def text_stream(binary: IO[bytes]) -> io.TextIOWrapper:
    """UTF-8 text over a binary stream: a BOM is dropped, undecodable bytes kept as
    surrogate escapes (see `undecodable`), line ends left for the csv module."""
    return io.TextIOWrapper(binary, encoding="utf-8-sig", errors="surrogateescape", newline="")


def bounded_lines(stream: IO[AnyStr], name: str, limit: int = MAX_LINE_CHARS) -> Iterator[AnyStr]:
    """The physical lines of `stream` (line ends kept), refusing one whose content is longer
    than `limit`: raises `InputError` naming file `name` and the line, having read at most
    `limit` + 2 characters of it."""
    line = 0
    while chunk := stream.readline(limit + 2):
        line += 1
        if len(chunk) > limit and _content_length(chunk) > limit:
            raise InputError(
                name,
                f"line longer than {limit:,} characters: not a table of this source "
                "(damaged download, missing line ends or a zero-filled tail?)",
                line=line,
            )
        yield chunk


def _content_length(chunk: str | bytes) -> int:
    """Length of a line without its line end (LF, CR or CRLF)."""
    tail = chunk[-2:]
    if tail in ("\r\n", b"\r\n"):
        return len(chunk) - 2
    if tail[-1:] in ("\n", "\r", b"\n", b"\r"):
        return len(chunk) - 1
    return len(chunk)


def undecodable(value: str) -> bool:
    """True when a string read through `text_stream` came from bytes that are not UTF-8."""
    return not value.isascii() and _UNDECODABLE.search(value) is not None


def shown(value: str) -> str:
    """A value as it can be written to a report: undecodable bytes shown as U+FFFD."""
    text = value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return text[:_VALUE_PREVIEW]


def read_rows(
    path: Path,
    columns: Sequence[Col],
    report: LoadReport,
    *,
    delimiter: str = "\t",
    suffixes: Sequence[str] = (".tsv",),
) -> Iterator[tuple[int, list[str | None]]]:
    """Yield `(line, values)` for every well-formed data row of a delimited table.

    `values` follow `columns`: stripped, empty string -> None, an absent optional column
    -> None. Each data row counts as `read` in `report.file(path.name)`; rows with the wrong
    number of columns or with undecodable bytes in a wanted field are rejected here. The
    caller validates the values and then counts the row `accepted` or rejects it, so that
    read == accepted + rejected.
    """
    name = path.name
    rep = report.file(name)
    with open_binary(path, suffixes=suffixes) as binary:
        text = text_stream(binary)
        reader = csv.reader(bounded_lines(text, name), delimiter=delimiter)
        line = 0
        try:
            header = next(reader, None)
            if header is None:
                raise InputError(name, "empty file: no header row", line=1)
            indices = _resolve(name, header, columns, delimiter)
            width = len(header)
            missing = any(i == width for i in indices)
            wanted = [header[i].strip() if i < width else "" for i in indices]
            line = reader.line_num
            for row in reader:
                start = line + 1
                line = reader.line_num
                if not row:  # a blank line is not a data row
                    continue
                rep.read += 1
                problem = None
                if len(row) != width:
                    problem = f"expected {width} columns, found {len(row)}"
                elif line > start and _holds_rows(row, width, delimiter):
                    problem = "a quoted field holds whole rows"
                if problem is not None:
                    if line > start:
                        problem += f" (the row runs over lines {start}-{line}: a stray quote?)"
                    report.reject(Rejection(name, start, ROW, problem, shown(delimiter.join(row))))
                    continue
                if missing:
                    row.append("")
                raw = [row[i] for i in indices]
                joined = "".join(raw)
                if not joined.isascii() and _UNDECODABLE.search(joined):
                    bads = [k for k, v in enumerate(raw) if undecodable(v)]
                    strict = [k for k in bads if not columns[k].lenient]
                    if strict:
                        bad = strict[0]
                        report.reject(
                            Rejection(name, start, wanted[bad], "not valid UTF-8",
                                      shown(raw[bad]))
                        )
                        continue
                    for k in bads:
                        log.info("%s:%d: field %r is not valid UTF-8; read as empty", name,
                                 start, wanted[k])
                        raw[k] = ""
                yield start, [v.strip() or None for v in raw]
        except csv.Error as exc:
            raise InputError(name, f"unparseable CSV: {exc}", line=line + 1) from None
        except ARCHIVE_ERRORS as exc:
            raise InputError(
                name, f"archive is corrupt or truncated: {exc}", line=line + 1
            ) from None


def _holds_rows(row: list[str], width: int, delimiter: str) -> bool:
    """Whether a field spanning lines holds at least one whole row's worth of delimiters:
    the mark of a stray quote that made the csv module read the next lines into one field
    (a real multi-line value, such as an organisation name with a line break, does not)."""
    return width > 1 and any(
        ("\n" in cell or "\r" in cell) and cell.count(delimiter) >= width - 1 for cell in row
    )


def _check_file(path: Path) -> None:
    if not path.is_file():
        raise InputError(str(path), "no such file" if not path.exists() else "not a file")


def _resolve(name: str, header: list[str], columns: Sequence[Col], delimiter: str) -> list[int]:
    """Header positions of the wanted columns; absent optional columns get len(header)."""
    position: dict[str, int] = {}
    for i, title in enumerate(header):
        position.setdefault(title.strip().lower(), i)
    indices = []
    for col in columns:
        found = next((position[n.lower()] for n in col.names if n.lower() in position), None)
        if found is None:
            if col.required:
                hint = ""
                if len(header) == 1:
                    sep = "tab" if delimiter == "\t" else repr(delimiter)
                    hint = f" (the header has a single column: is the file {sep}-separated?)"
                raise InputError(
                    name,
                    f"missing required column {col.names[0]!r}{hint}",
                    line=1,
                    field=col.names[0],
                )
            found = len(header)
        indices.append(found)
    return indices
