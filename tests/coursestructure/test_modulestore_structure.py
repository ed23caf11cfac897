"""The split-modulestore reader gives exactly the OLX reader's rows for the demo course (issue 5).

No MongoDB server runs here: the reader runs on recorded documents in the modulestore's real shape
(`data/demo_modulestore.json`, made from the demo course by `modulestore_recorder.py`), through the
same `ModulestoreDocuments` interface the pymongo reader implements.
"""

from __future__ import annotations

import copy
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pymysql
import pytest
from modulestore_recorder import EDITED_ON, RECORDED, dumps, record

from learnlake.coursestructure import CourseStructure, read_olx_course
from learnlake.coursestructure.modulestore import (
    SPLIT_INDEX_TABLE,
    CourseVersion,
    RecordedModulestore,
    mongo_course_versions,
    mysql_course_versions,
    read_modulestore_courses,
)

COURSE_KEY = "course-v1:OpenedX+DemoX+DemoCourse"


@pytest.fixture(scope="module")
def tarball(shared_dir: Path) -> Path:
    return shared_dir / "data" / "openedx-demo-course" / "course.tar.gz"


@pytest.fixture(scope="module")
def olx(tarball: Path) -> CourseStructure:
    return read_olx_course(tarball)


@pytest.fixture(scope="module")
def recorded() -> RecordedModulestore:
    return RecordedModulestore(RECORDED)


def _read(docs: RecordedModulestore, versions: list[CourseVersion]) -> CourseStructure:
    [(_version, result)] = list(read_modulestore_courses(docs, versions))
    assert isinstance(result, CourseStructure), result
    return result


def test_recorded_documents_are_current(tarball: Path) -> None:
    """The committed documents are what the recorder makes from the demo course today."""
    assert RECORDED.read_text(encoding="utf-8") == dumps(record(tarball))


def test_modulestore_rows_equal_olx_rows(recorded: RecordedModulestore, olx: CourseStructure) -> None:
    versions = mongo_course_versions(recorded)
    assert [v.course_key for v in versions] == [COURSE_KEY]
    ms = _read(recorded, versions)
    assert ms.course_key == COURSE_KEY
    assert ms.course_blocks.to_pylist() == olx.course_blocks.to_pylist()
    assert ms.course_structures.to_pylist() == olx.course_structures.to_pylist()
    [ms_overview] = ms.course_overviews.to_pylist()
    [olx_overview] = olx.course_overviews.to_pylist()
    # an OLX export carries no publish time; the modulestore has the structure's edit time
    assert ms_overview.pop("modified") == str(EDITED_ON) and olx_overview.pop("modified") is None
    assert ms_overview == olx_overview
    assert ms_overview["block_count"] == ms.course_blocks.num_rows > 100


def test_structure_columns_follow_panorama(recorded: RecordedModulestore) -> None:
    rows = _read(recorded, mongo_course_versions(recorded)).course_structures.to_pylist()
    root = rows[0]
    assert root["module_location"] == COURSE_KEY and root["parent"] is None and root["course_name"] is None
    by_location = {r["module_location"]: r for r in rows}
    for row in rows[1:]:
        assert row["parent"] in by_location  # every parent is a block of the course
        assert row["course_name"] == "Open edX Demo Course"
        assert (row["organization"], row["course_code"], row["course_edition"]) == (
            "OpenedX",
            "DemoX",
            "DemoCourse",
        )
    problems = [r for r in rows if r["block_type"] == "problem"]
    assert problems and all(r["weight"] is not None and r["weight"] >= 0 for r in problems)
    assert all(r["component"] == r["display_name"] for r in problems)
    assert all(r["weight"] is None for r in rows if r["block_type"] != "problem")
    verticals = [r for r in rows if r["block_type"] == "vertical"]
    assert all(r["chapter"] and r["sequential"] and r["vertical"] is None for r in verticals)


def test_weights_come_from_definitions_when_unset(recorded: RecordedModulestore) -> None:
    """A problem without a weight field is weighted by its response count, read from its definition."""
    docs = copy.deepcopy(recorded)
    [structure] = docs.collections["structures"]
    problems = [b for b in structure["blocks"] if b["block_type"] == "problem"]
    unweighted = [b for b in problems if "weight" not in b["fields"]]
    assert unweighted, "the demo course has problems without an explicit weight"
    target = unweighted[0]
    target["fields"]["weight"] = 0  # an explicit 0 stays 0 (Panorama recomputes it)
    versions = mongo_course_versions(docs)
    rows = {r["block_id"]: r for r in _read(docs, versions).course_structures.to_pylist()}
    assert rows[target["block_id"]]["weight"] == 0.0
    other = unweighted[1]
    [definition] = [d for d in docs.collections["definitions"] if d["_id"] == other["definition"]]
    responses = sum(
        1 for el in ET.fromstring(definition["fields"]["data"]).iter() if el.tag.endswith("response")
    )
    assert rows[other["block_id"]]["weight"] == float(responses) > 0


def test_active_versions_from_mariadb(
    mariadb_url: str, recorded: RecordedModulestore, olx: CourseStructure
) -> None:
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
    published = str(recorded.collections["active_versions"][0]["versions"]["published-branch"])
    with conn.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS {SPLIT_INDEX_TABLE}")
        cur.execute(
            f"CREATE TABLE {SPLIT_INDEX_TABLE} (id INT PRIMARY KEY, course_id VARCHAR(255), "
            "published_version VARCHAR(24), draft_version VARCHAR(24))"
        )
        cur.executemany(
            f"INSERT INTO {SPLIT_INDEX_TABLE} VALUES (%s, %s, %s, %s)",
            [
                (1, COURSE_KEY, published, "a" * 24),
                (2, "library-v1:OpenedX+Lib", "b" * 24, ""),  # libraries are skipped
                (3, "course-v1:OpenedX+Draft+Only", "", "c" * 24),  # never published
                (4, "course-v1:OpenedX+Gone+Run", "d" * 24, ""),  # structure missing in Mongo
            ],
        )
    conn.close()
    versions = mysql_course_versions(mariadb_url)
    assert [v.course_key for v in versions] == [COURSE_KEY, "course-v1:OpenedX+Gone+Run"]
    results = dict(read_modulestore_courses(recorded, versions))
    assert isinstance(results[versions[1]], LookupError)  # reported, and the other course still loads
    good = results[versions[0]]
    assert isinstance(good, CourseStructure)
    assert good.course_blocks.to_pylist() == olx.course_blocks.to_pylist()


def test_recorded_documents_are_extended_json() -> None:
    raw = json.loads(RECORDED.read_text(encoding="utf-8"))
    [structure] = raw["structures"]
    assert set(structure["_id"]) == {"$oid"} and set(structure["edited_on"]) == {"$date"}
    block = structure["blocks"][0]
    assert {"block_type", "block_id", "definition", "fields", "edit_info"} <= set(block)
