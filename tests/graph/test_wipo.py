"""WIPO concordance matching on the real concordance file bundled with the sample."""

from __future__ import annotations

import pytest

from ttkg.graph.build.wipo import WipoMatcher
from ttkg.loaders.report import LoadReport
from ttkg.loaders.sources import SourcePaths
from ttkg.loaders.wipo import read_wipo


@pytest.fixture(scope="module")
def matcher() -> WipoMatcher:
    path = SourcePaths.sample().wipo
    assert path is not None
    return WipoMatcher.from_patterns(read_wipo(path, LoadReport()))


def test_main_group_pattern_matches_exactly_that_main_group(matcher: WipoMatcher) -> None:
    # 'H04N   3/%' (Audio-visual technology, field 2) covers H04N3/..., not H04N31/...
    assert 2 in matcher.fields("H04N3/15")
    assert matcher.fields("H04N3/15")[2] == "H04N   3/%"
    assert 2 not in matcher.fields("H04N31/00")


def test_subclass_pattern_covers_every_group(matcher: WipoMatcher) -> None:
    assert set(matcher.fields("H01L21/02")) == {8}
    assert set(matcher.fields("H01L")) == {8}
    assert 9 in matcher.fields("G02B6/12")  # Optics


def test_main_groups_of_one_subclass_go_to_different_fields(matcher: WipoMatcher) -> None:
    # A61K   8/% is Organic fine chemistry (14); A61K  38/% is Pharmaceuticals (16)
    assert set(matcher.fields("A61K8/02")) == {14}
    assert set(matcher.fields("A61K38/00")) == {16}
    assert matcher.fields("A61K80/00") == {}  # 8 is not 80


def test_unmapped_symbols_have_no_field(matcher: WipoMatcher) -> None:
    assert matcher.fields("Y10S977/00") == {}
