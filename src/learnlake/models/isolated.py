"""Run one model on given files: `learnlake models run NAME --source TABLE=FILE ... --output OUT`.

Each `--source` file is loaded as the upstream table of that name (a CSV is typed by the header of the
model of that name, or by the known warehouse table's columns). Only the named model is built, plus
any upstream model that was not given but whose own inputs were. Analysts test their models with it;
the conformance tests use it on Aspects' and Insights' fixtures.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from learnlake.models.engines import open_engine, settings_table
from learnlake.models.graph import SETTINGS_TABLE, build_order
from learnlake.models.sources import read_file, source_columns
from learnlake.models.spec import Model, ModelError


def parse_sources(items: list[str]) -> dict[str, Path]:
    """TABLE=FILE pairs into a mapping."""
    out: dict[str, Path] = {}
    for item in items:
        table, sep, file = item.partition("=")
        if not sep or not table or not file:
            raise ValueError(f"--source {item!r}: expected TABLE=FILE")
        out[table.strip().lower()] = Path(file)
    return out


def plan(models: dict[str, Model], name: str, given: set[str]) -> list[str]:
    """The models to build (in order) so that `name` can be built from the given tables."""
    if name not in models:
        raise ModelError(name, f"no model named {name!r} (see `learnlake models list`)")
    needed: set[str] = set()
    missing: list[str] = []

    def need(model: str) -> None:
        if model in needed:
            return
        needed.add(model)
        for ref in sorted(models[model].refs):
            if ref in given or ref == SETTINGS_TABLE:
                continue
            if ref in models:
                need(ref)
            else:
                missing.append(f"{ref} (read by {model})")

    need(name)
    if missing:
        raise ModelError(
            models[name].path,
            "missing inputs: pass --source TABLE=FILE for " + ", ".join(sorted(set(missing))),
        )
    order = build_order(models)
    return [m for m in order if m in needed]


def load_inputs(models: dict[str, Model], sources: dict[str, Path]) -> dict[str, pa.Table]:
    """Read every --source file, typed by the model or table of the same name."""
    con = duckdb.connect(":memory:")
    con.execute("SET TimeZone = 'UTC'")
    try:
        out: dict[str, pa.Table] = {}
        for table, path in sources.items():
            if table in models:
                types: dict[str, str] | None = {c.name: c.type for c in models[table].columns}
            else:
                types = source_columns(table)
            try:
                out[table] = read_file(con, path, types)
            except (duckdb.Error, ValueError, FileNotFoundError) as exc:
                raise ModelError(path, f"--source {table}: {str(exc).splitlines()[0]}") from exc
        return out
    finally:
        con.close()


def run_isolated(
    models: dict[str, Model],
    name: str,
    sources: dict[str, Path],
    engine: str = "duckdb",
    at_risk_days: int = 7,
    active_days: int = 7,
    as_of: dt.datetime | None = None,
    interval: tuple[dt.date, dt.date] | None = None,
) -> pa.Table:
    """Build `name` on the given files with the given engine; its rows as Arrow."""
    inputs = load_inputs(models, sources)
    return run_on_tables(models, name, inputs, engine, at_risk_days, active_days, as_of, interval)


def run_on_tables(
    models: dict[str, Model],
    name: str,
    inputs: dict[str, pa.Table],
    engine: str = "duckdb",
    at_risk_days: int = 7,
    active_days: int = 7,
    as_of: dt.datetime | None = None,
    interval: tuple[dt.date, dt.date] | None = None,
) -> pa.Table:
    """Build `name` on Arrow tables (already loaded inputs) with the given engine."""
    steps = plan(models, name, set(inputs))
    eng = open_engine(engine)
    try:
        if SETTINGS_TABLE not in inputs:
            now = as_of or dt.datetime.now(dt.UTC).replace(tzinfo=None)
            eng.load(SETTINGS_TABLE, settings_table(at_risk_days, active_days, now, interval))
        for table, data in inputs.items():
            eng.load(table, data)
        for step in steps:
            eng.define(models[step], materialize=True)
        return eng.fetch(name)
    finally:
        eng.close()


def write_output(table: pa.Table, path: Path) -> None:
    """Write rows to .csv or .parquet."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".parquet":
        pq.write_table(table, path, compression="zstd")
    elif path.suffix.lower() == ".csv":
        pacsv.write_csv(table, path)
    else:
        raise ValueError(f"--output {path}: expected a .csv or .parquet file")


def run_all(
    models: dict[str, Model],
    inputs: dict[str, pa.Table],
    engine: str = "duckdb",
    at_risk_days: int = 7,
    active_days: int = 7,
    as_of: dt.datetime | None = None,
) -> dict[str, pa.Table | ModelError]:
    """Build every model whose inputs are given, in order, in one engine session (the parity tests).

    A model that fails, or reads a table that is neither given nor built, maps to its error.
    """
    out: dict[str, pa.Table | ModelError] = {}
    eng = open_engine(engine)
    try:
        now = as_of or dt.datetime.now(dt.UTC).replace(tzinfo=None)
        if SETTINGS_TABLE not in inputs:
            eng.load(SETTINGS_TABLE, settings_table(at_risk_days, active_days, now))
        for table, data in inputs.items():
            eng.load(table, data)
        available = set(inputs) | {SETTINGS_TABLE}
        for name in build_order(models):
            model = models[name]
            missing = sorted(model.refs - available)
            if missing:
                out[name] = ModelError(model.path, f"inputs not available: {', '.join(missing)}")
                continue
            try:
                eng.define(model, materialize=True)
                out[name] = eng.fetch(name)
                available.add(name)
            except ModelError as exc:
                out[name] = exc
        return out
    finally:
        eng.close()
