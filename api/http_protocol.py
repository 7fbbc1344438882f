"""uvicorn's HTTP/1.1 protocol over httptools (llhttp, in C), with a bound on a request head.

h11, uvicorn's pure-Python parser, cost about a tenth of the server's CPU under the load
benchmark (py-spy: parsing each request and writing each answer's head). httptools parses in
C, but neither it nor uvicorn bounds a request head: a client could send headers without end
and the server would keep them. This protocol counts the bytes received while a head is read
and answers 400 when a read leaves a head unfinished past `MAX_HEAD_BYTES`, as uvicorn's h11
protocol does at the same size (its `h11_max_incomplete_event_size` default); a head is thus
bounded by the limit plus one read (64 KiB). A read that ends the head may carry a body too:
bodies are the app's to limit (413, api/middleware.py). See tests/hardening/test_limits.py."""

from __future__ import annotations

from typing import Any, Final

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

__all__ = ["MAX_HEAD_BYTES", "BoundedHttpToolsProtocol"]

#: h11's default bound on an incomplete event (a request head), 16 KiB.
MAX_HEAD_BYTES: Final = 16 * 1024


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    """HttpToolsProtocol that refuses a request head over MAX_HEAD_BYTES with a 400."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_bytes: int | None = 0  # received of the head being read; None in a body

    def data_received(self, data: bytes) -> None:
        if self._head_bytes is None:  # in a body: the app's limits apply (api/middleware.py)
            super().data_received(data)
            return
        self._head_bytes += len(data)
        super().data_received(data)  # the head may end in this read (then _head_bytes is None)
        over = self._head_bytes is not None and self._head_bytes > MAX_HEAD_BYTES
        if over and not self.transport.is_closing():
            msg = "Invalid HTTP request received."
            self.logger.warning("%s (request head over %d bytes)", msg, MAX_HEAD_BYTES)
            self.send_400_response(msg)

    def on_headers_complete(self) -> None:
        self._head_bytes = None
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._head_bytes = 0
