"""moto's IAM as a local server for the benchmark, counting every IAM action it answers.

python bench/moto_server.py [--port 0]    prints `READY <url>` once it accepts requests, serves until SIGTERM

Three things differ from a plain `python -m moto.server`, all inside this process only:
- moto 5.2 has no ListServiceSpecificCredentials / DeleteServiceSpecificCredential, which the bot's `remove`
  calls; they are added here (an empty list / NoSuchEntity: no user made here ever has such a credential).
- every IAM action is counted on the way in, so the bot is measured unmodified:
  GET /_bench/iam_calls -> {"counts": {action: n}, "total": n}; POST /_bench/reset clears the counts.
- DynamoDB (bench/replicas_burst.py: two bots on one table) answers one operation at a time, so each write and
  transaction is atomic as in the real service (tests/fakes/moto_dynamodb.py says why moto's are not).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

# Must be set before moto builds its IAM backend: the bot attaches AWS managed policies.
os.environ["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true"

from moto.core import DEFAULT_ACCOUNT_ID
from moto.core.responses import ActionResult, BaseResponse
from moto.iam.exceptions import NoSuchEntity
from moto.iam.models import iam_backends
from moto.iam.responses import IamResponse
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import make_server

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.fakes.moto_dynamodb import atomic_moto_dynamodb

_counts: Counter[str] = Counter()
_lock = threading.Lock()


def _list_service_specific_credentials(self: IamResponse) -> ActionResult:
    return ActionResult({"ServiceSpecificCredentials": []})


def _delete_service_specific_credential(self: IamResponse) -> ActionResult:
    raise NoSuchEntity(f"No such credential {self._get_param('ServiceSpecificCredentialId')}")


def _counting_call_action(self: IamResponse) -> Any:
    with _lock:
        _counts[self._get_action()] += 1
    return BaseResponse.call_action(self)


def patch_moto() -> None:
    """Add the two missing IAM actions and count every IAM action moto dispatches."""
    IamResponse.list_service_specific_credentials = _list_service_specific_credentials  # type: ignore[attr-defined]
    IamResponse.delete_service_specific_credential = _delete_service_specific_credential  # type: ignore[attr-defined]
    IamResponse.call_action = _counting_call_action  # type: ignore[method-assign]


WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def with_counter_endpoints(app: WsgiApp) -> WsgiApp:
    """moto's app, plus the two /_bench endpoints."""

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path.startswith("/_bench/"):
            with _lock:
                if path == "/_bench/reset":
                    _counts.clear()
                body = json.dumps({"counts": dict(_counts), "total": sum(_counts.values())}).encode()
            start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
            return [body]
        return app(environ, start_response)

    return application


def warm_up(url: str) -> None:
    """One IAM request through the server: moto's first one costs ~0.5 s (it loads botocore's IAM model)."""
    import boto3

    client = boto3.client(
        "iam",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="warm",
        aws_secret_access_key="warm",  # noqa: S106 (moto accepts any)
    )
    client.list_users(PathPrefix="/bench-warm-up/")
    with _lock:
        _counts.clear()


def main(argv: list[str] | None = None) -> None:
    """Serve moto (IAM with AWS managed policies loaded) on 127.0.0.1 until SIGTERM."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    args = parser.parse_args(argv)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    patch_moto()
    # Build the IAM backend (and load the ~1,400 managed policies) now, not on the bot's first call.
    iam_backends[DEFAULT_ACCOUNT_ID]["aws"].get_policy("arn:aws:iam::aws:policy/AdministratorAccess-Amplify")
    server = make_server(
        "127.0.0.1", args.port, with_counter_endpoints(DomainDispatcherApplication(create_backend_app)), threaded=True
    )
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}"
    with atomic_moto_dynamodb():
        warm_up(url)
        print(f"READY {url}", flush=True)
        while not stop.wait(0.5):
            pass
    server.shutdown()
    thread.join(timeout=5)
    sys.exit(0)


if __name__ == "__main__":
    main()
