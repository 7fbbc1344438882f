"""A SYNTHETIC patent-shaped graph for scale testing only: the organisations, patents,
assignments, inventors and places are invented. Nothing here is real data, and no result on
it says anything about the world.

What is real: the CPC symbols, their titles and hierarchy (the CPC Title List) and the WIPO
IPC->technology concordance, copied from the given files, so that the hierarchy and the field
matching work as on real data. When the real `g_cpc_current` table is at hand, how often each
CPC subclass is drawn follows its real frequency.

The files are written in the real layouts (PatentsView `g_*.tsv.zip`, a ROR v2 JSON dump in a
zip, the CPC Title List zip and the concordance CSV), so they go through the normal build.

Shape (defaults): ~20,000 organisations with a heavy-tailed (Zipf) number of patents, each
with one to three home CPC subclasses; ~7 CPC rows per patent (gamma-distributed, mean 7),
mostly from the holder's home subclasses; 1-3 assignees per patent with ~7% co-assigned
(partners are sticky, universities co-own with companies), ~4% unassigned, ~0.6% held by
individuals; grant years 1976-2022 with growth like the real grants; inventors (~4 per patent,
one located) in 31 countries. Patents are generated until the build's stored edge count
(every edge type, the CPC scheme's BROADER edges included) reaches `--edges`.

Deterministic: the same seed and input files give byte-identical output.

    python benchmarks/synthetic.py --out /tmp/synthetic [--edges 1500000] [--seed 7]
    python benchmarks/synthetic.py --out /tmp/synthetic --patents 9100000 --orgs 400000

`--patents N` streams: patents are drawn 100,000 at a time with a seeded numpy generator and
written by Arrow's CSV writer at a fast deflate level (memory bounded by the organisations and
the chunk, not N: 0.62 GB at 1M patents), and gives assignee rows locations as the real bulk
tables have them; `--edges` keeps the earlier in-memory generator, byte for byte.
"""

from __future__ import annotations

import argparse
import bisect
import csv
import io
import json
import logging
import math
import random
import shutil
import sys
import time
import zipfile
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

if __package__ in (None, ""):  # run as a file: import from the project root, not from
    # benchmarks/ (whose queries.py would shadow the project's `queries` package)
    _here = Path(__file__).resolve().parent
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _here]
    sys.path.insert(0, str(_here.parent))

from benchmarks._common import DEFAULT_SHARED, REPO_ROOT
from ttkg.graph.build.wipo import WipoMatcher
from ttkg.loaders import cpc as cpc_loader
from ttkg.loaders import patentsview, wipo
from ttkg.loaders.report import LoadReport
from ttkg.loaders.sources import SourcePaths

__all__ = ["SyntheticData", "generate", "generate_patents"]

log = logging.getLogger(__name__)

DEFAULT_EDGES: Final = 1_500_000
DEFAULT_ORGS: Final = 20_000
DEFAULT_SEED: Final = 7
#: Organisations in the ROR dump that hold no patent (ROR lists many more than patent holders).
DEFAULT_ROR_ONLY: Final = 10_000

ZIPF_EXPONENT: Final = 0.75
MULTI_ASSIGNEE: Final = 0.071  # share of assigned patents with 2+ assignees (real: 7.1%)
THIRD_ASSIGNEE: Final = 0.09  # of those, share with a third
UNASSIGNED: Final = 0.04
INDIVIDUAL: Final = 0.006
CPC_MEAN: Final = 7.0
INVENTOR_MEAN: Final = 4.1
FIRST_YEAR, LAST_YEAR = 1976, 2022
FIRST_NUMBER, LAST_NUMBER = 3_930_271, 11_540_000
_ZIP_TIME: Final = (2025, 1, 1, 0, 0, 0)

# fmt: off
COUNTRIES: Final[tuple[tuple[str, float], ...]] = (
    ("US", 40), ("JP", 17), ("KR", 8), ("DE", 6), ("TW", 6), ("CN", 6), ("GB", 2.2),
    ("FR", 2), ("CA", 1.8), ("CH", 1.2), ("NL", 1.1), ("SE", 1.0), ("IT", 0.9), ("IL", 0.9),
    ("IN", 0.7), ("AU", 0.6), ("FI", 0.5), ("BE", 0.4), ("DK", 0.4), ("AT", 0.4),
    ("SG", 0.4), ("HK", 0.3), ("ES", 0.3), ("NO", 0.2), ("IE", 0.2), ("MY", 0.15),
    ("NZ", 0.1), ("BR", 0.1), ("RU", 0.1), ("SA", 0.1), ("MX", 0.05),
)
#: PatentsView raw country codes beside ISO ones ("JPX" occurs beside "JP").
_RAW_VARIANT: Final = {"JP": "JPX", "TW": "TWX", "KR": "KRX", "DE": "DEX", "GB": "GB2"}

