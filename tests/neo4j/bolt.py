"""A real Bolt server for the test suite: ArcadeDB (from PyPI) with its Neo4j-Bolt plugin.

The server runs in a child process (its own JVM, its log in the temp folder) so that the test
process stays free of Java and a crash or a killed test run cannot leave it behind: the child
stops when its stdin closes. One server per test session (start-up takes a few seconds).

Use from pytest: the `bolt_server` session fixture yields a `BoltServer` (uri, user, password,
database); `pushed_sample(bolt_server, sample_graph)` pushes a built graph into it once.
Set TTKG_TEST_BOLT_URI (and _USER, _PASSWORD, _DATABASE) to use a server started elsewhere,
e.g. by `python tests/neo4j/bolt.py serve --bolt-port 7687` in CI or a real Neo4j 5.

Run by hand: `python tests/neo4j/bolt.py serve --root /tmp/adb --bolt-port 7687`.
"""

from __future__ import annotations

import argparse
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, NamedTuple

import pytest

READY = "TTKG-BOLT-READY"
START_TIMEOUT_S = 180.0


class BoltServer(NamedTuple):
    """Where a running Bolt server answers."""

    uri: str
    user: str
    password: str
    database: str


def free_port() -> int:
    """A currently free TCP port on the loopback interface."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until_ready(server: BoltServer, timeout: float = START_TIMEOUT_S) -> float:
    """Block until `RETURN 1` succeeds over Bolt; returns the seconds waited."""
    from neo4j import GraphDatabase
    from neo4j.exceptions import DriverError, Neo4jError

    t0 = time.monotonic()
    last: Exception | None = None
    while time.monotonic() - t0 < timeout:
        try:
            with GraphDatabase.driver(server.uri, auth=(server.user, server.password)) as drv:
                records, _, _ = drv.execute_query("RETURN 1 AS x", database_=server.database)
                if records and records[0]["x"] == 1:
                    return time.monotonic() - t0
        except (DriverError, Neo4jError, OSError) as exc:
            last = exc
        time.sleep(0.3)
    raise RuntimeError(f"Bolt server at {server.uri} not ready after {timeout:.0f} s: {last}")


class ServerProcess:
    """An ArcadeDB server in a child process; `stop()` ends it and waits."""

    def __init__(self, root: Path, database: str = "ttkg", heap: str = "2g") -> None:
        self.root = root
        self.log_path = root / "arcadedb.log"
        bolt_port, http_port = free_port(), free_port()
        self.server = BoltServer(
            f"bolt://127.0.0.1:{bolt_port}", "root", "ttkg-" + secrets.token_hex(8), database
        )
        env = dict(os.environ, TTKG_BOLT_PASSWORD=self.server.password)
        self._log: IO[bytes] = self.log_path.open("wb")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                str(Path(__file__).resolve()),
                "serve",
                "--root",
                str(root / "db"),
                "--bolt-port",
                str(bolt_port),
                "--http-port",
                str(http_port),
                "--database",
                database,
                "--heap",
                heap,
            ],
            stdin=subprocess.PIPE,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env=env,
        )

    def wait(self, timeout: float = START_TIMEOUT_S) -> float:
        """Wait until the server answers; raise with the log's tail if the child died."""
        t0 = time.monotonic()
        while time.monotonic() - t0 < timeout:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"ArcadeDB exited with {self.proc.returncode}:\n{self.log_tail()}"
                )
            if READY in self.log_path.read_text(errors="replace"):
                return wait_until_ready(self.server, timeout - (time.monotonic() - t0)) + (
                    time.monotonic() - t0
                )
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"ArcadeDB did not start in {timeout:.0f} s:\n{self.log_tail()}")

    def log_tail(self, n: int = 40) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])

    def stop(self) -> None:
        """Close the child's stdin (its signal to stop), then wait; kill it if it hangs."""
        if self.proc.poll() is None:
            assert self.proc.stdin is not None
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self._log.close()


