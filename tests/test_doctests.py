"""The runnable examples: every docstring example of the package and the Python API guide
(docs/python-api.md), run against the bundled sample built by the session fixture."""

from __future__ import annotations

import doctest
import importlib
import pkgutil
from pathlib import Path

import pytest

import ttkg

ROOT = Path(__file__).resolve().parent.parent
FLAGS = doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS


def _modules() -> list[str]:
    names = ["ttkg"]
    for info in pkgutil.walk_packages(ttkg.__path__, "ttkg."):
        if info.name != "ttkg.__main__":
            names.append(info.name)
    return sorted(names)


@pytest.fixture(autouse=True)
def _sample_is_the_default_graph(sample_graph: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`ttkg.open()` in the examples opens what `ttkg build` would have built."""
    monkeypatch.setenv("TTKG_GRAPH", str(sample_graph))


def test_there_are_examples_to_run() -> None:
    finder = doctest.DocTestFinder()
    found = [
        t
        for name in _modules()
        for t in finder.find(importlib.import_module(name))
        if t.examples
    ]
    assert len(found) >= 5, [t.name for t in found]


@pytest.mark.parametrize("name", _modules())
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=FLAGS, verbose=False)
    assert result.failed == 0


def test_python_api_guide() -> None:
    result = doctest.testfile(
        str(ROOT / "docs" / "python-api.md"), module_relative=False, optionflags=FLAGS
    )
    assert result.attempted >= 10 and result.failed == 0
