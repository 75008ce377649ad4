"""`python bot.py policy` with several projects: assume only the listed roles; a project role's trust policy."""

from __future__ import annotations

import io
import json
from pathlib import Path

from ops.policy_command import run_policy
from settings import load_settings
from settings.projects import load_projects
from tests.test_settings import GOOD

BOT = "arn:aws:iam::999999999999:role/amplify-dev-bot"
FILE = """
[projects.web]
account_role_arn = "arn:aws:iam::111111111111:role/amplify-dev"
[projects.home]
iam_path = "/home-dev/"
"""


def _run(tmp_path: Path, **kwargs: object) -> tuple[int, str, str]:
    path = tmp_path / "p.toml"
    path.write_text(FILE)
    settings = load_settings({**GOOD, "AMPLIFY_DEV_PROJECTS_FILE": str(path)})
    out, err = io.StringIO(), io.StringIO()
    code = run_policy(settings, out, principal=BOT, err=err, projects=load_projects(settings), **kwargs)
    return code, out.getvalue(), err.getvalue()


def test_the_bots_policy_assumes_only_the_listed_roles_plus_its_own_accounts_projects(tmp_path: Path) -> None:
    code, out, _ = _run(tmp_path)
    statements = json.loads(out)["Statement"]
    assume = [s for s in statements if "sts:AssumeRole" in json.dumps(s.get("Action"))]
    assert code == 0 and assume == [
        {
            "Sid": "AssumeOnlyTheProjectsRoles",
            "Effect": "Allow",
            "Action": "sts:AssumeRole",
            "Resource": ["arn:aws:iam::111111111111:role/amplify-dev"],
        }
    ]
    assert "arn:aws:iam::999999999999:user/home-dev/*" in out and "111111111111:user" not in out
    assert len({s["Sid"] for s in statements if "Sid" in s}) == len([s for s in statements if "Sid" in s])


def test_a_projects_role_gets_its_policy_and_a_trust_policy_for_the_bot(tmp_path: Path) -> None:
    code, out, _ = _run(tmp_path, project="web")
    printed = json.loads(out)
    assert code == 0
    assert printed["TrustPolicy"]["Statement"] == [
        {"Effect": "Allow", "Principal": {"AWS": BOT}, "Action": "sts:AssumeRole"}
    ]
    assert "arn:aws:iam::111111111111:user/amplify-dev/*" in json.dumps(printed["PermissionsPolicy"])


def test_an_unknown_project_is_refused_with_the_list(tmp_path: Path) -> None:
    code, _, err = _run(tmp_path, project="nope")
    assert code == 2 and "web, home" in err
