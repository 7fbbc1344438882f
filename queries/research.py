"""Research fields (OpenAlex) in queries: naming them, and what their works say.

What is counted, exactly:

* a work is *in* research field R when one of its listed topics (HAS_TOPIC) is R or falls
  under R through BROADER (topic -> subfield -> field -> domain);
* an organisation *publishes in* R with the number of distinct works in R that list it
  among their authorships' organisations (AUTHORED_BY, any basis);
* two organisations *co-author* a work when both are among its organisations;
* years filter works by publication year (patents by grant year).

A field argument anywhere in ttkg names a WIPO field (name or number), a WIPO sector, a CPC
symbol, or an OpenAlex domain, field, subfield or topic (by name or id such as
`openalex:field:17`): `resolve_any_field`. A name that is both a technology field and a
research field (`Biotechnology`: WIPO field 15 and OpenAlex subfield 1305) is a question
back, listing both ids.
"""

from __future__ import annotations

import re
import weakref
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from ttkg.core.errors import AmbiguousEntityError, EntityNotFoundError, InvalidQueryError
from ttkg.core.model import NodeLabel
from ttkg.graph.backends.contract import FieldSpec, Filters, GraphBackend, WorkRef
from ttkg.graph.backends.research import passing, work_refs
from ttkg.queries.models import FieldRef
from ttkg.queries.resolve import resolve_field

__all__ = [
    "ResearchSpec",
    "field_ref_of",
    "newest_works",
    "organisation_level_only",
    "passing",
    "resolve_any_field",
    "resolve_research_field",
]

_ID: Final = re.compile(r"^openalex:(domain|field|subfield|topic):\d+$")
_TECH_LABELS: Final = (NodeLabel.TECHNOLOGY_FIELD, NodeLabel.CPC_CLASS)


@dataclass(frozen=True, slots=True)
class ResearchSpec:
    """A resolved OpenAlex research field at any level."""

    node_id: str  # openalex:field:25
    level: str  # domain | field | subfield | topic
    name: str


# per backend: research field name (casefolded) -> ids carrying it; built once
_by_name: weakref.WeakKeyDictionary[GraphBackend, dict[str, list[str]]] = (
    weakref.WeakKeyDictionary()
)


def _research_names(backend: GraphBackend) -> dict[str, list[str]]:
    found = _by_name.get(backend)
    if found is None:
        found = defaultdict(list)
        for nid, name in backend.names([NodeLabel.RESEARCH_FIELD]):
            found[name.casefold()].append(nid)
        _by_name[backend] = found = {k: sorted(v) for k, v in found.items()}
    return found


def _exact_research(backend: GraphBackend, q: str) -> list[str]:
    """Ids of research fields whose id or name is q (ignoring case)."""
    if _ID.match(q):
        return [q] if backend.get_nodes([q]) else []
    return list(_research_names(backend).get(q.casefold(), ()))


def _spec(backend: GraphBackend, node_id: str) -> ResearchSpec:
    node = backend.get_nodes([node_id])[node_id]
    return ResearchSpec(node.id, str(node.props.get("level")), node.name)


def resolve_research_field(backend: GraphBackend, text: str) -> ResearchSpec:
    """An OpenAlex domain, field, subfield or topic by id (`openalex:field:17`) or by name
    (case-insensitive, exact). A name several nodes carry (e.g. a subfield and a topic) is an
    AmbiguousEntityError listing them; an unknown one an EntityNotFoundError with names
    that contain the text."""
    q = " ".join(text.split())
    hits = _exact_research(backend, q)
    if len(hits) == 1:
        return _spec(backend, hits[0])
    if hits:
        raise AmbiguousEntityError(q, [f"{nid} ({q})" for nid in hits])
    raise EntityNotFoundError(
        q,
        _research_suggestions(backend, q),
        hint="a research field is an OpenAlex domain, field, subfield or topic, by name or id "
        "such as openalex:field:17",
    )


def _research_suggestions(backend: GraphBackend, q: str) -> list[dict[str, str | None]]:
    near = sorted(
        (nid, name)
        for nid, name in backend.names([NodeLabel.RESEARCH_FIELD])
        if q.casefold() in name.casefold()
    )
    return [
        {"id": nid, "name": name, "label": NodeLabel.RESEARCH_FIELD.value}
        for nid, name in near[:10]
    ]


def resolve_any_field(backend: GraphBackend, text: str) -> FieldSpec | ResearchSpec:
    """A technology field (as `resolve_field` reads it) or an OpenAlex research field.

    An exact research id or name wins over a technology field found only by prefix; a name
    that is exactly both (a WIPO field or sector, or a CPC title, and a research field) is an
    AmbiguousEntityError naming the ids to write instead."""
    q = " ".join(text.split())
    research = _exact_research(backend, q) if q else []
    if research:
        tech = [
            n for n in backend.lookup(q, _TECH_LABELS, limit=5) if n.name.casefold() == q.casefold()
        ]
        if tech or len(research) > 1:
            kinds = [f"{n.id} ({n.name}, {n.label.value})" for n in tech]
            kinds += [f"{nid} ({q}, {NodeLabel.RESEARCH_FIELD.value})" for nid in research]
            raise AmbiguousEntityError(q, kinds)
        return _spec(backend, research[0])
    try:
        return resolve_field(backend, text)
    except EntityNotFoundError as exc:
        raise EntityNotFoundError(
            exc.query,
            exc.suggestions + _research_suggestions(backend, q),
            "a field is a WIPO field name or number, a WIPO sector, a CPC symbol, or an "
            "OpenAlex domain, field, subfield or topic (name or id such as openalex:field:17)",
        ) from None


def organisation_level_only(filters: Filters, query: str) -> None:
    """Refuse the family level for research fields: works are counted per organisation."""
    if filters.family:
        raise InvalidQueryError(
            f"{query}: research fields are counted per organisation; level family is not "
            "available with a research field"
        )


def field_ref_of(spec: FieldSpec | ResearchSpec) -> FieldRef:
    """The JSON form of a resolved field (technology or research)."""
    if isinstance(spec, ResearchSpec):
        return FieldRef(
            id=spec.node_id,
            name=spec.name,
            kind=f"openalex_{spec.level}",  # type: ignore[arg-type]
            value=spec.node_id.rsplit(":", 1)[1],
        )
    return FieldRef(id=spec.node_id, name=spec.name, kind=spec.kind, value=spec.value)


def newest_works(backend: GraphBackend, ranked: Sequence[str], limit: int) -> list[WorkRef]:
    """References of the first `limit` of works already ranked newest first."""
    return work_refs(backend, ranked, limit)
