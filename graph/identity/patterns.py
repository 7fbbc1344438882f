"""Recurring legal patterns in assignee names, recognised before any similarity is computed.

* governance: a board that is the legal person of a university ("The Regents of the University
  of Michigan", "Board of Trustees of the Leland Stanford Junior University", "National
  University Corporation Tohoku University", "X Board of Regents on behalf of Y University",
  "University of Pittsburgh - of the Commonwealth System of Higher Education", "The Royal
  Institution for the Advancement of Learning/McGill University")
  -> the organisation is the university itself (core name = the university's name);
* tto: a technology-transfer body acting for a university ("Wisconsin Alumni Research
  Foundation", "IUCF-HYU (Industry-University Cooperation Foundation Hanyang University)",
  "Research & Business Foundation Sungkyunkwan University") -> its own organisation that
  acts for the university (core name = the university's name);
* government: "The United States of America as represented by the Secretary of the Army"
  -> the department (core name = "united states army").

Parenthesised acronyms and countries are dropped ("KAIST", "(CN)"); an acronym outside with
the full name inside ("IUCF-HYU (Industry-University ...)") keeps the full name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from rapidfuzz.distance import OSA

from ttkg.graph.identity.countries import country_code
from ttkg.graph.identity.normalise import fold, normalise, tokens

__all__ = ["Pattern", "clean_name", "parse"]

GOVERNANCE: Final = "governance"
TTO: Final = "tto"
GOVERNMENT: Final = "government"


@dataclass(frozen=True, slots=True)
class Pattern:
    """What a recognised pattern says about a name."""

    role: str  # governance | tto | government
    core: str  # normalised name of the organisation behind it (university, department)
    qualifier: str  # campus or role detail that distinguishes otherwise equal cores
    reason: str


_PAREN_RE: Final = re.compile(r"\(([^()]*)\)?")


def _letters(text: str) -> str:
    return "".join(ch for ch in fold(text) if ch.isalnum())


def _is_subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(ch in it for ch in short)


def _abbreviates(short: str, long: str) -> bool:
    """`short` abbreviates `long`: its letters appear in order from the start of one of the
    words of `long` ('KAIST', 'IUCF-HYU', 'DHHS' of '... Department of Health and Human
    Services')."""
    s = _letters(short)
    words = [_letters(w) for w in fold(long).split()]
    if not (2 <= len(s) < sum(len(w) for w in words)) or (len(short.split()) > 1 and len(s) > 12):
        return False
    for i, w in enumerate(words):
        if w and w[0] == s[0] and _is_subsequence(s, "".join(words[i:])):
            return True
    return False


#: A trailing description of what the organisation is, after a comma: 'a division of X',
#: 'a Delaware limited liability company', 'a body corporate', 'an independent administrative
#: institution'; 'a division of X' also without the comma ('Horizons Incorporated a division
#: of Horizons Research Incorporated'). Not when it says on whose behalf the body acts.
_APPOSITIVE_RE: Final = re.compile(
    r"(?:,\s*|\s+(?=an?\s+(?:div\.?|division|subsidiary|unit)\s+of\b))"
    r"an?\s+(?:(?:div\.?|division|subsidiary|unit)\s+of\b.*|"
    r"[^,]*?\b(?:corporation|corp\.?|company|body(?: corporate)?|institution\b[^,]*)\.?)\s*$",
    re.IGNORECASE,
)
_ACTING_RE: Final = re.compile(r"\b(?:acting|behalf|operating)\b", re.IGNORECASE)
_LEADING_JUNK_RE: Final = re.compile(r"^\W*\d+\s*;\s*")  # '03;TIANMA ...': a row artefact


def _strip_appositive(raw: str) -> str:
    m = _APPOSITIVE_RE.search(raw)
    if m and m.start() > 0 and not _ACTING_RE.search(m.group(0)):
        return raw[: m.start()]
    return raw


@lru_cache(maxsize=100_000)
def clean_name(raw: str) -> str:
    """The raw name with parenthesised acronyms, abbreviations and countries resolved, and a
    trailing description ('..., a division of X', '..., a body corporate') dropped."""
    raw = _strip_appositive(_LEADING_JUNK_RE.sub("", raw))
    parts = _PAREN_RE.split(raw, maxsplit=1)
    if len(parts) < 3:
        return raw
    before, inside, after = parts[0].strip(" ,;-"), parts[1].strip(), parts[2].strip(" ,;-")
    outside = (before + " " + after).strip()
    if not inside or (len(_letters(inside)) == 2 and country_code(inside)):
        return clean_name(outside) if outside else raw  # '(CN)': a country code, noise
    if not after and before and tokens(before)[-1:] in (["ltd"], ["limited"], ["inc"]):
        return clean_name(before)  # '... Co., Ltd. (Suzhou)': where the company is
    if outside and _abbreviates(inside, outside):
        return clean_name(outside)
    if outside and _abbreviates(outside, inside):
        return clean_name(inside)
    return clean_name(f"{before} {inside} {after}".strip())


# --- governance ------------------------------------------------------------------------------

_GOV_PREFIX_RE: Final = re.compile(
    r"^(?:(?:the )?(?:state of \w+ )?(?:acting )?(?:by and (?:through|though) )?.*?"
    r"(?:acting for and on behalf of|for and on behalf of|on behalf of|on behlaf of|"
    r"acting for|action on behalf of) )"
)
_GOV_LEADING: Final[tuple[str, ...]] = (
    "board of regents of the university and community college system of nevada on behalf of",
    "board of regents of the", "board of regents of", "board of regents the", "board of regents",
    "regents of the", "regents of", "reagents of the", "refents of the", "refents of",
    "board of trustees of the", "board of trustees of", "board of trustees for the",
    "board of trustees the", "board of trustees operating", "board of trustee of the",
    "board of trustrees of the", "board of trustees a constitutional corporation operating",
    "trustees of the", "trustees of", "curators of the", "curators of",
    "board of supervisors of", "board of governors of", "university court of the",
    "governors of the", "governors of", "governing council of the", "governing council of",
    "president and fellows of", "president of", "japan represented by president of",
    "japan as represented by president of", "a school corporation of", "school corporation of",
    "school corporation", "educational foundation", "gakko hojin", "gakkouhoujin",
    "national university corporation", "public university corporation",
    "royal institution for the advancement of learning",
    # the collegiate universities' and colleges' corporations: 'The Chancellor, Masters and
    # Scholars of the University of Oxford', 'The Master, Fellows and Scholars of ... College',
    # 'The Provost, Fellows, Foundation Scholars, and the Other Members of Board, of the
    # College of the Holy and Undivided Trinity of Queen Elizabeth near Dublin'
    "chancellor masters and scholars of the", "chancellors masters and scholars of the",
    "master fellows and scholars of the", "master and fellows of the",
    "provost fellows foundation scholars and the other members of board of the",
    "provost fellows foundation scholars and other members of board of the",
    "provost and fellows of the", "provost fellows and scholars of the",
)
_GOV_TRAILING: Final[tuple[str, ...]] = (
    "board of trustees", "board of regents", "a body corporate", "a body",
    "educational foundation", "national university corporation", "natl university corporation",
    "national university", "natl university",
    "of the commonwealth system of higher education",
)
#: Legal names of universities that ROR lists under their common name.
_LEGAL_NAMES: Final[dict[str, str]] = {
    "harvard college": "harvard university",
    "tufts college": "tufts university",
    "leland stanford junior university of stanford": "leland stanford junior university",
    "princeton": "princeton university",
    "university of il": "university of illinois",
}
_UNIVERSITY_WORD_RE: Final = re.compile(
    r"\b(un\w{0,3}v\w*|college|institute of technology|polytechnic|"
    r"school of medicine|institute of science and technology|leland \w+)\b"
)


def _strip_phrases(text: str, phrases: tuple[str, ...], at_start: bool) -> tuple[str, str]:
    for phrase in sorted(phrases, key=len, reverse=True):
        if at_start and text.startswith(phrase + " "):
            return text[len(phrase) + 1 :], phrase
        if not at_start and text.endswith(" " + phrase):
            return text[: -len(phrase) - 1], phrase
    return text, ""


def _governance(norm: str, country: str | None) -> Pattern | None:
    if country == "JP" and re.fullmatch(r".*\b(university|college)( of \w+)* foundation", norm):
        core = norm.removesuffix(" foundation")
        return Pattern(GOVERNANCE, core, "", f"school corporation of '{core}'")
    text = norm
    m = _GOV_PREFIX_RE.match(text)
    via = ""
    if m and _UNIVERSITY_WORD_RE.search(text[m.end() :]):
        via = "acting on behalf of"
        text = text[m.end() :]
    text, lead = _strip_phrases(text, _GOV_LEADING, at_start=True)
    trail = ""
    if not lead:
        text, trail = _strip_phrases(text, _GOV_TRAILING, at_start=False)
    if not (via or lead or trail):
        return None
    text = text.removeprefix("the ").strip()
    for suffix in (" system", " systems"):
        text = text.removesuffix(suffix)
    words = text.split()
    for i, w in enumerate(words[:-1]):  # '... University Office of Technology Licensing'
        rest = words[i + 1 :]
        if w in ("university", "college") and rest[0] not in ("of", "at", "in", "system") \
                and "and" not in rest:
            text = " ".join(words[: i + 1])
            break
    core = _LEGAL_NAMES.get(text, text)
    if not core or not (_UNIVERSITY_WORD_RE.search(core) or core in _LEGAL_NAMES.values()):
        return None
    what = via or (lead or trail)
    return Pattern(GOVERNANCE, core, "", f"'{what}' is the legal person of '{core}'")


# --- technology transfer ---------------------------------------------------------------

#: Words that name a TTO's role; removed to find the university it acts for.
_TTO_WORDS: Final[frozenset[str]] = frozenset(
    {
        "industry", "industrial", "industy", "indusrty", "inudstry", "academic", "academy",
        "academia", "university", "cooperation", "cooperative", "coorperation",
        "cooperatior", "coopoeration", "coopertaion", "corporation", "collaboration",
        "collobaration", "foundation", "fondation", "research", "reasearch", "business",
        "busines", "businessfoundation", "development", "devvelopment", "r", "d", "db", "b",
        "and", "group", "corps", "center", "consulting", "for", "of", "the", "in", "patent",
        "alumni", "alumini", "licensing", "technology", "transfer", "office", "innovation",
        "enterprise", "institute", "insitute", "corp", "inc", "f", "four", "uif", "iac",
        "company", "ltd", "limited", "ramot", "at", "yissum", "yeda", "authority", "applied"
    }
)
_TTO_SIGNAL_RE: Final = re.compile(
    r"\b(research foundation|alumni research|alumini research|patent foundation|"
    r"(?:cooperation|collaboration|coorperation|cooperative|corporation|cooperatior) "
    r"(?:foundation|group|corps|center)|industry foundation|r and db foundation|"
    r"r and d foundation|r and b foundation|busi\w* ?f\w*|"
    r"business development foundation|academy industry|foundation for corporate|"
    r"foundation for industry|foundation of industry|foundation for corporat\w*|"
    r"foundation of university industry|"
    r"research and development foundation|research and development company|"
    r"research and development business|industry cooperation|industrial cooperation|"
    r"academic cooperation|academia cooperation|academy cooperation|industry academic|"
    r"research corporation|research and technology|university innovation|"
    r"technology licensing|technology transfer|"
    r"university authority for applied research|cambridge enterprise|"
    r"research institute for industry cooperation|research development company|"
    r"research cooperation|"
    r"research and development corporation|ramot at|yeda research|isis innovation|"
    r"university r and d|leuven r and d)\b"
)
_CAMPUS_RE: Final = re.compile(r"\b(\w+) campus\b|\b(glocal)\b")
_SCHOOL_HINT_RE: Final = re.compile(
    r"\b(university|universit\w*|univ|college|institute of technology|postech|kaist|unist|"
    r"snu|ncku|uab|mcw|"
    r"hebrew|tel aviv|technion|tech|state|wisconsin|cornell|purdue|idaho|penn|oxford|"
    r"cambridge|icu|pnu|industry academ\w*|academy industry|university industry)\b"
)


def _tto(norm: str, full: str, country: str | None) -> Pattern | None:
    if not _TTO_SIGNAL_RE.search(full) or not _SCHOOL_HINT_RE.search(full):
        return None
    if country == "JP" and re.fullmatch(r".*\buniversity of \w+( \w+)? foundation", norm):
        return None  # a Japanese school corporation: the university itself
    qualifier = ""
    m = _CAMPUS_RE.search(norm)
    if m:
        qualifier = m.group(1) or m.group(2) or ""
        norm = _CAMPUS_RE.sub(" ", norm)
    toks = norm.split()
    # the university: maximal run of non-role tokens, extended by a following/preceding
    # 'university' ('hanyang university', 'state university of new york', 'korea university')
    best: list[str] = []
    i = 0
    while i < len(toks):
        if toks[i] in _TTO_WORDS and toks[i] != "university":
            i += 1
            continue
        j = i
        run: list[str] = []
        while j < len(toks) and (toks[j] not in _TTO_WORDS or toks[j] in ("university", "of")
                                 or (toks[j] in ("and", "technology", "institute", "the")
                                     and run)):
            run.append(toks[j])
            j += 1
        while run and run[-1] in ("of", "and", "the", "technology", "institute"):
            if run[-1] in ("technology", "institute") and len(run) > 2 and run[-2] == "and":
                break
            run.pop()
        while run and run[0] in ("of", "the"):
            run.pop(0)
        while len(run) > 1 and run[-1] == "university" and run[-2] == "university":
            run.pop()
        half = len(run) // 2
        if len(run) >= 4 and len(run) % 2 == 0 and run[:half] == run[half:]:
            run = run[:half]  # 'sungkyunkwan university sungkyunkwan university'
        if [t for t in run if t not in ("university", "of", "the")] and len(run) > len(best):
            best = run
        i = max(j, i + 1)
    core = " ".join(best).strip()
    if not core:
        return None
    return Pattern(TTO, core, qualifier, f"technology-transfer body of '{core}'"
                   + (f" ({qualifier} campus)" if qualifier else ""))


# --- government --------------------------------------------------------------------------

_US_GOV_RE: Final = re.compile(
    r"^(?:the )?(?:government of )?(?:the )?(?:united stat\w*|unites states|untted states|usa|us)"
    r"(?: of (?:the )?americ\w*)?(?: government)?(?: as)? (?:re\w*sented by|"
    r"department of)(?: the)? ?(.*)$"
)
_JP_GOV_RE: Final = re.compile(r"^japan (?:as )?represented by (?:the )?(.*)$")
_CA_GOV_RE: Final = re.compile(
    r"^her majesty the queen in (?:the )?right of canada as represented by (?:the )?(.*)$"
)
_OFFICE_RE: Final = re.compile(
    r"^(?:secretary|administrator|director general|director|minister|president)"
    r"(?: of)?(?: the)?(?: the)? ?"
)


def _gov_core(rest: str) -> str:
    """The department's distinctive name: 'department of energy' -> 'energy'; a sub-office
    named after it ('..., the National Institutes of Health') is cut off."""
    for prefix in ("united states ", "us ", "department of ", "dept of ", "the "):
        rest = rest.removeprefix(prefix)
    words = rest.split()
    for i in range(2, len(words)):
        if words[i] in ("the", "office"):
            rest = " ".join(words[:i])
            break
    return rest.strip()


_DIRECTOR_RE: Final = re.compile(r"^(?:the )?director general (?:of )?(?:the )?(.+)$")


def _government(norm: str, type_code: str | None) -> Pattern | None:
    m = _DIRECTOR_RE.match(norm)
    if m and type_code in ("3", "6", "7", None):
        core = m.group(1)
        return Pattern(GOVERNMENT, core, "japan" if type_code != "6" else "united states",
                       f"the office's director acting for '{core}'")
    if type_code == "6" and norm.startswith(("department of ", "dept of ")):
        core = _gov_core(norm)
        return Pattern(GOVERNMENT, core, "united states", f"US federal government: '{core}'")
    for regex, country, label in ((_US_GOV_RE, "united states", "US federal government"),
                                  (_JP_GOV_RE, "japan", "Japanese government"),
                                  (_CA_GOV_RE, "canada", "Government of Canada")):
        m = regex.match(norm)
        if not m:
            continue
        rest = _gov_core(_OFFICE_RE.sub("", m.group(1)).strip())
        if country != "united states":  # '... Department of Agriculture and Agri-Food Canada'
            rest = rest.removesuffix(f" {country}")
        if not rest:
            return None
        return Pattern(GOVERNMENT, rest, country, f"{label} acting through '{rest}'")
    return None


# --- entry ---------------------------------------------------------------------------------

#: The words the patterns are made of. A name is first parsed with its misspellings of these
#: corrected ('Univesity of Florida Research Foundation', 'The
#: Regents of Tee University of California', 'Research Foundation tor the State University').
_STRUCTURE_WORDS: Final[frozenset[str]] = frozenset({
    "university", "college", "foundation", "cooperation", "corporation", "research",
    "development", "industry", "industrial", "academic", "academia", "academy", "business",
    "regents", "trustees", "board", "national", "institute", "technology", "collaboration",
    "represented", "secretary", "united", "states", "america", "department",
})
_SHORT_STRUCTURE_WORDS: Final = ("the", "for", "and")


@lru_cache(maxsize=50_000)
def _structure_words(token: str) -> tuple[str, ...]:
    """The pattern words `token` may misspell: same first letter; from 8 letters two edits,
    from 5 one changed or swapped letter (a shorter or longer word is another word: 'state' is
    no misspelt 'states'), three letters one changed letter ('tor' for 'for'); never a plural
    or singular of the word."""
    if token in _STRUCTURE_WORDS or token in _SHORT_STRUCTURE_WORDS or token.isdigit():
        return ()
    if len(token) == 3:
        return tuple(w for w in _SHORT_STRUCTURE_WORDS
                     if sum(a != b for a, b in zip(token, w, strict=True)) == 1)
    if len(token) < 5:
        return ()
    limit = 2 if len(token) >= 8 else 1
    return tuple(sorted(w for w in _STRUCTURE_WORDS
                        if w[0] == token[0] and w.rstrip("s") != token.rstrip("s")
                        and abs(len(w) - len(token)) <= (limit if limit == 2 else 0)
                        and OSA.distance(w, token) <= limit))


def _corrections(cleaned: str) -> list[str]:
    """The name with its misspelt pattern words corrected; a word that may misspell two
    ('Coororation': corporation or cooperation) gives one reading per word (at most two
    such words). 'R&D' glued to the word before it is split off."""
    toks = tokens(cleaned)
    readings: list[list[str]] = [[]]
    ambiguous = 0
    for i, t in enumerate(toks):
        if (len(t) > 2 and t.endswith("r") and toks[i + 1 : i + 2] == ["and"]
                and toks[i + 2 : i + 3] in (["d"], ["db"], ["b"])):
            readings = [[*r, t[:-1], "r"] for r in readings]  # 'Snur & DB': 'SNU R&DB'
            continue
        options = list(_structure_words(t)) or [t]
        if len(options) > 1:
            ambiguous += 1
            if ambiguous > 2:
                options = [t]
        readings = [[*r, o] for r in readings for o in options]
    return [" ".join(r) for r in readings if r != toks]


def _with_campus(cleaned: str, country: str | None) -> Pattern | None:
    """'Regents of the University of California, San Diego': the board of the university
    named before the comma is the legal person, whatever campus follows."""
    head, sep, tail = cleaned.partition(",")
    if not sep or not tail.strip() or len(tail.split()) > 3:
        return None
    found = _governance(normalise(head), country)
    if found is None or _UNIVERSITY_WORD_RE.search(normalise(tail)):
        return None
    return Pattern(GOVERNANCE, found.core, "",
                   f"{found.reason} (the campus '{tail.strip()}' is part of it)")


def _parse_clean(cleaned: str, country: str | None, type_code: str | None) -> Pattern | None:
    norm = normalise(cleaned)
    full = " ".join(tokens(cleaned))
    return (_government(norm, type_code) or _with_campus(cleaned, country)
            or _governance(norm, country) or _tto(norm, full, country))


@lru_cache(maxsize=100_000)
def parse(raw: str, country: str | None = None, type_code: str | None = None) -> Pattern | None:
    """The pattern a raw assignee name follows, or None."""
    cleaned = clean_name(raw)
    for corrected in _corrections(cleaned):
        found = _parse_clean(corrected, country, type_code)
        if found is not None:
            return found
    return _parse_clean(cleaned, country, type_code)
