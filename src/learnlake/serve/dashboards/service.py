"""A chart's data for one caller: authorization, scoped query, PII columns, JSON/CSV payloads."""

from __future__ import annotations

import io
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from fastapi import HTTPException

from learnlake.serve.auth.scope import LEARNER_COLUMNS, Columns, Principal
from learnlake.serve.context import ServeContext
from learnlake.serve.dashboards.echarts import option
from learnlake.serve.dashboards.framework import Chart, Dashboard, Filters, Query
from learnlake.serve.dashboards.runner import QueryRunner, QueryTimeout, jsonable
from learnlake.serve.i18n import _


def course_org(course_key: str) -> str:
    """The org part of a course key (course-v1:ORG+COURSE+RUN)."""
    return course_key.split(":", 1)[-1].split("+", 1)[0]


# the orgs, courses and sites of the filter bar (computed for every page; prewarmed)
FILTER_OPTIONS = Query(
    "SELECT DISTINCT org, course_key, lms FROM ("
    "SELECT org, course_key, lms FROM course_overviews WHERE {entities} "
    "UNION ALL SELECT DISTINCT org, course_key, lms FROM xapi_events_all_parsed WHERE {where}) "
    "WHERE course_key <> '' ORDER BY 1, 2",
    {"where": Columns(time=None), "entities": Columns(actor=None, time=None)},
)


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
    if filters.block and scope.block is not None and filters.block != scope.block:
        raise HTTPException(403, "block outside your scope")


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
    if not principal.sees_learners and LEARNER_COLUMNS & set(table.column_names):
        # a chart not declared per_learner that still lists learners: refused, never shown
        raise HTTPException(403, "rows about single learners need the personal-data grant")
    if not (principal.pii and ctx.settings.privacy.pii):
        # without stored personal data the columns would only be empty: not shown at all
        drop = [c for c in chart.pii_columns if c in table.column_names]
        if drop:
            table = table.drop_columns(drop)
    return table


GRAIN_ORDER = {"hour": 0, "day": 1, "week": 2, "month": 3, "quarter": 4, "year": 5}


def answers(query: Query, principal: Principal, filters: Filters) -> bool:
    """Whether the query can honour every set filter and scope restriction exactly.

    A model keeps fewer columns than the events (no lms partition, no org on instance-wide
    counts, days instead of timestamps); a filter or scope on a column a slot lacks would be
    ignored or give nothing, so such a request goes to the query's fallback instead.
    """
    scope = principal.scope
    for cols in query.slots.values():
        wanted = (
            (cols.org, filters.org or scope.orgs is not None),
            (cols.course, filters.course or filters.run or scope.courses is not None),
            (cols.lms, filters.site),
            (cols.actor, filters.learner or scope.actor is not None),
            (cols.block, filters.block or scope.block is not None),
        )
        if any(column is None and needed for column, needed in wanted):
            return False
        if filters.tag and not cols.tags:
            return False
        if cols.time_grain and GRAIN_ORDER.get(filters.grain, 0) < GRAIN_ORDER.get(cols.time_grain, 0):
            return False
        if cols.grain_only and filters.grain != cols.time_grain:
            return False
    return True


def run_query(runner: QueryRunner, query: Query, principal: Principal, filters: Filters) -> pa.Table:
    """A query's rows, from its fallback when the query cannot answer this request exactly.

    That is when a filter or the caller's scope needs a column the query's tables lack (see
    `answers`), or when a table it reads does not exist (a model not built yet).
    """
    first = query
    while (
        first.fallback is not None
        and not answers(first, principal, filters)
        and answers(first.fallback, principal, filters)
    ):
        first = first.fallback
    current: Query | None = first
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
