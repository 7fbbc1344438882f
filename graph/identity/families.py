"""The family level: the group an organisation belongs to, with a score and a reason.

An organisation's family is found by the first rule that applies:

1. a US federal department or agency ('The United States of America as represented by the
   Secretary of X') belongs to the US government: one family of all of them;
   and a body whose name says another national government holds it ('Republic of Korea
   (Management: Rural Development Administration)', 'Her Majesty the Queen in Right of Canada,
   as represented by ...', '..., Council of Agriculture, Executive Yuan', 'Japan as
   represented by ...', "... in Her Britannic Majesty's Government") belongs to that
   government (`_STATE_HOLDERS`): its ROR record, else the body holding the most rows;
2. a ROR-linked organisation belongs to the top of its ROR parent chain (a campus to its
   university system, a subsidiary to its parent company, an institute to its agency); a top
   that is a national ministry ROR lists under no government ('Ministry of Environment' of
   Korea) is in its country's government (`_STATE_HOLDERS`);
2b. an organisation named as a ROR record names a child the ROR data lacks (State Grid's China
   Electric Power Research Institute), in that record's country, is in that record's family;
   not a business group's record ('Mitsubishi Group') (`_ror_children`);
3. a technology-transfer office, foundation or board that acts for a university
   (ACTS_FOR) belongs to that university's family;
4. a company whose normalised name extends another company's whole name by more words
   (Samsung Electronics America -> Samsung Electronics; Hitachi Cable -> Hitachi) belongs
   to that company's family, when the shorter name is distinctive: not only ordinary words
   of organisation names, and a single word (of at least `MIN_BRAND` letters) only when ROR
   records that company as a parent of others;
   or when the word is a brand (`_brands`), and never through 'and' (Rohm and Haas is no
   Rohm company); a single word that is no ordinary one also when only a country or a
   Chinese province (or 'USA', 'Europe') follows it, and ROR does not link the longer name
   (`_regional`: Synopsys Taiwan, Nuctech Jiangsu; not Yahoo Japan, which ROR holds as its
   own company); a coined single word (no word of a ROR name, rare among company names) when
   its one-word company holds `COINED_LEAD` times the rows of any other company named with it
   and the longer name stands in its country (`_coined_words`: Wistron NeWeb, Denso Wave); a
   name closing with its legal form and own country founds the words before them ('State
   Grid Corporation of China': `_before_form_of_country`); a company whose name extends a ROR
   company record's name (two words or more) is in that record's family when the record
   stands in its country or heads a group in ROR (`_ror_company_extension`: Avago's
   companies under Broadcom (United States), whose alias is 'Avago Technologies');
   but a name that also carries another such brand is a joint venture of two groups and
   its own family (Samsung Corning, LG Philips); companies bearing one name under legal
   forms that split a parent from its subsidiary of another country (`groups`: Rolls-Royce
   plc and Rolls-Royce Corporation, Siemens AG and Siemens Corporation) are one family,
   headed by the one with the most rows, which also heads the names extending theirs;
5. a company whose name starts with a brand (`_brands`) belongs to the brand's head: the
   one-word company of that name (Siemens AG for Siemens Corporation and Siemens Healthcare),
   or, when no company is named by the word alone, the ROR company record of that name that
   ROR lists as a parent of others (LG (South Korea) for LG Display and LG Innotek);
6. an institution (not a company) whose name is a unit ('Institute', 'Hospital', 'Center',
   'School', 'Laboratory', ...) followed by the whole name of a larger institution that an
   organisation or a ROR record bears ('Institute of Semiconductors, Chinese Academy of
   Sciences'; "Children's Hospital of Fudan University"; 'Alfred E. Mann Institute ... at the
   University of Southern California') belongs to that institution's family: a parent body
   named after the unit (`_parent_bodies`); and an institution whose name extends another
   institution's whole name that carries a rare word, or a ROR-linked institution's name by a
   unit word, belongs to its family ('Providence Health System-Oregon', 'University of
   Houston-Clear Lake', 'Shanghai Jiaotong University School of Medicine';
   `_institution_extensions`);
   units of one parent body no organisation and no ROR record names are one family
   (`_sibling_units`);
7. a company that co-owns most of its patents with one larger company (`CO_OWNED_SHARE` of
   its patents, at least `CO_OWNED_MIN`) belongs to that company's family (Hong Fu Jin
   Precision and Foxconn companies with Hon Hai): evidence from the patents, not the names;
   but co-owning is also what partners do (a drug developed together: Epizyme with Eisai; a
   supplier with its customer: Sunarrow with Honda), so the two names must share a rare word
   (`RARE_WORD`: BOE, Sinopec, Lite-On), or the company co-owns at least `CO_OWNED_SUSTAINED`
   patents and both stand on the same side of the assignee-type flag (a US company and a
   foreign one co-owning are partners across a border, not a parent and its subsidiary), or
   the larger company co-owns so with `CO_OWNED_HUB` companies of its group already (a group
   that files together habitually: Hon Hai) and the two stand on the same side of the flag;
7b. a rare word that leads (or closes) the names of several members of one company's family
   and few of other families' is that group's word ('Sinopec', 'Hisense', 'Lite'-On): an
   organisation without a family whose name leads (closes) with it, carries every word those
   members share, stands in the head's country and names no other group or ROR company
   joins the family (`_group_word_families`: Sinopec's institutes, Hisense Electric);
8. companies whose names start with the same three words that no company bears alone (one
   of them a proper word, none a legal form's) are one family: the one a sibling is in
   already, else headed by the sibling with the most rows (`_sibling_companies`: China Star's
   two companies, Johnson & Johnson's operating companies);
9. otherwise the organisation is its own family;
10. then, when the patents' inventors are given, a family whose head shares at least three
   rare inventor names with a company of a larger family (on patents the other does not
   hold), the two names carrying one rare word that leads one of them, in one country and on
   one side of the type flag, goes under that family's head (`inventor_links`: Olympus
   Optical and Olympus Corporation, Mitsubishi Kasei and Mitsubishi Chemical, Hynix and SK
   hynix).

A brand is a word, not an ordinary one, that starts the names of at least `BRAND_COMPANIES`
companies with at least `BRAND_PATENTS` patent rows between them and is rare inside other
company names (at most `BRAND_INSIDE` of those rows: 'Urban Intel', 'NEC Toshiba Space
Systems'), with a head: a one-word company holding the most rows of them (Fuji Photo Film and
Fuji Xerox are no members of a small 'Fuji Co.'; Mitsubishi Pencil is no member of a small
'Mitsubishi'), or else the ROR group record of that name (no Mitsubishi: ROR's 'Mitsubishi
Group' lists no companies). It has at least `BRAND_LETTERS` letters, or two or three when it
is written in capitals (`BRAND_COUNTRY` of the rows) and its companies agree on a country
(`BRAND_COUNTRY` of their rows with a known country): LG, SK, TDK, but no 'ST' shared by
St. Jude (US) and STMicroelectronics.

The family id is a graph node id: the family's head organisation (a ROR record or a cluster);
a head is never a member of another family (memberships are followed up to the head).

ROR records no assignee string reached (a university's campuses, when the system's board holds
every patent) get their family from rule 2 too (`record_families`), so that a campus asked for
at the family level stands in its system's family.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Final

import numpy as np
import numpy.typing as npt

from ttkg.core.arrays import distinct
from ttkg.core.model import OrgKind, org_id
from ttkg.graph.identity.countries import (
    country_code,
    is_place,
    same_country,
    strip_country_suffix,
)
from ttkg.graph.identity.entities import AssigneeName, Membership, OrgCluster, Resolution
from ttkg.graph.identity.groups import has_company_form
from ttkg.graph.identity.inventor_links import InventorLinks, join_by_inventors
from ttkg.graph.identity.normalise import LEGAL_FORMS, normalise
from ttkg.graph.identity.org_country import type_flag
from ttkg.graph.identity.patterns import clean_name
from ttkg.graph.identity.ror_index import RorIndex

__all__ = ["MIN_BRAND", "Membership", "co_ownership", "co_ownership_of_rows", "families",
           "record_families"]

#: A one-word family name needs at least this many letters ('Sony' is too short to be sure),
#: unless it is a brand (`_brands`).
MIN_BRAND: Final = 5
BRAND_LETTERS: Final = 4
BRAND_PATENTS: Final = 20
BRAND_COMPANIES: Final = 3
BRAND_INSIDE: Final = 0.1
CO_OWNED_SHARE: Final = 0.8
CO_OWNED_MIN: Final = 5
#: Fewer co-owned patents suffice when both names start with one rare word, the group's coined
#: name (Littelfuse Electronics (Shanghai): 3 patents, all with Littelfuse, Inc.).
CO_OWNED_NAMED: Final = 2
#: Without a shared rare word, a subsidiary shows itself by co-owning at least this many patents
#: with its parent: one joint programme of partners yields a handful (Epizyme and Eisai 6,
#: Sunarrow and Honda 5, Fujikin and Tokyo Electron 4).
CO_OWNED_SUSTAINED: Final = 10
#: A word names a group when at most this share of the company names carry it ('BOE' in 29
#: of 11,172, 'Sinopec' in 9; not 'Beijing' in 196 or 'Shenzhen' in 231).
RARE_WORD: Final = 0.005
#: A company shown (by a shared rare word or sustained co-owning) to co-own with at least this
#: many companies of its group files with its group habitually: a smaller co-owner on the same
#: side of the type flag is one of them too (Premier Image, Hongfei with Hon Hai).
CO_OWNED_HUB: Final = 2
BRAND_COUNTRY: Final = 2 / 3
#: A coined one-word company name founds a family when that company holds at least this many
#: times the rows of the largest other company whose name starts with the word (`_coined_words`).
COINED_LEAD: Final = 2
#: A rare word names a group when at least this many members of its family carry it, and at
#: least `GROUP_WORD_SHARE` times as many as of all other families (rule 7b: 'Sinopec' in 4
#: members of China Petroleum & Chemical's family, in 1 of Luoyang Petrochemical's and of
#: RIPP's, themselves Sinopec's units).
GROUP_WORD_MEMBERS: Final = 2
GROUP_WORD_SHARE: Final = 2
_GROUP_WORD_KINDS: Final = frozenset({OrgKind.COMPANY, OrgKind.OTHER, OrgKind.NONPROFIT})
#: Words of bodies that are their own legal persons beside a company of their name.
_OWN_PERSONS: Final = frozenset({"foundation", "school", "university", "college", "hospital",
                                 "association", "society"})
_MAX_DEPTH: Final = 12
_FIRST_WORD: Final = re.compile(r"[^\W\d_]+")
_US_GOVERNMENT_PREFIX: Final = "gov-united-states-"
_US_GOVERNMENT_NAME: Final = "Government of the United States of America"
#: Words by which a name says that a national government holds it, with that government's
#: ROR name and country. The state is the legal person (Korean, Canadian, Japanese and British
#: state-held patents; a council 'of the Executive Yuan' is a body of Taiwan's cabinet).
_STATE_HOLDERS: Final = (
    (re.compile(r"^(?:the )?(?:government of (?:the )?)?republic of korea\b(?! \w+ university)"),
     "Government of the Republic of Korea", "KR"),
    (re.compile(r"^(?:her majesty the queen|his majesty the king) in (?:the )?right of canada\b"),
     "Government of Canada", "CA"),
    (re.compile(r"\bexecutive yuan\b"), "Government of the Republic of China", "TW"),
    (re.compile(r"^japan (?:as )?represented by\b"), "Government of Japan", "JP"),
    (re.compile(r"\bher britannic majestys government\b"),
     "Government of the United Kingdom", "GB"),
)
_MINISTRY: Final = re.compile(r"^(?:the )?ministry of ")
#: One-word names too ordinary to found a family on ('General Electric' and 'General Motors').
_ORDINARY: Final = frozenset({
    "general", "national", "international", "american", "united", "global", "universal",
    "advanced", "applied", "digital", "central", "eastern", "western", "northern",
    "southern", "pacific", "atlantic", "standard", "royal", "first", "new", "modern",
    "medical", "chemical", "electric", "electronic", "electronics", "energy", "power",
    "systems", "technologies", "technology", "industries", "industrial", "research",
    "science", "sciences", "solutions", "products", "services", "materials", "precision",
    "micro", "nano", "bio", "health", "life", "data", "network", "networks",
    "semiconductor", "semiconductors", "display", "media", "institute", "university",
    "college", "school",
    "foundation", "hospital", "center", "centre", "laboratory", "laboratories",
})


def _under_root(index: RorIndex, ror_id: str, score: float, reason: str,
                joint: str = " ") -> Membership:
    """Membership in the family of a ROR record's root (the top of its parent chain), the
    chain said after the reason when the record has a parent."""
    root, chain = _root(index, ror_id)
    told = f"{joint}whose ROR parent chain is " + " -> ".join(chain) if len(chain) > 1 else ""
    return Membership(org_id("", root), score, reason + told)


def _root(index: RorIndex, ror_id: str) -> tuple[str, list[str]]:
    """The top of a record's ROR parent chain and the chain's names."""
    chain = [ror_id]
    current = ror_id
    for _ in range(_MAX_DEPTH):
        rec = index.records.get(current)
        if rec is None:
            break
        parents = sorted(index.canonical(r.ror_id) or r.ror_id
                         for r in rec.relationships if r.type == "parent")
        parents = [p for p in parents if p in index.records and p not in chain]
        if not parents:
            break
        current = parents[0]
        chain.append(current)
    return current, [index.name(r) for r in chain]


def _node(c: OrgCluster) -> str:
    return org_id(c.key, c.ror_id)


def families(resolution: Resolution, index: RorIndex,
             counts: Mapping[str, int] | None = None,
             names: Iterable[AssigneeName] = (),
             co_owned: Mapping[str, Mapping[str, int]] | None = None,
             inventors: InventorLinks | None = None) -> dict[str, Membership]:
    """Cluster key -> family of every organisation cluster (individuals are left out).

    `counts` (cluster key -> patent rows) picks the head of a name family or of the US
    government; without it the number of name variants stands in. `names` (the resolved
    assignee names with their country evidence) tell, beside the ROR-linked ones, whether a
    short brand's companies agree on a country. `co_owned` (`co_ownership`: cluster key ->
    co-owner's cluster key -> patents) gives rule 7 its evidence; without it rule 7 is off.
    `inventors` (`inventor_links.inventor_links`) joins the families of companies whose
    patents share rare inventors and whose names lead with one rare word (rule 10); without
    it rule 10 is off."""
    clusters = {k: c for k, c in resolution.clusters.items() if c.kind is not OrgKind.INDIVIDUAL}

    def weight(key: str) -> tuple[int, str]:
        c = clusters[key]
        return ((counts or {}).get(key, len(c.names)), key)

    out: dict[str, Membership] = {}
    us_gov = [k for k in clusters if k.startswith(_US_GOVERNMENT_PREFIX)]
    if us_gov:
        records = [h.ror_id for h in index.hits(normalise(_US_GOVERNMENT_NAME))]
        head = max(us_gov, key=weight)
        head_id = org_id("", records[0]) if len(records) == 1 else _node(clusters[head])
        head_name = index.name(records[0]) if len(records) == 1 else clusters[head].display_name
        for k in us_gov:
            out[k] = Membership(head_id, 0.95 if _node(clusters[k]) != head_id else 1.0,
                                f"a US federal department or agency: the US government "
                                f"({head_name!r})")
    for k, c in clusters.items():
        if k in out:
            continue
        if c.ror_id:
            root, chain = _root(index, c.ror_id)
            if root != c.ror_id:
                out[k] = Membership(org_id("", root), 0.95,
                                    "ROR parent chain: " + " -> ".join(chain))
        elif c.acts_for:
            af = c.acts_for[0]
            out[k] = _under_root(index, af.ror_id, round(0.98 * af.score, 3),
                                 f"acts for {index.name(af.ror_id)!r} ({af.reason})")
    _state_bodies(clusters, out, index, weight)
    country = _countries(resolution, index, names)
    _ror_children(clusters, out, index, country)
    _name_families(clusters, out, index, country)
    _parent_bodies(clusters, out, index)
    _institution_extensions(clusters, out, index)
    _sibling_units(clusters, out)
    flags = _type_flags(resolution, names)
    _co_owned_families(clusters, out, co_owned or {}, flags)
    _group_word_families(clusters, out, country, index)
    _sibling_companies(clusters, out)
    for k, c in clusters.items():
        out.setdefault(k, Membership(_node(c), 1.0, "its own family"))
    resolved = _to_heads(clusters, out)
    if inventors is None:
        return resolved
    return join_by_inventors(clusters, resolved, inventors, country, flags,
                             lambda word: _ror_company(word, index), _GENERIC_PARENT)


def _state_bodies(clusters: Mapping[str, OrgCluster], out: dict[str, Membership],
                  index: RorIndex, weight: Callable[[str], tuple[int, str]]) -> None:
    """Rule 1 for other states: a non-company body whose name says a national government
    holds it, and a ROR chain that ends at a national ministry, join that government."""
    bodies: dict[str, list[str]] = defaultdict(list)
    for k, c in clusters.items():
        if c.kind is OrgKind.COMPANY or c.acts_for:
            continue
        if k in out or c.ror_id:  # ROR decides; its top may be a ministry of no government
            if k in out and not out[k].reason.startswith("ROR parent chain"):
                continue
            top = out[k].family_id.removeprefix("ror:") if k in out else None
            rec = index.records.get(f"https://ror.org/{top}" if top else c.ror_id or "")
            if rec is not None and _MINISTRY.match(normalise(rec.name)):
                gov = next((g for _, g, country in _STATE_HOLDERS if country == rec.country
                            and len(index.hits(normalise(g))) == 1), None)
                if gov is not None:
                    bodies[gov].append(k)
                continue
            if rec is not None and "government" in rec.types:
                # a chain ending at another government body ('Atomic Energy Council', in no
                # government's chain): two or more names saying which national government
                # of that country holds it decide (INER's '..., Executive Yuan')
                named: Counter[str] = Counter(
                    g for n in c.names for regex, g, country in _STATE_HOLDERS
                    if g is not None and country == rec.country and regex.search(normalise(n)))
                if named and named.most_common(1)[0][1] >= 2:
                    bodies[named.most_common(1)[0][0]].append(k)
                continue
        said = Counter(next((g for regex, g, _ in _STATE_HOLDERS if regex.search(normalise(n))),
                            None) for n in c.names)
        gov, variants = max(said.items(), key=lambda gv: (gv[0] is not None, gv[1]))
        # most variants say so, not a stray one; or
        # two of a unit's names with and without its parents after them ('..., Council of
        # Labor Affairs' and '..., Council of Labor Affairs, Executive Yuan': one body)
        if gov is not None and (2 * variants > len(c.names) or variants >= 2):
            bodies[gov].append(k)
    for gov, keys in sorted(bodies.items()):
        records = [h.ror_id for h in index.hits(normalise(gov))]
        if len(records) == 1:
            head_id, head_name = org_id("", records[0]), repr(index.name(records[0]))
        else:
            head = max((k for k in keys if k not in out), key=weight, default=None)
            if head is None:
                continue
            head_id = _node(clusters[head])
            head_name = (f"{gov}, no ROR record: its body with the most rows, "
                         f"{clusters[head].display_name!r}, heads the family")
        for k in keys:
            if _node(clusters[k]) == head_id:
                continue
            via = f" (ROR: {out[k].reason.removeprefix('ROR parent chain: ')})" if k in out else ""
            out[k] = Membership(head_id, 0.9,
                                f"a body of a national government ({head_name}){via}")


def _ror_children(clusters: Mapping[str, OrgCluster], out: dict[str, Membership],
                  index: RorIndex, country: Mapping[str, str]) -> None:
    """Rule 2b: an organisation that no ROR record is linked to, named as ROR names a child of
    one record whose own record the ROR data at hand lacks (the sample holds State Grid's
    record, which lists 'China Electric Power Research Institute' as its child, but not the
    institute's), in that record's country, is in that record's family. A business group's
    record ('Mitsubishi Group', 'Hyundai Motor Group') names members of a keiretsu or chaebol,
    not subsidiaries of one parent: not followed."""
    named: dict[str, set[str]] = defaultdict(set)
    for rec in index.records.values():
        if normalise(strip_country_suffix(rec.name)).endswith(" group"):
            continue  # a business group is no legal parent ('Mitsubishi Group': the keiretsu)
        for r in rec.relationships:
            if r.type == "child" and r.label and r.ror_id not in index.records:
                named[normalise(strip_country_suffix(r.label))].add(
                    index.canonical(rec.ror_id) or rec.ror_id)
    if not named:
        return
    for k, c in clusters.items():
        if k in out or c.ror_id:
            continue
        parents = set().union(*(named.get(normalise(clean_name(n)), set()) for n in c.names))
        if len(parents) != 1:
            continue
        parent = parents.pop()
        if country.get(k) is None or not same_country(country.get(k), index.country(parent)):
            continue
        out[k] = _under_root(index, parent, 0.9, f"ROR names it a child of {index.name(parent)!r}")


def record_families(index: RorIndex, ror_ids: Iterable[str],
                    membership: Mapping[str, Membership],
                    resolution: Resolution) -> dict[str, Membership]:
    """Graph node id -> family of each ROR record in `ror_ids` that no organisation cluster
    holds (a record without patents): the top of its ROR parent chain (rule 2), or the family
    that top belongs to when it is a member itself (`membership`, as `families` gave it).
    Records at the top of their chain are their own family and left out."""
    held: dict[str, Membership] = {}
    for k, m in membership.items():
        node = _node(resolution.clusters[k])
        if node not in held or m.score > held[node].score:
            held[node] = m
    out: dict[str, Membership] = {}
    for ror_id in sorted(set(ror_ids)):
        node = org_id("", ror_id)
        if node in held or ror_id not in index.records:
            continue
        root, chain = _root(index, ror_id)
        if root == ror_id:
            continue
        m = Membership(org_id("", root), 0.95, "ROR parent chain: " + " -> ".join(chain))
        up = held.get(m.family_id)
        if up is not None and up.family_id != m.family_id:
            m = Membership(up.family_id, round(m.score * up.score, 3),
                           f"{m.reason}; whose family is {up.family_id} ({up.reason})")
        out[node] = m
    return out


def _to_heads(clusters: Mapping[str, OrgCluster],
              out: dict[str, Membership]) -> dict[str, Membership]:
    """Point every membership at the head of its family: a family found for an organisation
    that is itself a member of another (a ROR root whose name extends a company's) is that
    other family. Of several clusters on one node, the surest membership speaks for it."""
    of_node: dict[str, Membership] = {}
    for k, m in out.items():
        node = _node(clusters[k])
        if node not in of_node or m.score > of_node[node].score:
            of_node[node] = m
    resolved: dict[str, Membership] = {}
    for k, m in out.items():
        seen = {_node(clusters[k])}
        while m.family_id not in seen:
            seen.add(m.family_id)
            up = of_node.get(m.family_id)
            if up is None or up.family_id in seen:
                break
            m = Membership(up.family_id, round(m.score * up.score, 3),
                           f"{m.reason}; whose family is {up.family_id} ({up.reason})")
        resolved[k] = m
    return resolved


def _distinctive(prefix: tuple[str, ...], head: OrgCluster, index: RorIndex,
                 brands: frozenset[str] = frozenset()) -> bool:
    """A name a family can be founded on: some word of it is not an ordinary word; one word
    only when ROR records the company as a parent (Samsung, Hitachi; not Mitsubishi Pencil
    under Mitsubishi Corporation), or when it is a dominant brand (`_brands`). A name of
    ordinary words only ('Western Digital') is one when ROR links the company."""
    if all(w in _ORDINARY or len(w) < 3 for w in prefix):
        return len(prefix) > 1 and head.ror_id is not None
    if len(prefix) > 1 or prefix[0] in brands:
        return True
    if len(prefix[0]) < MIN_BRAND or head.ror_id is None or head.ror_id not in index.records:
        return False
    return any(r.type == "child" for r in index.records[head.ror_id].relationships)


def _countries(resolution: Resolution, index: RorIndex,
               names: Iterable[AssigneeName]) -> dict[str, str]:
    """Cluster key -> country evidence: the ROR record's country, else the country of most of
    its names' patent rows (the assignee's own location, else its inventors')."""
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    for n in names:
        key = resolution.cluster_of.get(n.name)
        where = n.location or n.country
        if key is not None and where:
            votes[key][where] += n.count
    out: dict[str, str] = {}
    for key, c in resolution.clusters.items():
        ror_country = index.country(c.ror_id) if c.ror_id else None
        if ror_country:
            out[key] = ror_country
        elif votes.get(key):
            out[key] = min(votes[key].items(), key=lambda kv: (-kv[1], kv[0]))[0]
    return out


def _capitals(word: str, names: Iterable[tuple[str, int]]) -> bool:
    """Whether most patent rows of the names start with the word in capitals ('LG Display')."""
    caps = total = 0
    for name, rows in names:
        total += rows
        m = _FIRST_WORD.match(name)
        if m and m.group(0).casefold() == word and m.group(0).isupper():
            caps += rows
    return caps >= BRAND_COUNTRY * total > 0


def _brands(clusters: Mapping[str, OrgCluster], words: Mapping[str, tuple[str, ...]],
            index: RorIndex, country: Mapping[str, str],
            ) -> tuple[dict[str, str | None], frozenset[str]]:
    """Brand word -> its one-word company's cluster key, or None when the head is the ROR
    group record of that name (see the module docstring for what makes a brand); and the
    group words: the words that pass a brand's tests of length, companies, rows and rarity
    elsewhere, with or without a head (Mitsubishi, Matsushita)."""
    starting: dict[str, list[str]] = defaultdict(list)
    one_word: dict[str, list[str]] = defaultdict(list)
    inside: Counter[str] = Counter()
    for k, w in words.items():
        if len(w) > 1 and w[1] != "and":
            starting[w[0]].append(k)
        elif len(w) == 1:
            one_word[w[0]].append(k)
        for x in set(w[1:]):
            inside[x] += clusters[k].count
    out: dict[str, str | None] = {}
    group_words: set[str] = set()
    for word, members in starting.items():
        heads = one_word.get(word, [])
        group = members + heads
        rows = sum(clusters[k].count for k in group)
        if (word in _ORDINARY or not word.isalpha() or len(members) < BRAND_COMPANIES
                or rows < BRAND_PATENTS or inside[word] > BRAND_INSIDE * rows):
            continue
        if len(word) >= BRAND_LETTERS:
            group_words.add(word)
        elif not (
                len(word) >= 2
                and _capitals(word, ((clusters[k].display_name, clusters[k].count)
                                     for k in group))
                and _one_country(group, clusters, country)):
            continue
        head = max(heads, key=lambda k: (clusters[k].count, k)) if heads else None
        if head is not None and clusters[head].count >= max(clusters[k].count for k in members):
            out[word] = head
        elif _ror_group(word, index) is not None:
            out[word] = None
    return out, frozenset(group_words)


def _one_country(group: Iterable[str], clusters: Mapping[str, OrgCluster],
                 country: Mapping[str, str]) -> bool:
    """Whether `BRAND_COUNTRY` of the group's patent rows with a known country are of one."""
    by_country: Counter[str] = Counter()
    for k in group:
        if k in country:
            by_country[country[k]] += clusters[k].count
    known = sum(by_country.values())
    return bool(known) and by_country.most_common(1)[0][1] >= BRAND_COUNTRY * known


def _ror_company(word: str, index: RorIndex) -> bool:
    """Whether a word alone (not an ordinary one) names a ROR company record ('Philips' in
    'LG Philips': a joint venture with another group)."""
    return (len(word) >= 3 and word not in _ORDINARY
            and any("company" in index.types(h.ror_id) for h in index.hits(word)))


def _ror_group(word: str, index: RorIndex) -> str | None:
    """The one ROR company record named `word` alone that is the top of a ROR group: it
    lists children and no parent (LG (South Korea); not Mitsubishi Group, which lists none)."""
    tops = [h.ror_id for h in index.hits(word)
            if "company" in index.types(h.ror_id)
            and any(r.type == "child" for r in index.records[h.ror_id].relationships)
            and not any(r.type == "parent" for r in index.records[h.ror_id].relationships)]
    return tops[0] if len(tops) == 1 else None


def _name_families(clusters: dict[str, OrgCluster], out: dict[str, Membership],
                   index: RorIndex, country: Mapping[str, str]) -> None:
    """Rules 4 and 5: a company whose name extends a distinctive company name, or starts with
    a brand, joins its family."""
    words = {k: tuple(normalise(clean_name(c.display_name)).split())
             for k, c in clusters.items() if c.kind is OrgKind.COMPANY}
    by_words: dict[tuple[str, ...], list[str]] = {}
    for k, w in words.items():
        if w:
            by_words.setdefault(w, []).append(k)
    brand_heads, group_words = _brands(clusters, words, index, country)
    brands = frozenset(brand_heads)
    # one name borne by several companies: the legal forms split a parent from its subsidiary
    # of another country (Rolls-Royce plc / Rolls-Royce Corporation, `groups`); the one with
    # the most rows heads them and any company extending the name
    same_name = {w: max(ks, key=lambda key: (clusters[key].count, key))
                 for w, ks in by_words.items() if len(ks) > 1}
    for k, w in words.items():  # 'State Grid Corporation of China' founds 'State Grid'
        name = _before_form_of_country(w, country.get(k))
        if name is not None and name not in by_words:
            by_words[name] = [k]
    for k, w in words.items():  # 'Oscar Mayer & Co.' founds 'Oscar Mayer' (two words or more)
        if len(w) >= 4 and w[-2:] == ("and", "co") and w[:-2] not in by_words:
            by_words[w[:-2]] = [k]
    for name, k in _group_company_heads(words, by_words).items():
        by_words[name] = [k]  # 'Marvell International' stands for a 'Marvell' none bears
    coined = _coined_words(clusters, words, index, by_words)
    for k in sorted(words, key=lambda key: len(words[key])):
        if k in out:
            continue
        w = words[k]
        if w and w[0] in brand_heads and (len(w) == 1 or w[1] != "and") \
                and brand_heads[w[0]] != k:
            _brand_member(k, w, brand_heads[w[0]], clusters, out, index, by_words, brands,
                          group_words)
            continue
        if same_name.get(w, k) != k:
            head = same_name[w]
            fam = out.get(head)
            out[k] = Membership(fam.family_id if fam else _node(clusters[head]), 0.9,
                                f"the name of the company {clusters[head].display_name!r} "
                                "under another legal form (a parent and its subsidiary of "
                                "another country)")
            continue
        for n in range(len(w) - 1, 0, -1):
            prefix = w[:n]
            if w[n] == "and":  # 'Rohm and Haas' is no 'Rohm' company
                continue
            heads = [h for h in by_words.get(prefix, ()) if h != k]
            if len(heads) > 1 and prefix in same_name:
                heads = [same_name[prefix]]
            if len(heads) != 1 or not (
                    _distinctive(prefix, clusters[heads[0]], index, brands)
                    or _regional(prefix, w[n:], clusters[k], clusters[heads[0]])
                    or (prefix[0] in coined and len(prefix) == 1 and country.get(k) is not None
                        and same_country(country.get(k), country.get(heads[0]))
                        and clusters[heads[0]].count >= COINED_LEAD * coined[prefix[0]])):
                continue
            partner = next((w[i:i + 1] for i in range(n, len(w))
                            if len(by_words.get(w[i:i + 1], ())) == 1
                            and _distinctive(w[i:i + 1], clusters[by_words[w[i:i + 1]][0]],
                                             index, brands)), None)
            if partner:  # 'Samsung Corning', 'LG Philips': a joint venture of two groups
                out[k] = Membership(_node(clusters[k]), 0.8,
                                    f"its own family: a joint venture of {prefix[0]!r} and "
                                    f"{partner[0]!r}")
                break
            head = heads[0]
            fam = out.get(head)
            family_id = fam.family_id if fam else _node(clusters[head])
            out[k] = Membership(family_id, 0.9,
                                f"name extends the company {clusters[head].display_name!r}"
                                " (a subsidiary, division or country company)")
            break
        else:
            _ror_company_extension(k, w, clusters, out, index, country.get(k))


def _group_company_heads(words: Mapping[str, tuple[str, ...]],
                         by_words: Mapping[tuple[str, ...], list[str]],
                         ) -> dict[tuple[str, ...], str]:
    """A word no company bears alone, borne with one group company's word ('International',
    'Holdings', 'Group', 'Global') by exactly one company: that company stands for the word's
    one-word company (Marvell International Ltd. for 'Marvell', beside Marvell World Trade
    and Marvell Asia)."""
    found: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for k, w in words.items():
        if len(w) == 2 and w[1:] in _GROUP_COMPANIES and w[:1] not in by_words:
            found[w[:1]].append(k)
    return {name: ks[0] for name, ks in found.items() if len(ks) == 1}


def _coined_words(clusters: Mapping[str, OrgCluster], words: Mapping[str, tuple[str, ...]],
                  index: RorIndex, by_words: Mapping[tuple[str, ...], list[str]],
                  ) -> dict[str, int]:
    """One-word company names that are coined words, with the most patent rows of another
    company whose name starts with the word: at least `MIN_BRAND` letters, no ordinary word, no word
    of any ROR name (ROR's names hold the language's words: 'Best', 'Apple'), and rare among
    company names (`RARE_WORD`): 'Osram', 'SanDisk', 'Kyocera'. A company whose name starts
    with one, in the same country, is its family when the one-word company holds
    `COINED_LEAD` times the rows of each of them (`_name_families`: not 'Nissei', whose
    Plastic Industrial and ASB Machine are other firms with more patents; not 'Futaba',
    whose Futaba Industrial is another firm nearly as large)."""
    frequency: Counter[str] = Counter()
    largest: Counter[str] = Counter()
    heads = {ks[0] for name, ks in by_words.items() if len(name) == 1 and len(ks) == 1}
    for k, w in words.items():
        frequency.update(set(w))
        if len(w) > 1 and k not in heads:
            largest[w[0]] = max(largest[w[0]], clusters[k].count)
    limit = max(2, RARE_WORD * len(words))
    return {name[0]: largest[name[0]] for name, ks in by_words.items()
            if len(name) == 1 and len(name[0]) >= MIN_BRAND
            and name[0].isalpha() and name[0] not in _ORDINARY
            and name[0] not in index.vocabulary and frequency[name[0]] <= limit}


#: Legal forms a company's name may carry before its country ('State Grid Corporation of
#: China', 'Commercial Aircraft Corporation of China').
_FORMS_OF_COUNTRY: Final = frozenset({"corporation", "corp", "company"})


#: Words that name no group ('Research Development Corporation of Japan', a public body).
_BUSINESS_WORDS: Final = _ORDINARY | frozenset({
    "development", "management", "engineering", "trading", "investment", "holding", "holdings",
    "manufacturing", "industry", "commercial", "state", "public", "corporation", "company",
})


def _before_form_of_country(w: tuple[str, ...], own: str | None) -> tuple[str, ...] | None:
    """The words before '<legal form> of <country>' closing a company's name, when the country
    is the company's own and two words or more precede: the name its companies extend
    ('State Grid Hunan Electric Power Company' extends 'State Grid', of 'State Grid
    Corporation of China'). 'X Corporation of America' beside a foreign X is X's subsidiary
    (its country is the US, not X's): only the words of such a name found nothing."""
    for n in (1, 2):
        if (len(w) >= n + 4 and w[-n - 1] == "of" and w[-n - 2] in _FORMS_OF_COUNTRY
                and own is not None and country_code(" ".join(w[-n:])) == own
                and not set(w[: -n - 2]) <= _BUSINESS_WORDS):
            return w[: -n - 2]
    return None


def _ror_company_extension(k: str, w: tuple[str, ...], clusters: Mapping[str, OrgCluster],
                           out: dict[str, Membership], index: RorIndex,
                           own: str | None) -> None:
    """Rule 4c: a company no organisation's name founds a family for, whose name extends by
    more words (not 'and ...') the name of exactly one ROR company record, two words or more
    and not only ordinary ones, is in that record's family ('Avago Technologies Wireless IP
    (Singapore)' extends ROR's 'Avago Technologies', an alias of Broadcom (United States)),
    when the record stands in the company's country or heads a group in ROR (lists children
    and no parent): ROR holds some groups by a country subsidiary's record alone ('Dr.
    Reddy's Laboratories Ltd. (Russia)', 'Buckman Laboratories, K.K. (Japan)'), which is no
    parent of a company of another country."""
    if clusters[k].ror_id or own is None:
        return
    for n in range(len(w) - 1, 1, -1):
        if w[n] == "and" or all(x in _ORDINARY or len(x) < 3 for x in w[:n]):
            continue
        records = {h.ror_id for h in index.hits(" ".join(w[:n]))
                   if "company" in index.types(h.ror_id)}
        if len(records) == 1:
            record = records.pop()
            kinds = {r.type for r in index.records[record].relationships}
            if not same_country(own, index.country(record)) \
                    and ("child" not in kinds or "parent" in kinds):
                return
            out[k] = _under_root(index, record, 0.85,
                                 f"name extends the ROR company {index.name(record)!r}")
            return
        if records:
            return


#: Words after a one-word company name that name its group's holding or international
#: company ('O2Micro International Limited' beside 'O2Micro, Inc.', dev 6).
_GROUP_COMPANIES: Final = frozenset({("international",), ("holdings",), ("holding",),
                                     ("group",), ("global",)})
#: A parenthesised part of a name ('Chevron (HK) Limited').
_PARENTHESES: Final = re.compile(r"\(([^()]*)\)")


def _regional(prefix: tuple[str, ...], rest: tuple[str, ...], member: OrgCluster,
              head: OrgCluster) -> bool:
    """A one-word company name followed only by a country, a region or a Chinese province is
    its regional company ('NUCTECH JIANGSU COMPANY LIMITED', 'Synopsys Taiwan Co., Ltd.',
    'Ecolab USA Inc.'; `is_place`): the
    word needs no ROR parent or brand, only to be no ordinary word. A regional company ROR
    links is left to ROR, which holds it as its own organisation (Yahoo Japan, no Yahoo! Inc.
    company); a head named with a place in parentheses is a regional company itself ('Chevron
    (HK) Limited', a tool maker, is no head of Chevron U.S.A.)."""
    return (len(prefix) == 1 and len(prefix[0]) >= MIN_BRAND and prefix[0] not in _ORDINARY
            and member.ror_id is None and (is_place(rest) or rest in _GROUP_COMPANIES)
            and not any(country_code(p) or is_place(tuple(normalise(p).split()))
                        for name in head.names for p in _PARENTHESES.findall(name)))


#: Words naming a unit of a larger institution; a parent body may follow the unit's name.
_UNIT_WORDS: Final = frozenset({
    "institute", "institutes", "hospital", "hospitals", "center", "centre", "school", "college",
    "laboratory", "laboratories", "station", "division", "department", "faculty", "clinic",
    "bureau", "office", "campus", "branch",
})
#: Words joining a unit's name to its parent's ('... Institute at the University of X').
_JOINERS: Final = frozenset({"of", "at", "the", "in"})
#: A parent's name needs a word beside these ('Industry-Academic Cooperation Foundation' alone
#: names no one body).
_GENERIC_PARENT: Final = _ORDINARY | _UNIT_WORDS | _JOINERS | frozenset({
    "industry", "academic", "cooperation", "council", "academy", "ministry", "agency",
    "government", "republic", "association", "society", "corporation", "trust", "board",
})


def _parent_bodies(clusters: Mapping[str, OrgCluster], out: dict[str, Membership],
                   index: RorIndex) -> None:
    """Rule 6: a unit of a larger institution joins the institution's family. The parent is
    the longest tail of one of the unit's normalised names (its most frequent first; two or
    more words, not only ordinary ones, after a unit word and any joining words) that is a
    whole name of another non-company organisation, or of exactly one non-company ROR record.
    ROR-linked units and bodies acting for a university are left to rules 2 and 3."""
    by_name: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for k, c in clusters.items():
        if c.kind is not OrgKind.COMPANY:
            for name in c.names:  # a parent is named by any of its names
                by_name[tuple(normalise(clean_name(name)).split())].add(k)
    for k, c in sorted(clusters.items()):
        if k in out or c.ror_id or c.acts_for or (
                c.kind is OrgKind.COMPANY and has_company_form(clean_name(c.display_name))):
            continue  # a ROR record's parents, or the university acted for, decide; a unit
            # the assignee type calls a company ('Institute of Computing Technology, Chinese
            # Academy of Sciences', type 3) is one when its name has no company legal form
        for name in (c.display_name, *(n for n in c.names if n != c.display_name)):
            # any of its names may name the parent: a unit's names with and without the
            # parent after them are one organisation ('..., Chinese Academy of Sciences')
            found = _parent_of(k, tuple(normalise(clean_name(name)).split()), clusters,
                               by_name, index)
            if found is not None:
                out[k] = found
                break


def _parent_of(k: str, w: tuple[str, ...], clusters: Mapping[str, OrgCluster],
               by_name: Mapping[tuple[str, ...], set[str]], index: RorIndex,
               ) -> Membership | None:
    """The membership rule 6 gives the unit `k` from one of its names' words `w`, if any."""
    units = [i for i, x in enumerate(w) if x in _UNIT_WORDS]
    if not units:
        return None
    tails = []
    for i in range(units[0] + 1, len(w) - 1):
        j = i
        while j < len(w) and w[j] in _JOINERS:
            j += 1
        tails.append(w[j:])
    tails += [t for tail in list(tails) if (t := _unqualified(tail)) != tail]
    for tail in tails:
        if len(tail) < 2 or all(x in _GENERIC_PARENT for x in tail):
            continue
        heads = by_name.get(tail, set()) - {k}
        if len(heads) == 1:
            head = clusters[next(iter(heads))]
            return Membership(_node(head), 0.85,
                              f"a unit of {head.display_name!r} (its name ends with the "
                              "parent body's)")
        records = [h.ror_id for h in index.hits(" ".join(tail))
                   if "company" not in index.types(h.ror_id)] or [
            h.ror_id for h in index.hits(" ".join(tail) + "s")  # 'Academy of Science'
            if "company" not in index.types(h.ror_id)]
        named = {code for x in w if len(x) > 2 and (code := country_code(x))}
        records = [r for r in records  # not another country's body of that name: 'China
                   # Geological Survey' is no 'Geological Survey' (USGS)
                   if not (named and index.country(r) and index.country(r) not in named)]
        if not heads and len(records) == 1:
            return _under_root(index, records[0], 0.85,
                               f"a unit of {index.name(records[0])!r} (its name ends "
                               "with the parent body's)", joint=", ")
    return None


#: An armed force named after a parent body's name: '..., Academy of Military Medical Sciences,
#: People's Liberation Army of China' ('P.L.A.').
_FORCES: Final = (("peoples", "liberation", "army"), ("pla",))


def _unqualified(tail: tuple[str, ...]) -> tuple[str, ...]:
    """A parent's name without the qualifiers after it: its country ('China') and the armed
    force it belongs to ('P.L.A.'), so 'Academy of Military Medical Sciences, P.L.A. China'
    names the academy."""
    changed = True
    while changed and len(tail) > 2:
        changed = False
        for n in (3, 2, 1):
            end = tail[-n:]
            if len(tail) > n + 1 and (end in _FORCES or country_code(" ".join(end))):
                tail = tail[:-n]
                while len(tail) > 1 and tail[-1] in _JOINERS:
                    tail = tail[:-1]
                changed = True
                break
    return tail


#: Words that make a tail the name of a parent body ('Shandong Academy of Agricultural Sciences').
_PARENT_WORDS: Final = frozenset({"academy", "university", "ministry", "council"})


def _sibling_units(clusters: Mapping[str, OrgCluster], out: dict[str, Membership]) -> None:
    """Rule 6c: units of one parent body that no organisation and no ROR record names
    ('Biotechnology Research Center, Shandong Academy of Agricultural Sciences' and 'Institute
    of Animal Science and Veterinary Medicine, Shandong Academy of Agricultural Sciences') are
    one family, headed by the unit with the most rows. The shared tail follows a unit word,
    names an academy, university, ministry or council, has three words or more and starts with
    a proper word ('Shandong ...', not 'Academy of Agricultural Sciences' alone). A unit
    the assignee type calls a company counts when its name has no company legal form."""
    words = {k: tuple(normalise(clean_name(c.display_name)).split())
             for k, c in clusters.items() if c.kind is not OrgKind.COMPANY
             or not has_company_form(clean_name(c.display_name))}  # typed a company, no form
    tails: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for k, w in words.items():
        c = clusters[k]
        if k in out or c.ror_id or c.acts_for:
            continue
        units = [i for i, x in enumerate(w) if x in _UNIT_WORDS]
        for i in range(units[0] + 1 if units else len(w), len(w) - 2):
            tail = w[i:]
            if tail[0].isalpha() and tail[0] not in _GENERIC_PARENT \
                    and _PARENT_WORDS & set(tail):
                tails[tail].add(k)
    done: set[str] = set()
    for tail, keys in sorted(tails.items(), key=lambda t: (-len(t[0]), t[0])):
        keys = keys - done
        if len(keys) < 2:
            continue
        head = max(keys, key=lambda key: (clusters[key].count, key))
        for k in keys - {head}:
            out[k] = Membership(_node(clusters[head]), 0.8,
                                f"a unit of {' '.join(tail)!r}, as is "
                                f"{clusters[head].display_name!r} (no organisation or ROR "
                                "record bears the parent's name)")
        done |= keys


#: Words a company name's first three words may not end with: they join it to what follows.
_OPEN_ENDS: Final = _JOINERS | frozenset({"and", "for", "und", "et", "de", "du", "der"})
#: Words of a legal form (a misspelt leading form stays in a normalised name: 'Kabushiki
#: Kaisya Tokyo ...'), not the joining words and letters some forms hold.
_FORM_WORDS: Final = frozenset(x for form in LEGAL_FORMS for x in form if len(x) >= 4)


def _sibling_companies(clusters: Mapping[str, OrgCluster], out: dict[str, Membership]) -> None:
    """Rule 7b: companies whose names start with the same three words, longer than them,
    that no company bears alone ('Shenzhen China Star Optoelectronics Technology' and
    '... Semiconductor Display Technology'; 'Johnson & Johnson Consumer' and '... Surgical
    Vision'), are one family: the family one of them is in already (co-ownership put China
    Star in TCL's), else the one headed by the company with the most rows. The three words
    must hold a proper word (not an ordinary word or a place), no legal form's word, and not
    end in a joining word ('Lotte Engineering &'); siblings already in two families are left.
    Same-name firms the names cannot tell apart join too: 'Town & Country Linen' (2018) and
    'Town & Country Research & Development' (1990)."""
    words = {k: tuple(normalise(clean_name(c.display_name)).split())
             for k, c in clusters.items() if c.kind is OrgKind.COMPANY}
    named = set(words.values())
    siblings: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for k, w in sorted(words.items()):
        start = w[:3]
        if len(w) > 3 and start not in named and start[-1] not in _OPEN_ENDS \
                and not _FORM_WORDS & set(start) and any(
                    x.isalpha() and len(x) > 2 and x not in _ORDINARY and x not in _OPEN_ENDS
                    and not is_place((x,)) for x in start):
            siblings[start].append(k)
    for start, keys in sorted(siblings.items()):
        if len(keys) < 2:
            continue
        joined = {out[k].family_id for k in keys if k in out}
        if len(joined) > 1:
            continue
        head = max(keys, key=lambda key: (clusters[key].count, key))
        family_id = next(iter(joined)) if joined else _node(clusters[head])
        for k in keys:
            if k not in out and _node(clusters[k]) != family_id:
                out[k] = Membership(family_id, 0.8,
                                    f"a sibling company: its name starts with "
                                    f"{' '.join(start)!r}, as {clusters[head].display_name!r}'s "
                                    "does, and no company bears that name alone")


#: Words joining two holders in one string ('... and Universal Display Corporation', 'Institut
#: Francais du Petrole ... et Entreprise de Recherches ... Elf').
_TWO_HOLDERS: Final = frozenset({"and", "et", "und"})


def _institution_extensions(clusters: Mapping[str, OrgCluster],
                            out: dict[str, Membership], index: RorIndex) -> None:
    """Rule 6b: an institution (not a company) whose normalised name extends another
    institution's whole name by more words ('Providence Health System-Oregon', 'University of
    Houston System', 'UMDNJ - Robert Wood Johnson Medical School') is in its family, when that
    name carries a rare word (`RARE_WORD` of the institutions' names: 'Houston', not
    'Physics' in 'Institute of Physics'), or is a ROR-linked institution's name (any of its
    spellings) followed by a unit's name ('Shanghai Jiaotong University School of Medicine',
    'Peking University School and Hospital of Stomatology', 'Peking University Shenzhen
    Graduate School', "Peking University People's Hospital": a unit word first or last), or,
    when no organisation bears that name, is the whole name of one non-company ROR record
    followed by a unit word ('The University of London, School of Pharmacy': the family of
    ROR's University of London).
    ROR-linked bodies and bodies acting for a university are left to ROR and ACTS_FOR; a name
    with a company legal form (a university's company) or naming a second holder ('... and
    Universal Display Corporation') extends none."""
    words = {k: tuple(normalise(clean_name(c.display_name)).split())
             for k, c in clusters.items() if c.kind is not OrgKind.COMPANY}
    by_words: dict[tuple[str, ...], set[str]] = defaultdict(set)
    frequency: Counter[str] = Counter()
    for k, w in words.items():
        for variant in clusters[k].names:  # any spelling of the head is its whole name
            by_words[tuple(normalise(clean_name(variant)).split())].add(k)
        frequency.update(set(w))
    rare = max(2, RARE_WORD * len(words))
    for k, w in sorted(words.items()):
        c = clusters[k]
        if k in out or c.ror_id or c.acts_for or has_company_form(clean_name(c.display_name)):
            continue  # a university's company is no unit of it
        for n in range(len(w) - 1, 1, -1):
            prefix = w[:n]
            heads = sorted(by_words.get(prefix, set()) - {k})
            if not heads and w[n] in _UNIT_WORDS and not _second_holder(w[n:]) and not all(
                    x in _GENERIC_PARENT for x in prefix):
                records = [h.ror_id for h in index.hits(" ".join(prefix))
                           if "company" not in index.types(h.ror_id)]
                if len(records) == 1:
                    out[k] = _under_root(index, records[0], 0.85,
                                         f"a unit of {index.name(records[0])!r} (its name "
                                         "starts with the parent body's)", joint=", ")
                    break
            if len(heads) != 1 or w[n] in _JOINERS or _second_holder(w[n:]) or not (any(
                    x.isalpha() and x not in _GENERIC_PARENT and frequency[x] <= rare
                    for x in prefix) or (clusters[heads[0]].ror_id
                                         and (w[n] in _UNIT_WORDS or w[-1] in _UNIT_WORDS))):
                continue
            head = clusters[heads[0]]
            fam = out.get(heads[0])
            out[k] = Membership(fam.family_id if fam else _node(head), 0.85,
                                f"name extends the institution {head.display_name!r} (a "
                                "campus, school, system or regional body of it)")
            break


def _second_holder(rest: tuple[str, ...]) -> bool:
    """The words after a name name a second holder ('... and Universal Display Corporation'),
    not a second unit ('School and Hospital of Stomatology')."""
    return any(x in _TWO_HOLDERS and (i + 1 == len(rest) or rest[i + 1] not in _UNIT_WORDS)
               for i, x in enumerate(rest))


def _brand_member(k: str, w: tuple[str, ...], head: str | None,
                  clusters: Mapping[str, OrgCluster], out: dict[str, Membership],
                  index: RorIndex, by_words: Mapping[tuple[str, ...], list[str]],
                  brands: frozenset[str], group_words: frozenset[str]) -> None:
    """Rule 5: the company `k`, whose name starts with the brand w[0], joins the brand's head.
    A joint venture with another group stays its own family: a later word is a brand, a
    distinctive company, a ROR company record, or a group word (`_brands`: 'Toshiba
    Mitsubishi-Electric Industrial Systems')."""
    partner = next((x for x in w[1:] if x in brands or (
        len(by_words.get((x,), ())) == 1
        and _distinctive((x,), clusters[by_words[(x,)][0]], index, brands))
        or _ror_company(x, index) or x in group_words), None)
    if partner:
        out[k] = Membership(_node(clusters[k]), 0.8,
                            f"its own family: a joint venture of {w[0]!r} and {partner!r}")
        return
    if head is not None:
        fam = out.get(head)
        family_id = fam.family_id if fam else _node(clusters[head])
        named = clusters[head].display_name
    else:
        ror_id = _ror_group(w[0], index)
        assert ror_id is not None
        family_id, named = org_id("", ror_id), index.name(ror_id)
    out[k] = Membership(family_id, 0.85,
                        f"name starts with the brand {w[0]!r} of {named!r} (a company of its "
                        "group: the word starts several company names and is rare elsewhere)")


def co_ownership(resolution: Resolution,
                 holders: Iterable[tuple[str, str]]) -> dict[str, dict[str, int]]:
    """Cluster key -> co-owner's cluster key -> patents the two hold together, from
    (patent id, assignee name) pairs; and under its own key, each cluster's patents."""
    by_patent: dict[str, set[str]] = defaultdict(set)
    for patent, name in holders:
        key = resolution.cluster_of.get(name)
        if key is not None:
            by_patent[patent].add(key)
    out: dict[str, dict[str, int]] = defaultdict(dict)
    for keys in by_patent.values():
        for a in keys:
            row = out[a]
            for b in keys:
                row[b] = row.get(b, 0) + 1
    return dict(out)


def co_ownership_of_rows(patent: npt.NDArray[np.int64], cluster: npt.NDArray[np.int64],
                         keys: Sequence[str]) -> dict[str, dict[str, int]]:
    """`co_ownership` from arrays, as the build holds its assignee rows: row i names the
    cluster `keys[cluster[i]]` (-1: none) on patent `patent[i]`. The same answer, counted with
    numpy (a row loop over 8.7M rows of sets and dicts took about a minute at full scale)."""
    n = max(len(keys), 1)
    ok = cluster >= 0
    held = distinct(patent[ok].astype(np.int64) * n + cluster[ok])  # by patent, then cluster
    pat, clu = held // n, held % n
    own = np.bincount(clu, minlength=n)
    out: dict[str, dict[str, int]] = {keys[c]: {keys[c]: int(own[c])}
                                      for c in np.flatnonzero(own).tolist()}
    starts = np.flatnonzero(np.r_[True, pat[1:] != pat[:-1]])
    sizes = np.diff(np.r_[starts, len(pat)])
    multi = sizes >= 2
    if not multi.any():
        return out
    # every ordered pair of two clusters of one patent: each member of a group of m, m times
    starts, sizes = starts[multi], sizes[multi]
    member = np.repeat(starts, sizes) + _ramp(sizes)
    times = np.repeat(sizes, sizes)
    left = np.repeat(member, times)
    right = np.repeat(np.repeat(starts, sizes), times) + _ramp(times)
    pair = clu[left] * n + clu[right]
    pairs, counts = np.unique(pair[left != right], return_counts=True)
    for code, count in zip(pairs.tolist(), counts.tolist(), strict=True):
        out[keys[code // n]][keys[code % n]] = count
    return out


def _ramp(sizes: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """0..m-1 for every m of `sizes`, one after the other."""
    ends = np.cumsum(sizes)
    return np.arange(int(ends[-1]) if len(ends) else 0) - np.repeat(ends - sizes, sizes)


def _group_word_families(clusters: Mapping[str, OrgCluster], out: dict[str, Membership],
                         country: Mapping[str, str], index: RorIndex) -> None:
    """Rule 7b: a group's word. A rare word (`RARE_WORD` of company names, no ordinary word)
    that leads (or closes) the names of at least `GROUP_WORD_MEMBERS` members of one company's
    family, `GROUP_WORD_SHARE` times as many as of all other families, names that group
    ('Sinopec' in the institutes and companies co-owning with China Petroleum & Chemical
    Corporation; 'Hisense'). An organisation without a family whose name leads (closes) with
    it and carries every word those members share ('Fuji' with 'Electric' for Fuji
    Electric's group, not Fuji Photo Film; 'Federal' with 'Mogul') joins that family, when
    its country evidence is the head's ('Phoenix Pioneer Technology', of Taiwan, is no
    member of Pioneer of Japan) and its name carries no other group's word nor the name of a
    ROR company record ('Philips & Lite-On Digital Solutions': a joint venture). Companies and
    institutes only: a foundation, school, university or hospital named after a company
    (Toyota School Foundation) is its own legal person, a university left to ROR."""
    order = {k: tuple(normalise(clean_name(c.display_name)).split()) for k, c in clusters.items()}
    order = {k: w for k, w in order.items() if w}
    frequency: Counter[str] = Counter()
    companies = 0
    for k, c in clusters.items():
        if c.kind is OrgKind.COMPANY and k in order:
            companies += 1
            frequency.update(set(order[k]))
    rare = max(2.0, RARE_WORD * companies)

    def ends(k: str) -> set[tuple[str, int]]:
        """The rare words leading (0) and closing (-1) a name."""
        w = order[k]
        return {(x, i) for x, i in ((w[0], 0), (w[-1], -1))
                if x.isalpha() and len(x) >= BRAND_LETTERS and x not in _GENERIC_PARENT
                and frequency[x] <= rare}

    by_node = {_node(c): k for k, c in clusters.items()}
    carriers: dict[str, Counter[str]] = defaultdict(Counter)
    members = [(k, m.family_id) for k, m in out.items()
               if k in order and m.family_id != _node(clusters[k])]
    for k, family_id in members:
        for w in {x for x, _ in ends(k)}:
            carriers[w][family_id] += 1
    group_of: dict[str, str] = {}
    for w, fams in carriers.items():
        ((family_id, n),) = fams.most_common(1)
        head = by_node.get(family_id)
        if n >= GROUP_WORD_MEMBERS and n >= GROUP_WORD_SHARE * (sum(fams.values()) - n) \
                and head is not None and clusters[head].kind is OrgKind.COMPANY:
            group_of[w] = family_id
    if not group_of:
        return
    shared: dict[str, frozenset[str]] = {}  # the words every member carrying it bears
    places: dict[str, set[int]] = defaultdict(set)  # where in their names it stands
    for k, family_id in members:
        for w, i in ends(k):
            if group_of.get(w) == family_id:
                mine = frozenset(order[k])
                shared[w] = shared[w] & mine if w in shared else mine
                places[w].add(i)
    of_family: dict[str, list[str]] = defaultdict(list)
    for k, family_id in members:
        of_family[family_id].append(k)

    def group(k: str) -> str | None:
        """The one group whose word the name of `k` bears as its members do, else None."""
        mine = frozenset(order[k])
        found = {group_of[w] for w, i in ends(k)
                 if w in group_of and i in places[w] and shared[w] <= mine}
        if len(found) != 1 or any(group_of[w] not in found for w in mine if w in group_of) \
                or any(_ror_company(x, index) for x in mine if x not in group_of):
            return None  # no group's word, or another group's or company's: a joint venture
        return found.pop()

    for k in sorted(order):
        c = clusters[k]
        if k in out or c.kind not in _GROUP_WORD_KINDS or not _OWN_PERSONS.isdisjoint(order[k]):
            continue
        # a family's head answers for its members' names too ('Research Institute of Petroleum
        # Processing' for its 'Research Institute of Petroleum Processing, Sinopec')
        node = _node(c)
        said = {(t, g) for t in (k, *of_family.get(node, ()))
                if (g := group(t)) not in (None, node)}
        if len({g for _, g in said}) != 1:
            continue
        by, family_id = min(said)
        head = by_node[family_id]
        if not country.get(k) or country.get(k) != country.get(head):
            continue
        word = " ".join(sorted(w for w, _ in ends(by) if group_of.get(w) == family_id))
        named = "name" if by == k else f"member {clusters[by].display_name!r}"
        out[k] = Membership(family_id, 0.8,
                            f"{named} carries {word!r}, the word of "
                            f"{clusters[head].display_name!r}'s group (its members' names start "
                            "or end with it; the same country)")


def _type_flags(resolution: Resolution, names: Iterable[AssigneeName]) -> dict[str, str]:
    """Cluster key -> 'US' or 'foreign': what the assignee-type codes of its names say."""
    codes: dict[str, Counter[str]] = defaultdict(Counter)
    for n in names:
        key = resolution.cluster_of.get(n.name)
        if key is not None and n.assignee_type:
            codes[key][n.assignee_type] += n.count
    return {k: f for k, c in codes.items() if (f := type_flag(c)) is not None}


def _rare_shared_word(a: OrgCluster, b: OrgCluster, frequency: Mapping[str, int],
                      companies: int) -> str | None:
    """A word both names carry that is neither an ordinary word of organisation names nor
    common among company names (`RARE_WORD`)."""
    wa = set(normalise(clean_name(a.display_name)).split())
    wb = set(normalise(clean_name(b.display_name)).split())
    shared = sorted(w for w in wa & wb if w.isalpha() and w not in _GENERIC_PARENT
                    and frequency[w] <= max(2, RARE_WORD * companies))
    return shared[0] if shared else None


def _leading_rare_word(a: OrgCluster, b: OrgCluster, frequency: Mapping[str, int],
                       companies: int) -> bool:
    """Both names start with the same rare word (`_rare_shared_word`), the group's coined
    name: 'Littelfuse Electronics (Shanghai)' and 'Littelfuse, Inc.'."""
    wa = normalise(clean_name(a.display_name)).split()
    wb = normalise(clean_name(b.display_name)).split()
    return (bool(wa) and bool(wb) and wa[0] == wb[0]
            and _rare_shared_word(a, b, frequency, companies) == wa[0])


def _co_owned_families(clusters: Mapping[str, OrgCluster], out: dict[str, Membership],
                       co_owned: Mapping[str, Mapping[str, int]],
                       flags: Mapping[str, str]) -> None:
    """Rule 7: a company without a family that co-owns `CO_OWNED_SHARE` of its patents (at
    least `CO_OWNED_MIN`) with one larger company joins that company's family (not with a
    body acting for a university: a licensee is no member), when their names share a rare
    word, or it co-owns `CO_OWNED_SUSTAINED` patents on the same side of the type flag, or the
    larger company is a hub of `CO_OWNED_HUB` such members and the flag agrees."""
    frequency: Counter[str] = Counter()
    companies = 0
    for company in clusters.values():
        if company.kind is OrgKind.COMPANY:
            companies += 1
            frequency.update(set(normalise(clean_name(company.display_name)).split()))
    candidates: list[tuple[str, int, int, str]] = []
    members: Counter[str] = Counter()
    for k, row in sorted(co_owned.items()):
        c = clusters.get(k)
        own = row.get(k, 0)
        if c is None or c.kind is not OrgKind.COMPANY or own < CO_OWNED_NAMED:
            continue
        partners = [(n, p) for p, n in row.items()
                    if p != k and p in clusters and clusters[p].kind is OrgKind.COMPANY
                    and not clusters[p].acts_for and n >= CO_OWNED_SHARE * own
                    and clusters[p].count > c.count]
        if len(partners) != 1:
            continue
        if own < CO_OWNED_MIN and not _leading_rare_word(
                clusters[k], clusters[partners[0][1]], frequency, companies):
            continue
        candidates.append((k, own, *partners[0]))
    joined: dict[str, str] = {}
    for k, _, n, p in candidates:
        same_side = flags.get(k) == flags.get(p) is not None
        word = _rare_shared_word(clusters[k], clusters[p], frequency, companies)
        if word is not None:
            joined[k] = f"; both names carry the rare word {word!r}"
        elif n >= CO_OWNED_SUSTAINED and same_side:
            joined[k] = f"; {n} patents, both {flags[k]} companies by the assignee type"
        else:
            continue
        members[p] += 1  # counted even when a name rule or ROR placed `k` already
    for k, _, _, p in candidates:
        if k not in joined and members[p] >= CO_OWNED_HUB and flags.get(k) == flags.get(p) \
                is not None:
            joined[k] = (f"; both {flags[k]} companies by the assignee type, and "
                         f"{clusters[p].display_name!r} co-owns so with {members[p]} companies "
                         "of its group")
    for k, own, n, p in candidates:
        if k not in joined or k in out:
            continue  # a partner in a joint programme, a supplier or a licensee
        fam = out.get(p)
        family_id = fam.family_id if fam else _node(clusters[p])
        out[k] = Membership(family_id, 0.8,
                            f"co-owns {n} of its {own} patents with "
                            f"{clusters[p].display_name!r}, a larger company" + joined[k])
