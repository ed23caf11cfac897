"""Nasty values survive MariaDB → lake (CSV and Parquet) → back, with both row readers."""

from __future__ import annotations

import datetime as dt
import decimal
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from conftest import connect, make_settings
from learnlake.extract.run import extract
from learnlake.extract.writer import read_csv_batches
from learnlake.lake.storage import LakeStorage
from learnlake.state import StateStore

NASTY = [
    "back\\slash \\\\ double",
    '{"a": "b\\"c", "u": "\\u00e9"}',
    "\\u00e9 literal escape",
    "cr\rlf\r\nlf\nend",
    "tab\there",
    'quote " and "" doubled, comma',
    "emoji 😀 and café",
    "NULL",
    "",
    None,
    "\\N",
    " leading and trailing ",
]


@pytest.fixture
def nasty_table(mariadb_database: str) -> str:
    conn = connect(mariadb_database)
    with conn.cursor() as cur:
        cur.execute("SET SESSION sql_mode = ''")  # zero dates are legal in old Open edX databases
        cur.execute("DROP TABLE IF EXISTS nasty")
        cur.execute(
            "CREATE TABLE nasty (id INT PRIMARY KEY, txt LONGTEXT, js JSON, d DATE, dt DATETIME(6),"
            " amount DECIMAL(8,5), raw BLOB, big BIGINT UNSIGNED, flag TINYINT(1))"
        )
        for i, text in enumerate(NASTY):
            zero = i % 3 == 0
            cur.execute(
                "INSERT INTO nasty VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
                (
                    i,
                    text,
                    '{"k": "v\\\\n", "e": "\\u00e9"}' if i % 2 else None,
                    "0000-00-00" if zero else f"2024-02-{i + 1:02d}",
                    "0000-00-00 00:00:00" if zero else f"2024-02-03 04:05:06.{i:06d}",
                    None if i == 1 else decimal.Decimal("-123.45678") + i,
                    bytes([0, 255, i]),
                    2**64 - 1 - i,
                    i % 2,
                ),
            )
    conn.close()
    return mariadb_database


@pytest.mark.parametrize("driver", ["connectorx", "dbapi"])
def test_nasty_values_round_trip(tmp_path: Path, nasty_table: str, mariadb_url: str, driver: str) -> None:
    ds = {"name": "lms", "type": "mysql", "url": mariadb_url, "driver": driver, "tables": [{"name": "nasty"}]}
    _, settings = make_settings(tmp_path, [ds], lake={"formats": ["parquet", "csv"]})
    store = StateStore(settings.state_dir)
    report = extract(settings, store)
    assert [t.status for t in report.tables] == ["loaded"], report.tables
    storage = LakeStorage(settings.lake_root)
    base = "openedx/nasty/lms=lms.test"
    parquet = pq.read_table(storage.path(f"{base}/nasty.parquet")).to_pylist()
    from learnlake.extract.plan import plan_table
    from learnlake.extract.sources import open_source

    source = open_source(settings.extract.datasources[0])
    plan = plan_table(settings.extract.datasources[0].tables[0], source, False)
    source.close()
    csv_rows = [
        r for b in read_csv_batches(storage, f"{base}/nasty.csv", plan.csv_schema()) for r in b.to_pylist()
    ]

    conn = connect(nasty_table)
    with conn.cursor() as cur:
        cur.execute(
            "SELECT id, txt, js, CAST(d AS CHAR), CAST(dt AS CHAR), CAST(amount AS CHAR), raw, big, flag"
            " FROM nasty ORDER BY id"
        )
        source_rows = cur.fetchall()
    conn.close()
    assert len(parquet) == len(csv_rows) == len(NASTY)
    for row, p, c in zip(source_rows, parquet, csv_rows, strict=True):
        _rid, txt, js, d, dtt, amount, raw, big, flag = row
        assert p["txt"] == txt == c["txt"]  # NULL stays NULL, '' stays '', 'NULL' stays text
        assert p["js"] == js == c["js"]
        # CSV keeps the database's own text, zero dates included
        assert c["d"] == d and c["dt"] == dtt and c["amount"] == amount
        if d.startswith("0000"):
            assert p["d"] is None and p["dt"] is None  # a typed column cannot hold month 0
        else:
            assert p["d"] == dt.date.fromisoformat(d)
            assert p["dt"] == dt.datetime.fromisoformat(dtt).replace(tzinfo=dt.UTC)
        assert p["amount"] == (None if amount is None else decimal.Decimal(amount))
        assert p["raw"] == raw
        assert p["big"] == big == c["big"]
        assert p["flag"] == flag
    # typed Parquet schema
    schema = pq.read_schema(storage.path(f"{base}/nasty.parquet"))
    assert str(schema.field("dt").type) == "timestamp[us, tz=UTC]"
    assert str(schema.field("d").type) == "date32[day]"
    assert str(schema.field("amount").type) == "decimal128(8, 5)"
    assert str(schema.field("big").type) == "uint64"
    # CSV convention: unquoted empty = NULL, quoted "" = empty string; newlines kept inside quotes
    text = Path(storage.path(f"{base}/nasty.csv")).read_bytes().decode("utf-8")
    assert '"cr\rlf\r\nlf\nend"' in text
    assert '"back\\slash \\\\ double"' in text
    store.close()
