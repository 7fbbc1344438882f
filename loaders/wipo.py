"""WIPO IPC -> technology concordance: 35 technology fields in 5 sectors (Schmoch 2008,
with WIPO's later updates).

Source: WIPO's IPC-technology concordance table, as carried in PatentsView-DB's persistent
files (`ipc_technology.csv`); published by WIPO for statistical use, credit "WIPO" (no other
licence is stated with the file). Layout: comma-separated, UTF-8 with a byte-order mark,
CRLF, a header row with columns `Field_number, Sector_en, Sector_fr, Sector_es, Field_en,
Field_fr, Field_es, IPC_code, Updated_on, Remark`. `IPC_code` is an SQL LIKE pattern kept
as published: `H01L%` covers a subclass, `H04N   3/%` exactly main group 3 of H04N (the
spaces pad the group number).

Rejected rows: a field number that is not an integer, an empty or malformed pattern, an
empty field or sector name.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Final

from ttkg.loaders.records import WipoFieldPattern
from ttkg.loaders.report import LoadReport, Rejection
from ttkg.loaders.tabular import Col, read_rows

#: IPC subclass, optionally with a main group and a subgroup prefix, then `%`.
IPC_PATTERN: Final = re.compile(r"^[A-HY]\d\d[A-Z](?: *\d{1,4}/\d*)?%?$")

_COLUMNS: Final = (
    Col.of("Field_number"),
    Col.of("Sector_en"),
    Col.of("Field_en"),
    Col.of("IPC_code"),
)


def read_wipo(path: Path, report: LoadReport) -> Iterator[WipoFieldPattern]:
    """Field patterns of `ipc_technology.csv` (plain, or the one .csv inside a .zip)."""
    name = path.name
    rep = report.file(name)
    rows = read_rows(path, _COLUMNS, report, delimiter=",", suffixes=(".csv",))
    for line, (number, sector, field, pattern) in rows:
        if number is None or not (number.isascii() and number.isdigit()):
            report.reject(Rejection(name, line, "Field_number", "not an integer", number or ""))
            continue
        if pattern is None:
            report.reject(Rejection(name, line, "IPC_code", "empty pattern"))
            continue
        if not IPC_PATTERN.match(pattern):
            report.reject(Rejection(name, line, "IPC_code", "not an IPC LIKE pattern", pattern))
            continue
        if field is None:
            report.reject(Rejection(name, line, "Field_en", "empty field name"))
            continue
        if sector is None:
            report.reject(Rejection(name, line, "Sector_en", "empty sector name"))
            continue
        rep.accepted += 1
        yield WipoFieldPattern(int(number), field, sector, pattern)
