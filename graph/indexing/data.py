"""The index of one artifact version, as arrays and tables in memory or memory-mapped."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

import numpy.typing as npt
import pyarrow as pa
import scipy.sparse as sp

from ttkg.core.model import NodeLabel

__all__ = ["INDEX_DIR", "INDEX_FORMAT", "IndexData"]

INDEX_DIR: Final = "index"
INDEX_FORMAT: Final = "ttkg-index/4"  # 2: works; 3: field x year counts; 4: family holders
CSR_PARTS: Final = ("data", "indices", "indptr")


@dataclass(frozen=True)
class IndexData:
    """The index of one artifact version: arrays (read-only), node tables, node ids, meta."""

    meta: dict[str, Any]
    tables: dict[NodeLabel, pa.Table]
    ids: pa.Array  # every node id at its position
    name_keys: pa.Array  # casefolded names and aliases, sorted (nodes in array "name_nodes")
    arrays: dict[str, npt.NDArray[Any]]
    mapped: bool  # memory-mapped from the version folder (False: computed at open)

    def array(self, name: str) -> npt.NDArray[Any]:
        return self.arrays[name]

    def csr(self, name: str) -> sp.csr_matrix:
        """A stored CSR matrix, sharing the stored arrays (no copy)."""
        data, indices, indptr = (self.arrays[f"{name}.{p}"] for p in CSR_PARTS)
        m = sp.csr_matrix((data, indices, indptr), shape=tuple(self.meta["shapes"][name]))
        # stored canonical (sorted, no duplicates): scipy must not try to fix them in place
        m.has_sorted_indices = True
        m.has_canonical_format = True
        return m
