"""Build the models into the lake and the warehouse (`learnlake models run`, the `models` run stage).

Models run in dependency order in one DuckDB session over the warehouse's lake views:
- `view` models become warehouse views;
- `table` models are written whole as one zstd Parquet file, `<lake>/<prefix>/models/<name>/data.parquet`,
  replaced atomically, and rebuilt only when something they read changed;
- `incremental` models are written per date partition, `.../models/<name>/<partition_by>=<date>/`. A
  build finds the earliest date whose upstream files changed since the last build and recomputes only
  the partitions from that date on, reading only upstream partitions from that date on (so a model's rows
  for a day must depend only on upstream rows of that day, as the event models do).
A model that fails is reported and the models that read it are skipped; independent models still build.
A model whose source table is not in the lake yet (an LMS table not extracted) is `waiting`, which is not a
failure: it builds once the table arrives.
Finally every built model is (re)defined as a warehouse view, atomically, with `model_settings`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import orjson
import pyarrow as pa

from learnlake.config import Settings
from learnlake.lake.discover import MODELS_DIR, LakeFolderTable, discover_tables, table_has_files
from learnlake.lake.layout import QUERYABLE_TABLES, table_path
from learnlake.lake.storage import LakeStorage
from learnlake.models.engines.duckdb import declared_select, model_error, quote
from learnlake.models.graph import SETTINGS_TABLE, build_order, dependencies, select, sources
from learnlake.models.sources import SINKS_FROM_LMS, SOURCE_COLUMNS
from learnlake.models.spec import Model, ModelError, Project, load_project
from learnlake.state import StateStore
from learnlake.warehouse.sql import PARSED_COLUMNS, discovered_select, table_select

log = logging.getLogger(__name__)
CHECKPOINT_SCOPE = "models"
DATED_SOURCES = {n for n, s in QUERYABLE_TABLES.items() if s.time_column}  # tracking_events, xapi_events_all


@dataclass
class ModelResult:
    """What happened to one model in a build."""

    name: str
    status: str  # built | unchanged | failed | skipped | waiting
    rows: int | None = None
    seconds: float = 0.0
    partitions: int | None = None  # incremental: partitions rewritten
    message: str | None = None


@dataclass
class BuildReport:
    """A whole build."""

    results: list[ModelResult] = field(default_factory=list)
    errors: list[ModelError] = field(default_factory=list)  # model files that could not be read

    @property
    def failed(self) -> list[ModelResult]:
        """Models that failed or were skipped because an upstream model failed."""
        return [r for r in self.results if r.status in ("failed", "skipped")]

    @property
    def waiting(self) -> list[ModelResult]:
        """Models not built because a table they read is not in the lake yet."""
        return [r for r in self.results if r.status == "waiting"]

    def summary(self) -> dict[str, Any]:
        """JSON-friendly summary."""
        return {
            "models": [r.__dict__ for r in self.results],
            "failed": [r.name for r in self.failed],
            "waiting": [r.name for r in self.waiting],
            "errors": [str(e) for e in self.errors],
        }


def models_rel(prefix: str, name: str) -> str:
    """Lake folder of a model, relative to the root."""
    return table_path(prefix, f"models/{name}")


def _digest(value: Any) -> str:
    return hashlib.sha256(orjson.dumps(value, option=orjson.OPT_SORT_KEYS, default=str)).hexdigest()[:16]


class Builder:
    """One build: a DuckDB session over the lake, the state of earlier builds, the lake writer."""

    def __init__(
        self,
        settings: Settings,
        project: Project,
        as_of: dt.datetime | None,
        full_refresh: bool,
        interval: tuple[dt.date, dt.date] | None = None,
    ) -> None:
        self.settings = settings
        self.interval = interval
        self.project = project
        self.models = project.models
        self.storage = LakeStorage(settings.lake_root, settings.lake.s3)
        self.prefix = settings.lake.prefix
        self.as_of = as_of or dt.datetime.now(dt.UTC).replace(tzinfo=None)
        self.full_refresh = full_refresh
        # the run parameters a model's rows can depend on (recorded per model in model_parameters)
        self.parameters: dict[str, Any] = {
            "at_risk_days": settings.models.at_risk_days,
            "active_days": settings.models.active_days,
            "as_of": self.as_of,
            "interval_start": interval[0] if interval else None,
            "interval_end": interval[1] if interval else None,
        }
        self._reads_parameters: dict[str, bool] = {}
        self.store = StateStore(settings.state_dir)
        self.tmp_root = Path(settings.data_dir) / "tmp"
        self.tmp_root.mkdir(parents=True, exist_ok=True)
        self.con = duckdb.connect(":memory:", config={"temp_directory": str(self.tmp_root / "duckdb")})
        self.con.execute("SET TimeZone = 'UTC'")
        self.con.execute("SET preserve_insertion_order = false")
        # bounded memory: DuckDB spills to temp_directory beyond this (default 1 GB)
        limit = os.environ.get("LEARNLAKE_MODELS_MEMORY_LIMIT", "1GB")
        self.con.execute(f"SET memory_limit = '{limit}'")
        if not self.storage.is_local:
            self.con.register_filesystem(self.storage.fs)
        self.fingerprints: dict[str, dict[str, str]] = {}  # source -> {date or '*': digest}
        self.changed_since: dict[str, dt.date | None] = {}  # built incremental model -> since (None = full)
        self.rebuilt: set[str] = set()
        # the lake's sources do not change during a build: find them once, not at every re-bind
        self.present = {
            n for n, spec in QUERYABLE_TABLES.items() if table_has_files(self.storage, self.prefix, spec)
        }
        self._extracted_selects: dict[str, str] = {}
        self._bound: tuple[dt.date | None] | None = None  # (since,) the sources are bound with now
        models_dir = table_path(self.prefix, MODELS_DIR) + "/"
        self.extracted: dict[str, LakeFolderTable] = {  # extracted LMS tables (not models)
            name: t
            for name, t in discover_tables(self.storage, self.prefix).items()
            if not t.rel_dir.startswith(models_dir)
        }

    # -- sources ---------------------------------------------------------------------------

    def _source_select(self, name: str, since: dt.date | None) -> str:
        """SELECT of a lake table (optionally only date partitions >= since)."""
        from learnlake.warehouse.sql import empty_select

        spec = QUERYABLE_TABLES[name]
        if name not in self.present:
            return empty_select(spec)
        sql = table_select(self.storage, self.prefix, spec)
        if since is not None and spec.time_column:
            sql += f" WHERE date >= DATE '{since.isoformat()}'"  # hive partition pruning
        return sql

    def bind_sources(self, since: dt.date | None) -> None:
        """(Re)define the lake tables as temp views, restricted to partitions >= since when given.

        Rebinding costs a few catalog statements per table, so it happens only when `since` changes.
        """
        if self._bound == (since,):
            return
        self._bound = (since,)
        for name in QUERYABLE_TABLES:
            self.con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS {self._source_select(name, since)}")
        self.con.execute(
            "CREATE OR REPLACE TEMP VIEW xapi_events_all_parsed AS "
            f"SELECT {PARSED_COLUMNS} FROM xapi_events_all"
        )
        for name in self.extracted:
            if name not in self.models:
                self.con.execute(
                    f"CREATE OR REPLACE TEMP VIEW {quote(name)} AS {self._extracted_select(name)}"
                )
        for name, (needs, personal, select_sql) in SINKS_FROM_LMS.items():
            if all(t in self.extracted for t in needs) and (self.settings.privacy.pii or not personal):
                self.con.execute(f"CREATE OR REPLACE TEMP VIEW {quote(name)} AS {select_sql}")
        for name, cols in SOURCE_COLUMNS.items():
            self._adapt(name, cols)
        self.con.execute(
            f"CREATE OR REPLACE TEMP TABLE {SETTINGS_TABLE} AS SELECT CAST(? AS BIGINT) AS at_risk_days, "
            "CAST(? AS BIGINT) AS active_days, CAST(? AS TIMESTAMP) AS as_of, "
            "CAST(? AS DATE) AS interval_start, CAST(? AS DATE) AS interval_end",
            [
                self.settings.models.at_risk_days,
                self.settings.models.active_days,
                self.as_of,
                *(self.interval or (None, None)),
            ],
        )

    def _adapt(self, name: str, cols: dict[str, str]) -> None:
        """Give a source table the Aspects columns models read (NULL where the lake has none)."""
        if name in ("xapi_events_all_parsed",):
            return
        if name in QUERYABLE_TABLES:
            have = {r[0] for r in self.con.execute(f"DESCRIBE {name}").fetchall()}
            add = [f"CAST(NULL AS {t}) AS {quote(c)}" for c, t in cols.items() if c not in have]
            if add:
                body = self._source_select(name, None)
                self.con.execute(
                    f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT *, {', '.join(add)} FROM ({body})"
                )
            return
        # an Aspects event-sink table learnlake does not extract (yet): empty, typed
        empty = ", ".join(f"CAST(NULL AS {t}) AS {quote(c)}" for c, t in cols.items())
        exists = self.con.execute(
            "SELECT count(*) FROM duckdb_views() WHERE view_name = ? AND NOT internal", [name]
        ).fetchone()
        if not exists or not exists[0]:
            self.con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT {empty} WHERE false")

    def _extracted_select(self, name: str) -> str:
        """SELECT of an extracted LMS table (worked out once per build).

        Columns of the built-in LMS set the lake lacks (personal data with privacy off) read as NULL,
        so a model reading `auth_user.username` builds on a site without PII, with NULL usernames.
        """
        if name in self._extracted_selects:
            return self._extracted_selects[name]
        from learnlake.extract.plan import default_tables

        body = discovered_select(self.storage, self.extracted[name])
        known = next((t for t in default_tables() if t.name == name), None)
        if known is not None:
            have = {r[0] for r in self.con.execute(f"DESCRIBE {body}").fetchall()}
            add = [
                f"CAST(NULL AS VARCHAR) AS {quote(f.name)}"
                for f in known.fields
                if f.name not in have and f.pii != "secret"
            ]
            if add:
                body = f"SELECT *, {', '.join(add)} FROM ({body})"
        self._extracted_selects[name] = body
        return body

    def source_fingerprints(self, name: str) -> dict[str, str]:
        """Digest of a lake table's files, per date partition ('*' for undated tables)."""
        if name in self.fingerprints:
            return self.fingerprints[name]
        out: dict[str, list[str]] = {}
        table = "xapi_events_all" if name == "xapi_events_all_parsed" else name
        if table in SINKS_FROM_LMS:  # a sink rebuilt from LMS tables changes when they change
            for lms_table in SINKS_FROM_LMS[table][0]:
                for key, digest in self.source_fingerprints(lms_table).items():
                    out.setdefault(key, []).append(f"{lms_table}:{digest}")
        elif table in self.extracted:  # files keep their names when replaced: size and mtime tell changes
            rel_dir = self.extracted[table].rel_dir
            for rel in self.storage.walk_files(rel_dir):
                base = rel.rsplit("/", 1)[-1]
                if base.endswith(".parquet") and not base.startswith((".", "_")):
                    info = self.storage.fs.info(self.storage.path(rel))
                    stamp = info.get("mtime") or info.get("LastModified") or info.get("ETag")
                    out.setdefault("*", []).append(f"{rel}:{info.get('size')}:{stamp}")
        elif table in QUERYABLE_TABLES:
            for rel in self.storage.walk_files(table_path(self.prefix, table)):
                base = rel.rsplit("/", 1)[-1]
                if not base.endswith(".parquet") or base.startswith((".", "_")):
                    continue
                date = next((p[5:] for p in rel.split("/") if p.startswith("date=")), "*")
                out.setdefault(date, []).append(rel)
        result = {k: _digest(sorted(v)) for k, v in out.items()}
        self.fingerprints[name] = result
        return result

    def has_source(self, name: str) -> bool:
        """Whether a non-model table a model reads is defined in the session."""
        row = self.con.execute(
            "SELECT count(*) FROM duckdb_views() WHERE view_name = ? AND NOT internal", [name]
        ).fetchone()
        if row and row[0]:
            return True
        row = self.con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [name]).fetchone()
        return bool(row and row[0])

    # -- models ----------------------------------------------------------------------------

    def model_rel(self, name: str) -> str:
        return models_rel(self.prefix, name)

    def model_view_sql(self, model: Model, since: dt.date | None = None) -> str:
        """SELECT over a materialized model's files (incremental: optionally partitions >= since)."""
        url = self.storage.url(self.model_rel(model.name))
        cols = ", ".join(quote(c.name) for c in model.columns)
        if model.header.materialization == "table":
            return f"SELECT {cols} FROM read_parquet('{url}/data.parquet')"
        part = model.header.partition_by or ""
        if not self._partitions(model):
            return (
                "SELECT "
                + ", ".join(f"CAST(NULL AS {c.type}) AS {quote(c.name)}" for c in model.columns)
                + " WHERE false"
            )
        where = f" WHERE {quote(part)} >= DATE '{since.isoformat()}'" if since else ""
        return (
            f"SELECT {cols} FROM read_parquet('{url}/{part}=*/*.parquet', hive_partitioning = true, "
            f"hive_types = {{'{part}': 'DATE'}}){where}"
        )

    def _partitions(self, model: Model) -> list[str]:
        part = model.header.partition_by or ""
        return [
            d[len(part) + 1 :]
            for d in self.storage.list_dirs(self.model_rel(model.name))
            if d.startswith(f"{part}=")
        ]

    def define_temp(self, model: Model, since: dt.date | None = None) -> None:
        """Make a model readable in the session (its files, or its SQL for views)."""
        if model.header.materialization == "view":
            body = declared_select(model)
        else:
            body = self.model_view_sql(model, since)
        try:
            self.con.execute(f"CREATE OR REPLACE TEMP VIEW {quote(model.name)} AS {body}")
        except duckdb.Error as exc:
            raise model_error(model, exc) from exc

    def state_key(self, model: Model) -> dict[str, Any]:
        """What a materialized model's output depends on: its SQL, settings, and its inputs' files."""
        inputs: dict[str, Any] = {}
        for src in sorted(sources(model, self.models)):
            inputs[src] = self.source_fingerprints(src)
        for dep in sorted(dependencies(model, self.models)):
            inputs[dep] = self.dep_marker(dep)
        uses_settings = SETTINGS_TABLE in model.refs
        return {
            "sql": _digest(
                [model.sql, [c.model_dump() for c in model.columns], model.header.materialization]
            ),
            "settings": [
                self.settings.models.at_risk_days,
                self.settings.models.active_days,
                str(self.as_of),
                [str(d) for d in self.interval or ()],
            ]
            if uses_settings
            else None,
            "inputs": inputs,
        }

    def reads_parameters(self, model: Model) -> bool:
        """Whether the model reads model_settings, itself or through the models it reads."""
        if model.name not in self._reads_parameters:
            self._reads_parameters[model.name] = SETTINGS_TABLE in model.refs or any(
                self.reads_parameters(self.models[d]) for d in dependencies(model, self.models)
            )
        return self._reads_parameters[model.name]

    def _checkpoint(self, model: Model, key: dict[str, Any], rows: int) -> None:
        """Record a built model: its state key, rows, a new version and the parameters its rows used."""
        params = (
            {k: None if v is None else str(v) for k, v in self.parameters.items()}
            if self.reads_parameters(model)
            else None
        )
        self.store.set_checkpoint(
            CHECKPOINT_SCOPE,
            model.name,
            {
                "key": key,
                "rows": rows,
                "version": _digest([key, time.time()]),
                "built_at": dt.datetime.now(dt.UTC).replace(tzinfo=None).isoformat(),
                "parameters": params,
            },
        )

    def dep_marker(self, name: str) -> Any:
        """A value that changes whenever model `name` changed (its own state, transitively)."""
        model = self.models[name]
        if model.header.materialization == "view":
            return self.state_key(model)
        saved = self.store.get_checkpoint(CHECKPOINT_SCOPE, name) or {}
        return saved.get("version")

    def build(self, model: Model) -> ModelResult:
        start = time.monotonic()
        mat = model.header.materialization
        if mat == "view":
            self.bind_sources(None)
            self.define_temp(model)
            try:
                self.con.execute(f"SELECT * FROM {quote(model.name)} LIMIT 0")
            except duckdb.Error as exc:
                raise model_error(model, exc) from exc
            return ModelResult(model.name, "built", None, time.monotonic() - start)
        key = self.state_key(model)
        saved = self.store.get_checkpoint(CHECKPOINT_SCOPE, model.name) or {}
        if mat == "table":
            if (
                not self.full_refresh
                and saved.get("key") == key
                and self.storage.exists(f"{self.model_rel(model.name)}/data.parquet")
            ):
                self.define_temp(model)
                return ModelResult(model.name, "unchanged", saved.get("rows"), time.monotonic() - start)
            self.bind_sources(None)
            rows = self._write_table(model)
            self._checkpoint(model, key, rows)
            self.define_temp(model)
            return ModelResult(model.name, "built", rows, time.monotonic() - start)
        since, full = self._since(model, key, saved)
        if not full and since is None:
            self.define_temp(model)
            self.changed_since[model.name] = dt.date.max
            return ModelResult(model.name, "unchanged", saved.get("rows"), time.monotonic() - start, 0)
        self.bind_sources(None if full else since)
        for dep in dependencies(model, self.models):
            dmodel = self.models[dep]
            if dmodel.header.materialization == "incremental":
                self.define_temp(dmodel, None if full else since)
        try:
            rows, parts = self._write_partitions(model, None if full else since)
        finally:
            for dep in dependencies(model, self.models):
                self.define_temp(self.models[dep])
            self.bind_sources(None)
        self.changed_since[model.name] = None if full else since
        total = self._count(model)
        self._checkpoint(model, key, total)
        self.define_temp(model)
        return ModelResult(
            model.name, "built", total, time.monotonic() - start, parts, None if full else f"since {since}"
        )

    def _since(self, model: Model, key: dict[str, Any], saved: dict[str, Any]) -> tuple[dt.date | None, bool]:
        """(earliest date to rebuild, whole rebuild?) for an incremental model; (None, False) = unchanged."""
        old = saved.get("key")
        if (
            self.full_refresh
            or not old
            or old.get("sql") != key["sql"]
            or old.get("settings") != key["settings"]
            or not self._partitions(model)
        ):
            return None, True
        earliest: dt.date | None = None
        for name, now in key["inputs"].items():
            before = old["inputs"].get(name)
            if now == before:
                continue
            if name in self.models:
                dep = self.models[name]
                since = (
                    self.changed_since.get(name, None)
                    if dep.header.materialization == "incremental"
                    else None
                )
                if since is None:
                    return None, True
                if since == dt.date.max:
                    continue
                earliest = since if earliest is None else min(earliest, since)
                continue
            if name not in DATED_SOURCES and name != "xapi_events_all_parsed":
                return None, True
            before = before or {}
            if "*" in now or "*" in before:
                return None, True
            changed = [d for d in set(now) | set(before) if now.get(d) != before.get(d)]
            if changed:
                first = dt.date.fromisoformat(min(changed))
                earliest = first if earliest is None else min(earliest, first)
        return earliest, False

    def _count(self, model: Model) -> int:
        self.define_temp(model)
        row = self.con.execute(f"SELECT count(*) FROM {quote(model.name)}").fetchone()
        return int(row[0]) if row else 0

    @contextmanager
    def _tmpdir(self) -> Iterator[Path]:
        path = Path(tempfile.mkdtemp(prefix=".build-", dir=self.tmp_root))
        try:
            yield path
        finally:
            shutil.rmtree(path, ignore_errors=True)

    def _copy(self, sql: str, target: Path, partition_by: str | None = None) -> None:
        opts = "FORMAT parquet, COMPRESSION zstd"
        if partition_by:
            opts += f", PARTITION_BY ({quote(partition_by)}), OVERWRITE_OR_IGNORE true"
        self.con.execute(f"COPY ({sql}) TO '{target}' ({opts})")

    def _publish(self, local: Path, rel: str) -> None:
        """Move a finished local file to its lake place, atomically."""
        if self.storage.is_local:
            dest = Path(self.storage.path(rel))
            dest.parent.mkdir(parents=True, exist_ok=True)
            os.replace(local, dest)
        else:
            self.storage.fs.put_file(str(local), self.storage.path(rel))

    def _write_table(self, model: Model) -> int:
        with self._tmpdir() as tmp:
            out = tmp / "data.parquet"
            try:
                self._copy(declared_select(model), out)
            except duckdb.Error as exc:
                raise model_error(model, exc) from exc
            self._publish(out, f"{self.model_rel(model.name)}/data.parquet")
        row = self.con.execute(
            f"SELECT count(*) FROM read_parquet('{self.storage.url(self.model_rel(model.name))}/"
            "data.parquet')"
        ).fetchone()
        return int(row[0]) if row else 0

    def _write_partitions(self, model: Model, since: dt.date | None) -> tuple[int, int]:
        part = model.header.partition_by or ""
        sql = declared_select(model)
        if since is not None:
            sql = f"SELECT * FROM ({sql}) AS _m WHERE {quote(part)} >= DATE '{since.isoformat()}'"
        base = self.model_rel(model.name)
        with self._tmpdir() as tmp:
            try:
                self._copy(sql, tmp / "out", part)
            except duckdb.Error as exc:
                raise model_error(model, exc) from exc
            written: set[str] = set()
            out = tmp / "out"
            for pdir in sorted(out.iterdir()) if out.exists() else []:
                value = pdir.name.split("=", 1)[1]
                files = sorted(pdir.glob("*.parquet"))
                for i, f in enumerate(files):
                    self._publish(f, f"{base}/{part}={value}/data_{i}.parquet")
                keep = {f"data_{i}.parquet" for i in range(len(files))}
                for old in self.storage.list_files(f"{base}/{part}={value}"):
                    if old not in keep:
                        self.storage.delete(f"{base}/{part}={value}/{old}")
                written.add(value)
        # partitions >= since that now have no rows
        for value in self._partitions(model):
            if value in written:
                continue
            if since is None or dt.date.fromisoformat(value) >= since:
                for old in self.storage.list_files(f"{base}/{part}={value}"):
                    self.storage.delete(f"{base}/{part}={value}/{old}")
                if self.storage.is_local:
                    shutil.rmtree(self.storage.path(f"{base}/{part}={value}"), ignore_errors=True)
        return 0, len(written)

    def close(self) -> None:
        self.con.close()
        self.store.close()


