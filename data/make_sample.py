"""Build the bundled real-data sample in ``data/sample/`` from the shared real downloads.

``ttkg build`` with no arguments builds the graph from ``data/sample/``, so the sample keeps the
exact layouts of the real downloads (see ``/work/shared/data/README.md``):

* ``patentsview/<table>.tsv.zip``: one ``<table>.tsv`` member, the original header, every field
  double-quoted, tab separated, LF line ends. Rows are copied unchanged, in their original order.
  ``g_patent_abstract`` is left out (too big; optional for the build).
* ``ror/ror-data-sample.zip``: one JSON array of ROR v2 records in one ``.json`` member.
* ``cpc/CPCTitleList202505.zip``: the nine ``cpc-section-X_20250501.txt`` members
  (``symbol<TAB>dots<TAB>title``, CRLF), reduced to the symbols the sample's patents use plus
  all their ancestors; every section/class/subclass line is kept.
* ``wipo/ipc_technology.csv``: full copy.

Patent selection (all deterministic; "hash order" means ordering by
``sha256(f"{SEED}:{key}")``, which does not depend on the Python version):

1. every patent co-assigned to a university-like organisation (``UNIVERSITY_RE``) and a
   company-like one (assignee_type 2 or 3 and not university-like);
2. every patent of the organisations in ``TARGET_ORGS`` (raw_assignee_organization matched
   case-insensitively by a regular expression that covers the spelling variants); an
   organisation with more than ``ORG_CAP`` patents keeps the patents already selected plus
   patents in hash order up to the cap (all Tsinghua x Hon Hai co-assigned patents are kept);
3. patents of no target organisation, in hash order: first enough to give each of the 35 WIPO
   fields at least ``MIN_PER_FIELD`` patents (a patent's field is the field of its first CPC row,
   by cpc_sequence, that the IPC-technology concordance maps), then more up to
   ``TARGET_TOTAL`` patents.

For the selected patents every row of every PatentsView table is kept (all assignees, CPC rows,
inventors) and the location rows their inventors reference.

ROR records kept: every record one of whose names (display name, labels, aliases) equals an
assignee organisation string of the selected patents after ``normalise_org`` (case, accents,
punctuation, parenthesised qualifiers, a leading "The"/"Regents of"/"Board of Trustees of" and
trailing legal suffixes such as Inc/Corp/Co Ltd are ignored), plus ``EXTRA_ROR_IDS``, plus every
record these relate to as parent/child/successor/predecessor (one hop), plus ``ROR_RANDOM``
other records in hash order.

Zip members get a fixed timestamp, so a rerun reproduces the files byte for byte.

Run from the project root::

    python data/make_sample.py --shared ../shared/data --out data/sample
"""

from __future__ import annotations

import argparse
import collections
import csv
import hashlib
import io
import json
import re
import shutil
import sys
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

SEED = "ttkg-sample-2025"
ORG_CAP = 1500
MIN_PER_FIELD = 100
TARGET_TOTAL = 15000
ROR_RANDOM = 2000
MAX_TOTAL_BYTES = 10_000_000
MAX_ROR_BYTES = 3_000_000
ZIP_DATE_TIME = (2025, 1, 1, 0, 0, 0)

