"""ECharts options built from a chart's rows (the browser only draws what it is given)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from learnlake.serve.dashboards.framework import Chart
from learnlake.serve.i18n import _, direction

PALETTE = ["#3b6fb6", "#e07b39", "#3f9d68", "#c2454f", "#7d5bb5", "#a7894a", "#d277b0", "#6b7785"]


def _label(chart: Chart, column: str) -> str:
    return _(chart.labels[column]) if column in chart.labels else column


def _x_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def option(chart: Chart, rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The ECharts option of a chart; None for numbers and tables (drawn as HTML)."""
    if chart.kind in ("number", "table") or chart.x is None:
        return None
    rtl = direction() == "rtl"
    base: dict[str, Any] = {
        "color": PALETTE,
        "tooltip": {"trigger": "item" if chart.kind == "pie" else "axis"},
        "grid": {"left": 56, "right": 24, "top": 36, "bottom": 48, "containLabel": True},
        "animation": False,
    }
    if chart.kind == "pie":
        y = chart.y[0]
        data = [{"name": str(r[chart.x]), "value": r[y]} for r in rows]
        base["series"] = [{"type": "pie", "radius": ["35%", "70%"], "data": data, "name": _label(chart, y)}]
        base["legend"] = {"type": "scroll", "bottom": 0}
        return base
    time_axis = bool(rows) and isinstance(rows[0].get(chart.x), dt.date | dt.datetime)
    # numbers along a line (a position in a video): a value axis, not one category label per point
    value_axis = (
        not time_axis
        and chart.kind in ("line", "area")
        and bool(rows)
        and all(isinstance(r[chart.x], int | float) and not isinstance(r[chart.x], bool) for r in rows)
    )
    series: list[dict[str, Any]] = []
    stype = "bar" if chart.kind == "bar" else "line"
    if chart.series:
        groups: dict[str, list[list[Any]]] = {}
        for r in rows:
            groups.setdefault(str(r[chart.series]), []).append([_x_value(r[chart.x]), r[chart.y[0]]])
        for name, points in groups.items():
            series.append(_series(chart, stype, name, points))
    else:
        for y in chart.y:
            series.append(
                _series(chart, stype, _label(chart, y), [[_x_value(r[chart.x]), r[y]] for r in rows])
            )
    if chart.cumulative:
        for s in series:
            total = 0.0
            for point in s["data"]:
                total += float(point[1] or 0)
                point[1] = total
    base["series"] = series
    base["legend"] = {"type": "scroll", "top": 0}
    if time_axis:
        base["xAxis"] = {"type": "time", "inverse": rtl}
    elif value_axis:
        base["xAxis"] = {"type": "value", "inverse": rtl}
    else:
        base["xAxis"] = {
            "type": "category",
            "inverse": rtl,
            "data": [str(_x_value(r[chart.x])) for r in rows] if not chart.series else None,
            "axisLabel": {"interval": 0, "rotate": 30, "width": 140, "overflow": "truncate"},
        }
        if chart.series:
            cats = list(dict.fromkeys(str(_x_value(r[chart.x])) for r in rows))
            base["xAxis"]["data"] = cats
            for s in series:
                s["data"] = [[str(p[0]), p[1]] for p in s["data"]]
    base["yAxis"] = {"type": "value", "position": "right" if rtl else "left"}
    return base


def _series(chart: Chart, stype: str, name: str, points: list[list[Any]]) -> dict[str, Any]:
    s: dict[str, Any] = {"type": stype, "name": name, "data": points, "showSymbol": False}
    if chart.kind == "area":
        s["areaStyle"] = {}
        s["stack"] = "total"
    if chart.kind == "bar" and chart.series:
        s["stack"] = "total"
    return s
