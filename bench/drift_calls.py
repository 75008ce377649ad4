"""Benchmark row: the drift check with 545 users and no drift, counting IAM calls (moto in-process).

python bench/drift_calls.py [--users 545]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.update(
    {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}
)
os.environ.pop("AWS_ENDPOINT_URL", None)

from moto import mock_aws

import iam
from playground.slack_api import FakeSlack
from settings import load_settings
from slack_gateway import SlackGateway, build_web_client
from store import Fields, Request, SqliteRequestStore, State
from workflow import Deps, Router


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=545)
    count = parser.parse_args().users
    with mock_aws(), FakeSlack(team_id="T") as slack, tempfile.TemporaryDirectory() as tmp:
        client = iam.build_iam_client("us-east-1")
        store = SqliteRequestStore(f"{tmp}/b.db")
        for i in range(count):
            name, rid = f"dev{i}-u{i}", f"r{i:05d}"
            user = client.create_user(
                UserName=name,
                Path="/amplify-dev/",
                Tags=[{"Key": iam.TAG_SLACK_USER, "Value": f"U{i}"}, {"Key": iam.TAG_REQUEST, "Value": rid}],
            )["User"]
            store.create(
                Request(id=rid, slack_user_id=f"U{i}", team_id="T", reason="x", console=False, iam_user_name=name)
            )
            store.compare_and_set(
                rid, Fields(state=State.PENDING), Fields(state=State.ACTIVE, iam_user_id=user["UserId"])
            )
        settings = load_settings(
            {
                "SLACK_BOT_TOKEN": "xoxb-b",
                "SLACK_SIGNING_SECRET": "s",
                "SLACK_API_URL": slack.url,
                "AMPLIFY_DEV_APPROVAL_CHANNEL": "C0APPROVE",
                "AMPLIFY_DEV_APPROVERS": "U0LEAD",
            }
        )
        web = build_web_client("xoxb-b", slack.url)
        workflow = Router(
            Deps(
                settings=settings, store=store, iam=client, slack=SlackGateway(web, idempotent=web), region="us-east-1"
            )
        )
        for label, known in (("user ids recorded", True), ("no user ids (before this change)", False)):
            if not known:
                for r in store.in_states([State.ACTIVE]):
                    store.compare_and_set(r.id, Fields(state=State.ACTIVE), Fields(iam_user_id=None))
            calls: Counter[str] = Counter()
            handler = lambda model, calls=calls, **_: calls.update([model.name])  # noqa: E731
            client.meta.events.register("before-call.iam.*", handler)
            findings = workflow.reconcile()
            client.meta.events.unregister("before-call.iam.*", handler)
            print(f"{count} users, {label}: {sum(calls.values())} IAM calls {dict(calls)}; findings {len(findings)}")


if __name__ == "__main__":
    main()
