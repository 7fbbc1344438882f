"""Fuzzy clustering of name groups: blocking, pair decisions, constrained union-find.

Candidate pairs come from blocking keys (the compact name and every one-letter deletion of
it; the name with one word left out plus that word's first or last two letters; the name
without its last word plus that word's first three letters), so no all-pairs comparison is
needed. A pair is merged when its names differ only at typo level (see `similarity`), the
similarity reaches the threshold and the evidence does not object: a different country or
assignee type with enough patents behind both, different ROR records, different roles
(a foundation is never its university), a parent and its US subsidiary (European against
English legal form, foreign against US assignee type), or a person's 'keep apart' override.
Then rare clusters attach to a dominant one they misspell, shorten or lengthen, when no other
cluster competes (see `dominance`).
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Final

import numpy as np
from rapidfuzz import fuzz
from rapidfuzz.distance import OSA

from ttkg.core.arrays import distinct
from ttkg.graph.identity.blocking import key_blocks, key_hashes, repeated
from ttkg.graph.identity.countries import country_code, same_country
from ttkg.graph.identity.dominance import rare_attachments
from ttkg.graph.identity.groups import NameGroup, subsidiary_clash
from ttkg.graph.identity.loose import TRANSLATIONS, is_legal_form_like, loose_tokens
from ttkg.graph.identity.parallel import fork_map, worker_count
from ttkg.graph.identity.ror_index import deletion_keys
from ttkg.graph.identity.settings import IdentitySettings
from ttkg.graph.identity.similarity import excess, typo_level

__all__ = ["Clustering", "Merge", "ReviewPair", "cluster_groups"]

log = logging.getLogger(__name__)

_MAX_BLOCK = 60
_PAIR_CHUNK = 20_000  # candidate pairs per worker chunk
_MIN_FORKED_PAIRS = 10_000  # fewer pairs are judged in this process (a fork would not pay)
_DOMINANT = 100  # patents behind a name whose rare shortened spellings are merged into it
_GOVERNMENT_TYPES = frozenset({"6", "7", "8", "9"})
_COMPANY_TYPES = frozenset({"2", "3"})


@dataclass(frozen=True, slots=True)
class Merge:
    """Two groups joined, with why."""

    a: int
    b: int
    score: float
    reason: str


@dataclass(frozen=True, slots=True)
class ReviewPair:
    """A borderline pair a person should look at."""

    a: int
    b: int
    score: float
    reason: str


@dataclass
class Clustering:
    """Result: cluster members (group indices) and every merge and review pair."""

    members: list[list[int]]
    merges: list[Merge] = field(default_factory=list)
    review: list[ReviewPair] = field(default_factory=list)


class _UnionFind:
    def __init__(self, n: int, ror: list[str | None], cannot: Mapping[int, set[int]]) -> None:
        self.parent = list(range(n))
        self.members: dict[int, set[int]] = {i: {i} for i in range(n)}
        self.ror: dict[int, set[str]] = {i: {r} if r else set() for i, r in enumerate(ror)}
        self.cannot = cannot

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def conflict(self, i: int, j: int) -> str | None:
        ri, rj = self.find(i), self.find(j)
        if ri == rj:
            return None
        if self.ror[ri] and self.ror[rj] and self.ror[ri] != self.ror[rj]:
            return "linked to different ROR records"
        small, large = sorted((ri, rj), key=lambda r: len(self.members[r]))
        for m in self.members[small]:
            if self.cannot.get(m, set()) & self.members[large]:
                return "kept apart by an override"
        return None

    def union(self, i: int, j: int) -> bool:
        ri, rj = self.find(i), self.find(j)
        if ri == rj:
            return False
        if len(self.members[ri]) < len(self.members[rj]):
            ri, rj = rj, ri
        self.parent[rj] = ri
        self.members[ri] |= self.members.pop(rj)
        self.ror[ri] |= self.ror.pop(rj)
        return True


def _prefix(g: NameGroup) -> str:
    return f"{g.space}|"


def _blocking_keys(g: NameGroup) -> Iterable[str]:
    pre = _prefix(g)
    yield pre + "L|" + " ".join(g.loose)
    yield pre + "L|" + " ".join(_without_country(g, None))
    yield pre + "C|" + g.compact
    yield pre + "C|" + "".join(g.light)
    if len(g.loose) == 1 and 2 <= len(g.compact) <= 6:
        yield pre + "A|" + g.compact  # an acronym meets the names it abbreviates
    elif len(g.light) >= 3 and g.count >= 5:
        yield pre + "A|" + g.initials
    if len(g.compact) >= 6:
        for k in deletion_keys(g.compact):
            yield pre + "d|" + k
    for toks in {g.loose, g.light, g.full}:
        if len(toks) >= 2:
            for i, t in enumerate(toks):
                rest = " ".join(toks[:i] + toks[i + 1 :])
                yield f"{pre}w|{i}|{rest}|{t[:2]}"
                yield f"{pre}w|{i}|{rest}|{t[-2:]}"
                if len(toks) >= 4:
                    yield f"{pre}w|{i}|{rest}|*"
            yield f"{pre}t|{' '.join(toks[:-1])}|{toks[-1][:3]}"
    toks = g.loose
    if len(toks) >= 4 and (g.count >= 50 or g.count <= 2):
        for i in range(len(toks)):
            for j in range(i + 1, len(toks)):
                yield f"{pre}P|{i}|{j}|" + " ".join(toks[:i] + toks[i + 1 : j] + toks[j + 1 :])
    if g.normalised.endswith(_PARTNERS):  # the partners' '& Co.' left out (`_partners_co`)
        yield pre + "L|" + " ".join(loose_tokens(g.normalised.removesuffix(_PARTNERS)))
    unit, parents = unit_and_parents(g.loose)
    if parents or _PARENTED_UNITS & set(unit):  # a unit with or without its parent after it
        yield pre + "U|" + " ".join(unit)
    if len(g.loose) >= 3:  # the same words in another order (`_translated_order`)
        yield pre + "S|" + " ".join(sorted(g.loose))
    if len(rotation_words := _rotation_words(g.loose)) >= 4:
        yield pre + "R|" + " ".join(sorted(rotation_words))  # a unit before or after its parent
    if g.count >= _DOMINANT:
        for i in range(len(g.loose)):
            yield pre + "M|" + " ".join(g.loose[:i] + g.loose[i + 1 :])
    elif g.count <= 10 and len(g.loose) >= 3:
        yield pre + "M|" + " ".join(g.loose)


def candidate_pairs(groups: list[NameGroup], workers: int = 1) -> np.ndarray:
    """Pairs of group indices (rows `[i, j]`, i < j, sorted) that share a blocking key
    (blocks above a size cap skipped). The blocks are found by `blocking.key_blocks`
    (without a dictionary of every key); the pairs of all blocks of one size are made at
    once with numpy: a block of sixty names is 1,770 pairs, and a Python loop over them cost
    most of the blocking."""
    items = [i for i, g in enumerate(groups) if not g.individual]

    def keys_of(i: int) -> Iterable[str]:
        return _blocking_keys(groups[i])

    blocks = key_blocks(items, keys_of, workers,
                        repeated(key_hashes(items, keys_of, workers)[0]))
    by_size: dict[int, list[list[int]]] = defaultdict(list)
    skipped = 0
    for ids in blocks.values():
        if len(ids) > _MAX_BLOCK:
            skipped += 1
        elif len(ids) >= 2:
            by_size[len(ids)].append(ids)
    del blocks
    n = max(len(groups), 1)
    codes = [np.zeros(0, dtype=np.int64)]
    for size, same in by_size.items():
        members = np.array(same, dtype=np.int64)  # one row per block
        x, y = np.triu_indices(size, 1)
        codes.append((members[:, x] * n + members[:, y]).ravel())
    unique = distinct(np.concatenate(codes))
    log.debug("blocking: %d shared keys, %d skipped, %d pairs", sum(map(len, by_size.values())),
              skipped, len(unique))
    return np.stack((unique // n, unique % n), axis=1)


def _without_country(g: NameGroup, country: str | None) -> tuple[str, ...]:
    """Loose tokens minus a trailing 'of <country>' ('... Institute of Korea', '... Council of
    Republic of China') that agrees with `country` (any country when None), and a legal form
    before it; minus a leading country before a name of four more words ('Japan Ministry of
    International Trade and Industry'). A bare trailing country ('Amkor Technology Korea')
    names a subsidiary and stays on a company's name; on an institution's name without a
    legal form it is a qualifier and goes ('National Institute of Metrology, China', '...
    Academy of Military Medical Sciences, P.L.A. China') when three words remain."""
    toks, full = g.loose, g.full

    def agrees(words: tuple[str, ...]) -> bool:
        found = country_code(" ".join(words))
        return found is not None and (country is None or same_country(found, country))

    for n in (3, 2, 1):
        if len(toks) > n + 1 and len(full) > n + 1 and full[-n - 1] == "of" \
                and agrees(full[-n:]):
            rest = toks[: -len(loose_tokens(" ".join(full[-n:])))]
            while len(rest) > 1 and is_legal_form_like(rest[-1]):
                rest = rest[:-1]
            return rest
    if not g.company_form:
        for n in (3, 2, 1):
            tail = loose_tokens(" ".join(full[-n:])) if len(full) > n else ()
            if tail and len(toks) >= len(tail) + 3 and toks[-len(tail):] == tail \
                    and agrees(full[-n:]):
                return toks[: -len(tail)]
    for n in (2, 1):
        if len(toks) >= n + 4 and agrees(toks[:n]):
            return toks[n:]
    return toks


#: Words naming a unit of a company or institution (a parent's name may stand before or after).
_UNIT_WORDS: Final = frozenset({
    "institute", "institutes", "branch", "bureau", "plant", "factory", "laboratory",
    "laboratories", "center", "centre", "division", "hospital", "school", "college",
})


def _rotation_words(toks: tuple[str, ...]) -> tuple[str, ...]:
    """The words of a name that a unit's and its parent's order does not change: without
    legal forms ('China Petroleum & Chemical Corporation Beijing Research Institute ...')."""
    return tuple(t for t in toks if not is_legal_form_like(t))


def _rotated(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """One name is a unit's and its parent's, the other the same two parts the other way
    round ('China Petroleum & Chemical Corporation Beijing Research Institute of Chemical
    Industry' = 'Beijing Research Institute of Chemical Industry, China Petroleum & Chemical
    Corporation'): each part two words or more, one of them naming a unit. Asked of names with
    a company legal form only: an institution's unit and parent are ROR's to tie (a unit's
    ROR name beside its parent's), and a rare rendering of the two attaches to the body's
    dominant name ('Institute of Nuclear Energy Research, Atomic Energy Council' to its
    '..., Executive Yuan' names), which an earlier pair merge would pre-empt."""
    x, y = _rotation_words(a), _rotation_words(b)
    if len(x) != len(y) or x == y or len(x) < 4:
        return False
    for k in range(2, len(x) - 1):
        if x[k:] + x[:k] == y and (_UNIT_WORDS & set(x[:k]) or _UNIT_WORDS & set(x[k:])):
            return True
    return False


#: Parent bodies written after a unit's name, as loose tokens, each with the parent it names:
#: an academy of sciences ('..., Russian Academy of Sciences', '... of CAS'), a government's
#: council, yuan or bureau ('..., Council of Labor Affairs, Executive Yuan', '..., Armaments
#: Bureau, M.N.D.', whose initials the loose form writes as one word).
_PARENT_TAILS: Final[dict[tuple[str, ...], str]] = {
    ("chinese", "academy", "science"): "cas",
    ("cas",): "cas",
    ("russian", "academy", "science"): "ras",
    ("ras",): "ras",
    ("executive", "yuan"): "executive yuan",
    ("council", "labor", "affair"): "council of labor affairs",
    ("armament", "bureau"): "armaments bureau",
    ("ministry", "national", "defense"): "ministry of national defense",
    ("mnd",): "ministry of national defense",
}
#: Words of a unit (of an academy or a government) whose parent may follow its name.
_PARENTED_UNITS: Final = frozenset({"institute", "center", "centre", "laboratory", "station"})


@lru_cache(maxsize=200_000)
def unit_and_parents(toks: tuple[str, ...]) -> tuple[tuple[str, ...], frozenset[str]]:
    """A unit's name without the parent bodies written after it, and those parents: ('av
    topchiev institute petrochemical synthesis', {'ras'}) for 'A. V. Topchiev Institute of
    Petrochemical Synthesis, Russian Academy of Sciences'. Parents go only from a name of
    three words or more naming a unit; other names come back whole, with no parent."""
    parents: set[str] = set()
    cut = True
    while cut:
        cut = False
        for tail, parent in _PARENT_TAILS.items():
            n = len(tail)
            if len(toks) >= n + 3 and toks[-n:] == tail and _PARENTED_UNITS & set(toks[:-n]):
                toks, cut = toks[:-n], True
                parents.add(parent)
                break
    return toks, frozenset(parents)


#: The partners' word of a firm's name as normalised ('Oscar Mayer & Co.'; 'Oscar Mayer &
#: Company' normalises to 'oscar mayer': `normalise.strip_legal_forms`).
_PARTNERS: Final = " and co"


def _same_unit(a: NameGroup, b: NameGroup) -> str | None:
    """The parents named when two names are one unit's name with its parent bodies after it
    or without them ('Xi'an Institute of Optics and Precision Mechanics of CAS' = '..., Chinese
    Academy of Sciences'; 'Chung Shan Institute of Science and Technology' = '..., Armaments
    Bureau, M.N.D.'), one's parents among the other's; None otherwise. Two academies' units
    of one name ('Institute of Physics' of CAS and of RAS) are not one: different parents."""
    unit_a, parents_a = unit_and_parents(a.loose)
    unit_b, parents_b = unit_and_parents(b.loose)
    if unit_a != unit_b or not (parents_a or parents_b):
        return None
    if not (parents_a <= parents_b or parents_b <= parents_a):
        return None
    return ", ".join(sorted(parents_a | parents_b))


def _partners_co(a: NameGroup, b: NameGroup) -> bool:
    """'X & Co.' and 'X & Company' (normalised 'x and co' and 'x'): one firm when both stand in
    one country on one side of the assignee-type flag (Oscar Mayer & Co., Inc. = Oscar Mayer &
    Company, Incorporated; not Merck & Co. of the US and the German Merck)."""
    for x, y in ((a, b), (b, a)):
        if x.normalised.removesuffix(_PARTNERS) == y.normalised != x.normalised:
            return (same_country(x.country, y.country) and x.flag is not None
                    and x.flag == y.flag)
    return False


#: A spelling borne by this many distinct strings with this many patent rows between them
#: is a name of its own, not a misspelling (`_established`).
_ESTABLISHED_STRINGS: Final = 2
_ESTABLISHED_ROWS: Final = 5
_ESTABLISHED_SHARE: Final = 0.1


def _established(a: NameGroup, b: NameGroup) -> bool:
    """The rarer of two names differing in a misspelt word is a name of its own: written alike
    in several strings on several patents, and on a good share of the other's patents (a
    misspelling is a slip: 'Genetech' on 4 % of Genentech's rows is one), its words letters
    only ('02Micro', a zero for the letter O, is a slip however often made). 'Taiho
    Pharmaceutical' (three strings, 7 rows) is no misspelt 'Taisho Pharmaceutical' (16),
    'Mirna Therapeutics' no misspelt 'Sirna Therapeutics'."""
    rare, common = sorted((a, b), key=lambda g: g.count)
    return (len(rare.variants) >= _ESTABLISHED_STRINGS and rare.count >= _ESTABLISHED_ROWS
            and rare.count >= _ESTABLISHED_SHARE * common.count
            and all(t.isalpha() for t in set(rare.loose) ^ set(common.loose)))


#: Words of another language that the loose forms render in English (`loose.TRANSLATIONS`).
_TRANSLATED: Final = frozenset(w for phrase in TRANSLATIONS for w in phrase)


def _translated_order(a: NameGroup, b: NameGroup) -> bool:
    """One name is written with another language's corporate words, the other in English,
    and the two say the same words in each language's order after the same first word (the
    proper name): 'Mizusawa Kagaku Kogyo' (chemical industry) = 'Mizusawa Industrial
    Chemicals'. Three words or more; every word out of place is a translated one (a word
    swap in English stays a typo's matter: 'Industrial Research Technology Institute')."""
    if (len(a.loose) < 3 or a.loose == b.loose or a.loose[0] != b.loose[0]
            or sorted(a.loose) != sorted(b.loose)):
        return False
    for own, other in ((a, b), (b, a)):
        if len(own.light) == len(own.loose) and not _TRANSLATED & set(other.light):
            moved = [w for w, x, y in zip(own.light, own.loose, other.loose, strict=True)
                     if x != y]
            if moved and all(w in _TRANSLATED for w in moved):
                return True
    return False


#: Initial consonants that Korean romanisations write either way ('Kwangju'/'Gwangju').
_KOREAN_INITIALS: Final = {"g": "k", "d": "t", "b": "p", "j": "ch"}


def _korean_key(toks: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(_KOREAN_INITIALS.get(t[0], t[0]) + t[1:] if t else t for t in toks)


def _dominant_variant(a: NameGroup, b: NameGroup) -> str | None:
    """A rare spelling (one or two patents) of a dominant name (fifty times more patents):
    up to two words misspelt in a name that shares three more ('Hon Hsi Precision Ind.').
    Words left out, stems and short names are left to `dominance`, which also checks that no
    other cluster competes."""
    rare, main = sorted((a, b), key=lambda g: g.count)
    if rare.count > 2 or main.count < max(50, 50 * rare.count):
        return None
    if rare.country and main.country and not same_country(rare.country, main.country):
        return None
    r, m = rare.loose, main.loose
    if len(r) != len(m) or r == m:
        return None
    dr, dm = excess(r, m), excess(m, r)
    if not dr or len(dr) != len(dm) or len(dr) > 2:
        return None
    if len(r) == 1:
        x, y = dr[0], dm[0]
        if (main.count >= 500 and len(x) >= 5 and x[0] == y[0]
                and OSA.distance(x, y) <= 1):
            return f"rare misspelling '{x}' of a dominant name ('{y}')"
        return None
    if len(r) - len(dr) < 3:
        return None
    for x, y in zip(dr, dm, strict=True):
        if x.isdigit() or y.isdigit():
            return None
        if OSA.distance(x, y) > (2 if min(len(x), len(y)) >= 7 else 1):
            return None
    return "rare misspelling of a dominant name: " + ", ".join(
        f"'{x}'~'{y}'" for x, y in zip(dr, dm, strict=True))


def _may_reach(a: NameGroup, b: NameGroup,
               forms: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...], floor: float) -> bool:
    """Whether `_compare`'s score for the pair can reach `floor` (past the checks before the
    forms): a rare misspelling of a dominant name scores at least 0.92, the same words or
    letters in a form at least 0.96; any other verdict scores the similarity of the form it
    comes from, minus penalties. Three similarities cost less than the typo rules they spare
    on the many candidate pairs of a large batch that are far apart."""
    rare, main = sorted((a.count, b.count))
    if rare <= 2 and main >= max(50, 50 * rare):  # (`_dominant_variant`'s own condition)
        return True
    if any("".join(xa) == "".join(xb) for xa, xb in forms):
        return True
    return any(fuzz.ratio(" ".join(xa), " ".join(xb)) / 100 >= floor for xa, xb in forms)


def _acronym_of(short: NameGroup, long: NameGroup) -> bool:
    return (len(short.loose) == 1 and len(long.light) >= 3 and long.count >= 10
            and short.count <= 10 and long.count >= 10 * short.count
            and short.compact == long.initials)


def compare(
    a: NameGroup,
    b: NameGroup,
    vocabulary: frozenset[str],
    df: Mapping[str, int],
    settings: IdentitySettings,
    floor: float = 0.0,
) -> tuple[float, str] | None:
    """(score, reason) if `a` and `b` may be one organisation; None if they are not, or
    (with a `floor`) when their score cannot reach it: such pairs are refused before the
    rules are asked (a caller that ignores scores below the floor decides the same)."""
    if a.space != b.space:
        return None
    if a.normalised == b.normalised and a.key_text != b.key_text:
        return None  # kept apart on purpose (a company and a same-named institute)
    decided = _compare(a, b, vocabulary, df, settings, floor)
    if decided is not None and subsidiary_clash(a, b):
        return None  # 'Siemens Aktengesellschaft' is not Siemens Corporation (asked last:
    return decided  # it costs more than the rules reject most pairs with)


def _compare(
    a: NameGroup,
    b: NameGroup,
    vocabulary: frozenset[str],
    df: Mapping[str, int],
    settings: IdentitySettings,
    floor: float = 0.0,
) -> tuple[float, str] | None:
    ca, cb = a.country, b.country
    if a.loose == b.loose:
        return 0.97, ("same name but for punctuation, stopwords, plural endings, abbreviations "
                      "or legal form")
    if _partners_co(a, b):
        return 0.95, "the partners' '& Co.' written in full or left out ('& Company')"
    if (parented := _same_unit(a, b)) is not None:
        if ca and cb and not same_country(ca, cb):
            return None
        return 0.95, f"a unit's name with its parent ({parented}) after it or without it"
    if _translated_order(a, b):
        if ca and cb and not same_country(ca, cb):
            return None
        return 0.95, ("one name in two languages, each in its word order ('Kagaku Kogyo' = "
                      "'Industrial Chemicals')")
    if (a.company_form or b.company_form) and _rotated(a.loose, b.loose):
        if ca and cb and not same_country(ca, cb):
            return None
        return 0.95, "a unit's name with its parent's before or after it"
    if _acronym_of(a, b) or _acronym_of(b, a):
        if ca and cb and not same_country(ca, cb):
            return None
        short, long = (a, b) if len(a.loose) == 1 else (b, a)
        return 0.9, f"'{short.display_name}' is the acronym of '{long.display_name}'"
    if ca == cb == "KR" and _korean_key(a.loose) == _korean_key(b.loose):
        return 0.95, "one Korean name in two romanisations ('Kwangju'/'Gwangju')"
    same_letters = "".join(a.light) == "".join(b.light) and len("".join(a.light)) >= 5
    if not same_letters and min(len(a.compact), len(b.compact)) < settings.min_fuzzy_length:
        return None  # ('K. C. Tech' and 'KCTech' are long enough)
    la = _without_country(a, cb) if cb else a.loose
    lb = _without_country(b, ca) if ca else b.loose
    forms = ((la, lb), (a.light, b.light), (a.full, b.full))
    if floor > 0 and not _may_reach(a, b, forms, floor):
        return None
    verdict: str | None = None
    score = 0.0
    for xa, xb in forms:
        verdict = typo_level(xa, xb, vocabulary, df)
        if verdict is not None:  # scored on the forms that agree ('Techonologies' is
            score = fuzz.ratio(" ".join(xa), " ".join(xb)) / 100  # near 'Technologies')
            break
    if verdict is None:
        verdict = _dominant_variant(a, b)
        score = fuzz.ratio(" ".join(la), " ".join(lb)) / 100
    if verdict is None:
        return None
    if verdict == "same words":
        verdict = "same name but for the country it adds"
    if verdict.startswith(("same letters", "same name")):
        score = max(score, 0.96)
    elif verdict.startswith(("rare spelling", "rare misspelling")):
        score = max(score, 0.92)
    elif (verdict.startswith("misspelt") and min(len(a.loose), len(b.loose)) <= 2
          and max(a.count, b.count) < 2 * min(a.count, b.count)
          and not (set(a.loose) ^ set(b.loose)) & vocabulary):
        return None  # neither word known to ROR and no frequency to tell the misspelling
    # ('Huizhou'/'Guizhou University', one patent each)
    elif verdict.startswith("misspelt") and _established(a, b):
        return None  # a name spelt alike in several strings, no rare slip: 'Taiho'/'Taisho'
    notes = [verdict]
    ca, cb = a.country, b.country
    if ca and cb and not same_country(ca, cb):
        if min(a.count, b.count) >= 3:
            return None
        score -= 0.03
        notes.append(f"countries differ ({ca}/{cb}) on few patents")
    ta, tb = a.type_code, b.type_code
    if ta and tb and ta != tb and not a.role:
        kinds = {ta in _GOVERNMENT_TYPES, tb in _GOVERNMENT_TYPES}
        if len(kinds) == 2 and {ta, tb} & _COMPANY_TYPES:
            return None
        score -= 0.02
        notes.append(f"assignee types differ ({ta}/{tb})")
    return round(score, 3), "; ".join(notes)


def _kept_apart(groups: list[NameGroup]) -> list[tuple[int, int]]:
    """Groups the exact grouping split on purpose (same normalised name, different keys: a
    company and a same-named institute, a parent and its US subsidiary) never join, not even
    through a third spelling."""
    by_name: dict[str, list[int]] = defaultdict(list)
    for i, g in enumerate(groups):
        if not g.individual:
            by_name[g.normalised].append(i)
    return [(ids[x], ids[y]) for ids in by_name.values() if len(ids) > 1
            for x in range(len(ids)) for y in range(x + 1, len(ids))
            if groups[ids[x]].key_text != groups[ids[y]].key_text] + _units_of_two_parents(groups)


def _units_of_two_parents(groups: list[NameGroup]) -> list[tuple[int, int]]:
    """Where one unit name is written under two parents neither of which contains the other
    (an 'Institute of Solid State Physics' of the Chinese and of the Russian Academy), those
    names never join, and the name without a parent joins neither: it could be either."""
    by_unit: dict[tuple[str, ...], list[tuple[int, frozenset[str]]]] = defaultdict(list)
    for i, g in enumerate(groups):
        unit, parents = unit_and_parents(g.loose)
        if not g.individual and (parents or _PARENTED_UNITS & set(unit)):
            by_unit[unit].append((i, parents))
    apart: list[tuple[int, int]] = []
    for named in by_unit.values():
        sets = {p for _, p in named if p}
        if not any(not (x <= y or y <= x) for x in sets for y in sets):
            continue  # one parent, or nested ones: no doubt
        apart += [(i, j) for n, (i, pi) in enumerate(named) for j, pj in named[n + 1:]
                  if not pi or not pj or not (pi <= pj or pj <= pi)]
    return apart


def cluster_groups(
    groups: list[NameGroup],
    ror_of_group: list[str | None],
    vocabulary: frozenset[str],
    settings: IdentitySettings,
    must_link: Iterable[tuple[int, int, str]] = (),
    cannot_link: Iterable[tuple[int, int]] = (),
) -> Clustering:
    """Cluster groups; `ror_of_group` are exact ROR links that must not end up together.
    Candidate pairs are judged, and rare names matched, in `settings.workers` processes."""
    workers = worker_count(settings.workers)
    cannot: dict[int, set[int]] = defaultdict(set)
    for i, j in list(cannot_link) + _kept_apart(groups):
        cannot[i].add(j)
        cannot[j].add(i)
    uf = _UnionFind(len(groups), ror_of_group, cannot)
    result = Clustering(members=[])
    for i, j, why in must_link:
        if uf.union(i, j):
            result.merges.append(Merge(i, j, 1.0, why))
    if settings.fuzzy:
        df: Counter[str] = Counter()
        for g in groups:
            df.update(set(g.loose) | set(g.light))
            _ = g.full, g.compact, g.initials, g.written  # (computed here once, not in
            # every worker that reads them; computed apart from the blocking keys, they do
            # not scatter over pages that the keys leave mostly empty when they go)
        pairs = candidate_pairs(groups, workers)
        floor = settings.review_threshold - 0.001  # (scores are rounded to 3 places)

        def judge(start: int, stop: int) -> list[tuple[float, int, int, str]]:
            out = []
            for i, j in pairs[start:stop].tolist():
                decided = compare(groups[i], groups[j], vocabulary, df, settings, floor)
                if decided is not None:
                    out.append((decided[0], i, j, decided[1]))
            return out

        scored = fork_map(judge, len(pairs), workers, min_items=_MIN_FORKED_PAIRS,
                          chunk=_PAIR_CHUNK, what="pair decisions")
        del pairs
        scored.sort(key=lambda s: (-s[0], s[1], s[2]))
        for score, i, j, why in scored:
            if uf.find(i) == uf.find(j):
                continue
            if score < settings.review_threshold:
                continue
            conflict = uf.conflict(i, j)
            if conflict is not None:
                result.review.append(ReviewPair(i, j, score, f"{why}; not merged: {conflict}"))
                continue
            if score < settings.merge_threshold:
                result.review.append(ReviewPair(i, j, score, f"{why}; below merge threshold"))
                continue
            uf.union(i, j)
            result.merges.append(Merge(i, j, score, why))
        for att in rare_attachments(groups, uf.find, df, vocabulary, workers):
            if att.score < settings.review_threshold:
                continue
            conflict = uf.conflict(att.rare, att.target)
            if conflict is not None:
                result.review.append(ReviewPair(att.rare, att.target, att.score,
                                                f"{att.reason}; not merged: {conflict}"))
            elif att.score < settings.merge_threshold:
                result.review.append(ReviewPair(att.rare, att.target, att.score,
                                                f"{att.reason}; below merge threshold"))
            elif uf.union(att.rare, att.target):
                result.merges.append(Merge(att.rare, att.target, att.score, att.reason))
    roots: dict[int, list[int]] = defaultdict(list)
    for i in range(len(groups)):
        roots[uf.find(i)].append(i)
    result.members = list(roots.values())
    return result
