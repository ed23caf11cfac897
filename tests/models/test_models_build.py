"""Building models into the lake and warehouse: full build, incremental by day, failure isolation,
user models."""

from __future__ import annotations

import datetime as dt
import gzip
import os
import shutil
from pathlib import Path

import pytest
from models_helpers import site_settings

from learnlake.config import Settings
from learnlake.config.settings import DatasourceSettings
from learnlake.models.build import build_models, models_rel
from learnlake.pipeline import run_pipeline
from learnlake.warehouse import open_warehouse

ASPECTS_EVENT_MODELS = [
    "enrollment_events",
    "grading_events",
    "navigation_events",
    "problem_events",
    "video_playback_events",
]


@pytest.fixture(scope="module")
def lake(
    models_site: tuple[Settings, Path], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Settings, Path]:
    """A private copy of the ingested site's data dir (the tests here change it)."""
    settings, site = models_site
    root = tmp_path_factory.mktemp("build")
    shutil.copytree(settings.data_dir, root / "data")
    shutil.copytree(site, root / "site")
    return site_settings(root / "data", root / "site"), root / "site"


def _by_name(report):  # type: ignore[no-untyped-def]
    return {r.name: r for r in report.results}


def _files(settings: Settings, model: str) -> dict[str, tuple[int, int]]:
    base = Path(settings.lake_root) / models_rel(settings.lake.prefix, model)
    return {
        str(p.relative_to(base)): (p.stat().st_ino, p.stat().st_mtime_ns) for p in base.rglob("*.parquet")
    }


def test_full_then_unchanged_then_one_new_day(lake: tuple[Settings, Path]) -> None:
    settings, site = lake
    first = _by_name(build_models(settings))
    aspects = [
        r for r in first.values() if r.name in ASPECTS_EVENT_MODELS or r.name.startswith(("dim_", "fact_"))
    ]
    assert aspects and all(r.status == "built" for r in aspects), [
        (r.name, r.message) for r in aspects if r.status != "built"
    ]
    wh = open_warehouse(settings)
    counts = {
        m: wh.query(f"SELECT count(*) AS n FROM {m}").column("n")[0].as_py() for m in ASPECTS_EVENT_MODELS
    }
    assert all(n > 0 for n in counts.values()), counts
    assert wh.query("SELECT count(*) AS n FROM dim_student_status").column("n")[0].as_py() > 0
    before = {m: _files(settings, m) for m in ASPECTS_EVENT_MODELS}

    second = _by_name(build_models(settings))
    for m in [*ASPECTS_EVENT_MODELS, "dim_most_recent_enrollment", "fact_video_segment_ranges"]:
        assert second[m].status == "unchanged", (m, second[m])
    assert {m: _files(settings, m) for m in ASPECTS_EVENT_MODELS} == before

    # one more day of events: a copy of an existing day moved to 2026-01-12
    src = site / "tracking" / "tracking.log-20260109-1.gz"
    text = gzip.decompress(src.read_bytes()).decode().replace("2026-01-09", "2026-01-12")
    (site / "tracking" / "tracking.log-20260112-1.gz").write_bytes(gzip.compress(text.encode()))
    run_pipeline(settings, only=["ingest-tracking-logs"])
    third = _by_name(build_models(settings))
    for m in ASPECTS_EVENT_MODELS:
        r = third[m]
        assert r.status == "built" and r.partitions == 1 and r.message == "since 2026-01-12", (m, r)
        after = _files(settings, m)
        assert {k: v for k, v in after.items() if "2026-01-12" not in k} == before[m], (
            f"{m}: history rewritten"
        )
        assert any("event_date=2026-01-12" in k for k in after)
    n = (
        wh.query("SELECT count(*) AS n FROM navigation_events WHERE event_date = DATE '2026-01-12'")
        .column("n")[0]
        .as_py()
    )
    m = (
        wh.query("SELECT count(*) AS n FROM navigation_events WHERE event_date = DATE '2026-01-09'")
        .column("n")[0]
        .as_py()
    )
    assert n == m > 0

    full = _by_name(build_models(settings, full_refresh=True))
    assert full["navigation_events"].status == "built" and full["navigation_events"].message is None
    assert (
        wh.query("SELECT count(*) AS n FROM navigation_events").column("n")[0].as_py()
        == third["navigation_events"].rows
    )


