"""/api/v1/sql: read-only SQL for analysts, limited to their scope."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from learnlake.serve.auth.deps import principal
from learnlake.serve.auth.scope import Principal
from learnlake.serve.context import context_of
from learnlake.serve.dashboards.runner import json_response, jsonable
from learnlake.serve.dashboards.service import chart_csv
from learnlake.serve.sql_access import MAX_ROWS, SqlRejected, run_scoped


class SqlRequest(BaseModel):
    """One SELECT statement (DuckDB dialect)."""

    sql: str = Field(..., min_length=1, max_length=100_000, description="One SELECT statement.")
    max_rows: int = Field(1000, ge=1, le=MAX_ROWS, description="Rows returned at most.")
    format: str = Field("json", pattern="^(json|csv)$", description="json or csv.")


class SqlResult(BaseModel):
    """The rows of a statement."""

    columns: list[str]
    rows: list[dict[str, Any]]
    truncated: bool


router = APIRouter(prefix="/api/v1", tags=["sql"])


@router.post(
    "/sql",
    response_model=SqlResult,
    responses={
        400: {"description": "The statement is not allowed or failed; the reason is in `detail`."},
        401: {"description": "Not signed in."},
        403: {"description": "The role has no SQL access."},
    },
)
def run_sql(body: SqlRequest, request: Request, who: Annotated[Principal, Depends(principal)]) -> Response:
    """Run one read-only SELECT on the warehouse tables you may see (scoped server-side)."""
    if who.role not in ("operator", "org_staff", "course_staff", "analyst"):
        raise HTTPException(403, f"role {who.role} has no SQL access")
    try:
        table, truncated = run_scoped(context_of(request).settings, who, body.sql, body.max_rows)
    except SqlRejected as exc:
        raise HTTPException(400, str(exc)) from None
    if body.format == "csv":
        return Response(chart_csv(table), media_type="text/csv; charset=utf-8")
    rows = [{k: jsonable(v) for k, v in r.items()} for r in table.to_pylist()]
    return json_response({"columns": table.column_names, "rows": rows, "truncated": truncated})
