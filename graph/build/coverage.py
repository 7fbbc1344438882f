"""What a build covers, read from the data itself: each source's release (a date or version
found in the files' contents, never their names) and the grant dates of the patents.

A by-year view must not show a false drop in the last year: `partial_last_year` says whether
the patents stop before the year's last grants (USPTO grants on Tuesdays; a year's last
Tuesday falls on 24-31 December).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["cpc_release", "patent_coverage", "ror_release"]

_LAST_MODIFIED: Final = re.compile(
    rb'"last_modified"\s*:\s*\{\s*"date"\s*:\s*"(\d{4}-\d{2}-\d{2})"'
)
_CPC_MEMBER: Final = re.compile(r"cpc-section-[A-HY]_(\d{4})(\d{2})(\d{2})\.txt$", re.IGNORECASE)


def patent_coverage(patents: pa.Table) -> dict[str, Any]:
    """First and last grant date of the patent node table, and whether the last year is
    partial."""
    dates = pc.drop_null(patents.column("date"))
    if len(dates) == 0:
        return {"first_grant": None, "last_grant": None, "partial_last_year": None}
    first, last = str(pc.min(dates).as_py()), str(pc.max(dates).as_py())
    return {
        "first_grant": first,
        "last_grant": last,
        "last_year": int(last[:4]),
        "partial_last_year": last[5:] < "12-24",
    }


def _chunks(path: Path) -> Iterator[bytes]:
    """The bytes of a JSON file, or of the JSON members of a zip, in overlapping chunks."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zf:
            for name in zf.namelist():
                if name.endswith(".json"):
                    with zf.open(name) as fh:
                        yield from _read(fh)
        return
    with path.open("rb") as fh:
        yield from _read(fh)


def _read(fh: Any, size: int = 1 << 22, overlap: int = 256) -> Iterator[bytes]:
    tail = b""
    while chunk := fh.read(size):
        yield tail + chunk
        tail = chunk[-overlap:]


def ror_release(path: Path) -> str | None:
    """The ROR dump's release: the newest `admin.last_modified.date` of its records."""
    newest: bytes | None = None
    for chunk in _chunks(path):
        for m in _LAST_MODIFIED.finditer(chunk):
            if newest is None or m.group(1) > newest:
                newest = m.group(1)
    return newest.decode() if newest else None


def cpc_release(path: Path) -> str | None:
    """The CPC Title List's version: the date in its section files (`..._20250501.txt`)."""
    if not zipfile.is_zipfile(path):
        return None
    with zipfile.ZipFile(path) as zf:
        found = {m.groups() for n in zf.namelist() if (m := _CPC_MEMBER.search(n))}
    return "-".join(max(found)) if found else None