_SYLLABLES: Final = (
    "ka", "lo", "mi", "ra", "ten", "vor", "sel", "dri", "nu", "pax", "zen", "tor", "qui",
    "bel", "mar", "sin", "ko", "va", "rel", "dan", "fu", "gi", "hal", "jor", "lux", "nor",
    "ori", "pel", "sta", "tri", "ven", "wil", "xen", "yul", "zor", "ar", "en", "is", "on",
    "um", "bra", "cel", "dor", "fin", "gra", "hel", "kin", "lem", "mon", "nax", "pro", "ros",
)
_FIRST_NAMES: Final = (
    "Akira", "Anna", "Carlos", "Chen", "David", "Elena", "Hiroshi", "Ji-hoon", "John",
    "Li", "Maria", "Michael", "Min-jun", "Olivia", "Pierre", "Priya", "Stefan", "Wei", "Yuki",
)
_LAST_NAMES: Final = (
    "Kim", "Lee", "Park", "Wang", "Zhang", "Liu", "Tanaka", "Suzuki", "Sato", "Smith",
    "Johnson", "Brown", "Garcia", "Muller", "Schmidt", "Martin", "Rossi", "Cohen", "Singh",
)
# fmt: on
_COMPANY_FORMS: Final[dict[str, tuple[str, ...]]] = {
    "US": ("Inc.", "Corporation", "LLC", "Incorporated", "Corp."),
    "JP": ("Co., Ltd.", "Kabushiki Kaisha", "Corporation"),
    "KR": ("Co., Ltd.",),
    "CN": ("Co., Ltd.", "Technology Co., Ltd."),
    "TW": ("Co., Ltd.", "Corporation", "Inc."),
    "DE": ("GmbH", "AG", "GmbH & Co. KG"),
    "FR": ("SA", "SAS"),
    "GB": ("Limited", "PLC", "Ltd."),
    "CH": ("AG", "SA"),
    "NL": ("B.V.", "N.V."),
    "SE": ("AB",),
    "FI": ("Oy",),
    "IT": ("S.p.A.", "S.r.l."),
}
_DESCRIPTORS: Final[dict[str, tuple[str, ...]]] = {
    "A": ("Medical", "Foods", "Health", "Consumer Products"),
    "B": ("Industries", "Machinery", "Printing", "Automotive"),
    "C": ("Chemical", "Pharmaceuticals", "Materials", "Biosciences"),
    "D": ("Textiles", "Paper"),
    "E": ("Construction", "Drilling"),
    "F": ("Motor", "Engineering", "Energy", "Lighting"),
    "G": ("Systems", "Instruments", "Optical", "Software"),
    "H": ("Electronics", "Semiconductor", "Display", "Communications", "Electric"),
    "Y": ("Technologies",),
}
_ROR_TYPE: Final = {
    "company": "company",
    "university": "education",
    "government": "government",
    "nonprofit": "nonprofit",
    "hospital": "healthcare",
}
_FORMS_LONGEST_FIRST: Final = sorted(
    {f for forms in _COMPANY_FORMS.values() for f in forms} | {"Ltd.", "Inc.", "AG"},
    key=len,
    reverse=True,
)
_ASSIGNEE_TYPE: Final = {"company": ("2", "3"), "government": ("6", "7")}


@dataclass
class _Org:
    name: str
    kind: str
    country: str
    home: list[str]  # home CPC subclasses
    partners: list[int] = field(default_factory=list)
    ror_id: str | None = None
    parent: int | None = None


@dataclass
class _Patent:
    date: str
    title: str
    kind: str
    claims: int
    assignees: list[tuple[str | None, str | None, str | None, str]]  # org, first, last, type
    cpc: list[tuple[str, str]]  # (symbol, cpc_type)
    inventors: list[tuple[str, str, str]]  # first, last, location id ("" = none)


@dataclass(frozen=True)
class SyntheticData:
    """Where the synthetic inputs were written, and what they hold."""

    root: Path
    sources: SourcePaths
    counts: dict[str, Any]


# -- real inputs ------------------------------------------------------------------------------


@dataclass
class _Scheme:
    groups: dict[str, list[str]]  # subclass -> group symbols (real, from the title list)
    titles: dict[str, str]
    subclasses: list[str]
    cum_weights: list[float]
    broader_edges: int
    cpc_field_edges: int
    matcher: WipoMatcher
    weights_from: str


def _read_scheme(cpc: Path, concordance: Path, frequencies: Path | None) -> _Scheme:
    report = LoadReport()
    groups: dict[str, list[str]] = defaultdict(list)
    titles: dict[str, str] = {}
    symbols: set[str] = set()
    broader = 0
    for r in cpc_loader.read_cpc_titles(cpc, report):
        if r.symbol in symbols:
            continue
        symbols.add(r.symbol)
        titles[r.symbol] = r.title
        if r.level != "section":
            broader += 1
        if r.level in ("main_group", "group"):
            groups[r.symbol[:4]].append(r.symbol)
    patterns = list(wipo.read_wipo(concordance, report))
    matcher = WipoMatcher.from_patterns(patterns)
    n_fields = len({p.field_number for p in patterns})
    cpc_field = sum(len(f) for s, f in matcher.subclass_patterns().items() if s in symbols)
    cpc_field += sum(
        len(f) for (s, g), f in matcher.main_group_patterns().items() if f"{s}{g}/00" in symbols
    )
    weights: Counter[str] = Counter()
    weights_from = "groups per subclass in the CPC Title List"
    if frequencies is not None and frequencies.exists():
        for rec in patentsview.read_cpc(frequencies, report):
            weights[rec.symbol[:4]] += 1
        weights_from = f"subclass frequencies of the real {frequencies.name}"
    subclasses = sorted(groups)
    raw = [float(weights[s]) if weights else float(len(groups[s])) for s in subclasses]
    if weights:  # every subclass stays possible, rare ones rarely
        raw = [w + 0.5 for w in raw]
    cum: list[float] = []
    total = 0.0
    for w in raw:
        total += w
        cum.append(total)
    return _Scheme(
        dict(groups),
        titles,
        subclasses,
        cum,
        broader + n_fields,
        cpc_field,
        matcher,
        weights_from,
    )


# -- the generator ---------------------------------------------------------------------------


