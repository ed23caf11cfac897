"""At-risk learners and Individual learner dashboards: scope, the learner filter, personal data, CSV, links.

Two sites: the session's site (personal data off) and a small one built here with `privacy.pii: true`
and the LMS database extracted, so usernames and emails exist and the contact list can be copied.
"""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
from fastapi.testclient import TestClient
from serve_support import EMBED_SECRET, PASSWORD, Site, serve_process

from learnlake.config import Settings, load_settings
from learnlake.serve.app import create_app
from learnlake.serve.auth.scope import Columns, Principal, Scope
from learnlake.serve.auth.store import UserStore
from learnlake.serve.dashboards import REGISTRY
from learnlake.serve.dashboards.framework import Filters, Query
from learnlake.serve.dashboards.runner import QueryRunner
from learnlake.serve.dashboards.service import run_query
from learnlake.warehouse import open_warehouse

Auth = Callable[[str | None], dict[str, str]]
PII = {"username", "name", "email"}
DASHBOARDS = ("at_risk", "learner")


def _api(dashboard: str, chart: str) -> str:
    return f"/api/v1/dashboards/{dashboard}/charts/{chart}"


def _rows(client: TestClient, headers: dict[str, str], dashboard: str, chart: str, **params: str) -> Any:
    response = client.get(_api(dashboard, chart), params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def _warehouse_rows(settings: Settings, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = open_warehouse(settings).rows(sql, params or [])
    return rows


# -- the session site: personal data off ----------------------------------------------------------


def test_dashboards_are_registered_with_their_roles() -> None:
    assert {"operator", "org_staff", "course_staff", "analyst"} <= REGISTRY["at_risk"].roles
    assert "learner" in REGISTRY["learner"].filters and "learner" not in REGISTRY["learner"].roles
    listed = REGISTRY["at_risk"].chart("learners")
    assert listed is not None and listed.per_learner and set(listed.pii_columns) == PII


def test_at_risk_list_is_the_model_within_scope(client: TestClient, auth: Auth, site: Site) -> None:
    expected = _warehouse_rows(
        site.settings, "SELECT actor_id FROM at_risk_learners WHERE course_key = ?", [site.course_a]
    )
    assert expected, "the synthetic site has at-risk learners"
    staff = _rows(client, auth("staff"), "at_risk", "learners")["rows"]
    assert sorted(r["actor_id"] for r in staff) == sorted(r["actor_id"] for r in expected)
    assert {r["course_key"] for r in staff} == {site.course_a}
    every = _rows(client, auth("op"), "at_risk", "learners")["rows"]
    assert len({r["course_key"] for r in every}) > 1 and len(every) > len(staff)
    orgstaff = _rows(client, auth("orgstaff"), "at_risk", "learners")["rows"]
    assert orgstaff and {r["course_key"].split(":")[1].split("+")[0] for r in orgstaff} == {site.org_a}
    count = _rows(client, auth("staff"), "at_risk", "at_risk_count")["rows"][0]["learners"]
    assert count == len({r["actor_id"] for r in staff})


@pytest.mark.parametrize("dashboard", DASHBOARDS)
def test_course_staff_sees_exactly_their_course(
    client: TestClient, auth: Auth, site: Site, dashboard: str
) -> None:
    """Every chart: course staff unfiltered == the operator filtered to that course (minus PII columns)."""
    for chart in REGISTRY[dashboard].charts:
        mine = _rows(client, auth("staff"), dashboard, chart.id, grain="week")
        op = _rows(client, auth("op"), dashboard, chart.id, grain="week", course=site.course_a)
        assert not PII & {c["name"] for c in mine["columns"]}, chart.id
        strip = [{k: v for k, v in r.items() if k not in PII} for r in op["rows"]]
        assert mine["rows"] == strip, chart.id
        other = client.get(_api(dashboard, chart.id), params={"course": site.course_b}, headers=auth("staff"))
        assert other.status_code == 403, chart.id


def test_every_chart_has_data_on_the_synthetic_site(client: TestClient, auth: Auth) -> None:
    for dashboard in DASHBOARDS:
        for chart in REGISTRY[dashboard].charts:
            rows = _rows(client, auth("op"), dashboard, chart.id)["rows"]
            assert rows and any(v not in (None, 0) for v in rows[0].values()), (dashboard, chart.id)


def test_list_downloads_as_csv_without_personal_data(client: TestClient, auth: Auth) -> None:
    data = _rows(client, auth("staff"), "at_risk", "learners")
    response = client.get(_api("at_risk", "learners"), params={"format": "csv"}, headers=auth("staff"))
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    table = list(csv.DictReader(io.StringIO(response.text)))
    assert len(table) == len(data["rows"]) > 0
    assert [c["name"] for c in data["columns"]] == list(table[0])
    assert not PII & set(table[0]) and {"actor_id", "learner_view", "days_since_visit"} <= set(table[0])
    assert {r["actor_id"] for r in table} == {r["actor_id"] for r in data["rows"]}


def test_analysts_get_aggregates_only(client: TestClient, auth: Auth, site: Site) -> None:
    for dashboard, chart in (("at_risk", "learners"), ("learner", "summary")):
        assert client.get(_api(dashboard, chart), headers=auth("analyst")).status_code == 403
    assert _rows(client, auth("analyst"), "at_risk", "at_risk_count")["rows"][0]["learners"] > 0
    # naming one learner is per-learner data: an analyst without the grant gets nothing
    pages = _rows(client, auth("analyst"), "learner", "pages_visited", learner=site.actor)["rows"]
    assert pages == [{"pages": 0}]
    assert _rows(client, auth("analyst"), "learner", "problems", learner=site.actor)["rows"] == []
    page = client.get("/dashboards/at_risk", headers=auth("analyst"))
    assert page.status_code == 200 and 'data-chart="learners"' not in page.text
    assert 'data-chart="at_risk_count"' in page.text


def _outsider(site: Site) -> str:
    """A learner enrolled in another course but never in course A."""
    return str(
        _warehouse_rows(
            site.settings,
            "SELECT actor_id FROM dim_student_status WHERE course_key = ? AND actor_id NOT IN "
            "(SELECT actor_id FROM xapi_events_all_parsed WHERE course_key = ?) ORDER BY actor_id LIMIT 1",
            [site.course_b, site.course_a],
        )[0]["actor_id"]
    )


def test_learner_filter_shows_one_learner_within_scope(client: TestClient, auth: Auth, site: Site) -> None:
    summary = _rows(client, auth("staff"), "learner", "summary", learner=site.actor)["rows"]
    assert summary and {(r["actor_id"], r["course_key"]) for r in summary} == {(site.actor, site.course_a)}
    expected = _warehouse_rows(
        site.settings,
        "SELECT count(*) AS n FROM dim_learner_last_response WHERE actor_id = ? AND course_key = ?",
        [site.actor, site.course_a],
    )[0]["n"]
    got = _rows(client, auth("staff"), "learner", "problems_attempted", learner=site.actor)["rows"]
    assert got == [{"problems": expected}] and expected > 0
    problems = _rows(client, auth("staff"), "learner", "problems", learner=site.actor)["rows"]
    assert len(problems) == expected and {r["learners"] for r in problems} == {1}


def test_learner_outside_the_scope_shows_nothing(client: TestClient, auth: Auth, site: Site) -> None:
    outsider = _outsider(site)
    assert _rows(client, auth("op"), "learner", "summary", learner=outsider)["rows"]
    for chart in REGISTRY["learner"].charts:
        rows = _rows(client, auth("staff"), "learner", chart.id, learner=outsider)["rows"]
        assert all(v in (None, 0) for r in rows for v in r.values()), (chart.id, rows)
    # and the learner's own course is refused outright
    blocked = client.get(
        _api("learner", "summary"),
        params={"learner": outsider, "course": site.course_b},
        headers=auth("staff"),
    )
    assert blocked.status_code == 403


def test_learner_filter_is_validated_and_bound(client: TestClient, auth: Auth) -> None:
    for bad in ("x' OR '1'='1", "a;DROP TABLE users", "x" * 201, "a b"):
        response = client.get(_api("learner", "summary"), params={"learner": bad}, headers=auth("op"))
        assert response.status_code == 422, bad
    query = Query(
        "SELECT 1 FROM a WHERE {where} AND b IN (SELECT 1 FROM c WHERE {blocks}) AND {peers}",
        {"where": Columns(), "blocks": Columns(actor=None), "peers": Columns(peers=True)},
    )
    actor = "0f2d4423-8bad-5517-b71e-20bb15163de2"
    sql, params = query.render(Principal("op", "operator", pii=True), Filters(learner=actor))
    assert actor not in sql and params["f_learner"] == actor
    assert sql.count("$f_learner") == 1  # the slot with an actor column only (not blocks, not peers)
    assert "dim_user_pii" not in sql  # an actor id is not looked up as a username
    sql, _ = query.render(Principal("op", "operator", pii=True), Filters(learner="jdoe"))
    assert "username = $f_learner" in sql
    sql, _ = query.render(
        Principal("s", "course_staff", Scope(courses=("course-v1:A+B+C",))), Filters(learner="jdoe")
    )
    assert "dim_user_pii" not in sql  # usernames only for callers shown personal data


def test_list_links_to_the_learner_view(client: TestClient, auth: Auth, site: Site) -> None:
    row = _rows(client, auth("staff"), "at_risk", "learners")["rows"][0]
    link = urlparse(row["learner_view"])
    assert link.path == "/dashboards/learner"
    params = {k: v[0] for k, v in parse_qs(link.query).items()}
    assert params == {"learner": row["actor_id"], "course": row["course_key"]}
    summary = _rows(client, auth("staff"), "learner", "summary", **params)["rows"]
    assert len(summary) == 1 and summary[0]["at_risk"] is True
    page = client.get(row["learner_view"] + "&grain=week", headers=auth("staff"))
    assert page.status_code == 200 and f'value="{row["actor_id"]}"' in page.text


def test_contact_list_needs_personal_data_on_and_a_grant(client: TestClient, auth: Auth, site: Site) -> None:
    # course staff without the personal-data grant: never the action
    page = client.get("/dashboards/at_risk", headers=auth("staff"))
    assert page.status_code == 200 and "copy-emails" not in page.text
    # the operator may see personal data: the action exists exactly when the site stores it
    page = client.get("/dashboards/at_risk", headers=auth("op"))
    assert ('class="copy-emails"' in page.text) == site.settings.privacy.pii
    off = site.settings.model_copy(
        update={"privacy": site.settings.privacy.model_copy(update={"pii": False})}
    )
    with TestClient(create_app(off), client=("127.0.0.1", 40002)) as c:
        page = c.get("/dashboards/at_risk", headers=auth("op"))
        assert page.status_code == 200 and 'data-chart="learners"' in page.text
        assert "copy-emails" not in page.text


# -- a site with personal data --------------------------------------------------------------------

PII_CONFIG = """\
data_dir: data
site:
  lms_root_url: "https://lms.learnlake.test"
privacy:
  pii: true
tracking_logs:
  paths: ["site/tracking"]
extract:
  datasources:
    - name: lms
      type: sqlite
      url: "sqlite:///site/lms.sqlite"
    - name: courses
      type: olx
      location: "site/courses"
"""


@dataclass(frozen=True)
class PiiSite:
    """The personal-data site, its busiest course, and API tokens per user."""

    root: Path
    settings: Settings
    course: str
    tokens: dict[str, str]

    def auth(self, user: str) -> dict[str, str]:
        """Headers with a user's API token."""
        return {"Authorization": f"Bearer {self.tokens[user]}"}


def _cli(root: Path, *args: str) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "learnlake", "-q", *args],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode in (0, 3), f"learnlake {' '.join(args)}: {proc.stderr[-2000:]}"


@pytest.fixture(scope="module")
def pii_site(tmp_path_factory: pytest.TempPathFactory) -> PiiSite:
    """`synth`, then `extract` before `run` so the statements carry the LMS's external ids."""
    root = tmp_path_factory.mktemp("pii-site")
    (root / "learnlake.yaml").write_text(PII_CONFIG, encoding="utf-8")
    _cli(root, "synth", "--out", "site", "--seed", "5", "--orgs", "2", "--courses", "3", "--learners", "40",
         "--days", "14", "--start", "2026-10-01")  # fmt: skip
    _cli(root, "extract")
    _cli(root, "run")
    settings = load_settings(root / "learnlake.yaml")
    course = _warehouse_rows(
        settings,
        "SELECT course_key FROM at_risk_learners WHERE email IS NOT NULL "
        "GROUP BY 1 ORDER BY count(*) DESC LIMIT 1",
    )[0]["course_key"]
    store = UserStore(settings.data_dir)
    store.add("op", "operator", PASSWORD)
    store.add("staff", "course_staff", PASSWORD, courses=[course])
    store.add("staffpii", "course_staff", PASSWORD, courses=[course], pii=True)
    store.add("analyst", "analyst", PASSWORD)
    store.add("analystpii", "analyst", PASSWORD, pii=True)
    tokens = {u.name: store.new_token(u.name) for u in store.list()}
    return PiiSite(root=root, settings=settings, course=course, tokens=tokens)


@pytest.fixture(scope="module")
def pii_client(pii_site: PiiSite) -> Iterator[TestClient]:
    with TestClient(create_app(pii_site.settings), client=("127.0.0.1", 40001)) as c:
        yield c


def test_contact_list_when_personal_data_is_on(pii_client: TestClient, pii_site: PiiSite) -> None:
    expected = _warehouse_rows(
        pii_site.settings,
        "SELECT actor_id, email FROM at_risk_learners WHERE course_key = ?",
        [pii_site.course],
    )
    for user in ("op", "staffpii", "analystpii"):
        rows = _rows(pii_client, pii_site.auth(user), "at_risk", "learners", course=pii_site.course)["rows"]
        assert {(r["actor_id"], r["email"]) for r in rows} == {(r["actor_id"], r["email"]) for r in expected}
        assert all(r["email"] and "@" in r["email"] and r["username"] for r in rows), user
        page = pii_client.get("/dashboards/at_risk", headers=pii_site.auth(user))
        assert page.text.count('class="copy-emails"') == 1, user
        download = pii_client.get(
            _api("at_risk", "learners"),
            params={"format": "csv", "course": pii_site.course},
            headers=pii_site.auth(user),
        )
        emails = {r["email"] for r in csv.DictReader(io.StringIO(download.text))}
        assert emails == {r["email"] for r in expected}


def test_personal_data_hidden_without_the_grant(pii_client: TestClient, pii_site: PiiSite) -> None:
    data = _rows(pii_client, pii_site.auth("staff"), "at_risk", "learners")
    assert data["rows"] and not PII & {c["name"] for c in data["columns"]}
    download = pii_client.get(
        _api("at_risk", "learners"), params={"format": "csv"}, headers=pii_site.auth("staff")
    )
    assert "@" not in download.text and not PII & set(download.text.splitlines()[0].split(","))
    page = pii_client.get("/dashboards/at_risk", headers=pii_site.auth("staff"))
    assert page.status_code == 200 and "copy-emails" not in page.text
    summary = _rows(pii_client, pii_site.auth("staff"), "learner", "summary")
    assert summary["rows"] and not PII & {c["name"] for c in summary["columns"]}
    assert pii_client.get(_api("at_risk", "learners"), headers=pii_site.auth("analyst")).status_code == 403


def test_learner_by_username_only_with_personal_data(pii_client: TestClient, pii_site: PiiSite) -> None:
    inside, outside = (
        _warehouse_rows(
            pii_site.settings,
            f"SELECT username, actor_id FROM dim_student_status WHERE username IS NOT NULL AND actor_id {op} "
            "(SELECT actor_id FROM dim_student_status WHERE course_key = ?) ORDER BY 1 LIMIT 1",
            [pii_site.course],
        )[0]
        for op in ("IN", "NOT IN")
    )
    for user in ("op", "staffpii"):
        rows = _rows(pii_client, pii_site.auth(user), "learner", "summary", learner=inside["username"])[
            "rows"
        ]
        assert rows and {r["actor_id"] for r in rows} == {inside["actor_id"]}, user
    # without personal data a username names nobody; outside the scope nobody either
    assert (
        _rows(pii_client, pii_site.auth("staff"), "learner", "summary", learner=inside["username"])["rows"]
        == []
    )
    assert (
        _rows(pii_client, pii_site.auth("staffpii"), "learner", "summary", learner=outside["username"])[
            "rows"
        ]
        == []
    )
    assert _rows(pii_client, pii_site.auth("op"), "learner", "summary", learner=outside["username"])["rows"]


# -- in a browser: copy the contact list, follow a learner link -----------------------------------


@pytest.fixture(scope="module")
def pii_server(pii_site: PiiSite) -> Iterator[str]:
    with serve_process(pii_site.root) as url:
        yield url


@pytest.mark.browser
def test_copy_contact_list_and_open_a_learner(chromium_path: str, pii_server: str, pii_site: PiiSite) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path, args=["--no-sandbox"])
        try:
            context = browser.new_context(viewport={"width": 1360, "height": 1000})
            context.grant_permissions(["clipboard-read", "clipboard-write"], origin=pii_server)
            page = context.new_page()
            errors: list[str] = []
            page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
            page.goto(f"{pii_server}/login")
            page.fill("input[name=username]", "staffpii")
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_load_state("networkidle")
            page.goto(f"{pii_server}/dashboards/at_risk?" + urlencode({"grain": "week", "lang": "en"}))
            page.wait_for_function(
                "() => [...document.querySelectorAll('.chart')].every(c => c.dataset.state !== 'loading')",
                timeout=60_000,
            )
            button = page.locator("#chart-learners button.copy-emails")
            assert button.is_visible()
            button.click()
            copied = page.evaluate("navigator.clipboard.readText()")
            expected = _warehouse_rows(
                pii_site.settings,
                "SELECT DISTINCT email FROM at_risk_learners WHERE course_key = ?",
                [pii_site.course],
            )
            assert sorted(copied.split(", ")) == sorted(r["email"] for r in expected)
            link = page.locator("#chart-learners td a").first
            href = link.get_attribute("href") or ""
            assert parse_qs(urlparse(href).query)["grain"] == ["week"]  # the page's filters are kept
            link.click()
            page.wait_for_url("**/dashboards/learner?**")
            page.wait_for_function(
                "() => [...document.querySelectorAll('.chart')].every(c => c.dataset.state !== 'loading')",
                timeout=60_000,
            )
            assert page.locator("#chart-summary tr").count() == 2  # header + the one learner
            states = page.eval_on_selector_all(".chart", "els => els.map(e => e.dataset.state)")
            assert set(states) <= {"ok", "empty"} and "ok" in states
        finally:
            browser.close()
    assert errors == []


