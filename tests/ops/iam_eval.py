"""A small IAM policy evaluator for tests: enough of AWS's rules to check the bot's policy says what we mean.

Covers what ops/policy.py uses: Allow/Deny, wildcard actions and resources, and the String*, Arn*, Null and
ForAllValues/ForAnyValue condition operators. An explicit Deny wins; otherwise an Allow is needed. It also plays
SimulatePrincipalPolicy (which moto lacks) on a boto3 client, answering from a given policy document.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from botocore.awsrequest import AWSResponse
from botocore.exceptions import ClientError

Context = dict[str, str | tuple[str, ...] | list[str]]


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else [value]


def _wildcard(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, re.IGNORECASE if ignore_case else 0) is not None


def _values_match(operator: str, pattern: str, value: str) -> bool:
    if operator in ("StringEquals", "StringNotEquals"):
        return pattern == value
    if operator in ("StringLike", "StringNotLike", "ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike"):
        return _wildcard(pattern, value)
    raise NotImplementedError(f"condition operator {operator} is not modelled")


def _condition_holds(operator: str, key: str, expected: Any, context: Context) -> bool:
    present = key in context
    if operator == "Null":
        return (str(expected).lower() == "true") != present
    qualifier, _, base = operator.rpartition(":")
    negated = "Not" in base
    patterns = [str(p) for p in _as_list(expected)]
    if not present:
        # AWS: a missing key satisfies ForAllValues and negated operators, and nothing else.
        return qualifier == "ForAllValues" or (negated and not qualifier)
    values = [str(v) for v in _as_list(context[key])]

    def matches(value: str) -> bool:
        return any(_values_match(base, p, value) for p in patterns)

    if qualifier == "ForAllValues":
        return all(matches(v) for v in values)
    if qualifier == "ForAnyValue":
        return any(matches(v) for v in values)
    return not any(matches(v) for v in values) if negated else any(matches(v) for v in values)


def statement_applies(statement: dict[str, Any], action: str, resource: str, context: Context) -> bool:
    """True if the statement's actions, resources and conditions all match this request."""
    if not any(_wildcard(a, action, ignore_case=True) for a in _as_list(statement.get("Action", []))):
        return False
    if not any(_wildcard(r, resource) for r in _as_list(statement.get("Resource", []))):
        return False
    return all(
        _condition_holds(operator, key, expected, context)
        for operator, keys in (statement.get("Condition") or {}).items()
        for key, expected in keys.items()
    )


def decide(policies: Iterable[dict[str, Any]], action: str, resource: str, context: Context | None = None) -> str:
    """ "allowed", "explicitDeny" or "implicitDeny", as SimulatePrincipalPolicy would say."""
    statements = [s for p in policies for s in _as_list(p["Statement"])]
    applying = [s for s in statements if statement_applies(s, action, resource, context or {})]
    if any(s["Effect"] == "Deny" for s in applying):
        return "explicitDeny"
    return "allowed" if any(s["Effect"] == "Allow" for s in applying) else "implicitDeny"


def allowed(policy: dict[str, Any], action: str, resource: str, context: Context | None = None) -> bool:
    """True if `policy` alone allows the request."""
    return decide([policy], action, resource, context) == "allowed"


class FakePolicySimulator:
    """Plays SimulatePrincipalPolicy on one boto3 IAM client, deciding from the given policy documents."""

    def __init__(self, *policies: dict[str, Any], error: str | Exception | None = None) -> None:
        self.policies = list(policies)
        self.error = error
        self.requests: list[dict[str, Any]] = []

    def install(self, iam: Any) -> FakePolicySimulator:
        # before-call sees only the serialized body; keep the caller's own parameters from the earlier event.
        iam.meta.events.register("provide-client-params.iam.SimulatePrincipalPolicy", self._remember)
        iam.meta.events.register("before-call.iam.SimulatePrincipalPolicy", self._answer)
        return self

    def _remember(self, params: dict[str, Any], **kwargs: Any) -> None:
        self.requests.append(dict(params))

    def _answer(self, **kwargs: Any) -> tuple[AWSResponse, dict[str, Any]]:
        if isinstance(self.error, Exception):
            raise self.error
        if self.error:
            raise ClientError(
                {"Error": {"Code": self.error, "Message": "injected"}, "ResponseMetadata": {"HTTPStatusCode": 403}},
                "SimulatePrincipalPolicy",
            )
        request = self.requests[-1]
        resource = (request.get("ResourceArns") or ["*"])[0]
        context = {e["ContextKeyName"]: tuple(e["ContextKeyValues"]) for e in request.get("ContextEntries", [])}
        context = {k: v[0] if len(v) == 1 and not k.endswith("TagKeys") else v for k, v in context.items()}
        results = [
            {
                "EvalActionName": action,
                "EvalResourceName": resource,
                "EvalDecision": decide(self.policies, action, resource, context),
            }
            for action in request["ActionNames"]
        ]
        return AWSResponse("https://iam.amazonaws.com/", 200, {}, None), {
            "EvaluationResults": results,
            "IsTruncated": False,
        }


class FakeCustomPolicySimulator:
    """Plays SimulateCustomPolicy (which moto lacks): identity policies capped by a permissions boundary."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []

    def install(self, iam: Any) -> FakeCustomPolicySimulator:
        iam.meta.events.register("provide-client-params.iam.SimulateCustomPolicy", self._remember)
        iam.meta.events.register("before-call.iam.SimulateCustomPolicy", self._answer)
        return self

    def _remember(self, params: dict[str, Any], **kwargs: Any) -> None:
        self.requests.append(dict(params))

    def _answer(self, **kwargs: Any) -> tuple[AWSResponse, dict[str, Any]]:
        import json

        request = self.requests[-1]
        identity = [json.loads(p) for p in request["PolicyInputList"]]
        boundaries = [json.loads(p) for p in request.get("PermissionsBoundaryPolicyInputList", [])]
        resource = (request.get("ResourceArns") or ["*"])[0]

        def decision(action: str) -> str:
            own = decide(identity, action, resource)
            capped = decide(boundaries, action, resource) if boundaries else "allowed"
            if "explicitDeny" in (own, capped):
                return "explicitDeny"
            return "allowed" if own == capped == "allowed" else "implicitDeny"

        results = [
            {"EvalActionName": a, "EvalResourceName": resource, "EvalDecision": decision(a)}
            for a in request["ActionNames"]
        ]
        return AWSResponse("https://iam.amazonaws.com/", 200, {}, None), {
            "EvaluationResults": results,
            "IsTruncated": False,
        }
