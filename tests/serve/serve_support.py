"""Constants and the Site record shared by the dashboard tests (imported by name, not via conftest)."""

from __future__ import annotations

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
