"""When do two spellings name the same organisation? Typo-level differences only.

Names are compared on their loose tokens. They may differ by spacing, by a truncated last
word, or by one or two misspelt words, where a misspelt word is a close edit of the other
(edit distance 1, 2 for long words) and the rarer of the two is not itself a real word
(it occurs in no more than two names, unless the other occurs in very many, and is no word
of a ROR name), or the same word with its German umlauts written out ('Universitaets-' for the
folded 'Universitats-'). Anything else - an extra word, a different number, two real words like
'Huizhou'/'Guizhou' or 'Toyota'/'Toyoda', two compass directions ('Northeast'/'Northwest')
or two places ('Hubei'/'Hebei', 'Shanxi'/'Shaanxi', 'Austria'/'Australia') - is a different
organisation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Final

from rapidfuzz.distance import OSA

from ttkg.graph.identity.countries import is_place

__all__ = ["excess", "other_direction", "other_place", "typo_level"]

_COMMON: Final = 20  # a word in this many names is established; its rare variants are typos
_LONG_SHARED: Final = 4  # with this many shared words, one close edit is a typo whatever it is


def _allowed(length: int) -> int:
    if length >= 12:
        return 3
    if length >= 9:
        return 2
    return 1 if length >= 5 else 0


_STOPWORD_TYPOS: Final = frozenset({"and", "the", "for", "of"})

#: Compass words (English, German, French, Spanish) by the direction they name.
_COMPASS: Final = {
    "north": "n", "south": "s", "east": "e", "west": "w", "nord": "n", "sued": "s", "sud": "s",
    "ost": "e", "ouest": "w", "norte": "n", "sur": "s", "este": "e", "oeste": "w", "est": "e",
}
_COMPASS_STEMS: Final = sorted(_COMPASS, key=len, reverse=True)


@lru_cache(maxsize=1 << 16)
def _compass(word: str) -> str | None:
    """The directions a word names ('northeastern' -> 'ne', 'nordwest' -> 'nw'), or None
    (cached: every word pair the typo rules compare asks, a million times at 1M patents)."""
    for suffix in ("ern", "erly"):
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            word = word[: -len(suffix)]
            break
    out = ""
    while word:
        stem = next((s for s in _COMPASS_STEMS if word.startswith(s)), None)
        if stem is None:
            return None
        out += _COMPASS[stem]
        word = word[len(stem) :]
    return out or None


def other_direction(x: str, y: str) -> bool:
    """Two words naming different compass directions, close as their letters are: a
    'Northeast' university or power company is not the 'Northwest' one."""
    cx = _compass(x)
    return cx is not None and (cy := _compass(y)) is not None and cx != cy


def _two_words(x: str, y: str, dist: int, vocabulary: frozenset[str]) -> bool:
    """Two real words (both words of ROR names), more than one letter apart and neither the
    other's start: 'Hydrobiology' is not a misspelt 'Microbiology' (two institutes of the
    Chinese Academy of Sciences), while 'Defence'/'Defense' and 'Korea'/'Korean' are one."""
    return (dist > 1 and x in vocabulary and y in vocabulary
            and not x.startswith(y) and not y.startswith(x))


@lru_cache(maxsize=1 << 16)
def _place(word: str) -> bool:
    return is_place((word,))


def other_place(x: str, y: str) -> bool:
    """Two words naming different places (countries, regions, Chinese provinces), close as
    their letters are: the 'Hubei' power research institute is not the 'Hebei' one, nor
    'Shanxi' 'Shaanxi'."""
    return x != y and _place(x) and _place(y)


def _is_typo_pair(
    x: str, y: str, vocabulary: frozenset[str], df: Mapping[str, int]
) -> bool:
    if (x in _STOPWORD_TYPOS) != (y in _STOPWORD_TYPOS) and max(len(x), len(y)) <= 3:
        return OSA.distance(x, y) <= 1  # 'ad'/'ano'/'end' for 'and'
    limit = _allowed(min(len(x), len(y)))
    if limit == 0 or OSA.distance(x, y) > limit:
        return False
    if x.isdigit() or y.isdigit():
        return False
    if (x in vocabulary) != (y in vocabulary):
        rare, common = (y, x) if x in vocabulary else (x, y)  # the real word is the common one
    else:
        rare, common = (x, y) if df.get(x, 1) <= df.get(y, 1) else (y, x)
    n_rare, n_common = df.get(rare, 1), df.get(common, 1)
    if n_rare <= 2 and (rare not in vocabulary or n_common >= _COMMON):
        return True
    return n_rare * 20 <= n_common


def typo_level(
    a: Sequence[str],
    b: Sequence[str],
    vocabulary: frozenset[str],
    df: Mapping[str, int] | frozenset[str],
) -> str | None:
    """Why token sequences `a` and `b` are one name spelt two ways, or None if they are not."""
    counts: Mapping[str, int] = {} if isinstance(df, frozenset) else df  # (no ABC check:
    # `isinstance(df, Mapping)` cost a sixth of this function on a million calls)
    if list(a) == list(b):
        return "same words"
    if "".join(a) == "".join(b):
        return "same letters, different spacing"
    if {t for t in a if t.isdigit()} != {t for t in b if t.isdigit()}:
        return None
    da = excess(a, b)
    db = excess(b, a)
    if not da and not db:
        return None  # same words in another order
    if len(da) == 1 and len(db) == 1:
        x, y = da[0], db[0]
        if x == a[-1] and y == b[-1] and len(a) == len(b) and len(a) >= 2:
            short, long = sorted((x, y), key=len)
            if len(short) >= 3 and long.startswith(short) and list(a[:-1]) == list(b[:-1]):
                return f"truncated '{short}' of '{long}'"
    if len(da) != len(db) or len(da) > 2:
        return None
    if len(a) == 1 and len(b) == 1 and a[0][0] != b[0][0]:
        return None  # one-word names differing in the first letter: 'Anden' is not 'Sanden'
    pairs = list(zip(da, db, strict=True))
    if any(other_direction(x, y) or other_place(x, y) for x, y in pairs):
        return None
    shared = len(a) - len(da)
    if len(pairs) == 1 and shared >= _LONG_SHARED:
        x, y = pairs[0]
        dist = OSA.distance(x, y)
        if min(len(x), len(y)) >= 4 and dist <= max(1, _allowed(min(len(x), len(y)))) \
                and not _two_words(x, y, dist, vocabulary):
            return f"one word spelt differently in a long name: '{x}'~'{y}'"
    if len(pairs) == 1 and shared >= 3:
        short, long = sorted(pairs[0], key=len)
        if len(short) >= 5 and long.startswith(short):
            return f"'{short}' abbreviates '{long}'"
    if all(_is_typo_pair(x, y, vocabulary, counts) for x, y in pairs):
        return "misspelt " + ", ".join(f"'{x}'~'{y}'" for x, y in pairs)
    if all(min(len(x), len(y)) >= 5 and _umlauts(x) == _umlauts(y) for x, y in pairs):
        return "German umlauts written out: " + ", ".join(f"'{x}'~'{y}'" for x, y in pairs)
    return None


def _umlauts(word: str) -> str:
    """A word with German umlauts written out ('ae', 'oe', 'ue') read as the folded letter:
    'Reifenhaeuser' and 'Reifenhauser' (from 'Reifenhäuser') are one spelling."""
    return word.replace("ae", "a").replace("oe", "o").replace("ue", "u")


def excess(a: Sequence[str], b: Sequence[str]) -> list[str]:
    """Tokens of `a` not matched by `b` (multiset difference), in the order of `a`.
    Names have a handful of tokens: removing from a list is several times faster than
    counting with a `Counter`, and this runs millions of times in a large batch."""
    left = list(b)
    out: list[str] = []
    for t in a:
        if t in left:
            left.remove(t)
        else:
            out.append(t)
    return out
