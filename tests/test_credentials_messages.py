"""The credentials ephemerals: the sign-in one (password and `aws login`, no key), and no secret on a command line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import messages as msg
from tests.conftest import message_text

ROOT = Path(__file__).resolve().parents[1]
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYzEXAMPLEKEY"
PASSWORD = "Tmp-Pa55word-XYZ-0123456789"
URL = "https://123456789012.signin.aws.amazon.com/console"
# What a shell runs: a line (after the markup) that starts with one of these puts its words in the history file.
SHELL_COMMANDS = re.compile(r"^\s*(\$\s*)?(aws|export|set|echo|printf|npx|amplify|ampx|env|setx)\b")


def access_key_text(*, rotated: bool = False) -> str:
    shown = msg.CredentialsShown(
        user_name="dana.dev-udev",
        access_key_id="AKIAIOSFODNN7EXAMPLE",
        secret_access_key=SECRET,
        region="eu-west-1",
        console_password=PASSWORD,
        signin_url=URL,
    )
    return message_text(msg.credentials_ephemeral(shown, rotated=rotated).to_kwargs())


def sign_in_text(*, rotated: bool = False, app: str | None = None) -> str:
    shown = msg.SignInShown(
        user_name="dana.dev-udev", console_password=PASSWORD, signin_url=URL, region="eu-west-1", amplify_app_id=app
    )
    return message_text(msg.signin_credentials_ephemeral(shown, rotated=rotated, sessions_ended=3).to_kwargs())


def lines_with(text: str, value: str) -> list[str]:
    return [line.replace("`", "") for line in text.splitlines() if value in line]


ALL_SECRET_MESSAGES = [
    pytest.param(lambda: access_key_text(), (SECRET, PASSWORD), id="access-key"),
    pytest.param(lambda: access_key_text(rotated=True), (SECRET, PASSWORD), id="access-key rotated"),
    pytest.param(lambda: sign_in_text(), (PASSWORD,), id="sign-in"),
    pytest.param(lambda: sign_in_text(rotated=True), (PASSWORD,), id="sign-in rotated"),
]


@pytest.mark.parametrize(("render", "secrets"), ALL_SECRET_MESSAGES)
def test_no_message_puts_a_secret_on_a_command_line(render: object, secrets: tuple[str, ...]) -> None:
    text = render()  # type: ignore[operator]
    for secret in secrets:
        found = lines_with(text, secret)
        assert found, "the secret is not in its message: this test would prove nothing"
        for line in found:
            assert not SHELL_COMMANDS.match(line), f"secret on a command line: {line!r}"


def test_the_command_line_rule_catches_the_old_instruction() -> None:
    old = f"```aws configure set aws_secret_access_key {SECRET} --profile amplify-dev```"
    assert any(SHELL_COMMANDS.match(line) for line in lines_with(old, SECRET))


def test_no_source_tells_anyone_to_type_a_secret() -> None:
    """The same rule over what people read elsewhere: the message builders, the playground, README and docs."""
    sources = [
        *ROOT.glob("messages/*.py"),
        *ROOT.glob("playground/**/*.py"),
        *ROOT.glob("playground/static/*"),
        ROOT / "README.md",
    ]
    for path in sources:
        text = path.read_text(encoding="utf-8", errors="replace")
        assert "configure set aws_secret_access_key" not in text, path
        assert "configure set aws_session_token" not in text, path


def test_access_key_profile_is_a_file_block_or_the_prompting_command() -> None:
    text = access_key_text()

    assert f"[amplify-dev]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = {SECRET}\n" in text
    assert "[profile amplify-dev]\nregion = eu-west-1\n" in text
    assert "~/.aws/credentials" in text and "~/.aws/config" in text
    assert "aws configure --profile amplify-dev" in text


def test_sign_in_shows_the_password_the_login_steps_and_no_key() -> None:
    text = sign_in_text(app="d1a2b3c4d5")

    assert f"<{URL}>" in text
    assert "User name: `dana.dev-udev`" in text and f"Temporary password: `{PASSWORD}`" in text
    assert "aws login --profile amplify-dev" in text and "2.32.0" in text
    assert "aws login --profile amplify-dev --remote" in text
    assert "npx ampx sandbox --profile amplify-dev" in text
    assert (
        "[profile amplify-dev-gen1]\n"
        "credential_process = aws configure export-credentials --profile amplify-dev --format process\n"
        "region = eu-west-1\n"
    ) in text
    assert "amplify pull --appId d1a2b3c4d5" in text
    for key_word in ("aws_access_key_id", "aws_secret_access_key", "Access key ID", "Secret access key", "AKIA"):
        assert key_word not in text


def test_sign_in_rotation_says_the_sessions_were_ended() -> None:
    text = sign_in_text(rotated=True)

    assert "new temporary AWS password" in text
    assert "Every `aws login` session you had was ended (3)" in text


def test_sign_in_notification_text_and_repr_carry_no_password() -> None:
    shown = msg.SignInShown(user_name="dana.dev-udev", console_password=PASSWORD, signin_url=URL, region="eu-west-1")
    reply = msg.signin_credentials_ephemeral(shown)

    assert PASSWORD not in reply.text and PASSWORD not in repr(shown) and PASSWORD not in f"{shown!r}"
