"""Fuzzy name search through the bigram index finds exactly what scoring every name finds.

Oracle: rapidfuzz's QRatio over every organisation, country and field name of the built
sample (the full scan fuzzy search did before the index). Queries are made from the sample's
real names the way users mistype them: letters dropped, doubled, swapped or replaced, words in
another order, abbreviations and initials, truncations, legal forms left out, other scripts.
"""

from __future__ import annotations

import random
import re
from collections.abc import Collection

import numpy as np
import pytest
from rapidfuzz import fuzz, process, utils

from ttkg.core.model import NodeLabel
from ttkg.graph.backends.memory.backend import MemoryBackend
from ttkg.graph.indexing.fuzzy import fuzzy_names
from ttkg.graph.indexing.names import NameGrams
from ttkg.queries import resolve
from ttkg.queries.resolve import FUZZY_CUTOFF, _fuzzy, search

LABELS = (NodeLabel.ORGANIZATION, NodeLabel.COUNTRY, NodeLabel.TECHNOLOGY_FIELD)
ABBREVIATIONS = {
    "university": "univ",
    "corporation": "corp",
    "company": "co",
    "limited": "ltd",
    "institute": "inst",
    "technology": "tech",
    "national": "natl",
    "research": "res",
}
LEGAL = re.compile(r",?\s*(co\.,? ltd\.?|inc\.?|corporation|gmbh|ltd\.?|llc|ag|s\.a\.)$", re.I)


def _typo(name: str, rng: random.Random) -> str:
    """One to three edits, each a dropped, doubled, replaced or swapped letter."""
    s = name
    for _ in range(rng.randint(1, 3)):
        if len(s) < 2:
            break
        i = rng.randrange(len(s) - 1)
        op = rng.choice("ddrs")
        if op == "d":
            s = s[:i] + s[i + 1 :]
        elif op == "r":
            s = s[:i] + rng.choice("aeiounrst") + s[i + 1 :]
        else:
            s = s[:i] + s[i + 1] + s[i] + s[i + 2 :]
    return s


