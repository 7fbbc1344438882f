"""A served graph is warm before its first request: no query of the load mix imports a module
the app's start did not (an import is CPU under the GIL: pandas, imported by pyarrow.compute's
first call, stalled the first entity page of a field, and every request behind it, by ~0.3 s
on the full shared data). Run in a fresh interpreter: the test process has imported
everything already."""

from __future__ import annotations

import contextlib
import json
import logging
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from ttkg.core.model import NodeLabel
from ttkg.graph.artifact import Artifact
from ttkg.graph.backends.memory.backend import MemoryBackend

_SCRIPT = """
import json, sys
from fastapi.testclient import TestClient
from ttkg.api.app import create_app
from ttkg.core.settings import Settings
graph, requests = sys.argv[1], json.loads(sys.argv[2])
with TestClient(create_app(Settings(graph=graph))) as client:
    assert client.get("/health").status_code == 200  # the HTTP stack's own first use
    before = set(sys.modules)
    status = {path: client.get(path, params=params).status_code for path, params in requests}
print(json.dumps({"status": status, "new": sorted(set(sys.modules) - before)}))
"""


def test_the_request_mix_imports_nothing_after_start(sample_graph: Path) -> None:
    art = Artifact.open(sample_graph)
    fields = [r["name"] for r in art.nodes(NodeLabel.TECHNOLOGY_FIELD).to_pylist()
              if str(r["id"]).startswith("wipo:field:")]
    org = art.nodes(NodeLabel.ORGANIZATION).to_pylist()[0]["id"]
    patent = art.nodes(NodeLabel.PATENT).to_pylist()[0]["id"]
    requests = [
        (f"/entities/{fields[0]}", {"limit": 25}),
        (f"/entities/{patent}", {}),
        (f"/entities/{org}", {}),
        ("/entities", {"q": org[4:10]}),
        ("/bridges", {"field_a": fields[0], "field_b": fields[1], "years": "1990-2020"}),
        (f"/fields/{fields[2]}/profile", {"years": "2000-2010"}),
        (f"/organizations/{org}/partners", {"evidence": 3}),
        ("/paths", {"source": fields[0], "target": org, "k": 3}),
    ]
    run = subprocess.run(
        [sys.executable, "-c", _SCRIPT, str(sample_graph), json.dumps(requests)],
        capture_output=True, text=True, timeout=300, check=True,
    )
    out = json.loads(run.stdout.strip().splitlines()[-1])
    assert set(out["status"].values()) == {200}, out["status"]
    assert out["new"] == [], out["new"]


_REQUESTS = [
    ("/bridges", {"field_a": "Semiconductors", "field_b": "Optics", "evidence": 3}),
    ("/bridges", {"field_a": "Computer technology", "field_b": "Optics", "years": "2010-2020",
                  "kind": "company", "partner_kind": "company"}),
    ("/fields/Semiconductors/profile", {"years": "2015-"}),
    ("/fields/H01L/profile", {}),
    ("/entities", {"q": "Tsinghua Univ"}),
    ("/entities/country:CN", {"limit": 25}),
]


def test_questions_the_server_asks_itself_change_no_answer(sample_graph: Path) -> None:
    """An app that warmed up by asking its own questions (ttkg.queries.warm) answers every
    request exactly as one that did not, and its answer cache starts empty (the first
    answers are misses)."""
    from fastapi.testclient import TestClient

    from ttkg.api.app import create_app
    from ttkg.core.settings import Settings

    answers = []
    for warm in (0.0, 30.0):
        with TestClient(create_app(Settings(graph=sample_graph, warm_up_s=warm))) as client:
            got = [client.get(path, params=params) for path, params in _REQUESTS]
        assert [r.status_code for r in got] == [200] * len(_REQUESTS)
        assert not any("hit" in r.headers.get("cache-status", "") for r in got)
        answers.append([r.json() for r in got])
    assert answers[0] == answers[1]


def test_the_warm_up_asks_each_kind_of_question_within_its_budget(
    memory_backend: MemoryBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Over the sample it asks profiles, bridges, entity pages, partners, paths and searches,
    all answered (none skipped for an error); with no time left it asks nothing."""
    from ttkg.queries import warm

    asked: Counter[str] = Counter()
    for name in ("field_profile", "bridges", "entity_detail", "partners", "paths", "search"):
        real = getattr(warm, name)
        monkeypatch.setattr(warm, name, _counting(real, name, asked))
    with _no_skipped_questions(warm):
        n = warm.warm_up_queries(memory_backend, budget_s=60)
    fields = len(memory_backend.names([NodeLabel.TECHNOLOGY_FIELD]))
    assert asked["field_profile"] == 2 * fields and asked["bridges"] == 3 * (fields - 1)
    assert asked["partners"] == asked["paths"] == asked["search"] // 2 > 0
    assert asked["entity_detail"] > asked["partners"]  # the countries' pages too
    assert n == sum(asked.values())
    assert warm.warm_up_queries(memory_backend, budget_s=0) <= 1


def _counting(real: Callable[..., Any], name: str, asked: Counter[str]) -> Callable[..., Any]:
    def counted(*args: Any, **kwargs: Any) -> Any:
        asked[name] += 1
        return real(*args, **kwargs)
    return counted


@contextlib.contextmanager
def _no_skipped_questions(module: ModuleType) -> Iterator[None]:
    """Fail if the module logs a skipped question (an error of a warm-up question)."""
    seen: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record)

    logger = logging.getLogger(module.__name__)
    handler, level = Keep(level=logging.DEBUG), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    assert [r.getMessage() for r in seen if "skipped" in r.getMessage()] == []
