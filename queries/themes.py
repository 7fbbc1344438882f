"""Themes in plain words (AI, agriculture, digital security, energy, health...) mapped to
technology selections: CPC symbols, WIPO fields and OpenAlex research fields, each theme citing
the published source of its mapping.

The table is data (`data/themes.toml`, documented there); a user's TOML file of the same
layout overrides or extends it (`load_themes(path)`). A theme is named by its key, its name or
an alias, ignoring case, spaces, hyphens and underscores.

>>> t = default_themes()
>>> t.find("AI").key, t.find("Energy and renewables").key, t.find("digital-security").key
('ai', 'energy', 'digital_security')
>>> t.suggest("agricultre")
['agriculture']
"""

from __future__ import annotations

import difflib
import functools
import importlib.resources
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ttkg.core.errors import InvalidQueryError

__all__ = ["Theme", "ThemeTable", "default_themes", "load_themes"]


@dataclass(frozen=True, slots=True)
class Theme:
    """One theme: the selections it stands for and where the mapping comes from."""

    key: str
    name: str
    cpc: tuple[str, ...]
    wipo: tuple[int, ...]
    openalex: tuple[str, ...]
    source: str
    aliases: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        """`theme:ai`: how answers name it."""
        return f"theme:{self.key}"


def _key(text: str) -> str:
    return re.sub(r"[\s\-_.]+", "", text.casefold().replace("&", "and"))


@dataclass(frozen=True, slots=True)
class ThemeTable:
    """Themes by key, and where they were read from."""

    themes: dict[str, Theme]
    files: tuple[str, ...]
    #: every spelling's key -> the first theme (in table order) it names; made once, as
    #: every bridges and profile query asks for its two fields
    by_key: dict[str, Theme] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_key: dict[str, Theme] = {}
        for theme in self.themes.values():
            for spelling in (theme.key, theme.name, *theme.aliases):
                by_key.setdefault(_key(spelling), theme)
        object.__setattr__(self, "by_key", by_key)

    def find(self, name: str) -> Theme | None:
        """The theme a name means (key, name or alias), or None."""
        return self.by_key.get(_key(name.removeprefix("theme:")))

    def suggest(self, name: str, n: int = 3) -> list[str]:
        """Keys of the themes closest to a misspelt name."""
        names = {_key(t): th.key for th in self.themes.values()
                 for t in (th.key, th.name, *th.aliases)}
        close = difflib.get_close_matches(_key(name), list(names), n=n * 2, cutoff=0.6)
        return list(dict.fromkeys(names[c] for c in close))[:n]

    def get(self, name: str) -> Theme:
        """The theme a name means; an unknown name is an error listing the near ones."""
        theme = self.find(name)
        if theme is None:
            near = self.suggest(name)
            hint = f"did you mean {' or '.join(near)}? " if near else ""
            raise InvalidQueryError(
                f"theme: unknown theme {name!r}; {hint}themes: {', '.join(self.themes)}"
            )
        return theme


def _parse(data: dict[str, Any], where: str) -> dict[str, Theme]:
    out = {}
    for key, t in data.get("themes", {}).items():
        try:
            out[key] = Theme(
                key, str(t["name"]), tuple(str(c) for c in t.get("cpc", ())),
                tuple(int(w) for w in t.get("wipo", ())),
                tuple(str(o) for o in t.get("openalex", ())), str(t["source"]),
                tuple(str(a) for a in t.get("aliases", ())),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidQueryError(f"themes file {where}: theme {key!r}: {exc!r}") from None
        if not (out[key].cpc or out[key].wipo):
            raise InvalidQueryError(
                f"themes file {where}: theme {key!r} maps to no CPC symbol or WIPO field"
            )
    return out


def load_themes(path: Path | str | None = None) -> ThemeTable:
    """The bundled table, with the themes of a user's file (same layout) over it."""
    bundled = importlib.resources.files("ttkg.queries").joinpath("data/themes.toml")
    themes = _parse(tomllib.loads(bundled.read_text("utf-8")), "data/themes.toml")
    files = ["bundled"]
    if path is not None:
        p = Path(path)
        try:
            data = tomllib.loads(p.read_text("utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise InvalidQueryError(f"themes file {p}: {exc}") from None
        themes.update(_parse(data, str(p)))
        files.append(str(p))
    return ThemeTable(themes, tuple(files))


@functools.cache
def default_themes() -> ThemeTable:
    """The bundled table (read once)."""
    return load_themes()
