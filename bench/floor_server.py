"""The burst's floor: a do-nothing threaded HTTP server, served like the bot (waitress, the same threads and backlog).

python bench/floor_server.py     prints `READY <url>`, then answers every request 200 with an empty body (after
reading it) until SIGTERM. bench/phases.py sends it each burst's requests, from the same client, just before the
bot gets them: the ratio of the two p99s is what the bot's own work adds to an ack under a burst.
"""

from __future__ import annotations

import signal
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from waitress.server import create_server

from http_server import HTTP_THREADS


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """Read the body, answer 200 with nothing."""
    environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
    start_response("200 OK", [("Content-Length", "0")])
    return [b""]


def main() -> None:
    server = create_server(application, host="127.0.0.1", port=0, threads=HTTP_THREADS, backlog=1024, ident="floor")
    signal.signal(signal.SIGTERM, lambda *_: server.close() or sys.exit(0))
    print(f"READY http://127.0.0.1:{server.effective_port}", flush=True)
    server.run()


if __name__ == "__main__":
    main()
