"""PatentsView granted-patent bulk tables (USPTO), read as published.

Source: https://patentsview.org/download/data-download-tables, licence CC BY 4.0
("PatentsView, U.S. Patent and Trademark Office"). Layout: one table per file, `g_<name>.tsv`
or the same zipped as `g_<name>.tsv.zip`; tab-separated, a header row, fields double-quoted
in current releases (unquoted or partly quoted in older ones: the csv module reads all of
them). Columns are taken by name; aliases cover the column names of older releases
(`sequence`, `category`, `subgroup_id`, `organization`, `city`, ...). Unknown columns are
ignored.

Row rules (a broken row is rejected with file, line and field, never dropped silently):

* `patent_id` must be present in every table; in `g_patent` it is the key: a later row
  repeating an accepted patent_id is rejected as a duplicate (the first row is kept);
* `patent_date`: ISO `yyyy-mm-dd`, a real date, year 1790..next year; empty -> None;
* `num_claims`: a non-negative integer or empty; anything else rejects the row;
* `withdrawn`: 0/1/true/false (any case) or empty (= not withdrawn), else rejected;
* sequences: non-negative integers;
* CPC group: spaces removed (`H04N   3/00` -> `H04N3/00`), must be a CPC group symbol;
* `cpc_type`: inventional, additional or empty;
* an assignee row needs an organisation or an individual's name;
* `assignee_type` is kept as the raw code string, `3.0` normalised to `3`;
* assignee, CPC and inventor rows of patents outside `known_patents` (when the caller
  passes the patents it accepted) are rejected, so no edge points at a missing patent;
* location `raw_country` is mapped to ISO alpha-2 by `loaders.countries.to_alpha2`
  (None when unknown; the row is kept).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Final

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from ttkg.core.errors import InputError
from ttkg.loaders.columnar import CodeArray, Coded, IntArray, Rows, read_columns
from ttkg.loaders.countries import to_alpha2
from ttkg.loaders.records import (
    AssigneeRecord,
    CpcRecord,
    InventorRecord,
    LocationRecord,
    PatentRecord,
)
from ttkg.loaders.report import LoadReport, Rejection
from ttkg.loaders.tabular import Col

log = logging.getLogger(__name__)

#: Earliest year a US patent can carry (the first was granted in 1790).
FIRST_PATENT_YEAR: Final = 1790

CPC_GROUP: Final = re.compile(r"^[A-HY]\d\d[A-Z]\d{1,4}/\d{2,6}$")
_ISO_DATE: Final = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_FLOAT_CODE: Final = re.compile(r"^(\d+)\.0+$")
_CPC_TYPES: Final = frozenset({"inventional", "additional"})
_WITHDRAWN: Final = {"0": False, "1": True, "false": False, "true": True}
_UNKNOWN_PATENT: Final = "patent not among the patents read (missing or rejected in g_patent)"


@dataclass(frozen=True)
class PatentsViewFiles:
    """The PatentsView tables found in one directory."""

    patent: Path
    assignee: Path
    cpc: Path
    inventor: Path | None
    location: Path | None
    abstract: Path | None
    assignee_disambiguated: bool


def find_tables(directory: Path) -> PatentsViewFiles:
    """Locate the tables a build needs in `directory` (`g_x.tsv.zip` preferred to `g_x.tsv`).

    Assignees come from `g_assignee_disambiguated` when present, else from
    `g_assignee_not_disambiguated`. Inventors and locations are paired by kind (raw
    locations key raw inventor rows, disambiguated locations the disambiguated ones).
    """
    if not directory.is_dir():
        raise InputError(str(directory), "not a directory of PatentsView tables")

    def find(table: str) -> Path | None:
        for suffix in (".tsv.zip", ".tsv"):
            candidate = directory / (table + suffix)
            if candidate.is_file():
                return candidate
        return None

    def need(*tables: str) -> Path:
        for table in tables:
            found = find(table)
            if found is not None:
                return found
        raise InputError(
            str(directory),
            "missing PatentsView table " + " or ".join(f"{t}.tsv(.zip)" for t in tables),
        )

    assignee = need("g_assignee_disambiguated", "g_assignee_not_disambiguated")
    inventor = find("g_inventor_not_disambiguated")
    location = find("g_location_not_disambiguated")
    if inventor is None:
        inventor = find("g_inventor_disambiguated")
        location = find("g_location_disambiguated") if inventor is not None else location
    if inventor is not None and location is None:
        log.warning(
            "%s: no location table matching %s; inventor countries unknown",
            directory,
            inventor.name,
        )
    return PatentsViewFiles(
        patent=need("g_patent"),
        assignee=assignee,
        cpc=need("g_cpc_current"),
        inventor=inventor,
        location=location,
        abstract=find("g_patent_abstract"),
        assignee_disambiguated=assignee.name.startswith("g_assignee_disambiguated"),
    )


_PATENT_COLUMNS: Final = (
    Col.of("patent_id", "id"),
    Col.of("patent_type", "type", required=False),
    Col.of("patent_date", "date"),
    Col.of("patent_title", "title", required=False),
    Col.of("wipo_kind", "kind", required=False),
    Col.of("num_claims", required=False),
    Col.of("withdrawn", required=False),
)


@dataclass(frozen=True)
class PatentRows:
    """The accepted rows of `g_patent`, in file order, as columns."""

    lines: IntArray
    #: patent_id, type, date, title, wipo kind (strings; all but patent_id may be null),
    #: num_claims (int64 or null), withdrawn (bool), year (int64 or null)
    table: pa.Table


def patent_rows(path: Path, report: LoadReport) -> PatentRows:
    """The patents of `g_patent`. Rejects: empty patent_id, a patent_id already accepted from
    an earlier row (duplicate key; the first row wins), a bad or out-of-range patent_date,
    a num_claims that is not an integer, an unknown withdrawn flag."""
    rows = read_columns(path, _PATENT_COLUMNS, report)
    pid, ptype, pdate, title, kind, claims, withdrawn = rows.columns
    n = len(rows)
    last_year = date.today().year + 1
    problems: list[tuple[int, str, str, str]] = []  # (row, field, reason, value)
    # later checks: date, claims, withdrawn, each decided once per distinct value
    date_problem = [_date_problem(v, last_year) for v in pdate.distinct()]
    date_bad = pdate.mapped(np.array([p is not None for p in date_problem], bool), False)
    claim_values = claims.distinct()
    claims_bad = claims.mapped(np.array([not _is_count(v) for v in claim_values], bool), False)
    flags = [_WITHDRAWN.get(v.lower()) for v in withdrawn.distinct()]
    flag_bad = withdrawn.mapped(np.array([f is None for f in flags], bool), False)
    later_bad = date_bad | claims_bad | flag_bad
    # a duplicate is a row whose patent_id an earlier accepted row holds
    has_id = pid.codes >= 0
    candidate = np.flatnonzero(has_id & ~later_bad)
    first_accepted = np.full(len(pid.values) + 1, n, np.int64)
    ids, first = np.unique(pid.codes[candidate], return_index=True)
    first_accepted[ids] = candidate[first]
    row = np.arange(n)
    duplicate = has_id & (first_accepted[pid.codes] < row)
    accepted = has_id & ~duplicate & ~later_bad
    values = [pid.distinct(), pdate.distinct(), claim_values, withdrawn.distinct()]
    for i in np.flatnonzero(~accepted).tolist():
        if not has_id[i]:
            problems.append((i, "patent_id", "empty patent_id", ""))
        elif duplicate[i]:
            problems.append((i, "patent_id", "duplicate patent_id (an earlier row was kept)",
                             values[0][pid.codes[i]]))
        elif date_bad[i]:
            problems.append((i, "patent_date", date_problem[pdate.codes[i]] or "",
                             values[1][pdate.codes[i]]))
        elif claims_bad[i]:
            problems.append((i, "num_claims", "not an integer", values[2][claims.codes[i]]))
        else:
            problems.append((i, "withdrawn", "not 0/1/true/false", values[3][withdrawn.codes[i]]))
    _report(report, rows, problems)
    keep = np.flatnonzero(accepted)
    claim_ints = np.array([int(v) if _is_count(v) else 0 for v in claim_values], np.int64)
    flag_array = np.array([bool(f) for f in flags], bool)
    years = np.array([int(v[:4]) if problem is None else 0
                      for v, problem in zip(pdate.distinct(), date_problem, strict=True)],
                     np.int64)
    date_kept = pdate.take(keep)
    table = pa.table({
        "patent_id": _strings(pid.take(keep)),
        "patent_type": _strings(ptype.take(keep)),
        "date": _strings(date_kept),
        "title": _strings(title.take(keep)),
        "wipo_kind": _strings(kind.take(keep)),
        "num_claims": _ints(claims.take(keep), claim_ints),
        "withdrawn": withdrawn.take(keep).mapped(flag_array, False),
        "year": _ints(date_kept, years),
    })
    report.file(path.name).accepted += len(keep)
    return PatentRows(rows.lines(keep), table)


def read_patents(path: Path, report: LoadReport) -> Iterator[PatentRecord]:
    """Patents of `g_patent` as records (`patent_rows` says which rows are rejected)."""
    t = patent_rows(path, report).table
    for r in zip(*(t.column(c).to_pylist() for c in _PATENT_FIELDS), strict=True):
        yield PatentRecord(*r)


_PATENT_FIELDS: Final = (
    "patent_id", "patent_type", "date", "title", "wipo_kind", "num_claims", "withdrawn"
)


def _strings(column: Coded) -> pa.Array:
    """A coded column as an Arrow string array (null where None)."""
    if not len(column):
        return pa.array([], pa.string())
    return column.values.take(pa.array(column.codes, pa.int64(), mask=column.codes < 0))


def _ints(column: Coded, per_value: IntArray) -> pa.Array:
    """A coded column as int64 through `per_value` (null where None)."""
    return pa.array(column.mapped(per_value, 0), pa.int64(), mask=column.codes < 0)


def _report(report: LoadReport, rows: Rows, problems: list[tuple[int, str, str, str]]) -> None:
    """Report rejected rows in line order (each row has one problem: its first), the rows
    the reader found malformed among them."""
    lines = rows.lines(np.array([p[0] for p in problems], np.int64)).tolist()
    found = [Rejection(rows.file, line, field, reason, value)
             for (_, field, reason, value), line in zip(problems, lines, strict=True)]
    for r in sorted([*found, *rows.rejected], key=lambda r: r.line):
        report.reject(r)


_ASSIGNEE_COLUMNS: Final = (
    Col.of("patent_id"),
    Col.of("assignee_sequence", "sequence"),
    Col.of("raw_assignee_organization", "disambig_assignee_organization", "organization"),
    Col.of(
        "raw_assignee_individual_name_first",
        "disambig_assignee_individual_name_first",
        "name_first",
        required=False,
    ),
    Col.of(
        "raw_assignee_individual_name_last",
        "disambig_assignee_individual_name_last",
        "name_last",
        required=False,
    ),
    Col.of("assignee_type", "type"),
    Col.of("assignee_id", required=False),
    Col.of("raw_country", "disambig_country", "country", required=False),
    Col.of("rawlocation_id", "location_id", required=False, lenient=True),
)


@dataclass(frozen=True)
class KeyedRows:
    """Accepted rows of a table keyed by (patent_id, sequence), in file order, as columns:
    `patent[i]` (int32) indexes `patent_ids` (the known patents when given, else the
    distinct ids read); `sequence` is int32 when every value fits, else int64; `columns`
    are the table's other columns by name. Line numbers of accepted rows are not kept (63M
    CPC rows: 500 MB): rejected rows carry theirs in the report."""

    patent: CodeArray
    patent_ids: pa.Array
    sequence: npt.NDArray[np.int32] | npt.NDArray[np.int64]
    columns: dict[str, Coded]

    def __len__(self) -> int:
        return len(self.patent)

    def patent_list(self) -> list[str]:
        """The patent_id of every row."""
        ids: list[str] = self.patent_ids.to_pylist()
        return [ids[i] for i in self.patent.tolist()]


_Keys = tuple[npt.NDArray[np.bool_], CodeArray, pa.Array,
              npt.NDArray[np.int32] | npt.NDArray[np.int64]]


def _keys(
    rows: Rows,
    pid: Coded,
    seq: Coded,
    seq_field: str,
    known: pa.Array | None,
    problems: list[tuple[int, str, str, str]],
) -> _Keys:
    """Rows with a usable (patent_id, sequence) key; the others get their problem: empty or
    unknown patent, or a sequence that is not a non-negative integer. Returns the mask, the
    patent index and sequence of every row, and the ids the index points into."""
    has_id = pid.codes >= 0
    if known is not None:
        found = pc.index_in(pid.values, value_set=known).fill_null(-1)
        patent = pid.mapped(found.to_numpy(zero_copy_only=False).astype(np.int32), -1)
        ids = known
    else:
        patent, ids = pid.codes, pid.values
    seq_values = seq.distinct()
    seq_ok = seq.mapped(np.array([_is_count(v) for v in seq_values], bool), False)
    numbers = [int(v) if _is_count(v) else -1 for v in seq_values]
    small = max(numbers, default=0) < 2**31
    sequence = seq.mapped(np.array(numbers, np.int32 if small else np.int64), -1)
    ok = has_id & (patent >= 0) & seq_ok
    pids = pid.distinct()
    for i in np.flatnonzero(~ok).tolist():
        if not has_id[i]:
            problems.append((i, "patent_id", "empty patent_id", ""))
        elif patent[i] < 0:
            problems.append((i, "patent_id", _UNKNOWN_PATENT, pids[pid.codes[i]]))
        else:
            value = seq_values[seq.codes[i]] if seq.codes[i] >= 0 else ""
            problems.append((i, seq_field, "not an integer", value))
    return ok, patent, ids, sequence


def _known(known_patents: Iterable[str] | pa.Array | None) -> pa.Array | None:
    if known_patents is None or isinstance(known_patents, (pa.Array, pa.ChunkedArray)):
        return known_patents
    return pa.array(list(known_patents), pa.string())


def _keyed(
    path: Path,
    report: LoadReport,
    rows: Rows,
    keep: npt.NDArray[np.bool_],
    keys: _Keys,
    problems: list[tuple[int, str, str, str]],
    columns: dict[str, Coded],
) -> KeyedRows:
    _report(report, rows, problems)
    _, patent, ids, sequence = keys
    idx = np.flatnonzero(keep)
    report.file(path.name).accepted += len(idx)
    return KeyedRows(patent[idx], ids, sequence[idx],
                     {name: col.take(idx) for name, col in columns.items()})


def assignee_rows(
    path: Path, report: LoadReport, *, known_patents: Iterable[str] | pa.Array | None = None
) -> KeyedRows:
    """Assignee rows of `g_assignee_not_disambiguated` (`raw_assignee_*` columns) or
    `g_assignee_disambiguated` (`disambig_assignee_*`), told apart by header names; columns
    organization, first_name, last_name, assignee_type, assignee_id, country, rawlocation_id.

    Rejects rows with neither an organisation nor an individual's name, and (when
    `known_patents` is given) rows of patents not among them. Neither current table carries
    a country, only a location key (`rawlocation_id`, kept when filled: the assignee's own
    location in `g_location_*`); when an older table has a country column it is mapped to
    ISO alpha-2 like location countries. `assignee_type` is the raw code, `3.0` read as `3`.
    """
    rows = read_columns(path, _ASSIGNEE_COLUMNS, report)
    pid, seq, org, first, last, atype, aid, country, location = rows.columns
    problems: list[tuple[int, str, str, str]] = []
    keys = _keys(rows, pid, seq, "assignee_sequence", _known(known_patents), problems)
    named = (org.codes >= 0) | (first.codes >= 0) | (last.codes >= 0)
    for i in np.flatnonzero(keys[0] & ~named).tolist():
        problems.append((i, "raw_assignee_organization", "no organisation nor name", ""))
    types = []
    for v in atype.distinct():
        m = _FLOAT_CODE.match(v)
        types.append(m.group(1) if m else v)
    return _keyed(path, report, rows, keys[0] & named, keys, problems, {
        "organization": org,
        "first_name": first,
        "last_name": last,
        "assignee_type": atype.recoded(types),
        "assignee_id": aid,
        "country": country.recoded([to_alpha2(v) for v in country.distinct()]),
        "rawlocation_id": location,
    })


def read_assignees(
    path: Path, report: LoadReport, *, known_patents: Iterable[str] | None = None
) -> Iterator[AssigneeRecord]:
    """Assignee rows as records (`assignee_rows` says which rows are rejected)."""
    t = assignee_rows(path, report, known_patents=known_patents)
    cols = [t.columns[c].pylist() for c in (
        "organization", "first_name", "last_name", "assignee_type", "assignee_id", "country",
        "rawlocation_id")]
    for pid, seq, *rest in zip(t.patent_list(), t.sequence.tolist(), *cols, strict=True):
        yield AssigneeRecord(pid, seq, *rest)


_CPC_COLUMNS: Final = (
    Col.of("patent_id"),
    Col.of("cpc_sequence", "sequence"),
    Col.of("cpc_group", "subgroup_id"),
    Col.of("cpc_type", "category", required=False),
)


def cpc_rows(
    path: Path, report: LoadReport, *, known_patents: Iterable[str] | pa.Array | None = None
) -> KeyedRows:
    """CPC classifications of `g_cpc_current`; columns symbol (the group symbol with spaces
    removed) and cpc_type (lower case). When `known_patents` is given, rows of other patents
    are rejected."""
    rows = read_columns(path, _CPC_COLUMNS, report)
    pid, seq, group, ctype = rows.columns
    problems: list[tuple[int, str, str, str]] = []
    keys = _keys(rows, pid, seq, "cpc_sequence", _known(known_patents), problems)
    groups = group.distinct()
    symbols = [g.replace(" ", "") for g in groups]
    group_ok = group.mapped(np.array([CPC_GROUP.match(x) is not None for x in symbols], bool),
                            False)
    lowered = [t.lower() for t in ctype.distinct()]
    type_ok = ctype.mapped(np.array([t in _CPC_TYPES for t in lowered], bool), True)
    for i in np.flatnonzero(keys[0] & ~(group_ok & type_ok)).tolist():
        if not group_ok[i]:
            value = groups[group.codes[i]] if group.codes[i] >= 0 else ""
            problems.append((i, "cpc_group", "not a CPC group symbol", value))
        else:
            problems.append((i, "cpc_type", "not inventional or additional",
                             lowered[ctype.codes[i]]))
    return _keyed(path, report, rows, keys[0] & group_ok & type_ok, keys, problems, {
        "symbol": group.recoded(symbols),
        "cpc_type": ctype.recoded(lowered),
    })


def read_cpc(
    path: Path, report: LoadReport, *, known_patents: Iterable[str] | None = None
) -> Iterator[CpcRecord]:
    """CPC classifications as records (`cpc_rows` says which rows are rejected)."""
    t = cpc_rows(path, report, known_patents=known_patents)
    for pid, seq, symbol, ctype in zip(t.patent_list(), t.sequence.tolist(),
                                       t.columns["symbol"].pylist(),
                                       t.columns["cpc_type"].pylist(), strict=True):
        assert symbol is not None
        yield CpcRecord(pid, seq, symbol, ctype)


_INVENTOR_COLUMNS: Final = (
    Col.of("patent_id"),
    Col.of("inventor_sequence", "sequence"),
    Col.of("rawlocation_id", "location_id", required=False),
)
_INVENTOR_NAMES: Final = (
    Col.of("raw_inventor_name_first", "disambig_inventor_name_first", "name_first",
           required=False),
    Col.of("raw_inventor_name_last", "disambig_inventor_name_last", "name_last",
           required=False),
)


def inventor_rows(
    path: Path, report: LoadReport, *, known_patents: Iterable[str] | pa.Array | None = None,
    names: bool = False,
) -> KeyedRows:
    """Inventor rows (patent, sequence, column rawlocation_id) of
    `g_inventor_not_disambiguated` or `g_inventor_disambiguated`; with `names` also the
    columns name_first and name_last (the family step's shared-inventor evidence; the graph
    stores no names). When `known_patents` is given, rows of other patents are rejected."""
    rows = read_columns(path, _INVENTOR_COLUMNS + (_INVENTOR_NAMES if names else ()), report)
    pid, seq, location, *named = rows.columns
    problems: list[tuple[int, str, str, str]] = []
    keys = _keys(rows, pid, seq, "inventor_sequence", _known(known_patents), problems)
    extra = dict(zip(("name_first", "name_last"), named, strict=False))
    return _keyed(path, report, rows, keys[0], keys, problems,
                  {"rawlocation_id": location, **extra})


def read_inventors(
    path: Path, report: LoadReport, *, known_patents: Iterable[str] | None = None
) -> Iterator[InventorRecord]:
    """Inventor rows as records (`inventor_rows` says which rows are rejected)."""
    t = inventor_rows(path, report, known_patents=known_patents)
    for r in zip(t.patent_list(), t.sequence.tolist(), t.columns["rawlocation_id"].pylist(),
                 strict=True):
        yield InventorRecord(*r)


def read_inventor_names(
    path: Path, report: LoadReport, *, known_patents: Iterable[str] | None = None
) -> Iterator[tuple[str, str | None, str | None]]:
    """(patent id, first name, last name) of every accepted inventor row."""
    t = inventor_rows(path, report, known_patents=known_patents, names=True)
    if "name_first" not in t.columns:
        return
    yield from zip(t.patent_list(), t.columns["name_first"].pylist(),
                   t.columns["name_last"].pylist(), strict=True)


_LOCATION_COLUMNS: Final = (
    Col.of("rawlocation_id", "id", "location_id"),  # old rawlocation: id + location_id
    Col.of("raw_city", "disambig_city", "city", required=False),
    Col.of("raw_state", "disambig_state", "state", required=False),
    Col.of("raw_country", "disambig_country", "country"),
)


@dataclass(frozen=True)
class LocationRows:
    """Accepted rows of `g_location_*`: id, city, state, country (ISO alpha-2 or None)."""

    lines: IntArray
    columns: dict[str, Coded]


def location_rows(path: Path, report: LoadReport) -> LocationRows:
    """Locations of `g_location_not_disambiguated` (or `g_location_disambiguated`), the
    country mapped to ISO alpha-2; an unknown country code leaves country None. A location
    id repeating an accepted one is rejected as a duplicate (the first row is kept)."""
    rows = read_columns(path, _LOCATION_COLUMNS, report)
    lid, city, state, country = rows.columns
    has_id = lid.codes >= 0
    with_id = np.flatnonzero(has_id)
    _, first = np.unique(lid.codes[with_id], return_index=True)
    keep = np.zeros(len(rows), bool)
    keep[with_id[first]] = True
    problems: list[tuple[int, str, str, str]] = []
    ids = lid.distinct()
    for i in np.flatnonzero(~keep).tolist():
        if not has_id[i]:
            problems.append((i, "rawlocation_id", "empty location id", ""))
        else:
            problems.append((i, "rawlocation_id",
                             "duplicate location id (an earlier row was kept)",
                             ids[lid.codes[i]]))
    _report(report, rows, problems)
    idx = np.flatnonzero(keep)
    raw = country.distinct()
    alpha2 = [to_alpha2(v) for v in raw]
    kept = country.take(idx)
    unknown = {c for c in kept.codes.tolist() if c >= 0 and alpha2[c] is None}
    for c in sorted(unknown):
        log.info("%s: country code %r is not a known country", path.name, raw[c])
    report.file(path.name).accepted += len(idx)
    return LocationRows(rows.lines(idx), {
        "rawlocation_id": lid.take(idx),
        "city": city.take(idx),
        "state": state.take(idx),
        "country": kept.recoded(alpha2),
    })


def read_locations(path: Path, report: LoadReport) -> Iterator[LocationRecord]:
    """Locations as records (`location_rows` says which rows are rejected)."""
    t = location_rows(path, report)
    cols = [t.columns[c].pylist() for c in ("rawlocation_id", "city", "state", "country")]
    for lid, city, state, country in zip(*cols, strict=True):
        assert lid is not None
        yield LocationRecord(lid, city, state, country)


def _is_count(value: str) -> bool:
    """A non-negative integer written with ASCII digits only."""
    return value.isascii() and value.isdigit()


def _date_problem(value: str, last_year: int) -> str | None:
    """Why `value` is not an acceptable patent date, or None when it is."""
    if not _ISO_DATE.match(value):
        return "not an ISO date (yyyy-mm-dd)"
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        return "not a calendar date"
    if not FIRST_PATENT_YEAR <= parsed.year <= last_year:
        return f"year outside {FIRST_PATENT_YEAR}..{last_year}"
    return None