def _variants(name: str, rng: random.Random) -> list[str]:
    words = name.split()
    out = [name, name.lower(), _typo(name, rng), _typo(name, rng), name[: max(3, len(name) // 2)]]
    if len(words) > 1:
        out.append(" ".join(reversed(words)))
        out.append(" ".join(words[1:] + words[:1]))
        out.append("".join(w[0] for w in words if w[0].isalnum()))  # initials: "MIT"
    short = " ".join(ABBREVIATIONS.get(w.lower(), w) for w in words)
    if short != name:
        out.append(short)
    bare = LEGAL.sub("", name)
    if bare != name:
        out.append(bare)
        out.append(_typo(bare, rng))
    return out


@pytest.fixture(scope="module")
def names(memory_backend: MemoryBackend) -> list[tuple[str, str]]:
    return memory_backend.names(LABELS)


@pytest.fixture(scope="module")
def queries(names: list[tuple[str, str]]) -> list[str]:
    rng = random.Random(14)
    picked = rng.sample(names, 80)
    picked += rng.sample([p for p in names if not p[0].startswith(("ror:", "org:"))], 20)
    # names in other scripts and with accents, where the sample has them
    picked += [p for p in names if not p[1].isascii()][:20]
    out = [v for _, name in picked for v in _variants(name, rng)]
    out += ["a", "ab", "aaaa", "aaaaaaaaaa", "zz top", "", "   ", "-", "東京大学", "Mitsubishi"]
    return out


def test_candidates_hold_every_name_reaching_the_cutoff(
    names: list[tuple[str, str]], queries: list[str]
) -> None:
    processed = [utils.default_process(n) for _, n in names]
    grams = NameGrams(processed)
    narrowed = []
    for text in queries:
        q = utils.default_process(text)
        scores = process.cdist([q], processed, scorer=fuzz.QRatio, processor=None)[0]
        for cutoff in (50.0, 65.0, FUZZY_CUTOFF, 90.0, 100.0):
            found = grams.candidates(q, cutoff)
            assert found == sorted(set(found))
            reaching = set(np.flatnonzero(scores >= cutoff).tolist())
            assert reaching <= set(found), (text, cutoff, sorted(reaching - set(found))[:5])
            if cutoff == FUZZY_CUTOFF and len(q) >= 12:
                narrowed.append(len(found) / len(processed))
    # the index does filter: a name of a dozen letters or more keeps a few per cent
    assert narrowed and float(np.median(narrowed)) < 0.05


def test_repeated_bigrams_count_as_a_multiset() -> None:
    names = ["aaaa", "aaaaa", "aaaaaaaa", "ab", "ba", "abab", "b"]
    grams = NameGrams(names)
    for q in ("aaaa", "aaa", "aaaaaa", "abba", "ab", "a", "bab"):
        for cutoff in (40.0, 60.0, 80.0, 100.0):
            want = {i for i, n in enumerate(names) if fuzz.QRatio(q, n) >= cutoff}
            assert want <= set(grams.candidates(q, cutoff)), (q, cutoff)
    assert grams.candidates("", 80.0) == []
    with pytest.raises(ValueError, match="cutoff"):
        grams.candidates("aaaa", 0.0)


_scanned: dict[Collection[NodeLabel], tuple[list[tuple[str, str]], list[str]]] = {}


def _full_scan(
    backend: MemoryBackend, text: str, labels: Collection[NodeLabel], limit: int
) -> list[tuple[str, float]]:
    """Fuzzy search as it was: rapidfuzz over every name of the wanted labels."""
    if labels not in _scanned:
        pairs = backend.names([lb for lb in LABELS if not labels or lb in labels])
        _scanned[labels] = pairs, [utils.default_process(n) for _, n in pairs]
    pairs, processed = _scanned[labels]
    found = process.extract(
        utils.default_process(text),
        processed,
        scorer=fuzz.QRatio,
        processor=None,
        limit=limit * 3,
        score_cutoff=FUZZY_CUTOFF,
    )
    ranked = sorted(((pairs[i][0], float(s)) for _, s, i in found), key=lambda x: (-x[1], x[0]))
    out: list[tuple[str, float]] = []
    for node_id, score in ranked:
        if node_id not in {n for n, _ in out}:
            out.append((node_id, round(score, 1)))
    return out[:limit]


@pytest.mark.parametrize(
    "labels",
    [(), (NodeLabel.ORGANIZATION,), (NodeLabel.COUNTRY, NodeLabel.TECHNOLOGY_FIELD)],
    ids=["every label", "organisations", "countries and fields"],
)
def test_fuzzy_matches_are_those_of_the_full_scan(
    memory_backend: MemoryBackend, queries: list[str], labels: tuple[NodeLabel, ...]
) -> None:
    hits = 0
    for text in queries:
        if not text.strip():
            continue
        limit = 3 if len(text) % 2 else 10
        got = _fuzzy(memory_backend, text, labels, limit)
        assert got == _full_scan(memory_backend, text, labels, limit), (text, labels)
        hits += len(got)
    assert hits > 50  # the queries do find names


@pytest.mark.parametrize("probe", [1, 8, 64])
def test_a_probe_of_the_closest_names_changes_no_answer(
    memory_backend: MemoryBackend, queries: list[str], probe: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # at 9.1M patents a query keeps tens of thousands of candidates and a probe of 1,024
    # narrows them; on the sample a few names do, so small probes take that path here
    monkeypatch.setattr(resolve, "_PROBE", probe)
    for labels in [(), (NodeLabel.ORGANIZATION,)]:
        for text in queries:
            if not text.strip():
                continue
            limit = 1 if len(text) % 3 == 0 else 3 if len(text) % 2 else 10
            assert _fuzzy(memory_backend, text, labels, limit) == _full_scan(
                memory_backend, text, labels, limit), (text, labels, probe)


def test_shortlist_and_passing_keep_every_name_reaching_a_higher_cutoff(
    names: list[tuple[str, str]], queries: list[str]
) -> None:
    processed = [utils.default_process(n) for _, n in names]
    grams = NameGrams(processed)
    for text in queries:
        q = utils.default_process(text)
        found, common = grams.shortlist(q, FUZZY_CUTOFF)
        assert found.tolist() == grams.candidates(q, FUZZY_CUTOFF)
        scores = process.cdist([q], processed, scorer=fuzz.QRatio, processor=None)[0]
        for cutoff in (FUZZY_CUTOFF, 85.0, 90.0, 95.0, 100.0):
            kept = set(found[grams.passing(q, found, common, cutoff)].tolist())
            reaching = set(np.flatnonzero(scores >= cutoff).tolist())
            assert reaching <= kept, (text, cutoff, sorted(reaching - kept)[:5])


def test_search_finds_a_mistyped_name_among_many_similar(memory_backend: MemoryBackend) -> None:
    # "University of ..." names share most of their bigrams: the typo still finds its own
    found = search(memory_backend, "Universty of Tokyo", labels=[NodeLabel.ORGANIZATION])
    assert found.hits[0].entity.name == "The University of Tokyo"
    assert found.hits[0].match == "fuzzy"
    others = [h.entity.name for h in found.hits[1:3]]
    assert others == ["University of York", "University of Toronto"]


def test_the_stored_names_and_index_are_those_computed_from_the_graph(
    memory_backend: MemoryBackend,
) -> None:
    """The build's `index/fuzzy/` (mapped) holds what `fuzzy_names` computes from the
    contract's `names`, array for array, and search uses it."""
    stored = memory_backend.fuzzy_names()
    assert stored is not None and stored.grams is not None
    computed = fuzzy_names(lambda label: memory_backend.names([label]), index=True)
    assert computed.grams is not None
    assert list(stored.ids) == list(computed.ids)
    assert stored.names == computed.names
    assert stored.ranges == computed.ranges
    assert sorted(stored.ranges) == sorted(LABELS)
    got, want = stored.grams.arrays(), computed.grams.arrays()
    assert got.keys() == want.keys()
    for name in want:
        assert np.array_equal(got[name], want[name]), name
    assert resolve._fuzzy_names(memory_backend).grams is stored.grams
