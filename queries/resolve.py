"""Turning what a user typed into graph entities: search, entity and field resolution."""

from __future__ import annotations

import re
import threading
import weakref
from collections.abc import Collection
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

from ttkg.core.errors import AmbiguousEntityError, EntityNotFoundError, InvalidQueryError
from ttkg.core.model import NodeLabel, cpc_id, field_id
from ttkg.graph.backends.contract import FieldSpec, GraphBackend, NodeRecord
from ttkg.graph.indexing.fuzzy import FUZZY_LABELS, FuzzyNames, fuzzy_names
from ttkg.graph.indexing.names import NameGrams
from ttkg.queries.models import EntityRef, SearchHit, SearchResult

__all__ = ["resolve_entity", "resolve_field", "search", "warm_up_search"]

MAX_QUERY_CHARS: Final = 300
#: Most hits one search returns (the API's and the CLI's cap too).
MAX_SEARCH_LIMIT: Final = 100
FUZZY_CUTOFF: Final = 80.0
_CPC: Final = re.compile(r"^[A-HY](\d\d([A-Z](\d{1,4}/\d{2,6})?)?)?$")
#: Names scored first, those sharing the most bigrams with the query, when there are more.
_PROBE: Final = 1024


@dataclass(slots=True)
class _FuzzyNames:
    """The names fuzzy search scores (`ttkg.graph.indexing.fuzzy`): stored with the graph, or
    made from `GraphBackend.names`; then their bigram index is built for a process that
    searches again (a server warms it up; a one-shot CLI query scans once instead of paying
    for the index)."""

    found: FuzzyNames
    # the names again as one array: the candidates' names are taken in one call (a list
    # comprehension over 30k candidates cost 4 ms per search at 9.1M patents)
    picker: npt.NDArray[np.object_]
    grams: NameGrams | None = None
    scans: int = 0

    def index(self) -> NameGrams | None:
        """The bigram index: stored, or built at the second search (None at the first: a
        scan)."""
        if self.grams is None and self.scans >= 1:
            with _names_lock:
                if self.grams is None:
                    self.grams = NameGrams(self.found.names)
        if self.grams is None:
            self.scans += 1
        return self.grams


# per backend, made on its first fuzzy search
_names_cache: weakref.WeakKeyDictionary[GraphBackend, _FuzzyNames] = weakref.WeakKeyDictionary()
_names_lock = threading.Lock()


def _fuzzy_names(backend: GraphBackend) -> _FuzzyNames:
    hit = _names_cache.get(backend)
    if hit is None:
        with _names_lock:
            hit = _names_cache.get(backend)
            if hit is None:
                found = backend.fuzzy_names() or fuzzy_names(
                    lambda label: backend.names([label]), index=False)
                picker = np.empty(len(found.names), dtype=object)
                picker[:] = found.names
                hit = _names_cache[backend] = _FuzzyNames(found, picker, found.grams)
    return hit


def warm_up_search(backend: GraphBackend) -> None:
    """Make the names fuzzy search scores and their index now, not in a server's first
    search (mapped when stored with the graph; else 1 s of CPU on the full shared data,
    growing with the names), and import the scorer (its first import in a request would
    hold every other request)."""
    import rapidfuzz.fuzz
    import rapidfuzz.process
    import rapidfuzz.utils  # noqa: F401

    every = _fuzzy_names(backend)
    with _names_lock:
        if every.grams is None:
            every.grams = NameGrams(every.found.names)


def _clean(text: str) -> str:
    t = " ".join(text.split())
    if not t:
        raise InvalidQueryError("empty name or identifier")
    if len(t) > MAX_QUERY_CHARS:
        raise InvalidQueryError(f"name or identifier longer than {MAX_QUERY_CHARS} characters")
    return t


