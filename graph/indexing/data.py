"""The index of one artifact version, as arrays and tables in memory or memory-mapped."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from ttkg.core.model import EdgeType, NodeLabel

if TYPE_CHECKING:  # scipy costs ~0.1-0.3 s to import: only matrix products need it
    import scipy.sparse as sp

__all__ = ["INDEX_DIR", "INDEX_FORMAT", "Csr", "IndexData"]

INDEX_DIR: Final = "index"
#: 2: works; 3: field x year counts; 4: family holders; 5: int32 edge arrays, positions and
#: ranks (where they fit), the path search's relation hops and walks (`walks`)
INDEX_FORMAT: Final = "ttkg-index/5"
CSR_PARTS: Final = ("data", "indices", "indptr")


@dataclass(frozen=True, eq=False, repr=False)
class Csr:
    """A stored CSR matrix as its three arrays: a row's entries are
    `indices[indptr[i]:indptr[i + 1]]`, read with numpy; `matrix` is the scipy matrix over
    the same arrays, built (and scipy imported) on first use, by the queries that multiply
    or slice matrices, so that opening the graph and the queries that only read rows never
    import scipy."""

    data: npt.NDArray[Any]
    indices: npt.NDArray[Any]
    indptr: npt.NDArray[Any]
    shape: tuple[int, int]

    @cached_property
    def matrix(self) -> sp.csr_matrix:
        """The scipy CSR matrix, sharing the stored arrays (no copy)."""
        import scipy.sparse as sp

        m = sp.csr_matrix((self.data, self.indices, self.indptr), shape=self.shape)
        # stored canonical (sorted, no duplicates): scipy must not try to fix them in place
        m.has_sorted_indices = True
        m.has_canonical_format = True
        return m

    def row(self, i: int) -> npt.NDArray[Any]:
        """Column indices of row i's entries."""
        return self.indices[self.indptr[i] : self.indptr[i + 1]]

    def coo(self) -> tuple[npt.NDArray[np.int64], npt.NDArray[Any], npt.NDArray[Any]]:
        """(row, column, value) of every entry, in storage order (what scipy's `tocoo`
        gives)."""
        rows = np.repeat(np.arange(self.shape[0], dtype=np.int64), np.diff(self.indptr))
        return rows, self.indices, self.data


@dataclass(frozen=True)
class IndexData:
    """The index of one artifact version: arrays (read-only), node tables, node ids, meta."""

    meta: dict[str, Any]
    tables: dict[NodeLabel, pa.Table]
    ids: pa.Array  # every node id at its position
    name_keys: pa.Array  # casefolded names and aliases, sorted (nodes in array "name_nodes")
    arrays: dict[str, npt.NDArray[Any]]
    mapped: bool  # memory-mapped from the version folder (False: computed at open)
    # stored edge properties (`edge_props`), memory-mapped; none: read from the artifact
    edge_props: dict[EdgeType, pa.Table] = field(default_factory=dict)

    def array(self, name: str) -> npt.NDArray[Any]:
        return self.arrays[name]

    def csr(self, name: str) -> Csr:
        """A stored CSR matrix, sharing the stored arrays (no copy)."""
        data, indices, indptr = (self.arrays[f"{name}.{p}"] for p in CSR_PARTS)
        rows, cols = self.meta["shapes"][name]
        return Csr(data, indices, indptr, (int(rows), int(cols)))
