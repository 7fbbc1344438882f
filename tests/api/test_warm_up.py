"""A served graph is warm before its first request: no query of the load mix imports a module
the app's start did not (an import is CPU under the GIL: pandas, imported by pyarrow.compute's
first call, stalled the first entity page of a field, and every request behind it, by ~0.3 s
on the full shared data). Run in a fresh interpreter: the test process has imported
everything already."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from ttkg.core.model import NodeLabel
from ttkg.graph.artifact import Artifact

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
