"""What kind of organisation a name is: from ROR types, else assignee type and name words."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

from ttkg.core.model import OrgKind
from ttkg.graph.identity.normalise import fold

__all__ = ["classify_kind", "kind_from_ror_types", "type_code"]

#: ROR types in order of precedence (a record typed education+funder is a university).
_ROR_TYPE_KIND: Final[tuple[tuple[str, OrgKind], ...]] = (
    ("education", OrgKind.UNIVERSITY),
    ("healthcare", OrgKind.HOSPITAL),
    ("company", OrgKind.COMPANY),
    ("government", OrgKind.GOVERNMENT),
    ("nonprofit", OrgKind.NONPROFIT),
)

_UNIVERSITY_RE: Final = re.compile(
    r"\b(universit\w*|univ|college|hochschule|polytechnic\w*|politecnico|ecole|escola|"
    r"institute of technology|school of (medicine|mines)|regents|board of trustees|"
    r"trustees of|daigaku|universidad|universidade|uniwersytet|universiteit|yliopisto|"
    r"technion|eth zurich|kaist|postech)\b"
)
_HOSPITAL_RE: Final = re.compile(
    r"\b(hospital\w*|clinic|klinikum|medical cent(er|re)|health system|cancer cent(er|re))\b"
)
_GOVERNMENT_RE: Final = re.compile(
    r"\b(government|ministry|minister|department of|secretary of|administrator of|agency|"
    r"as represented by|commissariat|national institutes? of health|state of|republic)\b"
)
_NONPROFIT_RE: Final = re.compile(
    r"\b(foundation|association|society|institut\w*|council|fraunhofer|max planck|"
    r"stiftung|verein|fondazione|fundacion|fondation|consiglio|centre national)\b"
)
_COMPANY_RE: Final = re.compile(
    r"\b(inc|corp|corporation|co|company|ltd|limited|llc|gmbh|ag|plc|kk|kabushiki|sa|bv|nv|"
    r"spa|srl|oy|ab|kg|kgaa|holdings?|industries|technolog\w*|electronics|systems)\b"
)


def type_code(assignee_type: str | None) -> str | None:
    """The one-digit PatentsView assignee type; part-interest codes '1x' map to 'x'."""
    if not assignee_type:
        return None
    code = assignee_type.strip()
    if len(code) == 2 and code.startswith("1"):
        code = code[1]
    return code or None


def kind_from_ror_types(ror_types: Sequence[str]) -> OrgKind:
    """OrgKind of a ROR record from its types (education beats healthcare beats company...)."""
    present = set(ror_types)
    for ror_type, kind in _ROR_TYPE_KIND:
        if ror_type in present:
            return kind
    return OrgKind.OTHER


def classify_kind(
    name: str, assignee_type: str | None, ror_types: Sequence[str] = ()
) -> OrgKind:
    """Kind of an organisation: ROR types when known, else assignee type and name evidence.

    Universities are often filed as companies (type 2/3), so name words win over the type.
    """
    if ror_types:
        return kind_from_ror_types(ror_types)
    code = type_code(assignee_type)
    if code in ("4", "5"):
        return OrgKind.INDIVIDUAL
    text = fold(name)
    if _UNIVERSITY_RE.search(text):
        return OrgKind.UNIVERSITY
    if _HOSPITAL_RE.search(text):
        return OrgKind.HOSPITAL
    company_words = _COMPANY_RE.search(text) is not None
    if code in ("6", "7", "8", "9") or (_GOVERNMENT_RE.search(text) and not company_words):
        return OrgKind.GOVERNMENT
    if _NONPROFIT_RE.search(text) and not company_words:
        return OrgKind.NONPROFIT
    if code in ("2", "3") or company_words:
        return OrgKind.COMPANY
    return OrgKind.OTHER
