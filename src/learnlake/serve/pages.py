"""HTML pages: status/home, sign-in, dashboards and embed views (charts load from the JSON API)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any
from urllib.parse import parse_qs, urlencode

import jinja2
from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError

from learnlake import __version__
from learnlake.serve import i18n
from learnlake.serve.auth.deps import LoginRequired, embed_token_principal, principal, resolve_principal
from learnlake.serve.auth.scope import Columns, Principal
from learnlake.serve.auth.tokens import SESSION_COOKIE, SESSION_MAX_AGE_S
from learnlake.serve.context import ServeContext, context_of
from learnlake.serve.dashboards import REGISTRY
from learnlake.serve.dashboards.framework import Dashboard, Filters
from learnlake.serve.dashboards.framework import Query as ChartQuery
from learnlake.serve.dashboards.service import authorize
from learnlake.serve.i18n import _
from learnlake.serve.status import status

_ENV = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=True,
    extensions=["jinja2.ext.i18n"],
)
TEMPLATES = Jinja2Templates(env=_ENV)
TEMPLATES.env.install_gettext_callables(  # type: ignore[attr-defined]
    gettext=_, ngettext=i18n.ngettext, newstyle=False
)
TEMPLATES.env.globals.update(
    fmt_number=i18n.fmt_number,
    fmt_datetime=i18n.fmt_datetime,
    current_lang=i18n.current,
    direction=i18n.direction,
    locales=i18n.LOCALES,
    version=__version__,
)
ROLE_LABELS = {
    "operator": i18n.N_("operator"),
    "org_staff": i18n.N_("organization staff"),
    "course_staff": i18n.N_("course staff"),
    "analyst": i18n.N_("analyst"),
    "learner": i18n.N_("learner"),
    "embed": i18n.N_("embedded view"),
}


def lang_url(request: Request, code: str) -> str:
    """The current page in another language."""
    params = dict(request.query_params)
    params["lang"] = code
    return request.url.path + "?" + urlencode(params)


TEMPLATES.env.globals.update(lang_url=lang_url, role_labels=ROLE_LABELS)
LANG_NAMES = {"en": "English", "es": "Español", "ar": "العربية"}
JS_STRINGS = (
    i18n.N_("No data for these filters."),
    i18n.N_("Could not load this chart."),
    i18n.N_("Download CSV"),
    i18n.N_("Loading…"),
    i18n.N_("more rows"),
)

_OPTIONS = ChartQuery(
    "SELECT DISTINCT org, course_key, lms FROM ("
    "SELECT org, course_key, lms FROM course_overviews WHERE {entities} "
    "UNION ALL SELECT DISTINCT org, course_key, lms FROM xapi_events_all_parsed WHERE {where}) "
    "WHERE course_key <> '' ORDER BY 1, 2",
    {"where": Columns(time=None), "entities": Columns(actor=None, time=None)},
)

router = APIRouter(include_in_schema=False)


def render(request: Request, name: str, who: Principal | None, **context: Any) -> HTMLResponse:
    """A page with the shared layout values; remembers an explicit ?lang= in a cookie."""
    lang = i18n.current()
    response = TEMPLATES.TemplateResponse(
        request,
        name,
        {
            "who": who,
            "lang": lang,
            "dir": i18n.direction(lang),
            "lang_names": LANG_NAMES,
            "dashboards": [
                d for d in REGISTRY.values() if who is not None and d.allowed(who) and who.role != "embed"
            ],
            "js_strings": {s: _(s) for s in JS_STRINGS},
            **context,
        },
    )
    if request.query_params.get("lang") in i18n.LOCALES:
        response.set_cookie(i18n.COOKIE, lang, max_age=365 * 86400, samesite="lax")
    return response


def filter_options(ctx: ServeContext, who: Principal) -> dict[str, list[str]]:
    """The orgs, courses and sites the caller may pick in the filter bar."""
    sql, params = _OPTIONS.render(who, Filters())
    try:
        rows = ctx.runner.run(sql, params).to_pylist()
    except Exception:  # an empty warehouse: no options yet
        rows = []
    return {
        "org": sorted({r["org"] for r in rows if r["org"]}),
        "course": sorted({r["course_key"] for r in rows if r["course_key"]}),
        "site": sorted({r["lms"] for r in rows if r["lms"]}),
    }


def parse_filters(request: Request) -> Filters:
    """Filters from the page URL; a bad value is an error page, never a traceback."""
    raw = {k: v for k, v in request.query_params.items() if k in Filters.model_fields and v != ""}
    try:
        return Filters.model_validate(raw)
    except ValidationError as exc:
        raise HTTPException(422, "; ".join(f"{e['loc'][0]}: {e['msg']}" for e in exc.errors())) from None


@router.get("/", response_class=HTMLResponse)
def home(request: Request, who: Annotated[Principal, Depends(principal)]) -> HTMLResponse:
    """The status page (operators) and the list of dashboards."""
    ctx = context_of(request)
    data = status(ctx.settings) if who.is_operator else None
    return render(request, "status.html", who, status=data)


@router.get("/dashboards/{dashboard_id}", response_class=HTMLResponse)
def dashboard_page(
    dashboard_id: str, request: Request, who: Annotated[Principal, Depends(principal)]
) -> HTMLResponse:
    """One dashboard: filter bar and chart frames (data comes from /api/v1/dashboards/…)."""
    dashboard = _dashboard(dashboard_id)
    authorize(who, dashboard)
    filters = parse_filters(request)
    return render(
        request,
        "dashboard.html",
        who,
        dashboard=dashboard,
        charts=[c for c in dashboard.charts if c.allowed(who)],
        filters=filters,
        options=filter_options(context_of(request), who),
        data_base=f"/api/v1/dashboards/{dashboard.id}/charts/",
        embed=False,
    )


@router.get("/embed/{dashboard_id}", response_class=HTMLResponse)
def embed_page(
    dashboard_id: str,
    request: Request,
    who: Annotated[Principal, Depends(embed_token_principal)],
    token: str = Query(...),
) -> HTMLResponse:
    """A dashboard for an iframe in the LMS: only the embed token's scope, no navigation."""
    dashboard = _dashboard(dashboard_id)
    authorize(who, dashboard)
    filters = parse_filters(request)
    response = render(
        request,
        "dashboard.html",
        who,
        dashboard=dashboard,
        charts=list(dashboard.charts),
        filters=filters,
        options=None,
        data_base=f"/embed/{dashboard.id}/charts/",
        embed=True,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "/") -> HTMLResponse:
    """The sign-in form."""
    return render(request, "login.html", None, next=_safe_next(next), error=None)