PV_TABLES = (
    "g_patent",
    "g_assignee_not_disambiguated",
    "g_cpc_current",
    "g_inventor_not_disambiguated",
    "g_location_not_disambiguated",
)
COMPANY_TYPES = frozenset({"2", "3"})
UNIVERSITY_RE = re.compile(
    r"UNIVERSITY|UNIVERSITÄT|UNIVERSITAT|UNIVERSITE|UNIVERSITÉ|UNIVERSIDAD|UNIVERSIDADE"
    r"|UNIVERSITA|UNIVERSITÀ|UNIVERSITEIT|UNIVERSITET|COLLEGE|INSTITUTE OF TECHNOLOGY|REGENTS"
    r"|HOCHSCHULE|POLYTECHNIC|POLITECNICO",
    re.IGNORECASE,
)
# Name -> pattern over the raw organisation string (case-insensitive). Order matters for the
# cap: an organisation's already-selected patents count towards its cap.
TARGET_ORGS: dict[str, re.Pattern[str]] = {
    name: re.compile(pattern, re.IGNORECASE)
    for name, pattern in (
        ("Tsinghua University", r"^(?!national\b).*\btsinghua\b"),
        ("Hon Hai Precision Industry", r"\bhon\s*hai\b"),
        ("Massachusetts Institute of Technology", r"\bmassachusetts institute"),
        ("Stanford University", r"\bleland stanford\b|^stanford university\b"),
        (
            "University of California",
            r"\b(regents|reagents) of t\w+ university of california\b"
            r"|^university of california\b",
        ),
        ("Seiko Epson", r"\bseiko\s*epson\b"),
        ("LG Display", r"\blg\s*display\b"),
        ("Samsung Display", r"\bsamsung display\b"),
        ("BOE Technology Group", r"\bboe technology group\b"),
        ("Samsung Electronics", r"^samsung electronics?\b(?! america)"),
    )
}
PAIR_KEEP = ("Tsinghua University", "Hon Hai Precision Industry")

# ROR records always kept although no assignee string equals one of their names.
EXTRA_ROR_IDS = {
    "https://ror.org/00pjdza24",  # University of California System ("The Regents of the UC")
}
ROR_RELATION_TYPES = frozenset({"parent", "child", "successor", "predecessor"})
ROR_NAME_TYPES = frozenset({"ror_display", "label", "alias"})
LEGAL_SUFFIXES = (
    "inc",
    "incorporated",
    "corp",
    "corporation",
    "co",
    "company",
    "ltd",
    "limited",
    "llc",
    "l l c",
    "plc",
    "gmbh",
    "ag",
    "sa",
    "s a",
    "nv",
    "n v",
    "bv",
    "b v",
    "ab",
    "oy",
    "kk",
    "kabushiki kaisha",
    "spa",
    "s p a",
    "srl",
    "sas",
    "se",
    "pty",
    "lp",
    "llp",
    "a body corporate",
)
LEADING_PARTS = re.compile(r"^(the )?((board of )?(regents|trustees) of (the )?)?")
PARENTHESISED = re.compile(r"\([^)]*\)")
NON_ALNUM = re.compile(r"[\W_]+")


def hash_key(key: str) -> str:
    """Deterministic pseudo-random sort key for ``key`` (independent of Python's RNG)."""
    return hashlib.sha256(f"{SEED}:{key}".encode()).hexdigest()


def normalise_org(name: str) -> str:
    """Reduce an organisation name to a comparison key.

    Ignores case, accents, punctuation, parenthesised qualifiers such as "(South Korea)",
    a leading "The"/"Regents of the"/"Board of Trustees of the" and trailing legal suffixes.
    """
    text = PARENTHESISED.sub(" ", name)
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = NON_ALNUM.sub(" ", text).strip()
    text = LEADING_PARTS.sub("", text).strip()
    changed = True
    while changed and text:
        changed = False
        for suffix in LEGAL_SUFFIXES:
            if text == suffix:
                break
            if text.endswith(" " + suffix):
                text = text[: -len(suffix) - 1].strip()
                changed = True
    return text


# ---------------------------------------------------------------- zip and TSV input/output


def single_member(path: Path) -> str:
    """Name of the only member of the zip archive at ``path``."""
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
    if len(names) != 1:
        raise SystemExit(f"{path}: expected one member, found {len(names)}")
    return names[0]


def read_tsv(path: Path) -> Iterator[list[str]]:
    """Yield every row (header first) of the one TSV member of a PatentsView zip."""
    member = single_member(path)
    with zipfile.ZipFile(path) as archive, archive.open(member) as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        yield from csv.reader(text, delimiter="\t", quotechar='"')


