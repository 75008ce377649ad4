"""Stand-ins for the IAM calls moto 5.2 does not implement, installed as botocore hooks on a client."""

from __future__ import annotations

import datetime
from typing import Any

from botocore.awsrequest import AWSResponse
from botocore.exceptions import ClientError

ACCOUNT_ID = "123456789012"  # moto's default account


class FakeServiceSpecificCredentials:
    """Plays ListServiceSpecificCredentials/DeleteServiceSpecificCredential, which moto 5.2 lacks."""

    def __init__(self) -> None:
        self.by_user: dict[str, list[str]] = {}

    def add(self, user_name: str, credential_id: str) -> None:
        self.by_user.setdefault(user_name, []).append(credential_id)

    def install(self, iam: Any) -> None:
        iam.meta.events.register("before-call.iam.ListServiceSpecificCredentials", self._list)
        iam.meta.events.register("before-call.iam.DeleteServiceSpecificCredential", self._delete)

    def _list(self, params: dict[str, Any], **kwargs: Any) -> tuple[AWSResponse, dict[str, Any]]:
        body = params["body"]
        user_name = body["UserName"]
        # One credential per page, so a caller that ignores the Marker misses some.
        start = int(body.get("Marker", 0))
        owned = self.by_user.get(user_name, [])
        credentials = [
            {
                "UserName": user_name,
                "Status": "Active",
                "ServiceUserName": f"{user_name}-at-{ACCOUNT_ID}",
                "CreateDate": datetime.datetime.now(datetime.UTC),
                "ServiceSpecificCredentialId": credential_id,
                "ServiceName": "codecommit.amazonaws.com",
            }
            for credential_id in owned[start : start + 1]
        ]
        page: dict[str, Any] = {"ServiceSpecificCredentials": credentials, "IsTruncated": start + 1 < len(owned)}
        if page["IsTruncated"]:
            page["Marker"] = str(start + 1)
        return ok_response(), page

    def _delete(self, params: dict[str, Any], **kwargs: Any) -> tuple[AWSResponse, dict[str, Any]]:
        body = params["body"]
        owned = self.by_user.get(body["UserName"], [])
        if body["ServiceSpecificCredentialId"] not in owned:
            raise client_error("DeleteServiceSpecificCredential", "NoSuchEntity", 404)
        owned.remove(body["ServiceSpecificCredentialId"])
        return ok_response(), {}


def ok_response() -> AWSResponse:
    return AWSResponse("https://iam.amazonaws.com/", 200, {}, None)


def client_error(operation: str, code: str, status: int, message: str = "") -> ClientError:
    return ClientError(
        {
            "Error": {"Code": code, "Message": message or f"injected {code}"},
            "ResponseMetadata": {"HTTPStatusCode": status},
        },
        operation,
    )
