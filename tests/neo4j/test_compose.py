"""docker-compose.yml and the Dockerfile, checked offline (no Docker engine here): the services
fit together, their commands exist in the CLI, and `docker-compose config -q` accepts the file
where Debian's docker-compose is installed."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import click
import pytest
import yaml
from typer.main import get_command

from ttkg.cli.main import app
from ttkg.core.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return data


def cli_has(*path: str) -> set[str]:
    """Option names of a CLI command (raises KeyError if the command does not exist)."""
    cmd: Any = get_command(app)
    for name in path:  # through Click's lookup: sub-command modules are mounted lazily
        found = cmd.get_command(click.Context(cmd), name)
        if found is None:
            raise KeyError(name)
        cmd = found
    return {opt for p in cmd.params for opt in getattr(p, "opts", [])}


def test_neo4j_service_is_neo4j5_with_volume_and_health_check(compose: dict[str, Any]) -> None:
    neo4j = compose["services"]["neo4j"]
    assert neo4j["image"].startswith("neo4j:5")
    assert any(v.endswith(":/data") for v in neo4j["volumes"])
    assert "cypher-shell" in " ".join(neo4j["healthcheck"]["test"])
    assert {"127.0.0.1:7474:7474", "127.0.0.1:7687:7687"} <= set(neo4j["ports"])
    # only real neo4j.conf settings may be passed as NEO4J_* variables
    env = neo4j["environment"]
    assert {k for k in env if k.startswith("NEO4J_")} <= {
        "NEO4J_AUTH",
        "NEO4J_server_memory_heap_max__size",
        "NEO4J_server_memory_pagecache_size",
    }
    assert set(compose["volumes"]) >= {"neo4j-data"}


def test_loader_builds_and_pushes_once_neo4j_is_healthy(compose: dict[str, Any]) -> None:
    loader = compose["services"]["loader"]
    assert loader["depends_on"]["neo4j"]["condition"] == "service_healthy"
    assert loader["restart"] == "no"
    script = loader["command"][-1]
    assert script == "ttkg build && ttkg neo4j push --replace"
    assert "--replace" in cli_has("neo4j", "push")
    assert cli_has("build")
    assert loader["environment"]["TTKG_NEO4J_URI"] == "bolt://neo4j:7687"


USER_PASSWORD = "a-password-the-user-set"


def _compose_value(value: str) -> str:
    """The value compose gives a variable: `${X:-d}` -> d when the user sets nothing;
    `${NEO4J_PASSWORD:?...}` (required) -> the password the user set."""
    if re.fullmatch(r"\$\{NEO4J_PASSWORD:\?[^}]*\}", value):
        return USER_PASSWORD
    match = re.fullmatch(r"\$\{\w+:-(.*)\}", value)
    return match.group(1) if match else value


def test_ports_are_bound_to_localhost(compose: dict[str, Any]) -> None:
    ports = [p for s in compose["services"].values() for p in s.get("ports", [])]
    assert ports and all(str(p).startswith("127.0.0.1:") for p in ports), ports


def test_no_default_password_compose_refuses_to_start_without_one() -> None:
    text = (ROOT / "docker-compose.yml").read_text()
    uses = re.findall(r"\$\{NEO4J_PASSWORD[^}]*\}", text)
    assert uses and set(uses) == {"${NEO4J_PASSWORD:?set NEO4J_PASSWORD}"}
    assert "ttkg-change-me" not in text


def test_api_serves_from_neo4j_after_the_loader(compose: dict[str, Any]) -> None:
    api = compose["services"]["api"]
    assert api["depends_on"] == {
        "neo4j": {"condition": "service_healthy"},
        "loader": {"condition": "service_completed_successfully"},
    }
    command = api["command"]
    assert command[:2] == ["ttkg", "serve"] and "--backend" in command
    assert command[command.index("--backend") + 1] == "neo4j"
    assert {"--backend", "--host", "--port"} <= cli_has("serve")
    env = api["environment"]
    assert set(env) == {
        "TTKG_NEO4J_URI",
        "TTKG_NEO4J_USER",
        "TTKG_NEO4J_PASSWORD",
        "TTKG_NEO4J_DATABASE",
        "TTKG_WORKERS",
    }
    # every TTKG_* variable the service sets is a field of the one settings object `ttkg
    # serve` reads (Settings; Neo4j's nested), with the value compose gives it
    values = {key: _compose_value(str(value)) for key, value in env.items()}
    with pytest.MonkeyPatch.context() as mp:
        for key, value in values.items():
            mp.setenv(key, value)
        settings = Settings()
    assert settings.workers == int(values["TTKG_WORKERS"]) == 2
    assert settings.neo4j.uri == values["TTKG_NEO4J_URI"]
    assert settings.neo4j.password_value() == values["TTKG_NEO4J_PASSWORD"] == USER_PASSWORD
    assert "/health" in " ".join(api["healthcheck"]["test"])


def test_dockerfile_copies_what_exists_and_mounts_resolve(compose: dict[str, Any]) -> None:
    dockerfile = (ROOT / "Dockerfile").read_text().splitlines()
    copies = [line.split()[1:-1] for line in dockerfile if line.startswith("COPY ")]
    assert copies
    for sources in copies:
        for src in sources:
            assert (ROOT / src).exists(), src
    assert (ROOT / "data" / "sample").is_dir()  # what `ttkg build` reads in the image
    for volume in compose["services"]["guide"]["volumes"]:
        host = volume.split(":")[0]
        assert (ROOT / host).exists(), host


@pytest.mark.skipif(shutil.which("docker-compose") is None, reason="docker-compose not installed")
@pytest.mark.parametrize("password", [None, USER_PASSWORD])
def test_docker_compose_accepts_the_file_only_with_a_password(password: str | None) -> None:
    env = {k: v for k, v in os.environ.items() if k != "NEO4J_PASSWORD"}
    if password:
        env["NEO4J_PASSWORD"] = password
    r = subprocess.run(
        ["docker-compose", "-f", str(ROOT / "docker-compose.yml"), "config", "-q"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        env=env,
    )
    if password:
        assert r.returncode == 0, r.stderr
    else:
        assert r.returncode != 0 and "set NEO4J_PASSWORD" in r.stderr