def test_user_models_are_built_with_the_shipped_ones_and_a_broken_one_is_named(
    lake: tuple[Settings, Path], tmp_path: Path
) -> None:
    settings, _site = lake
    user = tmp_path / "my_models"
    user.mkdir()
    (user / "my_course_activity.sql").write_text(
        "/* ---\ndescription: Navigation events per course.\ngrain: one row per course_key\n"
        "materialization: table\n"
        "columns:\n  - {name: course_key, type: VARCHAR, description: Course}\n"
        "  - {name: visits, type: BIGINT, description: Navigation events}\n--- */\n"
        "SELECT course_key, count(*) AS visits FROM navigation_events GROUP BY course_key\n"
    )
    (user / "my_broken.sql").write_text(
        "/* ---\ndescription: Broken on purpose.\ngrain: none\ncolumns:\n"
        "  - {name: x, type: BIGINT, description: x}\n--- */\n"
        "SELECT\n    no_such_column AS x\nFROM navigation_events\n"
    )
    (user / "my_bad_header.sql").write_text("/* ---\ndescription: [unclosed\n--- */\nSELECT 1 AS x\n")
    configured = settings.model_copy(update={"models": settings.models.model_copy(update={"user_dir": user})})
    report = build_models(configured)
    results = _by_name(report)
    assert results["my_course_activity"].status == "built"
    assert results["my_broken"].status == "failed"
    assert f"{user / 'my_broken.sql'}:8:" in (results["my_broken"].message or "")
    assert any(f"{user / 'my_bad_header.sql'}:2" in str(e) for e in report.errors), report.errors
    assert results["navigation_events"].status in ("built", "unchanged")
    assert all(
        r.status in ("built", "unchanged") for n, r in results.items() if n.startswith(("dim_", "fact_"))
    )
    rows = (
        open_warehouse(configured)
        .query("SELECT sum(visits) AS n FROM my_course_activity")
        .column("n")[0]
        .as_py()
    )
    assert rows and rows > 0


def test_model_parameters_trace_each_models_rows_to_the_run_parameters(lake: tuple[Settings, Path]) -> None:
    settings, _site = lake
    as_of = dt.datetime(2026, 1, 20, 8, 30)
    interval = (dt.date(2026, 1, 5), dt.date(2026, 1, 12))
    report = build_models(
        settings,
        ["+course_activity", "+at_risk_learners", "navigation_events"],
        as_of=as_of,
        interval=interval,
    )
    assert not report.failed, [(r.name, r.message) for r in report.failed]
    wh = open_warehouse(settings)
    rows = {r["model"]: r for r in wh.rows("SELECT * FROM model_parameters")}
    activity = rows["course_activity"]  # a table reading the interval: the parameters of this build
    assert activity["reads_parameters"] and activity["materialization"] == "table"
    assert (activity["as_of"], activity["interval_start"], activity["interval_end"]) == (as_of, *interval)
    assert activity["at_risk_days"] == settings.models.at_risk_days and activity["built_at"] is not None
    events = rows["navigation_events"]  # reads no parameter
    assert not events["reads_parameters"] and events["as_of"] is None and events["at_risk_days"] is None
    at_risk = rows["at_risk_learners"]  # a view: its as_of is the query time
    assert at_risk["reads_parameters"] and at_risk["as_of"] is None and at_risk["built_at"] is None
    assert at_risk["at_risk_days"] == settings.models.at_risk_days
    settings_row = wh.rows("SELECT * FROM model_settings")[0]
    assert (settings_row["interval_start"], settings_row["interval_end"]) == interval

    # an unchanged model keeps the parameters of the build that wrote it
    again = build_models(settings, ["insights_events"], as_of=as_of + dt.timedelta(days=1))
    assert {r.name: r.status for r in again.results}["insights_events"] == "unchanged"
    rows = {r["model"]: r for r in wh.rows("SELECT * FROM model_parameters")}
    assert rows["course_activity"]["as_of"] == as_of


