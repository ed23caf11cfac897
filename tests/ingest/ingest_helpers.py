"""Synthetic tracking logs built from real Open edX events, and lake readers, for ingest tests."""

from __future__ import annotations

import bz2
import copy
import datetime as dt
import gzip
import hashlib
import json
import random
from pathlib import Path
from typing import Any

import duckdb

from learnlake.config import Settings

BASE = dt.datetime(2024, 3, 1, 8, 0, tzinfo=dt.UTC)


def load_templates(shared: Path) -> list[dict[str, Any]]:
    """Real tracking events: the xAPI conformance inputs and the Insights fixture logs."""
    out: list[dict[str, Any]] = []
    for f in sorted((shared / "conformance/xapi/raw").glob("*.json")):
        out.append(json.loads(f.read_text()))
    for f in sorted((shared / "conformance/insights").glob("*/inputs/*.log")):
        for line in f.read_text().splitlines():
            line = line.strip()
            if line.startswith("{"):
                out.append(json.loads(line))
    return out


def make_events(templates: list[dict[str, Any]], n: int, seed: int, start: int = 0) -> list[dict[str, Any]]:
    """n distinct events: real templates with new times, user ids, usernames and IPs."""
    rng = random.Random(seed)
    out = []
    for i in range(start, start + n):
        ev = copy.deepcopy(templates[rng.randrange(len(templates))])
        when = BASE + dt.timedelta(seconds=i * 37 + seed * 86400 * 3, microseconds=rng.randrange(10**6))
        ev["time" if "time" in ev or "timestamp" not in ev else "timestamp"] = when.isoformat()
        uid = rng.randint(1, 400)
        ctx = ev.get("context")
        if not isinstance(ctx, dict):
            ctx = ev["context"] = {}
        ctx["user_id"] = uid
        if "username" in ev:
            ev["username"] = f"learner{uid:04d}x"
        if "username" in ctx:
            ctx["username"] = f"learner{uid:04d}x"
        if "ip" in ev:
            ev["ip"] = f"203.0.113.{uid % 250}"
        if "ip" in ctx:
            ctx["ip"] = f"203.0.113.{uid % 250}"
        out.append(ev)
    return out


def to_lines(events: list[dict[str, Any]]) -> list[bytes]:
    """One JSON line per event (compact, as the LMS writes)."""
    return [json.dumps(ev, separators=(",", ":")).encode() for ev in events]


def key_of(line: bytes) -> str:
    """tracking_events.event_key of a line: md5 of its JSON part."""
    text = line.strip()
    return hashlib.md5(text[text.find(b"{") :]).hexdigest()


def write_log(path: Path, lines: list[bytes], compression: str | None = None, mode: str = "wb") -> Path:
    """Write lines (newline-terminated) as plain, gz, bz2 or zst."""
    data = b"".join(line + b"\n" for line in lines)
    path.parent.mkdir(parents=True, exist_ok=True)
    if compression == "gz":
        data = gzip.compress(data)
    elif compression == "bz2":
        data = bz2.compress(data)
    elif compression == "zst":
        import zstandard

        data = zstandard.ZstdCompressor().compress(data)
    with open(path, mode) as fh:
        fh.write(data)
    return path


def settings_for(data_dir: Path, **kw: Any) -> Settings:
    """Settings for a test data dir; nested keys as dicts (e.g. privacy={'pii': True})."""
    values: dict[str, Any] = {"data_dir": data_dir, "site": {"lms_root_url": "https://lms.example.org"}}
    values["tracking_logs"] = {"batch_rows": kw.pop("batch_rows", 2000)}
    values.update(kw)
    return Settings.model_validate(values)


def lake_rows(settings: Settings, table: str, columns: str = "*") -> list[tuple[Any, ...]]:
    """Rows of a lake table read straight from its Parquet files (sorted), independent of learnlake."""
    root = Path(settings.lake_root) / settings.lake.prefix / table
    files = sorted(str(p) for p in root.rglob("*.parquet") if not p.name.startswith("."))
    if not files:
        return []
    con = duckdb.connect()
    con.execute("SET TimeZone='UTC'")
    rows = con.execute(
        f"SELECT {columns} FROM read_parquet(?, hive_partitioning=true) ORDER BY ALL", [files]
    ).fetchall()
    con.close()
    return rows


HARNESS = Path(__file__).with_name("cli_harness.py")


def write_config(path: Path, data_dir: Path, **kw: Any) -> Path:
    """A learnlake.yaml (JSON is YAML) for CLI subprocesses."""
    values: dict[str, Any] = {"data_dir": str(data_dir), "site": {"lms_root_url": "https://lms.example.org"}}
    values.update(kw)
    path.write_text(json.dumps(values))
    return path


def cli_args(config: Path, *args: str) -> list[str]:
    """argv running `learnlake --config CONFIG ARGS…` with this venv's Python."""
    import sys

    return [sys.executable, str(HARNESS), "--config", str(config), *args]


def lake_snapshot(settings: Settings) -> dict[str, list[tuple[Any, ...]]]:
    """Every lake table's rows (sorted; run-dependent columns left out), for row-for-row comparisons."""
    return {
        "tracking_events": lake_rows(settings, "tracking_events"),
        "xapi_events_all": lake_rows(settings, "xapi_events_all"),
        "quarantine": lake_rows(
            settings,
            "quarantine",
            "quarantine_id, source, byte_offset, line_number, stage, reason, raw, raw_size",
        ),
    }
