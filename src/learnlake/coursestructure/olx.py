"""Course structure from a Studio OLX export tarball, in the shape of Aspects' event-sink tables.

`course_overviews` has one row per course and `course_blocks` one row per block in depth-first course
order, as the CourseOverviewSink/XBlockSink of platform-plugin-aspects dump them (aspects spec §2),
plus the columns dbt derives in `dim_most_recent_course_blocks`/`dim_course_blocks` (graded,
section/subsection/unit numbers, "s:ss:u - name"). Section/subsection/unit counters restart at each
chapter/sequential; `order` is 1..n like the sink's. The OLX itself is parsed by
`learnlake.synth.olx.read_olx_tarball`, which serves the synthetic courses too.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
from opaque_keys.edx.keys import CourseKey

from learnlake.config.settings import Settings
from learnlake.lake.layout import COURSE_BLOCKS_SCHEMA, COURSE_OVERVIEWS_SCHEMA, partition_path
from learnlake.lake.storage import LakeStorage
from learnlake.synth.model import Block
from learnlake.synth.olx import parse_olx_time, read_olx_tarball


@dataclass(frozen=True, slots=True)
class CourseStructure:
    """One course's structure: `course_overviews` (one row) and `course_blocks` (one row per block)."""

    course_key: str
    course_overviews: pa.Table
    course_blocks: pa.Table


def read_olx_course(tarball: Path) -> CourseStructure:
    """Read a Studio OLX export tarball into the course_overviews and course_blocks tables."""
    course = read_olx_tarball(Path(tarball))
    course_key = CourseKey.from_string(course.course_key)
    org = str(course_key.org)
    key = str(course_key)
    settings = _course_settings(course.root, course.olx_files, course.run)

    rows: list[dict[str, Any]] = []
    section = subsection = unit = 0

    def visit(block: Block, graded: bool) -> None:
        nonlocal section, subsection, unit
        block_type = block.xblock_type or block.block_type
        if block_type == "chapter":
            section, subsection, unit = section + 1, 0, 0
        elif block_type == "sequential":
            subsection, unit = subsection + 1, 0
            graded = block.graded
        elif block_type == "vertical":
            unit += 1
        block_id = "course" if block is course.root else block.url_name
        location = str(course_key.make_usage_key(block_type, block_id))
        hierarchy = f"{section}:{subsection}:{unit}"
        rows.append(
            {
                "org": org,
                "course_key": key,
                "location": location,
                "display_name": block.display_name,
                "block_type": block_type,
                "graded": graded,
                "order": len(rows) + 1,
                "section": section,
                "subsection": subsection,
                "unit": unit,
                "section_number": f"{section}:0:0",
                "subsection_number": f"{section}:{subsection}:0",
                "hierarchy_location": hierarchy,
                "display_name_with_location": f"{hierarchy} - {block.display_name}",
                "xblock_data_json": json.dumps(
                    {
                        "course": course.number,
                        "run": course.run,
                        "block_type": block_type,
                        "detached": False,
                        "graded": graded,
                        "section": section,
                        "subsection": subsection,
                        "unit": unit,
                    }
                ),
            }
        )
        for child in block.children:
            visit(child, graded)

    visit(course.root, False)
    blocks = pa.Table.from_pylist(rows, schema=COURSE_BLOCKS_SCHEMA)

    course_data = {
        key_: settings.get(key_)
        for key_ in (
            "advertised_start", "announcement", "lowest_passing_grade", "invitation_only",
            "max_student_enrollments_allowed", "effort", "enable_proctored_exams",
            "entrance_exam_enabled", "language",
        )
    }  # fmt: skip
    overview = {
        "org": org,
        "course_key": key,
        "display_name": course.display_name,
        "course_start": _time_text(course.start),
        "course_end": _time_text(course.end),
        "enrollment_start": _time_text(course.enrollment_start),
        "enrollment_end": _time_text(parse_olx_time(settings.get("enrollment_end"))),
        "self_paced": course.self_paced,
        "course_data_json": json.dumps(course_data, default=str),
        "created": None,
        "modified": _time_text(course.published_at),
        "block_count": len(rows),
    }
    overviews = pa.Table.from_pylist([overview], schema=COURSE_OVERVIEWS_SCHEMA)
    return CourseStructure(course_key=key, course_overviews=overviews, course_blocks=blocks)


def course_file_name(course_key: str) -> str:
    """File name of one course's rows in a lake table (the key with unsafe characters replaced)."""
    return re.sub(r"[^A-Za-z0-9._+-]", "_", course_key) + ".parquet"


def course_structure_paths(settings: Settings, course_key: str) -> dict[str, str]:
    """Lake paths (relative to the root) of one course's course_overviews and course_blocks files."""
    name = course_file_name(course_key)
    return {
        table: f"{partition_path(settings.lake.prefix, table, settings.site.host, None)}/{name}"
        for table in ("course_overviews", "course_blocks")
    }


def write_course_structure(settings: Settings, structure: CourseStructure) -> dict[str, str]:
    """Write both tables into the lake, atomically replacing this course's files; returns the paths."""
    storage = LakeStorage(settings.lake_root, settings.lake.s3)
    paths = course_structure_paths(settings, structure.course_key)
    storage.write_atomic(structure.course_overviews, paths["course_overviews"])
    storage.write_atomic(structure.course_blocks, paths["course_blocks"])
    return paths


def _course_settings(root: Block, files: dict[str, bytes], run: str) -> dict[str, Any]:
    """Course-level settings: attributes of the course definition, overridden by policy.json."""
    out: dict[str, Any] = {}
    if root.raw_xml:
        out.update(ET.fromstring(root.raw_xml).attrib)
    raw = files.get(f"policies/{run}/policy.json")
    if raw:
        doc = json.loads(raw)
        if isinstance(doc, dict):
            course_policy = doc.get(f"course/{run}")
            if isinstance(course_policy, dict):
                out.update(course_policy)
    return out


def _time_text(value: dt.datetime | None) -> str | None:
    """A time as the sink writes it (str() of an aware datetime), or None."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return str(value.astimezone(dt.UTC))
