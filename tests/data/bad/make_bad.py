"""Derive the bad-input corpus (tests/data/bad/) from real rows of the bundled sample.

Run from the project root:  python tests/data/bad/make_bad.py

Every file keeps the layout of the real download it stands for (file and member names,
header, quoting, line ends) and is made of real rows of data/sample (plus, for the quote
cases, two real g_patent rows of tests/data/loaders/patentsview), broken the way real
downloads break. What each file is, and what the build must do with it, is in README.md
beside it; tests/hardening/test_bad_inputs.py checks exactly that. Output is deterministic
(fixed zip timestamps), so rerunning reproduces every file byte for byte.

The "2 GB line" case is not here: the tests generate it (a sparse file) at run time.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
SAMPLE = ROOT / "data" / "sample"
PV = SAMPLE / "patentsview"
LOADER_SLICE = ROOT / "tests" / "data" / "loaders" / "patentsview"
OUT = Path(__file__).resolve().parent
ZIP_TIME = (2025, 1, 1, 0, 0, 0)


def member_text(archive: Path) -> str:
    with zipfile.ZipFile(archive) as zf:
        return zf.read(zf.namelist()[0]).decode("utf-8")


def records(text: str) -> list[tuple[str, list[str]]]:
    """Each CSV record of a PatentsView table as (its raw text, its cells), header first."""
    lines = io.StringIO(text, newline="").readlines()
    reader = csv.reader(iter(lines), delimiter="\t")
    out, done = [], 0
    for row in reader:
        out.append(("".join(lines[done : reader.line_num]), row))
        done = reader.line_num
    return out


def table(name: str) -> list[tuple[str, list[str]]]:
    return records(member_text(PV / f"{name}.tsv.zip"))


def quoted(cells: list[str]) -> str:
    """A row in the current PatentsView layout: every field double-quoted, tabs, LF."""
    return "\t".join('"' + c.replace('"', '""') + '"' for c in cells) + "\n"


def write(rel: str, data: str | bytes) -> None:
    path = OUT / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)


def zipped(member: str, data: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(zipfile.ZipInfo(member, ZIP_TIME), data, zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def main() -> None:
    patents = table("g_patent")
    cpc = table("g_cpc_current")
    assignees = table("g_assignee_not_disambiguated")
    locations = table("g_location_not_disambiguated")

    # truncated download: a zip of the first 300 g_cpc_current rows, cut at 60 %
    body = "".join(raw for raw, _ in cpc[:301]).encode()
    archive = zipped("g_cpc_current.tsv", body)
    write("truncated_zip/g_cpc_current.tsv.zip", archive[: len(archive) * 6 // 10])

    # the right table with the wrong delimiter
    write(
        "wrong_delimiter/g_patent.tsv",
        "".join(",".join(f'"{c}"' for c in cells) + "\n" for _, cells in patents[:21]),
    )
    wipo_lines = (SAMPLE / "wipo" / "ipc_technology.csv").read_text("utf-8-sig").splitlines()
    semis = io.StringIO(newline="")
    w = csv.writer(semis, delimiter=";", lineterminator="\r\n")
    for row in csv.reader(wipo_lines[:41]):
        w.writerow(row)
    write("wrong_delimiter/ipc_technology.csv", "\ufeff" + semis.getvalue())

    # a release without a column the loader needs
    header = assignees[0][1]
    drop = header.index("assignee_sequence")
    write(
        "missing_column/g_assignee_not_disambiguated.tsv",
        "".join(quoted(cells[:drop] + cells[drop + 1 :]) for _, cells in assignees[:41]),
    )

    # extra columns: a release adding a column (the patent's real title, from g_patent),
    # and two rows where an unquoted tab in that title split it into one cell too many
    titles = {cells[0]: cells[3] for _, cells in patents[1:]}
    rows = [quoted([*cpc[0][1], "patent_title"])]
    for i, (_, cells) in enumerate(cpc[1:61], start=2):
        title = titles[cells[0]]
        if i in (5, 9):
            head, _, tail = title.partition(" ")
            rows.append(quoted(cells)[:-1] + f'\t"{head}"\t"{tail}"\n')
        else:
            rows.append(quoted([*cells, title]))
    write("extra_columns/g_cpc_current.tsv", "".join(rows))

    # bad UTF-8: organisation names re-encoded by a Windows tool (Latin-1 / cp1252);
    # one byte 0xFF in rawlocation_id, a column the loader does not read
    by_org = {cells[5]: raw for raw, cells in assignees[1:]}
    chosen = [
        ("HELMHOLTZ-ZENTRUM FÜR INFEKTIONSFORSCHUNG GMBH", "latin-1"),
        ("L'ORÉAL", "latin-1"),
        ("DONGGUK UNIVERSITY INDUSTRY—ACADEMIC COOPERATION FOUNDATION", "cp1252"),
        ("UNIVERSITÉ DE MONTPELLIER", None),  # kept valid: accepted
    ]
    out = b"".join(raw.encode() for raw, _ in assignees[:21])
    for org, codec in chosen:
        raw = by_org[org]
        out += raw.replace(org, "\0").encode().replace(b"\0", org.encode(codec or "utf-8"))
    last = assignees[21][0].rstrip("\n")
    assert last.endswith('""')
    out += last[:-2].encode() + b'"\xff"\n'
    write("bad_utf8/g_assignee_not_disambiguated.tsv", out)

    # embedded line breaks: the real rows whose organisation holds a line break, with their
    # neighbours; the last row's assignee_sequence damaged, to check its physical line number
    multi = [i for i, (_, cells) in enumerate(assignees) if "\n" in cells[5]]
    keep = sorted({0} | {j for i in multi for j in (i - 1, i, i + 1)})
    text = "".join(assignees[j][0] for j in keep)
    cells = list(assignees[keep[-1] + 1][1])
    cells[1] = "first"
    write("embedded_newlines/g_assignee_not_disambiguated.tsv", text + quoted(cells))

    # embedded quotes: the loader slice's g_patent (real rows), among them two titles with
    # quotes that PatentsView escaped twice
    write("embedded_quotes/g_patent.tsv", member_text(LOADER_SLICE / "g_patent.tsv.zip"))

    # stray quote in an unquoted (older release) table: the last field of line 5 opens a
    # quote that never closes, so the csv module reads lines 5..end as one row of 8 cells
    unq = ["\t".join(patents[0][1]) + "\n"]
    for i, (_, cells) in enumerate(patents[1:12], start=2):
        date = cells[2]
        fname = f"ipg{date[2:4]}{date[5:7]}{date[8:10]}.xml"
        unq.append("\t".join([*cells[:7], ('"' if i == 5 else "") + fname]) + "\n")
    write("unbalanced_quote/g_patent.tsv", "".join(unq))

    # duplicate keys: g_patent with line 3 repeated (line 32) and line 5's patent repeated
    # with another real row's title (line 33)
    dup = [raw for raw, _ in patents[:31]]
    dup.append(patents[2][0])
    cells = list(patents[4][1])
    cells[3] = patents[40][1][3]
    dup.append(quoted(cells))
    write("duplicate_keys/g_patent.tsv", "".join(dup))
    # g_cpc_current with line 2 repeated at the end
    write("duplicate_keys/g_cpc_current.tsv", "".join(raw for raw, _ in cpc[:51]) + cpc[1][0])
    # g_location (first 30 rows) with the location of line 2 repeated, once identical, once
    # in another real row's country
    loc = [raw for raw, _ in locations[:31]]
    cells = list(locations[1][1])
    other = next(c[4] for _, c in locations[2:] if c[4] and c[4] != cells[4])
    loc += [locations[1][0], quoted([*cells[:4], other])]
    write("duplicate_keys/g_location_not_disambiguated.tsv", "".join(loc))

    # empty downloads
    write("empty/g_patent.tsv", b"")
    write(
        "empty_member/g_inventor_not_disambiguated.tsv.zip",
        zipped("g_inventor_not_disambiguated.tsv", b""),
    )
    write("header_only/g_cpc_current.tsv.zip", zipped("g_cpc_current.tsv", cpc[0][0].encode()))

    # dates out of range or malformed on real rows (lines 2-6 rejected; 7 empty, 8 the first
    # US patent's date: both accepted)
    bad_dates = {
        2: "1789-12-31",
        3: "2999-06-19",
        4: "2018-02-30",
        5: "0000-00-00",
        6: "19/06/2018",
        7: "",
        8: "1790-07-31",
    }
    rows = [patents[0][0]]
    for i, (raw, cells) in enumerate(patents[1:16], start=2):
        if i in bad_dates:
            raw = quoted([*cells[:2], bad_dates[i], *cells[3:]])
        rows.append(raw)
    write("dates_out_of_range/g_patent.tsv", "".join(rows))

    # a truncated ROR dump: the first five records, cut inside the fourth
    ror = json.loads(member_text(SAMPLE / "ror" / "ror-data-sample.zip"))[:5]
    text = json.dumps(ror, ensure_ascii=False)
    cut = text.index(ror[3]["id"])
    write("truncated_json/ror-data_schema_v2.json", text[:cut])


if __name__ == "__main__":
    main()
