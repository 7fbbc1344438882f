"""Streaming RDF serialisers: N-Triples, Turtle and JSON-LD, block by block.

Each writer turns `(subject, [(Prop, value), ...])` blocks into text and writes it to a binary
stream in large chunks; nothing is kept but the current chunk, so memory stays flat however
big the export. Lexical forms follow the datatype of each Prop, the same in every format, so the
three serialisations of an export hold exactly the same triples.
"""

from __future__ import annotations

import json
import math
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from enum import StrEnum
from typing import IO, Any, Final

from ttkg.graph.rdf.vocab import (
    PREFIXES,
    XSD,
    P,
    Prop,
    compact_vocab,
    context_document,
)

__all__ = [
    "EXTENSIONS",
    "MEDIA_TYPES",
    "BlockWriter",
    "JsonLdWriter",
    "NTriplesWriter",
    "RdfFormat",
    "TurtleWriter",
    "compact_iri",
    "lexical",
    "make_writer",
]


class RdfFormat(StrEnum):
    """Serialisation formats of an export."""

    TURTLE = "turtle"
    NT = "nt"
    JSONLD = "jsonld"


MEDIA_TYPES: Final[dict[RdfFormat, str]] = {
    RdfFormat.TURTLE: "text/turtle",
    RdfFormat.NT: "application/n-triples",
    RdfFormat.JSONLD: "application/ld+json",
}
EXTENSIONS: Final[dict[RdfFormat, str]] = {
    RdfFormat.TURTLE: ".ttl",
    RdfFormat.NT: ".nt",
    RdfFormat.JSONLD: ".jsonld",
}

_ESCAPES: Final = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


def _escape(text: str) -> str:
    """Escape a string for a double-quoted N-Triples/Turtle literal."""
    if "\\" in text or '"' in text or "\n" in text or "\r" in text:
        return text.translate(_ESCAPES)
    return text


def _double(value: Any) -> str:
    v = float(value)
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "INF" if v > 0 else "-INF"
    return repr(v)


def _date(value: Any) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


#: Lexical form of a value by datatype (None = xsd:string, and language-tagged strings).
_LEXICAL: Final[dict[str | None, Callable[[Any], str]]] = {
    None: str,
    XSD + "string": str,
    XSD + "integer": lambda v: str(int(v)),
    XSD + "double": _double,
    XSD + "gYear": lambda v: f"{int(v):04d}",
    XSD + "date": _date,
    XSD + "boolean": lambda v: "true" if v else "false",
}


def lexical(prop: Prop, value: Any) -> str:
    """The lexical form of a literal value of `prop`."""
    return _LEXICAL[prop.datatype](value)


class BlockWriter(ABC):
    """Writes blocks to a binary stream; counts triples. Call begin(), write()..., end()."""

    media_type: str = ""
    flush_every: int = 4096

    def __init__(self, out: IO[bytes]) -> None:
        self._out = out
        self._parts: list[str] = []
        self.triples = 0

    def begin(self) -> None:  # noqa: B027 (formats without a header write nothing)
        """Write the header (prefixes, context)."""

    @abstractmethod
    def write(self, subject: str, pairs: Sequence[tuple[Prop, Any]]) -> None:
        """Write the triples of one subject."""

    def end(self) -> None:
        """Write the footer and flush."""
        self._flush()

    def _emit(self, text: str) -> None:
        self._parts.append(text)
        if len(self._parts) >= self.flush_every:
            self._flush()

    def _flush(self) -> None:
        if self._parts:
            self._out.write("".join(self._parts).encode("utf-8"))
            self._parts.clear()


class _NtEncodings(dict[Prop, tuple[str, bool, Callable[[Any], str] | None, str]]):
    """Per Prop: (predicate text, is IRI, lexical function or None for plain strings, literal
    suffix); computed on first use."""

    def __missing__(self, p: Prop) -> tuple[str, bool, Callable[[Any], str] | None, str]:
        if p.lang:
            suffix = "@" + p.lang
        elif p.datatype and p.datatype != XSD + "string":
            suffix = "^^<" + p.datatype + ">"
        else:
            suffix = ""
        plain = p.datatype is None or p.datatype == XSD + "string"
        enc = (f"<{p.iri}> ", p.kind == "iri", None if plain else _LEXICAL[p.datatype], suffix)
        self[p] = enc
        return enc


class NTriplesWriter(BlockWriter):
    """N-Triples 1.1: one triple a line, UTF-8."""

    media_type = MEDIA_TYPES[RdfFormat.NT]

    def __init__(self, out: IO[bytes]) -> None:
        super().__init__(out)
        self._enc = _NtEncodings()

    def write(self, subject: str, pairs: Sequence[tuple[Prop, Any]]) -> None:
        head = "<" + subject + "> "
        enc = self._enc
        escape = _escape
        lines: list[str] = []
        append = lines.append
        for p, o in pairs:
            pred, is_iri, lex, suffix = enc[p]
            if is_iri:
                append(f"{head}{pred}<{o}> .\n")
            elif lex is None:
                append(f'{head}{pred}"{escape(o)}"{suffix} .\n')
            else:
                append(f'{head}{pred}"{escape(lex(o))}"{suffix} .\n')
        self.triples += len(pairs)
        self._emit("".join(lines))


_PN_LOCAL: Final = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?")
_NS_PREFIX: Final[dict[str, str]] = {ns: prefix for prefix, ns in PREFIXES.items()}


