"""Embedding in the LMS: mint short-lived scoped tokens, and serve chart data to embed views."""

from __future__ import annotations

import hmac
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field, model_validator

from learnlake.serve.api.dashboards import ChartData, respond
from learnlake.serve.auth.deps import embed_token_principal
from learnlake.serve.auth.scope import Principal
from learnlake.serve.auth.tokens import EmbedClaims
from learnlake.serve.context import context_of
from learnlake.serve.dashboards import REGISTRY
from learnlake.serve.dashboards.framework import Filters
from learnlake.serve.dashboards.service import course_org

_KEY = r"^[A-Za-z0-9:+._@-]{1,200}$"


class EmbedRequest(BaseModel):
    """What the token may show: at least one of org, course, block, learner."""

    org: str | None = Field(None, pattern=_KEY)
    course: str | None = Field(None, pattern=_KEY, description="Course key.")
    block: str | None = Field(None, pattern=_KEY, description="Usage key of one block.")
    learner: str | None = Field(None, pattern=_KEY, description="xAPI actor id of one learner.")
    ttl_s: int | None = Field(None, ge=10, le=86400, description="Lifetime (capped by serve.embed_ttl_s).")

    @model_validator(mode="after")
    def _some_scope(self) -> EmbedRequest:
        if not (self.org or self.course or self.block or self.learner):
            raise ValueError("name at least one of org, course, block, learner")
        if self.org and self.course and course_org(self.course) != self.org:
            raise ValueError("the course does not belong to the org")
        return self


class EmbedToken(BaseModel):
    """A signed token and the embed view to open with it."""

    token: str
    expires_in: int
    url: str


router = APIRouter(tags=["embed"])


@router.post(
    "/api/v1/embed/token",
    response_model=EmbedToken,
    responses={
        401: {"description": "Wrong or missing shared secret."},
        404: {"description": "Embedding is off."},
    },
)
def mint_token(
    body: EmbedRequest,
    request: Request,
    x_embed_secret: Annotated[
        str | None, Header(description="The shared secret (serve.embed_secret).")
    ] = None,
    dashboard: Literal[
        "course", "in_context_problem", "in_context_video", "in_context_subsection", "at_risk", "learner"
    ] = Query("course", description="Embed view the URL opens."),
) -> EmbedToken:
    """Mint a short-lived token scoped to an org, course, block or learner (called by the LMS)."""
    ctx = context_of(request)
    configured = ctx.settings.serve.embed_secret
    if configured is None:
        raise HTTPException(404, "embedding is disabled (set serve.embed_secret)")
    if not x_embed_secret or not hmac.compare_digest(
        x_embed_secret.encode(), configured.get_secret_value().encode()
    ):
        raise HTTPException(401, "wrong shared secret")
    claims = EmbedClaims(org=body.org, course=body.course, block=body.block, learner=body.learner)
    ttl = min(body.ttl_s or ctx.signer.embed_ttl_s, ctx.signer.embed_ttl_s)
    token = ctx.signer.embed_token(claims, ttl)
    return EmbedToken(token=token, expires_in=ttl, url=f"/embed/{dashboard}?token={token}")


def _embed_chart_route(dashboard_id: str, chart_id: str):  # type: ignore[no-untyped-def]
    def endpoint(
        request: Request,
        filters: Annotated[Filters, Query()],
        who: Annotated[Principal, Depends(embed_token_principal)],
        token: str = Query(..., description="Embed token from POST /api/v1/embed/token."),
        format: Literal["json", "csv"] = Query("json"),
    ) -> Response:
        dashboard = REGISTRY[dashboard_id]
        chart = dashboard.chart(chart_id)
        assert chart is not None
        return respond(request, who, dashboard, chart, filters, format)

    endpoint.__name__ = f"embed_{dashboard_id}_{chart_id}"
    endpoint.__doc__ = "A chart's data for an embed view (only the token's scope)."
    return endpoint


def build_router() -> APIRouter:
    """Embed data routes for every dashboard that allows embedding."""
    embed = APIRouter(prefix="/embed", tags=["embed"])
    for dashboard in REGISTRY.values():
        if "embed" not in dashboard.roles:
            continue
        for chart in dashboard.charts:
            embed.add_api_route(
                f"/{dashboard.id}/charts/{chart.id}",
                _embed_chart_route(dashboard.id, chart.id),
                methods=["GET"],
                response_model=ChartData,
                responses={
                    401: {"description": "Missing, invalid or expired token."},
                    403: {"description": "Outside the token's scope."},
                },
            )
    return embed
