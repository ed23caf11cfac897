"""Probes that really talk to each configured source and sink.

Unlike Panorama's connection test (whose Mongo check never contacts the server and whose MySQL
failure kills the process), every probe here opens a real connection and does one cheap real
operation with a short timeout; a failure is a result with its reason, never an abort.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import httpx
import pymongo  # noqa: F401 - loaded before any probe is timed
import s3fs  # noqa: F401 - loaded before any probe is timed
import sqlalchemy as sa
from botocore.config import Config

from learnlake.config.settings import DatasourceSettings, Settings
from learnlake.coursestructure.modulestore import (
    SPLIT_INDEX_TABLE,
    MongoModulestore,
    RecordedModulestore,
    sqlalchemy_url,
)
from learnlake.coursestructure.stage import rest_client
from learnlake.lake.storage import LakeStorage, s3_filesystem

TIMEOUT_S = 5.0


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one probe."""

    target: str
    kind: str
    ok: bool
    detail: str
    latency_ms: float


Probe = Callable[[], str]


def targets(settings: Settings) -> list[tuple[str, str, Probe]]:
    """(name, kind, probe) for every configured source and sink, in settings order."""
    out: list[tuple[str, str, Probe]] = []
    for path in settings.tracking_logs.paths:
        out.append(
            (
                f"tracking_logs {path}",
                "s3" if path.startswith("s3://") else "path",
                _path_probe(settings, path),
            )
        )
    for source in settings.extract.datasources:
        out.extend(_source_targets(settings, source))
    root = settings.lake_root
    out.append(
        (f"lake {root}", "s3" if root.startswith("s3://") else "folder", lambda: _lake_probe(settings))
    )
    if settings.lake.athena.database:
        out.append(
            (
                f"athena {settings.lake.athena.workgroup or 'primary'}",
                "athena",
                lambda: _athena_probe(settings),
            )
        )
    if settings.warehouse.engine == "clickhouse":
        out.append(
            (
                f"warehouse {settings.warehouse.clickhouse.url}",
                "clickhouse",
                lambda: _clickhouse_probe(settings),
            )
        )
    return out


def run_checks(settings: Settings) -> list[CheckResult]:
    """Run every probe; each is timed and its failure kept as a result."""
    results = []
    for name, kind, probe in targets(settings):
        start = time.perf_counter()
        try:
            detail, ok = probe(), True
        except Exception as exc:
            detail, ok = (
                f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}".strip(),
                False,
            )
        results.append(CheckResult(name, kind, ok, detail, (time.perf_counter() - start) * 1000))
    return results


def _source_targets(settings: Settings, source: DatasourceSettings) -> list[tuple[str, str, Probe]]:
    name = f"datasource {source.name}"
    password = source.password.get_secret_value() if source.password else None
    out: list[tuple[str, str, Probe]] = []
    if source.type in ("mysql", "postgresql", "sqlite") and source.url:
        out.append((name, source.type, lambda: _sql_probe(source.url or "", password)))
    elif source.type == "openedx_course_structures":
        if source.url:
            out.append(
                (f"{name} split index", "mysql", lambda: _split_index_probe(source.url or "", password))
            )
        if source.location:
            out.append(
                (f"{name} recorded modulestore", "path", lambda: _recorded_probe(source.location or ""))
            )
        elif source.mongodb_url:
            out.append((f"{name} mongodb", "mongodb", lambda: _mongo_probe(source)))
        else:
            out.append((name, "mongodb", lambda: _missing("mongodb_url")))
    elif source.type == "course_blocks_api":
        out.append((f"{name} oauth2", "rest", lambda: _rest_probe(settings, source)))
    elif source.location:
        out.append((name, "path", lambda: _path_probe(settings, source.location or "")()))
    else:
        out.append((name, source.type, lambda: _missing("url or location")))
    return out


def _missing(what: str) -> str:
    raise ValueError(f"{what} is not set")