def test_a_failing_model_skips_only_its_readers(lake: tuple[Settings, Path], tmp_path: Path) -> None:
    settings, _site = lake
    user = tmp_path / "m"
    user.mkdir()
    header = (
        "/* ---\ndescription: d\ngrain: g\nmaterialization: table\ncolumns:\n"
        "  - {name: x, type: BIGINT, description: x}\n--- */\n"
    )
    (user / "base_fails.sql").write_text(header + "SELECT CAST('x' AS BIGINT) AS x\n")
    (user / "reads_failing.sql").write_text(header + "SELECT x FROM base_fails\n")
    (user / "independent.sql").write_text(header + "SELECT 1 AS x\n")
    configured = settings.model_copy(update={"models": settings.models.model_copy(update={"user_dir": user})})
    results = _by_name(build_models(configured, ["base_fails", "reads_failing", "independent"]))
    assert results["base_fails"].status == "failed"
    assert results["reads_failing"].status == "skipped" and "base_fails" in (
        results["reads_failing"].message or ""
    )
    assert results["independent"].status == "built"
    assert set(results) == {"base_fails", "reads_failing", "independent"}
    assert os.path.exists(
        Path(settings.lake_root) / models_rel(settings.lake.prefix, "independent") / "data.parquet"
    )


def test_models_wait_for_lms_tables_then_build_from_extracted_ones(lake: tuple[Settings, Path]) -> None:
    settings, site = lake
    report = build_models(settings)
    results = _by_name(report)
    assert not report.failed, [(r.name, r.message) for r in report.failed]
    waiting = results["course_enrollment_gender_daily"]
    assert waiting.status == "waiting" and "auth_userprofile" in (waiting.message or "")
    assert results["fact_enrollments"].status in ("built", "unchanged")

    # once the LMS tables are extracted into the lake, the same models build from them
    with_lms = _with_lms(settings, site, pii=False)
    run_pipeline(with_lms, only=["extract"])
    results = _by_name(build_models(with_lms))
    assert not [r for r in results.values() if r.status in ("waiting", "failed", "skipped")]
    assert (results["course_enrollment_gender_daily"].rows or 0) > 0
    assert (results["learner_course_progress"].rows or 0) > 0
    rows = open_warehouse(with_lms).rows("SELECT count(*) AS n FROM course_enrollment_gender_daily")
    assert rows[0]["n"] == results["course_enrollment_gender_daily"].rows


def _with_lms(settings: Settings, site: Path, pii: bool) -> Settings:
    lms = DatasourceSettings(name="lms", type="sqlite", url=f"sqlite:///{site / 'lms.sqlite'}")
    extract = settings.extract.model_copy(update={"datasources": [*settings.extract.datasources, lms]})
    privacy = settings.privacy.model_copy(update={"pii": pii})
    return settings.model_copy(update={"extract": extract, "privacy": privacy})


def test_event_sink_tables_come_from_extracted_lms_tables_with_pii_only_when_on(
    lake: tuple[Settings, Path], tmp_path: Path
) -> None:
    import sqlite3

    base, site = lake
    with sqlite3.connect(site / "lms.sqlite") as db:
        (hex_id, user_id) = db.execute(
            "SELECT e.external_user_id, e.user_id FROM external_user_ids_externalid e "
            "JOIN external_user_ids_externalidtype t ON t.id = e.external_id_type_id WHERE t.name = 'xapi' "
            "ORDER BY e.user_id LIMIT 1"
        ).fetchone()
        username = db.execute("SELECT username FROM auth_user WHERE id = ?", (user_id,)).fetchone()[0]

    off = _with_lms(base.model_copy(update={"data_dir": tmp_path / "off"}), site, pii=False)
    shutil.copytree(base.data_dir, off.data_dir)
    run_pipeline(off, only=["extract"])
    build_models(off, ["user_pii"])
    assert open_warehouse(off).rows("SELECT count(*) AS n FROM user_pii") == [{"n": 0}]

    on = _with_lms(base.model_copy(update={"data_dir": tmp_path / "on"}), site, pii=True)
    shutil.copytree(base.data_dir, on.data_dir)
    run_pipeline(on, only=["extract"])
    build_models(on, ["user_pii"])
    row = open_warehouse(on).rows("SELECT * FROM user_pii WHERE user_id = ?", [user_id])[0]
    assert row["username"] == username
    hex_clean = str(hex_id).replace("-", "")
    assert row["external_user_id"].replace("-", "") == hex_clean and len(row["external_user_id"]) == 36