def build_models(
    settings: Settings,
    selectors: list[str] | None = None,
    full_refresh: bool = False,
    as_of: dt.datetime | None = None,
    project: Project | None = None,
    interval: tuple[dt.date, dt.date] | None = None,
) -> BuildReport:
    """Build the selected models (all by default) and publish them as warehouse views.

    `interval` bounds Insights' reports ([start, end) dates, as Insights' --interval); None: all events.
    """
    if project is None:
        user_dir = settings.models.user_dir
        project = load_project(Path(user_dir) if user_dir else None)
    models = project.models
    report = BuildReport(errors=list(project.errors))
    order = build_order(models)
    chosen = select(models, selectors) if selectors else set(models)
    from learnlake.warehouse import open_warehouse

    warehouse = open_warehouse(settings)
    warehouse.refresh()
    builder = Builder(settings, project, as_of, full_refresh, interval)
    bad: dict[str, str] = {}
    try:
        builder.bind_sources(None)
        for name in order:
            model = models[name]
            broken = sorted(d for d in dependencies(model, models) if d in bad)
            if name not in chosen:
                if not broken:
                    try:
                        builder.define_temp(model)
                    except ModelError:
                        bad[name] = "not built"
                continue
            missing = sorted(t for t in sources(model, models) if not builder.has_source(t))
            if missing or (broken and all(bad[d] == "waiting" for d in broken)):
                bad[name] = "waiting"
                why = f"needs {', '.join(missing)}, not in the lake yet" if missing else "upstream waiting"
                report.results.append(
                    ModelResult(
                        name,
                        "waiting",
                        message=f"{why}: {', '.join(broken)}" if broken and not missing else why,
                    )
                )
                continue
            if broken:
                bad[name] = "skipped"
                report.results.append(
                    ModelResult(name, "skipped", message=f"upstream failed: {', '.join(broken)}")
                )
                continue
            start = time.monotonic()
            try:
                result = builder.build(model)
            except (ModelError, duckdb.Error, OSError) as exc:
                err = exc if isinstance(exc, ModelError) else model_error(model, exc)
                log.warning("model %s failed: %s", name, err)
                bad[name] = "failed"
                report.results.append(
                    ModelResult(name, "failed", seconds=time.monotonic() - start, message=str(err))
                )
                continue
            report.results.append(result)
        _publish_views(warehouse, builder, [m for m in order if m not in bad])
    finally:
        builder.close()
    return report


