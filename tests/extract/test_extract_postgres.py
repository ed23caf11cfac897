"""Any SQL database by URL: a PostgreSQL table extracted with both readers, values and types kept."""

from __future__ import annotations

import datetime as dt
import decimal
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from conftest import make_settings
from learnlake.extract.run import extract
from learnlake.state import StateStore

PG_HOST = os.environ.get("LEARNLAKE_TEST_POSTGRES_HOST", "127.0.0.1")
PG_USER = os.environ.get("LEARNLAKE_TEST_POSTGRES_USER", "postgres")


@pytest.fixture
def pg_database() -> Iterator[str]:
    psycopg = pytest.importorskip("psycopg")
    try:
        admin = psycopg.connect(
            host=PG_HOST, user=PG_USER, dbname="postgres", autocommit=True, connect_timeout=3
        )
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL is not reachable on {PG_HOST}: {exc}")
    name = f"learnlake_extract_{uuid.uuid4().hex[:8]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        with psycopg.connect(host=PG_HOST, user=PG_USER, dbname=name, autocommit=True) as conn:
            conn.execute(
                "CREATE TABLE items (id bigint PRIMARY KEY, title text, price numeric(10,3),"
                " seen timestamptz, day date, ok boolean, data jsonb, raw bytea, modified timestamp)"
            )
            rows = [
                (1, 'a\\b "q" \r\n', "12.345", "2024-01-02 03:04:05.123456+00", "2024-02-29", True,
                 '{"k": "v\\\\\\""}', b"\x00\xff", "2024-01-01 00:00:00"),
                (2, "", None, None, None, False, None, None, "2024-01-02 00:00:00"),
                (3, None, "-0.001", "2024-06-01 00:00:00+02", "1999-12-31", None, "[]", b"", "2024-01-03"),
            ]  # fmt: skip
            with conn.cursor() as cur:
                cur.executemany("INSERT INTO items VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)", rows)
        yield name
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.mark.parametrize("driver", ["connectorx", "dbapi"])
def test_postgres_table(tmp_path: Path, pg_database: str, driver: str) -> None:
    ds = {
        "name": "pg",
        "type": "postgresql",
        "url": f"postgresql://{PG_USER}@{PG_HOST}:5432/{pg_database}",
        "driver": driver,
        "tables": [{"name": "items", "timestamp_field": "modified"}],
    }
    _, settings = make_settings(tmp_path, [ds])
    store = StateStore(settings.state_dir)
    report = extract(settings, store)
    assert [t.status for t in report.tables] == ["loaded"], report.tables
    table = pq.read_table(f"{settings.lake_root}/openedx/items/lms=lms.test/items.parquet")
    rows = sorted(table.to_pylist(), key=lambda r: r["id"])
    assert rows[0]["title"] == 'a\\b "q" \r\n' and rows[1]["title"] == "" and rows[2]["title"] is None
    assert rows[0]["price"] == decimal.Decimal("12.345") and rows[2]["price"] == decimal.Decimal("-0.001")
    assert rows[0]["seen"] == dt.datetime(2024, 1, 2, 3, 4, 5, 123456, tzinfo=dt.UTC)
    assert rows[2]["seen"] == dt.datetime(2024, 5, 31, 22, 0, tzinfo=dt.UTC)
    assert rows[0]["day"] == dt.date(2024, 2, 29) and rows[0]["ok"] is True and rows[2]["ok"] is None
    assert rows[0]["raw"] == b"\x00\xff" and rows[2]["raw"] == b""
    assert str(table.schema.field("price").type) == "decimal128(10, 3)"
    assert extract(settings, store).tables[0].status == "skipped"
    store.close()
