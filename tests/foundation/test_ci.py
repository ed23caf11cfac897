"""CI plumbing: a pytest run that collects nothing must fail, not pass silently."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_pytest_wrapper_fails_when_no_test_is_collected(tmp_path: Path) -> None:
    (tmp_path / "test_nothing_here.py").write_text("x = 1\n", encoding="utf-8")
    proc = subprocess.run(
        ["bash", "scripts/pytest.sh", str(tmp_path), "-p", "no:cacheprovider", "-q"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1
    assert "collected no tests" in proc.stderr


def test_ci_runs_make_test_only() -> None:
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    commands = [
        line
        for line in script.splitlines()
        if line.strip() and not line.startswith("#") and not line.startswith(("set ", "cd "))
    ]
    assert commands == ["exec make test"]
