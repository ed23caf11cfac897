"""Constants and the Site record shared by the dashboard tests (imported by name, not via conftest)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from learnlake.config import Settings

EMBED_SECRET = "s3cret-shared-with-the-lms"
PASSWORD = "correct horse battery staple"
CONFIG = f"""\
data_dir: data
site:
  lms_root_url: "https://lms.learnlake.test"
privacy:
  pii: true  # usernames in the lake: Insights' per-learner reports (and their PII gating) need them
tracking_logs:
  paths: ["site/tracking"]
extract:
  datasources:
    - name: lms  # profiles, grades, cohorts: enrollment demographics and engagement reports
      type: sqlite
      url: "sqlite:///site/lms.sqlite"
    - name: courses
      type: olx
      location: "site/courses"
serve:
  embed_secret: "{EMBED_SECRET}"
"""


@dataclass(frozen=True)
class Site:
    """The session's site: settings, its courses and orgs, and API tokens per role."""

    root: Path
    settings: Settings
    course_a: str  # a course of org_a
    course_b: str  # a course of another org
    org_a: str
    org_b: str
    actor: str  # a learner with events in course_a
    tokens: dict[str, str]


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve_process(root: Path, start_timeout_s: float = 120.0) -> Iterator[str]:
    """`learnlake serve` for the site in `root` as a real process on a free port; yields its URL.

    The start deadline is generous: the suite runs on a loaded 2-core machine.
    """
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "learnlake", "-q", "serve", "--port", str(port)],
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + start_timeout_s
    try:
        while True:
            try:
                urllib.request.urlopen(url + "/healthz", timeout=1).read()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    proc.kill()
                    err = proc.stderr.read().decode() if proc.stderr else ""
                    raise RuntimeError(f"server did not start: {err[-2000:]}") from None
                time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=15)