def _fuzzy(
    backend: GraphBackend, text: str, labels: Collection[NodeLabel], limit: int
) -> list[tuple[str, float]]:
    """The best fuzzy name matches: rapidfuzz scores the names the bigram index keeps, which
    include every name reaching the cutoff, so the answer is that of scoring every name."""
    from rapidfuzz import fuzz, process, utils

    every = _fuzzy_names(backend)
    query = utils.default_process(text)
    wanted = [every.found.ranges[lb] for lb in FUZZY_LABELS if not labels or lb in labels]
    k = limit * 3
    grams = every.index()
    if grams is None:  # a scan of every name (of the labels wanted)
        found: npt.NDArray[np.int64] = np.concatenate(
            [np.arange(r.start, r.stop, dtype=np.int64) for r in wanted])
    else:
        found, common = grams.shortlist(query, FUZZY_CUTOFF)
        if len(wanted) < len(FUZZY_LABELS):
            keep = np.zeros(len(found), dtype=bool)
            for r in wanted:
                keep |= (found >= r.start) & (found < r.stop)
            found, common = found[keep], common[keep]
        if len(found) > _PROBE:
            # the names sharing the most bigrams with the query mostly score best: the k-th
            # best score among them is a floor for the k best of all, and far fewer names
            # can reach it (synthetic names at 9.1M patents: 30k-60k candidates at the
            # cutoff, most of them scoring under the 30th best)
            probe = np.sort(np.argpartition(-common, _PROBE)[:_PROBE])
            best = process.extract(query, every.picker[found[probe]].tolist(),
                                   scorer=fuzz.QRatio, processor=None, limit=k,
                                   score_cutoff=FUZZY_CUTOFF)
            if len(best) == k:  # a hair under it: never stricter than the scorer
                floor = max(FUZZY_CUTOFF, best[-1][1] - 1e-6)
                found = found[grams.passing(query, found, common, floor)]
    scored = process.extract(
        query,
        # ascending: ties rank as in the full list
        every.picker[found].tolist(),
        scorer=fuzz.QRatio,  # whole-name typo similarity; ~20x faster than WRatio
        processor=None,
        limit=k,
        # the cutoff of the whole list, not the floor: rapidfuzz's extract drops some
        # names scoring just above a fractional cutoff
        score_cutoff=FUZZY_CUTOFF,
    )
    ranked = sorted(
        ((every.found.ids[int(found[idx])], float(score)) for _, score, idx in scored),
        key=lambda x: (-x[1], x[0]),
    )
    out: list[tuple[str, float]] = []
    for node_id, score in ranked:
        if node_id not in {n for n, _ in out}:
            out.append((node_id, round(score, 1)))
    return out[:limit]


def search(
    backend: GraphBackend,
    text: str,
    labels: Collection[NodeLabel] = (),
    limit: int = 10,
    fuzzy: bool = True,
) -> SearchResult:
    """Exact matches (ids, codes, names), then name prefixes, then fuzzy name matches."""
    if not 1 <= limit <= MAX_SEARCH_LIMIT:
        raise InvalidQueryError(f"limit must be between 1 and {MAX_SEARCH_LIMIT}, got {limit}")
    q = _clean(text)
    hits: list[SearchHit] = []
    seen: set[str] = set()

    def add(nodes: list[NodeRecord], match: str, score: float) -> None:
        for n in nodes:
            if n.id not in seen and len(hits) < limit:
                seen.add(n.id)
                hits.append(
                    SearchHit(
                        entity=EntityRef.of(n),
                        match=match,  # type: ignore[arg-type]
                        score=score,
                        properties=_summary(n),
                    )
                )

    add(backend.lookup(q, labels, limit), "exact", 100.0)
    add(backend.search_prefix(q, labels, limit), "prefix", 90.0)
    if fuzzy and len(hits) < limit:
        scored = _fuzzy(backend, q, labels, limit)
        nodes = backend.get_nodes([i for i, _ in scored])
        for node_id, score in scored:
            if node_id in nodes:
                add([nodes[node_id]], "fuzzy", score)
    return SearchResult(query=q, hits=hits)


def _summary(node: NodeRecord) -> dict[str, object]:
    keep = ("kind", "country", "ror_id", "patent_count", "year", "level", "code", "symbol")
    return {k: v for k, v in node.props.items() if k in keep and v is not None}


