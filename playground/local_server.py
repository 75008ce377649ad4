"""What the playground's fake services share: an HTTP server on a background thread, started and stopped."""

from __future__ import annotations

import threading
from http.server import HTTPServer
from typing import Self


class BackgroundServer:
    """Serves one HTTPServer on a daemon thread; a subclass builds the server in its own start()."""

    _server: HTTPServer | None = None
    _thread: threading.Thread | None = None

    def _refuse_if_running(self) -> None:
        if self._server is not None:
            raise RuntimeError(f"{type(self).__name__} is already running")

    def _serve(self, server: HTTPServer, name: str) -> None:
        self._server = server
        # A short poll interval makes stop() (shutdown waits for the next poll) quick between tests.
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name=name, daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop serving."""
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def start(self) -> Self:  # pragma: no cover - every subclass defines it
        """Start serving on a background thread and return self."""
        raise NotImplementedError

    def __enter__(self) -> Self:
        """Start the server."""
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        """Stop the server."""
        self.stop()

    def _base_url(self) -> str:
        if self._server is None:
            raise RuntimeError(f"{type(self).__name__} is not running; call start() first")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"
