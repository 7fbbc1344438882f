"""Shared fixtures: the bundled real sample built once per session, and a `backend` fixture
parametrised over every backend so one suite proves parity."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ttkg.graph.backends.contract import GraphBackend
from ttkg.graph.backends.memory.backend import MemoryBackend
from ttkg.graph.build.builder import BuildResult, build_graph
from ttkg.loaders.sources import SourcePaths

# bolt_server, neo4j_sample_backend; live_server (and the `ttkg serve` helpers)
pytest_plugins = ["tests.servers", "tests.neo4j.bolt"]


#: Fixtures that talk to the real Bolt server (tests/neo4j/bolt.py).
BOLT_FIXTURES = frozenset({"bolt_server", "scratch_server", "neo4j_sample_backend"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under pytest-xdist (`-n 2 --dist loadgroup`, the project's default), every test of the
    Bolt server runs in one worker, so one server starts and the sample is pushed once; the
    other tests spread over both workers."""
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if item.get_closest_marker("bolt") or fixtures & BOLT_FIXTURES:
            item.add_marker(pytest.mark.xdist_group("bolt"))


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    """The bundled sample (data/sample) built into a fresh graph directory."""
    return build_graph(SourcePaths.sample(), tmp_path_factory.mktemp("graph"))


@pytest.fixture(scope="session")
def sample_graph(sample_build: BuildResult) -> Path:
    """Graph directory of the built sample."""
    return sample_build.path.parent.parent


@pytest.fixture(scope="session")
def memory_backend(sample_graph: Path) -> Iterator[MemoryBackend]:
    """The embedded backend over the built sample."""
    backend = MemoryBackend.open(sample_graph)
    yield backend
    backend.close()


@pytest.fixture(scope="session", params=["memory", pytest.param("neo4j", marks=pytest.mark.bolt)])
def backend(request: pytest.FixtureRequest, memory_backend: MemoryBackend) -> GraphBackend:
    """Every backend over the same built sample: tests using it must pass on all of them."""
    if request.param == "memory":
        return memory_backend
    neo4j_backend: GraphBackend = request.getfixturevalue("neo4j_sample_backend")
    return neo4j_backend
