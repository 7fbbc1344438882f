"""Columnar reading of a delimited table: every wanted column at once, as codes into its
distinct values, so that loaders validate each distinct value once and the build joins and
groups integer arrays instead of Python rows.

Two readers give the same result:

* the fast one parses with Arrow's CSV reader (C++, zip member streamed through Python);
* the reference one is `tabular.read_rows` (the csv module), row by row.

The fast reader is used only when its rows provably are the reference reader's rows with the
same physical line numbers: every physical line after the header is exactly one row (no
blank line, no field spanning lines, no lone CR), no line longer than the csv module's field
limit, every row has the header's width and every wanted field is valid UTF-8. Whenever one
of these fails (or Arrow fails in any way), the file is read again by the reference reader,
which rejects, reports and raises exactly as it always has. Either way, values are stripped
as `str.strip` strips and empty values are None.
"""

from __future__ import annotations

import csv
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Final

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from ttkg.loaders.report import LoadReport, Rejection
from ttkg.loaders.tabular import (
    MAX_LINE_CHARS,
    Col,
    _resolve,
    open_binary,
    read_rows,
)

__all__ = ["CodeArray", "Coded", "Rows", "read_columns"]

log = logging.getLogger(__name__)

IntArray = npt.NDArray[np.int64]
#: Codes into a column's distinct values: int32, as Arrow's dictionary indices (a table
#: of 63M rows holds 250 MB per column, not 500 MB).
CodeArray = npt.NDArray[np.int32]

#: What `str.strip()` strips (every character whose `isspace()` is true).
_WHITESPACE: Final = "".join(chr(c) for c in range(0x110000) if chr(c).isspace())
#: The csv module's default field size limit: a longer line goes to the reference reader.
_FIELD_LIMIT: Final = min(csv.field_size_limit(), MAX_LINE_CHARS)
_BLOCK: Final = 16 << 20
_FALLBACK_CHUNK: Final = 1 << 16


@dataclass(frozen=True)
class Coded:
    """One column: per row a code into `values` (distinct, no nulls), -1 for None. Codes
    are int32: widen them (`astype(np.int64)`) before arithmetic that can pass 2**31."""

    codes: CodeArray
    values: pa.Array

    def __len__(self) -> int:
        return len(self.codes)

    def take(self, rows: npt.NDArray[np.integer[Any]]) -> Coded:
        """The column restricted to `rows` (same values)."""
        return Coded(self.codes[rows], self.values)

    def pylist(self) -> list[str | None]:
        """Every row's value (None for None)."""
        values: list[str | None] = self.values.to_pylist()
        values.append(None)  # code -1
        return [values[c] for c in self.codes.tolist()]

    def distinct(self) -> list[str]:
        """The distinct values as Python strings."""
        out: list[str] = self.values.to_pylist()
        return out

    def mapped(self, per_value: npt.NDArray[Any], missing: Any) -> npt.NDArray[Any]:
        """Per row, `per_value[code]` (`missing` where the value is None)."""
        table = np.append(per_value, np.array([missing], dtype=per_value.dtype))
        result: npt.NDArray[Any] = table[self.codes]
        return result

    def recoded(self, values: Sequence[str | None]) -> Coded:
        """The column with every distinct value replaced by `values[code]` (None allowed),
        codes made unique again for the new values."""
        return _from_dictionary(self.codes, pa.array(values, pa.string()))


@dataclass(frozen=True)
class Rows:
    """The data rows of one table: physical line numbers and the wanted columns."""

    file: str
    columns: list[Coded]
    #: per row its physical line (None: row i is on line i + 2, header on line 1)
    line_numbers: IntArray | None
    #: malformed rows the reader rejected, for the caller to report in line order with its
    #: own rejections (`LoadReport.reject`)
    rejected: list[Rejection] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.columns[0]) if self.columns else 0

    def lines(self, rows: IntArray | None = None) -> IntArray:
        """Physical line of every row (or of `rows`)."""
        if self.line_numbers is not None:
            return self.line_numbers if rows is None else self.line_numbers[rows]
        idx = np.arange(len(self), dtype=np.int64) if rows is None else rows.astype(np.int64)
        return idx + 2


def read_columns(
    path: Path,
    columns: Sequence[Col],
    report: LoadReport,
    *,
    delimiter: str = "\t",
    suffixes: Sequence[str] = (".tsv",),
) -> Rows:
    """Every well-formed data row of a table as columns (see the module docstring). Rows count
    as `read` in `report.file(path.name)`; malformed ones are in `Rows.rejected`, for the
    caller to report with its own (so that `read` = accepted + rejected); the caller
    accepts or rejects the rows returned."""
    try:
        fast = _arrow_rows(path, columns, delimiter, suffixes)
    except Exception as exc:  # any failure: the reference reader decides
        log.debug("%s: Arrow reader gave up (%s); reading with the csv module", path.name, exc)
        fast = None
    if fast is not None:
        report.file(path.name).read += len(fast)
        return fast
    log.info("%s: read row by row (blank lines, multi-line fields or malformed rows)", path.name)
    return _reference_rows(path, columns, report, delimiter, suffixes)


