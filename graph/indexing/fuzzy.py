"""The names fuzzy search scores, with their bigram index (`names.NameGrams`), computed by the
build and stored in the index (`<version>/index/fuzzy/`): a server opening a 9.1M-patent graph
mapped them instead of building them in every worker (10-17 s of CPU and ~0.2 GB of memory a
worker, again at every reload of a new version).

The names are those of every named node of `FUZZY_LABELS`, in the contract's order (label,
then id, as `GraphBackend.names` lists them), processed as rapidfuzz compares them; each
label's names are one range. Optional: an index without `fuzzy/` has them computed by
`ttkg.queries.resolve` from `GraphBackend.names`, as before.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import pyarrow as pa

from ttkg.core.model import NodeLabel
from ttkg.graph.indexing.files import load_array, read_ipc, save_array, write_ipc
from ttkg.graph.indexing.ids import Strings
from ttkg.graph.indexing.names import NameGrams

__all__ = ["FUZZY_DIR", "FUZZY_LABELS", "FuzzyNames", "fuzzy_names", "named_rows",
           "read_fuzzy", "write_fuzzy"]

log = logging.getLogger(__name__)

FUZZY_DIR: Final = "fuzzy"
_FORMAT: Final = "ttkg-fuzzy/1"
#: What fuzzy search scores, in NodeLabel order.
FUZZY_LABELS: Final = tuple(
    lb for lb in NodeLabel
    if lb in (NodeLabel.ORGANIZATION, NodeLabel.COUNTRY, NodeLabel.TECHNOLOGY_FIELD))


@dataclass(frozen=True, slots=True)
class FuzzyNames:
    """Node ids and their processed names, each label's one range, and their bigram index
    (None: not built)."""

    ids: Sequence[str]
    names: list[str]
    ranges: dict[NodeLabel, range]
    grams: NameGrams | None


def named_rows(table: pa.Table) -> list[tuple[str, str]]:
    """(id, name) of a node table's named rows, by id: its name, else its symbol, else its
    title (what `GraphBackend.names` lists of the embedded backend's tables)."""
    names = table.column_names
    col = "name" if "name" in names else "symbol" if "symbol" in names else "title"
    rows = sorted(zip(table.column("id").to_pylist(), table.column(col).to_pylist(),
                      strict=True))
    return [(i, n) for i, n in rows if n]


def fuzzy_names(named: Callable[[NodeLabel], list[tuple[str, str]]], index: bool
                ) -> FuzzyNames:
    """The names of `FUZZY_LABELS` from `named` (a label's (id, name) in order), processed
    for rapidfuzz; with their bigram index when `index`."""
    from rapidfuzz import utils  # fuzzy matching only

    ids: list[str] = []
    names: list[str] = []
    ranges: dict[NodeLabel, range] = {}
    for label in FUZZY_LABELS:
        pairs = named(label)
        ranges[label] = range(len(ids), len(ids) + len(pairs))
        ids.extend(i for i, _ in pairs)
        names.extend(utils.default_process(n) for _, n in pairs)
    return FuzzyNames(ids, names, ranges, NameGrams(names) if index else None)


def write_fuzzy(tables: dict[NodeLabel, pa.Table], folder: Path) -> None:
    """Compute the fuzzy names of the node tables with their index into `folder`."""
    found = fuzzy_names(lambda label: named_rows(tables[label]), index=True)
    assert found.grams is not None
    folder.mkdir(parents=True, exist_ok=True)
    for name, arr in found.grams.arrays().items():
        save_array(folder / f"{name}.npy", arr)
    write_ipc(folder / "names.arrow", pa.table({"id": pa.array(list(found.ids), pa.string()),
                                                "name": pa.array(found.names, pa.string())}),
              one_batch=True)
    meta = {"format": _FORMAT,
            "ranges": {lb.value: [r.start, r.stop] for lb, r in found.ranges.items()}}
    (folder / "meta.json").write_text(json.dumps(meta))
    log.debug("fuzzy names: %d, %r", len(found.names), found.grams)


def read_fuzzy(folder: Path) -> FuzzyNames | None:
    """The stored fuzzy names and index under `folder`, mapped (None: none stored, or of
    another format)."""
    meta_file = folder / "meta.json"
    if not meta_file.is_file():
        return None
    meta = json.loads(meta_file.read_text())
    if meta.get("format") != _FORMAT:
        log.warning("%s: fuzzy names of another format (%s), computed instead",
                    folder, meta.get("format"))
        return None
    table = read_ipc(folder / "names.arrow")
    ids, names = (table.column(c).combine_chunks() for c in ("id", "name"))
    arrays = {n: load_array(folder / f"{n}.npy") for n in (*NameGrams.PARTS, "width")}
    return FuzzyNames(Strings(ids), names.to_pylist(),
                      {NodeLabel(k): range(a, b) for k, (a, b) in meta["ranges"].items()},
                      NameGrams.of_arrays(arrays))
