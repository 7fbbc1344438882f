"""Fixtures of the identity tests: a real ROR slice, the labelled real assignee set, resolvers."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from ttkg.graph.identity import AssigneeName, OrganizationResolver
from ttkg.loaders.records import RorRecord
from ttkg.loaders.report import LoadReport
from ttkg.loaders.ror import read_ror

DATA = Path(__file__).resolve().parents[1] / "data" / "identity"


@pytest.fixture(scope="session")
def ror_slice() -> list[RorRecord]:
    return list(read_ror(DATA / "ror-slice.json", LoadReport()))


@pytest.fixture(scope="session")
def resolver(ror_slice: list[RorRecord]) -> OrganizationResolver:
    return OrganizationResolver(ror_slice)


@pytest.fixture(scope="session")
def labelled() -> list[dict[str, str]]:
    with (DATA / "labelled_assignees.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def as_names(rows: list[dict[str, str]]) -> list[AssigneeName]:
    return [
        AssigneeName(r["name"], r["assignee_type"] or None, r["country"] or None, int(r["count"]))
        for r in rows
    ]