def _reference_rows(
    path: Path,
    columns: Sequence[Col],
    report: LoadReport,
    delimiter: str,
    suffixes: Sequence[str],
) -> Rows:
    lines: list[int] = []
    chunks: list[list[pa.Array]] = [[] for _ in columns]
    pending: list[list[str | None]] = [[] for _ in columns]

    def flush() -> None:
        for k, values in enumerate(pending):
            chunks[k].append(pa.array(values, pa.string()).dictionary_encode())
            values.clear()

    scratch = LoadReport()
    for line, values in read_rows(path, columns, scratch, delimiter=delimiter, suffixes=suffixes):
        lines.append(line)
        for k, v in enumerate(values):
            pending[k].append(v)
        if len(pending[0]) >= _FALLBACK_CHUNK:
            flush()
    flush()
    report.file(path.name).read += scratch.file(path.name).read
    return Rows(
        path.name,
        [_coded(pa.chunked_array(c, pa.dictionary(pa.int32(), pa.string()))) for c in chunks],
        np.asarray(lines, dtype=np.int64),
        scratch.rejections,
    )


class _Scanned:
    """A binary stream that counts what the alignment check needs while Arrow reads it."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.closed = False
        self.newlines = 0
        self.bytes = 0
        self.last = b""
        self.odd = False  # a lone CR, or a line longer than the field limit
        self._since_newline = 0

    def read(self, n: int = -1) -> bytes:
        data = self.raw.read(n)
        if not data:
            return data
        self.bytes += len(data)
        self.newlines += data.count(b"\n")
        if data.count(b"\r") != data.count(b"\r\n") or b"\x00" in data:
            self.odd = True
        ends = np.flatnonzero(np.frombuffer(data, np.uint8) == 10)
        if len(ends) == 0:
            self._since_newline += len(data)
            longest = self._since_newline
        else:
            longest = max(self._since_newline + int(ends[0]),
                          int(np.diff(ends).max(initial=0)), len(data) - int(ends[-1]) - 1)
            self._since_newline = len(data) - int(ends[-1]) - 1
        if longest > _FIELD_LIMIT:
            self.odd = True
        self.last = data[-1:]
        return data

    def close(self) -> None:
        self.closed = True


def _arrow_rows(
    path: Path, columns: Sequence[Col], delimiter: str, suffixes: Sequence[str]
) -> Rows | None:
    with open_binary(path, suffixes=suffixes) as binary:
        first = binary.readline(MAX_LINE_CHARS + 2)
        text = first.decode("utf-8-sig", "surrogateescape")
        if not text.endswith("\n") or text.count('"') % 2:
            return None  # no data rows, or a header that may span lines
        header = next(csv.reader([text], delimiter=delimiter), None)
        if not header:
            return None
        indices = _resolve(path.name, header, columns, delimiter)
        width = len(header)
        names = [f"c{i}" for i in range(width)]
        wanted = sorted({i for i in indices if i < width})
        bad_rows: list[Any] = []

        def invalid(row: Any) -> str:
            bad_rows.append(row)
            return "skip"

        scanned = _Scanned(binary)
        reader = pacsv.open_csv(
            scanned,
            read_options=pacsv.ReadOptions(column_names=names, block_size=_BLOCK,
                                           use_threads=False),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True,
                                             invalid_row_handler=invalid),
            convert_options=pacsv.ConvertOptions(
                include_columns=[names[i] for i in wanted] or names[:1],
                column_types={n: pa.dictionary(pa.int32(), pa.string()) for n in names},
                strings_can_be_null=False,
                check_utf8=True,
            ),
        )
        chunks: dict[int, list[pa.Array]] = {i: [] for i in wanted}
        rows = 0
        for batch in reader:
            rows += batch.num_rows
            for i in wanted:
                chunks[i].append(batch.column(names[i]))
            del batch
    if bad_rows or scanned.odd:
        return None
    lines = scanned.newlines + (1 if scanned.bytes and scanned.last != b"\n" else 0)
    if lines != rows:
        return None
    dtype = pa.dictionary(pa.int32(), pa.string())
    coded = {}
    for i in wanted:  # one column at a time, its Arrow chunks let go as soon as it is coded
        coded[i] = _coded(pa.chunked_array(chunks.pop(i), dtype))
    missing = Coded(np.full(rows, -1, np.int32), pa.array([], pa.string()))
    return Rows(path.name, [coded.get(i, missing) for i in indices], None)


def _coded(column: pa.ChunkedArray) -> Coded:
    """Codes and distinct values of a dictionary column, values stripped, empty -> None."""
    if column.num_chunks == 0:
        return Coded(np.empty(0, np.int32), pa.array([], pa.string()))
    unified = column.unify_dictionaries()
    del column
    dictionary = unified.chunk(0).dictionary
    codes = np.empty(len(unified), np.int32)
    at = 0
    for c in unified.chunks:
        codes[at:at + len(c)] = c.indices.fill_null(-1).to_numpy(zero_copy_only=False)
        at += len(c)
    del unified
    stripped = pc.utf8_trim(dictionary, characters=_WHITESPACE)
    stripped = pc.if_else(pc.equal(stripped, ""), pa.scalar(None, pa.string()), stripped)
    return _from_dictionary(codes, stripped)


def _from_dictionary(codes: CodeArray, values: pa.Array) -> Coded:
    """Codes into `values` (may repeat, may hold None) made codes into distinct values."""
    enc = pc.dictionary_encode(values)
    remap = enc.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int32)
    remap = np.append(remap, np.int32(-1))  # code -1 stays None
    return Coded(remap[codes], enc.dictionary)
