"""Organisation identity: which assignee strings are one organisation, and which ROR record.

Seam to the build: `OrganizationResolver(ror_records).resolve(assignee_names)` returns a
`Resolution` (clusters with ROR links, scores and reasons; raw name -> cluster key).
"""

from ttkg.graph.identity.entities import ActsFor, AssigneeName, OrgCluster, Resolution
from ttkg.graph.identity.kinds import classify_kind
from ttkg.graph.identity.normalise import normalise
from ttkg.graph.identity.resolver import Explanation, OrganizationResolver
from ttkg.graph.identity.settings import IdentitySettings

__all__ = [
    "ActsFor",
    "AssigneeName",
    "Explanation",
    "IdentitySettings",
    "OrgCluster",
    "OrganizationResolver",
    "Resolution",
    "classify_kind",
    "normalise",
]