def external_server() -> BoltServer | None:
    """The server named by TTKG_TEST_BOLT_URI & co., if set."""
    uri = os.environ.get("TTKG_TEST_BOLT_URI")
    if not uri:
        return None
    return BoltServer(
        uri,
        os.environ.get("TTKG_TEST_BOLT_USER", "neo4j"),
        os.environ.get("TTKG_TEST_BOLT_PASSWORD", ""),
        os.environ.get("TTKG_TEST_BOLT_DATABASE", "neo4j"),
    )


#: Seconds the last `bolt_server` start took (reported by the neo4j tests' summary).
STARTUP_SECONDS: dict[str, float] = {}


@pytest.fixture(scope="session")
def bolt_server() -> Iterator[BoltServer]:
    """A running Bolt server for the whole session: (uri, user, password, database)."""
    ext = external_server()
    if ext is not None:
        STARTUP_SECONDS["external"] = wait_until_ready(ext)
        yield ext
        return
    with tempfile.TemporaryDirectory(prefix="ttkg-arcadedb-") as tmp:
        proc = ServerProcess(Path(tmp))
        try:
            STARTUP_SECONDS["arcadedb"] = proc.wait()
            yield proc.server
        finally:
            proc.stop()


#: Graphs already pushed, keyed by (uri, database, graph dir): push once per session.
_PUSHED: dict[tuple[str, str, str], object] = {}


def pushed_sample(bolt_server: BoltServer, sample_graph: Path) -> BoltServer:
    """Push the built graph at `sample_graph` into the server (once per session), clearing
    whatever another graph left there; returns the server for chaining."""
    from neo4j import GraphDatabase

    from graph.artifact import Artifact
    from graph.backends.neo4j.push import push_artifact

    key = (bolt_server.uri, bolt_server.database, str(Path(sample_graph).resolve()))
    if key in _PUSHED:
        return bolt_server
    stale = [k for k in _PUSHED if k[:2] == key[:2]]
    artifact = Artifact.open(sample_graph)
    with GraphDatabase.driver(
        bolt_server.uri, auth=(bolt_server.user, bolt_server.password)
    ) as driver:
        t0 = time.monotonic()
        push_artifact(driver, artifact, database=bolt_server.database, clear=True)
        PUSH_SECONDS[key[2]] = time.monotonic() - t0
    for k in stale:
        del _PUSHED[k]
    _PUSHED[key] = artifact.manifest.get("build_id")
    return bolt_server


#: Seconds each push took, by graph dir.
PUSH_SECONDS: dict[str, float] = {}


# --- the child process ------------------------------------------------------------------------


def _serve(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description="Run ArcadeDB with its Bolt plugin (loopback).")
    parser.add_argument("--root", required=True, help="folder for the databases")
    parser.add_argument("--bolt-port", type=int, default=7687)
    parser.add_argument("--http-port", type=int, default=2480)
    parser.add_argument("--database", default="ttkg")
    parser.add_argument("--heap", default="2g")
    args = parser.parse_args(argv)
    password = os.environ.get("TTKG_BOLT_PASSWORD") or "ttkg-test-password"

    import arcadedb_embedded as adb

    adb.jvm.start_jvm(heap_size=args.heap)
    server = adb.create_server(
        root_path=args.root,
        root_password=password,
        config={
            "http_port": args.http_port,
            "server_plugins": "Neo4j-Bolt:com.arcadedb.bolt.BoltProtocolPlugin",
            "bolt_port": args.bolt_port,
        },
    )
    server.start()
    try:
        if not adb.database_exists(str(Path(args.root) / args.database)):
            server.create_database(args.database)
        sys.stdout.write(f"\n{READY} bolt://127.0.0.1:{args.bolt_port}\n")
        sys.stdout.flush()
        # Run until stdin closes: the parent's stop(), or the parent dying.
        while sys.stdin.buffer.read(4096):
            pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] != "serve":
        sys.exit("usage: python tests/neo4j/bolt.py serve [--root DIR] [--bolt-port N] ...")
    sys.exit(_serve(sys.argv[2:]))
