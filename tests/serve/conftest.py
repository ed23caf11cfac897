"""A small synthetic site, run through the pipeline once per session, and users of every role."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from serve_support import CONFIG, PASSWORD, Site, serve_process

from learnlake.config import load_settings
from learnlake.serve.app import create_app
from learnlake.serve.auth.store import UserStore


def _cli(root: Path, *args: str) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "learnlake", "-q", *args],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if proc.returncode not in (0, 3):
        pytest.fail(f"learnlake {' '.join(args)} failed ({proc.returncode}): {proc.stderr[-2000:]}")


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """`learnlake synth` + `learnlake run` at a small size, a bad line included (quarantine)."""
    root = tmp_path_factory.mktemp("serve-site")
    (root / "learnlake.yaml").write_text(CONFIG, encoding="utf-8")
    _cli(
        root, "synth", "--out", "site", "--seed", "7", "--orgs", "2", "--courses", "3",
        "--learners", "60", "--days", "14", "--start", "2026-10-01",
    )  # fmt: skip
    with (root / "site" / "tracking" / "tracking.log").open("ab") as fh:
        fh.write(b"this line is not JSON\n")
    _cli(root, "run")
    settings = load_settings(root / "learnlake.yaml")
    from learnlake.warehouse import open_warehouse

    wh = open_warehouse(settings)
    courses = wh.rows(
        "SELECT org, course_key FROM xapi_events_all_parsed WHERE course_key <> '' "
        "GROUP BY ALL ORDER BY count(*) DESC"
    )
    first = courses[0]
    other = next(c for c in courses if c["org"] != first["org"])
    actor = wh.rows(
        "SELECT actor_id FROM xapi_events_all_parsed WHERE course_key = ? "
        "GROUP BY 1 ORDER BY count(*) DESC LIMIT 1",
        [first["course_key"]],
    )[0]["actor_id"]
    store = UserStore(settings.data_dir)
    store.add("op", "operator", PASSWORD)
    store.add("orgstaff", "org_staff", PASSWORD, orgs=[first["org"]])
    store.add("staff", "course_staff", PASSWORD, courses=[first["course_key"]])
    store.add("analyst", "analyst", PASSWORD)
    store.add("learner", "learner", PASSWORD, actor_id=actor)
    tokens = {
        name: store.new_token(name, "tests") for name in ("op", "orgstaff", "staff", "analyst", "learner")
    }
    return Site(
        root=root,
        settings=settings,
        course_a=first["course_key"],
        course_b=other["course_key"],
        org_a=first["org"],
        org_b=other["org"],
        actor=actor,
        tokens=tokens,
    )


@pytest.fixture(scope="session")
def client(site: Site) -> Iterator[TestClient]:
    """An in-process client of the app over the session's site (no credentials by default)."""
    app = create_app(site.settings)
    with TestClient(app, client=("127.0.0.1", 40000)) as c:
        yield c


@pytest.fixture(scope="session")
def auth(site: Site) -> Callable[[str | None], dict[str, str]]:
    """Headers carrying a user's API token (None: anonymous)."""

    def headers(user: str | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {site.tokens[user]}"} if user else {}

    return headers


@pytest.fixture(scope="session")
def live_server(site: Site) -> Iterator[str]:
    """`learnlake serve` as a real process on a free port (for the browser tests)."""
    with serve_process(site.root) as url:
        yield url
