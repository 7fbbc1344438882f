"""A real Bolt server for the test suite: ArcadeDB (from PyPI) with its Neo4j-Bolt plugin.

The server runs in a child process (its own JVM, its log in the temp folder) so that the test
process stays free of Java and a crash or a killed test run cannot leave it behind: the child
stops when its stdin closes. One server per test session (start-up takes a few seconds).

Register this module once, in the root conftest (`pytest_plugins = ["tests.neo4j.bolt"]`);
it provides session fixtures:

- `bolt_server`: a running server, as BoltServer(uri, user, password, database);
- `neo4j_sample_backend`: a Neo4jBackend over the bundled sample pushed into it (needs the
  `sample_graph` fixture of the root conftest);
- `scratch_server`: the same server's second database, for tests that write other graphs.

`pushed_sample(bolt_server, sample_graph)` pushes a built graph (once per session, again only
if something else replaced it). Set TTKG_TEST_BOLT_URI (and _USER, _PASSWORD, _DATABASE,
_SCRATCH_DATABASE) to use a server started elsewhere, e.g. a real Neo4j 5 or (from the
repository's root) `python -m tests.neo4j.bolt serve --bolt-port 7687 --database ttkg
--database scratch`.
"""

from __future__ import annotations

import argparse
import os
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, NamedTuple

import pytest

from tests.servers import free_port, wait_until

if TYPE_CHECKING:
    from ttkg.core.settings import Neo4jSettings
    from ttkg.graph.backends.neo4j.backend import Neo4jBackend

READY = "TTKG-BOLT-READY"
START_TIMEOUT_S = 180.0
ROOT = Path(__file__).resolve().parents[2]  # the repository: the child runs from there

#: Measured seconds, reported by tests/neo4j's terminal summary: server start, pushes.
TIMINGS: dict[str, float] = {}


class BoltServer(NamedTuple):
    """Where a running Bolt server answers."""

    uri: str
    user: str
    password: str
    database: str

    def neo4j_settings(self) -> Neo4jSettings:
        """The settings a ttkg client uses to reach this server."""
        from ttkg.core.settings import Neo4jSettings

        return Neo4jSettings(
            uri=self.uri, user=self.user, password=self.password, database=self.database
        )


def wait_until_ready(server: BoltServer, timeout: float = START_TIMEOUT_S) -> float:
    """Block until `RETURN 1` succeeds over Bolt; returns the seconds waited."""
    from neo4j import GraphDatabase
    from neo4j.exceptions import DriverError, Neo4jError

    t0 = time.monotonic()

    def answers() -> bool:
        with GraphDatabase.driver(server.uri, auth=(server.user, server.password)) as drv:
            records, _, _ = drv.execute_query("RETURN 1 AS x", database_=server.database)
        return bool(records) and records[0]["x"] == 1

    wait_until(
        answers,
        timeout,
        0.3,
        what=f"the Bolt server at {server.uri} to answer RETURN 1",
        ignore=(DriverError, Neo4jError, OSError),
    )
    return time.monotonic() - t0


class ServerProcess:
    """An ArcadeDB server in a child process with databases `database` and `scratch`."""

    def __init__(
        self, root: Path, database: str = "ttkg", scratch: str = "scratch", heap: str = "2g"
    ) -> None:
        self.root = root
        self.log_path = root / "arcadedb.log"
        bolt_port, http_port = free_port(), free_port()
        self.server = BoltServer(
            f"bolt://127.0.0.1:{bolt_port}", "root", "ttkg-" + secrets.token_hex(8), database
        )
        self.scratch = self.server._replace(database=scratch)
        env = dict(os.environ, TTKG_BOLT_PASSWORD=self.server.password)
        args = ["serve", "--root", str(root / "db"), "--heap", heap]
        args += ["--bolt-port", str(bolt_port), "--http-port", str(http_port)]
        args += ["--database", database, "--database", scratch]
        self._log: IO[bytes] = self.log_path.open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.neo4j.bolt", *args],
            stdin=subprocess.PIPE,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=ROOT,
        )

    def wait(self, timeout: float = START_TIMEOUT_S) -> float:
        """Wait until the server answers (seconds since start); raise with the log's tail if
        the child died or did not come up."""
        t0 = time.monotonic()

        def started() -> bool:
            if self.proc.poll() is not None:
                raise RuntimeError(f"ArcadeDB exited ({self.proc.returncode}):\n{self.log_tail()}")
            return READY in self.log_path.read_text(errors="replace")

        try:
            wait_until(started, timeout, 0.2, what="ArcadeDB to start", details=self.log_tail)
        except AssertionError:
            self.stop()
            raise
        wait_until_ready(self.server, timeout - (time.monotonic() - t0))
        return time.monotonic() - t0

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


