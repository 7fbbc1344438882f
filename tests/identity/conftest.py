"""Fixtures of the identity tests: a real ROR slice and resolvers over it."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.identity import OrganizationResolver
from loaders.records import RorRecord
from tests.identity.ror_json import read_ror_json

DATA = Path(__file__).resolve().parents[1] / "data" / "identity"


@pytest.fixture(scope="session")
def ror_slice() -> list[RorRecord]:
    return list(read_ror_json(DATA / "ror-slice.json"))


@pytest.fixture(scope="session")
def resolver(ror_slice: list[RorRecord]) -> OrganizationResolver:
    return OrganizationResolver(ror_slice)
