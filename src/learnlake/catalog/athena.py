"""Athena queries whose outcome is known: every query is polled to its final state.

Panorama fires DDL and never looks at the result; here each query is waited for
(GetQueryExecution), and FAILED/CANCELLED (or a timeout) is reported with Athena's
StateChangeReason, so `learnlake catalog` can exit 1 with the real message.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from learnlake.config.settings import Settings

TERMINAL = frozenset({"SUCCEEDED", "FAILED", "CANCELLED"})


@dataclass(frozen=True)
class QueryOutcome:
    """The final state of one query."""

    sql: str
    state: str  # SUCCEEDED, FAILED, CANCELLED, TIMEOUT or ERROR (the API refused the query)
    reason: str | None = None
    query_id: str | None = None

    @property
    def ok(self) -> bool:
        """Whether the query succeeded."""
        return self.state == "SUCCEEDED"


def aws_client(settings: Settings, service: str) -> Any:
    """A boto3 client for glue or athena (region, keys and endpoint from the settings)."""
    import boto3

    kwargs: dict[str, Any] = {"region_name": settings.lake.s3.region}
    endpoint = settings.lake.athena.endpoint_url
    if endpoint:
        kwargs["endpoint_url"] = endpoint
    if settings.lake.s3.access_key_id:
        kwargs["aws_access_key_id"] = settings.lake.s3.access_key_id
    if settings.lake.s3.secret_access_key is not None:
        kwargs["aws_secret_access_key"] = settings.lake.s3.secret_access_key.get_secret_value()
    return boto3.client(service, **kwargs)


def outcome_of(sql: str, execution: dict[str, Any]) -> QueryOutcome | None:
    """The outcome in a GetQueryExecution answer, or None while the query still runs."""
    query = execution.get("QueryExecution", execution)
    status = query.get("Status") or {}
    state = str(status.get("State") or "")
    if state not in TERMINAL:
        return None
    reason = status.get("StateChangeReason") or (status.get("AthenaError") or {}).get("ErrorMessage")
    return QueryOutcome(sql, state, reason, query.get("QueryExecutionId"))


class Athena:
    """Runs queries in the configured database and workgroup, one at a time, to their end."""

    def __init__(self, settings: Settings, client: Any | None = None) -> None:
        self.settings = settings
        self.client = client or aws_client(settings, "athena")
        self.timeout_s = settings.lake.athena.query_timeout_s

    def run(self, sql: str, database: str | None = None) -> QueryOutcome:
        """Start a query and poll it until it succeeds, fails, is cancelled or times out."""
        from botocore.exceptions import BotoCoreError, ClientError

        athena = self.settings.lake.athena
        kwargs: dict[str, Any] = {"QueryString": sql}
        if database or athena.database:
            kwargs["QueryExecutionContext"] = {"Database": database or athena.database}
        if athena.workgroup:
            kwargs["WorkGroup"] = athena.workgroup
        if athena.output_location:
            kwargs["ResultConfiguration"] = {"OutputLocation": athena.output_location}
        try:
            query_id = self.client.start_query_execution(**kwargs)["QueryExecutionId"]
            deadline = time.monotonic() + self.timeout_s
            pause = 0.1
            while True:
                done = outcome_of(sql, self.client.get_query_execution(QueryExecutionId=query_id))
                if done is not None:
                    return done
                if time.monotonic() > deadline:
                    return QueryOutcome(sql, "TIMEOUT", f"still running after {self.timeout_s:g} s", query_id)
                time.sleep(pause)
                pause = min(pause * 2, 2.0)
        except (ClientError, BotoCoreError) as exc:
            return QueryOutcome(sql, "ERROR", str(exc))
