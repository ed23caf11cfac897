"""Shared fixtures: real MariaDB, Redis and S3 (moto server) on loopback, and temp data dirs.

`make test` makes sure MariaDB and Redis run; these fixtures create what one test session needs
inside them (a uniquely named database, a private Redis server) and remove it afterwards.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

MARIADB_HOST = os.environ.get("LEARNLAKE_TEST_MARIADB_HOST", "127.0.0.1")
MARIADB_PORT = int(os.environ.get("LEARNLAKE_TEST_MARIADB_PORT", "3306"))
MARIADB_USER = os.environ.get("LEARNLAKE_TEST_MARIADB_USER", "root")
MARIADB_PASSWORD = os.environ.get("LEARNLAKE_TEST_MARIADB_PASSWORD", "")
SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The shared reference material (specs, conformance data, demo course)."""
    if not SHARED.is_dir():
        pytest.fail(f"shared reference folder not found at {SHARED}")
    return SHARED


def _mariadb_connect(database: str | None = None):  # type: ignore[no-untyped-def]
    import pymysql

    return pymysql.connect(
        host=MARIADB_HOST,
        port=MARIADB_PORT,
        user=MARIADB_USER,
        password=MARIADB_PASSWORD,
        database=database,
        charset="utf8mb4",
        autocommit=True,
    )


@pytest.fixture(scope="session")
def mariadb_server() -> dict[str, object]:
    """Connection facts of the real MariaDB server (fails, not skips, when it is down)."""
    try:
        conn = _mariadb_connect()
    except Exception as exc:  # pragma: no cover - environment problem
        pytest.fail(f"MariaDB is not reachable on {MARIADB_HOST}:{MARIADB_PORT}: {exc} (run `make services`)")
    conn.close()
    return {"host": MARIADB_HOST, "port": MARIADB_PORT, "user": MARIADB_USER, "password": MARIADB_PASSWORD}


@pytest.fixture(scope="session")
def mariadb_database(mariadb_server: dict[str, object]) -> Iterator[str]:
    """A fresh, uniquely named database for this test session, dropped afterwards."""
    name = f"learnlake_test_{uuid.uuid4().hex[:12]}"
    conn = _mariadb_connect()
    with conn.cursor() as cur:
        cur.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    try:
        yield name
    finally:
        with conn.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
        conn.close()


@pytest.fixture(scope="session")
def mariadb_url(mariadb_database: str) -> str:
    """mysql:// URL of the session's database."""
    auth = MARIADB_USER + (f":{MARIADB_PASSWORD}" if MARIADB_PASSWORD else "")
    return f"mysql://{auth}@{MARIADB_HOST}:{MARIADB_PORT}/{mariadb_database}"


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """An S3 endpoint: moto in server mode on a free loopback port, reached over HTTP."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture
def s3_bucket(s3_endpoint: str) -> str:
    """A new, empty bucket on the moto server."""
    import boto3

    name = f"lake-{uuid.uuid4().hex[:10]}"
    boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1").create_bucket(Bucket=name)
    return name


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A private, real redis-server on a free port (no persistence), stopped afterwards."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is not installed (run `make services`)")
    port = free_port()
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """An empty learnlake data directory."""
    path = tmp_path / "data"
    path.mkdir()
    return path


@pytest.fixture
def chromium_path() -> str:
    """Debian's chromium binary, for Playwright's executable_path."""
    path = os.environ.get("LEARNLAKE_CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
    if not Path(path).exists():
        pytest.fail("chromium is not installed (run `make services`)")
    return path
