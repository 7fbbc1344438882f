"""Normalisation of organisation names into comparable keys.

Two assignee strings that normalise to the same key are the same organisation: Unicode
compatibility forms, case, accents, punctuation, '&'/'and', a leading 'the' and legal-form
words in many languages ("Co., Ltd.", "GmbH", "Kabushiki Kaisha", "S.p.A.") do not matter.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Final

__all__ = ["LEGAL_FORMS", "fold", "key_of", "normalise", "strip_legal_forms", "tokens"]

#: Legal-form words and phrases (as normalised token sequences) that carry no identity.
#: Stripped at the end of a name (repeatedly) and, for the Japanese/Korean forms, at the start.
_LEGAL_FORM_PHRASES: Final[tuple[str, ...]] = (
    # English
    "inc", "incorporated", "corp", "corporation", "co", "company", "cos", "ltd", "limited",
    "llc", "l l c", "llp", "l l p", "lp", "l p", "plc", "p l c", "pllc", "lllp",
    "co ltd", "coltd", "co inc", "corp ltd", "pty", "pty ltd", "pte", "pte ltd", "private",
    "private limited", "pvt", "pvt ltd", "public limited company", "limited liability company",
    "limited partnership",
    # German-speaking
    "gmbh", "g m b h", "mbh", "ag", "a g", "kg", "kgaa", "ohg", "ev", "e v", "se", "gmbh co kg",
    "gmbh and co kg", "gmbh and co", "co kg", "gmbh co", "aktiengesellschaft", "ug",
    "gesellschaft mit beschrankter haftung", "gesellschaft mit beschraenkter haftung",
    "kommanditgesellschaft",
    # Romance languages
    "sa", "s a", "spa", "s p a", "srl", "s r l", "sarl", "s a r l", "sas", "s a s", "sl",
    "s l", "sa rl", "sau", "s a u", "sca", "s c a", "snc", "ltda", "lda", "sa de cv", "s a de c v",
    "de cv", "s de rl de cv", "s de r l de c v", "sapi de cv", "sociedad anonima",
    "societe anonyme", "societa per azioni", "societe par actions simplifiee", "sprl", "scrl",
    "ltee", "lte", "sa nv", "nv sa",
    # Dutch / Nordic / Central European
    "bv", "b v", "nv", "n v", "oy", "oyj", "ab", "a b", "abp", "publ", "ab publ", "asa", "as",
    "a s", "aps", "a p s", "hf", "sro", "s r o", "spol s r o", "sp z o o", "spzoo", "kft",
    "zrt", "nyrt", "rt", "r t", "dd", "d d", "doo", "d o o", "ad", "oao", "zao", "ooo", "pao",
    "besloten vennootschap", "naamloze vennootschap", "aktiebolag", "aktiebolaget",
    "aktieselskab", "aksjeselskap", "osakeyhtio",
    # Asian
    "kk", "k k", "kabushiki kaisha", "kabushikikaisha", "kabushiki gaisha", "kabushikigaisha",
    "yugen kaisha", "yugenkaisha", "godo kaisha", "gk", "yk", "chusik hoesa", "jusik hoesa",
    "chusikhoesa", "jusikhoesa", "sdn bhd", "bhd", "berhad", "tbk", "pt",
)

#: Forms that also occur in front of the name ("Kabushiki Kaisha Toshiba").
_LEADING_FORM_PHRASES: Final[tuple[str, ...]] = (
    "kabushiki kaisha", "kabushikikaisha", "kabushiki gaisha", "kabushikigaisha",
    "yugen kaisha", "godo kaisha", "chusik hoesa", "jusik hoesa", "pt", "ooo", "oao", "zao",
    "kk",
)

LEGAL_FORMS: Final[frozenset[tuple[str, ...]]] = frozenset(
    tuple(p.split()) for p in _LEGAL_FORM_PHRASES
)
_LEADING_FORMS: Final[frozenset[tuple[str, ...]]] = frozenset(
    tuple(p.split()) for p in _LEADING_FORM_PHRASES
)
_MAX_FORM_LEN: Final = max(len(f) for f in LEGAL_FORMS)
_FORM_ENDS: Final = frozenset(f[-1] for f in LEGAL_FORMS)
_LEADING_STARTS: Final = frozenset(f[0] for f in _LEADING_FORMS)

# "S.A.", "L.L.C.", "U.S.A", "R.O.C" -> "SA", "LLC", "USA", "ROC": single letters joined by
# dots, the last dot optional; spaced initials only letter by letter ("K. K.", "A. V."), so
# "G.D. S.p.A." is "GD SPA", not "GDSPA".
_INITIALS_RE: Final = re.compile(
    r"(?<![^\W\d_])((?:[^\W\d_]\.){1,}[^\W\d_]\.?|(?:[^\W\d_]\.\s){1,}[^\W\d_]\.)"
    r"(?![^\W\d_])"
)
# Text that went through UTF-8 -> cp1252 -> UTF-8 once or twice ('GyÃƒÂ³gyszergyÃƒÂ¡r').
_MOJIBAKE_RE: Final = re.compile("[ÃÂ][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178"
                                 "\u017d\u017e\u0192\u02c6\u02dc\u2013-\u203a\u20ac\u2122]")
_APOSTROPHE_RE: Final = re.compile(r"['’`´]")
_NON_ALNUM_RE: Final = re.compile(r"[\W_]+")


def _join_initials(m: re.Match[str]) -> str:
    return m.group(1).replace(".", "").replace(" ", "") + " "


def _unmangle(text: str) -> str:
    """Undo UTF-8 read as cp1252 (up to twice): 'FÃƒÂ¶rderung' -> 'Förderung'; text that
    does not decode back stays as it is ('SÃO PAULO')."""
    for _ in range(2):
        if not _MOJIBAKE_RE.search(text):
            break
        try:
            text = text.encode("cp1252").decode("utf-8")
        except UnicodeError:
            break
    return text


@lru_cache(maxsize=200_000)
def fold(text: str) -> str:
    """Mojibake undone, NFKC, casefold and strip accents: 'Universität' -> 'universitat'."""
    s = unicodedata.normalize("NFKC", _unmangle(text)).casefold()
    decomposed = unicodedata.normalize("NFKD", s)
    if decomposed != s:
        s = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return s.replace("ß", "ss")


def tokens(text: str) -> list[str]:
    """Folded word tokens of a name, with '&' as 'and' and joined initials ('s.p.a.' -> 'spa')."""
    s = fold(text)
    s = _APOSTROPHE_RE.sub("", s)
    if "." in s:  # (initials need a dot: the pattern's lookarounds are slow on every name)
        s = _INITIALS_RE.sub(_join_initials, s)
    s = s.replace("&", " and ").replace("+", " and ")
    return [t for t in _NON_ALNUM_RE.split(s) if t]


def strip_legal_forms(toks: list[str]) -> list[str]:
    """Remove legal-form words at the end (repeatedly) and known leading forms.

    Never strips a name down to nothing: 'Company Inc' keeps 'company'. A trailing 'and co'
    is kept ('Merck & Co' is not 'Merck').
    """
    out = list(toks)
    changed = True
    while changed and len(out) > 1:
        changed = False
        # (most names end in no legal form's last word: no tail of them is one)
        for n in range(min(_MAX_FORM_LEN, len(out) - 1) if out[-1] in _FORM_ENDS else 0, 0, -1):
            tail = tuple(out[-n:])
            if tail in LEGAL_FORMS:
                if tail[0] == "co" and len(out) > n and out[-n - 1] == "and":
                    continue
                out = out[:-n]
                changed = True
                break
        while len(out) > 1 and out[-1] in ("and", "of", "the"):
            out.pop()
            changed = True
    for n in range(min(3, len(out) - 1) if out and out[0] in _LEADING_STARTS else 0, 0, -1):
        if tuple(out[:n]) in _LEADING_FORMS:
            out = out[n:]
            break
    return out


@lru_cache(maxsize=200_000)
def normalise(name: str) -> str:
    """The comparison key of an organisation name (space-separated tokens). Cached: a
    build asks for 206k keys of 116k strings (families ask again for the clusters' names).

    >>> normalise("SAMSUNG ELECTRONICS CO., LTD.") == normalise("Samsung Electronics Co., Ltd")
    True
    >>> normalise("The Regents of the University of Michigan")
    'regents of the university of michigan'
    """
    toks = _minzu(_without_inner_kg(_without_stutter(tokens(name))))
    if len(toks) > 1 and toks[0] == "the":
        toks = toks[1:]
    return " ".join(strip_legal_forms(toks))


def _without_inner_kg(toks: list[str]) -> list[str]:
    """'GmbH & Co. KG' inside a name is 'GmbH & Co.': the German limited partnership with a
    GmbH as its partner, written without 'KG' until the 1998 commercial-law reform made it
    compulsory ('Reifenhauser GmbH & Co. [KG] Maschinenfabrik'). At the end both are stripped."""
    if "kg" not in toks:
        return toks
    return [t for i, t in enumerate(toks)
            if not (t == "kg" and toks[max(0, i - 3) : i] == ["gmbh", "and", "co"]
                    and i < len(toks) - 1)]


def _minzu(toks: list[str]) -> list[str]:
    """'Minzu' is the pinyin of 'nationalities': China's universities for ethnic minorities
    took the pinyin in their English names from 2015 on ('Dalian Nationalities University' ->
    'Dalian Minzu University'), and ROR keeps either ('Yunnan Nationalities University',
    'Hubei University for Nationalities'). All three forms are 'X Minzu University'."""
    n = len(toks)
    for i in range(n - 1):
        if toks[i : i + 2] == ["nationalities", "university"]:
            return [*toks[:i], "minzu", "university", *toks[i + 2 :]]
        if toks[i : i + 3] == ["university", "for", "nationalities"]:
            return [*toks[:i], "minzu", "university", *toks[i + 3 :]]
    return toks


def _without_stutter(toks: list[str]) -> list[str]:
    """Two or three words typed twice in a row once: 'Research Foundation of State of State of
    New York'. A single repeated word stays ('Hangzhou Zero Zero Technology')."""
    if len(set(toks)) == len(toks):  # (words typed twice repeat a word)
        return toks
    for n in (3, 2):
        i = 0
        while i + 2 * n <= len(toks):
            if toks[i : i + n] == toks[i + n : i + 2 * n]:
                toks = toks[: i + n] + toks[i + 2 * n :]
            else:
                i += 1
    return toks


def key_of(normalised: str) -> str:
    """A slug usable in node ids ('org:<key>'): normalised tokens joined by '-'."""
    return normalised.replace(" ", "-") or "unnamed"
