"""SIGKILL at random instants (and at each step of a batch commit) loses and duplicates nothing."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import duckdb
from ingest_helpers import (
    cli_args,
    lake_snapshot,
    make_events,
    settings_for,
    to_lines,
    write_config,
    write_log,
)


def _make_logs(root: Path, templates: list[dict[str, Any]]) -> Path:
    logs = root / "logs"
    lines = to_lines(make_events(templates, 6000, seed=11))
    for i in range(6):
        part = lines[i * 1000 : (i + 1) * 1000]
        if i == 2:
            part = [*part[:700], b"{broken json", b"\xff\xfe not utf-8", *part[700:]]
        write_log(logs / f"tracking.log.{i}{'.gz' if i % 2 else ''}", part, "gz" if i % 2 else None)
    # rotated copy overlapping file 0: exercises dedup across batches and restarts
    write_log(logs / "tracking.log.0-copy", lines[500:1100])
    return logs


def _run(config: Path, logs: Path, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        cli_args(config, "ingest", "tracking-logs", "--workers", "0", str(logs)),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, **(env or {})},
        start_new_session=True,
    )


def _wait_for_work(proc: subprocess.Popen[bytes]) -> float:
    """Block until the run says it starts reading (after start-up and recovery); return the time."""
    assert proc.stderr is not None
    for line in proc.stderr:
        if b"ingest: " in line and b" files, " in line:
            break
    return time.monotonic()


def _warehouse_view(data: Path) -> dict[str, Any]:
    con = duckdb.connect(str(data / "warehouse.duckdb"), read_only=True)
    try:
        return {
            t: con.execute(f"SELECT count(*), count(DISTINCT {k}) FROM {t}").fetchone()
            for t, k in (("tracking_events", "event_key"), ("quarantine", "quarantine_id"))
        }
    finally:
        con.close()


def test_sigkill_at_random_points_matches_a_clean_run(
    tmp_path: Path, templates: list[dict[str, Any]]
) -> None:
    logs = _make_logs(tmp_path, templates)
    opts = {"tracking_logs": {"batch_rows": 400}}
    clean_cfg = write_config(tmp_path / "clean.yaml", tmp_path / "clean", **opts)
    proc = _run(clean_cfg, logs)
    started = _wait_for_work(proc)
    _, err = proc.communicate(timeout=120)
    work = time.monotonic() - started  # reading and writing, without start-up
    assert proc.returncode == 3, err.decode()  # finished, with quarantined lines
    clean = lake_snapshot(settings_for(tmp_path / "clean", **opts))
    assert len(clean["tracking_events"]) == 6000
    assert sum(1 for r in clean["quarantine"] if r[4] == "parse") == 2
    window = work / 4  # each kill lands somewhere in the next quarter of the work

    rng = random.Random(1234)
    kills = 0
    rounds = 0
    progress: list[int] = []
    # also one kill at each step of a batch commit: before staging, between staged files, after the commit
    injected = ["committed:4", "staged-file:3", "staging:2"]
    while kills < 20 or injected:
        rounds += 1
        data = tmp_path / f"crashed{rounds}"
        cfg = write_config(tmp_path / f"crashed{rounds}.yaml", data, **opts)
        stretch = 1.0
        for _attempt in range(200):
            if injected and _attempt == 0:
                proc = _run(cfg, logs, {"LEARNLAKE_CRASH_AT": injected.pop()})
                proc.wait(timeout=120)
                if proc.returncode == -signal.SIGKILL:
                    kills += 1
                continue
            proc = _run(cfg, logs)
            if kills >= 20 and not injected:
                proc.communicate(timeout=120)  # enough kills: let this round finish
                break
            _wait_for_work(proc)
            try:
                proc.wait(timeout=rng.uniform(0, window * stretch))
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
                kills += 1
                files = len(list(data.rglob("*.parquet")))
                # no progress twice in a row (only the end of the run left): give later kills more time
                stretch = stretch * 2 if progress[-1:] == [files] else 1.0
                progress.append(files)
                continue
            break  # the run finished by itself: the work is complete
        assert proc.returncode in (0, 3)
        settings = settings_for(data, **opts)
        got = lake_snapshot(settings)
        for table, rows in clean.items():
            assert got[table] == rows, f"round {rounds}: {table} differs from the clean run"
        assert _warehouse_view(data) == _warehouse_view(tmp_path / "clean")
        # and the state is consistent: one more run reads nothing
        if kills >= 20 and not injected:
            again = _run(cfg, logs)
            again.communicate(timeout=120)
            assert again.returncode == 0
            assert lake_snapshot(settings) == clean
    assert kills >= 20
    print(f"work {work:.2f}s, {kills} kills in {rounds} rounds, lake files after each kill: {progress}")