def external_server() -> tuple[BoltServer, BoltServer | None] | None:
    """The server named by TTKG_TEST_BOLT_URI & co. (and its scratch database), if set."""
    uri = os.environ.get("TTKG_TEST_BOLT_URI")
    if not uri:
        return None
    main = BoltServer(
        uri,
        os.environ.get("TTKG_TEST_BOLT_USER", "neo4j"),
        os.environ.get("TTKG_TEST_BOLT_PASSWORD", ""),
        os.environ.get("TTKG_TEST_BOLT_DATABASE", "neo4j"),
    )
    scratch = os.environ.get("TTKG_TEST_BOLT_SCRATCH_DATABASE")
    return main, (main._replace(database=scratch) if scratch else None)


_SCRATCH: dict[str, BoltServer | None] = {}


@pytest.fixture(scope="session")
def bolt_server() -> Iterator[BoltServer]:
    """A running Bolt server for the whole session: (uri, user, password, database)."""
    ext = external_server()
    if ext is not None:
        TIMINGS["server ready (external)"] = wait_until_ready(ext[0])
        _SCRATCH[ext[0].uri] = ext[1]
        yield ext[0]
        return
    with tempfile.TemporaryDirectory(prefix="ttkg-arcadedb-") as tmp:
        proc = ServerProcess(Path(tmp))
        try:
            TIMINGS["ArcadeDB start until RETURN 1"] = proc.wait()
            _SCRATCH[proc.server.uri] = proc.scratch
            yield proc.server
        finally:
            proc.stop()


@pytest.fixture(scope="session")
def scratch_server(bolt_server: BoltServer) -> BoltServer:
    """A second database on the same server, for tests that push other graphs or clear."""
    scratch = _SCRATCH.get(bolt_server.uri)
    if scratch is None:
        pytest.skip("the external Bolt server has no scratch database configured")
    return scratch


def _pushed_build(server: BoltServer) -> str | None:
    from neo4j import GraphDatabase

    from ttkg.graph.backends.neo4j import cypher

    with GraphDatabase.driver(server.uri, auth=(server.user, server.password)) as driver:
        q, p = cypher.read_meta()
        records, _, _ = driver.execute_query(q, p, database_=server.database)
    if not records or records[0]["props"].get("status") != "complete":
        return None
    build: str | None = records[0]["props"].get("build_id")
    return build


#: Patent ids stored per derived relationship in the session's pushed sample (as `ttkg neo4j
#: push` does by default).
DERIVED_EVIDENCE = 20


def pushed_sample(bolt_server: BoltServer, sample_graph: Path) -> BoltServer:
    """Make the server's database hold the built graph at `sample_graph` with its derived
    relations: push it (replacing whatever else is there) unless that build is already there
    completely."""
    from neo4j import GraphDatabase

    from ttkg.graph.artifact import Artifact
    from ttkg.graph.backends.derived import derived_relations
    from ttkg.graph.backends.memory.backend import MemoryBackend
    from ttkg.graph.backends.neo4j.push import push_artifact

    artifact = Artifact.open(sample_graph)
    if _pushed_build(bolt_server) == artifact.manifest.get("build_id"):
        return bolt_server
    with GraphDatabase.driver(
        bolt_server.uri, auth=(bolt_server.user, bolt_server.password)
    ) as driver:
        t0 = time.monotonic()
        embedded = MemoryBackend(artifact)
        result = push_artifact(
            driver,
            artifact,
            database=bolt_server.database,
            replace=True,
            derived=derived_relations(embedded, evidence=DERIVED_EVIDENCE),
        )
        embedded.close()
        TIMINGS[
            f"push of {sum(result.node_counts.values()):,} nodes and "
            f"{sum(result.edge_counts.values()):,} relationships"
        ] = time.monotonic() - t0
    return bolt_server


@pytest.fixture(scope="session")
def neo4j_sample_backend(bolt_server: BoltServer, sample_graph: Path) -> Iterator[Neo4jBackend]:
    """The Neo4j backend over the bundled sample pushed into the session's Bolt server."""
    from ttkg.graph.backends.neo4j.backend import Neo4jBackend

    server = pushed_sample(bolt_server, sample_graph)
    backend = Neo4jBackend.connect(server.neo4j_settings())
    yield backend
    backend.close()


# --- the child process ------------------------------------------------------------------------


def _serve(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description="Run ArcadeDB with its Bolt plugin (loopback).")
    parser.add_argument("--root", required=True, help="folder for the databases")
    parser.add_argument("--bolt-port", type=int, default=7687)
    parser.add_argument("--http-port", type=int, default=2480)
    parser.add_argument("--database", action="append", help="database to create (repeatable)")
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
        for name in args.database or ["ttkg"]:
            if not (Path(args.root) / "databases" / name).exists():
                server.create_database(name)
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
        sys.exit("usage: python -m tests.neo4j.bolt serve [--root DIR] [--bolt-port N] ...")
    sys.exit(_serve(sys.argv[2:]))
