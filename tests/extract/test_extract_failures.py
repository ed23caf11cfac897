"""One broken table is reported (exit code, run history) and the others still load."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from conftest import connect, make_settings
from learnlake.cli import app
from learnlake.state import StateStore


def test_renamed_column_fails_alone(tmp_path: Path, lms_mysql: tuple[str, str]) -> None:
    url, database = lms_mysql
    conn = connect(database)
    with conn.cursor() as cur:
        cur.execute("ALTER TABLE student_courseaccessrole CHANGE COLUMN `role` `role_name` VARCHAR(64)")
    conn.close()
    path, settings = make_settings(tmp_path, [{"name": "lms", "type": "mysql", "url": url}])
    result = CliRunner().invoke(app, ["--config", str(path), "extract"])
    assert result.exit_code == 1, result.output
    assert "student_courseaccessrole" in result.output and "role" in result.output
    assert "31 tables" in result.output and "1 failed" in result.output
    store = StateStore(settings.state_dir)
    run = store.runs(limit=1, stage="extract")[0]
    store.close()
    assert run.status == "failed"
    assert run.message and "student_courseaccessrole" in run.message and "role" in run.message
    assert run.rows_out > 0
    # every other table is in the lake
    lake = Path(settings.lake_root) / "openedx"
    assert (lake / "auth_user").is_dir() and (lake / "courseware_studentmodule").is_dir()
    assert not (lake / "student_courseaccessrole").exists()


def test_pipeline_stage_counts_failed_tables(tmp_path: Path, lms_sqlite: Path) -> None:
    from learnlake.pipeline import run_pipeline

    ds = {
        "name": "lms",
        "type": "sqlite",
        "url": f"sqlite:///{lms_sqlite}",
        "tables": [{"name": "auth_user"}, {"name": "no_such_table"}, {"name": "student_courseenrollment"}],
    }
    _, settings = make_settings(tmp_path, [ds])
    results = {r.stage: r for r in run_pipeline(settings, only=["extract"])}
    assert results["extract"].quarantined == 1
    assert "no_such_table" in (results["extract"].message or "")
    assert results["extract"].rows_out > 0


def test_lost_connection_is_retried(tmp_path: Path, lms_mysql: tuple[str, str]) -> None:
    from learnlake.config.settings import TableSettings
    from learnlake.extract.run import _Context, _extract_one
    from learnlake.extract.sources import open_source

    url, _ = lms_mysql
    _, settings = make_settings(tmp_path, [{"name": "lms", "type": "mysql", "url": url, "driver": "dbapi"}])
    source = open_source(settings.extract.datasources[0])
    (connection_id,) = source.query("SELECT CONNECTION_ID()")[0]
    killer = connect()
    with killer.cursor() as cur:
        cur.execute(f"KILL {int(connection_id)}")  # the server drops the extractor's connection
    killer.close()
    store = StateStore(settings.state_dir)
    ctx = _Context(settings, settings.extract.datasources[0], source, store)
    result = _extract_one(ctx, TableSettings(name="student_courseenrollment"), full=False)
    assert result.status == "loaded" and result.rows > 0, result
    source.close()
    store.close()