def tsv_bytes(rows: Iterable[list[str]]) -> bytes:
    """Serialise rows as PatentsView does: all fields double-quoted, tabs, LF."""
    out = io.StringIO()
    writer = csv.writer(
        out, delimiter="\t", quotechar='"', quoting=csv.QUOTE_ALL, lineterminator="\n"
    )
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def write_zip(path: Path, members: Iterable[tuple[str, bytes]]) -> None:
    """Write a deflated zip with fixed timestamps and permissions (reproducible bytes)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            archive.writestr(info, data, compresslevel=9)


# ---------------------------------------------------------------- WIPO fields


def load_wipo(path: Path) -> tuple[dict[str, int], dict[tuple[str, str], int], dict[int, str]]:
    """Read the IPC-technology concordance: subclass and (subclass, main group) -> field."""
    by_subclass: dict[str, int] = {}
    by_group: dict[tuple[str, str], int] = {}
    names: dict[int, str] = {}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            field = int(row["Field_number"])
            names[field] = row["Field_en"]
            code = row["IPC_code"].rstrip("%")
            if "/" in code:
                by_group[(code[:4], code[4:].split("/")[0].strip())] = field
            else:
                by_subclass[code[:4]] = field
    return by_subclass, by_group, names


def wipo_field(
    cpc_group: str, by_subclass: dict[str, int], by_group: dict[tuple[str, str], int]
) -> int | None:
    """WIPO field of a CPC symbol such as ``H04N3/10`` (main-group patterns win)."""
    subclass = cpc_group[:4]
    main_group = cpc_group[4:].split("/")[0].strip()
    field = by_group.get((subclass, main_group))
    return field if field is not None else by_subclass.get(subclass)


def primary_fields(
    cpc_zip: Path, by_subclass: dict[str, int], by_group: dict[tuple[str, str], int]
) -> dict[str, int]:
    """Each patent's field: that of its lowest-sequence CPC row with a mapped field."""
    best: dict[str, tuple[int, int]] = {}
    rows = read_tsv(cpc_zip)
    header = next(rows)
    pid_i, seq_i, grp_i = (header.index(c) for c in ("patent_id", "cpc_sequence", "cpc_group"))
    for row in rows:
        field = wipo_field(row[grp_i], by_subclass, by_group)
        if field is None:
            continue
        seq = int(row[seq_i]) if row[seq_i].isdigit() else 1 << 30
        current = best.get(row[pid_i])
        if current is None or seq < current[0]:
            best[row[pid_i]] = (seq, field)
    return {pid: field for pid, (_, field) in best.items()}


# ---------------------------------------------------------------- patent selection


def is_university(org: str) -> bool:
    """University-like organisation name."""
    return bool(UNIVERSITY_RE.search(org))


def load_assignees(path: Path) -> dict[str, list[tuple[str, str]]]:
    """patent_id -> [(raw_assignee_organization, assignee_type)] in file order."""
    rows = read_tsv(path)
    header = next(rows)
    pid_i, org_i, type_i = (
        header.index(c) for c in ("patent_id", "raw_assignee_organization", "assignee_type")
    )
    result: dict[str, list[tuple[str, str]]] = collections.defaultdict(list)
    for row in rows:
        result[row[pid_i]].append((row[org_i], row[type_i]))
    return result


def university_company(assignees: dict[str, list[tuple[str, str]]]) -> set[str]:
    """Patents co-assigned to a university-like and a company-like organisation."""
    found = set()
    for pid, rows in assignees.items():
        has_uni = any(org and is_university(org) for org, _ in rows)
        has_company = any(
            org and kind in COMPANY_TYPES and not is_university(org) for org, kind in rows
        )
        if has_uni and has_company:
            found.add(pid)
    return found


