"""The answers several server processes share: one bounded store on the machine, so an answer
one worker computed is a hit in every other.

Why: `ttkg serve --workers N` runs N processes, each with its own cache of answers
(api/caching.py). A client's keep-alive connection stays with one worker, so a request
another worker has answered is computed again: under the load benchmark's mix at 9.1M
patents, two workers answered 20.9 % of the requests from their own caches where one shared
cache would have answered 30.5 % (the same requests replayed against one and two key sets).

The store is `diskcache` (SQLite with its values beside it, safe across threads and
processes, bounded by size: the oldest stored go first) in a directory that `ttkg serve`
makes for the run (in memory, /dev/shm, where it has room) and removes at its end.
Keys and values are plain strings and bytes (no pickling): the key names the graph version,
so an answer of a version no longer served is never read again, only evicted. The store is
an optimisation: any error in it is logged once and the request goes on as a miss.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Final

from diskcache import Cache, Timeout

__all__ = ["SharedAnswers", "store_directory"]

log = logging.getLogger(__name__)

#: How long a read or write waits for another process's lock before it counts as a miss.
LOCK_WAIT_S: Final = 0.05
_SEPARATOR: Final = b"\0"  # after the headers' JSON (which escapes any NUL), before the body

#: A store's directory: its server's process id, then a random part.
_STORE: Final = re.compile(r"^ttkg-answers-(\d+)-")
#: What a failing store raises (a lock held too long, the database, the files).
_ERRORS: Final = (Timeout, sqlite3.Error, OSError)

Headers = list[tuple[bytes, bytes]]


class SharedAnswers:
    """A size-bounded store of (headers, body) answers by key, shared by processes."""

    def __init__(self, directory: Path, max_bytes: int) -> None:
        self.directory = directory
        self._cache = Cache(
            str(directory),
            size_limit=max_bytes,
            timeout=LOCK_WAIT_S,
            eviction_policy="least-recently-stored",  # a read writes nothing
        )
        self._failed = False

    def get(self, key: str) -> tuple[Headers, bytes] | None:
        """The answer stored under `key`, or None (none, or the store failed)."""
        try:
            value = self._cache.get(key, default=None, retry=False)
        except _ERRORS as exc:
            self._failure("read", exc)
            return None
        if not isinstance(value, bytes):
            return None
        head, _, body = value.partition(_SEPARATOR)
        headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in json.loads(head)]
        return headers, body

    def put(self, key: str, headers: Headers, body: bytes) -> None:
        """Store an answer (the store evicts the oldest past its size)."""
        head = json.dumps([[k.decode("latin-1"), v.decode("latin-1")] for k, v in headers])
        try:
            self._cache.set(key, head.encode() + _SEPARATOR + body, retry=False)
        except _ERRORS as exc:
            self._failure("write", exc)

    def volume(self) -> int:
        """Bytes the store takes on disk (its database and value files)."""
        return int(self._cache.volume())

    def close(self) -> None:
        self._cache.close()

    def _failure(self, what: str, exc: Exception) -> None:
        if not self._failed:
            self._failed = True
            log.warning("shared answer store %s: %s failed (%s); answering without it",
                        self.directory, what, exc)


@contextlib.contextmanager
def store_directory(max_bytes: int) -> Iterator[Path]:
    """A new directory for one server's shared answers, named after its process, removed at
    the end; in /dev/shm (memory) where it has room for twice `max_bytes` (a container's may
    be 64 MB), else in the temporary directory. The stores that servers killed before they
    could remove theirs left there are removed first."""
    memory = Path("/dev/shm")
    roomy = memory.is_dir() and shutil.disk_usage(memory).free >= 2 * max_bytes
    parent = memory if roomy else Path(tempfile.gettempdir())
    remove_stale_stores(parent)
    made = Path(tempfile.mkdtemp(prefix=f"ttkg-answers-{os.getpid()}-", dir=parent))
    try:
        yield made
    finally:
        shutil.rmtree(made, ignore_errors=True)


def remove_stale_stores(parent: Path) -> list[Path]:
    """Remove the stores under `parent` whose server process is gone (one killed by SIGKILL
    could not remove its own); those removed. A store of a live process, or of one this user
    may not signal, is kept."""
    removed = []
    for path in parent.glob("ttkg-answers-*"):
        found = _STORE.match(path.name)
        if found is None or not path.is_dir():
            continue
        try:
            os.kill(int(found.group(1)), 0)
        except ProcessLookupError:
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
            log.info("removed %s: its server is gone", path)
        except PermissionError:  # another user's live process
            continue
    return removed
