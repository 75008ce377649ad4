"""lazy_workers.LazyWorkers: the bot's lazy listeners in worker processes (Socket Mode and HTTP).

The bot under test acks in this process; its lazy halves run in real worker processes (spawned, each with its own
app built as bot.build_lazy_worker_app builds it, tests/lazy_worker_app.py) on the same SQLite file and fake Slack.
Each worker's IAM is a moto inside that worker, so what a worker created is not in this process's moto: that is how
these tests see where the work ran. Waits have generous deadlines (a worker imports and builds for seconds on a busy
machine); nothing here asserts how long anything took.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from slack_bolt import BoltRequest

from lazy_workers import LAZY_FUNCTION, LAZY_ONLY, WHOLE, LazyJob, LazyWorkers
from messages import APPROVE_ACTION, SHOW_CREDENTIALS_ACTION
from store import Credentials, State
from tests.conftest import CHANNEL, DEV, LEAD, LEAD2, LEADS_GROUP, OTHER, SIGNING_SECRET, Bot, message_text
from workflow import credentials

WAIT = 90.0  # seconds: only a deadline for work to show up, never a measurement
BUILD = "tests.lazy_worker_app:build"


@pytest.fixture
def worker_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Callable[[Bot], None]:
    """Give the workers the bot's settings through the environment, as `python bot.py` would have them."""

    def configure(bot: Bot) -> None:
        for name, value in {
            "SLACK_BOT_TOKEN": bot.settings.slack_bot_token,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": bot.slack.url,
            "AMPLIFY_DEV_APPROVAL_CHANNEL": CHANNEL,
            "AMPLIFY_DEV_APPROVERS": f"{LEAD},{LEAD2},{LEADS_GROUP}",
            "AMPLIFY_DEV_DB": bot.db_path,
        }.items():
            monkeypatch.setenv(name, value)
        monkeypatch.chdir(tmp_path)  # no .env of the developer's is read

    return configure


@pytest.fixture
def start_workers(bot: Bot, worker_env: Callable[[Bot], None]) -> Iterator[Callable[..., LazyWorkers]]:
    """Install LazyWorkers on the bot's app and start them; stopped (drained) after the test whatever happened."""
    started: list[LazyWorkers] = []

    def start(n: int = 1, *, wait_ready: bool = True) -> LazyWorkers:
        worker_env(bot)
        workers = LazyWorkers(n, BUILD).install(bot.app).start_workers()
        started.append(workers)
        if wait_ready:
            wait_until(lambda: workers.ready() == n, "the workers to be ready")
        return workers

    yield start
    for workers in started:
        workers.shutdown(timeout=WAIT)


def wait_until(condition: Callable[[], bool], what: str) -> None:
    """Block until `condition()` holds (polling), or fail after WAIT seconds saying what was awaited."""
    import time

    deadline = time.monotonic() + WAIT
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {WAIT:.0f}s for {what}")
        time.sleep(0.05)


def approval_posts(bot: Bot) -> list[str]:
    """The request ids on the approval messages posted so far (from their Approve buttons)."""
    ids = []
    for call in bot.slack.calls_to("chat.postMessage"):
        if call.params.get("channel") != CHANNEL:
            continue
        for block in call.params.get("blocks") or []:
            for element in block.get("elements") or []:
                if element.get("action_id") == APPROVE_ACTION:
                    ids.append(element["value"])
    return ids


def test_the_lazy_half_runs_in_a_worker_process_not_in_the_acking_one(
    bot: Bot, start_workers: Callable[..., LazyWorkers]
) -> None:
    workers = start_workers(1)
    assert bot.command(DEV, "request testing the worker processes").status == 200
    bot.slack.wait_for("chat.postMessage", timeout=WAIT)  # the approval message, posted by the worker
    request_id = bot.request_id_for(DEV)
    assert approval_posts(bot) == [request_id]
    assert bot.click(LEAD, APPROVE_ACTION, request_id).status == 200
    wait_until(lambda: bool(bot.dms_to(DEV)), "the requester's DM")
    assert bot.store.get(request_id).state == State.ACTIVE
    # The IAM user exists in the worker's moto, not in this process's: the approval ran over there.
    assert bot.iam_users() == []
    assert all(pid != 0 for pid in workers.pids) and len(workers.pids) == 1


def test_a_double_click_handled_by_two_workers_at_once_approves_once(
    bot: Bot, start_workers: Callable[..., LazyWorkers]
) -> None:
    workers = start_workers(2)
    bot.command(DEV, "request testing a double click")
    wait_until(lambda: len(approval_posts(bot)) == 1, "the approval message")
    request_id = bot.request_id_for(DEV)
    # Two leads click at once: the two lazy runs go to the two workers, and the store's compare-and-set picks one.
    assert bot.click(LEAD, APPROVE_ACTION, request_id).status == 200
    assert bot.click(LEAD2, APPROVE_ACTION, request_id).status == 200
    wait_until(lambda: bool(bot.dms_to(DEV)) and bool(bot.replies_to(LEAD) or bot.replies_to(LEAD2)), "both runs")
    workers.shutdown(timeout=WAIT)  # drains: both runs are over
    assert len(bot.dms_to(DEV)) == 1
    request = bot.store.get(request_id)
    assert request.state == State.ACTIVE and request.decided_by in (LEAD, LEAD2)
    loser = LEAD2 if request.decided_by == LEAD else LEAD
    assert "already" in bot.last_reply_text(loser).lower()


