"""`learnlake serve`: the status page in a real headless Chromium, and its JSON API."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from learnlake.state import StateStore


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    (tmp_path / "learnlake.yaml").write_text("data_dir: data\n", encoding="utf-8")
    store = StateStore(tmp_path / "data" / "state")
    with store.run("ingest-tracking-logs", ["tracking.log"]) as counters:
        counters.rows_in, counters.rows_out, counters.quarantined = 1200, 1190, 10
    store.close()
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "learnlake", "-q", "serve", "--port", str(port)],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url + "/healthz", timeout=1).read()
            break
        except OSError:
            if proc.poll() is not None:
                pytest.fail(f"server exited: {proc.stderr.read().decode() if proc.stderr else ''}")
            time.sleep(0.2)
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_status_api(server: str) -> None:
    data = json.loads(urllib.request.urlopen(server + "/api/v1/status").read())
    assert data["runs"][0]["stage"] == "ingest-tracking-logs"
    assert data["runs"][0]["quarantined"] == 10 and data["runs"][0]["status"] == "quarantined"
    openapi = json.loads(urllib.request.urlopen(server + "/api/v1/openapi.json").read())
    assert "/api/v1/status" in openapi["paths"]


def test_home_opens_the_course_dashboard(server: str) -> None:
    """`/` sends a browser to the course dashboard (what `make demo` opens); JSON clients get links."""
    html = urllib.request.Request(server + "/?lang=es", headers={"Accept": "text/html"})
    with urllib.request.urlopen(html) as response:
        assert response.url == server + "/dashboards/course?lang=es"
        assert 'href="/status"' in response.read().decode()
    as_json = urllib.request.Request(server + "/", headers={"Accept": "application/json"})
    links = json.loads(urllib.request.urlopen(as_json).read())
    assert links["landing"] == "/dashboards/course" and links["status"] == "/status"


@pytest.mark.browser
def test_status_page_in_chromium(server: str, chromium_path: str) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path, args=["--no-sandbox"])
        page = browser.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(server + "/status")
        assert page.title() == "learnlake · status"
        runs = page.locator("#runs tr")
        assert runs.count() == 2  # header + one run
        row = runs.nth(1).inner_text()
        assert "ingest-tracking-logs" in row and "1,190" in row and "quarantined" in row
        browser.close()
    assert errors == []
