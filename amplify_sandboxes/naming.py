"""How Amplify Gen 2 names a developer's sandbox stack, and the identifier amplify-dev tells a developer to use.

What was verified, and where (aws-amplify/amplify-backend on GitHub, read through the search tool):
- `packages/platform-core/src/backend_identifier_conversions.ts` (`BackendIdentifierConversions.toStackName`):
  the stack name is `amplify-<namespace>-<name>-<type>-<hash>`, joined by `-`, type `sandbox` (or `branch`).
  `namespace` and `name` are each stripped of every character outside `[A-Za-z0-9]` (dashes included: the
  identifier `jane-doe` appears as `janedoe`); `name` is then cut to 50 characters and `namespace` to whatever
  keeps the whole within CloudFormation's 128 (`128 - len("amplify") - len(type) - len(name) - 4 dashes - 10`,
  minus one). `hash` is the first 10 hex digits of SHA-512 over the *unsanitised* namespace then name. Its tests
  (`backend_identifier_conversions.test.ts`) give the vectors tests/amplify_sandboxes/ checks (`25ed708259`, ...).
  `fromStackName` reads a name back only when it has exactly five dash-separated parts starting `amplify` with
  type `sandbox` or `branch`, so the nested stacks (`...-sandbox-<hash>-auth179371D7-...`) are not sandboxes.
- `packages/cli/src/commands/sandbox/sandbox_id_resolver.ts`: for a sandbox, `namespace` is the project's
  `package.json` `name` (`backend-identifier/local_namespace_resolver.ts`) and `name` is `--identifier`, else the
  OS user name (`os.userInfo().username`); the CLI reference (aws-amplify/docs, `reference/cli-commands`) says the
  same: "Default is the name of the system user executing the process".
- `packages/cli/src/commands/sandbox/sandbox_command.ts`: `--identifier` must match `^[a-zA-Z0-9-]{1,15}$`
  ("matches [a-zA-Z0-9-] and is less than 15 characters"). An IAM user name (up to 64 of `[A-Za-z0-9+=,.@_-]`)
  is therefore often not a valid identifier as it stands: `sandbox_identifier` derives one.
- `option_types.ts` makes `--identifier` and `--profile` options of every sandbox command; `sandbox delete
  --identifier <name>` is how projects delete a named sandbox (older releases and the docs page stored here
  spell it `--name`). It must run in the project's checkout: the namespace comes from its package.json, and
  the delete synthesises the backend first. `packages/deployed-backend-client/src/deployed_backend_client.ts`
  deletes a sandbox with one CloudFormation `DeleteStack` on the root stack name, so
  `aws cloudformation delete-stack --stack-name <name> --region <region>` does the same from anywhere.
- The same client lists sandboxes with `ListStacks` (skipping `DELETE_COMPLETE`) and tells a sandbox by its
  deployment type; root stacks carry the tags `amplify:deployment-type=sandbox` and `created-by=amplify`.

Not verified: whether a future release changes the identifier rule (the code warns that changing the stack name
"would be a massive breaking change", so the name itself should hold).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

STACK_PREFIX = "amplify"
SANDBOX_TYPE = "sandbox"
STACK_NAME_LIMIT = 128
HASH_LENGTH = 10
NAME_LIMIT = 50  # the identifier's share of the stack name
IDENTIFIER_LIMIT = 15  # what `ampx sandbox --identifier` accepts
_IDENTIFIER = re.compile(r"[a-zA-Z0-9-]{1,15}")
_NOT_ALPHANUMERIC = re.compile(r"[^A-Za-z0-9]")
_NOT_IDENTIFIER = re.compile(r"[^A-Za-z0-9-]")


@dataclass(frozen=True)
class SandboxStackName:
    """A root sandbox stack's name read back into its parts (as Amplify's `fromStackName` does)."""

    namespace: str  # the app's package.json name, sanitised
    name: str  # the identifier, sanitised (no dashes)
    hash: str


def sanitise(text: str) -> str:
    """What Amplify keeps of a namespace or identifier in a stack name: ASCII letters and digits."""
    return _NOT_ALPHANUMERIC.sub("", text)


def is_valid_identifier(identifier: str) -> bool:
    """Whether `npx ampx sandbox --identifier` accepts it: 1-15 of [a-zA-Z0-9-]."""
    return _IDENTIFIER.fullmatch(identifier) is not None


def sandbox_identifier(user_name: str) -> str | None:
    """The `--identifier` a developer should use: their IAM (or Slack-derived) name, made valid for ampx.

    A name ampx accepts is kept as it is. Otherwise characters outside [A-Za-z0-9-] are dropped and, if still
    longer than 15, the part after the last dash (the Slack user ID in the names amplify-dev derives, which
    keeps two namesakes apart) is kept whole and the front is shortened: `jane.doe-u012ab3cd` becomes
    `janed-u012ab3cd`. None if nothing usable is left.
    """
    if is_valid_identifier(user_name) and not user_name.startswith("-"):
        return user_name
    cleaned = re.sub(r"-{2,}", "-", _NOT_IDENTIFIER.sub("", user_name)).strip("-")
    if len(cleaned) <= IDENTIFIER_LIMIT:
        return cleaned or None
    head, dash, tail = cleaned.rpartition("-")
    room = IDENTIFIER_LIMIT - len(tail) - 1
    if dash and room >= 1 and head[:room].strip("-"):
        return f"{head[:room].rstrip('-')}-{tail}"
    return cleaned[:IDENTIFIER_LIMIT].rstrip("-")


def name_part(identifier: str) -> str:
    """The identifier as it appears in the stack name (sanitised, at most 50 characters)."""
    return sanitise(identifier)[:NAME_LIMIT]


def sandbox_stack_name(namespace: str, identifier: str) -> str:
    """The root stack name Amplify gives the sandbox of `identifier` in the app whose package.json name is
    `namespace` (Amplify's toStackName for type sandbox)."""
    digest = hashlib.sha512((namespace + identifier).encode()).hexdigest()[:HASH_LENGTH]
    name = name_part(identifier)
    room = STACK_NAME_LIMIT - len(STACK_PREFIX) - len(SANDBOX_TYPE) - len(name) - 4 - HASH_LENGTH
    return "-".join([STACK_PREFIX, sanitise(namespace)[: room - 1], name, SANDBOX_TYPE, digest])


def parse_sandbox_stack_name(stack_name: str) -> SandboxStackName | None:
    """The parts of a root sandbox stack's name, or None for anything else (branch and nested stacks included)."""
    parts = stack_name.split("-")
    if len(parts) != 5 or parts[0] != STACK_PREFIX or parts[3] != SANDBOX_TYPE:
        return None
    _, namespace, name, _, digest = parts
    if not (namespace and name and digest):
        return None
    return SandboxStackName(namespace=namespace, name=name, hash=digest)
