"""Aspects' expected model outputs (aspects-dbt unit-test seeds), reproduced by running each model in
isolation on its upstream inputs, on DuckDB and on ClickHouse (chDB).

Rows are compared as an unordered multiset, floats to 1e-6. Where learnlake deliberately differs from
Aspects (a ClickHouse accident rather than intent), the case names the difference and the test checks
it explicitly instead of hiding it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from models_helpers import (
    EXPECTED,
    INPUTS,
    diff_message,
    expected_rows,
    normal_rows,
    parsed_statements,
    read_csv_rows,
)

from learnlake.models import load_project
from learnlake.models.isolated import run_isolated
from learnlake.models.spec import SHIPPED_DIR


@dataclass
class Case:
    model: str
    inputs: dict[str, str]  # table -> "inputs/<file>", "expected/<model>" or "parsed"
    # Columns where Aspects' ClickHouse outer join prints '' / 0 for "no match" and learnlake gives NULL.
    null_for_no_match: set[str] = field(default_factory=set)
    as_of: dt.datetime | None = None


CASES = [
    Case("dim_most_recent_course_blocks", {"course_blocks": "inputs/course_blocks.csv"}),
    Case("dim_course_names", {"course_overviews": "inputs/course_overviews.csv"}),
    Case(
        "dim_course_block_names", {"dim_most_recent_course_blocks": "expected/dim_most_recent_course_blocks"}
    ),
    Case(
        "dim_course_blocks",
        {
            "dim_course_block_names": "expected/dim_course_block_names",
            "dim_course_names": "expected/dim_course_names",
        },
        null_for_no_match={
            "section_block_id",
            "subsection_block_id",
            "section_with_name",
            "subsection_with_name",
        },
    ),
    Case("enrollment_events", {"xapi_events_all_parsed": "parsed"}),
    Case("grading_events", {"xapi_events_all_parsed": "parsed"}),
    Case("navigation_events", {"xapi_events_all_parsed": "parsed"}),
    Case("problem_events", {"xapi_events_all_parsed": "parsed"}),
    Case("video_playback_events", {"xapi_events_all_parsed": "parsed"}),
    Case("dim_most_recent_enrollment", {"enrollment_events": "expected/enrollment_events"}),
    Case(
        "fact_enrollments",
        {
            "enrollment_events": "expected/enrollment_events",
            "dim_course_names": "expected/dim_course_names",
            "user_pii": "expected/user_pii",
        },
    ),
    Case("user_pii", {"user_profile": "inputs/user_profile.csv", "external_id": "inputs/external_id.csv"}),
    Case(
        "dim_learner_last_response",
        {"problem_events": "expected/problem_events", "dim_course_blocks": "expected/dim_course_blocks"},
    ),
]


@pytest.fixture(scope="module")
def project():  # type: ignore[no-untyped-def]
    return load_project(None, SHIPPED_DIR)


@pytest.fixture(scope="module")
def parsed_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("aspects") / "xapi_events_all_parsed.parquet"
    pq.write_table(parsed_statements(), path)
    return path


def _sources(case: Case, parsed_file: Path) -> dict[str, Path]:
    out = {}
    for table, where in case.inputs.items():
        if where == "parsed":
            out[table] = parsed_file
        elif where.startswith("expected/"):
            out[table] = EXPECTED / f"{where.split('/', 1)[1]}_expected.csv"
        else:
            out[table] = INPUTS / where.split("/", 1)[1]
    return out


@pytest.mark.parametrize("engine", ["duckdb", "chdb"])
@pytest.mark.parametrize("case", CASES, ids=[c.model for c in CASES])
def test_aspects_expected_file_is_reproduced(case: Case, engine: str, project, parsed_file: Path) -> None:  # type: ignore[no-untyped-def]
    model = project.models[case.model]
    columns, rows = read_csv_rows(EXPECTED / f"{case.model}_expected.csv")
    declared = {c.name: c.type.upper() for c in model.columns}
    assert set(columns) <= set(declared), f"columns missing from the model: {set(columns) - set(declared)}"
    extra = set(declared) - set(columns)
    assert extra <= {"event_date"}, f"columns Aspects does not have: {extra}"
    floats = {c for c in columns if declared[c] in ("DOUBLE", "FLOAT", "REAL")}
    table = run_isolated(
        project.models, case.model, _sources(case, parsed_file), engine=engine, as_of=case.as_of
    )
    # The deliberate difference: no match is NULL here, '' in Aspects. Check it, then compare as printed.
    for col in case.null_for_no_match:
        values = table.column(col).to_pylist()
        assert "" not in values, f"{col}: '' where learnlake means 'no match' (NULL)"
        assert None in values, f"{col}: expected some NULLs (Aspects prints them as '')"
    ours = normal_rows(table, columns, floats)
    want = expected_rows(rows, columns, floats)
    assert ours == want, diff_message(ours, want, columns)
