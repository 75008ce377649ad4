"""`python bot.py review [--project NAME] [--format text|csv|jsonl]`: the access review for auditors.

The same rows as `/amplify-dev review` (workflow/review.py reads them), printed as a table, CSV or JSON lines.
"""

from __future__ import annotations

import csv
import json
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

from messages.review import KEY_AGE_NOT_APPLICABLE, Review, ReviewRow
from settings import Settings
from workflow.grants import last_use_reader
from workflow.review import DEFAULT_PROJECT, build_review

FORMATS = ("text", "csv", "jsonl")
FIELDS = tuple(ReviewRow.__dataclass_fields__)


def render_jsonl(review: Review, out: TextIO) -> None:
    """One JSON object per grant (times ISO 8601 UTC, null when never or unknown)."""
    for row in review.rows:
        out.write(json.dumps({"project": review.project, **row.to_dict()}, ensure_ascii=False) + "\n")


def render_csv(review: Review, out: TextIO) -> None:
    """A header, then one line per grant; flags separated by `;`."""
    writer = csv.DictWriter(out, fieldnames=("project", *FIELDS))
    writer.writeheader()
    for row in review.rows:
        data = row.to_dict()
        data["flags"] = ";".join(data["flags"])
        writer.writerow({"project": review.project, **data})


def render_text(review: Review, out: TextIO) -> None:
    """A summary line and one block per grant, for reading."""
    now = review.generated_at
    out.write(
        f"Access review of project {review.project} at {_day(now, seconds=True)}: {len(review.rows)} active "
        f"grant(s), {len(review.flagged)} flagged\n"
    )
    for row in review.rows:
        age = row.key_age(now)
        key = f"key {row.key_id}, {age.days} days old" if row.key_id and age is not None else "no key"
        if not row.keys:
            key = f"key age {KEY_AGE_NOT_APPLICABLE}; aws login last used {_day(row.signin_last_used, never='never')}"
        where = ", ".join(x for x in (row.last_used_service, row.last_used_region) if x)
        out.write(
            f"\n{row.developer}  {row.iam_user}{'  (console)' if row.console else ''}  [{row.state}]\n"
            f"  approved by {row.approved_by or '-'} on {_day(row.approved_at)}, expires {_day(row.expires_at)}\n"
            f"  {key}; last used {_day(row.last_used_at, never='never')}{f' ({where})' if where else ''}\n"
        )
        if row.console:
            out.write(f"  console sign-in: {_day(row.password_last_used, never='never')}\n")
        if row.note:
            out.write(f"  note: {row.note}\n")
        out.write(f"  flags: {', '.join(f.label for f in row.flags) or 'none'}\n")


RENDERERS = {"text": render_text, "csv": render_csv, "jsonl": render_jsonl}


def _day(when: datetime | None, *, never: str = "-", seconds: bool = False) -> str:
    if when is None:
        return never
    return when.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC" if seconds else "%Y-%m-%d")


def run_review_export(
    settings: Settings,
    out: TextIO,
    *,
    fmt: str = "text",
    project: str | None = None,
    store: Any = None,
    iam_client: Any = None,
    signin_client: Any = None,
    now: datetime | None = None,
) -> int:
    """Print the review of `project` (the only one may be left out); 2 on an unknown or missing name."""
    from settings.projects import load_projects

    projects = load_projects(settings) if settings.projects_file else {DEFAULT_PROJECT: settings}
    if project is None and len(projects) == 1:
        project = next(iter(projects))
    if project not in projects:
        print(
            f"amplify-dev: {'unknown project ' + repr(project) if project else 'say which project with --project'}; "
            f"projects: {', '.join(projects)}",
            file=sys.stderr,
        )
        return 2
    chosen = projects[project]
    owned = store is None
    if store is None:
        store = _open_store(settings)
    if iam_client is None:
        import iam
        from ops.aws import default_region

        region = chosen.region or default_region()
        iam_client = iam.iam_client_from(
            iam.project_session(chosen.account_role_arn, region, external_id=chosen.external_id), region
        )
    if signin_client is None and chosen.signs_in:
        import iam
        from ops.aws import default_region

        region = chosen.region or default_region()
        session = iam.project_session(chosen.account_role_arn, region, external_id=chosen.external_id)
        signin_client = iam.signin_client_from(session, region)
    try:
        review = build_review(
            store,
            last_use_reader(chosen, iam_client, signin_client),
            now or datetime.now(UTC),
            project=project,
            scope=project if settings.projects_file else None,
        )
    finally:
        if owned:
            store.close()
    RENDERERS[fmt](review, out)
    return 0


def _open_store(settings: Settings) -> Any:
    if settings.dynamodb_table:
        from ops.aws import build_dynamodb_client, default_region
        from store.dynamodb import DynamoRequestStore

        return DynamoRequestStore(settings.dynamodb_table, build_dynamodb_client(default_region()))
    from store import SqliteRequestStore

    return SqliteRequestStore(settings.db_path)
