"""Run history, checkpoints and the batch lock."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from learnlake.state import LockedError, StateStore, batch_lock


def test_run_history_records_counters_and_status(tmp_path: Path) -> None:
    store = StateStore(tmp_path)
    with store.run("ingest", ["a.log"]) as counters:
        counters.rows_in, counters.rows_out = 10, 9
    with store.run("ingest", ["b.log"]) as counters:
        counters.rows_in, counters.quarantined = 5, 2
    with pytest.raises(RuntimeError), store.run("extract"):
        raise RuntimeError("database went away")
    runs = store.runs()
    assert [r.status for r in runs] == ["failed", "quarantined", "ok"]
    assert runs[0].message == "RuntimeError: database went away"
    assert (runs[1].rows_in, runs[1].quarantined, runs[1].inputs) == (5, 2, ["b.log"])
    assert runs[2].rows_out == 9 and runs[2].duration_s is not None and runs[2].finished_at
    assert [r.stage for r in store.runs(stage="extract")] == ["extract"]


def test_checkpoints_roundtrip(tmp_path: Path) -> None:
    store = StateStore(tmp_path)
    assert store.get_checkpoint("files", "x") is None
    store.set_checkpoint("files", "x", {"offset": 10})
    store.set_checkpoint("files", "x", {"offset": 20})
    store.set_checkpoint("files", "y", 1)
    store.close()
    reopened = StateStore(tmp_path)
    assert reopened.get_checkpoint("files", "x") == {"offset": 20}
    assert reopened.checkpoints("files") == {"x": {"offset": 20}, "y": 1}


def test_second_holder_gets_a_clear_message(tmp_path: Path) -> None:
    expected = r"another learnlake batch run holds .*pid \d+, learnlake run"
    with (
        batch_lock(tmp_path, "learnlake run"),
        pytest.raises(LockedError, match=expected),
        batch_lock(tmp_path, "second", wait_s=0.3),
    ):
        pass
    with batch_lock(tmp_path, "after release"):
        pass


HOLDER = """
import sys, time
from pathlib import Path
from learnlake.state import batch_lock
with batch_lock(Path(sys.argv[1]), "holder"):
    print("locked", flush=True)
    time.sleep(60)
"""


def test_lock_dies_with_a_killed_process(tmp_path: Path) -> None:
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
    with pytest.raises(LockedError), batch_lock(tmp_path, "other"):
        pass
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    start = time.monotonic()
    with batch_lock(tmp_path, "after kill", wait_s=5):
        assert time.monotonic() - start < 5


def test_interrupted_runs_are_marked(tmp_path: Path) -> None:
    store = StateStore(tmp_path)
    store._db.execute(
        "INSERT INTO runs (stage, started_at, status) VALUES ('ingest', '2026-01-01', 'running')"
    )
    assert store.mark_interrupted() == 1
    assert store.runs()[0].status == "interrupted"