def org_patents(assignees: dict[str, list[tuple[str, str]]]) -> dict[str, set[str]]:
    """Target organisation name -> patents with an assignee string matching it."""
    result: dict[str, set[str]] = {name: set() for name in TARGET_ORGS}
    for pid, rows in assignees.items():
        for org, _ in rows:
            for name, pattern in TARGET_ORGS.items():
                if org and pattern.search(org):
                    result[name].add(pid)
    return result


def select_patents(
    all_ids: list[str],
    assignees: dict[str, list[tuple[str, str]]],
    fields: dict[str, int],
    field_numbers: Iterable[int],
) -> tuple[set[str], dict[str, object]]:
    """Apply the three selection rules; return the patent ids and selection statistics."""
    stats: dict[str, object] = {}
    uni_company = university_company(assignees)
    per_org = org_patents(assignees)
    pair = per_org[PAIR_KEEP[0]] & per_org[PAIR_KEEP[1]]
    selected = set(uni_company) | pair
    stats["rule1_university_company"] = len(uni_company)
    stats["tsinghua_x_honhai"] = len(pair)

    org_counts: dict[str, tuple[int, int]] = {}
    for name, matches in per_org.items():
        if len(matches) <= ORG_CAP:
            selected |= matches
        else:
            kept = matches & selected
            for pid in sorted(matches - selected, key=hash_key):
                if len(kept) >= ORG_CAP:
                    break
                kept.add(pid)
            selected |= kept
        org_counts[name] = (len(matches), len(matches & selected))
    stats["rule2_orgs_available_kept"] = org_counts
    after_rule2 = len(selected)

    targeted = set().union(*per_org.values())
    pool = sorted(
        (pid for pid in all_ids if pid not in selected and pid not in targeted), key=hash_key
    )
    per_field = collections.Counter(fields[pid] for pid in selected if pid in fields)
    for field in sorted(field_numbers):
        for pid in pool:
            if per_field[field] >= MIN_PER_FIELD:
                break
            if fields.get(pid) == field and pid not in selected:
                selected.add(pid)
                per_field[field] += 1
    after_fields = len(selected)
    for pid in pool:
        if len(selected) >= TARGET_TOTAL:
            break
        selected.add(pid)
    stats["rule3_random"] = len(selected) - after_rule2
    stats["rule3_for_field_coverage"] = after_fields - after_rule2
    return selected, stats


# ---------------------------------------------------------------- writers per source


def filter_table(
    source: Path, out: Path, key_column: str, keep: set[str]
) -> tuple[int, list[list[str]]]:
    """Copy the rows whose ``key_column`` is in ``keep``; return the count and kept rows."""
    rows = read_tsv(source)
    header = next(rows)
    key_i = header.index(key_column)
    kept = [row for row in rows if row[key_i] in keep]
    write_zip(out, [(single_member(source), tsv_bytes([header, *kept]))])
    return len(kept), [header, *kept]


def column(rows: list[list[str]], name: str) -> list[str]:
    """Values of column ``name`` (rows[0] is the header)."""
    index = rows[0].index(name)
    return [row[index] for row in rows[1:]]


