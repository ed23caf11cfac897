"""Test support for the Insights and learner models: fixture inputs → lake tables, models → rows.

Tracking logs go through learnlake's own ingest parser (`parse_chunk`, personal data kept so usernames
exist), so the models see exactly the `tracking_events` rows a real ingest writes. Models are built by
the model runner in isolation (`run_on_tables`, what `learnlake models run NAME --source ...` does), on
DuckDB and on chDB, and every check first requires both engines to give the same rows.
"""

from __future__ import annotations

import atexit
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pyarrow as pa

from learnlake.ingest.parse import parse_chunk
from learnlake.lake.layout import COURSE_BLOCKS_SCHEMA, TRACKING_EVENTS
from learnlake.models.engines import open_engine
from learnlake.models.graph import SETTINGS_TABLE
from learnlake.models.isolated import run_on_tables
from learnlake.models.spec import load_project


def parse_log(path: Path) -> pa.Table:
    """A tracking log file as `tracking_events` rows (the ingest parser, personal data kept)."""
    data = path.read_bytes()
    return parse_chunk(data, 0, 0, str(path), True, 10_000_000).tracking


def events_table(events: list[dict[str, Any]]) -> pa.Table:
    """Hand-made events (dicts in tracking-log shape) as `tracking_events` rows."""
    data = b"\n".join(json.dumps(e).encode() for e in events)
    table = parse_chunk(data, 0, 0, "handmade", True, 10_000_000).tracking
    assert table.num_rows == len(events), "a hand-made event did not parse"
    return table


def empty_tracking() -> pa.Table:
    """A `tracking_events` table with no rows."""
    return TRACKING_EVENTS.schema.empty_table()


def settings_table(
    interval: tuple[str | None, str | None] = (None, None), as_of: str = "2030-01-01 00:00:00"
) -> pa.Table:
    """The one-row `model_settings` table the runner provides."""
    start, end = interval
    return pa.table(
        {
            "at_risk_days": pa.array([7], pa.int64()),
            "active_days": pa.array([7], pa.int64()),
            "as_of": pa.array([dt.datetime.fromisoformat(as_of)], pa.timestamp("us")),
            "interval_start": pa.array([dt.date.fromisoformat(start) if start else None], pa.date32()),
            "interval_end": pa.array([dt.date.fromisoformat(end) if end else None], pa.date32()),
        }
    )


def _normal(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 9)
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    return value


class _Session:
    """One engine holding one input set; models are defined on demand, with their upstream models."""

    def __init__(self, inputs: dict[str, pa.Table], engine: str) -> None:
        self.inputs = inputs
        self.models = load_project().models
        self.engine = open_engine(engine)
        self.ready = set(inputs) | {SETTINGS_TABLE}
        self.rows: dict[str, list[dict[str, Any]]] = {}
        for table, data in inputs.items():
            self.engine.load(table, data)
        self.closed = False
        atexit.register(self.close)

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.engine.close()

    def get(self, name: str) -> list[dict[str, Any]]:
        if name not in self.rows:
            self._define(name)
            table = self.engine.fetch(name)
            self.rows[name] = [{k: _normal(v) for k, v in row.items()} for row in table.to_pylist()]
        return self.rows[name]

    def _define(self, name: str) -> None:
        if name in self.ready:
            return
        model = self.models[name]
        for ref in sorted(model.refs):
            assert ref in self.ready or ref in self.models, (
                f"{name} reads {ref}, which the test does not give"
            )
            self._define(ref)
        self.engine.define(model, materialize=True)
        self.ready.add(name)


_SESSIONS: dict[tuple[int, str], _Session] = {}


def built(name: str, inputs: dict[str, pa.Table], engine: str = "duckdb") -> list[dict[str, Any]]:
    """Rows of a model on one engine; the engine session is kept per input set (tests share inputs)."""
    key = (id(inputs), engine)
    session = _SESSIONS.get(key)
    if session is None or session.inputs is not inputs:
        for other in [k for k in _SESSIONS if k[1] == engine]:
            _SESSIONS.pop(other).close()  # chDB allows one session per process
        session = _SESSIONS[key] = _Session(inputs, engine)
    return session.get(name)


def build(name: str, inputs: dict[str, pa.Table], engine: str = "duckdb") -> list[dict[str, Any]]:
    """Rows of one model built by the model runner in isolation (`run_on_tables`)."""
    table = run_on_tables(load_project().models, name, inputs, engine=engine)
    return [{k: _normal(v) for k, v in row.items()} for row in table.to_pylist()]


def sort_key(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """Order rows with NULLs and mixed types."""
    return tuple((v is None, str(v)) for v in row)


def rows(name: str, inputs: dict[str, pa.Table], columns: list[str]) -> list[tuple[Any, ...]]:
    """The model's rows over `columns` as a sorted list, after checking DuckDB and chDB agree."""
    duck = sorted((tuple(r[c] for c in columns) for r in built(name, inputs, "duckdb")), key=sort_key)
    ch = sorted((tuple(r[c] for c in columns) for r in built(name, inputs, "chdb")), key=sort_key)
    assert duck == ch, f"{name}: DuckDB and chDB disagree"
    return duck


def course_blocks_from_rest(lines: list[dict[str, Any]]) -> pa.Table:
    """Course Blocks REST API responses as `course_blocks` rows (depth-first order, s:ss:u numbering)."""
    out: list[dict[str, Any]] = []
    for doc in lines:
        out += _course_rows(doc)
    return pa.Table.from_pylist(out, schema=COURSE_BLOCKS_SCHEMA)


def _course_rows(doc: dict[str, Any]) -> list[dict[str, Any]]:
    blocks = doc["blocks"]
    root_id = blocks[doc["root"]]["id"]
    course_key = doc.get("course_id") or root_id.split("+type@")[0].replace("block-v1:", "course-v1:")
    org = course_key.split(":", 1)[-1].split("+")[0]
    rows_: list[dict[str, Any]] = []
    seen: set[str] = set()
    counters = [0, 0, 0]
    stack = [doc["root"]]
    while stack:
        block_id = stack.pop()
        if block_id in seen or block_id not in blocks:
            continue
        seen.add(block_id)
        block = blocks[block_id]
        kind = block.get("type")
        if kind == "chapter":
            counters = [counters[0] + 1, 0, 0]
        elif kind == "sequential":
            counters = [counters[0], counters[1] + 1, 0]
        elif kind == "vertical":
            counters = [counters[0], counters[1], counters[2] + 1]
        s, ss, u = counters
        name = block.get("display_name")
        rows_.append(
            {
                "org": org,
                "course_key": course_key,
                "location": block.get("id", block_id),
                "display_name": name,
                "block_type": kind,
                "graded": bool(block.get("graded", False)),
                "order": len(rows_) + 1,
                "section": s,
                "subsection": ss,
                "unit": u,
                "section_number": f"{s}:0:0",
                "subsection_number": f"{s}:{ss}:0",
                "hierarchy_location": f"{s}:{ss}:{u}",
                "display_name_with_location": f"{s}:{ss}:{u} - {name}",
                "xblock_data_json": json.dumps(
                    {"block_type": kind, "section": s, "subsection": ss, "unit": u}
                ),
            }
        )
        stack.extend(reversed(block.get("children", [])))
    return rows_