def test_video_ranges_and_segments_agree(site: Site) -> None:
    """The video charts read the compact ranges model; its per-second fallback gives the same rows."""
    runner = QueryRunner(site.settings)
    who = Principal("op", "operator")
    for chart_id in ("videos", "videos_watched"):
        chart = REGISTRY["learner"].chart(chart_id)
        assert chart is not None and chart.query is not None and chart.query.fallback is not None
        for filters in (Filters(), Filters(course=site.course_a), Filters(learner=site.actor)):
            primary = run_query(runner, chart.query, who, filters).to_pylist()
            assert primary == run_query(runner, chart.query.fallback, who, filters).to_pylist(), chart_id
            assert primary and primary[0] != {"videos": 0}, chart_id


def test_embedded_in_the_lms_with_a_course_or_learner_token(client: TestClient, site: Site) -> None:
    secret = {"X-Embed-Secret": EMBED_SECRET}
    minted = client.post(
        "/api/v1/embed/token", params={"dashboard": "at_risk"}, json={"course": site.course_a}, headers=secret
    ).json()
    assert minted["url"].startswith("/embed/at_risk?token=")
    token = minted["token"]
    assert client.get(minted["url"]).status_code == 200
    rows = client.get("/embed/at_risk/charts/learners", params={"token": token}).json()["rows"]
    assert rows and {r["course_key"] for r in rows} == {site.course_a}
    other = client.get("/embed/at_risk/charts/learners", params={"token": token, "course": site.course_b})
    assert other.status_code == 403
    learner = client.post(
        "/api/v1/embed/token", params={"dashboard": "learner"}, json={"learner": site.actor}, headers=secret
    ).json()["token"]
    summary = client.get("/embed/learner/charts/summary", params={"token": learner}).json()["rows"]
    assert summary and {r["actor_id"] for r in summary} == {site.actor}
    # the token's learner cannot be swapped for another through the URL filter
    swapped = client.get(
        "/embed/learner/charts/summary", params={"token": learner, "learner": _outsider(site)}
    )
    assert swapped.json()["rows"] == []


def test_learner_filter_is_safe_on_every_dashboard(site: Site) -> None:
    """Any chart of any dashboard accepts `learner` (an id or a username) without a query error."""
    runner = QueryRunner(site.settings)
    who = Principal("op", "operator", pii=True)
    for dashboard in REGISTRY.values():
        for chart in dashboard.charts:
            if chart.query is None:
                continue
            for learner in (site.actor, "jdoe"):
                run_query(runner, chart.query, who, Filters(learner=learner))