def reduce_cpc_titles(source: Path, out: Path, symbols: set[str]) -> dict[str, int]:
    """Keep the used CPC symbols, their ancestors by dot level, and every non-group line.

    A symbol's main group (``H01L27/00`` for ``H01L27/1222``) is kept too, so a symbol retired
    from the 2025.05 list still finds its main group when that survives.
    """
    wanted = symbols | {symbol.split("/")[0] + "/00" for symbol in symbols if "/" in symbol}
    kept_lines = 0
    found: set[str] = set()
    members: list[tuple[str, bytes]] = []
    with zipfile.ZipFile(source) as archive:
        for name in archive.namelist():
            lines = archive.read(name).decode("utf-8").split("\r\n")
            if lines and lines[-1] == "":
                lines.pop()
            keep = [False] * len(lines)
            stack: list[tuple[int, int]] = []  # (dot level, line index) of open ancestors
            for index, line in enumerate(lines):
                symbol, level_text = line.split("\t")[:2]
                if level_text == "":
                    keep[index] = True
                    stack.clear()
                    continue
                level = int(level_text)
                while stack and stack[-1][0] >= level:
                    stack.pop()
                if symbol in wanted:
                    found.add(symbol)
                    keep[index] = True
                    for _, ancestor in stack:
                        keep[ancestor] = True
                stack.append((level, index))
            chosen = [line for line, flag in zip(lines, keep, strict=True) if flag]
            kept_lines += len(chosen)
            members.append((name, "".join(f"{line}\r\n" for line in chosen).encode("utf-8")))
    write_zip(out, members)
    return {
        "cpc_title_lines": kept_lines,
        "cpc_symbols_used": len(symbols),
        "cpc_symbols_missing_from_title_list": len(symbols - found),
    }


def ror_names(record: dict[str, object]) -> Iterator[str]:
    """Display name, labels and aliases of a ROR v2 record (not acronyms)."""
    names = record.get("names", [])
    assert isinstance(names, list)
    for entry in names:
        if ROR_NAME_TYPES.intersection(entry.get("types", [])):
            yield str(entry["value"])


def reduce_ror(source: Path, out: Path, org_strings: set[str]) -> dict[str, int]:
    """Keep ROR records matching assignee strings, their relatives and a fixed random sample."""
    member = single_member(source)
    with zipfile.ZipFile(source) as archive:
        records: list[dict[str, object]] = json.loads(archive.read(member))
    wanted = {key for key in (normalise_org(org) for org in org_strings) if key}
    matched = {
        str(rec["id"])
        for rec in records
        if any(normalise_org(name) in wanted for name in ror_names(rec))
    }
    matched |= EXTRA_ROR_IDS & {str(rec["id"]) for rec in records}
    related: set[str] = set()
    for rec in records:
        if str(rec["id"]) in matched:
            relationships = rec.get("relationships", [])
            assert isinstance(relationships, list)
            related.update(
                rel["id"] for rel in relationships if rel.get("type") in ROR_RELATION_TYPES
            )
    present = {str(rec["id"]) for rec in records}
    related = (related & present) - matched
    chosen = matched | related
    others = sorted(present - chosen, key=hash_key)[:ROR_RANDOM]
    chosen |= set(others)
    kept = [rec for rec in records if str(rec["id"]) in chosen]
    payload = json.dumps(kept, ensure_ascii=False).encode("utf-8")
    write_zip(out, [(member, payload)])
    return {
        "ror_records": len(kept),
        "ror_matched_assignees": len(matched),
        "ror_related": len(related),
        "ror_random": len(others),
    }


# ---------------------------------------------------------------- main


