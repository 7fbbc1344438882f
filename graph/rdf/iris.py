"""IRI minting: every ttkg node id maps to one stable IRI, as a pure function of the id.

Identifiers users already know are reused: `https://ror.org/<id>` for organisations linked to
ROR, the EU Publications Office country authority (by ISO 3166-1 alpha-3) for countries, and
EPO Linked open EP data IRIs for CPC symbols. Everything else gets a `https://w3id.org/ttkg/id/`
IRI built from the ttkg id, so an IRI never changes between builds while the id does not.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Final
from urllib.parse import quote

import pycountry

from ttkg.graph.rdf.vocab import EPO_CPC, EU_COUNTRY, NS, ROR

__all__ = ["IriMinter", "cpc_iri", "segment"]

log = logging.getLogger(__name__)

_SAFE: Final = re.compile(r"[A-Za-z0-9._~:-]+")


def segment(text: str) -> str:
    """One IRI path segment: unreserved characters and ':' kept (so relation IRIs can embed
    ttkg ids such as `ror:03vek6s52` readably), everything else percent-encoded."""
    if _SAFE.fullmatch(text):
        return text
    return quote(text, safe="-._~:")


def cpc_iri(symbol: str) -> str:
    """EPO linked-data IRI of a CPC symbol: `H01L21/02` -> `.../def/cpc/H01L21-02`."""
    return EPO_CPC + symbol.replace(" ", "").replace("/", "-")


class IriMinter:
    """Maps node ids (`ror:...`, `org:...`, `patent:...`, `cpc:...`, ...) to IRIs.

    `alpha3` maps ISO alpha-2 codes to alpha-3 (from the Country node table); codes missing
    there are looked up in pycountry, and a code ISO does not know gets a ttkg IRI.
    """

    def __init__(self, alpha3: Mapping[str, str] | None = None) -> None:
        self._alpha3: dict[str, str] = dict(alpha3 or {})
        self._dispatch: dict[str, Callable[[str], str]] = {
            "patent": lambda rest: NS.PATENT + segment(rest),
            "ror": lambda rest: ROR + segment(rest),
            "org": lambda rest: NS.ORG + segment(rest),
            "cpc": cpc_iri,
            "country": self.country,
            "wipo": self._wipo,
            "openalex": lambda rest: NS.RESEARCH_FIELD + segment(rest),
            "work": lambda rest: "https://openalex.org/" + segment(rest),
            "group": lambda rest: NS.COUNTRY_GROUP + segment(rest),
        }
        #: The IRI of a node id; memoised for the most recent ids (edge tables repeat them).
        self.node: Callable[[str], str] = lru_cache(maxsize=1 << 16)(self._mint)

    def _mint(self, node_id: str) -> str:
        prefix, _, rest = node_id.partition(":")
        mint = self._dispatch.get(prefix)
        if mint is None:
            return NS.NODE + segment(node_id)
        return mint(rest)

    def country(self, alpha2: str) -> str:
        """EU country authority IRI of an ISO alpha-2 code."""
        code = alpha2.upper()
        a3 = self._alpha3.get(code)
        if a3 is None:
            found = pycountry.countries.get(alpha_2=code)
            a3 = found.alpha_3 if found is not None else ""
            self._alpha3[code] = a3
            if not a3:
                log.warning("country code %r is not in ISO 3166; minting a ttkg IRI", code)
        return EU_COUNTRY + a3 if a3 else NS.COUNTRY + segment(code)

    @staticmethod
    def _wipo(rest: str) -> str:
        level, _, number = rest.partition(":")
        if level == "field":
            return NS.WIPO_FIELD + segment(number)
        if level == "sector":
            return NS.WIPO_SECTOR + segment(number)
        return NS.NODE + segment("wipo:" + rest)

    @staticmethod
    def key(node_id: str) -> str:
        """A path segment standing for a node id inside minted relation IRIs
        (`ror:03vek6s52` -> `ror-03vek6s52`)."""
        return segment(node_id.replace(":", "-", 1))

    @staticmethod
    def source(key: str) -> str:
        """IRI of a data source (a key of the manifest's `sources` map)."""
        return NS.SOURCE + segment(key)