class _Generator:
    def __init__(self, scheme: _Scheme, seed: int, n_orgs: int, ror_only: int) -> None:
        self.s = scheme
        self.rng = random.Random(seed)
        self.countries = [c for c, _ in COUNTRIES]
        self.country_cum = _cumulative(w for _, w in COUNTRIES)
        self._stems: set[str] = set()
        self.locations = self._make_locations(7_000)
        self.orgs = [self._make_org() for _ in range(n_orgs)]
        self.org_cum = _cumulative(
            (i + 1) ** -ZIPF_EXPONENT * (0.3 if o.kind == "university" else 1.0)
            for i, o in enumerate(self.orgs)
        )
        self._partners()
        self.ror_only = [self._make_org() for _ in range(ror_only)]
        self._ror_ids()

    # places and names

    def _country(self) -> str:
        return self.countries[
            bisect.bisect_left(self.country_cum, self.rng.random() * self.country_cum[-1])
        ]

    def _stem(self) -> str:
        while True:
            n = self.rng.choice((2, 2, 3, 3, 3, 4))
            stem = "".join(self.rng.choice(_SYLLABLES) for _ in range(n)).capitalize()
            if stem not in self._stems and len(stem) >= 5:
                self._stems.add(stem)
                return stem

    def _make_locations(self, n: int) -> dict[str, list[tuple[str, str, str, str]]]:
        """Raw locations per country: (id, city, state, raw country code)."""
        out: dict[str, list[tuple[str, str, str, str]]] = defaultdict(list)
        total = self.country_cum[-1]
        for code, weight in COUNTRIES:
            for _ in range(max(3, round(n * weight / total))):
                loc_id = f"{self.rng.getrandbits(64):016x}"
                city = self._stem() + self.rng.choice(("", " City", "ville", "burg", "shi"))
                state = (
                    self.rng.choice(("CA", "NY", "TX", "MA", "WA", "IL")) if code == "US" else ""
                )
                raw = (
                    _RAW_VARIANT[code]
                    if code in _RAW_VARIANT and self.rng.random() < 0.15
                    else code
                )
                out[code].append((loc_id, city, state, raw))
        return out

    def _subclass(self) -> str:
        i = bisect.bisect_left(self.s.cum_weights, self.rng.random() * self.s.cum_weights[-1])
        return self.s.subclasses[min(i, len(self.s.subclasses) - 1)]

    def _make_org(self) -> _Org:
        r = self.rng.random()
        kind = (
            "company"
            if r < 0.86
            else "university"
            if r < 0.95
            else "government"
            if r < 0.97
            else "nonprofit"
            if r < 0.99
            else "hospital"
        )
        country = self._country()
        home = [
            self._subclass() for _ in range(self.rng.randint(1, 4 if kind == "university" else 3))
        ]
        stem = self._stem()
        if kind == "company":
            forms = _COMPANY_FORMS.get(country, ("Ltd.", "Inc.", "AG"))
            desc = self.rng.choice(_DESCRIPTORS[home[0][0]])
            name = f"{stem} {desc} {self.rng.choice(forms)}"
        elif kind == "university":
            name = self.rng.choice(
                (
                    f"University of {stem}",
                    f"{stem} University",
                    f"{stem} Institute of Technology",
                    f"{stem} National University",
                    f"{stem} Polytechnic University",
                )
            )
        elif kind == "government":
            name = f"{stem} National Research Agency"
        elif kind == "nonprofit":
            name = f"{stem} Research Foundation"
        else:
            name = f"{stem} Medical Center"
        return _Org(name, kind, country, home)

    def _zipf_org(self) -> int:
        return bisect.bisect_left(self.org_cum, self.rng.random() * self.org_cum[-1])

    def _partners(self) -> None:
        """Sticky partners: universities mostly co-own with companies."""
        for i, org in enumerate(self.orgs):
            for _ in range(self.rng.randint(1, 3)):
                for _attempt in range(20):
                    j = self._zipf_org()
                    other = self.orgs[j]
                    if j == i:
                        continue
                    if (
                        org.kind == "university"
                        and other.kind == "university"
                        and self.rng.random() < 0.8
                    ):
                        continue
                    org.partners.append(j)
                    break

    def _ror_ids(self) -> None:
        """ROR records for every non-company and for 15% of the companies (ROR-only too);
        some ROR companies are part of a bigger ROR company."""
        alphabet = "0123456789abcdefghjkmnpqrstvwxyz"
        seen: set[str] = set()
        for k, org in enumerate([*self.orgs, *self.ror_only]):
            holder = k < len(self.orgs)
            if holder and org.kind == "company" and self.rng.random() >= 0.15:
                continue
            while True:
                rid = "0" + "".join(self.rng.choice(alphabet) for _ in range(8))
                if rid not in seen:
                    seen.add(rid)
                    break
            org.ror_id = "https://ror.org/" + rid
        parents = [i for i, o in enumerate(self.orgs[:300]) if o.ror_id and o.kind == "company"]
        for i, org in enumerate(self.orgs):
            if (
                parents
                and org.ror_id
                and org.kind == "company"
                and i >= 300
                and self.rng.random() < 0.1
            ):
                org.parent = self.rng.choice(parents)

    # patents

    def _group(self, subclass: str) -> str:
        return self.rng.choice(self.s.groups[subclass])

    def _assignee_row(self, o: int) -> tuple[str | None, str | None, str | None, str]:
        org = self.orgs[o]
        name = org.name
        r = self.rng.random()
        if r < 0.10:
            name = name.upper()
        elif r < 0.13:
            name = name.replace(",", "").replace(".", "")
        codes = _ASSIGNEE_TYPE.get(org.kind, ("2", "3"))
        return name, None, None, codes[0] if org.country == "US" else codes[1]

    def patent(self, year: int) -> tuple[_Patent, list[int]]:
        rng = self.rng
        holders: list[int] = []
        rows: list[tuple[str | None, str | None, str | None, str]] = []
        r = rng.random()
        if r < UNASSIGNED:
            pass
        elif r < UNASSIGNED + INDIVIDUAL:
            rows.append((None, rng.choice(_FIRST_NAMES), rng.choice(_LAST_NAMES), rng.choice("45")))
        else:
            holders.append(self._zipf_org())
            if rng.random() < MULTI_ASSIGNEE:
                extra = 2 if rng.random() < THIRD_ASSIGNEE else 1
                for _ in range(extra):
                    lead = self.orgs[holders[0]]
                    cand = (
                        rng.choice(lead.partners)
                        if lead.partners and rng.random() < 0.7
                        else self._zipf_org()
                    )
                    if cand not in holders:
                        holders.append(cand)
            rows += [self._assignee_row(o) for o in holders]
        home: list[str] = [s for o in holders for s in self.orgs[o].home]
        primary = rng.choice(home) if home and rng.random() < 0.85 else self._subclass()
        n_cpc = min(60, max(1, round(rng.gammavariate(2.0, CPC_MEAN / 2.0))))
        symbols: list[str] = []
        for k in range(n_cpc):
            u = rng.random()
            sub = (
                primary
                if k == 0 or u < 0.75
                else rng.choice(home)
                if home and u < 0.9
                else self._subclass()
            )
            sym = self._group(sub)
            if sym not in symbols:
                symbols.append(sym)
        cpc = [
            (s, "inventional" if k == 0 or rng.random() < 0.55 else "additional")
            for k, s in enumerate(symbols)
        ]
        lead_country = self.orgs[holders[0]].country if holders else self._country()
        n_inv = 1 + min(30, int(rng.expovariate(1 / (INVENTOR_MEAN - 0.5))))
        where = lead_country if rng.random() < 0.85 else self._country()
        loc = rng.choice(self.locations[where])[0]
        inventors = [
            (rng.choice(_FIRST_NAMES), rng.choice(_LAST_NAMES), loc if i == 0 else "")
            for i in range(n_inv)
        ]
        title = self.s.titles.get(symbols[0], "Apparatus")
        title = (title[:1].upper() + title[1:])[:180]
        kind = ("B2" if rng.random() < 0.9 else "B1") if year >= 2001 else "A"
        date = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        return _Patent(date, title, kind, rng.randint(1, 40), rows, cpc, inventors), holders

    def year(self) -> int:
        # grants grow roughly 5% a year, as in the real extract
        span = LAST_YEAR - FIRST_YEAR + 1
        u = self.rng.random()
        rate = 0.055
        y = math.log(1 + u * (math.exp(rate * span) - 1)) / rate
        return FIRST_YEAR + min(span - 1, int(y))


