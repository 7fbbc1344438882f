"""Cut the small real slices the loader tests read, and derive the broken variants.

Run from the project root:  python tests/data/loaders/cut_slices.py [/work/shared/data]

Step 1 (needs the shared data) copies chosen rows byte for byte from the real downloads,
keeping their quoting, line ends, member names and archive layout. Step 2 derives broken
files from those slices only (truncated/corrupt archives, wrong delimiter, bad UTF-8 ...);
what each one is made of is written next to it, in `broken/README.md`.

The tests never run this script: its outputs are committed. It exists so that anyone can
see where every row came from and cut the slices again.
"""

from __future__ import annotations

import csv
import io
import json
import sys
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
BROKEN = HERE / "broken"

#: Patents of the PatentsView slice, each chosen for a reason.
PATENTS = {
    # the first ten rows of g_patent (2018 utility grants)
    "10000002": "first row",
    "10000060": "",
    "10000128": "",
    "10000139": "",
    "10000192": "",
    "10000211": "",
    "10000355": "",
    "10000451": "",
    "10000474": "",
    "10000569": "",
    "4732741": "title with quotes, escaped twice by PatentsView",
    "5063808": "title with quotes, escaped twice by PatentsView",
    "11061269": "assignee name with an embedded newline",
    "11098278": "assignee name with an embedded newline",
    "D940325": "design patent; assignee name with an embedded newline",
    "10001866": "withdrawn",
    "D243631": "design",
    "H1250": "statutory invention registration",
    "PP10935": "plant",
    "RE28867": "reissue (1976)",
    "T959003": "defensive publication",
    "10005747": "non-ASCII title (gamma)",
    "10088512": "non-ASCII assignee (FORDERUNG with umlaut)",
    "10206866": "L'OREAL (accent)",
    "10011488": "Tsinghua University + Hon Hai: university-company co-assignment",
    "10003083": "LG Fuel Cell Systems + University of South Carolina",
    "10036778": "individual assignees",
    "6451937": "assignee_type 0",
    "4407291": "assignee_type 13",
    "3971981": "empty type",
    "4084748": "individual with empty assignee_type",
    # patents whose located inventor has an unusual raw_country
    "3930564": "JA",
    "3938208": "CT",
    "3946023": "EN",
    "3956678": "EI",
    "3982456": "SU",
    "3991971": "DT",
    "4037966": "SW",
    "4101676": "GB2",
    "4144646": "JPX",
    "4521139": "DD",
    "4986124": "GB5",
    "5061964": "NY",
    "9051325": "CM",
    "10225963": "empty raw_country",
}

#: Extra raw locations besides those of the slice's inventors.
EXTRA_LOCATIONS = {"9ebf0760c7517fcc": "city with an embedded newline ('Yunlin \\nCounty')"}

ROR_NAMES = {
    "Massachusetts Institute of Technology",
    "Stanford University",
    "Tsinghua University",
    "University of Michigan",
    "Samsung (South Korea)",
    "Samsung Electronics (South Korea)",
    "L-3 Communications (United States)",  # inactive, successor L3Harris
    "L3Harris (United States)",
}
ROR_FIRST = 3  # plus the first records of the dump, in dump order
CPC_SYMBOLS_PER_SECTION = 12
#: symbols of WIPO's spaced pattern `H04N   3/%`, a deep group, a title with quotes
CPC_EXTRA = frozenset(
    {
        "H04N3/00",
        "H04N3/02",
        "H04N3/04",
        "H04N3/06",
        "H01L21/00",
        "H01L21/02",
        "H01L21/0201",
        "A01B29/00",
        "A01B29/04",
        "A01B29/041",
    }
)


def raw_records(lines: Iterable[str], delimiter: str = "\t") -> Iterator[tuple[str, list[str]]]:
    """(raw text, parsed fields) of each record, so that a record is copied byte for byte."""
    held: list[str] = []

    def feed() -> Iterator[str]:
        for line in lines:
            held.append(line)
            yield line

    for fields in csv.reader(feed(), delimiter=delimiter):
        yield "".join(held), fields
        held.clear()


