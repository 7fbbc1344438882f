"""The engine on the labelled real assignee set (tests/data/identity/labelled_assignees.csv).

Floors are the scores the engine reaches on this set with the ROR slice (see
benchmarks/identity.py for the same measures over the full shared data); the naive baseline
(identical normalised name = one organisation) is measured in the same run.
"""

from __future__ import annotations

from tests.identity.conftest import as_names
from ttkg.graph.identity import OrganizationResolver, normalise
from ttkg.graph.identity.evaluation import bcubed, link_scores, pairwise
from ttkg.graph.identity.patterns import clean_name


def test_labelled_set_scores_above_floor_and_above_naive_baseline(
    resolver: OrganizationResolver, labelled: list[dict[str, str]]
) -> None:
    assert len(labelled) > 2500
    res = resolver.resolve(as_names(labelled))
    gold = {r["name"]: r["gold_cluster"] for r in labelled}
    engine = {n: res.cluster_of[n] for n in gold}
    naive = {n: normalise(clean_name(n)) for n in gold}

    pw, b3 = pairwise(gold, engine), bcubed(gold, engine)
    pw_naive, b3_naive = pairwise(gold, naive), bcubed(gold, naive)
    assert pw.precision >= 0.995
    assert pw.recall >= 0.985
    assert b3.precision >= 0.995
    assert b3.f1 >= 0.985
    assert pw.recall > pw_naive.recall + 0.5
    assert b3.f1 > b3_naive.f1 + 0.15

    links = link_scores({r["name"]: r["gold_ror"] for r in labelled},
                        {n: res.clusters[res.cluster_of[n]].ror_id for n in gold})
    assert links.precision >= 0.99
    assert links.recall >= 0.90


def test_every_cluster_has_reasons_and_every_link_a_score(
    resolver: OrganizationResolver, labelled: list[dict[str, str]]
) -> None:
    res = resolver.resolve(as_names(labelled))
    assert set(res.cluster_of) == {r["name"] for r in labelled}
    assert len({c.ror_id for c in res.clusters.values() if c.ror_id}) == sum(
        1 for c in res.clusters.values() if c.ror_id
    ), "at most one cluster per ROR record"
    for c in res.clusters.values():
        assert c.merge_reason
        assert c.names == tuple(sorted(c.names))
        if c.ror_id:
            assert c.link_reason and c.link_score is not None and 0 < c.link_score <= 1
        for a in c.acts_for:
            assert a.reason and 0 < a.score <= 1 and a.ror_id != c.ror_id
    for name in res.cluster_of:
        assert 0 < res.name_score[name] <= 1 and res.name_reason[name]
