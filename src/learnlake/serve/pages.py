"""HTML pages: status/home, sign-in, dashboards and embed views (charts load from the JSON API)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any
from urllib.parse import parse_qs, urlencode

import jinja2
from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError

from learnlake import __version__
from learnlake.serve import i18n
from learnlake.serve.auth.deps import LoginRequired, embed_token_principal, principal, resolve_principal
from learnlake.serve.auth.oidc import FLOW_COOKIE, FLOW_MAX_AGE_S, LmsSignIn, OidcError, lms_user_name
from learnlake.serve.auth.scope import Principal
from learnlake.serve.auth.store import UserError
from learnlake.serve.auth.tokens import SESSION_COOKIE, SESSION_MAX_AGE_S
from learnlake.serve.context import ServeContext, context_of
from learnlake.serve.dashboards import REGISTRY
from learnlake.serve.dashboards.comparison_queries import TAG_OPTIONS
from learnlake.serve.dashboards.framework import Dashboard, Filters
from learnlake.serve.dashboards.service import FILTER_OPTIONS, authorize
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
    sql, params = FILTER_OPTIONS.render(who, Filters())
    try:
        rows = ctx.runner.run(sql, params).to_pylist()
    except Exception:  # an empty warehouse: no options yet
        rows = []
    try:  # the course tags in scope (the comparison dashboard's tag filter)
        tags = ctx.runner.run(*TAG_OPTIONS.render(who, Filters())).column("tag").to_pylist()
    except Exception:  # no tag model yet
        tags = []
    return {
        "org": sorted({r["org"] for r in rows if r["org"]}),
        "course": sorted({r["course_key"] for r in rows if r["course_key"]}),
        "site": sorted({r["lms"] for r in rows if r["lms"]}),
        "tag": [str(t) for t in tags],
    }


def parse_filters(request: Request) -> Filters:
    """Filters from the page URL; a bad value is an error page, never a traceback."""
    raw = {k: v for k, v in request.query_params.items() if k in Filters.model_fields and v != ""}
    try:
        return Filters.model_validate(raw)
    except ValidationError as exc:
        raise HTTPException(422, "; ".join(f"{e['loc'][0]}: {e['msg']}" for e in exc.errors())) from None


LANDING_ORDER = ("course", "me")  # the first of these the caller may open is their home page


def landing_path(who: Principal) -> str:
    """Where `/` sends a signed-in browser: the course dashboard when allowed, else their first one."""
    allowed = [d for d in REGISTRY.values() if d.allowed(who)]
    for wanted in LANDING_ORDER:
        if any(d.id == wanted for d in allowed):
            return f"/dashboards/{wanted}"
    return f"/dashboards/{allowed[0].id}" if allowed else "/status"


@router.get("/")
def home(request: Request, who: Annotated[Principal, Depends(principal)]) -> Response:
    """Browsers go to their landing dashboard; a JSON client gets the same links as data."""
    target = landing_path(who)
    accept = request.headers.get("accept", "")
    if "application/json" in accept and "text/html" not in accept:
        return JSONResponse(
            {
                "landing": target,
                "status": "/status",
                "dashboards": [f"/dashboards/{d.id}" for d in REGISTRY.values() if d.allowed(who)],
                "openapi": "/api/v1/openapi.json",
            },
            headers={"Vary": "Accept"},
        )
    query = f"?{request.url.query}" if request.url.query else ""  # keeps ?lang=
    return RedirectResponse(target + query, status_code=303, headers={"Vary": "Accept"})


@router.get("/status", response_class=HTMLResponse)
def status_page(request: Request, who: Annotated[Principal, Depends(principal)]) -> HTMLResponse:
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


def _lms(request: Request) -> LmsSignIn:
    lms: LmsSignIn = request.app.state.lms
    return lms


def _login_form(request: Request, nxt: str, error: str | None, status_code: int = 200) -> HTMLResponse:
    lms_url = "/login/lms?" + urlencode({"next": nxt}) if _lms(request).enabled else None
    page = render(request, "login.html", None, next=nxt, error=error, lms_url=lms_url)
    page.status_code = status_code
    return page


def _set_session(request: Request, response: Response, user_name: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        context_of(request).signer.session_cookie(user_name),
        max_age=SESSION_MAX_AGE_S,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "/") -> HTMLResponse:
    """The sign-in form (and the LMS sign-in button when configured)."""
    return _login_form(request, _safe_next(next), None)


@router.get("/login/lms")
def lms_login(request: Request, next: str = "/") -> Response:
    """Start the sign-in with the LMS: off to its /oauth2/authorize with a fresh state and nonce."""
    lms = _lms(request)
    if not lms.enabled:
        raise HTTPException(404, "sign-in with the LMS is not configured (serve.oidc.client_id)")
    redirect_uri = lms.redirect_url or str(request.url_for("lms_callback"))
    url, flow = lms.start(redirect_uri, _safe_next(next))
    response = RedirectResponse(url, status_code=303)
    response.set_cookie(
        FLOW_COOKIE,
        flow,
        max_age=FLOW_MAX_AGE_S,
        httponly=True,
        samesite="lax",  # sent on the LMS's top-level redirect back here
        secure=request.url.scheme == "https",
        path="/login/lms",
    )
    return response


@router.get("/login/lms/callback", name="lms_callback")
def lms_callback(request: Request) -> Response:
    """The LMS sends the browser back here: check, exchange the code, map the roles, sign in."""
    lms = _lms(request)
    if not lms.enabled:
        raise HTTPException(404, "sign-in with the LMS is not configured (serve.oidc.client_id)")
    redirect_uri = lms.redirect_url or str(request.url_for("lms_callback"))
    callback = redirect_uri + (f"?{request.url.query}" if request.url.query else "")
    try:
        identity, nxt = lms.finish(callback, dict(request.query_params), request.cookies.get(FLOW_COOKIE))
        grant = lms.grant(identity)
        user = context_of(request).users.upsert_lms(
            lms_user_name(identity), grant.role, grant.orgs, grant.courses, grant.actor_id
        )
    except (OidcError, UserError) as exc:
        page = _login_form(request, "/", _("Sign-in with the LMS failed: {reason}").format(reason=exc), 401)
        page.delete_cookie(FLOW_COOKIE, path="/login/lms")
        return page
    response = RedirectResponse(_safe_next(nxt), status_code=303)
    response.delete_cookie(FLOW_COOKIE, path="/login/lms")
    _set_session(request, response, user.name)
    return response


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
        return _login_form(request, nxt, _("Wrong user name or password."), 401)
    response = RedirectResponse(nxt, status_code=303)
    _set_session(request, response, user.name)
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
