"""Incremental loads on a real MariaDB: unchanged tables skipped, changes upserted, deletions found."""

from __future__ import annotations

import time
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from conftest import connect, make_settings
from learnlake.extract.run import extract
from learnlake.state import StateStore


def _lake(settings, table: str) -> str:  # type: ignore[no-untyped-def]
    return f"{settings.lake_root}/openedx/{table}"


def _count(settings, table: str, where: str = "true") -> int:  # type: ignore[no-untyped-def]
    files = f"{_lake(settings, table)}/**/*.parquet"
    return int(duckdb.sql(f"SELECT count(*) FROM read_parquet('{files}') WHERE {where}").fetchone()[0])  # type: ignore[index]


def test_incremental_cycle(tmp_path: Path, lms_mysql: tuple[str, str]) -> None:
    url, database = lms_mysql
    ds = {"name": "lms", "type": "mysql", "url": url}
    _, settings = make_settings(tmp_path, [ds], extract={"datasources": [ds], "delete_check_hours": 1000})
    conn = connect(database)
    with conn.cursor() as cur:  # the newest module row is in the course the test changes later
        cur.execute("SELECT course_id FROM courseware_studentmodule ORDER BY id LIMIT 1")
        course = cur.fetchone()[0]
        cur.execute("UPDATE courseware_studentmodule SET modified = '2026-01-01'")
        cur.execute(
            "UPDATE courseware_studentmodule SET modified = '2026-06-01' WHERE course_id = %s"
            " ORDER BY id DESC LIMIT 1",
            (course,),
        )
    store = StateStore(settings.state_dir)
    first = extract(settings, store)
    assert len(first.tables) == 31 and not first.failed
    assert {t.status for t in first.tables} == {"loaded"}

    # secrets and personal data stay out by default
    users = pq.read_table(f"{_lake(settings, 'auth_user')}/lms=lms.test/auth_user.parquet")
    assert "password" not in users.column_names and "email" not in users.column_names
    assert "username" not in users.column_names and "date_joined" in users.column_names
    profile = pq.read_schema(f"{_lake(settings, 'auth_userprofile')}/lms=lms.test/auth_userprofile.parquet")
    assert "allow_certificate" in profile.names and "name" not in profile.names  # constant NULL override

    # nothing changed: every table skipped, quickly
    began = time.monotonic()
    again = extract(settings, store)
    assert time.monotonic() - began < 2.0
    assert {t.status for t in again.tables} == {"skipped"}, [t for t in again.tables if t.status != "skipped"]

    with conn.cursor() as cur:
        cur.execute(
            "UPDATE courseware_studentmodule SET grade = 99, modified = NOW(6) WHERE id = (SELECT * FROM"
            " (SELECT MIN(id) FROM courseware_studentmodule) x)"
        )
        cur.execute(
            "UPDATE grades_persistentcoursegrade SET percent_grade = 0.42, modified = NOW(6) WHERE id = 1"
        )
        cur.execute("UPDATE student_courseenrollment SET mode = 'changed-mode' WHERE id = 1")
        cur.execute("SELECT COUNT(*) FROM grades_persistentcoursegrade")
        grades = cur.fetchone()[0]
    third = extract(settings, store)
    changed = {t.table: t for t in third.tables if t.status != "skipped"}
    assert set(changed) == {
        "courseware_studentmodule",
        "grades_persistentcoursegrade",
        "student_courseenrollment",
    }
    assert changed["grades_persistentcoursegrade"].status == "incremental"
    assert 1 <= changed["grades_persistentcoursegrade"].rows <= 2  # >= watermark re-reads its row
    assert _count(settings, "grades_persistentcoursegrade") == grades
    assert _count(settings, "grades_persistentcoursegrade", "id = 1 AND percent_grade = 0.42") == 1
    assert _count(settings, "courseware_studentmodule", "grade = 99") == 1
    assert _count(settings, "student_courseenrollment", "mode = 'changed-mode'") == 1
    # only the changed course's partition was re-read
    with conn.cursor() as cur:
        cur.execute("SELECT COUNT(*) FROM courseware_studentmodule WHERE course_id = %s", (course,))
        in_course = cur.fetchone()[0]
        cur.execute("SELECT COUNT(*) FROM courseware_studentmodule")
        total = cur.fetchone()[0]
    assert changed["courseware_studentmodule"].rows == in_course < total

    # deletions: found by the scheduled primary-key diff
    with conn.cursor() as cur:
        cur.execute("DELETE FROM grades_persistentcoursegrade WHERE id = 2")
        cur.execute(
            "DELETE FROM courseware_studentmodule"
            " WHERE id = (SELECT * FROM (SELECT MAX(id) FROM courseware_studentmodule) x)"
        )
        cur.execute("SELECT COUNT(*) FROM courseware_studentmodule")
        modules = cur.fetchone()[0]
    conn.close()
    settings.extract.delete_check_hours = 0
    extract(settings, store)
    assert _count(settings, "grades_persistentcoursegrade", "id = 2") == 0
    assert _count(settings, "grades_persistentcoursegrade") == grades - 1
    assert _count(settings, "courseware_studentmodule") == modules

    # --full reloads everything and the state survives a new store
    store.close()
    store = StateStore(settings.state_dir)
    full = extract(settings, store, tables=["auth_user"], full=True)
    assert [(t.table, t.status) for t in full.tables] == [("auth_user", "loaded")]
    store.close()


def test_pii_true_extracts_personal_columns_never_the_password(tmp_path: Path, lms_sqlite: Path) -> None:
    ds = {"name": "lms", "type": "sqlite", "url": f"sqlite:///{lms_sqlite}"}
    _, settings = make_settings(tmp_path, [ds], privacy={"pii": True})
    store = StateStore(settings.state_dir)
    report = extract(settings, store, tables=["auth_user"])
    assert [t.status for t in report.tables] == ["loaded"]
    users = pq.read_table(f"{_lake(settings, 'auth_user')}/lms=lms.test/auth_user.parquet")
    assert "email" in users.column_names and "username" in users.column_names
    assert "password" not in users.column_names
    store.close()
