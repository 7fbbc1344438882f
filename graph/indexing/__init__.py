"""The serving index of an artifact: the arrays the embedded backend answers from.

Computed from the artifact's tables once — by the build, right after it writes them, or at
open for an artifact built before the index existed — and stored in the version folder as
`.npy` files (CSR matrices as data/indices/indptr) and Arrow IPC node tables, which the
backend memory-maps: opening costs milliseconds and pages are read only when touched, and
processes that open the same version share them; the path search's entity graph and walk
matrices too (`walks`), so the first path query of a process maps them. Positions, rows and
offsets are int32 where they fit (`ttkg-index/5`). This floor sits between the artifact and
its two users (the build writes the index, the backends read it); it imports the artifact
and the ground only. Computing the index (`ttkg.graph.indexing.compute`, scipy and
pyarrow.compute) is imported by the build, and by `open_index` only for an artifact without
a stored index: a process that maps an index imports neither.
"""

from ttkg.graph.indexing.data import INDEX_DIR, INDEX_FORMAT, Csr, IndexData
from ttkg.graph.indexing.ids import Positions, Strings, arrow_indices, bisect_left, bisect_right
from ttkg.graph.indexing.store import build_index, open_index, write_index

__all__ = [
    "INDEX_DIR",
    "INDEX_FORMAT",
    "Csr",
    "IndexData",
    "Positions",
    "Strings",
    "arrow_indices",
    "bisect_left",
    "bisect_right",
    "build_index",
    "open_index",
    "write_index",
]
