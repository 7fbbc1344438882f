"""Field arguments that name several technology selections at once: themes (`AI`,
`agriculture`), fields (`Semiconductors`, `H04L9/00`) or both, comma-separated or as a list.

A theme is one selection made of several parts (its CPC symbols and WIPO fields; a patent is in
it when it is in one of its parts); a field is a selection of one part. A field name holding a
comma (`Materials, metallurgy`) is taken whole when it is a field's exact name.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from ttkg.core.errors import AmbiguousEntityError, EntityNotFoundError, InvalidQueryError
from ttkg.core.model import NodeLabel
from ttkg.graph.backends.contract import FieldSet, FieldSpec, GraphBackend
from ttkg.queries.common import Values
from ttkg.queries.models import FieldRef
from ttkg.queries.research import ResearchSpec, field_ref_of, resolve_any_field
from ttkg.queries.resolve import resolve_field
from ttkg.queries.themes import Theme, ThemeTable, default_themes

__all__ = [
    "MAX_SELECTIONS",
    "FieldArg",
    "FieldUnion",
    "Selection",
    "field_arg_ref",
    "field_set",
    "resolve_field_arg",
    "resolve_selections",
    "selection_ref",
]

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
    research: tuple[str, ...] = ()  # a theme's OpenAlex fields in this graph (its works)


def _theme(backend: GraphBackend, theme: Theme) -> Selection:
    parts: list[FieldSpec] = []
    for text in [*theme.cpc, *(str(n) for n in theme.wipo)]:
        try:
            parts.append(resolve_field(backend, text))
        except EntityNotFoundError:  # a graph built with a smaller CPC scheme
            log.warning("theme %s: %s is not in this graph; left out", theme.key, text)
    if not parts:
        raise InvalidQueryError(f"theme {theme.key!r}: none of its fields is in this graph")
    research = tuple(r for r in theme.openalex if r in backend.get_nodes(list(theme.openalex)))
    return Selection(theme.id, theme.name, "theme", tuple(parts), theme.source, research)


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



def selection_ref(sel: Selection) -> FieldRef:
    """The JSON form of a resolved selection: a field, or a theme with its parts and source."""
    if sel.kind != "theme":
        return field_ref_of(sel.parts[0])
    return FieldRef(
        id=sel.id, name=sel.name, kind="theme", value=sel.id.removeprefix("theme:"),
        source=sel.source, parts=[field_ref_of(p) for p in sel.parts],
    )


@dataclass(frozen=True, slots=True)
class FieldUnion:
    """A field argument naming a theme, or several fields or themes at once: a patent is in
    it when it is in any of their parts (and counts once)."""

    selections: tuple[Selection, ...]

    @property
    def parts(self) -> tuple[FieldSpec, ...]:
        """Every part of every selection, each once, in the order written."""
        return tuple(dict.fromkeys(p for s in self.selections for p in s.parts))


#: A field argument resolved: one technology field, one research field, or a union.
FieldArg = FieldSpec | ResearchSpec | FieldUnion


def field_set(arg: FieldSpec | FieldUnion) -> FieldSet:
    """What the backend primitives take for a technology field argument."""
    return arg.parts if isinstance(arg, FieldUnion) else arg


def field_arg_ref(arg: FieldArg) -> FieldRef:
    """The echo of a field argument: the field; a theme with its parts; several fields or
    themes (kind `fields`) with each of them."""
    if not isinstance(arg, FieldUnion):
        return field_ref_of(arg)
    refs = [selection_ref(s) for s in arg.selections]
    if len(refs) == 1:
        return refs[0]
    names = (r.value if r.kind == "cpc" else r.name for r in refs)  # CPC titles run long
    return FieldRef(id=",".join(r.id for r in refs), name=" or ".join(names),
                    kind="fields", value=",".join(r.value for r in refs), parts=refs)


def _refuse_theme_and_field(backend: GraphBackend, text: str, theme: Theme) -> None:
    """A name that is a theme and exactly a field's name too (`energy`: the theme, and
    OpenAlex's research field Energy) is a question back naming both ids to write."""
    try:
        found = resolve_any_field(backend, text)
    except (AmbiguousEntityError, EntityNotFoundError, InvalidQueryError):
        return  # no one field has exactly this name
    exact = isinstance(found, ResearchSpec) or found.name.casefold() == text.strip().casefold()
    if exact:
        raise AmbiguousEntityError(
            text.strip(), [f"{theme.id} (theme {theme.name})", f"{found.node_id} ({found.name})"]
        )


def resolve_field_arg(
    backend: GraphBackend, text: str, themes: ThemeTable | None = None
) -> FieldArg:
    """A field argument of bridges, partners and profile: one field as `resolve_any_field`
    reads it (WIPO field or sector, CPC symbol, OpenAlex research field; an ambiguous name
    is a question back), or a theme, or several fields or themes comma-separated (`H01L,
    Optics`, `AI,health`): their union. Several at once are technology selections: a research
    field among them is refused, naming it. A theme's name that is also exactly a field's
    (`energy`) is a question back: write `theme:energy` or the field's id."""
    table = themes or default_themes()
    theme = table.find(text)
    if theme is not None and not text.strip().casefold().startswith("theme:"):
        _refuse_theme_and_field(backend, text, theme)
    if theme is None:
        try:
            return resolve_any_field(backend, text)
        except EntityNotFoundError as exc:
            if "," not in text:
                near = table.suggest(text)
                hint = (exc.hint or "a field") + "; or a theme: " + ", ".join(
                    near or table.themes)
                raise EntityNotFoundError(exc.query, exc.suggestions, hint) from None
        for item in (t.strip() for t in text.split(",")):
            named = table.find(item) if item else None
            if named is not None and not item.casefold().startswith("theme:"):
                _refuse_theme_and_field(backend, item, named)
            if not item or named is not None:
                continue
            try:
                found = resolve_any_field(backend, item)
            except EntityNotFoundError:
                continue  # refused below, with the themes named
            if isinstance(found, ResearchSpec):
                raise InvalidQueryError(
                    f"field {text!r}: several fields or a theme at once are technology "
                    f"selections (patents); {item!r} is an OpenAlex research field: ask it alone"
                )
    return FieldUnion(tuple(resolve_selections(backend, text, table)))
