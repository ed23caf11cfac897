"""`learnlake users …`, password sign-in with signed cookies, API tokens and `learnlake query --user`."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

from fastapi.testclient import TestClient
from serve_support import PASSWORD, Site

from learnlake.serve.auth.store import UserStore, users_path


def _cli(root: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "learnlake", *args],
        cwd=root,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_users_cli_lifecycle(tmp_path: Path) -> None:
    (tmp_path / "learnlake.yaml").write_text("data_dir: data\n", encoding="utf-8")
    add = _cli(
        tmp_path,
        "users",
        "add",
        "ana",
        "--role",
        "course_staff",
        "--course",
        "course-v1:A+B+C",
        "--password-stdin",
        stdin="pw-1234\n",
    )
    assert add.returncode == 0, add.stderr
    assert _cli(tmp_path, "users", "add", "ana", "--role", "analyst", "--no-password").returncode == 2
    assert _cli(tmp_path, "users", "add", "bob", "--role", "wizard", "--no-password").returncode == 2
    assert (
        _cli(tmp_path, "users", "add", "lea", "--role", "learner", "--no-password").returncode == 2
    )  # no --actor
    grant = _cli(tmp_path, "--json", "users", "grant", "ana", "--course", "course-v1:A+B+D", "--pii")
    assert grant.returncode == 0 and json.loads(grant.stdout)["courses"] == [
        "course-v1:A+B+C",
        "course-v1:A+B+D",
    ]
    token = _cli(tmp_path, "users", "token", "ana", "--label", "ci").stdout.strip()
    assert token.startswith("llk_")
    listed = json.loads(_cli(tmp_path, "--json", "users", "list").stdout)["users"]
    assert [(u["name"], u["role"], u["pii"]) for u in listed] == [("ana", "course_staff", True)]
    # only hashes at rest
    db = sqlite3.connect(users_path(tmp_path / "data"))
    stored = (
        db.execute("SELECT token_hash FROM tokens").fetchall()
        + db.execute("SELECT password_hash FROM users").fetchall()
    )
    db.close()
    assert all(token not in row[0] and "pw-1234" not in row[0] for row in stored)
    store = UserStore(tmp_path / "data")
    assert store.user_for_token(token) is not None and store.check_password("ana", "pw-1234") is not None
    assert store.check_password("ana", "wrong") is None
    assert _cli(tmp_path, "users", "remove", "ana").returncode == 0
    assert store.user_for_token(token) is None
    assert _cli(tmp_path, "users", "remove", "ana").returncode == 2


def test_password_sign_in_sets_a_signed_session(client: TestClient, site: Site) -> None:
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    bad = client.post(
        "/login", content="username=staff&password=nope&next=/", headers=form, follow_redirects=False
    )
    assert bad.status_code == 401 and "learnlake_session" not in bad.headers.get("set-cookie", "")
    ok = client.post(
        "/login",
        content=f"username=staff&password={PASSWORD.replace(' ', '+')}&next=/dashboards/course",
        headers=form,
        follow_redirects=False,
    )
    assert ok.status_code == 303 and ok.headers["location"] == "/dashboards/course"
    cookie = ok.cookies["learnlake_session"]
    assert "HttpOnly" in ok.headers["set-cookie"]
    client.cookies.clear()
    rows = client.get(
        "/api/v1/dashboards/course/charts/course_information", cookies={"learnlake_session": cookie}
    )
    assert [r["course_key"] for r in rows.json()["rows"]] == [site.course_a]
    tampered = cookie[:-2] + ("xx" if not cookie.endswith("xx") else "yy")
    assert client.get("/api/v1/dashboards", cookies={"learnlake_session": tampered}).status_code == 401
    open_redirect = client.post(
        "/login",
        content=f"username=staff&password={PASSWORD.replace(' ', '+')}&next=//evil.example/",
        headers=form,
        follow_redirects=False,
    )
    assert open_redirect.headers["location"] == "/"
    client.cookies.clear()


def test_query_cli_as_user_is_scoped(site: Site) -> None:
    sql = "SELECT DISTINCT course_key FROM xapi_events_all_parsed WHERE course_key <> '' ORDER BY 1"
    staff = _cli(site.root, "--json", "query", "--user", "staff", sql)
    assert staff.returncode == 0, staff.stderr
    assert [r["course_key"] for r in json.loads(staff.stdout)] == [site.course_a]
    everyone = json.loads(_cli(site.root, "--json", "query", sql).stdout)
    assert len(everyone) > 1
    refused = _cli(site.root, "query", "--user", "staff", "DROP TABLE course_blocks")
    assert refused.returncode == 2 and "only SELECT" in refused.stderr
    assert _cli(site.root, "query", "--user", "learner", "SELECT 1").returncode == 2
    assert _cli(site.root, "query", "--user", "nobody", "SELECT 1").returncode == 2


def test_local_mode_only_without_users_and_from_loopback(tmp_path: Path, site: Site) -> None:
    from learnlake.config import Settings
    from learnlake.serve.app import create_app

    settings = Settings(data_dir=tmp_path / "data")
    app = create_app(settings)
    with TestClient(app, client=("127.0.0.1", 1234)) as local:
        assert local.get("/api/v1/dashboards").status_code == 200
    with TestClient(app, client=("192.0.2.10", 1234)) as remote:
        assert remote.get("/api/v1/dashboards").status_code == 401
    exposed = Settings(data_dir=tmp_path / "data", serve={"host": "0.0.0.0"})  # type: ignore[arg-type]
    with TestClient(create_app(exposed), client=("127.0.0.1", 1234)) as c:
        assert c.get("/api/v1/dashboards").status_code == 401
    UserStore(tmp_path / "data").add("first", "analyst", "pw")
    app2 = create_app(settings)
    with TestClient(app2, client=("127.0.0.1", 1234)) as c:
        assert c.get("/api/v1/dashboards").status_code == 401
