"""Where the input data comes from (paths, defaulting to the bundled sample) and its provenance."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, fields
from importlib import resources
from pathlib import Path
from typing import Any, Final

from ttkg.core.model import Source

__all__ = ["SAMPLE_DIR", "SOURCES", "SourcePaths", "describe_files"]

#: The bundled real sample, shipped as package data (`ttkg/sample`, the repository's
#: `data/sample`), so a non-editable install builds it from any folder.
SAMPLE_DIR: Final = Path(str(resources.files("ttkg") / "sample"))

#: Provenance of every source key used in node/edge `source` columns.
SOURCES: Final[dict[str, Source]] = {
    "patentsview": Source(
        "patentsview",
        "PatentsView granted-patent bulk tables",
        "",
        "CC-BY-4.0",
        "https://patentsview.org/download/data-download-tables",
        "PatentsView, U.S. Patent and Trademark Office",
    ),
    "ror": Source(
        "ror",
        "Research Organization Registry (ROR) data dump, schema v2",
        "",
        "CC0-1.0",
        "https://ror.org/",
        "ROR",
    ),
    "cpc": Source(
        "cpc",
        "Cooperative Patent Classification Title List",
        "",
        "free reuse (EPO/USPTO)",
        "https://www.cooperativepatentclassification.org/cpcSchemeAndDefinitions/bulk",
        "EPO and USPTO",
    ),
    "wipo": Source(
        "wipo",
        "WIPO IPC-Technology concordance (Schmoch 2008, WIPO updates)",
        "",
        "WIPO, via PatentsView-DB persistent files",
        "https://www.wipo.int/ipstats/en/",
        "WIPO",
    ),
    "iso3166": Source(
        "iso3166",
        "ISO 3166-1 countries (Debian iso-codes via pycountry)",
        "",
        "LGPL-2.1-or-later (iso-codes)",
        "https://salsa.debian.org/iso-codes-team/iso-codes",
        "Debian iso-codes",
    ),
    "country_groups": Source(
        "country_groups",
        "Country groups (OIC, Arab League, GCC, BRICS, ASEAN, African Union, G20 from their "
        "secretariats; EU27, OECD, G7 and UN M49 sub-regions from country_converter), each "
        "group's own source in its `reference`",
        "",
        "CC-BY-4.0 (ttkg's table); country_converter: GPL-3.0",
        "https://github.com/IndEcol/country_converter",
        "ttkg; country_converter (Stadler 2017)",
    ),
    "openalex": Source(
        "openalex",
        "OpenAlex works and topic taxonomy",
        "",
        "CC0-1.0",
        "https://openalex.org/",
        "OpenAlex",
    ),
    "ttkg": Source(
        "ttkg",
        "Derived by ttkg (identity resolution, inferred countries, field matching)",
        "",
        "CC-BY-4.0",
        "",
        "ttkg",
    ),
}


@dataclass(frozen=True, slots=True)
class SourcePaths:
    """Input locations for one build."""

    patentsview: Path
    ror: Path | None
    cpc: Path | None
    wipo: Path | None
    openalex: Path | None = None  # works: snapshot folder, folder of .jsonl(.gz), or one file
    openalex_topics: Path | None = None  # the OpenAlex topic table (research-field taxonomy)

    @classmethod
    def sample(cls) -> SourcePaths:
        """The bundled real sample under data/sample/."""
        return cls(
            patentsview=SAMPLE_DIR / "patentsview",
            ror=SAMPLE_DIR / "ror" / "ror-data-sample.zip",
            cpc=SAMPLE_DIR / "cpc" / "CPCTitleList202505.zip",
            wipo=SAMPLE_DIR / "wipo" / "ipc_technology.csv",
            openalex=SAMPLE_DIR / "openalex" / "works",
            openalex_topics=SAMPLE_DIR / "openalex" / "openalex_topics.zip",
        )

    def with_overrides(self, **paths: Path | None) -> SourcePaths:
        """A copy with the given non-None paths replaced."""
        current = {f.name: getattr(self, f.name) for f in fields(self)}
        current.update({k: v for k, v in paths.items() if v is not None})
        return SourcePaths(**current)


def describe_files(paths: list[Path]) -> list[dict[str, Any]]:
    """Name, size and SHA-256 of each input file: the release fingerprint in the manifest."""
    out = []
    for p in paths:
        h = hashlib.sha256()
        with p.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
        out.append({"file": p.name, "bytes": p.stat().st_size, "sha256": h.hexdigest()})
    return out


_RELEASE_IN_NAME: Final = re.compile(r"(\d{6,8}|v\d+(?:\.\d+)*)")


def release_from_name(path: Path) -> str:
    """A release label from a file name (CPCTitleList202505 -> 202505, v1.58-... -> v1.58)."""
    m = _RELEASE_IN_NAME.search(path.name)
    return m.group(1) if m else path.name