def _sql_probe(url: str, password: str | None) -> str:
    target = sqlalchemy_url(url, password)
    connect_args: dict[str, object] = {}
    if target.drivername.startswith("mysql"):
        connect_args = {"connect_timeout": int(TIMEOUT_S), "read_timeout": int(TIMEOUT_S)}
    elif target.drivername.startswith("postgresql"):
        connect_args = {"connect_timeout": int(TIMEOUT_S)}
    elif target.drivername.startswith("sqlite"):
        db = target.database or ""
        if db and db != ":memory:" and not Path(db).is_file():
            raise FileNotFoundError(f"no SQLite database at {db}")
    engine = sa.create_engine(target, connect_args=connect_args, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1")).scalar_one()
    finally:
        engine.dispose()
    return f"SELECT 1 on {target.render_as_string(hide_password=True)}"


def _split_index_probe(url: str, password: str | None) -> str:
    engine = sa.create_engine(
        sqlalchemy_url(url, password),
        connect_args={"connect_timeout": int(TIMEOUT_S)},
        poolclass=sa.pool.NullPool,
    )
    try:
        with engine.connect() as conn:
            count: int = conn.execute(sa.text(f"SELECT count(*) FROM {SPLIT_INDEX_TABLE}")).scalar_one()
    finally:
        engine.dispose()
    return f"{count} courses in {SPLIT_INDEX_TABLE}"


def _mongo_probe(source: DatasourceSettings) -> str:
    password = source.mongodb_password.get_secret_value() if source.mongodb_password else None
    store = MongoModulestore(
        source.mongodb_url or "", source.mongodb_database, password, int(TIMEOUT_S * 1000)
    )
    try:
        store.ping()
        store.db["modulestore.active_versions"].find_one({}, {"_id": 1})
    finally:
        store.close()
    return f"ping and read of {source.mongodb_database}.modulestore.active_versions"


def _recorded_probe(location: str) -> str:
    docs = RecordedModulestore(location)
    return f"{len(docs.collections['structures'])} recorded structures"


def _rest_probe(settings: Settings, source: DatasourceSettings) -> str:
    client = rest_client(settings, source, timeout_s=TIMEOUT_S)
    try:
        client.token()
    finally:
        client.close()
    return f"token from {client.base_url}/oauth2/access_token"


def _path_probe(settings: Settings, path: str) -> Probe:
    def probe() -> str:
        if path.startswith("s3://"):
            fs = s3_filesystem(settings.lake.s3)
            entries = fs.ls(path[len("s3://") :], refresh=True)
            return f"{len(entries)} entries"
        if not Path(path).exists():
            raise FileNotFoundError(f"{path} does not exist")
        return "exists"

    return probe


def _lake_probe(settings: Settings) -> str:
    storage = LakeStorage(settings.lake_root, settings.lake.s3)
    rel = f"{settings.lake.prefix.strip('/')}/.learnlake-check-{uuid.uuid4().hex}"
    if storage.is_local:
        Path(storage.path(rel)).parent.mkdir(parents=True, exist_ok=True)
    with storage.fs.open(storage.path(rel), "wb") as fh:
        fh.write(b"learnlake check\n")
    if not storage.exists(rel):
        raise RuntimeError("the probe object was written but cannot be found")
    storage.fs.rm(storage.path(rel))
    return "probe object written and deleted"


def _athena_probe(settings: Settings) -> str:
    workgroup = settings.lake.athena.workgroup or "primary"
    athena: Any = _short_client(
        settings, "athena", Config(connect_timeout=TIMEOUT_S, retries={"max_attempts": 1})
    )
    state = athena.get_work_group(WorkGroup=workgroup)["WorkGroup"].get("State", "?")
    glue: Any = _short_client(
        settings, "glue", Config(connect_timeout=TIMEOUT_S, retries={"max_attempts": 1})
    )
    glue.get_database(Name=settings.lake.athena.database)
    return f"workgroup {workgroup} {state}, database {settings.lake.athena.database} found"


def _short_client(settings: Settings, service: str, config: object) -> object:
    kwargs: dict[str, object] = {"region_name": settings.lake.s3.region, "config": config}
    if settings.lake.athena.endpoint_url:
        kwargs["endpoint_url"] = settings.lake.athena.endpoint_url
    if settings.lake.s3.access_key_id:
        kwargs["aws_access_key_id"] = settings.lake.s3.access_key_id
    if settings.lake.s3.secret_access_key is not None:
        kwargs["aws_secret_access_key"] = settings.lake.s3.secret_access_key.get_secret_value()
    return boto3.client(service, **kwargs)


def _clickhouse_probe(settings: Settings) -> str:
    ch = settings.warehouse.clickhouse
    auth = (ch.username, ch.password.get_secret_value() if ch.password else "")
    response = httpx.get(f"{ch.url.rstrip('/')}/", params={"query": "SELECT 1"}, auth=auth, timeout=TIMEOUT_S)
    if response.status_code != 200 or response.text.strip() != "1":
        raise RuntimeError(f"HTTP {response.status_code}: {response.text[:200]}")
    return "SELECT 1"
