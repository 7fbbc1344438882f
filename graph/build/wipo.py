"""Matching CPC symbols to WIPO technology fields with the IPC->technology concordance.

The concordance's `IPC_code` values are SQL LIKE patterns over padded IPC symbols:
`H01L%` covers subclass H01L; `H04N   3/%` covers main group 3 of H04N exactly (H04N3/..., not
H04N31/...). A symbol is in field F when any of F's patterns matches it (LIKE semantics, so a
symbol can be in several fields).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from typing import Final

from ttkg.loaders.records import WipoFieldPattern

__all__ = ["WipoMatcher"]

_SUBCLASS: Final = re.compile(r"^([A-HY]\d\d[A-Z])%$")
_MAIN_GROUP: Final = re.compile(r"^([A-HY]\d\d[A-Z])\s*(\d{1,4})/%$")
_SYMBOL: Final = re.compile(r"^([A-HY]\d\d[A-Z])(\d{1,4})/")


class WipoMatcher:
    """Maps a CPC/IPC symbol to the WIPO field numbers whose patterns match it.

    >>> m = WipoMatcher.from_patterns([
    ...     WipoFieldPattern(2, "Audio-visual technology", "Electrical engineering", "H04N   3/%"),
    ...     WipoFieldPattern(8, "Semiconductors", "Electrical engineering", "H01L%")])
    >>> m.fields("H04N3/15"), m.fields("H04N31/00"), m.fields("H01L21/02")
    ({2: 'H04N   3/%'}, {}, {8: 'H01L%'})
    """

    def __init__(
        self,
        by_subclass: dict[str, dict[int, str]],
        by_main_group: dict[tuple[str, int], dict[int, str]],
    ) -> None:
        self._by_subclass = by_subclass
        self._by_main_group = by_main_group
        self._cache: dict[tuple[str, str, str], dict[int, str]] = {}

    @classmethod
    def from_patterns(cls, patterns: Iterable[WipoFieldPattern]) -> WipoMatcher:
        """Compile concordance rows; raises ValueError on a pattern of an unknown shape."""
        by_subclass: dict[str, dict[int, str]] = defaultdict(dict)
        by_main_group: dict[tuple[str, int], dict[int, str]] = defaultdict(dict)
        for p in patterns:
            pat = p.pattern.strip()
            if m := _SUBCLASS.match(pat):
                by_subclass[m.group(1)].setdefault(p.field_number, p.pattern)
            elif m := _MAIN_GROUP.match(pat):
                by_main_group[(m.group(1), int(m.group(2)))].setdefault(p.field_number, p.pattern)
            else:
                raise ValueError(f"unsupported concordance pattern {p.pattern!r}")
        return cls(dict(by_subclass), dict(by_main_group))

    def fields(self, symbol: str) -> dict[int, str]:
        """Field number -> the pattern that matched, for a CPC group or subclass symbol."""
        # what matches depends on the subclass and the text before the '/' alone: one answer
        # for every symbol of a main group (100k symbols, ~10k main groups in the full
        # shared data)
        head, slash, _ = symbol.partition("/")
        key = (symbol[:4], head, slash)
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        found: dict[int, str] = dict(self._by_subclass.get(symbol[:4], {}))
        m = _SYMBOL.match(symbol)
        if m is not None:
            for number, pat in self._by_main_group.get((m.group(1), int(m.group(2))), {}).items():
                found.setdefault(number, pat)
        self._cache[key] = found
        return found

    def subclass_patterns(self) -> dict[str, dict[int, str]]:
        """Whole-subclass patterns: subclass -> {field: pattern}."""
        return self._by_subclass

    def main_group_patterns(self) -> dict[tuple[str, int], dict[int, str]]:
        """Main-group patterns: (subclass, main group number) -> {field: pattern}."""
        return self._by_main_group