def resolve_entity(
    backend: GraphBackend, text: str, labels: Collection[NodeLabel] = ()
) -> NodeRecord:
    """The one entity a user means: an exact id/code/name match, else a unique prefix match.

    Raises EntityNotFoundError (with fuzzy suggestions) or AmbiguousEntityError.
    """
    q = _clean(text)
    exact = backend.lookup(q, labels, limit=20)
    if len(exact) == 1:
        return exact[0]
    if exact:
        by_name = [n for n in exact if n.name.casefold() == q.casefold() or n.id == q]
        if len(by_name) == 1:
            return by_name[0]
        raise AmbiguousEntityError(q, [f"{n.id} ({n.name})" for n in exact])
    prefix = backend.search_prefix(q, labels, limit=2)
    if len(prefix) == 1:
        return prefix[0]
    suggestions = _suggestions(backend, [i for i, _ in _fuzzy(backend, q, labels, 5)])
    if prefix:
        raise AmbiguousEntityError(
            q, [f"{n.id} ({n.name})" for n in backend.search_prefix(q, labels, limit=10)]
        )
    raise EntityNotFoundError(q, suggestions)


def _suggestions(backend: GraphBackend, ids: list[str]) -> list[dict[str, str | None]]:
    """Entities a user may have meant, described: id, name, label, kind, country."""
    nodes = backend.get_nodes(ids)
    return [
        {
            "id": i,
            "name": nodes[i].name,
            "label": nodes[i].label.value,
            "kind": nodes[i].props.get("kind"),
            "country": nodes[i].props.get("country"),
        }
        for i in ids
        if i in nodes
    ]


#: Field labels searched by word when a field argument names no field.
_FIELD_LABELS: Final = (NodeLabel.TECHNOLOGY_FIELD, NodeLabel.CPC_CLASS)


def _fields_with_words(backend: GraphBackend, text: str, limit: int = 8) -> list[str]:
    """Fields whose name contains every word of text (WIPO fields first, then the broadest
    CPC classes): what a user writing "energy" may have meant."""
    words = [w for w in re.split(r"\W+", text.casefold()) if w]
    if not words:
        return []
    hits = [
        (i, n)
        for i, n in backend.names(_FIELD_LABELS)
        if all(re.search(rf"\b{re.escape(w)}", n.casefold()) for w in words)
    ]
    hits.sort(key=lambda h: (not h[0].startswith("wipo:"), len(h[0]), h[0]))
    return [i for i, _ in hits[:limit]]


def resolve_field(backend: GraphBackend, text: str) -> FieldSpec:
    """A WIPO field (name or number), a WIPO sector (name) or a CPC symbol at any level."""
    q = _clean(text)
    if q.isascii() and q.isdigit():  # not "¹", which isdigit() accepts and int() refuses
        nodes = backend.get_nodes([field_id(int(q))])
        if not nodes:
            raise EntityNotFoundError(q, hint="WIPO field numbers are 1..35")
        node = next(iter(nodes.values()))
        return FieldSpec("wipo_field", q, node.id, node.name)
    symbol = q.replace(" ", "").upper()
    if symbol.startswith("CPC:"):
        symbol = symbol[4:]
    if _CPC.match(symbol):
        nodes = backend.get_nodes([cpc_id(symbol)])
        if nodes:
            node = next(iter(nodes.values()))
            return FieldSpec("cpc", symbol, node.id, str(node.props.get("title") or symbol))
    try:
        node = resolve_entity(backend, q, _FIELD_LABELS)
    except EntityNotFoundError as exc:
        words = _suggestions(backend, _fields_with_words(backend, q))
        raise EntityNotFoundError(
            q,
            words + exc.suggestions,
            "a field is a WIPO field name or number, a WIPO sector, or a CPC symbol",
        ) from None
    if node.label is NodeLabel.CPC_CLASS:
        return FieldSpec(
            "cpc",
            str(node.props["symbol"]),
            node.id,
            str(node.props.get("title") or node.props["symbol"]),
        )
    level = node.props.get("level")
    kind = "wipo_sector" if level == "sector" else "wipo_field"
    return FieldSpec(kind, str(node.props.get("number")), node.id, node.name)  # type: ignore[arg-type]
