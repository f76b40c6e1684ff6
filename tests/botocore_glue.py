"""Glue responses as boto3 users get them, built by botocore itself (offline, dummy credentials)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import botocore.session
from botocore.awsrequest import AWSResponse
from botocore.stub import Stubber

MODEL = botocore.session.get_session().get_service_model("glue")


def job_run_states() -> list[str]:
    """``JobRunState`` as the installed service model defines it."""
    return list(MODEL.shape_for("JobRunState").enum)


class _Body:
    def __init__(self, data: bytes) -> None:
        self._data = data

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._data


def _client() -> Any:
    return boto3.client(
        "glue", region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing"
    )


def through_client(wire: dict[str, Any]) -> dict[str, Any]:
    """Answer GetJobRun / GetJobRuns with ``wire`` through a real client: its parser makes the datetimes."""
    operation = "GetJobRuns" if "JobRuns" in wire else "GetJobRun"
    body = json.dumps(wire).encode()
    client = _client()

    def send(request: Any, **_: Any) -> AWSResponse:
        return AWSResponse(request.url, 200, {"Content-Type": "application/x-amz-json-1.1"}, _Body(body))

    client.meta.events.register(f"before-send.glue.{operation}", send)
    if operation == "GetJobRun":
        response: dict[str, Any] = client.get_job_run(JobName="j", RunId="r")
    else:
        response = client.get_job_runs(JobName="j")
    response.pop("ResponseMetadata", None)
    return response


def validated(wire: dict[str, Any]) -> None:
    """Check a wire record against the service model with ``Stubber`` (raises on a bad shape)."""
    client = _client()
    operation, params = (
        ("get_job_runs", {"JobName": "j"})
        if "JobRuns" in wire
        else ("get_job_run", {"JobName": "j", "RunId": "r"})
    )
    with Stubber(client) as stub:
        stub.add_response(operation, wire, params)
        getattr(client, operation)(**params)
