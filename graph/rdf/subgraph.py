"""RDF of a query result (a path, a bridge answer, a neighbourhood) for content negotiation.

`render_subgraph(nodes, edges, fmt)` maps a handful of nodes and edges exactly as the
whole-graph export does (same IRIs, same vocabulary), so a client can merge API answers with a
bulk export in one triple store.

Inputs:
* nodes: `ttkg.graph.backends.contract.NodeRecord` (id, label, props as stored in the artifact);
* edges: `SubgraphEdge` (src id, type, dst id, props as stored; for the derived relations
  CO_ASSIGNED and ACTIVE_IN also the evidence patent ids and the total count);
* fmt: `turtle` | `nt` | `jsonld`, or a media type (text/turtle, application/n-triples,
  application/ld+json); `negotiate(accept_header)` picks one from an HTTP Accept header.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from ttkg.core.errors import InvalidQueryError
from ttkg.core.model import EdgeType, NodeLabel
from ttkg.graph.backends.contract import NodeRecord, Relation
from ttkg.graph.rdf.iris import IriMinter
from ttkg.graph.rdf.mapping import Block, Mapper
from ttkg.graph.rdf.writers import MEDIA_TYPES, RdfFormat, make_writer

__all__ = ["SubgraphEdge", "negotiate", "render_subgraph", "resolve_format"]

_BY_MEDIA_TYPE: Final = {v: k for k, v in MEDIA_TYPES.items()}
_ALIASES: Final = {"ttl": RdfFormat.TURTLE, "ntriples": RdfFormat.NT, "n-triples": RdfFormat.NT,
                   "json-ld": RdfFormat.JSONLD, "application/json": RdfFormat.JSONLD}


@dataclass(frozen=True, slots=True)
class SubgraphEdge:
    """One edge of a query result.

    `type` is a stored `EdgeType`, or `Relation.CO_ASSIGNED` / `Relation.ACTIVE_IN` (or their
    string values). For those derived relations `evidence` lists patent ids behind the edge
    (possibly a first page) and `evidence_total` the full count (defaults to len(evidence)).
    """

    src: str
    type: EdgeType | Relation | str
    dst: str
    props: Mapping[str, Any] = field(default_factory=dict)
    evidence: tuple[str, ...] = ()
    evidence_total: int | None = None


def resolve_format(fmt: RdfFormat | str) -> RdfFormat:
    """A format from its name (`turtle`, `nt`, `jsonld`) or media type."""
    if isinstance(fmt, RdfFormat):
        return fmt
    key = fmt.strip().lower().split(";", 1)[0].strip()
    found = _BY_MEDIA_TYPE.get(key) or _ALIASES.get(key)
    if found is not None:
        return found
    try:
        return RdfFormat(key)
    except ValueError:
        known = ", ".join([*(f.value for f in RdfFormat), *MEDIA_TYPES.values()])
        raise InvalidQueryError(f"unknown RDF format {fmt!r}; use one of {known}") from None


def negotiate(accept: str | None) -> RdfFormat | None:
    """The RDF format an HTTP Accept header prefers, or None when it accepts no RDF type.

    `*/*` and `application/*` are not taken as a request for RDF (the API then answers with
    its default JSON); ties in quality keep the order of the header.
    """
    best: tuple[float, RdfFormat] | None = None
    for media, q in accept_items(accept):
        fmt = _BY_MEDIA_TYPE.get(media)
        if fmt is not None and q > 0 and (best is None or q > best[0]):
            best = (q, fmt)
    return best[1] if best else None


def accept_items(accept: str | None) -> list[tuple[str, float]]:
    """An Accept header as (media type in lower case, quality) in header order; a malformed
    quality counts as 0.

    >>> accept_items("text/CSV;q=0.5, application/json")
    [('text/csv', 0.5), ('application/json', 1.0)]
    """
    items = []
    for item in (accept or "").split(","):
        media, *params = (x.strip() for x in item.split(";"))
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        items.append((media.lower(), q))
    return items


def render_subgraph(
    nodes: Iterable[NodeRecord],
    edges: Iterable[SubgraphEdge] = (),
    fmt: RdfFormat | str = RdfFormat.TURTLE,
    sources: Mapping[str, Mapping[str, Any]] | None = None,
) -> str:
    """Serialise nodes and edges of a query result as RDF text in `fmt`.

    `sources` (the manifest's `sources` map) adds the description and licence of every
    source the nodes and edges cite. Raises InvalidQueryError for an unknown format or
    edge type.
    """
    rdf_format = resolve_format(fmt)
    node_list = list(nodes)
    alpha3 = {
        str(n.props.get("code")): str(n.props.get("alpha3"))
        for n in node_list
        if n.label == NodeLabel.COUNTRY and n.props.get("code") and n.props.get("alpha3")
    }
    mapper = Mapper(IriMinter(alpha3))
    blocks: list[Block] = [mapper.node(n.label, {**n.props, "id": n.id}) for n in node_list]
    for e in edges:
        blocks.extend(_edge_blocks(mapper, e))
    if sources:
        used = mapper.seen_sources
        blocks.extend(mapper.source_blocks({k: v for k, v in sources.items() if k in used}))
    buf = io.BytesIO()
    writer = make_writer(rdf_format, buf)
    writer.begin()
    for subject, pairs in blocks:
        writer.write(subject, pairs)
    writer.end()
    return buf.getvalue().decode("utf-8")


def _edge_blocks(mapper: Mapper, e: SubgraphEdge) -> list[Block]:
    kind = str(e.type.value if isinstance(e.type, Relation | EdgeType) else e.type)
    if kind == Relation.CO_ASSIGNED:
        return mapper.co_ownership(e.src, e.dst, e.evidence, e.evidence_total)
    if kind == Relation.ACTIVE_IN:
        org, fld = (e.dst, e.src) if e.src.startswith("wipo:") else (e.src, e.dst)
        return mapper.field_activity(org, fld, e.evidence, e.evidence_total)
    try:
        etype = EdgeType(kind)
    except ValueError:
        raise InvalidQueryError(f"cannot render edge type {kind!r} as RDF") from None
    return mapper.edge(etype, {**e.props, "src": e.src, "dst": e.dst})
