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
from collections.abc import Container, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Final

from ttkg.core.errors import InputError
from ttkg.loaders.countries import to_alpha2
from ttkg.loaders.records import (
    AssigneeRecord,
    CpcRecord,
    InventorRecord,
    LocationRecord,
    PatentRecord,
)
from ttkg.loaders.report import LoadReport, Rejection
from ttkg.loaders.tabular import Col, read_rows

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


def read_patents(path: Path, report: LoadReport) -> Iterator[PatentRecord]:
    """Patents of `g_patent`. Rejects: empty patent_id, a patent_id already accepted from
    an earlier row (duplicate key; the first row wins), a bad or out-of-range patent_date,
    a num_claims that is not an integer, an unknown withdrawn flag."""
    name = path.name
    rep = report.file(name)
    last_year = date.today().year + 1
    accepted: set[str] = set()  # the ids yielded; the build keeps a dict of them anyway
    for line, (pid, ptype, pdate, title, kind, claims, withdrawn) in read_rows(
        path, _PATENT_COLUMNS, report
    ):
        if pid is None:
            report.reject(Rejection(name, line, "patent_id", "empty patent_id"))
            continue
        if pid in accepted:
            report.reject(
                Rejection(
                    name, line, "patent_id", "duplicate patent_id (an earlier row was kept)", pid
                )
            )
            continue
        if pdate is not None:
            problem = _date_problem(pdate, last_year)
            if problem:
                report.reject(Rejection(name, line, "patent_date", problem, pdate))
                continue
        num_claims = None
        if claims is not None:
            if not _is_count(claims):
                report.reject(Rejection(name, line, "num_claims", "not an integer", claims))
                continue
            num_claims = int(claims)
        flag = False
        if withdrawn is not None:
            known = _WITHDRAWN.get(withdrawn.lower())
            if known is None:
                report.reject(Rejection(name, line, "withdrawn", "not 0/1/true/false", withdrawn))
                continue
            flag = known
        rep.accepted += 1
        accepted.add(pid)
        yield PatentRecord(pid, ptype, pdate, title, kind, num_claims, flag)


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


def read_assignees(
    path: Path, report: LoadReport, *, known_patents: Container[str] | None = None
) -> Iterator[AssigneeRecord]:
    """Assignee rows of `g_assignee_not_disambiguated` (`raw_assignee_*` columns) or
    `g_assignee_disambiguated` (`disambig_assignee_*`), told apart by header names.

    Rejects rows with neither an organisation nor an individual's name, and (when
    `known_patents` is given) rows of patents not among them. Neither current table carries
    a country, only a location key (`rawlocation_id`, kept when filled: the assignee's own
    location in `g_location_*`); when an older table has a country column it is mapped to
    ISO alpha-2 like location countries.
    """
    name = path.name
    rep = report.file(name)
    for line, (pid, seq, org, first, last, atype, aid, country, location) in read_rows(
        path, _ASSIGNEE_COLUMNS, report
    ):
        key = _row_key(name, line, pid, seq, "assignee_sequence", known_patents)
        if isinstance(key, Rejection):
            report.reject(key)
            continue
        pid, number = key
        if org is None and first is None and last is None:
            report.reject(
                Rejection(name, line, "raw_assignee_organization", "no organisation nor name")
            )
            continue
        if atype is not None:
            m = _FLOAT_CODE.match(atype)
            if m:
                atype = m.group(1)
        rep.accepted += 1
        yield AssigneeRecord(
            pid,
            number,
            org,
            first,
            last,
            atype,
            aid,
            to_alpha2(country) if country else None,
            location,
        )


_CPC_COLUMNS: Final = (
    Col.of("patent_id"),
    Col.of("cpc_sequence", "sequence"),
    Col.of("cpc_group", "subgroup_id"),
    Col.of("cpc_type", "category", required=False),
)