def build(shared: Path, out: Path) -> dict[str, object]:
    """Write the whole sample under ``out``; return the counts to report."""
    pv_in, pv_out = shared / "patentsview", out / "patentsview"
    by_subclass, by_group, field_names = load_wipo(shared / "wipo" / "ipc_technology.csv")
    fields = primary_fields(pv_in / "g_cpc_current.tsv.zip", by_subclass, by_group)
    assignees = load_assignees(pv_in / "g_assignee_not_disambiguated.tsv.zip")

    patent_rows = read_tsv(pv_in / "g_patent.tsv.zip")
    pid_i = next(patent_rows).index("patent_id")
    all_ids = [row[pid_i] for row in patent_rows]
    selected, stats = select_patents(all_ids, assignees, fields, field_names)
    missing = selected - set(all_ids)
    if missing:
        raise SystemExit(f"{len(missing)} selected patents are not in g_patent")

    counts: dict[str, object] = {}
    counts["patents"], _ = filter_table(
        pv_in / "g_patent.tsv.zip", pv_out / "g_patent.tsv.zip", "patent_id", selected
    )
    counts["assignee_rows"], assignee_rows = filter_table(
        pv_in / "g_assignee_not_disambiguated.tsv.zip",
        pv_out / "g_assignee_not_disambiguated.tsv.zip",
        "patent_id",
        selected,
    )
    org_strings = {org for org in column(assignee_rows, "raw_assignee_organization") if org}
    counts["distinct_org_strings"] = len(org_strings)
    counts["cpc_rows"], cpc_rows = filter_table(
        pv_in / "g_cpc_current.tsv.zip", pv_out / "g_cpc_current.tsv.zip", "patent_id", selected
    )
    counts["inventor_rows"], inventor_rows = filter_table(
        pv_in / "g_inventor_not_disambiguated.tsv.zip",
        pv_out / "g_inventor_not_disambiguated.tsv.zip",
        "patent_id",
        selected,
    )
    location_ids = {loc for loc in column(inventor_rows, "rawlocation_id") if loc}
    counts["location_rows"], _ = filter_table(
        pv_in / "g_location_not_disambiguated.tsv.zip",
        pv_out / "g_location_not_disambiguated.tsv.zip",
        "rawlocation_id",
        location_ids,
    )
    counts["inventor_location_ids_unresolved"] = len(location_ids) - int(
        str(counts["location_rows"])
    )

    counts.update(
        reduce_ror(
            shared / "ror" / "ror-data-sample.zip", out / "ror" / "ror-data-sample.zip", org_strings
        )
    )
    symbols = set(column(cpc_rows, "cpc_group"))
    counts.update(
        reduce_cpc_titles(
            shared / "cpc" / "CPCTitleList202505.zip",
            out / "cpc" / "CPCTitleList202505.zip",
            symbols,
        )
    )
    (out / "wipo").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(shared / "wipo" / "ipc_technology.csv", out / "wipo" / "ipc_technology.csv")

    sample_assignees = {pid: assignees[pid] for pid in selected if pid in assignees}
    counts["university_company_patents"] = len(university_company(sample_assignees))
    per_org = org_patents(sample_assignees)
    counts["tsinghua_x_honhai_patents"] = len(per_org[PAIR_KEEP[0]] & per_org[PAIR_KEEP[1]])
    counts["selection"] = stats
    per_field = collections.Counter(fields.get(pid) for pid in selected)
    counts["patents_per_wipo_field"] = {
        f"{number:2d} {field_names[number]}": per_field.get(number, 0)
        for number in sorted(field_names)
    }
    counts["patents_without_wipo_field"] = per_field.get(None, 0)
    return counts


def sizes(out: Path) -> tuple[dict[str, int], int]:
    """Size in bytes of every file under ``out`` and their total."""
    files = {
        str(p.relative_to(out)): p.stat().st_size for p in sorted(out.rglob("*")) if p.is_file()
    }
    return files, sum(files.values())


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(
        description="Build the bundled real-data sample (data/sample/) from the shared real "
        "downloads: PatentsView tables, ROR, CPC titles and the WIPO concordance, reduced to a "
        "deterministic, documented selection of patents.",
    )
    parser.add_argument(
        "--shared",
        type=Path,
        default=Path("../shared/data"),
        help="folder holding the real downloads (default: ../shared/data)",
    )
    parser.add_argument(
        "--out", type=Path, default=Path("data/sample"), help="output folder (default: data/sample)"
    )
    args = parser.parse_args(argv)

    counts = build(args.shared, args.out)
    files, total = sizes(args.out)
    json.dump(
        {"counts": counts, "file_bytes": files, "total_bytes": total},
        sys.stdout,
        indent=2,
        ensure_ascii=False,
    )
    print()
    ror_bytes = files.get("ror/ror-data-sample.zip", 0)
    if total > MAX_TOTAL_BYTES or ror_bytes > MAX_ROR_BYTES:
        print(f"sample too big: total {total} bytes, ROR {ror_bytes} bytes", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