def member_text(archive: Path) -> tuple[zipfile.ZipInfo, Iterator[str]]:
    zf = zipfile.ZipFile(archive)
    info = zf.infolist()[0]
    return info, iter(io.TextIOWrapper(zf.open(info), encoding="utf-8", newline=""))


def write_zip(path: Path, members: list[tuple[zipfile.ZipInfo, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, text in members:
            new = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            new.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(new, text.encode("utf-8"))


def cut_table(src: Path, dst: Path, keep_column: str, keep: set[str]) -> list[list[str]]:
    """Copy the header and the records whose `keep_column` is in `keep`; return them."""
    info, lines = member_text(src)
    records = raw_records(lines)
    header_raw, header = next(records)
    col = header.index(keep_column)
    out, kept = [header_raw], [header]
    for raw, fields in records:
        if fields[col] in keep:
            out.append(raw)
            kept.append(fields)
    write_zip(dst, [(info, "".join(out))])
    return kept


def cut_patentsview(shared: Path) -> None:
    src, dst = shared / "patentsview", HERE / "patentsview"
    ids = set(PATENTS)
    for table in ("g_patent", "g_assignee_not_disambiguated", "g_cpc_current", "g_patent_abstract"):
        cut_table(src / f"{table}.tsv.zip", dst / f"{table}.tsv.zip", "patent_id", ids)
    inventors = cut_table(
        src / "g_inventor_not_disambiguated.tsv.zip",
        dst / "g_inventor_not_disambiguated.tsv.zip",
        "patent_id",
        ids,
    )
    at = inventors[0].index("rawlocation_id")
    wanted = {r[at] for r in inventors[1:] if r[at]} | set(EXTRA_LOCATIONS)
    # and the first location of every distinct raw_country, for the country mapping
    _, lines = member_text(src / "g_location_not_disambiguated.tsv.zip")
    records = raw_records(lines)
    _, header = next(records)
    lid, country = header.index("rawlocation_id"), header.index("raw_country")
    seen: set[str] = set()
    for _, fields in records:
        if fields[country] not in seen:
            seen.add(fields[country])
            wanted.add(fields[lid])
    cut_table(
        src / "g_location_not_disambiguated.tsv.zip",
        dst / "g_location_not_disambiguated.tsv.zip",
        "rawlocation_id",
        wanted,
    )


def cut_ror(shared: Path) -> None:
    src = shared / "ror" / "ror-data-sample.zip"
    with zipfile.ZipFile(src) as zf:
        info = zf.infolist()[0]
        data = json.loads(zf.read(info))
    chosen: list[dict[str, Any]] = []
    for i, rec in enumerate(data):
        display = next(n["value"] for n in rec["names"] if "ror_display" in n["types"])
        if (
            i < ROR_FIRST
            or display in ROR_NAMES
            or (
                rec["status"] == "withdrawn" and not any(r["status"] == "withdrawn" for r in chosen)
            )
        ):
            chosen.append(rec)
    write_zip(
        HERE / "ror" / "ror-data-sample.zip", [(info, json.dumps(chosen, ensure_ascii=False))]
    )


def cut_cpc(shared: Path) -> None:
    src = shared / "cpc" / "CPCTitleList202505.zip"
    members = []
    with zipfile.ZipFile(src) as zf:
        for info in zf.infolist():
            lines = zf.read(info).decode("utf-8").split("\r\n")
            keep = [
                ln
                for i, ln in enumerate(lines)
                if ln and (i < CPC_SYMBOLS_PER_SECTION or ln.split("\t", 1)[0] in CPC_EXTRA)
            ]
            members.append((info, "".join(ln + "\r\n" for ln in keep)))
    write_zip(HERE / "cpc" / "CPCTitleList202505.zip", members)


def cut_wipo(shared: Path) -> None:
    raw = (shared / "wipo" / "ipc_technology.csv").read_bytes().decode("utf-8")
    lines = raw.split("\r\n")  # keeps the BOM on the header; the file has no final CRLF
    fields_seen: set[str] = set()
    keep = [lines[0]]
    for ln in lines[1:]:
        number = ln.split(",", 1)[0]
        if number not in fields_seen or "H04N " in ln:
            fields_seen.add(number)
            keep.append(ln)
    (HERE / "wipo").mkdir(exist_ok=True)
    (HERE / "wipo" / "ipc_technology.csv").write_bytes("\r\n".join(keep).encode("utf-8"))


# ---------------------------------------------------------------- broken variants


def slice_text(table: str) -> str:
    with zipfile.ZipFile(HERE / "patentsview" / f"{table}.tsv.zip") as zf:
        return zf.read(zf.infolist()[0]).decode("utf-8")


def rows_of(text: str, delimiter: str = "\t") -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def quoted(rows: Iterable[list[str]], delimiter: str = "\t") -> str:
    """Rows written the way current PatentsView releases write them: every field quoted."""
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows(rows)
    return buf.getvalue()


def entry(name: str) -> zipfile.ZipInfo:
    """A deflated archive entry with a fixed date, so that re-running changes nothing."""
    info = zipfile.ZipInfo(name, date_time=(2026, 11, 25, 8, 8, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def _latin1(text: str) -> bytes | None:
    try:
        return text.encode("latin-1")
    except UnicodeEncodeError:
        return None


def derive_broken() -> None:
    notes: list[str] = []

    def put(name: str, data: bytes | str, what: str) -> None:
        path = BROKEN / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        notes.append(f"* `{name}`: {what}")

    patent_zip = (HERE / "patentsview" / "g_patent.tsv.zip").read_bytes()
    patent = slice_text("g_patent")
    prows = rows_of(patent)
    put(
        "truncated/g_patent.tsv.zip",
        patent_zip[: len(patent_zip) // 2],
        "the first half of the g_patent slice archive",
    )
    put("not_a_zip/g_patent.tsv.zip", patent, "the g_patent slice's TSV text under a .zip name")

    cpc_zip = bytearray((HERE / "patentsview" / "g_cpc_current.tsv.zip").read_bytes())
    middle = len(cpc_zip) // 2
    cpc_zip[middle : middle + 64] = bytes(64)  # central directory intact, deflate stream not
    put(
        "corrupt/g_cpc_current.tsv.zip",
        bytes(cpc_zip),
        "the g_cpc_current slice archive with 64 bytes of compressed data zeroed in the middle",
    )

    put("comma/g_patent.tsv", quoted(prows, ","), "the g_patent slice written comma-separated")

    crows = rows_of(slice_text("g_cpc_current"))
    drop = crows[0].index("cpc_group")
    put(
        "missing_column/g_cpc_current.tsv",
        quoted([r[:drop] + r[drop + 1 :] for r in crows]),
        "the g_cpc_current slice without its cpc_group column",
    )

    # older releases carried the abstract in the patent table; reorder the columns as well
    abstracts = dict(r for r in rows_of(slice_text("g_patent_abstract"))[1:])
    order = [7, 6, 5, 4, 3, 2, 1, 0]
    extra = [
        [r[i] for i in order] + [abstracts.get(r[0], "") if k else "patent_abstract"]
        for k, r in enumerate(prows)
    ]
    put(
        "extra_column/g_patent.tsv",
        quoted(extra),
        "the g_patent slice with its columns in reverse order and the real abstracts "
        "appended as an extra column `patent_abstract`",
    )

    # bad UTF-8: one title and one organisation written in Latin-1 (real names with accents)
    text = patent.replace("γ-valerolactone", "\x00GAMMA\x00")
    raw = text.encode("utf-8").replace(b"\x00GAMMA\x00", "é-valerolactone".encode("latin-1"))
    put(
        "bad_utf8/g_patent.tsv",
        raw,
        "the g_patent slice with the title of 10005747 holding a Latin-1 byte (0xE9)",
    )
    assignee = slice_text("g_assignee_not_disambiguated")
    raw = assignee.encode("utf-8").replace("L'ORÉAL".encode(), "L'ORÉAL".encode("latin-1"))
    put(
        "bad_utf8/g_assignee_not_disambiguated.tsv",
        raw,
        "the assignee slice with L'ORÉAL encoded in Latin-1",
    )
    inventor = slice_text("g_inventor_not_disambiguated")
    irows = rows_of(inventor)
    target = next(
        i for i, r in enumerate(irows) if not r[4].isascii() and _latin1(r[4]) is not None
    )
    raw_lines = inventor.encode("utf-8").split(b"\n")
    raw_lines[target] = (
        irows[target][4]
        .encode("latin-1")
        .join(raw_lines[target].split(irows[target][4].encode("utf-8")))
    )
    put(
        "bad_utf8/g_inventor_not_disambiguated.tsv",
        b"\n".join(raw_lines),
        f"the inventor slice with the last name on line {target + 1} in Latin-1 "
        "(a column the inventor loader does not read)",
    )

    # a quoted organisation holding a tab, a newline and doubled quotes
    arows = rows_of(assignee)
    arows[1][5] = 'KOLON\tINDUSTRIES,\n"INC."'
    put(
        "embedded/g_assignee_not_disambiguated.tsv",
        quoted(arows),
        "the assignee slice, all fields quoted, row 2's organisation holding a tab, a newline "
        "and quotes",
    )

    put("empty/g_patent.tsv", b"", "an empty file")
    with zipfile.ZipFile(io.BytesIO(patent_zip)) as zf:
        info = zf.infolist()[0]
    header_only = io.BytesIO()
    with zipfile.ZipFile(header_only, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(entry(info.filename), patent.split("\n", 1)[0] + "\n")
    put("header_only/g_patent.tsv.zip", header_only.getvalue(), "the header row only, zipped")
    no_member = io.BytesIO()
    with zipfile.ZipFile(no_member, "w") as zf:
        zf.writestr(entry("README.txt"), "PatentsView download\n")
    put("no_member/g_patent.tsv.zip", no_member.getvalue(), "a zip holding only README.txt")

    # row-level damage on real rows (row k of the slice = line k + 1)
    bad = [list(r) for r in prows[:12]]
    bad[1][2] = "1789-12-31"  # line 2: before the first US patent
    bad[2][2] = "2999-06-19"  # line 3: far future
    bad[3][2] = "2018-02-30"  # line 4: not a calendar date
    bad[4][2] = "20180619"  # line 5: not ISO yyyy-mm-dd
    bad[5][2] = ""  # line 6: empty date: accepted, date None
    bad[6][0] = ""  # line 7: empty patent_id
    bad[7][5] = "nine"  # line 8: num_claims not an integer
    bad[8][6] = "yes"  # line 9: withdrawn flag unknown
    bad[9][2] = "1790-07-31"  # line 10: the first US patent's date: accepted
    bad[10] = bad[10][:5]  # line 11: a short row
    bad[11] = [*bad[11], "x"]  # line 12: a long row
    put("rows/g_patent.tsv", quoted(bad), "g_patent rows with damaged values (see the test)")

    cbad = [list(r) for r in crows[:10]]
    cbad[1][1] = "x"  # line 2: cpc_sequence not an integer
    cbad[2][5] = "H04N   3/00"  # line 3: spaced symbol, normalised and accepted
    cbad[3][5] = "H04N"  # line 4: a subclass, not a group
    cbad[4][5] = ""  # line 5: empty group
    cbad[5][6] = "primary"  # line 6: unknown cpc_type
    cbad[6][6] = ""  # line 7: empty cpc_type: accepted, None
    put("rows/g_cpc_current.tsv", quoted(cbad), "g_cpc_current rows with damaged values")

    unterminated = patent.split("\n")
    put(
        "unterminated/g_patent.tsv",
        "\n".join(unterminated[:4]) + '\n"10000139"\t"utility'
        '"\t"2018-06-19"\t"Safety system of fuel cell vehicle\n',
        "three g_patent rows, then a row whose quoted title is never closed",
    )

    # the disambiguated layout, as published from 2023 on (renamed columns, location_id)
    # with assignee_type written as floats like some releases do
    header = [
        "patent_id",
        "assignee_sequence",
        "assignee_id",
        "disambig_assignee_individual_name_first",
        "disambig_assignee_individual_name_last",
        "disambig_assignee_organization",
        "assignee_type",
        "location_id",
    ]
    drows = [header] + [[*r[:6], f"{r[6]}.0" if r[6] else "", r[7]] for r in rows_of(assignee)[1:]]
    put(
        "disambiguated/g_assignee_disambiguated.tsv",
        quoted(drows),
        "the assignee slice under the disambiguated layout's header, assignee_type as '3.0'",
    )

    wipo = (HERE / "wipo" / "ipc_technology.csv").read_bytes().decode("utf-8-sig")
    wrows = rows_of(wipo, ",")[:6]
    code = wrows[0].index("IPC_code")
    wrows[1][0] = "one"  # line 2
    wrows[2][code] = ""  # line 3
    wrows[3][code] = "electric"  # line 4
    wrows[4][4] = ""  # line 5: empty Field_en
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(wrows)
    put(
        "rows/ipc_technology.csv",
        "\ufeff" + buf.getvalue(),
        "WIPO rows: line 2 field number 'one', line 3 empty pattern, line 4 pattern "
        "'electric', line 5 empty field name",
    )

    with zipfile.ZipFile(HERE / "ror" / "ror-data-sample.zip") as zf:
        info = zf.infolist()[0]
        records = json.loads(zf.read(info))
    damaged = json.loads(json.dumps(records[:5]))
    del damaged[1]["id"]  # record 2
    damaged[2]["names"] = [n for n in damaged[2]["names"] if "ror_display" not in n["types"]]
    damaged[3] = "https://ror.org/000025p04"  # record 4: not an object
    put(
        "ror/records.json",
        json.dumps(damaged, ensure_ascii=False),
        "five ROR records: 2 without id, 3 without a ror_display name, 4 a bare string",
    )
    text = json.dumps(records[:3], ensure_ascii=False)
    put("ror/truncated.json", text[: len(text) * 2 // 3], "three ROR records cut at two thirds")
    put("ror/object.json", json.dumps(records[0], ensure_ascii=False), "one record, no array")
    v1 = [
        {
            "id": records[0]["id"],
            "name": "Thailand Science Research and Innovation",
            "types": ["Government"],
            "status": "active",
        }
    ]
    put("ror/v1.json", json.dumps(v1), "a record in the ROR v1 schema layout")
    cut = text.encode("utf-8")
    put(
        "ror/bad_utf8.json",
        cut.replace("ส".encode(), b"\xe0\xb8", 1),
        "three ROR records; a Thai character in record 1 cut to two of its three bytes",
    )
    multi = io.BytesIO()
    with zipfile.ZipFile(multi, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(entry("v1.0-ror-data.json"), json.dumps(v1))
        zf.writestr(entry("v1.0-ror-data_schema_v2.json"), text)
        zf.writestr(entry("v1.0-ror-data.csv"), "id,name\n")
    put(
        "ror/dump-with-v1.zip",
        multi.getvalue(),
        "a dump laid out like 2024 releases: v1 and schema_v2 JSON and a CSV",
    )

    with zipfile.ZipFile(HERE / "cpc" / "CPCTitleList202505.zip") as zf:
        h_info = next(i for i in zf.infolist() if "section-H" in i.filename)
        h = zf.read(h_info).split(b"\r\n")
    h[1] = h[1].replace(b"H01\t", b"H0X\t")  # line 2: not a symbol
    h[3] = h[3].replace(b"\t0\t", b"\t\t")  # line 4: group without dot level
    h[4] = h[4].replace(b"metals", b"m\xe9tals")  # line 5: Latin-1 byte in the title
    h[5] = h[5].replace(b"\t", b" ", 1)  # line 6: two columns
    damaged_zip = io.BytesIO()
    with zipfile.ZipFile(damaged_zip, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(entry(h_info.filename), b"\r\n".join(h))
    put(
        "cpc/CPCTitleList-damaged.zip",
        damaged_zip.getvalue(),
        "the H section slice: line 2 bad symbol, 4 group without dots, 5 Latin-1 byte, "
        "6 two columns",
    )

    (BROKEN / "README.md").write_text(
        "# Broken inputs derived from the real slices by `../cut_slices.py`\n\n"
        + "\n".join(notes)
        + "\n",
        encoding="utf-8",
    )


def main(argv: list[str]) -> None:
    shared = Path(argv[1]) if len(argv) > 1 else Path("/work/shared/data")
    if shared.is_dir():
        cut_patentsview(shared)
        cut_ror(shared)
        cut_cpc(shared)
        cut_wipo(shared)
    derive_broken()


if __name__ == "__main__":
    main(sys.argv)
