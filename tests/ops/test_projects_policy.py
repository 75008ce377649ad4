"""`python bot.py policy` with several projects: assume only the listed roles; a project role's trust policy."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import parliament
import pytest

from ops import policy_command
from ops.policy_command import run_policy
from settings import load_settings
from settings.projects import load_projects
from tests.test_settings import GOOD

BOT = "arn:aws:iam::999999999999:role/amplify-dev-bot"
EXTERNAL_ID = "kq2F-9xZ_external-id-for-web"
FILE = """
[projects.web]
account_role_arn = "arn:aws:iam::111111111111:role/amplify-dev"
[projects.home]
iam_path = "/home-dev/"
"""


def _run(tmp_path: Path, file: str = FILE, principal: str | None = BOT, **kwargs: Any) -> tuple[int, str, str]:
    path = tmp_path / "p.toml"
    path.write_text(file)
    settings = load_settings({**GOOD, "AMPLIFY_DEV_PROJECTS_FILE": str(path)})
    out, err = io.StringIO(), io.StringIO()
    code = run_policy(settings, out, principal=principal, err=err, projects=load_projects(settings), **kwargs)
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
    code, out, _ = _run(
        tmp_path, FILE.replace("[projects.home]", f'external_id = "{EXTERNAL_ID}"\n[projects.home]'), project="web"
    )
    printed = json.loads(out)
    assert code == 0
    assert printed["TrustPolicy"]["Statement"] == [
        {
            "Effect": "Allow",
            "Principal": {"AWS": BOT},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"sts:ExternalId": EXTERNAL_ID}},
        }
    ]
    assert "arn:aws:iam::111111111111:user/amplify-dev/*" in json.dumps(printed["PermissionsPolicy"])


def test_a_project_without_an_external_id_gets_a_new_one_printed_with_where_to_put_it(tmp_path: Path) -> None:
    code, out, err = _run(tmp_path, project="web")
    condition = json.loads(out)["TrustPolicy"]["Statement"][0]["Condition"]
    generated = condition["StringEquals"]["sts:ExternalId"]
    assert code == 0 and len(generated) >= 32
    assert f'external_id = "{generated}"' in err and "[projects.web]" in err and str(tmp_path / "p.toml") in err
    assert json.loads(_run(tmp_path, project="web")[1]) != json.loads(out)  # a fresh one each time, not a constant


def test_the_trust_policy_is_parliament_clean(tmp_path: Path) -> None:
    _, out, _ = _run(tmp_path, project="web")
    trust = json.loads(out)["TrustPolicy"]
    # parliament reads identity policies: the trust statement as the grant it is (assume this role, on this
    # condition) is what it can check: the action, the operator and the condition key.
    grant = {k: v for k, v in trust["Statement"][0].items() if k != "Principal"}
    grant["Resource"] = "arn:aws:iam::111111111111:role/amplify-dev"
    analysed = parliament.analyze_policy_string(
        json.dumps({"Version": "2012-10-17", "Statement": [grant]}), include_community_auditors=True
    )
    # CREDENTIALS_EXPOSURE: sts:AssumeRole hands out credentials, which is what a trust policy is for.
    assert [f.issue for f in analysed.findings if f.issue != "CREDENTIALS_EXPOSURE"] == []


def test_a_projects_trust_policy_needs_the_bots_arn_or_a_confirmed_caller(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = "arn:aws:sts::999999999999:assumed-role/AWSReservedSSO_Admin_0123/alice"
    monkeypatch.setattr(policy_command, "_caller_arn", lambda err: admin)
    code, out, err = _run(tmp_path, principal=None, project="web")
    assert code == 2 and out == ""
    assert admin in err and "--principal-arn" in err and "--trust-caller" in err

    code, out, err = _run(tmp_path, principal=None, project="web", trust_caller=True)
    assert code == 0 and "--trust-caller" in err and "arn:aws:iam::999999999999:role/AWSReservedSSO_Admin_0123" in err
    statement = json.loads(out)["TrustPolicy"]["Statement"][0]
    assert statement["Principal"] == {"AWS": "arn:aws:iam::999999999999:role/AWSReservedSSO_Admin_0123"}
    assert "sts:ExternalId" in statement["Condition"]["StringEquals"]


def test_an_unknown_project_is_refused_with_the_list(tmp_path: Path) -> None:
    code, _, err = _run(tmp_path, project="nope")
    assert code == 2 and "web, home" in err


def test_the_policy_command_takes_the_trust_caller_flag() -> None:
    import bot

    args = bot.parse_args(["policy", "--project", "web", "--trust-caller"])
    assert args.trust_caller is True and bot.parse_args(["policy"]).trust_caller is False
