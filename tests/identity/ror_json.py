"""Minimal ROR v2 JSON -> RorRecord reader for the identity tests (ROR slices in tests/data)."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from loaders.records import RorRecord, RorRelationship


def record_of(obj: dict[str, Any]) -> RorRecord:
    names = obj.get("names", [])
    display = next(n["value"] for n in names if "ror_display" in n["types"])

    def of_type(t: str) -> tuple[str, ...]:
        return tuple(n["value"] for n in names if t in n["types"] and n["value"] != display)

    locations = obj.get("locations") or []
    country = locations[0]["geonames_details"].get("country_code") if locations else None
    return RorRecord(
        ror_id=obj["id"],
        name=display,
        labels=of_type("label"),
        aliases=of_type("alias"),
        acronyms=tuple(n["value"] for n in names if "acronym" in n["types"]),
        types=tuple(obj.get("types", [])),
        country=country,
        status=obj.get("status", "active"),
        established=obj.get("established"),
        relationships=tuple(
            RorRelationship(r["type"], r["id"], r.get("label"))
            for r in obj.get("relationships", [])
        ),
        domains=tuple(obj.get("domains", [])),
    )


def read_ror_json(path: Path) -> Iterator[RorRecord]:
    """Records of a ROR dump (.json or .zip holding one .json)."""
    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as z:
            member = next(n for n in z.namelist() if n.endswith(".json"))
            data = json.loads(z.read(member))
    else:
        data = json.loads(path.read_text(encoding="utf-8"))
    for obj in data:
        yield record_of(obj)