def compact_iri(iri: str) -> str | None:
    """`prefix:local` for an IRI in a known namespace whose local part is a safe Turtle
    name; None otherwise (write it in full)."""
    for sep in ("/", "#"):
        ns, found, local = iri.rpartition(sep)
        if found:
            prefix = _NS_PREFIX.get(ns + sep)
            if prefix is not None:
                return prefix + ":" + local if _PN_LOCAL.fullmatch(local) else None
    return None


class TurtleWriter(BlockWriter):
    """Turtle with prefixes, one statement per subject block (`;` between predicates, `,`
    between objects of a repeated predicate). Consecutive blocks of the same subject continue
    the same statement."""

    media_type = MEDIA_TYPES[RdfFormat.TURTLE]

    def __init__(self, out: IO[bytes]) -> None:
        super().__init__(out)
        self._open: str | None = None
        self._enc: dict[Prop, tuple[str, bool, Callable[[Any], str], str, bool]] = {}
        self._classes: dict[str, str] = {}

    def begin(self) -> None:
        self._emit("".join(f"@prefix {p}: <{ns}> .\n" for p, ns in PREFIXES.items()) + "\n")

    def _prop(self, p: Prop) -> tuple[str, bool, Callable[[Any], str], str, bool]:
        enc = self._enc.get(p)
        if enc is None:
            pred = "a" if p is P.TYPE else p.curie
            bare = p.datatype == XSD + "integer"
            if p.lang:
                suffix = "@" + p.lang
            elif p.datatype and p.datatype != XSD + "string":
                suffix = "^^" + compact_vocab(p.datatype)
            else:
                suffix = ""
            enc = self._enc[p] = (pred, p.kind == "iri", _LEXICAL[p.datatype], suffix, bare)
        return enc

    def _iri(self, iri: str) -> str:
        short = compact_iri(iri)
        return short if short is not None else "<" + iri + ">"

    def _class(self, iri: str) -> str:
        short = self._classes.get(iri)
        if short is None:
            short = self._classes[iri] = self._iri(iri)
        return short

    def write(self, subject: str, pairs: Sequence[tuple[Prop, Any]]) -> None:
        if not pairs:
            return
        parts: list[str]
        if subject == self._open:
            parts = [" ;\n    "]
        else:
            parts = [" .\n" if self._open is not None else "", self._iri(subject), " "]
            self._open = subject
        prev: Prop | None = None
        for p, o in pairs:
            pred, is_iri, lex, suffix, bare = self._enc.get(p) or self._prop(p)
            if is_iri:
                obj = self._class(o) if p is P.TYPE else self._iri(o)
            elif bare:
                obj = lex(o)
            else:
                obj = f'"{_escape(lex(o))}"{suffix}'
            if p is prev:
                parts.append(", " + obj)
            else:
                if prev is not None:
                    parts.append(" ;\n    ")
                parts.append(pred + " " + obj)
                prev = p
        self.triples += len(pairs)
        self._emit("".join(parts))

    def end(self) -> None:
        if self._open is not None:
            self._emit(" .\n")
        super().end()


class JsonLdWriter(BlockWriter):
    """JSON-LD 1.1: one document with the ttkg context inline and a `@graph` array holding
    one node object per block (processors merge objects that share an `@id`)."""

    media_type = MEDIA_TYPES[RdfFormat.JSONLD]

    def __init__(self, out: IO[bytes]) -> None:
        super().__init__(out)
        self._first = True
        self._enc: dict[Prop, tuple[str, bool, Callable[[Any], Any]]] = {}
        self._classes: dict[str, str] = {}

    def begin(self) -> None:
        ctx = json.dumps(context_document()["@context"], ensure_ascii=False, indent=1)
        self._emit('{\n"@context": ' + ctx + ',\n"@graph": [\n')

    def _prop(self, p: Prop) -> tuple[str, bool, Callable[[Any], Any]]:
        enc = self._enc.get(p)
        if enc is None:
            if p.kind == "iri":
                conv: Callable[[Any], Any] = str
            elif p.datatype == XSD + "integer":
                conv = int  # a JSON number; the context types it xsd:integer
            else:
                conv = _LEXICAL[p.datatype]
            enc = self._enc[p] = (p.term, p is P.TYPE, conv)
        return enc

    def _class(self, iri: str) -> str:
        short = self._classes.get(iri)
        if short is None:
            try:
                short = compact_vocab(iri)
            except ValueError:
                short = iri
            self._classes[iri] = short
        return short

    def write(self, subject: str, pairs: Sequence[tuple[Prop, Any]]) -> None:
        if not pairs:
            return
        obj: dict[str, Any] = {"@id": subject}
        for p, o in pairs:
            term, is_type, conv = self._enc.get(p) or self._prop(p)
            value = self._class(o) if is_type else conv(o)
            have = obj.get(term)
            if have is None:
                obj[term] = value
            elif isinstance(have, list):
                have.append(value)
            else:
                obj[term] = [have, value]
        self.triples += len(pairs)
        text = json.dumps(obj, ensure_ascii=False)
        if self._first:
            self._first = False
            self._emit(text)
        else:
            self._emit(",\n" + text)

    def end(self) -> None:
        self._emit("\n]\n}\n")
        super().end()


_WRITERS: Final[dict[RdfFormat, type[BlockWriter]]] = {
    RdfFormat.NT: NTriplesWriter,
    RdfFormat.TURTLE: TurtleWriter,
    RdfFormat.JSONLD: JsonLdWriter,
}


def make_writer(fmt: RdfFormat | str, out: IO[bytes]) -> BlockWriter:
    """A writer of the format onto a binary stream."""
    return _WRITERS[RdfFormat(fmt)](out)
