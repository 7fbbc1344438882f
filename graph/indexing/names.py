"""Candidates for fuzzy name search: an inverted index of character bigrams that finds, without
scoring every name, a small set of names that holds every name similar enough to a query.

Similarity is the normalised Indel similarity of two strings a and b (rapidfuzz's
`fuzz.ratio` and `QRatio`): 100 * 2 * LCS / (|a| + |b|), LCS the length of their longest
common subsequence. A score of at least `cutoff` needs LCS >= need = cutoff * (|a| + |b|) /
200, which bounds two things a name must have:

* its length: LCS <= min(|a|, |b|), so min(|a|, |b|) >= need (at 80, |b| within 2/3 and 3/2
  of |a|);
* bigrams in common with the query: along a common subsequence of length L, each of its L - 1
  steps between consecutive characters that are adjacent in both strings is one shared bigram
  occurrence; a step skips characters of a at most |a| - L times and of b at most |b| - L
  times, so the two share at least (L - 1) - (|a| - L) - (|b| - L) = 3L - |a| - |b| - 1 bigram
  occurrences (counted as a multiset: the k-th "an" of one string matches the k-th of the
  other).

A name passing both is a candidate. Every name scoring at least `cutoff` passes both, so
scoring the candidates only finds exactly what scoring every name finds. Bigram occurrences are
numbered (the first "an" of a name, its second "an", ...) so that a multiset intersection is a
plain count of shared tokens; names are kept in order of length, so that the names of the
admissible lengths are one range of positions and each token's posting list is cut to it by
binary search.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

import numpy as np
import numpy.typing as npt

__all__ = ["NameGrams"]

IntArray = npt.NDArray[np.int64]


class NameGrams:
    """The bigram index of a list of names (already normalised as they will be scored)."""

    __slots__ = ("_keys", "_length_of", "_lengths", "_order", "_postings", "_ptr", "_start",
                 "_width", "size")

    #: The arrays `arrays` gives and `of_arrays` takes (but "width", one number).
    PARTS: Final = ("keys", "length_of", "lengths", "order", "postings", "ptr", "start")

    def __init__(self, names: Sequence[str]) -> None:
        n = self.size = len(names)
        lengths = np.fromiter(map(len, names), np.int64, n)
        order = np.argsort(lengths, kind="stable")  # position (by length) -> name index
        by_length = lengths[order]
        text = "".join([names[i] for i in order.tolist()])
        cp = np.frombuffer(text.encode("utf-32-le"), dtype="<u4").astype(np.int64)
        owner = np.repeat(np.arange(n, dtype=np.int64), by_length)
        at = np.flatnonzero(owner[:-1] == owner[1:])  # a bigram starts at each of these
        bigrams, bid = np.unique((cp[at] << 21) | cp[at + 1], return_inverse=True)
        who = owner[at]
        # number the occurrences of each bigram within its name: 0, 1, 2...
        key = (who << 32) | bid.astype(np.int64)
        by_name = np.argsort(key, kind="stable")
        key = key[by_name]
        fresh = np.ones(len(key), dtype=bool)
        fresh[1:] = key[1:] != key[:-1]
        steps = np.arange(len(key))
        occurrence = steps - np.maximum.accumulate(np.where(fresh, steps, 0))
        width = int(occurrence.max()) + 1 if len(occurrence) else 1
        token = bid[by_name].astype(np.int64) * width + occurrence
        # posting lists: positions holding each token, ascending (a stable sort keeps the
        # by-name order within a token)
        by_token = np.argsort(token, kind="stable")
        token = token[by_token]
        self._postings = who[by_name][by_token].astype(np.int32)
        first = np.flatnonzero(np.r_[True, token[1:] != token[:-1]]) if len(token) else steps
        self._ptr = np.append(first, len(token))
        values = token[first]
        # token t's key: its bigram's code x width + its occurrence, ascending in t
        self._keys = bigrams[values // width] * width + values % width
        self._width = width
        self._order = order
        self._lengths = by_length
        self._length_of = lengths.astype(np.int32)  # by name index
        # positions of the names of each length: _start[k] .. _start[k + 1]
        top = int(by_length[-1]) if n else 0
        self._start = np.searchsorted(by_length, np.arange(top + 2))

    def arrays(self) -> dict[str, npt.NDArray[Any]]:
        """The index as arrays (`PARTS` and "width"), to store; `of_arrays` makes it again."""
        return {**{name: getattr(self, f"_{name}") for name in self.PARTS},
                "width": np.array([self._width], np.int64)}

    @classmethod
    def of_arrays(cls, arrays: Mapping[str, npt.NDArray[Any]]) -> NameGrams:
        """The index of `arrays` (stored, memory-mapped: nothing is computed)."""
        grams = cls.__new__(cls)
        for name in cls.PARTS:
            setattr(grams, f"_{name}", arrays[name])
        grams.size = len(grams._order)
        grams._width = int(arrays["width"][0])
        return grams

    def candidates(self, query: str, cutoff: float) -> list[int]:
        """Indices (ascending) of the names that may score at least `cutoff` (0 < cutoff <=
        100) against `query`: a superset of those that do (see the module's docstring)."""
        window = self._window(query, cutoff)
        if window is None:
            return []
        lo, hi, shared = window
        if shared[self._lengths[lo] : self._lengths[hi - 1] + 1].max() <= 0:
            inside = np.arange(lo, hi)
        else:
            inside = self._reaching(self._counted(query, lo, hi), lo, hi, shared) + lo
        return np.sort(self._order[inside]).tolist()  # type: ignore[no-any-return]

    def shortlist(self, query: str, cutoff: float) -> tuple[IntArray, IntArray]:
        """`candidates` as an array, and the bigram occurrences each shares with `query`:
        what `passing` narrows them by for a higher cutoff."""
        window = self._window(query, cutoff)
        if window is None:
            return np.empty(0, np.int64), np.empty(0, np.int64)
        lo, hi, shared = window
        counts = self._counted(query, lo, hi)
        inside = self._reaching(counts, lo, hi, shared)
        names = self._order[inside + lo]
        ascending = np.argsort(names, kind="stable")
        return names[ascending], counts[inside][ascending]

    def passing(self, query: str, names: IntArray, common: IntArray, cutoff: float
                ) -> npt.NDArray[np.bool_]:
        """Which of `names` (with `common` bigram occurrences shared with `query`, from
        `shortlist`) pass both bounds of `cutoff` (the module's docstring)."""
        la = len(query)
        lb = self._length_of[names].astype(np.int64)
        total = la + lb
        need = np.ceil(cutoff * total / 200 - 1e-9).astype(np.int64)
        return (np.minimum(la, lb) >= need) & (common >= 3 * need - total - 1)

    def _window(self, query: str, cutoff: float) -> tuple[int, int, IntArray] | None:
        """Positions lo..hi of the names of admissible lengths, and the least bigram
        occurrences in common by name length; None when no name can reach `cutoff`."""
        if not 0 < cutoff <= 100:
            raise ValueError(f"cutoff must be in (0, 100], got {cutoff}")
        la = len(query)
        if la == 0:  # an empty string scores 0
            return None
        lb = np.arange(len(self._start) - 1)
        total = la + lb
        # least LCS for the cutoff (rounded down a hair: never stricter than the scorer)
        need = np.ceil(cutoff * total / 200 - 1e-9).astype(np.int64)
        fits = np.flatnonzero(np.minimum(la, lb) >= need)
        if not len(fits):
            return None
        # the lengths that fit are one interval: for lb <= la the test reads
        # lb (200 - cutoff) >= cutoff la (true from some lb on), for lb >= la it reads
        # la (200 - cutoff) >= cutoff lb (true up to some lb)
        low, high = int(fits[0]), int(fits[-1])
        lo, hi = int(self._start[low]), int(self._start[high + 1])
        if lo == hi:
            return None
        return lo, hi, 3 * need - total - 1  # least bigram occurrences in common, by length

    def _reaching(self, counts: IntArray, lo: int, hi: int, shared: IntArray) -> IntArray:
        """Indices into counts (positions lo..hi) of the names sharing at least `shared[their
        length]` bigram occurrences: a comparison per length's run of positions, not a
        gather of a threshold per name (a quarter of a million at 9.1M patents)."""
        keep = np.empty(hi - lo, dtype=bool)
        for length in range(int(self._lengths[lo]), int(self._lengths[hi - 1]) + 1):
            a = max(int(self._start[length]), lo) - lo
            b = min(int(self._start[length + 1]), hi) - lo
            np.greater_equal(counts[a:b], shared[length], out=keep[a:b])
        return np.flatnonzero(keep)

    def _counted(self, query: str, lo: int, hi: int) -> IntArray:
        """Bigram occurrences in common with query of the names at positions lo..hi."""
        seen: dict[str, int] = {}
        parts: list[npt.NDArray[np.int32]] = []
        first, last = np.int32(lo), np.int32(hi)
        for i in range(len(query) - 1):
            gram = query[i : i + 2]
            k = seen.get(gram, 0)
            seen[gram] = k + 1
            t = self._token(gram, k)
            if t >= 0:
                seg = self._postings[self._ptr[t] : self._ptr[t + 1]]
                parts.append(seg[seg.searchsorted(first) : seg.searchsorted(last)])
        if not parts:
            return np.zeros(hi - lo, dtype=np.int64)
        at = np.concatenate(parts, dtype=np.intp)  # what bincount reads: no second cast
        at -= first
        return np.bincount(at, minlength=hi - lo)

    def _token(self, gram: str, k: int) -> int:
        """The token of the k-th occurrence of a bigram, -1 when no name has it."""
        if k >= self._width:
            return -1
        key = ((ord(gram[0]) << 21) | ord(gram[1])) * self._width + k
        t = int(self._keys.searchsorted(key))
        return t if t < len(self._keys) and int(self._keys[t]) == key else -1

    def __repr__(self) -> str:
        return f"NameGrams({self.size} names, {len(self._postings)} bigram occurrences)"
