"""The request form `/amplify-dev` opens, with the block and action IDs its submission is parsed by."""

from __future__ import annotations

import json
from collections.abc import Sequence

from slack_sdk.models.blocks import (
    Block,
    CheckboxesElement,
    InputBlock,
    NumberInputElement,
    Option,
    PlainTextInputElement,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from .basics import REASON_MAX

REQUEST_VIEW = "amplify_dev_request"
REASON_BLOCK, REASON_INPUT = "reason", "reason_input"
CONSOLE_BLOCK, CONSOLE_INPUT = "console", "console_input"
DAYS_BLOCK, DAYS_INPUT = "days", "days_input"
PROJECT_BLOCK, PROJECT_INPUT = "project", "project_input"


def request_modal(
    *,
    allow_console: bool,
    private_metadata: dict[str, str],
    default_days: int = 30,
    max_days: int = 90,
    projects: Sequence[tuple[str, str]] = (),
) -> View:
    """The form `/amplify-dev` opens: a required reason and, if allowed, a console-access checkbox.

    `projects`: (name, label) of each project when there are several: the form then starts with a select.
    """
    blocks: list[Block] = []
    if projects:
        blocks.append(
            InputBlock(
                block_id=PROJECT_BLOCK,
                label="Which project?",
                element=StaticSelectElement(
                    action_id=PROJECT_INPUT,
                    placeholder="Choose a project",
                    options=[Option(value=name, text=label.replace("`", "")[:75]) for name, label in projects],
                ),
            )
        )
    blocks += [
        InputBlock(
            block_id=REASON_BLOCK,
            label="Why do you need access?",
            element=PlainTextInputElement(
                action_id=REASON_INPUT,
                multiline=True,
                min_length=1,
                max_length=REASON_MAX,
                placeholder="e.g. Working on the checkout feature this sprint",
            ),
        )
    ]
    limit = f"at most {max_days}" if max_days else "0 for no expiry"
    blocks.append(
        InputBlock(
            block_id=DAYS_BLOCK,
            label=f"For how many days? ({limit})",
            element=NumberInputElement(
                action_id=DAYS_INPUT,
                is_decimal_allowed=False,
                initial_value=str(default_days),
                min_value="0" if not max_days else "1",
                max_value=str(max_days) if max_days else None,
            ),
        )
    )
    if allow_console:
        blocks.append(
            InputBlock(
                block_id=CONSOLE_BLOCK,
                label="AWS console",
                optional=True,
                element=CheckboxesElement(
                    action_id=CONSOLE_INPUT,
                    options=[
                        Option(
                            value="console",
                            text="Also give me console sign-in (new password required at first sign-in)",
                        )
                    ],
                ),
            )
        )
    return View(
        type="modal",
        callback_id=REQUEST_VIEW,
        title="Amplify access",
        submit="Request",
        close="Cancel",
        private_metadata=json.dumps(private_metadata),
        blocks=blocks,
    )