PARAMETERS_TABLE = "model_parameters"


def _publish_views(warehouse: Any, builder: Builder, names: list[str]) -> None:
    """Define every good model as a warehouse view (one atomic swap), plus model_settings and
    model_parameters (the run parameters behind each model's rows)."""
    s = builder.settings.models
    start, end = builder.parameters["interval_start"], builder.parameters["interval_end"]
    with warehouse.writer() as con:
        # views read the parameters when queried: as_of is then the query time
        con.execute(
            f"CREATE OR REPLACE VIEW {SETTINGS_TABLE} AS "
            f"SELECT CAST({s.at_risk_days} AS BIGINT) AS at_risk_days, "
            f"CAST({s.active_days} AS BIGINT) AS active_days, CAST(now() AS TIMESTAMP) AS as_of, "
            f"CAST({_date_sql(start)} AS DATE) AS interval_start, "
            f"CAST({_date_sql(end)} AS DATE) AS interval_end"
        )
        con.register("_learnlake_parameters", _parameters_table(builder, names))
        try:
            con.execute(
                f"CREATE OR REPLACE TABLE {PARAMETERS_TABLE} AS "
                "SELECT * FROM _learnlake_parameters ORDER BY model"
            )
        finally:
            con.unregister("_learnlake_parameters")
        for name in names:
            model = builder.models[name]
            if model.header.materialization == "view":
                body = declared_select(model)
            else:
                body = builder.model_view_sql(model)
            try:
                con.execute(f"CREATE OR REPLACE VIEW {quote(name)} AS {body}")
            except duckdb.Error as exc:
                log.warning("model %s: cannot define the warehouse view: %s", name, exc)