def _cumulative(weights: Iterable[float]) -> list[float]:
    out: list[float] = []
    total = 0.0
    for w in weights:
        total += w
        out.append(total)
    return out


# -- writing ----------------------------------------------------------------------------------


class _TsvZip:
    """One `<name>.tsv` member of a zip, written row by row, every field double-quoted, as
    PatentsView publishes (several can be open at once: the tables are written together)."""

    def __init__(self, path: Path, header: Sequence[str]) -> None:
        info = zipfile.ZipInfo(path.name.removesuffix(".zip"), date_time=_ZIP_TIME)
        info.compress_type = zipfile.ZIP_DEFLATED
        self._zip = zipfile.ZipFile(path, "w")
        self._raw = self._zip.open(info, "w")
        self._text = io.TextIOWrapper(self._raw, encoding="utf-8", newline="")
        self._csv = csv.writer(
            self._text, delimiter="\t", quoting=csv.QUOTE_ALL, lineterminator="\n"
        )
        self._csv.writerow(header)
        self.rows = 0

    def write(self, row: Sequence[object]) -> None:
        self._csv.writerow(["" if v is None else v for v in row])
        self.rows += 1

    def close(self) -> int:
        self._text.flush()
        self._text.detach()
        self._raw.close()
        self._zip.close()
        return self.rows


