"""ROR (Research Organization Registry) data dump, schema v2.

Source: https://ror.org (Zenodo "ROR Data" dumps), licence CC0. Layout: a zip holding
`<version>-ror-data_schema_v2.json` (older dumps also hold the v1 `.json` and `.csv` files
beside it), or that `.json` alone. The JSON is one array of organisation objects with `id`,
`names` (value + types: ror_display, label, alias, acronym), `types`, `status`,
`established`, `locations` (geonames_details.country_code), `relationships`, `domains`.

The array is streamed one object at a time with the standard library's `JSONDecoder.raw_decode`
over a sliding buffer, so memory stays flat on the full dump (no extra dependency).

Rejections name the record by its 1-based position in the array (`line`). A record without
an id of the form https://ror.org/xxxxxxxxx or without a `ror_display` name, with an
unknown status, or holding bytes that are not UTF-8, is rejected. `established` that is not
an integer becomes None. A v1 record (`name` instead of `names`) is an InputError: the
wrong file of the dump was given.
"""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, Final, TextIO

from ttkg.core.errors import InputError
from ttkg.loaders.records import RorRecord, RorRelationship
from ttkg.loaders.report import LoadReport, Rejection
from ttkg.loaders.tabular import ARCHIVE_ERRORS, ROW, list_members, open_binary, shown, undecodable

log = logging.getLogger(__name__)

ROR_ID: Final = re.compile(r"^https://ror\.org/0[a-z0-9]{8}$")
STATUSES: Final = frozenset({"active", "inactive", "withdrawn"})

_CHUNK: Final = 1 << 20
#: A syntax error this far before the end of the buffer is not mere truncation of the buffer.
_LOOKAHEAD: Final = 1 << 16
#: Largest single record accepted; a larger one means the file is not a ROR dump.
_MAX_RECORD: Final = 1 << 26


def read_ror(path: Path, report: LoadReport) -> Iterator[RorRecord]:
    """Organisations of a ROR v2 dump (`.zip` or `.json`)."""
    name = path.name
    rep = report.file(name)
    member = _pick_json(path) if name.lower().endswith(".zip") else None
    with open_binary(path, member=member, suffixes=(".json",)) as binary:
        text = _utf8(binary)
        index = 0
        try:
            for index, (obj, clean) in enumerate(_iter_array(text, name), start=1):
                rep.read += 1
                if not clean:
                    ror_id = obj.get("id") if isinstance(obj, dict) else None
                    report.reject(
                        Rejection(name, index, ROW, "not valid UTF-8", shown(str(ror_id or "")))
                    )
                    continue
                rec = _record(obj, name, index, report)
                if rec is not None:
                    rep.accepted += 1
                    yield rec
        except ARCHIVE_ERRORS as exc:
            raise InputError(
                name, f"archive is corrupt or truncated: {exc}", line=index + 1
            ) from None


def _pick_json(path: Path) -> str:
    """The schema-v2 JSON member of a dump archive."""
    jsons = [m for m in list_members(path) if m.lower().endswith(".json")]
    if len(jsons) == 1:
        return jsons[0]
    v2 = [m for m in jsons if "schema_v2" in m.lower()]
    if len(v2) == 1:
        return v2[0]
    if not jsons:
        raise InputError(path.name, "archive holds no .json member")
    raise InputError(path.name, f"cannot tell which JSON member is schema v2: {', '.join(jsons)}")


def _utf8(binary: IO[bytes]) -> TextIO:
    """Text with undecodable bytes kept as surrogate escapes, found per record later."""
    return io.TextIOWrapper(binary, encoding="utf-8-sig", errors="surrogateescape")


