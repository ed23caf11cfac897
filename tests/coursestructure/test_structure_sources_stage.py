"""`learnlake run` loads course structure from the modulestore and the REST API, isolating failures."""

from __future__ import annotations

from pathlib import Path

import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pymysql
from lms_api_server import CLIENT_ID, CLIENT_SECRET, blocks_from_olx, serve_lms
from modulestore_recorder import RECORDED

from learnlake.config import Settings
from learnlake.coursestructure.builder import COURSE_STRUCTURES_SCHEMA
from learnlake.coursestructure.modulestore import SPLIT_INDEX_TABLE
from learnlake.coursestructure.olx import course_structure_paths
from learnlake.pipeline import run_pipeline
from learnlake.warehouse import open_warehouse

DEMO = "course-v1:OpenedX+DemoX+DemoCourse"


def _split_index(mariadb_url: str, rows: list[tuple[int, str, str]]) -> None:
    from urllib.parse import urlparse

    url = urlparse(mariadb_url)
    conn = pymysql.connect(
        host=url.hostname,
        port=url.port or 3306,
        user=url.username or "root",
        password=url.password or "",
        database=url.path.lstrip("/"),
        autocommit=True,
    )
    with conn.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS {SPLIT_INDEX_TABLE}")
        cur.execute(
            f"CREATE TABLE {SPLIT_INDEX_TABLE} (id INT PRIMARY KEY, course_id VARCHAR(255), "
            "published_version VARCHAR(24))"
        )
        cur.executemany(f"INSERT INTO {SPLIT_INDEX_TABLE} VALUES (%s, %s, %s)", rows)
    conn.close()


def test_run_loads_modulestore_courses(tmp_path: Path, mariadb_url: str) -> None:
    from bson import json_util

    published = str(
        json_util.loads(RECORDED.read_text())["active_versions"][0]["versions"]["published-branch"]
    )
    _split_index(mariadb_url, [(1, DEMO, published), (2, "course-v1:X+Missing+Run", "f" * 24)])
    settings = Settings.model_validate(
        {
            "data_dir": tmp_path / "data",
            "extract": {
                "datasources": [
                    {
                        "name": "split",
                        "type": "openedx_course_structures",
                        "url": mariadb_url,
                        "location": str(RECORDED),
                    },
                    {
                        "name": "down",
                        "type": "openedx_course_structures",
                        "mongodb_url": "mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=300",
                    },
                ]
            },
        }
    )
    [result] = run_pipeline(settings, only=["course-structure"])
    assert result.stage == "course-structure"
    assert result.quarantined == 2 and result.message  # the missing structure, the unreachable Mongo
    assert "course-v1:X+Missing+Run" in result.message and "down:" in result.message
    paths = course_structure_paths(settings, DEMO)
    lake = Path(settings.lake_root)
    structures = pq.read_table(lake / paths["course_structures"])
    assert structures.num_rows == result.rows_out > 100
    warehouse = open_warehouse(settings)
    assert warehouse.rows("SELECT count(*) AS n FROM course_blocks")[0]["n"] == result.rows_out
    assert warehouse.rows("SELECT count(*) AS n FROM course_structures")[0]["n"] == result.rows_out

    [again] = run_pipeline(settings, only=["course-structure"])  # unchanged published version: skipped
    assert again.rows_out == 0 and again.quarantined == 2


def test_run_loads_rest_courses(tmp_path: Path, shared_dir: Path) -> None:
    demo = blocks_from_olx(shared_dir / "data" / "openedx-demo-course" / "course.tar.gz")
    with serve_lms({DEMO: demo}) as api:
        settings = Settings.model_validate(
            {
                "data_dir": tmp_path / "data",
                "lake": {"formats": ["parquet", "csv"]},
                "extract": {
                    "datasources": [
                        {
                            "name": "lms",
                            "type": "course_blocks_api",
                            "url": api.url,
                            "client_id": CLIENT_ID,
                            "client_secret": CLIENT_SECRET,
                        },
                        {
                            "name": "badkey",
                            "type": "course_blocks_api",
                            "url": api.url,
                            "client_id": CLIENT_ID,
                            "client_secret": "nope",
                            "courses": [DEMO],
                        },
                    ]
                },
            }
        )
        [result] = run_pipeline(settings, only=["course-structure"])
        assert result.quarantined == 1 and result.message and "badkey" in result.message
        assert result.rows_out > 100
        [again] = run_pipeline(settings, only=["course-structure"])
        assert again.rows_out == 0  # same rows: not rewritten
    warehouse = open_warehouse(settings)
    [row] = warehouse.rows("SELECT course_key, display_name FROM course_overviews")
    assert row == {"course_key": DEMO, "display_name": "Open edX Demo Course"}
    # Panorama's CSV of course_structures, RFC 4180 with NULL apart from "", reads back to the same rows
    lake = Path(settings.lake_root)
    rel = course_structure_paths(settings, DEMO)["course_structures"]
    csv_path = lake / rel.rsplit("/", 1)[0] / "course_structures.csv"
    back = pacsv.read_csv(
        csv_path,
        convert_options=pacsv.ConvertOptions(
            column_types=COURSE_STRUCTURES_SCHEMA, strings_can_be_null=True, quoted_strings_can_be_null=False
        ),
        parse_options=pacsv.ParseOptions(newlines_in_values=True),
    )
    stored = pq.read_table(lake / rel, partitioning=None)
    assert back.schema == stored.schema
    assert back.to_pylist() == stored.to_pylist()


def test_panorama_course_structures_datasource_maps_to_mongo_settings() -> None:
    from learnlake.config.panorama import panorama_to_learnlake

    doc = {
        "datalake": {"panorama_raw_data_bucket": "b", "base_prefix": "openedx"},
        "datasources": [
            {"type": "openedx_course_structures", "name": "cs", "mongodb_host": "mongo",
             "mongodb_username": "edx", "mongodb_password": "pw", "mongodb_database": "edxapp",
             "mysql_host": "mysql", "mysql_username": "ro"},
        ],
    }  # fmt: skip
    settings = Settings.model_validate(panorama_to_learnlake(doc, "panorama.yaml"))
    [source] = settings.extract.datasources
    assert source.mongodb_url == "mongodb://edx@mongo:27017/?authSource=edxapp&directConnection=true"
    assert source.mongodb_password is not None and source.mongodb_password.get_secret_value() == "pw"
    assert source.url == "mysql://ro@mysql:3306/edxapp"  # published versions from the split index
