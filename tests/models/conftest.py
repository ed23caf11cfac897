"""Fixtures of the model tests: a small synthetic site loaded into a lake, and its tables as Arrow."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pyarrow as pa
import pytest
from models_helpers import site_settings

from learnlake.config import Settings


def make_site(out: Path, days: int = 6, learners: int = 40) -> None:
    from learnlake.progress import progress
    from learnlake.synth.site import SynthOptions, generate_site

    options = SynthOptions(
        seed=5, orgs=1, courses=2, learners=learners, days=days, start=dt.date(2026, 1, 5), out=out
    )
    with progress("synth", unit="events") as reporter:
        generate_site(options, reporter)


@pytest.fixture(scope="session")
def models_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, Path]:
    """A synthetic site ingested into a lake (tracking logs + course structure), not yet modelled."""
    from learnlake.pipeline import run_pipeline

    root = tmp_path_factory.mktemp("models-site")
    make_site(root / "site")
    settings = site_settings(root / "data", root / "site")
    run_pipeline(settings, only=["ingest-tracking-logs", "course-structure"])
    return settings, root / "site"


@pytest.fixture(scope="session")
def site_tables(models_site: tuple[Settings, Path]) -> dict[str, pa.Table]:
    """The site's warehouse tables and LMS tables as Arrow (inputs of the parity tests)."""
    from learnlake.models.sources import adapt_table
    from learnlake.warehouse import open_warehouse

    settings, site = models_site
    wh = open_warehouse(settings)
    out: dict[str, pa.Table] = {}
    for name in ("tracking_events", "course_blocks", "course_overviews", "xapi_events_all"):
        out[name] = adapt_table(name, wh.query(f"SELECT * FROM {name}"))
    out["xapi_events_all_parsed"] = wh.query(
        "SELECT event_id, verb_id, actor_id, object_id, course_id, course_key, org, "
        "CAST(emission_time AS TIMESTAMP) AS emission_time, event FROM xapi_events_all"
    )
    con = sqlite3.connect(site / "lms.sqlite")
    try:
        names = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for name in names:
            cur = con.execute(f'SELECT * FROM "{name}"')
            cols = [d[0] for d in cur.description]
            rows = cur.fetchall()
            arrays = {c: [r[i] for r in rows] for i, c in enumerate(cols)}
            try:
                out[name] = pa.table(arrays)
            except (pa.ArrowInvalid, pa.ArrowTypeError):
                out[name] = pa.table(
                    {c: [None if v is None else str(v) for v in vals] for c, vals in arrays.items()}
                )
    finally:
        con.close()
    return out
