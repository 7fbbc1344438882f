"""Debian's chromium driven by Playwright (Playwright's own browser download is not used):
where the browser is, how it is launched, and the explorer's URLs used by the tests and by
`python -m tests.browser.screenshots`."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlencode

CHROMIUM_ARGS: Final = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)

# One example of each view on the bundled sample (the README's questions)
VIEWS: Final = {
    "search": {"view": "search", "q": "tsinghua"},
    "organization": {"view": "organization", "org": "Tsinghua University"},
    "field": {"view": "field", "field": "Optics"},
    "bridges": {"view": "bridges", "a": "Semiconductors", "b": "Optics", "kind": "university",
                "partner_kind": "company"},
    "paths": {"view": "paths", "source": "Tsinghua University",
              "target": "Hon Hai Precision Industry Co., Ltd.", "k": "3"},
    "flows": {"view": "flows", "from": "EU27", "to": "US", "by_year": "true"},
    "brokers": {"view": "brokers", "a": "AI", "b": "health"},
}
READY: Final = "body[data-state=ready]"


def chromium_path() -> Path | None:
    """Debian's chromium (TTKG_CHROMIUM overrides), or None when it is not installed."""
    given = os.environ.get("TTKG_CHROMIUM")
    found = given or shutil.which("chromium") or shutil.which("chromium-browser")
    return Path(found) if found and Path(found).exists() else None


def view_url(base: str, view: str) -> str:
    return f"{base}/?{urlencode(VIEWS[view])}"


def open_view(page: Any, base: str, view: str) -> None:
    """Open one of VIEWS and wait until it has shown the API's answer."""
    page.goto(view_url(base, view))
    page.wait_for_selector(f"{READY}, body[data-state=error]", timeout=60_000)
    assert page.get_attribute("body", "data-state") == "ready", page.text_content("#status")


def attrs(page: Any, selector: str, name: str) -> list[str]:
    return [e.get_attribute(name) for e in page.query_selector_all(selector)]


def patent_page(p: dict[str, Any]) -> str:
    return f"https://patents.google.com/patent/US{p['number']}"
