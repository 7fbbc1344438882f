"""The shortcuts of issue 14 decide exactly what the plain computations decide.

`compare(floor=...)` refuses pairs before the rules; `dominance._dominant` judges candidate
clusters largest first and stops early. Both are checked here against the plain computation
(every pair compared without a floor; every candidate judged, then ranked) on the real
labelled assignee strings and their blocking candidates.
"""

from __future__ import annotations

import random
from collections import Counter
from math import inf

from ttkg.graph.identity import OrganizationResolver
from ttkg.graph.identity.cluster import candidate_pairs, compare
from ttkg.graph.identity.dominance import COMPETE_RATIO, _dominant, variant_of
from ttkg.graph.identity.groups import NameGroup, aggregate, group_names
from ttkg.graph.identity.settings import IdentitySettings

from .conftest import as_names


def _groups(resolver: OrganizationResolver, rows: list[dict[str, str]]) -> list[NameGroup]:
    orgs, _ = aggregate(as_names(rows))
    return group_names(orgs, non_company_names=resolver.index.non_company_names)


def _df(groups: list[NameGroup]) -> Counter[str]:
    df: Counter[str] = Counter()
    for g in groups:
        df.update(set(g.loose) | set(g.light))
    return df


def test_floor_refuses_only_pairs_below_it(resolver: OrganizationResolver,
                                           labelled: list[dict[str, str]]) -> None:
    groups = _groups(resolver, labelled)
    df, vocabulary, settings = _df(groups), resolver.index.vocabulary, IdentitySettings()
    floor = settings.review_threshold - 0.001
    pairs = candidate_pairs(groups)
    assert len(pairs) > 1000
    kept = 0
    for i, j in pairs:
        plain = compare(groups[i], groups[j], vocabulary, df, settings)
        fast = compare(groups[i], groups[j], vocabulary, df, settings, floor)
        if plain is not None and plain[0] >= settings.review_threshold:
            assert fast == plain, (groups[i].display_name, groups[j].display_name)
            kept += 1
        else:
            assert fast is None or fast == plain
    assert kept > 50  # the labelled set has many real typo pairs


def _plain_dominant(cands: dict[int, list[tuple[int, int]]], size: dict[int, int], need: int,
                    varies: dict[tuple[int, int], bool]) -> int | None:
    """The search before issue 14: judge every candidate, rank the clusters found."""
    found = {r for r, pairs in cands.items() if any(varies[p] for p in pairs)}
    if not found:
        return None
    ranked = sorted(found, key=lambda r: -size[r])
    best = ranked[0]
    if size[best] < need:
        return None
    if len(ranked) > 1 and size[ranked[1]] * COMPETE_RATIO > size[best]:
        return None
    return best


def test_largest_first_finds_what_judging_all_finds(resolver: OrganizationResolver,
                                                     labelled: list[dict[str, str]]) -> None:
    groups = _groups(resolver, labelled)
    df, vocabulary = _df(groups), resolver.index.vocabulary
    rng = random.Random(14)
    decided = 0
    for _ in range(3000):
        rare = rng.randrange(len(groups))
        others = rng.sample(range(len(groups)), 6)
        # sizes from the real counts, with ties and the thresholds' edges
        size = {r: rng.choice([groups[r].count, 10, 50, 500, 1]) for r in others}
        cands = {r: [(r, rare)] for r in others if r != rare}
        varies = {(j, i): bool(variant_of(groups[i], groups[j], df, vocabulary, inf))
                  for pairs in cands.values() for j, i in pairs}
        # half the draws with real verdicts, half with invented ones to reach every branch
        if rng.random() < 0.5:
            varies = {p: rng.random() < 0.4 for p in varies}
        need = rng.choice([10, 30, 400])
        plain = _plain_dominant(cands, size, need, varies)
        assert _dominant(cands, size, need, lambda j, i, v=varies: v[(j, i)]) == plain
        decided += plain is not None
    assert decided > 10
