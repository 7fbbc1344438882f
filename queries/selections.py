"""Field arguments that name several technology selections at once: themes (`AI`,
`agriculture`), fields (`Semiconductors`, `H04L9/00`) or both, comma-separated or as a list.

A theme is one selection made of several parts (its CPC symbols and WIPO fields; a patent is in
it when it is in one of its parts); a field is a selection of one part. A field name holding a
comma (`Materials, metallurgy`) is taken whole when it is a field's exact name.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from ttkg.core.errors import EntityNotFoundError, InvalidQueryError
from ttkg.core.model import NodeLabel
from ttkg.graph.backends.contract import FieldSpec, GraphBackend
from ttkg.queries.common import Values
from ttkg.queries.resolve import resolve_field
from ttkg.queries.themes import Theme, ThemeTable, default_themes

__all__ = ["MAX_SELECTIONS", "Selection", "resolve_selections"]

log = logging.getLogger(__name__)

_FIELD_LABELS = (NodeLabel.TECHNOLOGY_FIELD, NodeLabel.CPC_CLASS)
#: Most selections one argument may name.
MAX_SELECTIONS = 20


@dataclass(frozen=True, slots=True)
class Selection:
    """A theme or a field, resolved: its parts as the backend's FieldSpecs."""

    id: str  # theme:ai, or the field's node id
    name: str
    kind: str  # "theme", or the field's kind (wipo_field, wipo_sector, cpc)
    parts: tuple[FieldSpec, ...]
    source: str | None = None  # a theme's published source


def _theme(backend: GraphBackend, theme: Theme) -> Selection:
    parts: list[FieldSpec] = []
    for text in [*theme.cpc, *(str(n) for n in theme.wipo)]:
        try:
            parts.append(resolve_field(backend, text))
        except EntityNotFoundError:  # a graph built with a smaller CPC scheme
            log.warning("theme %s: %s is not in this graph; left out", theme.key, text)
    if not parts:
        raise InvalidQueryError(f"theme {theme.key!r}: none of its fields is in this graph")
    return Selection(theme.id, theme.name, "theme", tuple(parts), theme.source)


def _field(backend: GraphBackend, text: str) -> Selection:
    spec = resolve_field(backend, text)
    return Selection(spec.node_id, spec.name, spec.kind, (spec,))


def _one(backend: GraphBackend, text: str, themes: ThemeTable, themes_only: bool) -> Selection:
    theme = themes.find(text)
    if theme is not None:
        return _theme(backend, theme)
    if themes_only:
        themes.get(text)  # raises, with suggestions
    try:
        return _field(backend, text)
    except EntityNotFoundError as exc:
        near = themes.suggest(text)
        hint = (exc.hint or "a field") + "; or a theme: " + ", ".join(near or themes.themes)
        raise EntityNotFoundError(exc.query, exc.suggestions, hint) from None


def resolve_selections(
    backend: GraphBackend,
    values: Values,
    themes: ThemeTable | None = None,
    *,
    themes_only: bool = False,
) -> list[Selection]:
    """The selections a field (or theme) argument names, in the order written, each once.

    >>> from ttkg.queries.themes import default_themes
    >>> [t.key for t in map(default_themes().find, ["AI", "health"]) if t]
    ['ai', 'health']
    """
    table = themes or default_themes()
    raw = [values] if isinstance(values, str) else list(values or ())
    out: dict[str, Selection] = {}
    for text in raw:
        if not text.strip():
            continue
        items = [t.strip() for t in text.split(",") if t.strip()]
        whole = table.find(text) is not None or (
            not themes_only and bool(backend.lookup(text.strip(), _FIELD_LABELS, 1))
        )
        if len(items) < 2 or whole:
            found = [_one(backend, text, table, themes_only)]
        else:
            found = [_one(backend, t, table, themes_only) for t in items]
        for sel in found:
            out.setdefault(sel.id, sel)
    if len(out) > MAX_SELECTIONS:
        raise InvalidQueryError(f"at most {MAX_SELECTIONS} fields or themes, got {len(out)}")
    return list(out.values())