@router.post("/login", response_class=HTMLResponse)
async def login(request: Request) -> Response:
    """Check the password and set the signed session cookie."""
    form = {k: v[0] for k, v in parse_qs((await request.body()).decode("utf-8", "replace")).items()}
    name, password, nxt = (
        form.get("username", ""),
        form.get("password", ""),
        _safe_next(form.get("next", "/")),
    )
    ctx = context_of(request)
    user = ctx.users.check_password(name, password) if name and password else None
    if user is None:
        page = render(request, "login.html", None, next=nxt, error=_("Wrong user name or password."))
        page.status_code = 401
        return page
    response = RedirectResponse(nxt, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        ctx.signer.session_cookie(user.name),
        max_age=SESSION_MAX_AGE_S,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
    return response


@router.post("/logout")
def logout() -> Response:
    """Forget the session."""
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


def _dashboard(dashboard_id: str) -> Dashboard:
    dashboard = REGISTRY.get(dashboard_id)
    if dashboard is None:
        raise HTTPException(404, "no such dashboard")
    return dashboard


def _safe_next(target: str) -> str:
    """Only same-site paths (no open redirect)."""
    return target if target.startswith("/") and not target.startswith("//") and "\\" not in target else "/"


def login_redirect(request: Request) -> Response:
    """Where an anonymous browser is sent."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse("/login?" + urlencode({"next": target}), status_code=303)


__all__ = ["TEMPLATES", "LoginRequired", "login_redirect", "resolve_principal", "router"]
