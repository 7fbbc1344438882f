"""Rare spellings of dominant names: a second, frequency-aware pass after the typo-level merges.

A name behind a handful of patents that differs from a name behind many more by a typo the
first pass refuses ('UALCOMM', 'GJ Cheiljedang', 'Samsung Electric' for Samsung Electronics,
'Electronics and Telecommunications' for ETRI) is almost always that name mistyped: a real
organisation of so similar a name would own patents of its own. It is attached when

* its cluster has at most `RARE_MAX` patents and the other at least `DOMINANT_MIN` and
  `RATIO` times more (or at most `WIDE_MAX` and `WIDE_RATIO` times more);
* the names differ in one of these ways: one or two misspelt words within an edit budget
  that grows with the name's length (one edit for 7 letters, two for 12, three for 20), a word
  of the same stem ('Electric'/'Electronics', 'Korean'/'Korea'), the same letters with other
  spacing, a cut-off end ('Agency of Industrial Science' of '... and Technology'), one
  common word left out ('Hong Fu Jin Precision (WuHan)'), or text after an inner legal form
  ('LG Display Co., LCD');
* a misspelt word is no word of its own (in no more than two names and not in ROR, or
  eight times rarer than the word it stands for), unless the names share a distinctive word
  (in at most `DISTINCT_DF` names): 'Huizhou University' is no typo of 'Guizhou University';
* countries and assignee types of the rare name are among those of the dominant cluster;
* no other cluster is a candidate within `COMPETE_RATIO` of the dominant one ('Hong Fu Jin
  Precision Industry' could be the Shenzhen or the Wuhan company: neither).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from math import inf
from typing import Final

import numpy as np
from rapidfuzz.distance import OSA

from ttkg.graph.identity.blocking import crossing, key_blocks, key_hashes
from ttkg.graph.identity.countries import country_code, same_country
from ttkg.graph.identity.groups import NameGroup, subsidiary_clash
from ttkg.graph.identity.loose import ABBREVIATIONS, STOPWORDS, TRANSLATIONS, is_legal_form_like
from ttkg.graph.identity.parallel import fork_map
from ttkg.graph.identity.ror_index import deletion_keys
from ttkg.graph.identity.similarity import excess, other_direction, other_place

__all__ = ["Attachment", "rare_attachments", "variant_of"]

RARE_MAX: Final = 3  # patents behind a rare cluster
WIDE_MAX: Final = 10  # ... or this many when the dominant one has `WIDE_RATIO` times more
WIDE_RATIO: Final = 100
GIANT_RATIO: Final = 500
DOMINANT_MIN: Final = 10  # patents behind a dominant cluster
RATIO: Final = 10  # dominant / rare
COMPETE_RATIO: Final = 50  # dominant / any other candidate
DISTINCT_DF: Final = 50  # a word in at most this many names is distinctive
_MIN_SHARE: Final = 0.05  # a country/type seen on this share of the dominant cluster agrees
_MAX_TOKENS: Final = 9  # longer names get no two-word blocking keys
_MAX_BLOCK: Final = 200  # candidate blocks larger than this are not looked at
_CHUNK: Final = 500  # rare clusters per worker chunk
_MIN_FORKED: Final = 400  # fewer rare clusters are judged in this process
#: PatentsView assignee types of US organisations (company, federal, county, state bodies):
#: the type says where the assignee is, better than its inventors' countries.
_US_TYPES: Final = frozenset({"2", "6", "8", "9"})
_NAMED_COUNTRY: Final = "its own country"


@dataclass(frozen=True, slots=True)
class Attachment:
    """Rare group `rare` belongs to the cluster of dominant group `target`."""

    rare: int
    target: int
    score: float
    reason: str


def _budget(length: int) -> int:
    """Edits allowed in a name of `length` letters (compact form)."""
    if length >= 20:
        return 3
    if length >= 12:
        return 2
    return 1 if length >= 7 else 0


#: Word families: derived forms of one corporate word that rare spellings confuse
#: ('Samsung Electric' for Samsung Electronics, 'Korean Advanced Institution' for Korea
#: Advanced Institute). Loose tokens (singular, abbreviations expanded).
_FAMILIES: Final[tuple[frozenset[str], ...]] = tuple(frozenset(f.split()) for f in (
    "electric electrical electronic electro electrics",
    "korea korean", "japan japanese", "china chinese", "america american", "taiwan taiwanese",
    "science scientific", "institute institution", "technology technological technique",
    "chemical chemistry", "medical medicine", "mechanic mechanical mechanics",
    "optic optical", "physic physical", "engineering engineer", "manufacturing manufacture",
    "pharmaceutical pharmacy pharmacal", "biological biology biologic",
    "industry", "machines machinery", "communication telecommunication",
    "research researche",
))
_FAMILY_OF: Final[dict[str, int]] = {w: n for n, f in enumerate(_FAMILIES) for w in f}


def _same_stem(x: str, y: str) -> bool:
    """Derived forms of one word ('electric'/'electronic', 'korea'/'korean')."""
    fx = _FAMILY_OF.get(x)
    return fx is not None and fx == _FAMILY_OF.get(y)


#: Words the engine knows to be words whatever the batch (a small batch has no frequencies to
#: tell): common words of company names, and those of the abbreviation map, the translations
#: and the word families. A rare name with one of them is no misspelling of another word.
_KNOWN_WORDS: Final = frozenset(
    {w for pair in ABBREVIATIONS.items() for w in pair}
    | {w for phrase in TRANSLATIONS.values() for w in phrase}
    | set(_FAMILY_OF)
    | {
        "electron", "electronics", "optic", "optics", "photonic", "photonics", "system",
        "solution", "network", "device", "material", "medical", "motor", "metal", "glass",
        "steel", "paper", "power", "energy", "oil", "gas", "water", "food", "bio", "health",
        "healthcare", "semiconductor", "display", "software", "data", "digital", "mobile",
        "wireless", "instrument", "tool", "automotive", "aerospace", "international", "global",
        "holding", "group", "capital", "partner", "venture", "product", "service", "trading",
        "design", "development", "research", "precision", "plastic", "rubber", "textile", "film",
        "chemical", "battery", "light", "lighting", "sensor", "control", "communication",
        "telecom", "media", "entertainment", "financial", "bank", "insurance",
    }
)


def _typo_like(x: str, y: str, df: Mapping[str, int], vocabulary: frozenset[str]) -> bool:
    """`x` is no word of its own next to `y`."""
    x_real = x in vocabulary or x in _KNOWN_WORDS
    if x_real and (y in _KNOWN_WORDS or y not in vocabulary):
        return False  # 'Tokyo Electric' is no misspelt 'Tokyo Electron'
    nx, ny = df.get(x, 1), df.get(y, 1)
    return (nx <= 2 and not x_real) or ny >= 8 * nx


def _compact(toks: Sequence[str]) -> str:
    return "".join(toks)


def _misspelt(
    r: Sequence[str],
    d: Sequence[str],
    df: Mapping[str, int],
    vocabulary: frozenset[str],
    ratio: float,
) -> str | None:
    """Same number of words, one or two misspelt (or of the same stem) within the budget;
    `ratio` is how many times more patents the dominant name has. In a short name a word of
    the same stem alone is a real name often enough ('Tokyo Electric' and 'Tokyo Electron',
    'Universal Electric' and 'Universal Electronics') to need a hundredfold dominance; a
    one-word name of four letters ('Caon' for Canon) needs `GIANT_RATIO`."""
    if len(r) != len(d):
        return None
    dr, dd = excess(r, d), excess(d, r)
    if not dr or len(dr) != len(dd) or len(dr) > 2:
        return None
    shared = [t for t in d if t not in dd]
    shared_letters = sum(len(t) for t in shared)
    distinctive = any(len(t) >= 3 and df.get(t, 1) <= DISTINCT_DF for t in shared)
    budget = _budget(len(_compact(d)))
    used = 0
    notes: list[str] = []
    for x, y in zip(dr, dd, strict=True):
        if x.isdigit() or y.isdigit():
            return None
        if _same_stem(x, y):
            notes.append(f"'{x}'~'{y}' (same stem)")
            continue
        if x in _KNOWN_WORDS or other_direction(x, y) or other_place(x, y):
            return None  # a word of its own: 'Tokyo Electric' is not 'Tokyo Electron'
        dist = OSA.distance(x, y)
        short = min(len(x), len(y))
        if dist > (1 if short < 7 or x[0] != y[0] else 2 if short < 12 else 3):
            return None  # 'Yutaka' is not 'Muraka', 'Nubia' not 'Nokia'
        if short <= 3 and (shared_letters < 8 or not _typo_like(x, y, df, vocabulary)):
            return None  # 'Samsung SDI' is not 'Samsung SDS'
        if len(r) == 1 and (short < 4 or (short == 4 and ratio < GIANT_RATIO)
                            or (x[0] != y[0] and short < 7)):
            return None  # 'Anden' is not 'Sanden'
        if not distinctive and not _typo_like(x, y, df, vocabulary):
            return None  # 'Huizhou University' is not 'Guizhou University'
        if df.get(x, 1) > 2 and df.get(x, 1) >= df.get(y, 1):
            return None  # a word as common as the other is no typo ('Showa Denki'/'Denko')
        used += dist
        notes.append(f"'{x}'~'{y}'")
    if used > max(budget, 1 if len(r) == 1 else 0):
        return None  # (a one-word name passed the first-letter rule above)
    if used == 0 and len(shared) < 3 and ratio < WIDE_RATIO:
        return None
    return "misspelt " + ", ".join(notes)


def _respaced(r: Sequence[str], d: Sequence[str], df: Mapping[str, int],
              vocabulary: frozenset[str]) -> str | None:
    """The same letters but for one edit, spaced differently ('Snur DB'/'SNU RDB')."""
    a, b = _compact(r), _compact(d)
    if len(r) == len(d) or min(len(a), len(b)) < 8:
        return None
    if a != b and (OSA.distance(a, b) > 1
                   or any(df.get(x, 1) > 2 or x in vocabulary for x in excess(r, d))):
        return None
    return "the same letters spaced differently" + ("" if a == b else " (one edit)")


def _truncated(rf: Sequence[str], df_: Sequence[str]) -> str | None:
    """`rf` is `df_` cut off after a word ('Electronics and Telecommunications', 'The United
    States of America as represented by the Secretary of the Air'), compared as written
    (normalised, before any pattern); a name with a legal form ended where it meant to
    ('Kimberly-Clark Corporation')."""
    content = [t for t in rf if t not in STOPWORDS]
    if len(content) < 2 or sum(len(t) for t in content) < 12 or len(rf) >= len(df_):
        return None
    if len([t for t in content if t not in _ACADEMIC]) < 2:
        return None  # 'Institute of Pharmacology' (and Toxicology ...): a unit's whole name
    if list(df_[: len(rf)]) != list(rf) or rf[-1] in STOPWORDS:
        return None
    return f"cut off before '{' '.join(df_[len(rf):])}'"


#: Words of academic names: in 'Shaanxi University of (Science and) Technology' or
#: 'University of (South) Florida' every word tells institutions apart.
_ACADEMIC: Final = frozenset({"university", "institute", "college", "academy", "school"})


def _dropped(r: Sequence[str], d: Sequence[str], df: Mapping[str, int], ratio: float
             ) -> str | None:
    """`r` is `d` without one common word ('Hong Fu Jin Precision (WuHan)', 'JX Nippon &
    Energy'); with a hundredfold dominance, any word. Names of two words ('Hitachi Systems',
    'Western Digital Corporation') and academic names are complete names of their own."""
    if len(r) < 3 or len(d) != len(r) + 1 or _ACADEMIC & set(d):
        return None
    for i, word in enumerate(d):
        if list(d[:i]) + list(d[i + 1 :]) == list(r):
            if word.isdigit() or len(word) < 3:
                return None
            if df.get(word, 1) < 20 and ratio < WIDE_RATIO:
                return None
            return f"the word '{word}' left out"
    return None


def _extended(rf: Sequence[str], df_: Sequence[str], country: str | None) -> str | None:
    """`rf` is `df_` followed by an inner legal form and junk ('LG Display Co., LCD': legal
    forms and words of up to three letters) or its own country ('Sony Corporation of Japan'),
    not by another name ('Sony Corporation Research Center', 'Canon KK/Canon Denshi KK')."""
    n = len(df_)
    if len(rf) <= n or list(rf[:n]) != list(df_) or len(rf) - n > 4:
        return None
    if not is_legal_form_like(rf[n]) or rf[n] in ("and", "of"):
        return None
    tail = [t for t in rf[n + 1 :] if not is_legal_form_like(t)]
    if all(len(t) <= 3 and t not in ("and", "of") for t in tail):
        return f"'{' '.join(rf[n + 1:])}' after the legal form"
    if tail and tail[0] == "of":
        found = country_code(" ".join(tail[1:]))
        if found is not None and country is not None and same_country(found, country):
            return f"{_NAMED_COUNTRY} '{' '.join(tail[1:])}' after the legal form"
    return None


def variant_of(
    rare: NameGroup,
    main: NameGroup,
    df: Mapping[str, int],
    vocabulary: frozenset[str],
    ratio: float = RATIO,
) -> str | None:
    """How `rare` is a misspelling, shortening or lengthening of `main`, or None; `ratio` is
    how many times more patents `main`'s cluster has (some differences need more)."""
    if rare.space != main.space or rare.normalised == main.normalised:
        return None  # (the same normalised name was kept apart on purpose by the grouping)
    if {t for t in rare.loose if t.isdigit()} != {t for t in main.loose if t.isdigit()}:
        return None
    verdict = _variant(rare, main, df, vocabulary, ratio)
    # a parent and its US subsidiary, kept apart by the grouping: asked last, as it costs
    # more than the rules above reject most pairs
    return None if verdict is None or subsidiary_clash(rare, main) else verdict


def _variant(rare: NameGroup, main: NameGroup, df: Mapping[str, int],
             vocabulary: frozenset[str], ratio: float) -> str | None:
    for r, d in ((rare.loose, main.loose), (rare.light, main.light)):
        verdict = _misspelt(r, d, df, vocabulary, ratio) or _respaced(r, d, df, vocabulary)
        if verdict:
            return verdict
    cut = None
    if not rare.has_legal_form:
        cut = next((why for r in rare.written for d in main.written
                    if (why := _truncated(r, d)) is not None), None)
    return (cut or _dropped(rare.loose, main.loose, df, ratio)
            or _extended(rare.full, main.full, main.country))


# --- candidates ---------------------------------------------------------------------------
# Keys name what two spellings share: all words but one (with the first or the last letter of
# the odd word), all but two (of a longer name), the whole name (to find it cut off, with a
# word more, or with a legal form and junk after it) and the letters but one.

def _odd_word_keys(pre: str, toks: tuple[str, ...], i: int) -> Iterator[str]:
    rest = " ".join(toks[:i] + toks[i + 1 :])
    word = toks[i]
    yield f"{pre}w|{i}|{rest}|<{word[0]}"
    yield f"{pre}w|{i}|{rest}|>{word[-1]}"


def _pair_keys(pre: str, toks: tuple[str, ...]) -> Iterator[str]:
    n = len(toks)
    if 4 <= n <= _MAX_TOKENS:
        for i in range(n):
            for j in range(i + 1, n):
                yield f"{pre}p|{i}|{j}|" + " ".join(toks[:i] + toks[i + 1 : j] + toks[j + 1 :])


def _target_keys(g: NameGroup) -> Iterator[str]:
    pre = f"{g.space}|"
    for toks in {g.loose, g.light}:
        if len(toks) >= 2:
            for i in range(len(toks)):
                yield from _odd_word_keys(pre, toks, i)
            if len(toks) >= 3:
                for i in range(len(toks)):
                    yield f"{pre}x|{' '.join(toks[:i] + toks[i + 1 :])}"
        yield from _pair_keys(pre, toks)
        yield f"{pre}c|{_compact(toks)}"
    for written in g.written:
        for k in range(2, len(written)):
            yield f"{pre}t|{' '.join(written[:k])}"
    yield f"{pre}n|{' '.join(g.full)}"
    if len(g.compact) >= 5:
        for key in deletion_keys(g.compact):
            yield f"{pre}d|{key}"


def _query_keys(g: NameGroup) -> Iterator[str]:
    pre = f"{g.space}|"
    for toks in {g.loose, g.light}:
        if len(toks) >= 2:
            for i in range(len(toks)):
                yield from _odd_word_keys(pre, toks, i)
            yield f"{pre}x|{' '.join(toks)}"
        yield from _pair_keys(pre, toks)
        yield f"{pre}c|{_compact(toks)}"
    for written in g.written:
        yield f"{pre}t|{' '.join(written)}"
    for k in range(1, len(g.full)):
        if is_legal_form_like(g.full[k]):
            yield f"{pre}n|{' '.join(g.full[:k])}"
    if len(g.compact) >= 4:
        for key in deletion_keys(g.compact):
            yield f"{pre}d|{key}"


def _agrees(evidence: Counter[str], pooled: Counter[str], match: Callable[[str, str], bool]
            ) -> bool:
    """Every value of `evidence` is seen on at least `_MIN_SHARE` of `pooled` (or no
    evidence on one side)."""
    total = sum(pooled.values())
    if not evidence or not total:
        return True
    for value in evidence:
        seen = sum(n for v, n in pooled.items() if match(v, value))
        if seen < _MIN_SHARE * total:
            return False
    return True


def _dominant(cands: Mapping[int, list[tuple[int, int]]], size: Mapping[int, int], need: int,
              varies: Callable[[int, int], bool]) -> int | None:
    """The largest candidate cluster the rare name is a spelling of, when it has at least
    `need` patents and no other such cluster reaches 1/`COMPETE_RATIO` of it; else None.
    Clusters are judged largest first, so the many small candidates of a common word are
    never judged: none of them can be the dominant one, nor compete with it."""
    best: int | None = None
    for other in sorted(cands, key=lambda r: -size[r]):
        if best is None and size[other] < need:
            return None  # the largest cluster it spells is too small (or there is none)
        if best is not None and size[other] * COMPETE_RATIO <= size[best]:
            return best  # no smaller cluster competes
        if any(varies(j, i) for j, i in cands[other]):
            if best is not None:
                return None  # another cluster competes (an equal size too)
            best = other
    return best


def rare_attachments(
    groups: list[NameGroup],
    root_of: Callable[[int], int],
    df: Mapping[str, int],
    vocabulary: frozenset[str],
    workers: int = 1,
) -> list[Attachment]:
    """Rare clusters that are spellings of exactly one dominant cluster (see module doc).
    Each rare cluster is judged on its own: in `workers` processes (`parallel.fork_map`)."""
    roots = [root_of(i) for i in range(len(groups))]  # (no merges happen in here)
    members: dict[int, list[int]] = defaultdict(list)
    for i, g in enumerate(groups):
        if not g.individual:
            members[roots[i]].append(i)
    size = {root: sum(groups[i].count for i in ms) for root, ms in members.items()}
    targets = [i for root, ms in members.items() if size[root] > RARE_MAX for i in ms]
    rare = [(root, ms) for root, ms in members.items() if size[root] <= WIDE_MAX]
    asked = [i for _, ms in rare for i in ms]

    def target_keys(i: int) -> Iterator[str]:
        return _target_keys(groups[i])

    def query_keys(i: int) -> Iterator[str]:
        return _query_keys(groups[i])

    # only the target keys that a rare name of another cluster asks for are indexed
    # (`blocking`; a cluster of four to ten patents is both rare and a target, and its own
    # keys find itself)
    of_root = np.asarray(roots, dtype=np.int64)
    t_hashes, t_items = key_hashes(targets, target_keys, workers)
    q_hashes, q_items = key_hashes(asked, query_keys, workers)
    wanted = crossing(t_hashes, of_root[t_items], q_hashes, of_root[q_items])
    del t_hashes, t_items, q_hashes, q_items
    index = key_blocks(targets, target_keys, workers, wanted)

    def judge(start: int, stop: int) -> list[Attachment]:
        return [att for root, ms in rare[start:stop]
                if (att := _attachment(root, ms, groups, roots, members, size, index, df,
                                       vocabulary)) is not None]

    return fork_map(judge, len(rare), workers, min_items=_MIN_FORKED, chunk=_CHUNK,
                    what="rare spellings")


def _attachment(
    root: int,
    ms: list[int],
    groups: list[NameGroup],
    roots: list[int],
    members: Mapping[int, list[int]],
    size: Mapping[int, int],
    index: Mapping[str, list[int]],
    df: Mapping[str, int],
    vocabulary: frozenset[str],
) -> Attachment | None:
    """The dominant cluster that rare cluster `root` (groups `ms`) is a spelling of, if any."""
    n_rare = size[root]
    # every cluster the rare name could be a spelling of, judged permissively (as if
    # dominance were unlimited): any of them competes with the dominant one
    cands: dict[int, list[tuple[int, int]]] = defaultdict(list)  # root -> (target, member)
    for i in ms:
        seen: set[int] = set()
        for key in sorted(set(_query_keys(groups[i]))):  # sorted: the same tie order always
            block = index.get(key, ())
            if len(block) > _MAX_BLOCK:
                continue
            for j in block:
                if j not in seen and roots[j] != root:
                    seen.add(j)
                    cands[roots[j]].append((j, i))
    need = max(DOMINANT_MIN, RATIO * n_rare) if n_rare <= RARE_MAX else WIDE_RATIO * n_rare
    best = _dominant(cands, size, need, lambda j, i: bool(variant_of(
        groups[i], groups[j], df, vocabulary, inf)))
    if best is None:
        return None
    verdicts = ((j, i, variant_of(groups[i], groups[j], df, vocabulary, size[best] / n_rare))
                for j, i in sorted(cands[best], key=lambda c: -groups[c[0]].count))
    decided = next(((j, i, why) for j, i, why in verdicts if why is not None), None)
    if decided is None:
        return None
    target, member, why = decided
    rare_countries = sum((groups[i].countries for i in ms), Counter())
    rare_types = sum((groups[i].types for i in ms), Counter())
    best_types = sum((groups[i].types for i in members[best]), Counter())
    if not _agrees(rare_types, best_types, lambda a, b: a == b):
        return None
    if (not set(rare_types) <= _US_TYPES or not set(best_types) & _US_TYPES) \
            and not why.startswith(_NAMED_COUNTRY) \
            and not _agrees(rare_countries,
                            sum((groups[i].countries for i in members[best]), Counter()),
                            same_country):
        return None  # inventors' countries count where the type does not say 'US'
    return Attachment(
        member, target, 0.9,
        f"rare spelling ({n_rare} patent(s)) of a dominant name ({size[best]}): {why}",
    )
