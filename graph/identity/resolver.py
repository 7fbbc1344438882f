"""`OrganizationResolver`: assignee strings in, organisations (clusters, ROR links) out.

Steps: pool the inputs by raw string; group by comparison key (normalised name, or the key
of a recognised pattern); link groups exactly to ROR; cluster groups (typo-level merges,
overrides); link each cluster (exact, acronym, typo-tolerant); one cluster per ROR record;
technology-transfer bodies get an ACTS_FOR to their university. Every merge and link keeps a
score and a reason; borderline decisions are collected for the review file.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from ttkg.core.model import OrgKind
from ttkg.graph.identity.cluster import Merge, cluster_groups
from ttkg.graph.identity.countries import country_code
from ttkg.graph.identity.entities import ActsFor, AssigneeName, OrgCluster, Resolution
from ttkg.graph.identity.groups import (
    NameGroup,
    NameKey,
    aggregate,
    group_names,
    individual_key,
    name_key,
)
from ttkg.graph.identity.kinds import classify_kind
from ttkg.graph.identity.link import FORM_COUNTRIES, Link, link_acronym, link_exact, link_fuzzy
from ttkg.graph.identity.normalise import key_of, normalise
from ttkg.graph.identity.org_country import type_flag
from ttkg.graph.identity.overrides import Overrides, ReviewRow, read_overrides
from ttkg.graph.identity.parallel import fork_map, worker_count
from ttkg.graph.identity.patterns import GOVERNANCE, GOVERNMENT, TTO, clean_name
from ttkg.graph.identity.ror_index import RorIndex
from ttkg.graph.identity.settings import IdentitySettings
from ttkg.loaders.records import RorRecord

__all__ = ["Explanation", "OrganizationResolver"]

log = logging.getLogger(__name__)


@dataclass
class Explanation:
    """Why a name ended up where it did (for `ttkg identity explain`)."""

    name: str
    normalised: str
    cluster: OrgCluster
    group_reason: str
    merges: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        c = self.cluster
        out = [
            f"name:        {self.name}",
            f"normalised:  {self.normalised}",
            f"grouping:    {self.group_reason}",
            f"cluster:     {c.key}  ({c.display_name!r}; {len(c.names)} variant(s))",
            f"kind:        {c.kind.value}",
            f"merge:       {c.merge_reason}",
        ]
        out += [f"  merged:    {m}" for m in self.merges]
        out.append(
            f"ror:         {c.ror_id or '-'}"
            + (f"  score {c.link_score:.3f}: {c.link_reason}" if c.ror_id else "")
        )
        out += [f"acts for:    {a.ror_id}  score {a.score:.3f}: {a.reason}" for a in c.acts_for]
        out += [f"note:        {n}" for n in self.notes]
        return out


@dataclass
class _Trace:
    """What the last `resolve` decided, per group and cluster, for `explain`."""

    groups: list[NameGroup]
    group_of: dict[str, int]
    cluster_of_group: dict[int, str]
    merges: dict[int, list[str]]
    notes: dict[int, list[str]]


_CHUNK = 2_000  # strings or groups per worker chunk
_MIN_FORKED_ITEMS = 4_000  # fewer are parsed and linked exactly in this process
_CLUSTER_CHUNK = 1_000  # clusters per worker chunk when linking
_MIN_FORKED_CLUSTERS = 2_000  # fewer clusters are linked in this process

_GOV_COUNTRY = {"united states": "US", "japan": "JP", "canada": "CA"}


class OrganizationResolver:
    """Clusters assignee strings into organisations and links them to ROR."""

    def __init__(
        self,
        ror: Iterable[RorRecord],
        settings: IdentitySettings | None = None,
        *,
        index: RorIndex | None = None,
    ) -> None:
        """`index`: the `RorIndex` of the records `ror`, when the caller has it already."""
        self.settings = settings or IdentitySettings()
        self.index = index if index is not None else RorIndex(ror)
        self.overrides = (
            read_overrides(self.settings.overrides_path)
            if self.settings.overrides_path
            else Overrides()
        )
        self.review: list[ReviewRow] = []
        self._trace: _Trace | None = None

    # --- public ------------------------------------------------------------------------------

    def resolve(self, names: Iterable[AssigneeName]) -> Resolution:
        """Resolve a batch of names; every input name is in `cluster_of`."""
        orgs, people = aggregate(names)
        clusters: dict[str, OrgCluster] = {}
        cluster_of: dict[str, str] = {}
        name_score: dict[str, float] = {}
        name_reason: dict[str, str] = {}
        for group in group_names(people, individual=True):
            key = individual_key(group.normalised.removeprefix("person "))
            clusters[key] = self._individual_cluster(key, group)
            for raw in group.variants:
                cluster_of[raw] = key
                name_score[raw], name_reason[raw] = 1.0, "individual"

        groups = group_names(orgs, non_company_names=self.index.non_company_names,
                             keys=self._name_keys(orgs),
                             namesakes=self.index.namesakes_abroad)
        del orgs
        group_of = {raw: i for i, g in enumerate(groups) for raw in g.variants}
        notes: dict[int, list[str]] = defaultdict(list)
        exact = self._group_links(groups, notes)
        must, cannot = self._pair_overrides(group_of)
        clustering = cluster_groups(
            groups,
            [link.ror_id if link else None for link in exact],
            self.index.vocabulary,
            self.settings,
            must_link=must,
            cannot_link=cannot,
        )
        df: Counter[str] = Counter()
        for g in groups:
            df.update(set(g.loose) | set(g.light))
        merges: dict[int, list[str]] = defaultdict(list)
        best_edge: dict[int, tuple[float, str]] = {}
        for m in clustering.merges:
            for me, other in ((m.a, m.b), (m.b, m.a)):
                merges[me].append(
                    f"{groups[other].display_name!r} (score {m.score:.3f}: {m.reason})"
                )
                if me not in best_edge or m.score > best_edge[me][0]:
                    best_edge[me] = (m.score, f"{m.reason} ~ {groups[other].display_name!r}")
        self.review = [
            ReviewRow("merge", groups[r.a].display_name, groups[r.b].display_name, r.score,
                      r.reason)
            for r in clustering.review
        ]

        # link every cluster; one cluster per ROR record; TTOs of one university are one
        joined: dict[tuple[str, ...], list[tuple[list[int], Link | None, tuple[ActsFor, ...]]]]
        joined = defaultdict(list)
        links = self._cluster_links(clustering.members, groups, exact, df)
        for n, members in enumerate(clustering.members):
            link, found, borderline = links[n]
            if found:
                notes[max(members, key=lambda i: (groups[i].count, groups[i].key_text))
                      ].extend(found)
            if borderline is not None:
                self.review.append(borderline)
            acts = self._acts_for(members, groups, notes, df)
            main = groups[max(members, key=lambda i: (groups[i].count, groups[i].key_text))]
            if link is not None:
                join: tuple[str, ...] = ("ror", link.ror_id)
            elif acts and main.role == TTO:
                join = ("tto", acts[0].ror_id, main.qualifier)
            else:
                join = ("one", str(n))
            joined[join].append((members, link, acts))
        final: list[tuple[list[int], Link | None, tuple[ActsFor, ...], str]] = []
        for join, parts in joined.items():
            if len(parts) == 1:
                final.append((parts[0][0], parts[0][1], parts[0][2], ""))
                continue
            members = [i for p, _, _ in parts for i in p]
            best = max(parts, key=lambda p: (p[1].score if p[1] else 0.0,
                                             sum(groups[i].count for i in p[0])))
            why = (f"{len(parts)} clusters link to the same ROR record {join[1]}"
                   if join[0] == "ror" else
                   f"{len(parts)} technology-transfer names act for the same university "
                   f"{join[1]}")
            final.append((members, best[1], best[2], why))

        merges_by_a: dict[int, list[int]] = defaultdict(list)  # group -> its merges' places
        for n, m in enumerate(clustering.merges):
            merges_by_a[m.a].append(n)
        cluster_of_group: dict[int, str] = {}
        for members, link, acts, extra in final:
            inner = [clustering.merges[n]
                     for n in sorted(n for i in members for n in merges_by_a.get(i, ()))]
            cluster = self._org_cluster(members, groups, link, acts, extra, inner, notes)
            clusters[cluster.key] = cluster
            for i in members:
                cluster_of_group[i] = cluster.key
                g = groups[i]
                for raw in g.variants:
                    cluster_of[raw] = cluster.key
                    if i in best_edge:
                        name_score[raw], name_reason[raw] = best_edge[i]
                    else:
                        name_score[raw], name_reason[raw] = 1.0, self._group_reason(g)
        self._trace = _Trace(groups, group_of, cluster_of_group, dict(merges), dict(notes))
        log.info("resolved %d names into %d clusters (%d linked to ROR, %d to review)",
                 len(cluster_of), len(clusters), sum(1 for c in clusters.values() if c.ror_id),
                 len(self.review))
        return Resolution(clusters=clusters, cluster_of=cluster_of, name_score=name_score,
                          name_reason=name_reason, review=list(self.review))

    def explain(
        self,
        name: str,
        *,
        assignee_type: str | None = None,
        country: str | None = None,
        resolution: Resolution | None = None,
    ) -> Explanation:
        """Explain the decision for one name: alone, or inside the last `resolution`."""
        trace = self._trace
        if resolution is None or trace is None or name not in resolution.cluster_of:
            individual = assignee_type in ("4", "5")
            resolution = self.resolve(
                [AssigneeName(name, assignee_type, country, 1, individual=individual)]
            )
            trace = self._trace
        assert trace is not None
        cluster = resolution.clusters[resolution.cluster_of[name]]
        if name not in trace.group_of:  # an individual
            return Explanation(name, normalise(name), cluster, "an individual: never merged "
                               "with organisations nor linked to ROR")
        gi = trace.group_of[name]
        group = trace.groups[gi]
        return Explanation(
            name=name,
            normalised=normalise(clean_name(name)),
            cluster=cluster,
            group_reason=self._group_reason(group),
            merges=trace.merges.get(gi, []),
            notes=trace.notes.get(gi, []),
        )

    # --- steps run in workers -----------------------------------------------------------------

    def _name_keys(self, orgs: dict[str, NameGroup]) -> list[NameKey]:
        """`groups.name_key` of every organisation string (patterns, normalised names), in
        `settings.workers` processes."""
        items = list(orgs.items())
        known = self.index.non_company_names

        def work(start: int, stop: int) -> list[NameKey]:
            return [name_key(raw, single, False, known) for raw, single in items[start:stop]]

        return fork_map(work, len(items), worker_count(self.settings.workers),
                        min_items=_MIN_FORKED_ITEMS, chunk=_CHUNK, what="name keys")

    def _group_links(self, groups: list[NameGroup], notes: dict[int, list[str]]
                     ) -> list[Link | None]:
        """`_group_link` of every group, in `settings.workers` processes; the notes it makes
        are added to `notes`."""

        def work(start: int, stop: int) -> list[tuple[Link | None, list[str]]]:
            out: list[tuple[Link | None, list[str]]] = []
            for g in groups[start:stop]:
                found: list[str] = []
                out.append((self._group_link(g, found), found))
            return out

        exact: list[Link | None] = []
        for i, (link, found) in enumerate(fork_map(
                work, len(groups), worker_count(self.settings.workers),
                min_items=_MIN_FORKED_ITEMS, chunk=_CHUNK, what="exact links")):
            if found:
                notes[i].extend(found)
            exact.append(link)
        return exact

    # --- linking -----------------------------------------------------------------------------

    def _group_link(self, g: NameGroup, notes: list[str]) -> Link | None:
        """Exact ROR link of a group by its own name (TTOs by their own full name)."""
        country, strong = g.evidence
        evidence = None if strong else g.countries
        if g.role == TTO:
            own = normalise(clean_name(g.display_name))
            return link_exact(own, country, g.company_form, self.index, notes, flag=g.flag,
                              strong=strong, evidence=evidence)
        if g.role == GOVERNMENT:
            link = self._government_link(g, notes)
            if link is not None or g.qualifier == "united states":
                return link
            # 'National University Corporation Tohoku University': the body is its own record
            # (the legal form belongs to the pattern, not to the body; the government named
            # gives the country)
            code = _GOV_COUNTRY.get(g.qualifier) or country_code(g.qualifier)
            return link_exact(g.normalised, code or country, False, self.index, notes,
                              flag=g.flag, strong=code is not None or strong,
                              evidence=evidence)
        return link_exact(g.normalised, country, g.company_form, self.index, notes, flag=g.flag,
                          strong=strong, evidence=evidence,
                          home=FORM_COUNTRIES.get(g.jurisdiction or "", frozenset()))

    def _government_link(self, g: NameGroup, notes: list[str]) -> Link | None:
        assert g.pattern is not None
        core, qual = g.pattern.core, g.pattern.qualifier
        code = _GOV_COUNTRY.get(qual) or country_code(qual)
        for text in (f"{qual} {core}", f"{qual} department of {core}", f"department of {core}",
                     core, f"{core} {qual}"):
            link = link_exact(normalise(text), code, False, self.index, notes,
                              strong=code is not None)
            if link is None and " " not in core:
                link = link_acronym(normalise(core), code, self.index, notes)
            if link is not None and "government" in self.index.types(link.ror_id):
                return Link(link.ror_id, link.score, f"{g.pattern.reason}; {link.reason}")
        return None

    def _cluster_links(
        self,
        clusters: list[list[int]],
        groups: list[NameGroup],
        exact: list[Link | None],
        df: Counter[str],
    ) -> list[tuple[Link | None, list[str], ReviewRow | None]]:
        """`_cluster_link` of every cluster, in `settings.workers` processes: (link, notes on
        its main group, borderline link for the review file)."""
        if self.settings.fuzzy:  # (built here once, not in every worker)
            _ = self.index.fuzzy_blocks, self.index.loose_names, self.index.vocabulary

        def work(start: int, stop: int) -> list[tuple[Link | None, list[str], ReviewRow | None]]:
            out: list[tuple[Link | None, list[str], ReviewRow | None]] = []
            for members in clusters[start:stop]:
                found: list[str] = []
                review: list[ReviewRow] = []
                link = self._cluster_link(members, groups, exact, found, review, df)
                out.append((link, found, review[0] if review else None))
            return out

        return fork_map(work, len(clusters), worker_count(self.settings.workers),
                        min_items=_MIN_FORKED_CLUSTERS, chunk=_CLUSTER_CHUNK,
                        what="cluster links")

    def _cluster_link(
        self,
        members: list[int],
        groups: list[NameGroup],
        exact: list[Link | None],
        notes: list[str],
        review: list[ReviewRow],
        df: Counter[str],
    ) -> Link | None:
        """The ROR link of one cluster; notes on its main group and a borderline link for
        the review file are appended to `notes` and `review`."""
        raws = [raw for i in members for raw in groups[i].variants]
        forced = next((self.overrides.link[r] for r in raws if r in self.overrides.link), None)
        if forced:
            return Link(forced, 1.0, "set by override")
        banned: set[str] | None = None
        for r in raws:
            if r in self.overrides.unlink:
                banned = (banned or set()) | self.overrides.unlink[r]
                if not self.overrides.unlink[r]:
                    return None
        main = max(members, key=lambda i: (groups[i].count, groups[i].key_text))
        candidates = [exact[i] for i in members if exact[i] is not None]
        link: Link | None = None
        if candidates:
            link = max(candidates, key=lambda lk: lk.score if lk else 0.0)
        g = groups[main]
        if link is None and g.role in ("", GOVERNANCE):
            pooled = self._pooled_country(members, groups)
            flag = self._pooled_flag(members, groups)
            if self.settings.use_acronyms:
                link = link_acronym(g.normalised, pooled, self.index, notes,
                                    g.company_form, flag)
            if link is None and self.settings.fuzzy:
                link, borderline = link_fuzzy(g.normalised, pooled, g.company_form, self.index,
                                              self.settings, notes, df, flag)
                if borderline is not None:
                    review.append(ReviewRow("link", g.display_name, borderline.ror_id,
                                            borderline.score, borderline.reason))
        if link is not None and banned and link.ror_id in banned:
            notes.append(f"link to {link.ror_id} refused by override")
            return None
        return link

    def _acts_for(self, members: list[int], groups: list[NameGroup],
                  notes: dict[int, list[str]], df: Counter[str]) -> tuple[ActsFor, ...]:
        raws = [raw for i in members for raw in groups[i].variants]
        forced = next((self.overrides.acts_for[r] for r in raws if r in self.overrides.acts_for),
                      None)
        if forced:
            return (ActsFor(forced, 1.0, "set by override"),)
        tto = [i for i in members if groups[i].role == TTO]
        if not tto:
            return ()
        main = max(tto, key=lambda i: (groups[i].count, groups[i].key_text))
        g = groups[main]
        assert g.pattern is not None
        core = g.pattern.core
        country = self._pooled_country(members, groups)
        link = link_exact(core, country, False, self.index, notes[main])
        if link is None:
            link = link_acronym(core, country, self.index, notes[main])
        if link is None and self.settings.fuzzy:
            link, _ = link_fuzzy(core, country, False, self.index, self.settings, notes[main],
                                 df)
        if link is None:
            notes[main].append(f"the university '{core}' was not found in ROR")
            return ()
        return (ActsFor(link.ror_id, link.score, f"{g.pattern.reason}: {link.reason}"),)

    # --- building clusters ---------------------------------------------------------------------

    @staticmethod
    def _pooled_flag(members: list[int], groups: list[NameGroup]) -> str | None:
        types: Counter[str] = Counter()
        for i in members:
            types.update(groups[i].types)
        return type_flag(types)

    @staticmethod
    def _pooled_country(members: list[int], groups: list[NameGroup]) -> str | None:
        pooled: Counter[str] = Counter()
        for i in members:
            pooled.update(groups[i].locations or groups[i].countries)
        if not pooled:
            return None
        return min(pooled.items(), key=lambda kv: (-kv[1], kv[0]))[0]

    @staticmethod
    def _group_reason(g: NameGroup) -> str:
        if g.pattern is not None:
            return g.pattern.reason
        if len(g.variants) > 1:
            return f"{len(g.variants)} spellings with the same normalised name '{g.normalised}'"
        return f"normalised name '{g.normalised}'"

    def _pair_overrides(
        self, group_of: dict[str, int]
    ) -> tuple[list[tuple[int, int, str]], list[tuple[int, int]]]:
        must: list[tuple[int, int, str]] = []
        cannot: list[tuple[int, int]] = []
        unknown = 0
        for pairs, out in ((self.overrides.merge, must), (self.overrides.split, cannot)):
            for a, b in pairs:
                if a in group_of and b in group_of:
                    if out is must:
                        must.append((group_of[a], group_of[b], "merged by override"))
                    else:
                        cannot.append((group_of[a], group_of[b]))
                else:
                    unknown += 1
        if unknown:
            log.info("%d override pair(s) name strings not in this batch; not applied", unknown)
        return must, cannot

    def _individual_cluster(self, key: str, group: NameGroup) -> OrgCluster:
        return OrgCluster(
            key=key,
            display_name=group.display_name,
            names=tuple(sorted(group.variants)),
            kind=OrgKind.INDIVIDUAL,
            ror_id=None,
            link_score=None,
            link_reason=None,
            merge_reason="individual: identical name",
        )

    def _org_cluster(
        self,
        members: list[int],
        groups: list[NameGroup],
        link: Link | None,
        acts: tuple[ActsFor, ...],
        extra: str,
        inner: list[Merge],
        notes: dict[int, list[str]] | None = None,
    ) -> OrgCluster:
        """The cluster of `members`; `inner` are the merges within it, in merge order."""
        main = max(members, key=lambda i: (groups[i].count, groups[i].key_text))
        pooled = NameGroup("", "")
        for i in members:
            pooled.absorb(groups[i])
        g = groups[main]
        ror_types = self.index.types(link.ror_id) if link else ()
        if g.role == GOVERNMENT:
            kind = classify_kind(pooled.display_name, "6", ror_types)
        elif g.role == TTO and not ror_types:
            kind = OrgKind.COMPANY if g.company_form else OrgKind.NONPROFIT
        elif g.role == GOVERNANCE and not ror_types:
            kind = OrgKind.UNIVERSITY
        else:
            kind = classify_kind(pooled.display_name, pooled.type_code, ror_types)
        if kind is OrgKind.INDIVIDUAL:  # an organisation string filed with a person's type
            kind = classify_kind(pooled.display_name, None)
        parts: list[str] = [self._group_reason(g)]
        if inner:
            reasons = Counter(m.reason.split(";")[0].split(" '")[0] for m in inner)
            low = min(m.score for m in inner)
            parts.append(f"{len(inner)} merge(s), lowest score {low:.3f}: "
                         + ", ".join(f"{r} x{n}" if n > 1 else r for r, n in reasons.items()))
        if extra:
            parts.append(extra)
        return OrgCluster(
            key=key_of(g.key_text),
            display_name=pooled.display_name,
            names=tuple(sorted(pooled.variants)),
            kind=kind,
            ror_id=link.ror_id if link else None,
            link_score=link.score if link else None,
            link_reason=link.reason if link else None,
            merge_reason="; ".join(parts),
            acts_for=acts,
            merge_score=round(min((m.score for m in inner), default=1.0), 3),
            notes=tuple(dict.fromkeys(n for i in members for n in (notes or {}).get(i, ()))),
            count=pooled.count,
        )