def test_a_worker_that_dies_mid_approval_is_replaced_and_the_sweep_finishes_its_request(
    bot: Bot,
    start_workers: Callable[..., LazyWorkers],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    marker = tmp_path / "crash-once"
    marker.touch()
    monkeypatch.setenv("AMPLIFY_DEV_TEST_CRASH_ON", "CreateUser")
    monkeypatch.setenv("AMPLIFY_DEV_TEST_CRASH_MARKER", str(marker))
    workers = start_workers(1)
    first_pids = workers.pids
    bot.command(DEV, "request testing a crash")
    wait_until(lambda: len(approval_posts(bot)) == 1, "the approval message")
    request_id = bot.request_id_for(DEV)
    with caplog.at_level(logging.WARNING, logger="amplify-dev"):
        bot.click(LEAD, APPROVE_ACTION, request_id)
        wait_until(lambda: not marker.exists(), "the worker to die at CreateUser")
        wait_until(lambda: workers.pids != first_pids and workers.ready() == 1, "a replacement worker")
    assert "during a request" in caplog.text
    stalled = bot.store.get(request_id)
    assert stalled.state == State.APPROVED and not bot.dms_to(DEV)  # left mid-way, nobody told yet

    # The replacement takes new work.
    bot.command(OTHER, "request after the crash")
    wait_until(lambda: len(approval_posts(bot)) == 2, "the second approval message")

    # The sweep finds the approval left mid-way once it is STALLED_AFTER old, and finishes it.
    bot.clock.advance(minutes=11)
    bot.workflow.sweep()
    assert bot.store.get(request_id).state == State.ACTIVE
    assert len(bot.dms_to(DEV)) == 1


def test_shutdown_finishes_every_queued_lazy_run_before_the_workers_exit(
    bot: Bot, start_workers: Callable[..., LazyWorkers]
) -> None:
    users = [f"UQUEUE{i}" for i in range(5)]
    for user in users:
        bot.slack.add_user(user, name=user.lower(), real_name=f"Queued {user}")
    workers = start_workers(1, wait_ready=False)  # the requests queue while the worker still builds
    for user in users:
        assert bot.command(user, "request queued before shutdown").status == 200
    processes = [w.process for w in workers._workers]
    workers.shutdown(timeout=WAIT)
    assert len(approval_posts(bot)) == 5
    assert {r.slack_user_id for r in bot.store.in_states([State.PENDING])} == set(users)
    assert not any(p.is_alive() for p in processes)
    with pytest.raises(RuntimeError):
        workers.start(lambda: None, BoltRequest(body="", headers={}))


@pytest.fixture
def claims(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Every Show credentials claim made in this (the acking) process: (the thread that made it, the request id)."""
    made: list[tuple[str, str]] = []
    real = credentials.claim

    def claim(store: object, actor: str, request_id: str) -> None:
        made.append((threading.current_thread().name, request_id))
        real(store, actor, request_id)  # type: ignore[arg-type]

    monkeypatch.setattr(credentials, "claim", claim)
    return made


def active_request(bot: Bot) -> str:
    """A request approved (by the worker) and ACTIVE, its requester told; returns its id."""
    bot.command(DEV, "request testing Show credentials")
    wait_until(lambda: len(approval_posts(bot)) == 1, "the approval message")
    request_id = bot.request_id_for(DEV)
    bot.click(LEAD, APPROVE_ACTION, request_id)
    wait_until(lambda: bool(bot.dms_to(DEV)), "the requester's DM")
    return request_id


def show_credentials(bot: Bot, request_id: str) -> None:
    assert bot.click(DEV, SHOW_CREDENTIALS_ACTION, request_id, channel=f"D{DEV}").status == 200


def test_a_show_credentials_click_is_acknowledged_here_and_claimed_and_minted_in_a_worker(
    bot: Bot, start_workers: Callable[..., LazyWorkers], claims: list[tuple[str, str]]
) -> None:
    workers = start_workers(1)
    request_id = active_request(bot)
    response = bot.click(DEV, SHOW_CREDENTIALS_ACTION, request_id, channel=f"D{DEV}")
    assert (response.status, response.body) == (200, "")
    wait_until(lambda: bool(bot.ephemerals_to(DEV)), "the credentials ephemeral")
    workers.shutdown(timeout=WAIT)
    assert claims == []  # the click's ack, its claim, ran in the worker: nothing of it in the acking process
    assert bot.store.get(request_id).credentials == Credentials.SHOWN
    assert len(bot.ephemerals_to(DEV)) == 1 and "AKIA" in message_text(bot.ephemerals_to(DEV)[0].params)
    assert bot.iam_users() == []  # the key was minted in the worker (its moto), not here


@pytest.fixture
def click_that_kills_a_worker(
    bot: Bot, start_workers: Callable[..., LazyWorkers], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Callable[[str, str], tuple[str, int]]:
    """Start one worker that dies once (`setting`: AMPLIFY_DEV_TEST_CRASH_ON or ..._ON_CLICK, `value`), make an
    active request, click Show credentials and wait for the replacement; (the request id, the DMs to DEV before)."""

    def click(setting: str, value: str) -> tuple[str, int]:
        marker = tmp_path / "crash-once"
        marker.touch()
        monkeypatch.setenv(setting, value)
        monkeypatch.setenv("AMPLIFY_DEV_TEST_CRASH_MARKER", str(marker))
        workers = start_workers(1)
        request_id = active_request(bot)
        first_pids, dms_before = workers.pids, len(bot.dms_to(DEV))
        show_credentials(bot, request_id)
        wait_until(lambda: not marker.exists(), f"the worker to die ({value})")
        wait_until(lambda: workers.pids != first_pids and workers.ready() == 1, "a replacement worker")
        return request_id, dms_before

    return click


def test_a_worker_that_dies_while_minting_leaves_a_claim_the_sweep_hands_back_telling_the_requester(
    bot: Bot, click_that_kills_a_worker: Callable[[str, str], tuple[str, int]]
) -> None:
    request_id, dms_before = click_that_kills_a_worker("AMPLIFY_DEV_TEST_CRASH_ON", "CreateAccessKey")
    assert bot.store.get(request_id).credentials == Credentials.MINTING and not bot.ephemerals_to(DEV)

    bot.clock.advance(minutes=11)  # past STALLED_AFTER
    bot.workflow.sweep()
    assert bot.store.get(request_id).credentials == Credentials.NONE
    assert len(bot.dms_to(DEV)) == dms_before + 1
    assert "interrupted while showing you your AWS credentials" in message_text(bot.dms_to(DEV)[-1].params)


def test_a_worker_that_dies_before_a_click_s_ack_leaves_nothing_done_and_the_button_working(
    bot: Bot, click_that_kills_a_worker: Callable[[str, str], tuple[str, int]]
) -> None:
    # The window lazy_workers.py accepts: a job lost before its ack ran in the worker (here the worker dies as it is
    # handed the click; a bot process killed with the job still queued is the same) did nothing at all.
    request_id, dms_before = click_that_kills_a_worker("AMPLIFY_DEV_TEST_CRASH_ON_CLICK", SHOW_CREDENTIALS_ACTION)
    assert bot.store.get(request_id).credentials == Credentials.NONE and not bot.ephemerals_to(DEV)
    bot.clock.advance(minutes=11)
    bot.workflow.sweep()
    assert bot.store.get(request_id).credentials == Credentials.NONE  # nothing to hand back: the button works
    assert len(bot.dms_to(DEV)) == dms_before
    # (Clicking again works as before; not here: the replacement worker's moto never had the IAM user.)


def test_a_double_show_credentials_click_in_worker_mode_delivers_once(
    bot: Bot, start_workers: Callable[..., LazyWorkers]
) -> None:
    workers = start_workers(1)  # one worker: the IAM user lives in its moto (each worker has its own)
    request_id = active_request(bot)
    show_credentials(bot, request_id)
    show_credentials(bot, request_id)
    wait_until(lambda: bool(bot.ephemerals_to(DEV)) and bool(bot.replies_to(DEV)), "both clicks' runs")
    workers.shutdown(timeout=WAIT)
    assert len(bot.ephemerals_to(DEV)) == 1
    assert bot.store.get(request_id).credentials == Credentials.SHOWN


def test_a_job_carries_what_slack_sent_with_bolts_lazy_headers_in_both_modes() -> None:
    http = BoltRequest(body="command=%2Famplify-dev&text=help", headers={"X-Slack-Signature": "v0=abc"})
    mode, body, headers = LazyJob.of(http, "slow_command").wire()
    assert (mode, body) == ("http", "command=%2Famplify-dev&text=help")
    assert headers[LAZY_ONLY] == ["1"] and headers[LAZY_FUNCTION] == ["slow_command"]
    assert headers["x-slack-signature"] == ["v0=abc"] and LAZY_ONLY not in http.headers  # the ack's own untouched
    socket = BoltRequest(body={"type": "block_actions", "user": {"id": DEV}}, mode="socket_mode")
    mode, body, headers = LazyJob.of(socket, "lazy_click").wire()
    assert mode == "socket_mode" and body == {"type": "block_actions", "user": {"id": DEV}}
    assert headers[LAZY_FUNCTION] == ["lazy_click"]
    # A whole request (acknowledged before Bolt ran) goes as it came: the worker's Bolt runs its ack too.
    mode, body, headers = LazyJob.of(http, WHOLE).wire()
    assert body == "command=%2Famplify-dev&text=help" and LAZY_ONLY not in headers and LAZY_FUNCTION not in headers
