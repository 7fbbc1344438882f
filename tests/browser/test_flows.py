"""The explorer's flows and brokers views (and research fields in bridges) in Debian's
chromium, against a real `ttkg serve` over the bundled sample: the numbers on the page are
the API's, the groups' expansion is shown, a thin answer says what the data holds, the state
is in the URL, the form has labels and works from the keyboard, downloads are the API's files.

On the sample, EU27 -> US has 12 co-owned patents (DE, FR, NL, SE with the US, 2022
partial); JP -> US has AI and health patents; OIC universities -> US,CN companies have none."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.browser.kit import READY, VIEWS, attrs, open_view, patent_page
from tests.servers import LiveServer

pytestmark = pytest.mark.browser


def flows_api(server: LiveServer, **params: str) -> dict[str, Any]:
    r = httpx.get(f"{server.url}/flows", params={"limit": 20, "evidence": 3, **params},
                  timeout=30)
    r.raise_for_status()
    return r.json()


def numbers(page: Any, selector: str, column: int) -> list[int]:
    return [int(c.inner_text().replace(",", ""))
            for c in page.query_selector_all(f"{selector} tbody tr td:nth-child({column})")]


def shown(page: Any, base: str, query: str) -> None:
    page.goto(f"{base}/?{query}")
    page.wait_for_selector(f"{READY}, body[data-state=error]", timeout=60_000)
    assert page.get_attribute("body", "data-state") == "ready", page.text_content("#status")


def test_flows_show_the_api_numbers(page: Any, live_server: LiveServer) -> None:
    open_view(page, live_server.url, "flows")
    api = flows_api(live_server, **{"from": "EU27", "to": "US", "by_year": "true"})
    assert api["patents"] > 0 and api["country_pairs"] and api["organization_pairs"]
    assert page.get_attribute("#flow-total [data-patents]", "data-patents") == str(api["patents"])
    assert page.get_attribute("#flow-total [data-pairs]", "data-pairs") == str(
        api["total_organization_pairs"])
    # the group's expansion, as the API echoed it
    group = api["filters"]["country_groups"][0]
    text = page.inner_text("#side-from [data-group=EU27]")
    assert group["name"] in text and ", ".join(group["members"]) in text
    assert attrs(page, "#country-pairs tbody tr", "data-id") == [
        f"{c['country']} {c['partner_country']}" for c in api["country_pairs"]]
    assert numbers(page, "#country-pairs", 3) == [c["patents"] for c in api["country_pairs"]]
    assert numbers(page, "#country-pairs", 4) == [
        c["organization_pairs"] for c in api["country_pairs"]]
    assert attrs(page, "#org-pairs tbody tr", "data-id") == [
        " ".join(o["id"] for o in p["organizations"]) for p in api["organization_pairs"]]
    first = page.query_selector("#org-pairs tbody tr")
    assert [a.get_attribute("href") for a in first.query_selector_all("td.evidence a")] == [
        patent_page(p) for p in api["organization_pairs"][0]["evidence"]["patents"]]
    # the by-year chart: drawn by uPlot, its counts in the label, the partial year marked
    assert page.query_selector("#flow-chart canvas") is not None
    label = page.get_attribute("#flow-chart", "aria-label")
    for y in api["by_year"]:
        assert f"{y['year']}: {y['patents']}{' (partial)' if y['partial'] else ''}" in label
    partial = [y["year"] for y in api["by_year"] if y["partial"]]
    assert partial, "the sample stops in 2022-06: its last year is partial"
    assert f"{partial[0]} is partial" in page.inner_text("#results")
    assert [li.inner_text() for li in page.query_selector_all("#notes li")] == api["notes"]
    assert page.outside == [] and page.errors == []


def test_an_unknown_group_shows_the_api_error(page: Any, live_server: LiveServer) -> None:
    page.goto(f"{live_server.url}/?view=flows&from=EUX&to=US")
    page.wait_for_selector("body[data-state=error]", timeout=60_000)
    detail = httpx.get(f"{live_server.url}/flows", params={"from": "EUX", "to": "US"}).json()
    assert page.inner_text("#status") == f"422: {detail['detail']}"
    assert "EU27" in detail["detail"], "the API names the nearest group"
    assert page.is_hidden("#downloads")


def test_flows_per_theme(page: Any, live_server: LiveServer) -> None:
    shown(page, live_server.url, "view=flows&from=JP&to=US&field=AI,health")
    api = flows_api(live_server, **{"from": "JP", "to": "US", "field": "AI,health"})
    assert api["patents"] > 0 and len(api["by_field"]) == 2
    assert attrs(page, "#flow-fields tbody tr", "data-id") == [
        f["field"]["id"] for f in api["by_field"]]
    assert numbers(page, "#flow-fields", 3) == [f["patents"] for f in api["by_field"]]
    assert page.get_attribute("#flow-total [data-patents]", "data-patents") == str(api["patents"])
    assert page.query_selector("#flow-chart") is None, "no chart unless by year is asked"
    assert page.outside == [] and page.errors == []


def test_an_empty_flow_says_what_the_data_holds(page: Any, live_server: LiveServer) -> None:
    query = {"from": "OIC", "to": "US,CN", "kind": "university", "partner_kind": "company"}
    shown(page, live_server.url, "view=flows&" + "&".join(f"{k}={v}" for k, v in query.items()))
    api = flows_api(live_server, **query)
    assert api["patents"] == 0
    assert "No co-owned patent" in page.inner_text(".thin")
    assert [li.inner_text() for li in page.query_selector_all("#notes li")] == api["notes"]
    assert any("co-owns" in n for n in api["notes"]), "the notes tell none from no data"
    assert page.query_selector("#org-pairs") is None


def test_flows_state_round_trips_and_the_form_works_from_the_keyboard(
    page: Any, live_server: LiveServer
) -> None:
    page.goto(f"{live_server.url}/?view=flows")
    page.wait_for_selector("#from:not([disabled])")
    # every control of the view has a label (by `for` or by wrapping it)
    unlabelled = page.evaluate("""[...document.querySelectorAll(
        '[data-for=flows] input, #filters input:not([disabled]), #filters select:not([disabled])')]
        .filter((i) => !i.labels || i.labels.length === 0).map((i) => i.id)""")
    assert unlabelled == []
    assert page.get_attribute("nav a[data-view=flows]", "aria-current") == "page"
    page.focus("#from")
    page.keyboard.type("EU27")
    page.keyboard.press("Tab")
    page.keyboard.type("US")
    page.keyboard.press("Tab")  # fields or themes: left empty
    page.keyboard.press("Tab")
    page.keyboard.press("Space")  # by year
    assert page.is_checked("#by_year")
    page.focus("#to")
    page.keyboard.press("Enter")
    page.wait_for_selector(READY)
    assert "from=EU27" in page.url and "to=US" in page.url and "by_year=true" in page.url
    rows = attrs(page, "#org-pairs tbody tr", "data-id")
    total = page.get_attribute("#flow-total [data-patents]", "data-patents")
    page.reload()
    page.wait_for_selector(READY)
    assert attrs(page, "#org-pairs tbody tr", "data-id") == rows, "a shared URL shows the same"
    assert page.get_attribute("#flow-total [data-patents]", "data-patents") == total
    assert page.is_checked("#by_year") and page.input_value("#from") == "EU27"
    # another view and back: the history keeps the state
    page.click("nav a[data-view=search]")
    page.go_back()
    page.wait_for_selector(READY)
    assert page.input_value("#to") == "US"
    assert page.outside == [] and page.errors == []


def test_brokers_show_the_api_ranking_with_their_paths(page: Any, live_server: LiveServer) -> None:
    open_view(page, live_server.url, "brokers")
    v = VIEWS["brokers"]
    api = httpx.get(f"{live_server.url}/brokers", params={
        "a": v["a"], "b": v["b"], "limit": 20, "evidence": 2}, timeout=30).json()
    assert api["brokers"]
    assert attrs(page, "#brokers tbody tr", "data-id") == [
        b["organization"]["id"] for b in api["brokers"]]
    assert attrs(page, "#brokers tbody tr", "data-path") == [
        " ".join(o["id"] for o in b["path"]) for b in api["brokers"]]
    first = page.query_selector("#brokers tbody tr")
    assert [a.get_attribute("href") for a in first.query_selector_all("a[data-patent]")] == [
        patent_page(p) for h in api["brokers"][0]["hops"] for p in h["evidence"]["patents"]]
    assert page.outside == [] and page.errors == []


def test_brokers_between_two_sides(page: Any, live_server: LiveServer) -> None:
    shown(page, live_server.url, "view=brokers&from=EU27&to=US")
    api = httpx.get(f"{live_server.url}/brokers", params={
        "from": "EU27", "to": "US", "limit": 20, "evidence": 2}, timeout=30).json()
    assert api["mode"] == "countries" and api["brokers"]
    assert attrs(page, "#brokers tbody tr", "data-id") == [
        b["organization"]["id"] for b in api["brokers"]]
    assert page.query_selector("#side-from [data-group=EU27]") is not None


def test_no_broker_says_why(page: Any, live_server: LiveServer) -> None:
    shown(page, live_server.url, "view=brokers&from=OIC&to=US")
    api = httpx.get(f"{live_server.url}/brokers", params={
        "from": "OIC", "to": "US", "limit": 20, "evidence": 2}, timeout=30).json()
    assert api["brokers"] == [] and api["note"]
    assert api["note"] in page.inner_text("#brokers-note")
    assert page.query_selector_all("#brokers tbody tr") == []


def test_flows_download_the_api_csv_and_have_no_graphml(
    page: Any, live_server: LiveServer
) -> None:
    open_view(page, live_server.url, "flows")
    assert not page.is_visible("#downloads button[data-ext=graphml]")
    with page.expect_download() as info:
        page.click("#downloads button[data-ext=csv]")
    body = Path(info.value.path()).read_bytes()
    api = httpx.get(f"{live_server.url}/flows", headers={"accept": "text/csv"}, params={
        "from": "EU27", "to": "US", "by_year": "true", "limit": 20, "evidence": 3})
    assert body == api.content and b"country_pair" in body


def test_bridges_take_a_research_field_and_suggest_it(page: Any, live_server: LiveServer) -> None:
    shown(page, live_server.url, "view=bridges&a=Materials%20Science&b=Optics")
    api = httpx.get(f"{live_server.url}/bridges", params={
        "field_a": "Materials Science", "field_b": "Optics", "limit": 20, "evidence": 3}).json()
    assert api["field_a"]["kind"] == "openalex_field" and api["direct"]
    assert attrs(page, "#direct tbody tr", "data-id") == [
        d["organization"]["id"] for d in api["direct"]]
    # a name that is both a research field and a theme is a question, shown with its choices
    page.goto(f"{live_server.url}/?view=bridges&a=Energy&b=Optics")
    page.wait_for_selector(f"{READY}, body[data-state=error]", timeout=60_000)
    assert page.get_attribute("body", "data-state") == "error"
    status = page.text_content("#status") or ""
    assert "ambiguous" in status and "theme:energy" in status and "openalex:field:21" in status
    shown(page, live_server.url, "view=bridges&a=openalex:field:21&b=Optics")
    page.fill("#b", "")
    page.type("#b", "Materials Sci")
    page.wait_for_selector("#field-suggestions option[value='Materials Science']",
                           state="attached")
    page.goto(f"{live_server.url}/?view=flows")
    page.fill("#flow_field", "AI,heal")
    page.dispatch_event("#flow_field", "input")
    page.wait_for_selector("#selection-suggestions option[value='AI,health']", state="attached")


def work_page(w: dict[str, Any]) -> str:
    return f"https://doi.org/{w['doi']}" if w["doi"] else (
        "https://openalex.org/" + w["id"].removeprefix("work:"))


def test_flows_show_co_authored_works_beside_patents(page: Any, live_server: LiveServer) -> None:
    """The works half of a flow (OpenAlex works co-authored by the two sides) is shown with
    the API's numbers: the total, per country pair and year, per theme (none for a theme
    without a research field), the top organisation pairs with their works as evidence."""
    params = {"from": "EU27", "to": "US", "field": "AI,health", "by_year": "true"}
    shown(page, live_server.url, "view=flows&" + "&".join(f"{k}={v}" for k, v in params.items()))
    api = flows_api(live_server, **params)
    w = api["co_authored"]
    assert w["works"] > 0 and w["country_pairs"] and w["organization_pairs"]
    assert page.get_attribute("#works-total [data-works]", "data-works") == str(w["works"])
    assert page.get_attribute("#works-total [data-pairs]", "data-pairs") == str(
        w["total_organization_pairs"])
    assert attrs(page, "#works-country-pairs tbody tr", "data-id") == [
        f"{c['country']} {c['partner_country']}" for c in w["country_pairs"]]
    assert numbers(page, "#works-country-pairs", 3) == [c["works"] for c in w["country_pairs"]]
    years = [c.inner_text() for c in
             page.query_selector_all("#works-country-pairs tbody tr td:nth-child(5)")]
    assert years == [", ".join(f"{y['year'] if y['year'] is not None else 'no date'}: "
                               f"{y['works']}" for y in c["by_year"]) for c in w["country_pairs"]]
    assert attrs(page, "#works-org-pairs tbody tr", "data-id") == [
        " ".join(o["id"] for o in p["organizations"]) for p in w["organization_pairs"]]
    assert numbers(page, "#works-org-pairs", 4) == [p["works"] for p in w["organization_pairs"]]
    first = page.query_selector("#works-org-pairs tbody tr")
    assert [a.get_attribute("href") for a in first.query_selector_all("td.evidence a")] == [
        work_page(x) for x in w["organization_pairs"][0]["evidence"]["works"]]
    # per theme: works beside patents, a dash where no research field is mapped
    cells = [c.inner_text()
             for c in page.query_selector_all("#flow-fields tbody tr td:nth-child(4)")]
    assert cells == [("–" if f["works"] is None else f"{f['works']:,}") for f in api["by_field"]]
    assert f"{w['works']:,} co-authored works" in (page.text_content("#status") or "")
    assert page.outside == [] and page.errors == []
