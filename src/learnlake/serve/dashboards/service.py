"""A chart's data for one caller: authorization, scoped query, PII columns, JSON/CSV payloads."""

from __future__ import annotations

import io
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from fastapi import HTTPException

from learnlake.serve.auth.scope import Principal
from learnlake.serve.context import ServeContext
from learnlake.serve.dashboards.echarts import option
from learnlake.serve.dashboards.framework import Chart, Dashboard, Filters, Query
from learnlake.serve.dashboards.runner import QueryRunner, QueryTimeout, jsonable
from learnlake.serve.i18n import _


def course_org(course_key: str) -> str:
    """The org part of a course key (course-v1:ORG+COURSE+RUN)."""
    return course_key.split(":", 1)[-1].split("+", 1)[0]


def check_filters(principal: Principal, filters: Filters) -> None:
    """403 when a filter names an org or course outside the caller's scope (never silently widened)."""
    scope = principal.scope
    if filters.org and scope.orgs is not None and filters.org not in scope.orgs:
        raise HTTPException(403, "organization outside your scope")
    if filters.org and scope.courses is not None and all(course_org(c) != filters.org for c in scope.courses):
        raise HTTPException(403, "organization outside your scope")
    if filters.course:
        if scope.courses is not None and filters.course not in scope.courses:
            raise HTTPException(403, "course outside your scope")
        if scope.orgs is not None and course_org(filters.course) not in scope.orgs:
            raise HTTPException(403, "course outside your scope")


def authorize(principal: Principal, dashboard: Dashboard, chart: Chart | None = None) -> None:
    """403 unless the caller's role may open the dashboard (and chart)."""
    if not dashboard.allowed(principal) or (chart is not None and not chart.allowed(principal)):
        raise HTTPException(403, "your role may not see this")


def chart_table(ctx: ServeContext, principal: Principal, chart: Chart, filters: Filters) -> pa.Table:
    """The chart's rows for this caller, as Arrow, without PII columns unless allowed."""
    if chart.query is not None:
        try:
            table = run_query(ctx.runner, chart.query, principal, filters)
        except QueryTimeout as exc:
            raise HTTPException(503, str(exc)) from None
    elif chart.data is not None:
        rows = chart.data(ctx.settings, principal, filters)
        table = pa.Table.from_pylist(rows) if rows else pa.table({})
    else:  # pragma: no cover - a chart always has one of the two
        raise HTTPException(500, "chart without data")
    if not principal.pii:
        drop = [c for c in chart.pii_columns if c in table.column_names]
        if drop:
            table = table.drop_columns(drop)
    return table


def run_query(runner: QueryRunner, query: Query, principal: Principal, filters: Filters) -> pa.Table:
    """A query's rows; a query on a missing table (model not built) falls back to its fallback."""
    current: Query | None = query
    while True:
        assert current is not None
        sql, params = current.render(principal, filters)
        try:
            return runner.run(sql, params)
        except duckdb.CatalogException:
            if current.fallback is None:
                raise
            current = current.fallback


def chart_payload(chart: Chart, dashboard: Dashboard, table: pa.Table, filters: Filters) -> dict[str, Any]:
    """The JSON answer: columns with translated labels, rows, and the ECharts option."""
    rows = [{k: jsonable(v) for k, v in r.items()} for r in table.to_pylist()]
    return {
        "dashboard": dashboard.id,
        "chart": chart.id,
        "title": _(chart.title),
        "kind": chart.kind,
        "columns": [
            {"name": c, "label": _(chart.labels[c]) if c in chart.labels else c} for c in table.column_names
        ],
        "rows": rows,
        "option": option(chart, table.to_pylist()),
        "filters": filters.query_string(),
    }


_FORMULA_START = r"^[=+\-@\t\r]"


def _defuse_formulas(table: pa.Table) -> pa.Table:
    """Text a spreadsheet would run as a formula (=, +, -, @, tab, CR first) gets a leading quote.

    Learners write forum titles and answers, so a download must not carry their formulas into an
    instructor's spreadsheet (OWASP's CSV injection advice).
    """
    columns = []
    for column in table.columns:
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            risky = pc.match_substring_regex(column, _FORMULA_START)
            column = pc.if_else(risky, pc.binary_join_element_wise("'", column, ""), column)
        columns.append(column)
    return pa.table(columns, names=table.column_names)


def chart_csv(table: pa.Table) -> bytes:
    """The rows as CSV with a header line, safe to open in a spreadsheet."""
    if table.num_columns == 0:
        return b""
    sink = io.BytesIO()
    pacsv.write_csv(_defuse_formulas(table), sink)
    return sink.getvalue()
