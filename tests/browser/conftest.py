"""Browser fixtures: one chromium for the session, a fresh page per test whose screenshot is
kept when the test fails (the folder is printed with the failure).

Without chromium (or Playwright) the tests are skipped with the reason, except in CI
(CI=true), where `.ci/run` installs chromium and a missing browser is a failure."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.kit import CHROMIUM_ARGS, chromium_path


def _missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed (pip install -e '.[test]')"
    if chromium_path() is None:
        return "chromium is not installed (apt-get install -y chromium chromium-driver)"
    return None


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    setattr(item, f"report_{report.when}", report)


@pytest.fixture(scope="session")
def screenshot_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("browser-screenshots")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    missing = _missing()
    if missing:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"CI is set but {missing}", pytrace=False)
        pytest.skip(missing)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(chromium_path()), args=list(CHROMIUM_ARGS))
        yield b
        b.close()


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest, screenshot_dir: Path) -> Iterator[Any]:
    """A page that records every request leaving the loopback interface and every script
    error (`page.outside`, `page.errors`), with a screenshot saved if the test fails."""
    context = browser.new_context(viewport={"width": 1200, "height": 900}, accept_downloads=True)
    pg = context.new_page()
    pg.outside, pg.errors = [], []

    def route(r: Any) -> None:
        url = r.request.url
        if url.startswith(("http://127.0.0.1", "data:", "blob:")):
            r.continue_()
        else:
            pg.outside.append(url)
            r.abort()

    pg.route("**/*", route)
    pg.on("pageerror", lambda exc: pg.errors.append(str(exc)))
    yield pg
    call = getattr(request.node, "report_call", None)
    if call is not None and call.failed:
        shot = screenshot_dir / f"{request.node.name}.png"
        pg.screenshot(path=str(shot), full_page=True)
        print(f"screenshot of the failing page: {shot}")
    context.close()
