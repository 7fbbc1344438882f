"""The layering contract (import-linter, `[tool.importlinter]` in pyproject.toml) holds, and it
would catch an upward import: a copy of the package with one deliberately wrong import fails.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT = [sys.executable, "-c", "from importlinter.cli import lint_imports_command as c; c()"]


def _lint(package_parent: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*LINT, "--config", str(ROOT / "pyproject.toml")],
        cwd=package_parent,
        env={"PYTHONPATH": str(package_parent), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def _copy_package(tmp_path: Path) -> Path:
    """The ttkg package as installed (links to the card's folders followed), under tmp_path."""
    shutil.copytree(
        ROOT / "ttkg",
        tmp_path / "ttkg",
        symlinks=False,
        ignore=shutil.ignore_patterns("__pycache__", "sample"),
    )
    return tmp_path


def test_the_floors_hold() -> None:
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "wrong_import", "broken"),
    [
        # ground importing the HTTP API: two floors at once the wrong way
        ("core/model.py", "import ttkg.api.app", "ttkg.core.model -> ttkg.api.app"),
        # the contract importing an engine (the old circle went through the contract)
        (
            "graph/backends/contract.py",
            "import ttkg.graph.backends.memory.backend",
            "ttkg.graph.backends.contract -> ttkg.graph.backends.memory.backend",
        ),
        # a loader deciding identity
        ("loaders/ror.py", "import ttkg.graph.identity.link", "ttkg.loaders.ror ->"),
    ],
)
def test_an_upward_import_breaks_the_contract(
    tmp_path: Path, module: str, wrong_import: str, broken: str
) -> None:
    parent = _copy_package(tmp_path)
    target = parent / "ttkg" / module
    target.write_text(target.read_text() + f"\n{wrong_import}  # deliberately wrong\n")
    result = _lint(parent)
    assert result.returncode != 0
    assert "BROKEN" in result.stdout and broken in result.stdout, result.stdout
