"""The command line: stages listed, global options, exit codes, JSON summaries, progress lines."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path

import pytest

from learnlake import progress


def learnlake(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    base_env = {"PATH": "/usr/bin:/bin", "COLUMNS": "200", "HOME": str(cwd or Path.cwd())}
    return subprocess.run(
        [sys.executable, "-m", "learnlake", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**base_env, **(env or {})},
        timeout=120,
    )


def test_help_lists_every_stage() -> None:
    proc = learnlake("--help")
    assert proc.returncode == 0
    for command in ("init", "config", "synth", "run", "runs", "serve", "demo"):
        assert f" {command} " in proc.stdout, command
    for option in ("--config", "--verbose", "--quiet", "--json"):
        assert option in proc.stdout


def test_console_script_is_installed() -> None:
    script = Path(sys.executable).parent / "learnlake"
    assert script.exists()
    proc = subprocess.run([str(script), "--version"], capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stdout.startswith("learnlake ")


def test_bad_usage_exits_2() -> None:
    assert learnlake("no-such-command").returncode == 2
    assert learnlake("runs", "--limit", "many").returncode == 2


def test_init_writes_a_valid_file_and_refuses_to_overwrite(tmp_path: Path) -> None:
    assert learnlake("init", cwd=tmp_path).returncode == 0
    text = (tmp_path / "learnlake.yaml").read_text(encoding="utf-8")
    assert "# Store personal data" in text
    again = learnlake("init", cwd=tmp_path)
    assert again.returncode == 2 and "--force" in again.stderr
    check = learnlake("--json", "config", "check", cwd=tmp_path)
    assert check.returncode == 0, check.stderr
    assert json.loads(check.stdout)["ok"] is True


def test_run_with_nothing_configured_and_runs_listing(tmp_path: Path) -> None:
    proc = learnlake("--json", "run", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == {"stages": [], "quarantined": 0}
    listing = learnlake("--json", "runs", cwd=tmp_path)
    assert listing.returncode == 0 and json.loads(listing.stdout) == {"runs": []}


def test_config_show_masks_secrets(tmp_path: Path) -> None:
    proc = learnlake("config", "show", cwd=tmp_path, env={"LEARNLAKE_SERVE__SECRET_KEY": "hunter2"})
    assert proc.returncode == 0, proc.stderr
    assert "hunter2" not in proc.stdout and "**********" in proc.stdout


def test_progress_without_a_tty_logs_plain_lines(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="learnlake.progress")
    with progress.progress("work", total=10, unit="events", every_s=0.0) as reporter:
        for _ in range(3):
            reporter.advance(2)
    messages = [r.getMessage() for r in caplog.records]
    assert messages, "expected periodic log lines"
    assert "work: 6/10 events (60%)" in messages[-1] and "events/s" in messages[-1] and "eta" in messages[-1]