def _iter_array(fh: TextIO, name: str) -> Iterator[tuple[Any, bool]]:
    """Yield the elements of a top-level JSON array, reading `fh` in chunks, each with
    whether its text was free of undecodable bytes."""
    decoder = json.JSONDecoder()
    buf = fh.read(_CHUNK)
    pos = 0
    eof = not buf
    count = 0

    def refill() -> None:
        nonlocal buf, pos, eof
        more = fh.read(_CHUNK)
        eof = not more
        buf = buf[pos:] + more
        pos = 0

    def skip_ws() -> None:
        nonlocal pos
        while True:
            while pos < len(buf) and buf[pos] in " \t\r\n":
                pos += 1
            if pos < len(buf) or eof:
                return
            refill()

    skip_ws()
    if pos >= len(buf):
        raise InputError(name, "empty file: expected a JSON array of ROR records")
    if buf[pos] != "[":
        raise InputError(name, "not a JSON array of ROR records", line=1)
    pos += 1
    after_comma = False
    while True:
        skip_ws()
        if pos >= len(buf):
            raise InputError(
                name, "JSON ends before the array is closed (truncated?)", line=count + 1
            )
        if not after_comma and buf[pos] == "]":
            pos += 1
            skip_ws()
            if pos < len(buf):
                raise InputError(name, "unexpected data after the JSON array", line=count + 1)
            return
        if count and not after_comma:
            if buf[pos] != ",":
                raise InputError(
                    name, f"expected ',' between records, found {buf[pos]!r}", line=count + 1
                )
            pos += 1
            after_comma = True
            continue
        try:
            obj, end = decoder.raw_decode(buf, pos)
        except json.JSONDecodeError as exc:
            near_end = exc.pos >= len(buf) - _LOOKAHEAD
            if eof or not near_end or len(buf) - pos > _MAX_RECORD:
                raise InputError(name, f"invalid JSON: {exc.msg}", line=count + 1) from None
            refill()
            continue
        if end == len(buf) and not eof:  # a number may continue in the next chunk
            refill()
            continue
        clean = not undecodable(buf[pos:end])
        pos = end
        count += 1
        after_comma = False
        yield obj, clean


def _record(obj: Any, name: str, index: int, report: LoadReport) -> RorRecord | None:
    """One ROR record, or None after rejecting it."""
    if not isinstance(obj, dict):
        report.reject(Rejection(name, index, ROW, "record is not a JSON object", str(obj)[:80]))
        return None
    if "names" not in obj and "name" in obj:
        raise InputError(
            name,
            "ROR schema v1 record; give the dump's *_schema_v2.json file",
            line=index,
        )
    ror_id = obj.get("id")
    if not isinstance(ror_id, str) or not ROR_ID.match(ror_id.strip()):
        report.reject(
            Rejection(name, index, "id", "missing or malformed ROR id", str(ror_id or ""))
        )
        return None
    ror_id = ror_id.strip()
    display: str | None = None
    labels: list[str] = []
    aliases: list[str] = []
    acronyms: list[str] = []
    for entry in _list(obj.get("names")):
        if not isinstance(entry, dict):
            continue
        value = _text(entry.get("value"))
        if value is None:
            continue
        kinds = _list(entry.get("types"))
        if "ror_display" in kinds and display is None:
            display = value
        elif "label" in kinds:
            labels.append(value)
        if "alias" in kinds:
            aliases.append(value)
        if "acronym" in kinds:
            acronyms.append(value)
    if display is None:
        report.reject(Rejection(name, index, "names", "no ror_display name", ror_id))
        return None
    status = _text(obj.get("status"))
    if status is None or status not in STATUSES:
        report.reject(Rejection(name, index, "status", "unknown status", str(status or "")))
        return None
    established = obj.get("established")
    if not isinstance(established, int) or isinstance(established, bool):
        established = None
    country = None
    locations = _list(obj.get("locations"))
    if locations and isinstance(locations[0], dict):
        details = locations[0].get("geonames_details")
        if isinstance(details, dict):
            code = _text(details.get("country_code"))
            country = code.upper() if code else None
    relationships = []
    for rel in _list(obj.get("relationships")):
        if isinstance(rel, dict):
            rtype, rid = _text(rel.get("type")), _text(rel.get("id"))
            if rtype and rid:
                relationships.append(RorRelationship(rtype, rid, _text(rel.get("label"))))
    return RorRecord(
        ror_id=ror_id,
        name=display,
        labels=tuple(labels),
        aliases=tuple(aliases),
        acronyms=tuple(acronyms),
        types=tuple(t for t in _list(obj.get("types")) if isinstance(t, str)),
        country=country,
        status=status,
        established=established,
        relationships=tuple(relationships),
        domains=tuple(d for d in _list(obj.get("domains")) if isinstance(d, str)),
    )


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _text(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    return value.strip() or None