def read_cpc(
    path: Path, report: LoadReport, *, known_patents: Container[str] | None = None
) -> Iterator[CpcRecord]:
    """CPC classifications of `g_cpc_current`; the group symbol with spaces removed.

    When `known_patents` is given, rows of other patents are rejected."""
    name = path.name
    rep = report.file(name)
    group_ok = CPC_GROUP.match
    for line, (pid, seq, group, ctype) in read_rows(path, _CPC_COLUMNS, report):
        key = _row_key(name, line, pid, seq, "cpc_sequence", known_patents)
        if isinstance(key, Rejection):
            report.reject(key)
            continue
        pid, number = key
        symbol = group.replace(" ", "") if group is not None else ""
        if not group_ok(symbol):
            report.reject(Rejection(name, line, "cpc_group", "not a CPC group symbol", group or ""))
            continue
        if ctype is not None:
            ctype = ctype.lower()
            if ctype not in _CPC_TYPES:
                report.reject(
                    Rejection(name, line, "cpc_type", "not inventional or additional", ctype)
                )
                continue
        rep.accepted += 1
        yield CpcRecord(pid, number, symbol, ctype)


_INVENTOR_COLUMNS: Final = (
    Col.of("patent_id"),
    Col.of("inventor_sequence", "sequence"),
    Col.of("rawlocation_id", "location_id", required=False),
)


def read_inventors(
    path: Path, report: LoadReport, *, known_patents: Container[str] | None = None
) -> Iterator[InventorRecord]:
    """Inventor rows (patent, sequence, location key) of `g_inventor_not_disambiguated`
    or `g_inventor_disambiguated`; names are not read (the graph does not use them).

    When `known_patents` is given, rows of other patents are rejected."""
    name = path.name
    rep = report.file(name)
    for line, (pid, seq, location) in read_rows(path, _INVENTOR_COLUMNS, report):
        key = _row_key(name, line, pid, seq, "inventor_sequence", known_patents)
        if isinstance(key, Rejection):
            report.reject(key)
            continue
        pid, number = key
        rep.accepted += 1
        yield InventorRecord(pid, number, location)


_LOCATION_COLUMNS: Final = (
    Col.of("rawlocation_id", "id", "location_id"),  # old rawlocation: id + location_id
    Col.of("raw_city", "disambig_city", "city", required=False),
    Col.of("raw_state", "disambig_state", "state", required=False),
    Col.of("raw_country", "disambig_country", "country"),
)


def read_locations(path: Path, report: LoadReport) -> Iterator[LocationRecord]:
    """Locations of `g_location_not_disambiguated` (or `g_location_disambiguated`), the
    country mapped to ISO alpha-2; an unknown country code leaves country None. A location
    id repeating an accepted one is rejected as a duplicate (the first row is kept)."""
    name = path.name
    rep = report.file(name)
    unknown: set[str] = set()
    accepted: set[str] = set()
    for line, (lid, city, state, country) in read_rows(path, _LOCATION_COLUMNS, report):
        if lid is None:
            report.reject(Rejection(name, line, "rawlocation_id", "empty location id"))
            continue
        if lid in accepted:
            report.reject(
                Rejection(
                    name,
                    line,
                    "rawlocation_id",
                    "duplicate location id (an earlier row was kept)",
                    lid,
                )
            )
            continue
        accepted.add(lid)
        alpha2 = to_alpha2(country)
        if alpha2 is None and country is not None and country not in unknown:
            unknown.add(country)
            log.info("%s:%d: country code %r is not a known country", name, line, country)
        rep.accepted += 1
        yield LocationRecord(lid, city, state, alpha2)


def _row_key(
    name: str,
    line: int,
    pid: str | None,
    seq: str | None,
    seq_field: str,
    known_patents: Container[str] | None,
) -> tuple[str, int] | Rejection:
    """A row's (patent_id, sequence) key, or why it is unusable: empty or unknown patent, or
    a sequence that is not a non-negative integer."""
    if pid is None:
        return Rejection(name, line, "patent_id", "empty patent_id")
    if known_patents is not None and pid not in known_patents:
        return Rejection(name, line, "patent_id", _UNKNOWN_PATENT, pid)
    if seq is None or not _is_count(seq):
        return Rejection(name, line, seq_field, "not an integer", seq or "")
    return pid, int(seq)


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
