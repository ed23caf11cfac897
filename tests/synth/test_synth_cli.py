"""`learnlake synth` from the command line: options, JSON summary, SQLite and MariaDB outputs."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pymysql

OPTIONS = ["--seed", "3", "--orgs", "1", "--courses", "2", "--learners", "25", "--days", "4"]
OPTIONS += ["--start", "2026-03-02", "--no-demo-course"]


def synth(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "learnlake", "--json", "synth", *OPTIONS, *args],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_synth_cli_writes_a_site_to_sqlite(tmp_path: Path) -> None:
    proc = synth("--out", str(tmp_path / "site"))
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert summary["learners"] == 25 and len(summary["courses"]) == 2
    assert summary["events"] == sum(summary["events_by_name"].values()) > 0
    logs = sorted(p.name for p in (tmp_path / "site" / "tracking").iterdir())
    assert "tracking.log" in logs
    assert next(n for n in logs if n.endswith(".gz")) == "tracking.log-20260302-1.gz"
    with sqlite3.connect(tmp_path / "site" / "lms.sqlite") as db:
        users = db.execute("SELECT COUNT(*) FROM auth_user").fetchone()[0]
        enrollments = db.execute("SELECT COUNT(*) FROM student_courseenrollment").fetchone()[0]
    assert users >= 25 and enrollments == summary["enrollments"]
    assert len(list((tmp_path / "site" / "courses").glob("course-v1:*.tar.gz"))) == 2


def test_synth_cli_writes_lms_tables_to_mariadb(
    tmp_path: Path, mariadb_url: str, mariadb_server: dict
) -> None:
    proc = synth("--out", str(tmp_path / "site"), "--lms-url", mariadb_url)
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert not (tmp_path / "site" / "lms.sqlite").exists()
    database = mariadb_url.rsplit("/", 1)[1]
    conn = pymysql.connect(
        host=str(mariadb_server["host"]),
        port=int(str(mariadb_server["port"])),
        user=str(mariadb_server["user"]),
        password=str(mariadb_server["password"]),
        database=database,
    )
    with conn.cursor() as cur:
        cur.execute("SELECT COUNT(*) FROM student_courseenrollment")
        assert cur.fetchone()[0] == summary["enrollments"]
        cur.execute("SELECT COUNT(*) FROM courseware_studentmodule")
        assert cur.fetchone()[0] == summary["tables"]["courseware_studentmodule"]
    conn.close()


def test_synth_cli_rejects_a_bad_date(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "learnlake", "synth", "--out", str(tmp_path), "--start", "yesterday"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2 and "not a date" in proc.stderr