def _date_sql(value: dt.date | None) -> str:
    return f"DATE '{value.isoformat()}'" if value else "NULL"


PARAMETERS_SCHEMA = pa.schema(
    [
        ("model", pa.string()),
        ("materialization", pa.string()),
        ("built_at", pa.timestamp("us")),
        ("reads_parameters", pa.bool_()),
        ("at_risk_days", pa.int64()),
        ("active_days", pa.int64()),
        ("as_of", pa.timestamp("us")),
        ("interval_start", pa.date32()),
        ("interval_end", pa.date32()),
    ]
)


def _parameters_table(builder: Builder, names: list[str]) -> pa.Table:
    """One row per published model: the parameters its rows were computed with.

    A materialized model keeps the parameters of the build that last wrote it (an unchanged model was
    not rewritten); a view reads model_settings when queried, so its as_of is the query time (NULL here).
    Models that read no parameter have NULL parameters.
    """
    rows: list[dict[str, Any]] = []
    for name in names:
        model = builder.models[name]
        mat = model.header.materialization
        row: dict[str, Any] = {"model": name, "materialization": mat, "reads_parameters": False}
        if mat == "view":
            if builder.reads_parameters(model):
                row.update(
                    {k: v for k, v in builder.parameters.items() if k != "as_of"}, reads_parameters=True
                )
        else:
            saved = builder.store.get_checkpoint(CHECKPOINT_SCOPE, name) or {}
            if saved.get("built_at"):
                row["built_at"] = dt.datetime.fromisoformat(saved["built_at"])
            params = saved.get("parameters")
            if params:
                row["reads_parameters"] = True
                row["at_risk_days"] = int(params["at_risk_days"])
                row["active_days"] = int(params["active_days"])
                row["as_of"] = dt.datetime.fromisoformat(params["as_of"]) if params.get("as_of") else None
                for k in ("interval_start", "interval_end"):
                    row[k] = dt.date.fromisoformat(params[k]) if params.get(k) else None
        rows.append(row)
    return pa.Table.from_pylist(rows, schema=PARAMETERS_SCHEMA)
