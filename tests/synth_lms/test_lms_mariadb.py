"""The LMS tables on a real MariaDB server: same rows as SQLite, real MySQL types and keys."""

from __future__ import annotations

import datetime as dt
import decimal
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from site_fixture import NASTY, Site, make_site, write_site
from sqlalchemy import Boolean, DateTime, Text

from conftest import mariadb_connect
from learnlake.synth import lms_schema
from learnlake.synth.lms_tables import FAKE_PASSWORD

pytestmark = pytest.mark.mariadb


@pytest.fixture(scope="module")
def site() -> Site:
    return make_site(60)


@pytest.fixture(scope="module")
def written(
    lms_mariadb: tuple[str, str], site: Site, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    url, name = lms_mariadb
    sqlite_path = tmp_path_factory.mktemp("lms") / "lms.sqlite"
    return {
        "mariadb": write_site(url, Path("unused.sqlite"), site),
        "sqlite": write_site(None, sqlite_path, site),
        "sqlite_path": sqlite_path,
        "database": name,
    }


_CONNECTIONS: dict[str, Any] = {}


def fetch(database: str, sql: str) -> list[tuple[Any, ...]]:
    conn = _CONNECTIONS.get(database)
    if conn is None:
        conn = _CONNECTIONS[database] = mariadb_connect(database)
    with conn.cursor() as cur:
        cur.execute(sql)
        return list(cur.fetchall())


@pytest.fixture(scope="module", autouse=True)
def _close_connections() -> Iterator[None]:
    yield
    while _CONNECTIONS:
        _CONNECTIONS.popitem()[1].close()


def normalized(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, decimal.Decimal | float):
        return round(float(value), 6)
    return value


def test_counts_match_sqlite(written: dict[str, Any]) -> None:
    assert written["mariadb"] == written["sqlite"]
    for table, count in written["mariadb"].items():
        assert fetch(written["database"], f"SELECT COUNT(*) FROM `{table}`") == [(count,)], table


def test_every_row_matches_sqlite(written: dict[str, Any]) -> None:
    import sqlite3

    lite = sqlite3.connect(written["sqlite_path"])
    try:
        for table in lms_schema.metadata.sorted_tables:
            cols = [c.name for c in table.columns]
            order = ", ".join(f"`{c.name}`" for c in table.primary_key.columns)
            mine = fetch(written["database"], f"SELECT * FROM `{table.name}` ORDER BY {order}")
            theirs = lite.execute(
                f'SELECT * FROM "{table.name}" ORDER BY {order.replace("`", chr(34))}'
            ).fetchall()
            assert len(mine) == len(theirs), table.name
            for a, b in zip(mine, theirs, strict=True):
                assert [normalized(v) for v in a] == [normalized(v) for v in b], (table.name, cols)
    finally:
        lite.close()


def test_nasty_text_round_trips(written: dict[str, Any]) -> None:
    assert fetch(written["database"], "SELECT goals FROM auth_userprofile WHERE user_id = 3") == [(NASTY,)]
    states = fetch(written["database"], "SELECT state FROM courseware_studentmodule")
    assert states and all(json.loads(s)["note"] == 'a "quoted" \\ value' for (s,) in states)
    answers = [r[0] for r in fetch(written["database"], "SELECT raw_answer FROM submissions_submission")]
    assert answers and all(a.startswith('{"parts": [{"text": ') for a in answers)


def test_mysql_column_types(written: dict[str, Any]) -> None:
    rows = fetch(
        written["database"],
        "SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, DATETIME_PRECISION FROM information_schema.COLUMNS "
        f"WHERE TABLE_SCHEMA = '{written['database']}'",
    )
    types = {(t, c): (ct, p) for t, c, ct, p in rows}
    for table in lms_schema.metadata.sorted_tables:
        for column in table.columns:
            column_type, precision = types[(table.name, column.name)]
            if isinstance(column.type, DateTime):
                assert column_type == "datetime(6)" and precision == 6, (table.name, column.name)
            elif isinstance(column.type, Boolean):
                assert column_type == "tinyint(1)", (table.name, column.name)
            elif isinstance(column.type, Text):
                assert column_type == "longtext", (table.name, column.name)
    assert types[("courseware_studentmodule", "id")][0] == "bigint(20) unsigned"
    assert types[("completion_blockcompletion", "id")][0] == "bigint(20)"
    assert types[("external_user_ids_externalid", "external_user_id")][0] == "char(32)"
    assert types[("auth_user", "password")][0] == "varchar(128)"
    assert types[("course_overviews_courseoverview", "lowest_passing_grade")][0] == "decimal(5,2)"
    charset = fetch(
        written["database"],
        "SELECT DISTINCT CCSA.CHARACTER_SET_NAME FROM information_schema.TABLES T JOIN "
        "information_schema.COLLATION_CHARACTER_SET_APPLICABILITY CCSA "
        "ON CCSA.COLLATION_NAME = T.TABLE_COLLATION "
        f"WHERE T.TABLE_SCHEMA = '{written['database']}'",
    )
    assert charset == [("utf8mb4",)]


def test_keys_exist(written: dict[str, Any]) -> None:
    rows = fetch(
        written["database"],
        "SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE FROM information_schema.STATISTICS "
        f"WHERE TABLE_SCHEMA = '{written['database']}'",
    )
    have = {(t, i): not non_unique for t, i, non_unique in rows}
    for ix in lms_schema.INDEXES:
        assert ix.table is not None
        assert have.get((ix.table.name, ix.name)) == bool(ix.unique), ix.name


def test_passwords_fake(written: dict[str, Any]) -> None:
    rows = fetch(written["database"], "SELECT id, password FROM auth_user")
    assert rows and all(pw == FAKE_PASSWORD.format(uid) for uid, pw in rows)


def test_rewrite_replaces_the_tables(written: dict[str, Any], lms_mariadb: tuple[str, str]) -> None:
    url, name = lms_mariadb
    smaller = make_site(20, seed=2, demo=False)
    counts = write_site(url + "?charset=utf8mb4", Path("unused.sqlite"), smaller)
    staff = 1 + 2 * len({c.org for c in smaller.courses})  # the admin, and per org two course staff
    assert fetch(name, "SELECT COUNT(*) FROM auth_user") == [(20 + staff,)]
    assert counts["auth_user"] == 20 + staff
    assert fetch(name, "SELECT COUNT(*) FROM courseware_studentmodule") == [
        (counts["courseware_studentmodule"],)
    ]
