"""Fixtures for the synthetic-LMS tests: the demo course export and a private MariaDB database.

(The root conftest already has a session database; the LMS writer drops and recreates its tables, so
these tests use a database of their own to stay out of other suites' way.)
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from site_fixture import HOST, PASSWORD, PORT, USER, mariadb_connect

from learnlake.synth.courses import find_demo_course_tarball


@pytest.fixture(scope="session")
def demo_tarball() -> Path:
    """The Open edX demo course OLX export from ../shared."""
    path = find_demo_course_tarball()
    if path is None:
        pytest.fail("the demo course export (../shared/data/openedx-demo-course/course.tar.gz) is missing")
    return path


@pytest.fixture(scope="session")
def lms_mariadb() -> Iterator[tuple[str, str]]:
    """(mysql:// URL, database name) of a fresh database for this session, dropped afterwards."""
    try:
        conn = mariadb_connect()
    except Exception as exc:  # pragma: no cover - environment problem
        pytest.fail(f"MariaDB is not reachable on {HOST}:{PORT}: {exc} (run `make services`)")
    name = f"learnlake_synthlms_{uuid.uuid4().hex[:12]}"
    auth = USER + (f":{PASSWORD}" if PASSWORD else "")
    try:
        yield f"mysql://{auth}@{HOST}:{PORT}/{name}", name
    finally:
        with conn.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
        conn.close()
