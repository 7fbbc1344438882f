"""The web explorer in Debian's chromium, against a real `ttkg serve` over the bundled sample:
the search, bridges and paths views show what the API answers; every asset is local; the
state is in the URL; downloads are the API's files; the form works from the keyboard."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.browser import kit
from tests.browser.kit import READY, VIEWS, attrs, patent_page
from tests.servers import LiveServer

pytestmark = pytest.mark.browser


def open_view(page: Any, server: LiveServer, view: str) -> None:
    kit.open_view(page, server.url, view)


def test_serve_prints_the_explorer_url_and_serves_it(live_server: LiveServer) -> None:
    assert any(f"ttkg explorer: {live_server.url}/" in line for line in live_server.log_lines())
    r = httpx.get(f"{live_server.url}/")
    assert r.status_code == 200 and "ttkg explorer" in r.text
    for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', r.text):
        assert httpx.get(f"{live_server.url}{asset}").status_code == 200, asset


def test_search_shows_the_api_hits(page: Any, live_server: LiveServer) -> None:
    open_view(page, live_server, "search")
    api = httpx.get(f"{live_server.url}/entities", params={"q": "tsinghua", "limit": 25}).json()
    assert api["hits"]
    assert attrs(page, "#search-results tbody tr", "data-id") == [h["entity"]["id"]
                                                                  for h in api["hits"]]
    assert page.outside == [] and page.errors == []


def test_bridges_show_the_api_answer_with_evidence_links(
    page: Any, live_server: LiveServer
) -> None:
    open_view(page, live_server, "bridges")
    v = VIEWS["bridges"]
    api = httpx.get(f"{live_server.url}/bridges", params={
        "field_a": v["a"], "field_b": v["b"], "kind": v["kind"],
        "partner_kind": v["partner_kind"], "limit": 20, "evidence": 3}).json()
    assert api["direct"] and api["partnerships"]
    assert attrs(page, "#direct tbody tr", "data-id") == [
        d["organization"]["id"] for d in api["direct"]]
    assert attrs(page, "#partnerships tbody tr", "data-id") == [
        " ".join(o["id"] for o in p["organizations"]) for p in api["partnerships"]]
    first = page.query_selector("#partnerships tbody tr")
    links = [a.get_attribute("href") for a in first.query_selector_all("td.evidence a")]
    assert links == [patent_page(p) for p in api["partnerships"][0]["evidence"]["patents"]]
    counts = [int(c.inner_text().replace(",", "")) for c in first.query_selector_all("td.num")]
    assert api["partnerships"][0]["count"] in counts
    assert f"{api['total_partnerships']} found" in page.inner_text("#partnerships caption")
    assert page.outside == [] and page.errors == []


def test_paths_draw_and_list_the_api_hops(page: Any, live_server: LiveServer) -> None:
    open_view(page, live_server, "paths")
    v = VIEWS["paths"]
    api = httpx.get(f"{live_server.url}/paths", params={
        "source": v["source"], "target": v["target"], "k": 3, "max_hops": 4,
        "evidence": 3}).json()
    assert api["paths"]
    hops = [f"{h['source']['id']} {h['relation']} {h['target']['id']}"
            for p in api["paths"] for h in p["hops"]]
    assert attrs(page, "#path-list .hops > li", "data-hop") == hops
    drawn = page.evaluate("window.ttkgNetwork.nodes().map(n => n.id()).sort()")
    assert drawn == sorted({n["id"] for p in api["paths"] for n in p["nodes"]})
    edges = page.evaluate("window.ttkgNetwork.edges().length")
    assert edges == len({(h["relation"], *sorted((h["source"]["id"], h["target"]["id"])))
                         for p in api["paths"] for h in p["hops"]})
    hop = api["paths"][0]["hops"][0]
    item = page.query_selector("#path-list .hops > li")
    assert [a.get_attribute("href") for a in item.query_selector_all("a[data-patent]")] == [
        patent_page(p) for p in hop["evidence"]["patents"]]
    assert page.outside == [] and page.errors == []


def test_organization_view_and_its_timeline(page: Any, live_server: LiveServer) -> None:
    open_view(page, live_server, "organization")
    api = httpx.get(f"{live_server.url}/organizations/Tsinghua University/overview").json()
    assert sum(y["count"] for y in api["timeline"]) == api["patents"]
    assert page.query_selector("#timeline canvas") is not None, "uPlot drew the chart"
    label = page.get_attribute("#timeline", "aria-label")
    assert all(f"{y['year']}: {y['count']}" in label for y in api["timeline"])
    assert attrs(page, "#partners tbody tr", "data-id")[:5] == [
        p["organization"]["id"] for p in httpx.get(
            f"{live_server.url}/organizations/Tsinghua University/partners").json()["partners"][:5]]
    assert page.outside == [] and page.errors == []


def test_state_is_in_the_url_and_the_form_works_from_the_keyboard(
    page: Any, live_server: LiveServer
) -> None:
    page.goto(f"{live_server.url}/?view=bridges")
    page.wait_for_selector("#a:not([disabled])")
    page.focus("#a")
    page.keyboard.type("Semiconductors")
    page.keyboard.press("Tab")
    page.keyboard.type("Optics")
    page.focus("#years")
    page.keyboard.type("2015-")
    page.keyboard.press("Enter")
    page.wait_for_selector(READY)
    assert "a=Semiconductors" in page.url and "b=Optics" in page.url
    assert "years=2015-" in page.url
    shown = attrs(page, "#direct tbody tr", "data-id")
    page.reload()
    page.wait_for_selector(READY)
    assert attrs(page, "#direct tbody tr", "data-id") == shown, "a shared URL shows the same"
    api = httpx.get(f"{live_server.url}/bridges", params={
        "field_a": "Semiconductors", "field_b": "Optics", "years": "2015-", "limit": 20}).json()
    assert shown == [d["organization"]["id"] for d in api["direct"]]


def test_suggestions_while_typing(page: Any, live_server: LiveServer) -> None:
    page.goto(f"{live_server.url}/?view=search")
    page.fill("#q", "Tsinghu")
    page.dispatch_event("#q", "input")
    page.wait_for_selector("#suggestions option", state="attached")
    values = attrs(page, "#suggestions option", "value")
    assert "Tsinghua University" in values


@pytest.mark.parametrize(("button", "accept"), [("CSV", "text/csv"),
                                                ("GraphML", "application/graphml+xml")])
def test_downloads_are_the_api_files(
    page: Any, live_server: LiveServer, button: str, accept: str
) -> None:
    open_view(page, live_server, "paths")
    with page.expect_download() as info:
        page.click(f"#downloads button:text('{button}')")
    body = Path(info.value.path()).read_bytes()
    v = VIEWS["paths"]
    api = httpx.get(f"{live_server.url}/paths", headers={"accept": accept}, params={
        "source": v["source"], "target": v["target"], "k": 3, "max_hops": 4, "evidence": 3})
    assert body == api.content
    if accept == "text/csv":
        assert list(csv.DictReader(io.StringIO(body.decode("utf-8"))))
