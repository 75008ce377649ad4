"""A local HTTP stand-in for the AWS Sign-In service's session calls (ListSessions, GetSession, BatchRevokeSessions).

moto has no Sign-In service, so the tests, ``--sandbox`` and the playground point the bot's signin client here
(``AWS_ENDPOINT_URL_SIGNIN``, re-pointed by iam.signin_client). It speaks rest-json as botocore 1.44's ``signin``
model describes it: ``POST /list-sessions`` etc. with a JSON body, camelCase members, errors as the
``x-amzn-errortype`` header plus ``{"error", "message"}``. It holds the sessions a test creates
(``create_session``), pages ListSessions by ``nextToken``, refuses more than five ARNs per BatchRevokeSessions as
the model does (``SessionArnList`` max 5), and records every call. ``python -m playground.signin_api --port 0``
prints ``READY <url>`` and serves until killed.

What is the fake's own choice, not AWS's (unverified): the session ARN form, the default page size (the model's
``maxResults`` is 1..100 with no default documented), and that ``principalArn`` must be a path-less user ARN
(the model's pattern allows no ``/`` in the name part; see iam.signin).
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
import signal
import threading
import time
from collections.abc import MutableMapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# botocore 1.44.8 signin model, PrincipalArnFilter (anchored here: the fake takes the pattern as the whole value).
PRINCIPAL_ARN_FILTER = re.compile(
    r"arn:aws:((iam::[0-9]{12}:role/[a-zA-Z0-9_+=,.@-]{1,64})|(iam::[0-9]{12}:user/[a-zA-Z0-9_+=,.@-]{1,64})"
    r"|(sts::[0-9]{12}:federated-user/[a-zA-Z0-9_+=,.@-]{2,193})|(iam::[0-9]{12}:root)|(iam::[0-9]{12}:[*]))"
)
MAX_REVOKE_BATCH = 5  # SessionArnList: min 1, max 5
MAX_RESULTS = 100  # SessionsMaxResults: 1..100
ROUTES = {
    "/list-sessions": "ListSessions",
    "/get-session": "GetSession",
    "/batch-revoke-sessions": "BatchRevokeSessions",
}


@dataclass
class SigninCall:
    """One request the fake received: the operation, its JSON body and what signed it."""

    operation: str
    body: dict[str, Any]
    host: str
    signed_service: str | None  # the service in the SigV4 credential scope ("signin"), None when unsigned
    at: float


@dataclass
class FakeSession:
    """One sign-in session the fake holds (times in Unix epoch seconds, as the model has them)."""

    session_arn: str
    principal_arn: str
    issued_at: int
    expires_at: int
    status: str = "ACTIVE"
    last_used_at: int | None = None
    client_type: str = "CLI"

    def summary(self) -> dict[str, Any]:
        """The ListSessions item (the model's Session shape has no lastUsedAt)."""
        return {
            "sessionArn": self.session_arn,
            "principalArn": self.principal_arn,
            "status": self.status,
            "issuedAt": self.issued_at,
            "expiresAt": self.expires_at,
            "clientType": self.client_type,
        }

    def details(self) -> dict[str, Any]:
        """The GetSession answer: the summary plus lastUsedAt when the session was ever refreshed."""
        answer = self.summary()
        if self.last_used_at is not None:
            answer["lastUsedAt"] = self.last_used_at
        return answer


@dataclass
class _Failure:
    code: str
    status: int
    remaining: int


@dataclass
class _State:
    sessions: dict[str, FakeSession] = field(default_factory=dict)
    calls: list[SigninCall] = field(default_factory=list)
    failures: dict[str, list[_Failure]] = field(default_factory=dict)
    revoke_errors: dict[str, str] = field(default_factory=dict)  # session ARN -> per-item error code


class FakeSignin:
    """A Sign-In API server on 127.0.0.1 that holds sessions, records every call and can be told to fail."""

    def __init__(self, *, account_id: str = "123456789012", region: str = "us-east-1", page_size: int = 100) -> None:
        """Configure the fake; call start() (or use it as a context manager) to serve."""
        self.account_id = account_id
        self.region = region
        self.page_size = page_size
        self._state = _State()
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle -------------------------------------------------------------------------------

    def start(self, host: str = "127.0.0.1", port: int = 0) -> FakeSignin:
        """Start serving on a background thread and return self."""
        if self._server is not None:
            raise RuntimeError("FakeSignin is already running")
        self._server = ThreadingHTTPServer((host, port), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-signin", daemon=True
        )
        self._thread.start()
        return self

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

    def __enter__(self) -> FakeSignin:
        """Start the server."""
        return self.start()

    def __exit__(self, *exc: object) -> None:
        """Stop the server."""
        self.stop()

    @property
    def url(self) -> str:
        """The base URL to name in AWS_ENDPOINT_URL_SIGNIN."""
        if self._server is None:
            raise RuntimeError("FakeSignin is not running")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # --- what tests set up and read ----------------------------------------------------------------

    def create_session(
        self,
        principal_arn: str,
        *,
        issued_at: int | None = None,
        expires_at: int | None = None,
        last_used_at: int | None = None,
    ) -> str:
        """Open a session for a principal (as `aws login` would) and return its ARN."""
        issued = int(time.time()) if issued_at is None else issued_at
        arn = f"arn:aws:signin:{self.region}:{self.account_id}:session/s-{next(self._ids):08d}"
        with self._lock:
            self._state.sessions[arn] = FakeSession(
                arn,
                principal_arn,
                issued,
                expires_at if expires_at is not None else issued + 12 * 3600,
                "ACTIVE",
                last_used_at,
            )
        return arn

    def sessions(self, principal_arn: str | None = None) -> list[FakeSession]:
        """The sessions held (of one principal when given), oldest first."""
        with self._lock:
            return [s for s in self._state.sessions.values() if principal_arn in (None, s.principal_arn)]

    @property
    def calls(self) -> list[SigninCall]:
        """Every request received, in order."""
        with self._lock:
            return list(self._state.calls)

    def calls_to(self, operation: str) -> list[SigninCall]:
        """The requests received for one operation."""
        return [c for c in self.calls if c.operation == operation]

    def fail(self, operation: str, code: str, *, status: int = 400, times: int = 1) -> None:
        """Answer the next `times` calls of `operation` with this error (e.g. AccessDeniedException, 403)."""
        with self._lock:
            self._state.failures.setdefault(operation, []).append(_Failure(code, status, times))

    def fail_revoking(self, session_arn: str, code: str = "InternalServerException") -> None:
        """Report this session in BatchRevokeSessions' errors list instead of revoking it."""
        with self._lock:
            self._state.revoke_errors[session_arn] = code

    def reset(self) -> None:
        """Forget every session, call and planned failure."""
        with self._lock:
            self._state = _State()

    # --- the API -------------------------------------------------------------------------------------

    def handle(self, path: str, body: dict[str, Any], host: str, authorization: str) -> tuple[int, dict[str, Any], str]:
        """Answer one request: (HTTP status, JSON body, error type or "")."""
        operation = ROUTES.get(path)
        with self._lock:
            self._state.calls.append(
                SigninCall(operation or path, body, host, _signed_service(authorization), time.time())
            )
            if operation is None:
                return 404, {"error": "UnknownOperation", "message": "no such operation"}, "UnknownOperationException"
            planned = self._state.failures.get(operation, [])
            if planned:
                failure = planned[0]
                failure.remaining -= 1
                if failure.remaining <= 0:
                    planned.pop(0)
                return failure.status, {"error": failure.code, "message": "injected"}, failure.code
            if _signed_service(authorization) != "signin":
                return 403, {"error": "INSUFFICIENT_PERMISSIONS", "message": "unsigned"}, "AccessDeniedException"
            principal = body.get("principalArn")
            if principal is not None and not PRINCIPAL_ARN_FILTER.fullmatch(str(principal)):
                return _invalid("principalArn does not match the PrincipalArnFilter pattern")
            return getattr(self, f"_{operation}")(body, principal)

    def _ListSessions(self, body: dict[str, Any], principal: str | None) -> tuple[int, dict[str, Any], str]:
        size = body.get("maxResults", self.page_size)
        if not isinstance(size, int) or not 1 <= size <= MAX_RESULTS:
            return _invalid("maxResults must be 1..100")
        size = min(size, self.page_size)
        matching = [
            s
            for s in self._state.sessions.values()
            if _owned_by(s, principal, self.account_id) and body.get("status") in (None, s.status)
        ]
        start = int(body.get("nextToken") or 0)
        page = matching[start : start + size]
        answer: dict[str, Any] = {"items": [s.summary() for s in page]}
        if start + size < len(matching):
            answer["nextToken"] = str(start + size)
        return 200, answer, ""

    def _GetSession(self, body: dict[str, Any], principal: str | None) -> tuple[int, dict[str, Any], str]:
        session = self._state.sessions.get(str(body.get("sessionArn")))
        if session is None or not _owned_by(session, principal, self.account_id):
            # The model: a session of another identity is reported as not found.
            return 404, {"error": "RESOURCE_NOT_FOUND", "message": "no such session"}, "ResourceNotFoundException"
        return 200, session.details(), ""

    def _BatchRevokeSessions(self, body: dict[str, Any], principal: str | None) -> tuple[int, dict[str, Any], str]:
        arns = body.get("sessionArns")
        if not isinstance(arns, list) or not 1 <= len(arns) <= MAX_REVOKE_BATCH:
            return _invalid("sessionArns must hold 1 to 5 session ARNs")
        revoked, errors = [], []
        for arn in arns:
            session = self._state.sessions.get(arn)
            if arn in self._state.revoke_errors:
                errors.append({"sessionArn": arn, "code": self._state.revoke_errors[arn], "message": "injected"})
            elif session is None or not _owned_by(session, principal, self.account_id):
                errors.append({"sessionArn": arn, "code": "RESOURCE_NOT_FOUND", "message": "no such session"})
            else:
                session.status = "REVOKED"  # revoking a revoked session succeeds (the model says so)
                revoked.append({"sessionArn": arn})
        return 200, {"revokedSessions": revoked, "errors": errors}, ""


def _owned_by(session: FakeSession, principal: str | None, account_id: str) -> bool:
    if principal is None:
        return False  # the caller's own sessions: the bot has none
    if principal == f"arn:aws:iam::{account_id}:*":
        return True
    return session.principal_arn == principal


def _invalid(message: str) -> tuple[int, dict[str, Any], str]:
    return 400, {"error": "invalid_request", "message": message}, "ValidationException"


_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/[^/]+/(?P<service>[^/]+)/aws4_request")


def _signed_service(authorization: str) -> str | None:
    match = _SCOPE.search(authorization or "")
    return match["service"] if match else None


def _handler_for(fake: FakeSignin) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body = json.loads(raw or b"{}")
            except ValueError:
                body = None
            if not isinstance(body, dict):
                status, answer, error_type = _invalid("the body is not a JSON object")
            else:
                path = self.path.split("?", 1)[0]
                status, answer, error_type = fake.handle(
                    path, body, self.headers.get("Host", ""), self.headers.get("Authorization", "")
                )
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            if error_type:
                self.send_header("x-amzn-errortype", error_type)
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            return  # quiet: tests and the playground read the recorded calls instead

    return Handler


def serve_for(environ: MutableMapping[str, str], *, account_id: str, region: str) -> FakeSignin:
    """Start a fake for `--sandbox` or the playground and point AWS_ENDPOINT_URL_SIGNIN in `environ` at it."""
    fake = FakeSignin(account_id=account_id, region=region).start()
    environ["AWS_ENDPOINT_URL_SIGNIN"] = fake.url
    return fake


def main(argv: list[str] | None = None) -> None:
    """Serve the fake on its own: `python -m playground.signin_api --port 0` prints READY <url>."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())  # before READY: a caller may stop us right after it
    fake = FakeSignin().start(args.host, args.port)
    print(f"READY {fake.url}", flush=True)
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        fake.stop()


if __name__ == "__main__":
    main()
