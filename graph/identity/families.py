"""The family level: the group an organisation belongs to, with a score and a reason.

An organisation's family is found by the first rule that applies:

1. a US federal department or agency ('The United States of America as represented by the
   Secretary of X') belongs to the US government: one family of all of them;
2. a ROR-linked organisation belongs to the top of its ROR parent chain (a campus to its
   university system, a subsidiary to its parent company, an institute to its agency);
3. a technology-transfer office, foundation or board that acts for a university
   (ACTS_FOR) belongs to that university's family;
4. a company whose normalised name extends another company's whole name by more words
   (Samsung Electronics America -> Samsung Electronics; Hitachi Cable -> Hitachi) belongs
   to that company's family, when the shorter name is distinctive: not only ordinary words
   of organisation names, and a single word (of at least `MIN_BRAND` letters) only when ROR
   records that company as a parent of others;
   or when the word is a dominant brand (`_brands`: Sony, Qualcomm, Panasonic), and never
   through 'and' (Rohm and Haas is no Rohm company);
   but a name that also carries another such brand is a joint venture of two groups and
   its own family (Samsung Corning, LG Philips);
5. otherwise the organisation is its own family.

The family id is a graph node id: the family's head organisation (a ROR record or a cluster);
a head is never a member of another family (memberships are followed up to the head).

ROR records no assignee string reached (a university's campuses, when the system's board holds
every patent) get their family from rule 2 too (`record_families`), so that a campus asked for
at the family level stands in its system's family.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

from ttkg.core.model import OrgKind, org_id
from ttkg.graph.identity.entities import OrgCluster, Resolution
from ttkg.graph.identity.normalise import normalise
from ttkg.graph.identity.patterns import clean_name
from ttkg.graph.identity.ror_index import RorIndex

__all__ = ["MIN_BRAND", "Membership", "families", "record_families"]

#: A one-word family name needs at least this many letters ('Sony' is too short to be sure),
#: unless it is a brand (`_brands`: at least BRAND_LETTERS letters, BRAND_PATENTS patent rows
#: of the one-word company, BRAND_COMPANIES companies whose names start with it).
MIN_BRAND: Final = 5
BRAND_LETTERS: Final = 4
BRAND_PATENTS: Final = 20
BRAND_COMPANIES: Final = 3
_MAX_DEPTH: Final = 12
_US_GOVERNMENT_PREFIX: Final = "gov-united-states-"
_US_GOVERNMENT_NAME: Final = "Government of the United States of America"
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


@dataclass(frozen=True, slots=True)
class Membership:
    """An organisation's family: the head's node id, a score in [0, 1] and a reason."""

    family_id: str
    score: float
    reason: str


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
             counts: Mapping[str, int] | None = None) -> dict[str, Membership]:
    """Cluster key -> family of every organisation cluster (individuals are left out).

    `counts` (cluster key -> patent rows) picks the head of a name family or of the US
    government; without it the number of name variants stands in."""
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
            root, chain = _root(index, af.ror_id)
            out[k] = Membership(org_id("", root), round(0.98 * af.score, 3),
                                f"acts for {index.name(af.ror_id)!r} ({af.reason})"
                                + (" whose ROR parent chain is " + " -> ".join(chain)
                                   if len(chain) > 1 else ""))
    _name_families(clusters, out, index)
    for k, c in clusters.items():
        out.setdefault(k, Membership(_node(c), 1.0, "its own family"))
    return _to_heads(clusters, out)


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
    under Mitsubishi Corporation), or when it is a dominant brand (`_brands`)."""
    if all(w in _ORDINARY or len(w) < 3 for w in prefix):
        return False
    if len(prefix) > 1 or prefix[0] in brands:
        return True
    if len(prefix[0]) < MIN_BRAND or head.ror_id is None or head.ror_id not in index.records:
        return False
    return any(r.type == "child" for r in index.records[head.ror_id].relationships)


def _brands(clusters: Mapping[str, OrgCluster],
            words: Mapping[str, tuple[str, ...]]) -> frozenset[str]:
    """One-word company names that are brands: a company of that one word with at least
    `BRAND_PATENTS` patent rows, at least `BRAND_COMPANIES` other companies whose names start
    with the word (Sony Electronics, Sony Mobile Communications, ...), and no company name
    with the word anywhere else (a word found inside other names, 'Pioneer' in 'Western
    Pioneer', is an ordinary word, not a brand), none of them holding more patents than the
    one-word company (Fuji Photo Film and Fuji Xerox are no members of a small 'Fuji Co.').
    A name 'X and Y' ('Rohm and Haas') is another firm's, not an extension of X."""
    first: dict[str, int] = {}
    largest: dict[str, int] = {}
    inside: set[str] = set()
    for k, w in words.items():
        if len(w) > 1 and w[1] != "and":
            first[w[0]] = first.get(w[0], 0) + 1
            largest[w[0]] = max(largest.get(w[0], 0), clusters[k].count)
        inside.update(w[1:])
    return frozenset(
        w[0] for k, w in words.items()
        if len(w) == 1 and len(w[0]) >= BRAND_LETTERS and w[0] not in _ORDINARY
        and w[0] not in inside and first.get(w[0], 0) >= BRAND_COMPANIES
        and clusters[k].count >= max(BRAND_PATENTS, largest.get(w[0], 0))
    )


def _name_families(clusters: dict[str, OrgCluster], out: dict[str, Membership],
                   index: RorIndex) -> None:
    """Rule 4: a company whose name extends a distinctive company name joins its family."""
    words = {k: tuple(normalise(clean_name(c.display_name)).split())
             for k, c in clusters.items() if c.kind is OrgKind.COMPANY}
    by_words: dict[tuple[str, ...], list[str]] = {}
    for k, w in words.items():
        if w:
            by_words.setdefault(w, []).append(k)
    brands = _brands(clusters, words)
    for k in sorted(words, key=lambda key: len(words[key])):
        if k in out:
            continue
        w = words[k]
        for n in range(len(w) - 1, 0, -1):
            prefix = w[:n]
            if w[n] == "and":  # 'Rohm and Haas' is no 'Rohm' company
                continue
            heads = [h for h in by_words.get(prefix, ()) if h != k]
            if len(heads) != 1 or not _distinctive(prefix, clusters[heads[0]], index, brands):
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
