"""/api/v1/dashboards: every chart's data as JSON or CSV, one documented route per chart."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel

from learnlake.serve import i18n
from learnlake.serve.auth.deps import principal
from learnlake.serve.auth.scope import Principal
from learnlake.serve.context import context_of
from learnlake.serve.dashboards import REGISTRY
from learnlake.serve.dashboards.framework import Chart, Dashboard, Filters
from learnlake.serve.dashboards.runner import json_bytes
from learnlake.serve.dashboards.service import authorize, chart_csv, chart_payload, chart_table, check_filters
from learnlake.serve.i18n import _

Format = Literal["json", "csv"]


class ColumnOut(BaseModel):
    """One result column."""

    name: str
    label: str


class ChartData(BaseModel):
    """A chart's rows, column labels in the caller's language and the ECharts option."""

    dashboard: str
    chart: str
    title: str
    kind: str
    columns: list[ColumnOut]
    rows: list[dict[str, Any]]
    option: dict[str, Any] | None
    filters: dict[str, str]


class ChartInfo(BaseModel):
    """A chart of a dashboard."""

    id: str
    title: str
    kind: str
    url: str


class DashboardInfo(BaseModel):
    """A dashboard the caller may open."""

    id: str
    title: str
    description: str
    filters: list[str]
    charts: list[ChartInfo]


ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Not signed in (no valid session, API token or embed token)."},
    403: {"description": "Outside the caller's role or scope."},
}


def dashboard_info(dashboard: Dashboard, who: Principal, base: str = "/api/v1/dashboards") -> DashboardInfo:
    """The description of a dashboard, with only the charts the caller may see."""
    return DashboardInfo(
        id=dashboard.id,
        title=_(dashboard.title),
        description=_(dashboard.description),
        filters=list(dashboard.filters),
        charts=[
            ChartInfo(id=c.id, title=_(c.title), kind=c.kind, url=f"{base}/{dashboard.id}/charts/{c.id}")
            for c in dashboard.charts
            if c.allowed(who)
        ],
    )


def respond(
    request: Request, who: Principal, dashboard: Dashboard, chart: Chart, filters: Filters, fmt: str
) -> Response:
    """Authorize, run and encode one chart's data (encoded answers are cached per caller scope)."""
    authorize(who, dashboard, chart)
    check_filters(who, filters)
    ctx = context_of(request)
    key = (
        dashboard.id,
        chart.id,
        fmt,
        i18n.current(),
        who.role,
        who.scope,
        who.pii,
        filters.model_dump_json(),
        ctx.runner.data_version(),
    )
    cached = ctx.responses.get(key)
    if cached is None:
        table = chart_table(ctx, who, chart, filters)
        if fmt == "csv":
            cached = (chart_csv(table), "text/csv; charset=utf-8")
        else:
            cached = (json_bytes(chart_payload(chart, dashboard, table, filters)), "application/json")
        if chart.query is not None:  # data functions (run history) are cheap and always fresh
            ctx.responses.put(key, cached)
    body, media_type = cached
    headers = {"Cache-Control": "private, max-age=60"}
    if fmt == "csv":
        headers["Content-Disposition"] = f'attachment; filename="{dashboard.id}-{chart.id}.csv"'
    return Response(body, media_type=media_type, headers=headers)


def _chart_route(dashboard: Dashboard, chart: Chart) -> Any:
    def endpoint(
        request: Request,
        filters: Annotated[Filters, Query()],
        who: Annotated[Principal, Depends(principal)],
        format: Format = Query("json", description="json (default) or csv (a download)."),
    ) -> Response:
        return respond(request, who, dashboard, chart, filters, format)

    endpoint.__name__ = f"chart_{dashboard.id}_{chart.id}"
    endpoint.__doc__ = f"{chart.title} ({chart.kind}). JSON rows and an ECharts option, or CSV."
    return endpoint


def build_router() -> APIRouter:
    """The dashboards API (a route per chart, so each appears in the OpenAPI document)."""
    router = APIRouter(prefix="/api/v1/dashboards", tags=["dashboards"], responses=ERRORS)

    @router.get("", response_model=list[DashboardInfo])
    def list_dashboards(who: Annotated[Principal, Depends(principal)]) -> list[DashboardInfo]:
        """The dashboards the caller may open, with their charts."""
        return [dashboard_info(d, who) for d in REGISTRY.values() if d.allowed(who) and who.role != "embed"]

    @router.get(
        "/{dashboard_id}",
        response_model=DashboardInfo,
        responses={404: {"description": "No such dashboard."}},
    )
    def get_dashboard(dashboard_id: str, who: Annotated[Principal, Depends(principal)]) -> DashboardInfo:
        """One dashboard and its charts."""
        dashboard = REGISTRY.get(dashboard_id)
        if dashboard is None:
            raise HTTPException(404, "no such dashboard")
        authorize(who, dashboard)
        return dashboard_info(dashboard, who)

    for dashboard in REGISTRY.values():
        for chart in dashboard.charts:
            router.add_api_route(
                f"/{dashboard.id}/charts/{chart.id}",
                _chart_route(dashboard, chart),
                methods=["GET"],
                response_model=ChartData,
                summary=f"{dashboard.id} · {chart.title}",
                responses={200: {"content": {"text/csv": {}}, "description": "The chart's data."}},
            )
    return router
