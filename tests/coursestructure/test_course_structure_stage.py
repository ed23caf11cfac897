"""`learnlake run` loads OLX course structure, skips unchanged exports and isolates broken ones."""

from __future__ import annotations

import shutil
from pathlib import Path

from learnlake.config import Settings
from learnlake.pipeline import run_pipeline
from learnlake.warehouse import open_warehouse


def test_run_loads_olx_courses_and_isolates_a_broken_export(tmp_path: Path, shared_dir: Path) -> None:
    courses = tmp_path / "courses"
    courses.mkdir()
    shutil.copy(shared_dir / "data" / "openedx-demo-course" / "course.tar.gz", courses / "demo.tar.gz")
    (courses / "broken.tar.gz").write_bytes(b"\x1f\x8b\x08 not really gzip")
    settings = Settings.model_validate(
        {
            "data_dir": tmp_path / "data",
            "extract": {"datasources": [{"name": "courses", "type": "olx", "location": str(courses)}]},
        }
    )
    [result] = run_pipeline(settings, only=["course-structure"])
    assert result.stage == "course-structure"
    assert result.status == "quarantined" and result.quarantined == 1
    assert result.message and "broken.tar.gz" in result.message
    warehouse = open_warehouse(settings)
    [overview] = warehouse.rows("SELECT course_key, display_name, lms FROM course_overviews")
    assert overview == {
        "course_key": "course-v1:OpenedX+DemoX+DemoCourse",
        "display_name": "Open edX Demo Course",
        "lms": "localhost",
    }
    blocks = warehouse.rows("SELECT count(*) AS n, count(DISTINCT location) AS d FROM course_blocks")[0]
    assert blocks["n"] == blocks["d"] == result.rows_out > 0

    [again] = run_pipeline(
        settings, only=["course-structure"]
    )  # unchanged export: skipped; the broken one is reported again
    assert again.rows_out == 0 and again.quarantined == 1
    assert warehouse.rows("SELECT count(*) AS n FROM course_blocks")[0]["n"] == blocks["n"]
