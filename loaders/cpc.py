"""CPC Title List: the titles of every Cooperative Patent Classification symbol.

Source: cooperativepatentclassification.org, bulk data "CPC Title List" (e.g.
CPCTitleList202505.zip), published by the EPO and the USPTO for free
reuse. Layout: a zip of nine files `cpc-section-<A..H,Y>_<yyyymmdd>.txt`, UTF-8, CRLF line
ends, no header, one symbol per line: `symbol<TAB>dots<TAB>title`. Sections, classes and
subclasses have an empty dots column; groups carry their dot level (0 = main group). Titles
contain literal double quotes, so lines are split on tabs, not parsed as CSV.

Each member is reported as its own file, `<archive>/<member>`, so that rejection line
numbers point into the member they come from. A plain `.txt` section file is read too.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Final

from ttkg.core.errors import InputError
from ttkg.loaders.records import CpcTitleRecord
from ttkg.loaders.report import LoadReport, Rejection
from ttkg.loaders.tabular import (
    ARCHIVE_ERRORS,
    MAX_LINE_CHARS,
    ROW,
    list_members,
    open_binary,
    shown,
    undecodable,
)

log = logging.getLogger(__name__)

SECTION_FILE: Final = re.compile(r"^cpc-section-[A-HY]_\d{8}\.txt$", re.IGNORECASE)
_GROUP_LEVELS: Final = frozenset({"main_group", "group"})
#: Section, class, subclass or group symbol (spaces already removed).
_BLOCK: Final = 1 << 22
#: `cpc_level` of a valid symbol by its length (longer ones are groups).
_LEVELS: Final = {1: "section", 3: "class", 4: "subclass"}
_SYMBOL: Final = re.compile(r"^[A-HY](?:\d\d(?:[A-Z](?:\d{1,4}/\d{2,6})?)?)?$")


def read_cpc_titles(path: Path, report: LoadReport) -> Iterator[CpcTitleRecord]:
    """Every symbol of a CPC Title List archive (or of one section `.txt`), in file order."""
    if not path.name.lower().endswith(".zip"):
        yield from _read_member(path, None, path.name, report)
        return
    members = sorted(m for m in list_members(path) if SECTION_FILE.match(m.rsplit("/", 1)[-1]))
    if not members:
        raise InputError(path.name, "archive holds no cpc-section-X_yyyymmdd.txt member")
    for member in members:
        yield from _read_member(path, member, f"{path.name}/{member}", report)


def _read_member(
    path: Path, member: str | None, name: str, report: LoadReport
) -> Iterator[CpcTitleRecord]:
    rep = report.file(name)
    line = 0
    with open_binary(path, member=member) as binary:
        try:
            for line, raw in enumerate(_lines(binary, name), start=1):
                text = raw.rstrip("\r\n")
                if line == 1:
                    text = text.removeprefix("\ufeff")
                if not text.strip():
                    continue
                rep.read += 1
                rec = _parse(text, name, line, report)
                if rec is not None:
                    rep.accepted += 1
                    yield rec
        except ARCHIVE_ERRORS as exc:
            raise InputError(
                name, f"archive is corrupt or truncated: {exc}", line=line + 1
            ) from None


def _lines(binary: IO[bytes], name: str) -> Iterator[str]:
    """The physical lines of a section file (split on LF as `bounded_lines` splits them,
    CR kept), decoded with undecodable bytes kept as surrogate escapes, a block of whole
    lines at a time. A line longer than `MAX_LINE_CHARS` bytes is refused as
    `bounded_lines` refuses it, having read at most one block beyond the limit."""
    line = 0
    tail = b""
    while block := binary.read(_BLOCK):
        block = tail + block
        cut = block.rfind(b"\n") + 1
        tail = block[cut:]
        if len(tail) > MAX_LINE_CHARS + 1:
            _too_long(name, line + block.count(b"\n", 0, cut) + 1)
        texts = block[:cut].decode("utf-8", "surrogateescape").split("\n")
        texts.pop()  # after the last newline: nothing
        for text in texts:
            line += 1
            if len(text) * 4 > MAX_LINE_CHARS and _content_bytes(text) > MAX_LINE_CHARS:
                _too_long(name, line)
            yield text
    if tail:
        text = tail.decode("utf-8", "surrogateescape")
        if _content_bytes(text) > MAX_LINE_CHARS:
            _too_long(name, line + 1)
        yield text


def _content_bytes(text: str) -> int:
    """Bytes of a line read from the file, without a CR line end."""
    return len(text.encode("utf-8", "surrogateescape")) - text.endswith("\r")


def _too_long(name: str, line: int) -> None:
    raise InputError(
        name,
        f"line longer than {MAX_LINE_CHARS:,} characters: not a table of this source "
        "(damaged download, missing line ends or a zero-filled tail?)",
        line=line,
    )


def _parse(text: str, name: str, line: int, report: LoadReport) -> CpcTitleRecord | None:
    parts = text.split("\t")
    if len(parts) != 3:
        report.reject(
            Rejection(
                name,
                line,
                ROW,
                f"expected 3 tab-separated columns, found {len(parts)}",
                shown(text),
            )
        )
        return None
    raw_symbol, raw_dots, raw_title = parts
    for field, value in (("symbol", raw_symbol), ("dots", raw_dots), ("title", raw_title)):
        if undecodable(value):
            report.reject(Rejection(name, line, field, "not valid UTF-8", shown(value)))
            return None
    symbol = raw_symbol.replace(" ", "")
    if not _SYMBOL.match(symbol):
        report.reject(Rejection(name, line, "symbol", "not a CPC symbol", raw_symbol))
        return None
    level = _LEVELS.get(len(symbol)) or ("main_group" if symbol.endswith("/00") else "group")
    dots_text = raw_dots.strip()
    dots: int | None = None
    if level in _GROUP_LEVELS:
        if not (dots_text.isascii() and dots_text.isdigit()):
            report.reject(
                Rejection(name, line, "dots", "a group needs an integer dot level", raw_dots)
            )
            return None
        dots = int(dots_text)
    elif dots_text:
        report.reject(Rejection(name, line, "dots", f"a {level} has no dot level", raw_dots))
        return None
    title = raw_title.strip()
    if not title:
        report.reject(Rejection(name, line, "title", "empty title", symbol))
        return None
    return CpcTitleRecord(symbol, level, dots, title)
