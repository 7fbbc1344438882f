"""`OrganizationResolver`: assignee strings in, organisations (clusters, ROR links) out."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from graph.identity.entities import AssigneeName, OrgCluster, Resolution
from graph.identity.groups import NameGroup, aggregate, group_names, individual_key
from graph.identity.kinds import classify_kind
from graph.identity.link import Link, link_exact
from graph.identity.normalise import normalise
from graph.identity.ror_index import RorIndex
from graph.identity.settings import IdentitySettings
from graph.model import OrgKind
from loaders.records import RorRecord

__all__ = ["Explanation", "OrganizationResolver"]

log = logging.getLogger(__name__)


@dataclass
class Explanation:
    """Why a name ended up where it did (for `ttkg identity explain`)."""

    name: str
    normalised: str
    cluster: OrgCluster
    notes: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        c = self.cluster
        out = [
            f"name:        {self.name}",
            f"normalised:  {self.normalised}",
            f"cluster:     {c.key}  ({c.display_name}; {len(c.names)} variant(s))",
            f"kind:        {c.kind.value}",
            f"merge:       {c.merge_reason}",
            f"ror:         {c.ror_id or '-'}"
            + (f"  score {c.link_score:.3f}: {c.link_reason}" if c.ror_id else ""),
        ]
        out += [f"acts for:    {a.ror_id}  score {a.score:.3f}: {a.reason}" for a in c.acts_for]
        out += [f"note:        {n}" for n in self.notes]
        return out


class OrganizationResolver:
    """Clusters assignee strings into organisations and links them to ROR."""

    def __init__(
        self, ror: Iterable[RorRecord], settings: IdentitySettings | None = None
    ) -> None:
        self.settings = settings or IdentitySettings()
        self.index = RorIndex(ror)
        self._notes: dict[str, list[str]] = {}

    # --- public ------------------------------------------------------------------------------

    def resolve(self, names: Iterable[AssigneeName]) -> Resolution:
        """Resolve a batch of names; every input name is in `cluster_of`."""
        orgs, people = aggregate(names)
        clusters: dict[str, OrgCluster] = {}
        cluster_of: dict[str, str] = {}
        for group in group_names(people, individual=True):
            key = individual_key(group.normalised)
            clusters[key] = self._individual_cluster(key, group)
            for raw in group.variants:
                cluster_of[raw] = key
        self._notes = {}
        groups = group_names(orgs)
        linked: dict[str, list[tuple[NameGroup, Link]]] = {}
        unlinked: list[NameGroup] = []
        for group in groups:
            link, notes = link_exact(group, self.index, self.settings)
            if notes:
                self._notes[group.normalised] = notes
            if link is None:
                unlinked.append(group)
            else:
                linked.setdefault(link.ror_id, []).append((group, link))
        for group in unlinked:
            cluster = self._org_cluster([group], None, "variants share the normalised name")
            clusters[cluster.key] = cluster
        for members in linked.values():
            groups_ = [g for g, _ in members]
            best = max(members, key=lambda m: (m[1].score, m[0].count))[1]
            reason = (
                "variants share the normalised name"
                if len(groups_) == 1
                else f"{len(groups_)} normalised names link to the same ROR record"
            )
            cluster = self._org_cluster(groups_, best, reason)
            clusters[cluster.key] = cluster
        for cluster in clusters.values():
            if cluster.kind is not OrgKind.INDIVIDUAL:
                for raw in cluster.names:
                    cluster_of[raw] = cluster.key
        log.info("resolved %d names into %d clusters", len(cluster_of), len(clusters))
        return Resolution(clusters=clusters, cluster_of=cluster_of)

    def explain(
        self,
        name: str,
        *,
        assignee_type: str | None = None,
        country: str | None = None,
        resolution: Resolution | None = None,
    ) -> Explanation:
        """Explain the decision for one name: alone, or inside an earlier `resolution`."""
        if resolution is None or name not in resolution.cluster_of:
            resolution = self.resolve([AssigneeName(name, assignee_type, country, 1)])
        cluster = resolution.clusters[resolution.cluster_of[name]]
        norm = normalise(name)
        return Explanation(name, norm, cluster, list(self._notes.get(norm, [])))

    # --- helpers -----------------------------------------------------------------------------

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

    def _org_cluster(self, groups: list[NameGroup], link: Link | None, reason: str) -> OrgCluster:
        main = max(groups, key=lambda g: (g.count, g.normalised))
        pooled = NameGroup(normalised=main.normalised)
        for g in groups:
            pooled.absorb(g)
        ror_types = self.index.records[link.ror_id].types if link else ()
        kind = classify_kind(pooled.display_name, pooled.type_code, ror_types)
        if kind is OrgKind.INDIVIDUAL:  # an organisation string filed with a person's type
            kind = classify_kind(pooled.display_name, None)
        return OrgCluster(
            key=main.key,
            display_name=pooled.display_name,
            names=tuple(sorted(pooled.variants)),
            kind=kind,
            ror_id=link.ror_id if link else None,
            link_score=link.score if link else None,
            link_reason=link.reason if link else None,
            merge_reason=reason,
        )
