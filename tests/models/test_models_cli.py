"""`learnlake models run NAME --source ... --output`, `models list`, `models docs`, header errors."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from models_helpers import EXPECTED, INPUTS
from typer.testing import CliRunner

from learnlake.cli import app
from learnlake.models.spec import ModelError, load_project, parse_model_file

runner = CliRunner()


@pytest.fixture()
def cfg(tmp_path: Path) -> Path:
    path = tmp_path / "learnlake.yaml"
    path.write_text(f"data_dir: {tmp_path / 'data'}\n")
    return path


def test_isolated_run_writes_the_models_rows(cfg: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    result = runner.invoke(
        app,
        [
            "--config",
            str(cfg),
            "models",
            "run",
            "dim_most_recent_enrollment",
            "--source",
            f"enrollment_events={EXPECTED / 'enrollment_events_expected.csv'}",
            "--output",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    with out.open() as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 423
    assert set(rows[0]) == {
        "org",
        "course_key",
        "actor_id",
        "enrollment_status",
        "enrollment_mode",
        "emission_time",
    }


def test_isolated_run_builds_unsupplied_upstream_models_and_parquet_output(cfg: Path, tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    out = tmp_path / "out.parquet"
    result = runner.invoke(
        app,
        [
            "--config",
            str(cfg),
            "models",
            "run",
            "dim_course_block_names",
            "--engine",
            "chdb",
            "--source",
            f"course_blocks={INPUTS / 'course_blocks.csv'}",
            "--output",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert pq.read_table(out).num_rows == 1731


def test_isolated_run_names_missing_inputs(cfg: Path, tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        [
            "--config",
            str(cfg),
            "models",
            "run",
            "fact_enrollments",
            "--source",
            f"dim_course_names={EXPECTED / 'dim_course_names_expected.csv'}",
            "-o",
            str(tmp_path / "x.csv"),
        ],
    )
    assert result.exit_code == 1
    assert "missing inputs" in result.output and "xapi_events_all_parsed" in result.output


def test_bad_source_argument_is_a_usage_error(cfg: Path, tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        [
            "--config",
            str(cfg),
            "models",
            "run",
            "dim_course_names",
            "--source",
            "nofile",
            "-o",
            str(tmp_path / "x.csv"),
        ],
    )
    assert result.exit_code == 2 and "TABLE=FILE" in result.output


def test_list_and_docs_cover_every_model(cfg: Path, tmp_path: Path) -> None:
    project = load_project()
    result = runner.invoke(app, ["--config", str(cfg), "--json", "models", "list"])
    assert result.exit_code == 0, result.output
    docs = runner.invoke(app, ["--config", str(cfg), "models", "docs"])
    assert docs.exit_code == 0
    for name, model in project.models.items():
        assert f"### {name}\n" in docs.output
        assert model.header.grain in docs.output
        for col in model.columns:
            assert f"| `{col.name}` |" in docs.output
    assert "dim_course_names --> dim_course_blocks" in docs.output  # lineage
    html = tmp_path / "models.html"
    assert (
        runner.invoke(
            app, ["--config", str(cfg), "models", "docs", "--format", "html", "-o", str(html)]
        ).exit_code
        == 0
    )
    assert "<h3>dim_student_status</h3>" in html.read_text()


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("SELECT 1 AS x\n", 1, "missing header"),
        (
            "/* ---\ndescription: d\ngrain: g\nmaterialization: incremental\ncolumns:\n"
            "  - {name: x, type: BIGINT, description: x}\n--- */\nSELECT 1 AS x\n",
            2,
            "partition_by",
        ),
        (
            "/* ---\ndescription: d\ngrain: g\ncolumns:\n"
            "  - {name: x, type: BIGINT, description: x}\n--- */\nSELECT (1 AS x FROM\n",
            7,
            "SQL",
        ),
        ("/* ---\ndescription: d\ngrain: g\nwhat: 1\ncolumns: []\n--- */\nSELECT 1 AS x\n", 4, "what"),
    ],
)
def test_header_and_sql_errors_name_file_and_line(tmp_path: Path, text: str, line: int, words: str) -> None:
    path = tmp_path / "m.sql"
    path.write_text(text)
    with pytest.raises(ModelError) as info:
        parse_model_file(path)
    assert str(info.value).startswith(f"{path}:{line}:"), str(info.value)
    assert words in str(info.value)


def test_interval_reaches_the_insights_reports(cfg: Path, tmp_path: Path) -> None:
    """`--interval START/END` is Insights' --interval: the reports read it from model_settings."""
    out = tmp_path / "interval.csv"
    base = ["--config", str(cfg), "models", "run", "insights_settings", "--output", str(out)]
    result = runner.invoke(app, [*base, "--interval", "2014-07-30/2014-08-07", "--as-of", "2014-08-10"])
    assert result.exit_code == 0, result.output
    row = next(csv.DictReader(out.open()))
    assert (row["interval_start"], row["interval_end"], row["report_end"]) == (
        "2014-07-30",
        "2014-08-07",
        "2014-08-07",
    )
    result = runner.invoke(app, [*base, "--interval", "2014-08-07/2014-07-30"])
    assert result.exit_code == 2 and "end must be after the start" in result.output


def test_columns_from_reuses_another_models_columns_and_names_a_bad_reference(tmp_path: Path) -> None:
    """Twin models (student_engagement_daily / _weekly) take their columns from the model they filter."""
    shipped = load_project()
    daily = shipped.models["student_engagement_daily"].columns
    activity = shipped.models["insights_engagement_activity"].columns
    assert [c.name for c in daily] == [c.name for c in activity if c.name != "interval_type"]
    assert [c.type for c in daily] == [c.type for c in activity if c.name != "interval_type"]

    user = tmp_path / "user"
    user.mkdir()
    (user / "my_weekly.sql").write_text(
        "/* ---\ndescription: d\ngrain: g\n"
        "columns_from: {model: student_engagement_weekly, exclude: [last_subsection_viewed]}\n"
        "columns:\n  - {name: extra, type: BIGINT, description: x}\n--- */\n"
        "SELECT * EXCLUDE (last_subsection_viewed), 1 AS extra FROM student_engagement_weekly\n"
    )
    (user / "my_bad.sql").write_text(
        "/* ---\ndescription: d\ngrain: g\ncolumns_from: {model: no_such_model}\n--- */\nSELECT 1 AS x\n"
    )
    project = load_project(user)
    names = [c.name for c in project.models["my_weekly"].columns]
    assert names[0] == "end_date" and names[-1] == "extra" and "last_subsection_viewed" not in names
    assert "my_bad" not in project.models
    assert any(
        str(e).startswith(f"{user / 'my_bad.sql'}:1:") and "no_such_model" in str(e) for e in project.errors
    )
