"""The LMS tables in SQLite: every Panorama table with its columns, realistic rows, determinism."""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
from pathlib import Path

import pytest
from site_fixture import Site, make_site, student_modules, write_site

from learnlake.synth import lms_schema
from learnlake.synth.lms_tables import FAKE_PASSWORD

ISSUE_TABLES = (  # the tables issue 2 names, beyond Panorama's
    "auth_user", "auth_userprofile", "student_courseenrollment", "course_overviews_courseoverview",
    "courseware_studentmodule", "grades_persistentcoursegrade", "certificates_generatedcertificate",
    "external_user_ids_externalid", "completion_blockcompletion", "course_groups_courseusergroup",
    "course_groups_cohortmembership", "split_modulestore_django_splitmodulestorecourseindex",
)  # fmt: skip


@pytest.fixture(scope="module")
def site() -> Site:
    return make_site(60)


@pytest.fixture(scope="module")
def db(site: Site, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    path = tmp_path_factory.mktemp("lms") / "lms.sqlite"
    counts = write_site(None, path, site)
    return path, counts


def query(path: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as conn:
        return conn.execute(sql).fetchall()


def columns(path: Path, table: str) -> list[str]:
    return [r[1] for r in query(path, f'PRAGMA table_info("{table}")')]  # type: ignore[misc]


def test_panorama_tables_and_columns(db: tuple[Path, dict[str, int]]) -> None:
    path, _ = db
    assert len(lms_schema.PANORAMA_FIELDS) == 29
    assert sum(len(f) for f in lms_schema.PANORAMA_FIELDS.values()) == 264
    for table, fields in lms_schema.PANORAMA_FIELDS.items():
        have = columns(path, table)
        removed = lms_schema.PANORAMA_REMOVED_FIELDS.get(table, [])
        assert [f for f in fields if f not in have] == removed, table
        # Panorama's fields keep the LMS's column order
        assert [c for c in have if c in fields] == [f for f in fields if f not in removed], table
    assert "allow_certificate" not in columns(path, "auth_userprofile")
    for table in ISSUE_TABLES:
        assert columns(path, table), table


def test_every_table_has_rows(db: tuple[Path, dict[str, int]]) -> None:
    path, counts = db
    assert set(counts) == set(lms_schema.metadata.tables)
    for table, count in counts.items():
        assert count > 0, table
        assert query(path, f'SELECT COUNT(*) FROM "{table}"')[0][0] == count, table


def test_row_counts_follow_the_site(db: tuple[Path, dict[str, int]], site: Site) -> None:
    _, counts = db
    staff = 1 + 2 * len({c.org for c in site.courses})  # the admin, and per org two course staff
    assert counts["auth_user"] == counts["auth_userprofile"] == len(site.learners) + staff
    assert counts["student_courseaccessrole"] == 2 * len(site.courses) + len({c.org for c in site.courses})
    assert counts["external_user_ids_externalid"] == len(site.learners)
    assert counts["course_overviews_courseoverview"] == len(site.courses)
    assert counts["split_modulestore_django_splitmodulestorecourseindex"] == len(site.courses)
    assert counts["course_groups_coursecohortssettings"] == len(site.courses)
    assert counts["course_modes_coursemode"] == sum(len(c.modes) for c in site.courses)
    assert counts["course_groups_courseusergroup"] == sum(len(c.cohorts) for c in site.courses)
    assert counts["student_courseenrollment"] == len(site.enrollments)
    assert counts["student_anonymoususerid"] == len(site.enrollments)
    assert counts["student_courseenrollment_history"] == sum(len(e.history) for e in site.enrollments)
    cohorted = sum(1 for e in site.enrollments if e.cohort)
    assert (
        counts["course_groups_cohortmembership"] == counts["course_groups_courseusergroup_users"] == cohorted
    )
    assert counts["courseware_studentmodule"] == len(site.modules)
    assert counts["grades_persistentcoursegrade"] == len(site.grades)
    assert counts["certificates_generatedcertificate"] == len(site.certificates)
    assert counts["completion_blockcompletion"] == len(site.completions)
    assert (
        counts["submissions_scoresummary"] == counts["submissions_score"] <= counts["submissions_submission"]
    )


def test_staff_accounts_and_roles(db: tuple[Path, dict[str, int]], site: Site) -> None:
    path, _ = db
    first = max(learner.user_id for learner in site.learners) + 1
    assert query(path, f"SELECT username, is_superuser, is_staff FROM auth_user WHERE id = {first}") == [
        ("admin", 1, 1)
    ]
    roles = query(path, "SELECT org, course_id, role, user_id FROM student_courseaccessrole")
    for course in site.courses:
        mine = {(r[2], r[3]) for r in roles if r[1] == course.course_key}
        assert {role for role, _ in mine} == {"instructor", "staff"}
        assert all(uid > first for _, uid in mine)
    assert {r[0] for r in roles if r[1] == "" and r[2] == "data_researcher"} == {c.org for c in site.courses}
    audits = query(path, "SELECT enrolled_by_id FROM student_manualenrollmentaudit")
    assert audits and all(uid > first for (uid,) in audits)  # type: ignore[operator]


def test_passwords_are_filled_and_fake(db: tuple[Path, dict[str, int]]) -> None:
    path, _ = db
    rows = query(path, "SELECT id, password FROM auth_user")
    assert rows and all(pw == FAKE_PASSWORD.format(uid) for uid, pw in rows)
    assert all(str(pw).startswith("pbkdf2_sha256$") and "FAKE" in str(pw) for _, pw in rows)


def test_values_look_like_the_lms(db: tuple[Path, dict[str, int]], site: Site) -> None:
    path, _ = db
    stamp = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}")
    for value, kind in query(path, "SELECT created, typeof(created) FROM courseware_studentmodule"):
        assert kind == "text" and stamp.fullmatch(str(value))
    enrolled = {e.enrollment_id: e for e in site.enrollments}
    for eid, created in query(path, "SELECT id, created FROM student_courseenrollment"):
        e = enrolled[int(eid)]  # type: ignore[call-overload]
        utc = e.created.astimezone(dt.UTC).replace(tzinfo=None)
        assert created == utc.strftime("%Y-%m-%d %H:%M:%S.%f")
    keys = {c.course_key for c in site.courses}
    overview = query(
        path,
        "SELECT id, _location, org, lowest_passing_grade, self_paced FROM course_overviews_courseoverview",
    )
    assert {r[0] for r in overview} == keys
    assert all(str(r[1]).endswith("+type@course+block@course") for r in overview)
    external = query(path, "SELECT external_user_id, external_id_type_id FROM external_user_ids_externalid")
    assert all(re.fullmatch(r"[0-9a-f]{32}", str(x)) and t == 2 for x, t in external)
    assert query(path, "SELECT name FROM external_user_ids_externalidtype WHERE id = 2") == [("xapi",)]
    index = query(
        path, "SELECT course_id, published_version FROM split_modulestore_django_splitmodulestorecourseindex"
    )
    assert {k: v for k, v in index} == {c.course_key: c.structure_version for c in site.courses}
    answers = [json.loads(str(r[0])) for r in query(path, "SELECT raw_answer FROM submissions_submission")]
    assert all(a["parts"][0]["text"] for a in answers)
    site_values = json.loads(
        str(query(path, "SELECT site_values FROM site_configuration_siteconfiguration")[0][0])
    )
    assert site_values["course_org_filter"] == sorted({c.org for c in site.courses})
    # the demo course's cohort-scheme content groups are linked to its cohorts
    demo = next(c for c in site.courses if c.number == "DemoX")
    assert (
        not demo.cohorts
        or query(path, "SELECT COUNT(*) FROM course_groups_courseusergrouppartitiongroup")[0][0]
    )


def test_subsection_grades_add_up(db: tuple[Path, dict[str, int]], site: Site) -> None:
    path, _ = db
    total_earned = sum(m.grade or 0.0 for m in site.modules)
    got = query(path, "SELECT SUM(earned_all), SUM(possible_all) FROM grades_persistentsubsectiongrade")[0]
    assert got[0] == pytest.approx(total_earned)
    assert got[1] == pytest.approx(sum(m.max_grade or 0.0 for m in site.modules))


def test_indexes_exist(db: tuple[Path, dict[str, int]]) -> None:
    path, _ = db
    names = {r[0] for r in query(path, "SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {ix.name for ix in lms_schema.INDEXES} <= names


def test_sqlite_file_is_byte_deterministic(site: Site, tmp_path: Path) -> None:
    a, b = tmp_path / "a.sqlite", tmp_path / "b.sqlite"
    write_site(None, a, site)
    write_site(None, b, make_site(60))
    assert a.read_bytes() == b.read_bytes()
    # writing over an existing file replaces it
    write_site(None, a, make_site(60))
    assert a.read_bytes() == b.read_bytes()
    assert not list(tmp_path.glob("*.tmp*"))


def test_many_student_modules_stream(site: Site, tmp_path: Path) -> None:
    from learnlake.synth.lms_tables import LmsWriter

    writer = LmsWriter(None, tmp_path / "big.sqlite")
    writer.write_site(site.courses, iter(site.learners))
    writer.write_student_modules(student_modules(60_000, site.courses))
    counts = writer.close()
    assert counts["courseware_studentmodule"] == 60_000
    assert len(writer.sinks["courseware_studentmodule"].rows) == 0


def _utc(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def test_records_land_in_their_columns(db: tuple[Path, dict[str, int]], site: Site) -> None:
    path, _ = db
    got = query(path, "SELECT id, course_id, created, is_active, mode, user_id FROM student_courseenrollment")
    assert sorted(got) == sorted(
        (e.enrollment_id, e.course_key, _utc(e.created), int(e.is_active), e.mode, e.user_id)
        for e in site.enrollments
    )
    got = query(
        path,
        "SELECT student_id, course_id, module_type, module_id, state, grade, max_grade, done, created, "
        "modified FROM courseware_studentmodule ORDER BY id",
    )
    assert got == [
        (m.user_id, m.course_key, m.module_type, m.usage_key, m.state, m.grade, m.max_grade, "na",
         _utc(m.created), _utc(m.modified))
        for m in site.modules
    ]  # fmt: skip
    got = query(
        path,
        "SELECT user_id, course_key, block_key, block_type, completion, created, modified "
        "FROM completion_blockcompletion ORDER BY id",
    )
    assert got == [
        (c.user_id, c.course_key, c.usage_key, c.block_type, c.completion, _utc(c.created), _utc(c.modified))
        for c in site.completions
    ]
    got = query(
        path,
        "SELECT user_id, course_id, percent_grade, letter_grade, passed_timestamp, created, modified "
        "FROM grades_persistentcoursegrade ORDER BY id",
    )
    assert got == [
        (g.user_id, g.course_key, g.percent_grade, g.letter_grade, _utc(g.passed_timestamp),
         _utc(g.created), _utc(g.modified))
        for g in site.grades
    ]  # fmt: skip
    got = query(
        path,
        "SELECT user_id, course_id, grade, status, mode, name, created_date, modified_date "
        "FROM certificates_generatedcertificate ORDER BY id",
    )
    assert got == [
        (c.user_id, c.course_key, c.grade, c.status, c.mode, c.name, _utc(c.created), _utc(c.modified))
        for c in site.certificates
    ]
    learners = {u.user_id: u for u in site.learners}
    for uid, username, email, first, last, joined, last_login, staff in query(
        path,
        "SELECT id, username, email, first_name, last_name, date_joined, last_login, is_staff FROM auth_user",
    ):
        u = learners.get(uid)  # type: ignore[call-overload]
        if u is not None:
            assert (username, email, first, last) == (u.username, u.email, u.first_name, u.last_name)
            assert (joined, last_login, staff) == (_utc(u.date_joined), _utc(u.last_login), int(u.is_staff))
    for uid, name, gender, year, education, country, goals in query(
        path,
        "SELECT user_id, name, gender, year_of_birth, level_of_education, country, goals "
        "FROM auth_userprofile",
    ):
        u = learners.get(uid)  # type: ignore[call-overload]
        if u is not None:
            p = u.profile
            assert (name, gender, year, education, country, goals) == (
                p.name, p.gender, p.year_of_birth, p.level_of_education, p.country, p.goals,
            )  # fmt: skip
    history = query(
        path, "SELECT id, history_type, mode, is_active, history_date FROM student_courseenrollment_history"
    )
    by_enrollment: dict[object, list[tuple[object, ...]]] = {}
    for row in history:
        by_enrollment.setdefault(row[0], []).append(row[1:])
    for e in site.enrollments:
        rows = by_enrollment[e.enrollment_id]
        assert [r[0] for r in rows] == ["+"] + ["~"] * (len(e.history) - 1)
        assert [r[1] for r in rows] == [h.mode for h in e.history]
        assert rows[-1][2] == int(e.is_active)
        assert [r[3] for r in rows] == [_utc(h.time) for h in e.history]
