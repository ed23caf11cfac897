"""Every dashboard in a real headless Chromium: renders, every chart has data, no console error,
no request leaves the machine; screenshots kept as test artifacts."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlparse

import pytest
from serve_support import PASSWORD, Site

from learnlake.serve.dashboards import REGISTRY

pytestmark = pytest.mark.browser
ROLE_USER = {"operator": "op", "learner": "learner"}


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where screenshots go: $LEARNLAKE_TEST_ARTIFACTS (e.g. test-artifacts/) or a pytest tmp dir."""
    configured = os.environ.get("LEARNLAKE_TEST_ARTIFACTS")
    path = Path(configured) if configured else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def browser(chromium_path: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=chromium_path, args=["--no-sandbox"])
        try:
            yield b
        finally:
            b.close()


def _signed_in_page(browser: Any, server: str, user: str, lang: str) -> tuple[Any, Any, list[str], list[str]]:
    context = browser.new_context(
        viewport={"width": 1360, "height": 1000}, locale={"en": "en-US"}.get(lang, lang)
    )
    page = context.new_page()
    errors: list[str] = []
    outside: list[str] = []
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    page.on("console", lambda msg: errors.append(f"console: {msg.text}") if msg.type == "error" else None)
    page.on("response", lambda r: errors.append(f"HTTP {r.status} {r.url}") if r.status >= 400 else None)
    page.on(
        "request",
        lambda req: (
            outside.append(req.url) if urlparse(req.url).hostname not in ("127.0.0.1", None) else None
        ),
    )
    page.goto(f"{server}/login?lang={lang}")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    return context, page, errors, outside


def _check_dashboard(page: Any, server: str, dashboard_id: str, query: str, shot: Path) -> dict[str, str]:
    page.goto(f"{server}/dashboards/{dashboard_id}{query}")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.chart')].every(c => c.dataset.state !== 'loading')",
        timeout=60_000,
    )
    page.wait_for_timeout(300)  # let ECharts finish its first frame before the screenshot
    page.screenshot(path=str(shot), full_page=True)
    states = page.eval_on_selector_all(
        ".chart", "els => els.map(e => [e.dataset.chart, e.dataset.state, e.dataset.rows])"
    )
    return {chart: f"{state}:{rows}" for chart, state, rows in states}


@pytest.mark.parametrize("lang", ["en", "es", "ar"])
def test_operator_dashboards(browser: Any, live_server: str, site: Site, artifacts: Path, lang: str) -> None:
    context, page, errors, outside = _signed_in_page(browser, live_server, "op", lang)
    try:
        for dashboard in (d for d in REGISTRY.values() if "operator" in d.roles):
            shot = artifacts / f"{dashboard.id}-{lang}.png"
            states = _check_dashboard(page, live_server, dashboard.id, "?grain=week", shot)
            assert set(states) == {c.id for c in dashboard.charts}
            bad = {k: v for k, v in states.items() if not v.startswith("ok:") or v == "ok:0"}
            assert bad == {}, f"{dashboard.id} charts without data: {bad}"
            assert shot.stat().st_size > 20_000
            html_dir = page.eval_on_selector("html", "e => e.getAttribute('dir')")
            assert html_dir == ("rtl" if lang == "ar" else "ltr")
            canvases = page.locator(".chart canvas").count()
            assert canvases >= sum(1 for c in dashboard.charts if c.kind not in ("number", "table"))
        # the course dashboard narrowed to one course through the URL keeps every chart filled
        states = _check_dashboard(
            page,
            live_server,
            "course",
            "?" + urlencode({"course": site.course_a, "grain": "day"}),
            artifacts / f"course-one-{lang}.png",
        )
        assert all(v.startswith("ok:") for v in states.values()), states
        page.goto(f"{live_server}/status?lang={lang}")
        assert page.locator("#runs tr").count() >= 3
    finally:
        context.close()
    assert errors == []
    assert outside == []


def test_learner_own_view(browser: Any, live_server: str, artifacts: Path) -> None:
    context, page, errors, outside = _signed_in_page(browser, live_server, "learner", "en")
    try:
        states = _check_dashboard(page, live_server, "me", "", artifacts / "me-en.png")
        assert states and all(v.startswith("ok:") and v != "ok:0" for v in states.values()), states
        # the course dashboard is not theirs
        response = page.goto(f"{live_server}/dashboards/course")
        assert response is not None and response.status == 403
    finally:
        context.close()
    assert [e for e in errors if "403" not in e] == []
    assert outside == []


def test_embed_view_in_a_frame(browser: Any, live_server: str, site: Site, artifacts: Path) -> None:
    import json
    import urllib.request

    from serve_support import EMBED_SECRET

    request = urllib.request.Request(
        f"{live_server}/api/v1/embed/token",
        data=json.dumps({"course": site.course_a}).encode(),
        headers={"Content-Type": "application/json", "X-Embed-Secret": EMBED_SECRET},
        method="POST",
    )
    url = json.loads(urllib.request.urlopen(request).read())["url"]
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    try:
        page.goto(live_server + url)
        page.wait_for_function(
            "() => [...document.querySelectorAll('.chart')].every(c => c.dataset.state !== 'loading')",
            timeout=60_000,
        )
        page.screenshot(path=str(artifacts / "embed-course.png"), full_page=True)
        states = page.eval_on_selector_all(".chart", "els => els.map(e => e.dataset.state)")
        assert states and set(states) == {"ok"}
        text = page.locator("#chart-course_information").inner_text()
        assert site.course_a in text and site.course_b not in text
    finally:
        context.close()
    assert errors == []


def test_no_external_url_in_served_pages(live_server: str, site: Site) -> None:
    import urllib.request

    opener = urllib.request.build_opener()
    opener.addheaders = [("Authorization", f"Bearer {site.tokens['op']}")]
    pages = ["/", "/status", "/login", "/api/docs"] + [
        f"/dashboards/{d.id}" for d in REGISTRY.values() if "operator" in d.roles
    ]
    attr = re.compile(r"""(?:src|href|action)\s*=\s*["']([^"']+)["']""", re.IGNORECASE)
    for path in pages:
        html = opener.open(live_server + path).read().decode()
        for url in attr.findall(html):
            host = urlparse(url).hostname
            assert host in (None, "127.0.0.1"), f"{path} refers to {url}"
