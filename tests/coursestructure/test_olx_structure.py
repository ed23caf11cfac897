"""Course structure read from the real Open edX demo course OLX export (issue 5)."""

from __future__ import annotations

import io
import tarfile
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from learnlake.config.settings import Settings
from learnlake.coursestructure import CourseStructure, read_olx_course, write_course_structure

COURSE_KEY = "course-v1:OpenedX+DemoX+DemoCourse"
CONTAINERS = {"course", "chapter", "sequential", "vertical", "library_content"}
LEVELS = {"course": 0, "chapter": 1, "sequential": 2, "vertical": 3}


@pytest.fixture(scope="module")
def tarball(shared_dir: Path) -> Path:
    path = shared_dir / "data" / "openedx-demo-course" / "course.tar.gz"
    assert path.is_file()
    return path


@pytest.fixture(scope="module")
def structure(tarball: Path) -> CourseStructure:
    return read_olx_course(tarball)


def _files(tarball: Path) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    with tarfile.open(fileobj=io.BytesIO(tarball.read_bytes()), mode="r:gz") as tar:
        for member in tar.getmembers():
            extracted = tar.extractfile(member) if member.isfile() else None
            if extracted is not None:
                out[member.name.removeprefix("course/")] = extracted.read()
    return out


def _expected(tarball: Path) -> list[tuple[str, str, bool | None]]:
    """(type, url_name, sequential graded attr) of every block, walked independently from course.xml."""
    files = _files(tarball)
    pointer = ET.fromstring(files["course.xml"])
    out: list[tuple[str, str, bool | None]] = []

    def walk(el: ET.Element, url_name: str) -> None:
        if set(el.attrib) == {"url_name"} and len(el) == 0:
            el = ET.fromstring(files[f"{el.tag}/{url_name}.xml"])
        graded = (el.get("graded") == "true") if el.tag == "sequential" else None
        out.append((el.tag, url_name, graded))
        if el.tag in CONTAINERS:
            for child in el:
                if child.get("url_name"):  # Studio exports give every block a url_name (not <wiki>)
                    walk(child, child.get("url_name", ""))

    root = ET.fromstring(files[f"course/{pointer.get('url_name')}.xml"])
    walk(root, "course")
    return out


def test_course_overview(structure: CourseStructure) -> None:
    assert structure.course_key == COURSE_KEY
    rows = structure.course_overviews.to_pylist()
    assert len(rows) == 1
    row = rows[0]
    assert row["org"] == "OpenedX"
    assert row["course_key"] == COURSE_KEY
    assert row["display_name"] == "Open edX Demo Course"
    assert row["course_start"] == "2020-01-01 00:00:00+00:00"
    assert row["course_end"] is None
    assert row["self_paced"] is True
    assert row["block_count"] == structure.course_blocks.num_rows


def test_block_counts_match_the_xml(structure: CourseStructure, tarball: Path) -> None:
    expected = _expected(tarball)
    got = Counter(structure.course_blocks.column("block_type").to_pylist())
    assert got == Counter(tag for tag, _, _ in expected)
    assert got["course"] == 1
    assert got["chapter"] == 6
    assert got["sequential"] == 17
    assert got["vertical"] == 58
    assert structure.course_blocks.num_rows == len(expected) == 401


def test_locations_and_depth_first_order(structure: CourseStructure, tarball: Path) -> None:
    rows = structure.course_blocks.to_pylist()
    expected = _expected(tarball)
    locations = [r["location"] for r in rows]
    assert locations == [f"block-v1:OpenedX+DemoX+DemoCourse+type@{t}+block@{u}" for t, u, _ in expected]
    assert len(set(locations)) == len(locations)
    assert [r["order"] for r in rows] == list(range(1, len(rows) + 1))
    assert all(r["org"] == "OpenedX" and r["course_key"] == COURSE_KEY for r in rows)
    # depth first: a chapter follows the course or a block of an earlier chapter, etc.
    level = 0
    for row in rows:
        kind = row["block_type"]
        depth = LEVELS.get(kind, 4)
        if kind in LEVELS:
            assert depth <= level + 1, row["location"]
        level = depth


def test_section_subsection_unit_numbers(structure: CourseStructure) -> None:
    by_id = {r["location"].rsplit("@", 1)[-1]: r for r in structure.course_blocks.to_pylist()}
    course = by_id["course"]
    assert course["display_name_with_location"] == "0:0:0 - Open edX Demo Course"
    first_chapter = by_id["30b3fbb840024953b2d4b2e700a53002"]
    assert (first_chapter["order"], first_chapter["hierarchy_location"]) == (2, "1:0:0")
    assert (
        first_chapter["display_name_with_location"] == "1:0:0 - Module 1: Dive into the Open edX® platform!"
    )
    assert by_id["4e1de5e13fc3422997fe246b40a43aa1"]["hierarchy_location"] == "1:1:0"
    unit = by_id["78b75020d3894fdfa8b4994f97275294"]
    assert (unit["order"], unit["section"], unit["subsection"], unit["unit"]) == (4, 1, 1, 1)
    leaf = by_id["d5a54ce52f464acfa7a83ae155712cc3"]
    assert leaf["block_type"] == "video"
    assert leaf["display_name_with_location"].startswith("1:1:1 - ")
    chapter2 = by_id["35283385dd4947619c558f8bb888a031"]
    assert chapter2["hierarchy_location"] == "2:0:0"
    third = by_id["747014a9a0aa42d683b2b05ee2c6f72e"]
    assert third["hierarchy_location"] == "2:3:0"
    assert third["section_number"] == "2:0:0"
    assert third["subsection_number"] == "2:3:0"


def test_graded_follows_the_sequential(structure: CourseStructure, tarball: Path) -> None:
    rows = structure.course_blocks.to_pylist()
    expected = _expected(tarball)
    current = False
    graded_sequentials = 0
    for row, (tag, _, seq_graded) in zip(rows, expected, strict=True):
        if tag == "chapter":
            current = False
        elif tag == "sequential":
            assert seq_graded is not None
            current = seq_graded
            graded_sequentials += seq_graded
        if tag in {"course", "chapter"}:
            assert row["graded"] is False
        else:
            assert row["graded"] is current, row["location"]
    assert graded_sequentials > 0
    assert any(r["graded"] for r in rows if r["block_type"] == "problem")


def test_write_twice_is_idempotent(structure: CourseStructure, tarball: Path, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    first = write_course_structure(settings, structure)
    second = write_course_structure(settings, read_olx_course(tarball))
    assert first == second
    lake = Path(settings.lake_root)
    for table, source in (
        ("course_overviews", structure.course_overviews),
        ("course_blocks", structure.course_blocks),
    ):
        folder = lake / settings.lake.prefix / table / f"lms={settings.site.host}"
        files = [p for p in folder.rglob("*") if p.is_file()]
        assert [p.name for p in files] == ["course-v1_OpenedX+DemoX+DemoCourse.parquet"]
        assert pq.read_table(files[0], partitioning=None).to_pylist() == source.to_pylist()