def _write_tsv_zip(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    """One `<name>.tsv` member, every field double-quoted, as PatentsView publishes."""
    out = _TsvZip(path, header)
    for row in rows:
        out.write(row)
    return out.close()


_HEADERS: Final = {
    "g_patent": "patent_id patent_type patent_date patent_title wipo_kind num_claims withdrawn "
    "filename",
    "g_assignee_not_disambiguated": "patent_id assignee_sequence assignee_id "
    "raw_assignee_individual_name_first raw_assignee_individual_name_last "
    "raw_assignee_organization assignee_type rawlocation_id",
    "g_cpc_current": "patent_id cpc_sequence cpc_section cpc_class cpc_subclass cpc_group "
    "cpc_type cpc_symbol_position",
    "g_inventor_not_disambiguated": "patent_id inventor_sequence inventor_id "
    "raw_inventor_name_first raw_inventor_name_last deceased_flag rawlocation_id",
    "g_location_not_disambiguated": "rawlocation_id location_id raw_city raw_state raw_country",
}


def _write_patentsview(
    pv: Path, patents: list[_Patent], locations: dict[str, list[tuple[str, str, str, str]]]
) -> dict[str, int]:
    """The five PatentsView tables; patent numbers increase with the grant date and rows come
    in PatentsView's order (by patent_id as text). Returns rows written per table."""
    patents = sorted(patents, key=lambda p: p.date)
    step = (LAST_NUMBER - FIRST_NUMBER) // max(len(patents), 1)
    numbers = [str(FIRST_NUMBER + i * step) for i in range(len(patents))]
    ordered = [
        (numbers[i], patents[i]) for i in sorted(range(len(patents)), key=numbers.__getitem__)
    ]
    tables: dict[str, Iterable[Sequence[object]]] = {
        "g_patent": (
            (n, "utility", p.date, p.title, p.kind, p.claims, "0", "") for n, p in ordered
        ),
        "g_assignee_not_disambiguated": (
            (n, seq, "", first, last, org, atype, "")
            for n, p in ordered
            for seq, (org, first, last, atype) in enumerate(p.assignees)
        ),
        "g_cpc_current": (
            (n, seq, s[0], s[:3], s[:4], s, t, "")
            for n, p in ordered
            for seq, (s, t) in enumerate(p.cpc)
        ),
        "g_inventor_not_disambiguated": (
            (n, seq, "", first, last, "", loc)
            for n, p in ordered
            for seq, (first, last, loc) in enumerate(p.inventors)
        ),
        "g_location_not_disambiguated": (
            (lid, "", city, state, raw)
            for code in sorted(locations)
            for lid, city, state, raw in locations[code]
        ),
    }
    return {
        name: _write_tsv_zip(pv / f"{name}.tsv.zip", _HEADERS[name].split(), rows)
        for name, rows in tables.items()
    }


def _ror_record(org: _Org, parent: _Org | None, rng: random.Random) -> dict[str, Any]:
    display = org.name
    if org.kind == "company":  # ROR names companies without the legal form
        for form in _FORMS_LONGEST_FIRST:
            if org.name.endswith(" " + form):
                display = org.name[: -len(form) - 1].rstrip(",")
                break
    names: list[dict[str, Any]] = [
        {"value": display, "types": ["ror_display", "label"], "lang": "en"}
    ]
    words = [w for w in display.split() if w[:1].isupper()]
    if len(words) >= 2:
        names.append({"value": "".join(w[0] for w in words), "types": ["acronym"], "lang": None})
    relationships = []
    if parent is not None and parent.ror_id:
        relationships.append({"type": "parent", "id": parent.ror_id, "label": parent.name})
    return {
        "id": org.ror_id,
        "names": names,
        "types": [_ROR_TYPE[org.kind]],
        "status": "active",
        "established": rng.randint(1850, 2015),
        "locations": [
            {
                "geonames_id": rng.randint(100_000, 9_999_999),
                "geonames_details": {"country_code": org.country, "name": "Synthetic city"},
            }
        ],
        "relationships": relationships,
        "domains": [],
        "links": [],
        "external_ids": [],
        "admin": {
            "created": {"date": "2025-01-01", "schema_version": "2.1"},
            "last_modified": {"date": "2025-01-01", "schema_version": "2.1"},
        },
    }


def generate(
    out: Path,
    *,
    edges: int = DEFAULT_EDGES,
    seed: int = DEFAULT_SEED,
    orgs: int = DEFAULT_ORGS,
    ror_only: int = DEFAULT_ROR_ONLY,
    cpc: Path,
    concordance: Path,
    cpc_frequencies: Path | None = None,
) -> SyntheticData:
    """Write a synthetic graph's inputs under `out` (replacing what is there)."""
    started = time.perf_counter()
    scheme = _read_scheme(cpc, concordance, cpc_frequencies)
    gen = _Generator(scheme, seed, orgs, ror_only)
    ror_orgs = [o for o in (*gen.orgs, *gen.ror_only) if o.ror_id]
    part_of = sum(1 for o in gen.orgs if o.parent is not None)
    fixed = scheme.broader_edges + scheme.cpc_field_edges + len(ror_orgs) + part_of

    patents: list[_Patent] = []
    used: set[int] = set()  # organisations holding patents
    used_plain: set[int] = set()  # organisations with patents and no ROR record
    individuals: set[tuple[str | None, str | None]] = set()
    running = 0
    while fixed + running + len(used_plain) + len(individuals) < edges:
        p, holders = gen.patent(gen.year())
        patents.append(p)
        fields = {f for s, _ in p.cpc for f in scheme.matcher.fields(s)}
        running += len(p.cpc) + len(holders) + len(fields)
        used.update(holders)
        for o in holders:
            if gen.orgs[o].ror_id is None:
                used_plain.add(o)
        for a in p.assignees:
            if a[0] is None:
                running += 1
                individuals.add((a[1], a[2]))

    if out.exists():
        shutil.rmtree(out)
    pv = out / "patentsview"
    for d in (pv, out / "ror", out / "cpc", out / "wipo"):
        d.mkdir(parents=True)
    counts: dict[str, Any] = {"patents": len(patents)}
    counts.update(_write_patentsview(pv, patents, gen.locations))

    extra = {
        "co_assigned_patents": sum(1 for p in patents if len(p.assignees) > 1),
        "estimated_edges": fixed + running + len(used_plain) + len(individuals),
    }
    return _finish(out, gen, scheme, seed, counts, extra, cpc, concordance, started, used)


def _finish(
    out: Path,
    gen: _Generator,
    scheme: _Scheme,
    seed: int,
    counts: dict[str, Any],
    extra: dict[str, Any],
    cpc: Path,
    concordance: Path,
    started: float,
    used: set[int],
) -> SyntheticData:
    """The ROR dump, the real CPC and concordance files, SYNTHETIC.md."""
    ror_orgs = [o for o in (*gen.orgs, *gen.ror_only) if o.ror_id]
    rng = random.Random(seed + 1)
    info = zipfile.ZipInfo("ror-synthetic_schema_v2.json", date_time=_ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(out / "ror" / "ror-synthetic.zip", "w") as zf, zf.open(info, "w") as raw:
        # one JSON array, written record by record (the same bytes as json.dumps(records))
        raw.write(b"[")
        for k, o in enumerate(ror_orgs):
            record = _ror_record(o, gen.orgs[o.parent] if o.parent is not None else None, rng)
            text = json.dumps(record, ensure_ascii=False, indent=1)
            raw.write(((",\n" if k else "\n") + " " + text.replace("\n", "\n ")).encode())
        raw.write(b"\n]" if ror_orgs else b"]")
    counts["ror_records"] = len(ror_orgs)

    shutil.copyfile(cpc, out / "cpc" / cpc.name)
    shutil.copyfile(concordance, out / "wipo" / concordance.name)
    counts["organisations_with_patents"] = len(used)
    counts.update(extra)
    counts["seed"] = seed
    counts["subclass_weights"] = scheme.weights_from
    (out / "SYNTHETIC.md").write_text(
        "# SYNTHETIC data: for scale testing only\n\n"
        "Generated by `benchmarks/synthetic.py`. Organisations, patents, assignments, inventors\n"
        "and places are invented; only the CPC scheme and the WIPO concordance are real.\n\n"
        "```\n" + json.dumps(counts, indent=1) + "\n```\n",
        encoding="utf-8",
    )
    counts["seconds"] = round(time.perf_counter() - started, 1)
    sources = SourcePaths(
        patentsview=out / "patentsview",
        ror=out / "ror" / "ror-synthetic.zip",
        cpc=out / "cpc" / cpc.name,
        wipo=out / "wipo" / concordance.name,
    )
    return SyntheticData(out, sources, counts)


_CHUNK: Final = 100_000  # patents drawn and written at a time (bounds memory, not output)
_ZLIB_LEVEL: Final = 1  # fast deflate: the download's layout matters here, not its ratio


class _Columns:
    """The generator's organisations, places and CPC groups as arrays, so that a chunk of
    patents is drawn with numpy and its rows are formatted by Arrow in bulk."""

    def __init__(self, gen: _Generator, rng: np.random.Generator) -> None:
        s = gen.s
        orgs = gen.orgs
        n = len(orgs)
        self.n_orgs = n
        self.org_cum = np.asarray(gen.org_cum)
        self.country_cum = np.asarray(gen.country_cum)
        names = [o.name for o in orgs]
        self.names = pa.array(
            names
            + [m.upper() for m in names]
            + [m.replace(",", "").replace(".", "") for m in names]
        )
        self.atype = pa.array(
            [_ASSIGNEE_TYPE.get(o.kind, ("2", "3"))[0 if o.country == "US" else 1] for o in orgs]
        )
        country_ix = {c: k for k, (c, _) in enumerate(COUNTRIES)}
        self.org_country = np.array([country_ix[o.country] for o in orgs], dtype=np.int64)
        self.partners = np.zeros((n, 3), dtype=np.int64)
        self.n_partners = np.array([len(o.partners) for o in orgs], dtype=np.int64)
        for k, o in enumerate(orgs):
            self.partners[k, : len(o.partners)] = o.partners
        sub_ix = {x: k for k, x in enumerate(s.subclasses)}
        self.home = np.zeros((n, 4), dtype=np.int64)
        self.n_home = np.array([len(o.home) for o in orgs], dtype=np.int64)
        for k, o in enumerate(orgs):
            self.home[k, : len(o.home)] = [sub_ix[h] for h in o.home]
        self.sub_cum = np.asarray(s.cum_weights)
        symbols = [g for x in s.subclasses for g in s.groups[x]]
        sizes = np.array([len(s.groups[x]) for x in s.subclasses], dtype=np.int64)
        self.grp_count = sizes
        self.grp_start = np.concatenate(([0], np.cumsum(sizes)[:-1]))
        self.symbol = pa.array(symbols)
        self.section = pa.array([g[0] for g in symbols])
        self.cls = pa.array([g[:3] for g in symbols])
        self.sub_symbol = pa.array([g[:4] for g in symbols])
        titles = [s.titles.get(g, "Apparatus") for g in symbols]
        self.title = pa.array([(t[:1].upper() + t[1:])[:180] for t in titles])
        places = [p for c, _ in COUNTRIES for p in gen.locations[c]]
        self.loc_id = pa.array([p[0] for p in places] + [""])  # last: no place
        counts = np.array([len(gen.locations[c]) for c, _ in COUNTRIES], dtype=np.int64)
        self.loc_count = counts
        self.loc_start = np.concatenate(([0], np.cumsum(counts)[:-1]))
        # an organisation's assignee rows point at one place of its country
        self.org_place = self._place(rng, self.org_country)
        self.first = pa.array(_FIRST_NAMES)
        self.last = pa.array(_LAST_NAMES)

    def _place(self, rng: np.random.Generator, country: npt.NDArray[np.int64]) -> Any:
        pick = (rng.random(len(country)) * self.loc_count[country]).astype(np.int64)
        return self.loc_start[country] + pick

    def zipf(self, rng: np.random.Generator, n: int) -> Any:
        u = rng.random(n) * self.org_cum[-1]
        return np.minimum(np.searchsorted(self.org_cum, u, side="left"), self.n_orgs - 1)

    def country(self, rng: np.random.Generator, n: int) -> Any:
        u = rng.random(n) * self.country_cum[-1]
        return np.minimum(np.searchsorted(self.country_cum, u, side="left"), len(COUNTRIES) - 1)

    def subclass(self, rng: np.random.Generator, n: int) -> Any:
        u = rng.random(n) * self.sub_cum[-1]
        return np.minimum(np.searchsorted(self.sub_cum, u, side="left"), len(self.sub_cum) - 1)

    def partner(self, rng: np.random.Generator, lead: Any) -> Any:
        """A sticky partner of each lead (70% when it has one), else a Zipf draw."""
        n = len(lead)
        npart = self.n_partners[lead]
        use = (npart > 0) & (rng.random(n) < 0.7)
        pick = self.partners[lead, (rng.random(n) * npart).astype(np.int64)]
        return np.where(use, pick, self.zipf(rng, n))

    def home_of(self, rng: np.random.Generator, org: Any) -> Any:
        k = (rng.random(len(org)) * self.n_home[org]).astype(np.int64)
        return self.home[org, k]


def _blank(n: int) -> pa.Array:
    return pa.array([""] * n, pa.string())


def _chunk(
    c: _Columns, rng: np.random.Generator, positions: Any, patents: int, step: int
) -> tuple[dict[str, pa.Table], Any, int]:
    """The rows of the patents at `positions` (indices in grant order) for the four patent
    tables; also the organisations holding them and how many are co-assigned."""
    n = len(positions)
    number = pc.cast(pa.array(FIRST_NUMBER + positions * step), pa.string())
    # assignees: unassigned, an individual, or 1-3 organisations
    r = rng.random(n)
    assigned = r >= UNASSIGNED + INDIVIDUAL
    individual = (r >= UNASSIGNED) & ~assigned
    lead = np.where(assigned, c.zipf(rng, n), -1)
    multi = assigned & (rng.random(n) < MULTI_ASSIGNEE)
    third = multi & (rng.random(n) < THIRD_ASSIGNEE)
    second = np.where(multi, c.partner(rng, lead), -1)
    second[second == lead] = -1
    other = np.where(third, c.partner(rng, lead), -1)
    other[(other == lead) | (other == second)] = -1
    holders = np.stack([lead, second, other], axis=1)
    held = holders >= 0
    row, _ = np.nonzero(held)  # row-major: patent order, then slot
    org = holders[held]
    seq = (np.cumsum(held, axis=1) - 1)[held]
    variant = np.searchsorted([0.10, 0.13], rng.random(len(org)), side="right") % 3
    ind = np.flatnonzero(individual)
    m = len(ind)
    us_place = c.loc_start[0] + (rng.random(m) * c.loc_count[0]).astype(np.int64)
    a_patent = np.concatenate([row, ind])
    order = np.argsort(a_patent, kind="stable")
    blank_o, blank_i = _blank(len(org)), _blank(m)
    assignee = pa.table(
        {
            "patent_id": number.take(a_patent[order]),
            "assignee_sequence": np.concatenate([seq, np.zeros(m, np.int64)])[order],
            "assignee_id": pa.concat_arrays([blank_o, blank_i]).take(order),
            "raw_assignee_individual_name_first": pa.concat_arrays(
                [blank_o, c.first.take(rng.integers(0, len(_FIRST_NAMES), m))]
            ).take(order),
            "raw_assignee_individual_name_last": pa.concat_arrays(
                [blank_o, c.last.take(rng.integers(0, len(_LAST_NAMES), m))]
            ).take(order),
            "raw_assignee_organization": pa.concat_arrays(
                [c.names.take(variant * c.n_orgs + org), blank_i]
            ).take(order),
            "assignee_type": pa.concat_arrays(
                [c.atype.take(org), pa.array(np.where(rng.random(m) < 0.5, "4", "5"), pa.string())]
            ).take(order),
            "rawlocation_id": c.loc_id.take(np.concatenate([c.org_place[org], us_place])[order]),
        }
    )
    # CPC: a primary subclass, mostly a holder's home one; ~7 rows, mostly the primary
    n_held = held.sum(axis=1)
    packed = -np.sort(-holders, axis=1)  # holders first
    some = packed[np.arange(n), (rng.random(n) * np.maximum(n_held, 1)).astype(np.int64)]
    from_home = assigned & (rng.random(n) < 0.85)
    primary = np.where(from_home, c.home_of(rng, np.maximum(some, 0)), c.subclass(rng, n))
    n_cpc = np.clip(np.rint(rng.gamma(2.0, CPC_MEAN / 2.0, n)), 1, 60).astype(np.int64)
    pat = np.repeat(np.arange(n), n_cpc)
    total = len(pat)
    k = np.arange(total) - np.repeat(np.cumsum(n_cpc) - n_cpc, n_cpc)
    u = rng.random(total)
    some_row = packed[pat, (rng.random(total) * np.maximum(n_held[pat], 1)).astype(np.int64)]
    sub = np.where(
        (k == 0) | (u < 0.75),
        primary[pat],
        np.where(
            assigned[pat] & (u < 0.9),
            c.home_of(rng, np.maximum(some_row, 0)),
            c.subclass(rng, total),
        ),
    )
    gid = c.grp_start[sub] + (rng.random(total) * c.grp_count[sub]).astype(np.int64)
    _, first = np.unique(pat * len(c.symbol) + gid, return_index=True)
    keep = np.sort(first)  # a symbol once per patent, in drawn order
    pat, gid = pat[keep], gid[keep]
    start = np.searchsorted(pat, np.arange(n))
    cseq = np.arange(len(pat)) - start[pat]
    inventional = (cseq == 0) | (rng.random(len(pat)) < 0.55)
    cpc = pa.table(
        {
            "patent_id": number.take(pat),
            "cpc_sequence": cseq,
            "cpc_section": c.section.take(gid),
            "cpc_class": c.cls.take(gid),
            "cpc_subclass": c.sub_symbol.take(gid),
            "cpc_group": c.symbol.take(gid),
            "cpc_type": pa.array(np.where(inventional, "inventional", "additional")),
            "cpc_symbol_position": _blank(len(pat)),
        }
    )
    # inventors: ~4, the first located, mostly in the lead holder's country
    n_inv = 1 + np.minimum(30, rng.exponential(INVENTOR_MEAN - 0.5, n).astype(np.int64))
    lead_country = np.where(assigned, c.org_country[np.maximum(lead, 0)], c.country(rng, n))
    where = np.where(rng.random(n) < 0.85, lead_country, c.country(rng, n))
    place = c.loc_start[where] + (rng.random(n) * c.loc_count[where]).astype(np.int64)
    ipat = np.repeat(np.arange(n), n_inv)
    iseq = np.arange(len(ipat)) - np.repeat(np.cumsum(n_inv) - n_inv, n_inv)
    no_place = len(c.loc_id) - 1
    inventor = pa.table(
        {
            "patent_id": number.take(ipat),
            "inventor_sequence": iseq,
            "inventor_id": _blank(len(ipat)),
            "raw_inventor_name_first": c.first.take(rng.integers(0, len(_FIRST_NAMES), len(ipat))),
            "raw_inventor_name_last": c.last.take(rng.integers(0, len(_LAST_NAMES), len(ipat))),
            "deceased_flag": _blank(len(ipat)),
            "rawlocation_id": c.loc_id.take(np.where(iseq == 0, place[ipat], no_place)),
        }
    )
    # grant dates grow with the number (the growth of `_year_at`)
    span = LAST_YEAR - FIRST_YEAR + 1
    rate = 0.055
    y = np.log1p((positions + 0.5) / patents * np.expm1(rate * span)) / rate
    year = FIRST_YEAR + np.minimum(span - 1, y.astype(np.int64))
    day = np.minimum(335, ((y - np.floor(y)) * 336).astype(np.int64))
    months = (year - 1970) * 12 + day // 28
    date = months.astype("datetime64[M]").astype("datetime64[D]") + (day % 28)
    kind = np.where(year >= 2001, np.where(rng.random(n) < 0.9, "B2", "B1"), "A")
    patent = pa.table(
        {
            "patent_id": number,
            "patent_type": pa.array(["utility"] * n),
            "patent_date": pc.cast(pa.array(date), pa.string()),
            "patent_title": c.title.take(gid[start]),
            "wipo_kind": pa.array(kind),
            "num_claims": rng.integers(1, 41, n),
            "withdrawn": pa.array(["0"] * n),
            "filename": _blank(n),
        }
    )
    tables = {
        "g_patent": patent,
        "g_assignee_not_disambiguated": assignee,
        "g_cpc_current": cpc,
        "g_inventor_not_disambiguated": inventor,
    }
    return tables, org, int((n_held > 1).sum())


class _BulkTsvZip:
    """One `<name>.tsv` member of a zip written a table at a time by Arrow's CSV writer,
    every field double-quoted as PatentsView publishes; zip64 (members pass 4 GB at full
    size) and a fast deflate level."""

    def __init__(self, path: Path) -> None:
        info = zipfile.ZipInfo(path.name.removesuffix(".zip"), date_time=_ZIP_TIME)
        info.compress_type = zipfile.ZIP_DEFLATED
        setattr(
            info, "compress_level" if sys.version_info >= (3, 13) else "_compresslevel", _ZLIB_LEVEL
        )
        self._zip = zipfile.ZipFile(path, "w")
        self._raw = self._zip.open(info, "w", force_zip64=True)
        self._header = True
        self.rows = 0

    def write(self, table: pa.Table) -> None:
        buf = io.BytesIO()
        options = pacsv.WriteOptions(
            include_header=self._header, delimiter="\t", quoting_style="all_valid"
        )
        pacsv.write_csv(table, buf, options)
        self._raw.write(buf.getbuffer())
        self._header = False
        self.rows += table.num_rows

    def close(self) -> int:
        self._raw.close()
        self._zip.close()
        return self.rows


def _numbering(patents: int) -> tuple[int, tuple[tuple[int, int], tuple[int, int]]]:
    """The step between patent numbers (spread over FIRST_NUMBER..LAST_NUMBER, at least 1:
    past ~7.6M patents the numbers run beyond LAST_NUMBER) and the two ranges of positions
    in PatentsView's order: 8-digit numbers sort before 7-digit ones as text."""
    step = max(1, (LAST_NUMBER - FIRST_NUMBER) // max(patents, 1))
    first_long = min(patents, -(-(10_000_000 - FIRST_NUMBER) // step))
    return step, ((first_long, patents), (0, first_long))


def generate_patents(
    out: Path,
    *,
    patents: int,
    seed: int = DEFAULT_SEED,
    orgs: int = DEFAULT_ORGS,
    ror_only: int = DEFAULT_ROR_ONLY,
    cpc: Path,
    concordance: Path,
    cpc_frequencies: Path | None = None,
) -> SyntheticData:
    """Write a synthetic graph of exactly `patents` patents, streaming: patents are drawn
    `_CHUNK` at a time with a seeded numpy generator and each chunk's rows go to the five
    tables, so memory grows with organisations and places, not with patents. Rows come in
    PatentsView's order (by patent_id as text); grant dates increase with the number.
    Assignee rows carry a rawlocation_id into g_location_not_disambiguated, as the real bulk
    tables do (an organisation's rows point at one of its country's places)."""
    started = time.perf_counter()
    scheme = _read_scheme(cpc, concordance, cpc_frequencies)
    gen = _Generator(scheme, seed, orgs, ror_only)
    rng = np.random.default_rng(seed)
    cols = _Columns(gen, rng)
    if out.exists():
        shutil.rmtree(out)
    pv = out / "patentsview"
    for d in (pv, out / "ror", out / "cpc", out / "wipo"):
        d.mkdir(parents=True)
    tables = {name: _BulkTsvZip(pv / f"{name}.tsv.zip") for name in _HEADERS}
    step, ranges = _numbering(patents)
    used = np.zeros(orgs, dtype=bool)
    co_assigned = done = 0
    for lo, hi in ranges:
        for a in range(lo, hi, _CHUNK):
            positions = np.arange(a, min(a + _CHUNK, hi), dtype=np.int64)
            rows, holders, co = _chunk(cols, rng, positions, patents, step)
            for name, table in rows.items():
                tables[name].write(table)
            used[holders] = True
            co_assigned += co
            done += len(positions)
            log.info("%d of %d patents", done, patents)
    places = pa.table(
        {
            "rawlocation_id": [p[0] for c in sorted(gen.locations) for p in gen.locations[c]],
            "location_id": [""] * sum(len(v) for v in gen.locations.values()),
            "raw_city": [p[1] for c in sorted(gen.locations) for p in gen.locations[c]],
            "raw_state": [p[2] for c in sorted(gen.locations) for p in gen.locations[c]],
            "raw_country": [p[3] for c in sorted(gen.locations) for p in gen.locations[c]],
        }
    )
    tables["g_location_not_disambiguated"].write(places)
    counts: dict[str, Any] = {"patents": patents}
    counts.update({name: t.close() for name, t in tables.items()})
    extra = {"co_assigned_patents": co_assigned}
    held = set(np.flatnonzero(used).tolist())
    return _finish(out, gen, scheme, seed, counts, extra, cpc, concordance, started, held)


def inputs_from(shared: Path | None) -> tuple[Path, Path, Path | None]:
    """CPC Title List, concordance and (when present) the real g_cpc_current for weights:
    from the shared data when given and present, else from the bundled sample."""
    if shared is not None and (shared / "cpc").is_dir():
        freq = shared / "patentsview" / "g_cpc_current.tsv.zip"
        return (
            shared / "cpc" / "CPCTitleList202505.zip",
            shared / "wipo" / "ipc_technology.csv",
            freq if freq.exists() else None,
        )
    sample = REPO_ROOT / "data" / "sample"
    return (
        sample / "cpc" / "CPCTitleList202505.zip",
        sample / "wipo" / "ipc_technology.csv",
        sample / "patentsview" / "g_cpc_current.tsv.zip",
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="folder to write (replaced)")
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--edges", type=int, default=DEFAULT_EDGES, help="target stored edges")
    size.add_argument(
        "--patents", type=int, help="exactly this many patents, streamed in bounded memory"
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--orgs", type=int, default=DEFAULT_ORGS, help="assignee organisations")
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="real shared data")
    args = parser.parse_args(argv)
    cpc, concordance, freq = inputs_from(args.shared)
    if args.patents is not None:
        data = generate_patents(
            args.out,
            patents=args.patents,
            seed=args.seed,
            orgs=args.orgs,
            cpc=cpc,
            concordance=concordance,
            cpc_frequencies=freq,
        )
    else:
        data = generate(
            args.out,
            edges=args.edges,
            seed=args.seed,
            orgs=args.orgs,
            cpc=cpc,
            concordance=concordance,
            cpc_frequencies=freq,
        )
    print(f"SYNTHETIC data (scale testing only) written to {data.root}")
    print(json.dumps(data.counts, indent=1))


if __name__ == "__main__":
    main()
