"""Schemathesis over the OpenAPI document: generated requests to every operation, zero server errors."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from serve_support import EMBED_SECRET, Site

from learnlake.serve.app import create_app


@pytest.fixture(scope="session")
def api_schema(site: Site) -> Any:
    """The app's own OpenAPI document, served in-process."""
    return schemathesis.openapi.from_asgi("/api/v1/openapi.json", create_app(site.settings))


@pytest.fixture(scope="session")
def op_token(site: Site) -> str:
    """An operator's API token (every operation is reachable)."""
    return site.tokens["op"]


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_no_server_errors(case: Any, op_token: str) -> None:
    headers = {"Authorization": f"Bearer {op_token}", "X-Embed-Secret": EMBED_SECRET}
    response = case.call(headers=headers)
    assert response.status_code < 500, (
        f"{case.method} {case.formatted_path}: {response.status_code} {response.text[:300]}"
    )


def test_every_chart_is_documented(site: Site) -> None:
    from fastapi.testclient import TestClient

    from learnlake.serve.dashboards import REGISTRY

    with TestClient(create_app(site.settings)) as c:
        paths = c.get("/api/v1/openapi.json").json()["paths"]
    for d in REGISTRY.values():
        for chart in d.charts:
            op = paths[f"/api/v1/dashboards/{d.id}/charts/{chart.id}"]["get"]
            names = {p["name"] for p in op["parameters"]}
            assert {"org", "course", "run", "start", "end", "grain", "site", "format"} <= names
            assert "text/csv" in op["responses"]["200"]["content"]
    assert {"/api/v1/sql", "/api/v1/embed/token", "/api/v1/status", "/api/v1/dashboards"} <= set(paths)
