"""/docs and /redoc work without a network: every script, style sheet and icon they load is
served by the app itself from the package, and those assets name no CDN."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from ttkg.api.app import create_app
from ttkg.core.settings import Settings
from ttkg.graph.backends.memory.backend import MemoryBackend

ASSET = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']|url:\s*["']([^"']+)["']""")
CDN = re.compile(r"(?:cdn\.jsdelivr\.net|unpkg\.com|cdnjs|fonts\.googleapis)")


@pytest.fixture(scope="module")
def client(memory_backend: MemoryBackend) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(), backend=memory_backend)) as c:
        yield c


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_pages_load_only_local_assets(client: TestClient, page: str) -> None:
    r = client.get(page)
    assert r.status_code == 200 and "text/html" in r.headers["content-type"]
    urls = [a or b for a, b in ASSET.findall(r.text)]
    scripts = [u for u in urls if u.endswith(".js")]
    assert scripts, f"{page} loads no script"
    for url in urls:
        assert url.startswith("/"), f"{page} loads {url} from elsewhere"
        asset = client.get(url)
        assert asset.status_code == 200, url
        if url.endswith((".js", ".css")):
            assert not CDN.search(asset.text), f"{url} names a CDN"
    assert not CDN.search(r.text)
    if page == "/docs":  # Swagger UI's validator badge would fetch from validator.swagger.io
        assert '"validatorUrl": null' in r.text
