"""Fixtures for the extraction tests: a small synthetic LMS in SQLite and in a private MariaDB database."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pymysql
import pytest
import yaml

from learnlake.config import Settings, load_settings

HOST = os.environ.get("LEARNLAKE_TEST_MARIADB_HOST", "127.0.0.1")
PORT = int(os.environ.get("LEARNLAKE_TEST_MARIADB_PORT", "3306"))
USER = os.environ.get("LEARNLAKE_TEST_MARIADB_USER", "root")
PASSWORD = os.environ.get("LEARNLAKE_TEST_MARIADB_PASSWORD", "")


def connect(database: str | None = None) -> pymysql.connections.Connection:
    return pymysql.connect(
        host=HOST,
        port=PORT,
        user=USER,
        password=PASSWORD,
        database=database,
        charset="utf8mb4",
        autocommit=True,
    )


def synth_site(out: Path, lms_url: str | None) -> None:
    from learnlake.progress import progress
    from learnlake.synth.site import SynthOptions, generate_site

    options = SynthOptions(
        seed=3, orgs=1, courses=2, learners=30, days=8, start=dt.date(2026, 1, 5), out=out, lms_url=lms_url
    )
    with progress("synth", unit="events") as reporter:
        generate_site(options, reporter)


@pytest.fixture(scope="session")
def lms_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small synthetic site's LMS as an SQLite file."""
    out = tmp_path_factory.mktemp("site")
    synth_site(out, None)
    return out / "lms.sqlite"


@pytest.fixture
def lms_mysql(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """(mysql URL, database) of a fresh synthetic LMS in MariaDB, dropped afterwards (tests change it)."""
    name = f"learnlake_extract_{uuid.uuid4().hex[:10]}"
    auth = USER + (f":{PASSWORD}" if PASSWORD else "")
    url = f"mysql://{auth}@{HOST}:{PORT}/{name}"
    synth_site(tmp_path / "site", url)
    try:
        yield url, name
    finally:
        conn = connect()
        with conn.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
        conn.close()


def make_settings(tmp_path: Path, datasources: list[dict], **extra: object) -> tuple[Path, Settings]:
    """Write a learnlake.yaml and load it."""
    doc: dict = {"data_dir": str(tmp_path / "data"), "site": {"lms_host": "lms.test"}}
    doc["extract"] = {"datasources": datasources}
    for key, value in extra.items():
        doc[key] = value
    path = tmp_path / "learnlake.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path, load_settings(path)
