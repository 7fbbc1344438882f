"""Screenshots of each explorer view for the docs: `python -m tests.browser.screenshots`
builds the bundled sample into a temporary folder, starts `ttkg serve` over it and writes
docs/explorer-<view>.png with Debian's chromium; `python -m tests.browser.screenshots flows
brokers` only those views."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from tests.browser.kit import CHROMIUM_ARGS, VIEWS, chromium_path, view_url
from tests.servers import HOST, start_serve, stop

DOCS = Path(__file__).resolve().parents[2] / "docs"


def main(argv: list[str]) -> int:
    from playwright.sync_api import sync_playwright

    from ttkg.graph.build.builder import build_graph
    from ttkg.loaders.sources import SourcePaths

    unknown = [v for v in argv if v not in VIEWS]
    if unknown:
        print(f"unknown views {unknown}; the views: {', '.join(VIEWS)}", file=sys.stderr)
        return 2
    chromium = chromium_path()
    if chromium is None:
        print("chromium is not installed", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        graph = Path(tmp) / "graph"
        build_graph(SourcePaths.sample(), graph)
        env = dict(os.environ, TTKG_GRAPH=str(graph))
        proc, url = start_serve(["--host", HOST], env, Path(tmp) / "serve.log")
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=str(chromium), args=list(CHROMIUM_ARGS))
                page = browser.new_page(viewport={"width": 1200, "height": 900})
                for view in argv or VIEWS:
                    page.goto(view_url(url, view))
                    page.wait_for_selector("body[data-state=ready]", timeout=60_000)
                    page.wait_for_timeout(500)  # let the network layout settle
                    out = DOCS / f"explorer-{view}.png"
                    page.screenshot(path=str(out), full_page=False)
                    print(out)
                browser.close()
        finally:
            stop(proc)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
