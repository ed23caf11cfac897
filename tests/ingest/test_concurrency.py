"""Readers keep answering, without lock errors, while an ingest and a warehouse writer run."""

from __future__ import annotations

import subprocess
import threading
import time
from pathlib import Path
from typing import Any

from ingest_helpers import cli_args, make_events, settings_for, to_lines, write_config, write_log

from learnlake.warehouse import open_warehouse


def test_readers_during_ingest_and_model_writes(tmp_path: Path, templates: list[dict[str, Any]]) -> None:
    lines = to_lines(make_events(templates, 6000, seed=14))
    for i in range(4):
        write_log(tmp_path / "logs" / f"tracking.log.{i}", lines[i * 1500 : (i + 1) * 1500])
    opts = {"tracking_logs": {"batch_rows": 300}}
    cfg = write_config(tmp_path / "learnlake.yaml", tmp_path / "data", **opts)
    settings = settings_for(tmp_path / "data", **opts)
    warehouse = open_warehouse(settings)
    warehouse.refresh()  # the views exist (empty) before the ingest starts

    errors: list[BaseException] = []
    stop = threading.Event()

    def model_builds() -> None:  # what a model build does: write tables, swapped in atomically
        try:
            while not stop.is_set():
                with warehouse.writer() as con:
                    con.execute(
                        "CREATE OR REPLACE TABLE model_counts AS SELECT count(*) AS n FROM tracking_events"
                    )
                time.sleep(0.05)
        except BaseException as exc:
            errors.append(exc)

    ingest = subprocess.Popen(
        cli_args(cfg, "-q", "ingest", "tracking-logs", "--workers", "0", str(tmp_path / "logs")),
        stderr=subprocess.PIPE,
    )
    writer = threading.Thread(target=model_builds)
    writer.start()
    counts: list[int] = []
    cli_runs = 0
    try:
        while ingest.poll() is None:
            n = warehouse.query("SELECT count(*) AS n FROM tracking_events").column("n")[0].as_py()
            counts.append(n)
            if len(counts) % 10 == 1:  # now and then through the command line too
                out = subprocess.run(
                    cli_args(
                        cfg, "query", "SELECT count(*) AS n FROM xapi_events_all_parsed", "--format", "csv"
                    ),
                    capture_output=True,
                    timeout=60,
                )
                assert out.returncode == 0, out.stderr.decode()
                cli_runs += 1
    finally:
        stop.set()
        writer.join()
        _, err = ingest.communicate(timeout=120)
    assert not errors, errors
    assert ingest.returncode in (0, 3), err.decode()
    assert len(counts) >= 5 and cli_runs >= 1
    assert counts == sorted(counts)  # committed batches only ever add rows
    warehouse.refresh()
    assert warehouse.query("SELECT count(*) AS n FROM tracking_events").column("n")[0].as_py() == 6000
