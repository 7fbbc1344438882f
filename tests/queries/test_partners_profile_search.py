"""Partners, field profiles, search and entity lookup, on every backend."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.parity import assert_same
from tests.queries.oracle import Oracle
from ttkg.core.errors import AmbiguousEntityError, EntityNotFoundError, InvalidQueryError
from ttkg.core.model import NodeLabel
from ttkg.graph.backends.contract import GraphBackend
from ttkg.queries.common import make_filters
from ttkg.queries.entity import entity_detail
from ttkg.queries.partners import partners
from ttkg.queries.profile import field_profile
from ttkg.queries.resolve import resolve_entity, search


def test_partners_are_co_owners_ranked_with_evidence(
    backend: GraphBackend, sample_graph: Path
) -> None:
    oracle = Oracle(sample_graph)
    r = partners(backend, "Tsinghua University", limit=50)
    tsinghua = r.organization.id
    want = sorted(
        ((o, len(oracle.co_owned(tsinghua, o))) for o in oracle.orgs if o != tsinghua),
        key=lambda t: (-t[1], t[0]),
    )
    want = [w for w in want if w[1] > 0]
    assert r.total == len(want)
    assert_same([(p.organization.id, p.count) for p in r.partners], want[:50])
    assert r.partners[0].organization.name == "Hon Hai Precision Industry Co., Ltd."
    within = partners(backend, "Tsinghua University", field="Semiconductors")
    assert within.field is not None and within.partners[0].count <= r.partners[0].count
    companies = partners(
        backend, "Tsinghua University", filters=make_filters(partner_kind="company")
    )
    assert {p.organization.kind for p in companies.partners} == {"company"}
    assert companies.filters.partner_kinds == ["company"]
    with pytest.raises(InvalidQueryError, match="partners does not filter by kind"):
        partners(backend, "Tsinghua University", filters=make_filters(kind="company"))


def test_field_profile(backend: GraphBackend) -> None:
    r = field_profile(backend, "Semiconductors", limit=5)
    assert r.patents > 0
    counts = [o.count for o in r.organizations]
    assert counts == sorted(counts, reverse=True) and counts[0] <= r.patents
    assert r.countries and r.countries[0].entity.label == "Country"
    assert "wipo:field:8" not in {f.entity.id for f in r.cooccurring_fields}
    cpc = field_profile(backend, "H01L21/02", limit=3)
    assert cpc.field.kind == "cpc" and 0 < cpc.patents <= field_profile(backend, "H01L").patents


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://ror.org/03cve4549", "ror:03cve4549"),
        ("03cve4549", "ror:03cve4549"),
        ("tsinghua university", "ror:03cve4549"),
        ("TSINGHUA UNIVERSITY", "ror:03cve4549"),
        ("US10011488", "patent:US10011488"),
        ("10011488", "patent:US10011488"),
        ("H01L21/02", "cpc:H01L21/02"),
        ("CN", "country:CN"),
        ("DEU", "country:DE"),
        ("Germany", "country:DE"),
        ("Optics", "wipo:field:9"),
    ],
)
def test_lookup_by_every_kind_of_identifier(
    backend: GraphBackend, text: str, expected: str
) -> None:
    assert resolve_entity(backend, text).id == expected


def test_search_exact_prefix_and_fuzzy(backend: GraphBackend) -> None:
    exact = search(backend, "Tsinghua University", limit=3)
    assert exact.hits[0].match == "exact" and exact.hits[0].entity.id == "ror:03cve4549"
    prefix = search(backend, "Samsung Disp", labels=[NodeLabel.ORGANIZATION], limit=3)
    assert prefix.hits[0].match == "prefix"
    assert prefix.hits[0].entity.name == "Samsung Display Co., Ltd."
    fuzzy = search(backend, "Tsinghau Univrsity", limit=3)
    assert "ror:03cve4549" in [h.entity.id for h in fuzzy.hits if h.match == "fuzzy"]


def test_unknown_and_ambiguous_entities(backend: GraphBackend) -> None:
    with pytest.raises(EntityNotFoundError) as info:
        resolve_entity(backend, "Tsinghau Univrsity")
    tsinghua = next(s for s in info.value.suggestions if s["id"] == "ror:03cve4549")
    assert tsinghua == {
        "id": "ror:03cve4549",
        "name": "Tsinghua University",
        "label": "Organization",
        "kind": "university",
        "country": "CN",
    }
    assert "Tsinghua University (university, CN) [ror:03cve4549]" in str(info.value)
    with pytest.raises(AmbiguousEntityError):
        resolve_entity(backend, "Samsung")


def test_entity_detail_lists_neighbours_per_relation(backend: GraphBackend) -> None:
    d = entity_detail(backend, "Tsinghua University", limit=3)
    relations = {(n.relation, n.direction) for n in d.neighbors}
    assert ("ASSIGNED_TO", "in") in relations and ("LOCATED_IN", "out") in relations
    assert sum(1 for n in d.neighbors if n.relation == "ASSIGNED_TO") == 3
    assert d.properties["ror_id"] == "https://ror.org/03cve4549"
