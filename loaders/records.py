"""Typed records the loaders yield. Plain NamedTuples: cheap at millions of rows.

Loaders never decide identity (which organisation an assignee string is); that is
`graph.identity`'s job. Values are cleaned (stripped, empty -> None) but not interpreted.
"""

from __future__ import annotations

from typing import NamedTuple


class PatentRecord(NamedTuple):
    """One row of PatentsView `g_patent`."""

    patent_id: str
    patent_type: str | None
    date: str | None  # ISO yyyy-mm-dd
    title: str | None
    wipo_kind: str | None
    num_claims: int | None
    withdrawn: bool


class AssigneeRecord(NamedTuple):
    """One row of `g_assignee_not_disambiguated` (or `g_assignee_disambiguated`)."""

    patent_id: str
    sequence: int
    organization: str | None  # raw organisation string
    first_name: str | None  # individual assignee
    last_name: str | None
    assignee_type: (
        str | None
    )  # PatentsView code: 2 US company, 3 foreign company, 4/5 individual, 6-9 government
    assignee_id: str | None  # disambiguated id when the table carries one
    country: str | None  # raw country when the table carries a location (disambiguated table)
    rawlocation_id: str | None = None  # key into g_location_* (the assignee's own location)


class CpcRecord(NamedTuple):
    """One row of `g_cpc_current`."""

    patent_id: str
    sequence: int
    symbol: str  # full group symbol without spaces, e.g. H01L21/02
    cpc_type: str | None  # inventional | additional


class InventorRecord(NamedTuple):
    """One row of `g_inventor_not_disambiguated` (only what the graph uses)."""

    patent_id: str
    sequence: int
    rawlocation_id: str | None


class LocationRecord(NamedTuple):
    """One row of `g_location_not_disambiguated`; country already mapped to ISO alpha-2."""

    rawlocation_id: str
    city: str | None
    state: str | None
    country: str | None  # ISO 3166-1 alpha-2, or None when the raw code is unknown


class RorRelationship(NamedTuple):
    """A ROR relationship: type is parent, child, related, successor or predecessor."""

    type: str
    ror_id: str
    label: str | None


class RorRecord(NamedTuple):
    """One organisation of the ROR v2 dump."""

    ror_id: str  # https://ror.org/xxxxxxxxx
    name: str  # ror_display name
    labels: tuple[str, ...]  # other labels (all languages)
    aliases: tuple[str, ...]
    acronyms: tuple[str, ...]
    types: tuple[str, ...]  # education, company, government, healthcare, nonprofit, ...
    country: str | None  # alpha-2 of the first location
    status: str  # active | inactive | withdrawn
    established: int | None
    relationships: tuple[RorRelationship, ...]
    domains: tuple[str, ...]


class CpcTitleRecord(NamedTuple):
    """One symbol of the CPC Title List."""

    symbol: str  # without spaces
    level: str  # section | class | subclass | main_group | group
    dots: int | None  # dot level of groups (0 = main group), None above
    title: str


class WipoFieldPattern(NamedTuple):
    """One row of the WIPO IPC->technology concordance."""

    field_number: int
    field_name: str
    sector_name: str
    pattern: str  # SQL LIKE pattern as published, e.g. 'H01L%' or 'H04N   3/%'


class CountryRecord(NamedTuple):
    """One ISO 3166-1 country."""

    alpha2: str
    alpha3: str
    name: str


class WorkInstitution(NamedTuple):
    """An institution of an OpenAlex authorship, as OpenAlex disambiguated it."""

    openalex_id: str  # I123 (short form)
    name: str | None
    ror_id: str | None  # https://ror.org/xxxxxxxxx, or None
    country: str | None  # ISO alpha-2 as OpenAlex gives it
    type: str | None  # education, company, healthcare, ... (ROR-like types)


class WorkAuthorship(NamedTuple):
    """One author slot of a work: its institutions and the raw affiliation strings."""

    position: int  # 0-based order in the work's authorships
    institutions: tuple[WorkInstitution, ...]
    raw_affiliations: tuple[str, ...]
    countries: tuple[str, ...]


class WorkTopic(NamedTuple):
    """A topic OpenAlex assigned to a work (its subfield, field and domain follow from the
    topic table)."""

    topic: int  # OpenAlex topic number, e.g. 10978 for T10978
    score: float | None
    primary: bool


class WorkRecord(NamedTuple):
    """One OpenAlex Work, reduced to what the graph uses."""

    openalex_id: str  # W123 (short form)
    doi: str | None  # lower-case DOI without resolver prefix, e.g. 10.1001/jama.1902.0248
    title: str | None
    year: int | None
    type: str | None
    topics: tuple[WorkTopic, ...]
    authorships: tuple[WorkAuthorship, ...]


class ResearchTopicRecord(NamedTuple):
    """One row of the OpenAlex topic table: a topic with its subfield, field and domain."""

    topic: int
    name: str
    subfield: int
    subfield_name: str
    field: int
    field_name: str
    domain: int
    domain_name: str
