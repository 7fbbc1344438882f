"""Loose comparison forms of a normalised name: what two spellings of one name share.

`loose_key` forgives what `normalise` keeps: stopwords, common abbreviations (univ, natl,
ind), plural endings, misspelt legal forms ('Kabushiki Kasiha', 'Corportion', 'Co., Lid.').
`compact` also forgets word boundaries ('Sam Sung' = 'Samsung'). Both are only used to
compare names, never shown.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Final

from rapidfuzz.distance import OSA

from ttkg.graph.identity.countries import country_code
from ttkg.graph.identity.normalise import LEGAL_FORMS

__all__ = [
    "STOPWORDS", "TRANSLATIONS", "compact", "full_tokens", "is_legal_form_like", "light_tokens",
    "loose_key", "loose_tokens", "translate",
]

STOPWORDS: Final[frozenset[str]] = frozenset(
    {
        "the", "of", "and", "at", "for", "in", "on", "by", "an", "de", "du", "des", "la",
        "le", "les", "el", "der", "die", "das", "und", "et", "di", "del", "da", "dei",
        "degli", "von", "van"
    }
)

#: Abbreviation -> word, applied token by token in loose forms.
ABBREVIATIONS: Final[dict[str, str]] = {
    "univ": "university", "uni": "university", "universities": "university",
    "natl": "national", "nat": "national", "intl": "international", "internat": "international",
    "inst": "institute", "instit": "institute", "ind": "industry", "indus": "industry",
    "industries": "industry", "industrial": "industry", "mfg": "manufacturing",
    "labs": "laboratory", "lab": "laboratory", "laboratories": "laboratory",
    "tech": "technology", "technologies": "technology", "dept": "department",
    "assn": "association", "assoc": "association", "sci": "science", "sciences": "science",
    "elec": "electric", "electronic": "electronics", "chem": "chemical", "chemicals": "chemical",
    "pharma": "pharmaceutical", "pharmaceuticals": "pharmaceutical", "pharm": "pharmaceutical",
    "sys": "systems",
    "eng": "engineering", "engg": "engineering", "mach": "machines", "machine": "machines",
    "ctr": "center", "centre": "center", "res": "research", "dev": "development",
    "govt": "government", "gov": "government", "hosp": "hospital", "med": "medical",
    "coop": "cooperation", "cooperative": "cooperation", "corporate": "corporation",
    "agricultural": "agriculture",
}

#: Corporate words of Japanese company names (Hepburn romanisation) and of European names, with
#: the English words their registered English names use: 'Mitsubishi Jukogyo' is Mitsubishi
#: Heavy Industries, 'Toshiba Kikai' Toshiba Machine, 'Mitsubishi Jidosha Kogyo' Mitsubishi
#: Motors. Only literal renderings: brand-like words ('Denko', 'Kasei', 'Seisakusho'), country
#: words ('Nippon') and a second word for one English word ('Sangyo' beside 'Kogyo': Tanaka
#: Sangyo is not Tanaka Kogyo) stay as they are. Longest phrase first.
TRANSLATIONS: Final[dict[tuple[str, ...], tuple[str, ...]]] = {
    ("jidosha", "kogyo"): ("motor",),
    ("jukogyo",): ("heavy", "industry"),
    ("kogyo",): ("industry",),
    ("denki",): ("electric",),
    ("denshi",): ("electronics",),
    ("jidosha",): ("motor",),
    ("kikai",): ("machine",),
    ("kagaku",): ("chemical",),
    ("seiyaku",): ("pharmaceutical",),
    ("kogaku",): ("optical",),
    ("seimitsu",): ("precision",),
    ("tsushin",): ("communication",),
    ("gijutsu",): ("technology",),
    ("nihon",): ("nippon",),
    ("universitat",): ("university",),
    ("universitaet",): ("university",),
    ("universite",): ("university",),
    ("universidad",): ("university",),
    ("universidade",): ("university",),
    ("universita",): ("university",),
    ("universiteit",): ("university",),
    ("universitet",): ("university",),
    ("uniwersytet",): ("university",),
    ("institut",): ("institute",),
    ("instituto",): ("institute",),
    ("istituto",): ("institute",),
    ("laboratoire",): ("laboratory",),
    ("laboratorium",): ("laboratory",),
    ("industrie",): ("industry",),
    ("elektronik",): ("electronics",),
    ("werke",): ("works",),
}
_MAX_PHRASE: Final = max(len(k) for k in TRANSLATIONS)
_FIRST_WORDS: Final = frozenset(k[0] for k in TRANSLATIONS)


def translate(toks: list[str]) -> list[str]:
    """Romanised Japanese and European corporate words as their English renderings."""
    if not any(t in _FIRST_WORDS for t in toks):
        return toks
    out: list[str] = []
    i = 0
    while i < len(toks):
        for n in range(min(_MAX_PHRASE, len(toks) - i), 0, -1):
            found = TRANSLATIONS.get(tuple(toks[i : i + n]))
            if found is not None:
                out.extend(found)
                i += n
                break
        else:
            out.append(toks[i])
            i += 1
    return out


#: Long legal-form words that are often misspelt; a token within edit distance 1 (2 for long
#: words) of one of these is treated as that legal form.
_LONG_FORM_WORDS: Final[tuple[str, ...]] = (
    "corporation", "incorporated", "limited", "company", "kabushiki", "kaisha", "gaisha",
    "aktiengesellschaft", "gesellschaft", "kabushikigaisha", "kabushikikaisha",
)
_SHORT_GARBAGE: Final[frozenset[str]] = frozenset(
    {"cp", "cop", "ld", "lid", "lld", "col", "co", "inc", "ltd", "llc", "corp"}
)
_TAIL_FORMS: Final[frozenset[str]] = frozenset(
    {"ltd", "limited", "inc", "incorporated", "gmbh", "llc", "corporation", "corp"}
)
#: Last words of an address after the legal form ('... Micro-Electronics Limited New District').
_ADDRESS_WORDS: Final[frozenset[str]] = frozenset(
    {"district", "zone", "province", "road", "street", "county"}
)
_FORM_WORDS: Final[frozenset[str]] = frozenset(
    t for form in LEGAL_FORMS for t in form if len(t) >= 2
)


#: Short legal forms whose letters are often typed swapped ('Crop.' for 'Corp.').
_SHORT_SWAPPED: Final[tuple[str, ...]] = ("corp", "inc", "ltd", "llc")


@lru_cache(maxsize=100_000)
def is_legal_form_like(token: str) -> bool:
    """A legal-form word or a misspelling of one ('kasiha', 'corportion', 'comapny', 'crop',
    'lls')."""
    if token in _FORM_WORDS or token in _SHORT_GARBAGE:
        return True
    if len(token) == 3 and token[:2] in ("ll", "lt") and token.isalpha():
        return True  # the last letter of 'LLC' or 'Ltd' mistyped ('Spinefrontier LLS')
    if len(token) < 5:
        return any(sorted(token) == sorted(w) and OSA.distance(token, w) == 1
                   for w in _SHORT_SWAPPED)
    for word in _LONG_FORM_WORDS:
        limit = 2 if len(word) >= 9 else 1
        if abs(len(word) - len(token)) <= limit and OSA.distance(token, word) <= limit:
            return True
    return False


def _singular(token: str) -> str:
    if len(token) > 4 and token.endswith("s") and not token.endswith("ss"):
        return token[:-1]
    return token


def _trim(toks: list[str]) -> list[str]:
    """Cut what follows the name: an address or junk after an inner legal form ('... Co.,
    Ltd. Hsin-Chu, Taiwan', '... Limited New District'), a parent ministry ('..., Ministry of
    Health'), stray letters."""
    for i in range(len(toks) - 1, 1, -1):
        tail = toks[i + 1 :]
        junk = len(tail) == 1 and len(tail[0]) <= 2
        if tail and len(tail) <= 3 and toks[i] in _TAIL_FORMS and (
            junk or country_code(tail[-1]) is not None or tail[-1] in _ADDRESS_WORDS
        ):
            toks = toks[: i + 1]
            break
    if "ministry" in toks[3:]:
        toks = toks[: toks.index("ministry", 3)]
    while len(toks) > 2 and len(toks[-1]) == 1 and not toks[-1].isdigit():
        toks = toks[:-1]
    return toks


def _pop_forms(toks: list[str]) -> None:
    """Drop legal-form-like words at the end, keeping '& Co' ('Merck & Co' is not 'Merck');
    a legal form split in two ('Corpor ation') counts as one word."""
    while len(toks) > 1:
        if is_legal_form_like(toks[-1]):
            if toks[-1] == "co" and toks[-2] == "and":
                return
            toks.pop()
        elif (len(toks) > 2 and len(toks[-1]) >= 3 and len(toks[-2]) >= 3
              and is_legal_form_like(toks[-2] + toks[-1])):
            del toks[-2:]
        else:
            return


#: Long words of the abbreviation map: a token one edit away ('Indsutrial', 'Laboratries')
#: is read as the word.
_LONG_WORDS: Final[tuple[str, ...]] = tuple(sorted(
    {w for pair in ABBREVIATIONS.items() for w in pair if len(w) >= 8}
))


@lru_cache(maxsize=100_000)
def _spelled(token: str) -> str:
    """`token` mapped through the abbreviations, or through a long word it misspells."""
    if token in ABBREVIATIONS:
        return ABBREVIATIONS[token]
    if len(token) >= 8:
        for word in _LONG_WORDS:
            if abs(len(word) - len(token)) <= 1 and word[0] == token[0] \
                    and OSA.distance(word, token) <= 1:
                return ABBREVIATIONS.get(word, word)
    return token


@lru_cache(maxsize=200_000)
def loose_tokens(normalised: str) -> tuple[str, ...]:
    """Tokens of the loose form: stopwords gone, abbreviations expanded, plurals singular,
    legal-form-like tokens removed at both ends (misspelt 'Kabushiki Kasiha', 'Co., Lid.')."""
    toks = [_spelled(t) for t in translate(_trim(normalised.split()))]
    _pop_forms(toks)
    while len(toks) > 1 and len(toks[0]) >= 5 and is_legal_form_like(toks[0]):
        toks.pop(0)  # 'Kabushiki Kasiha Toshiba' (short words lead real names: 'SA Tech')
    out = [_singular(t) for t in toks if t not in STOPWORDS]
    return tuple(out) if out else tuple(toks)


@lru_cache(maxsize=200_000)
def light_tokens(normalised: str) -> tuple[str, ...]:
    """Tokens without stopwords and end legal forms, but as written (no abbreviation map):
    a misspelling of a mapped word ('Idustrial') is compared with the word as written."""
    toks = _trim(normalised.split())
    _pop_forms(toks)
    while len(toks) > 1 and len(toks[0]) >= 5 and is_legal_form_like(toks[0]):
        toks.pop(0)
    out = [t for t in toks if t not in STOPWORDS]
    return tuple(out) if out else tuple(toks)


@lru_cache(maxsize=200_000)
def full_tokens(normalised: str) -> tuple[str, ...]:
    """Like `light_tokens` but keeping stopwords: 'Electronics ad Telecommunications' meets
    'Electronics and Telecommunications' word by word."""
    toks = _trim(normalised.split())
    _pop_forms(toks)
    return tuple(toks)


def loose_key(normalised: str) -> str:
    """Loose comparison form as one string."""
    return " ".join(loose_tokens(normalised))


def compact(normalised: str) -> str:
    """Loose form without word boundaries: 'sam sung electronics' -> 'samsungelectronic'."""
    return "".join(loose_tokens(normalised))
