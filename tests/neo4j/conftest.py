"""Neo4j tests: make sure the Bolt fixtures are registered (once), and report timings."""

from __future__ import annotations

import sys

import pytest

PLUGIN = "tests.neo4j.bolt"


def pytest_configure(config: pytest.Config) -> None:
    # The root conftest should list the module in `pytest_plugins`; register it here only if
    # it did not, so that the session fixtures exist exactly once.
    if not config.pluginmanager.has_plugin(PLUGIN):
        config.pluginmanager.import_plugin(PLUGIN)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    bolt = sys.modules.get(PLUGIN)
    if bolt is not None and bolt.TIMINGS:
        terminalreporter.section("Bolt server (ArcadeDB) timings")
        for what, seconds in bolt.TIMINGS.items():
            terminalreporter.write_line(f"{what}: {seconds:.1f} s")
