"""Course structure from a Studio OLX export tarball, in the shape of Aspects' event-sink tables.

The OLX is parsed by `learnlake.synth.olx.read_olx_tarball` (which serves the synthetic courses too)
and turned into the neutral tree of `builder.py`, which builds the rows exactly as for the modulestore
and REST readers. This module also owns where a course's three tables live in the lake.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from learnlake.config.settings import Settings
from learnlake.coursestructure.builder import (
    COURSE_DATA_KEYS,
    CourseInfo,
    CourseStructure,
    Node,
    build_structure,
)
from learnlake.lake.layout import partition_path
from learnlake.lake.storage import LakeStorage
from learnlake.synth.model import Block
from learnlake.synth.olx import parse_olx_time, read_olx_tarball

STRUCTURE_TABLES = ("course_overviews", "course_blocks", "course_structures")


def read_olx_course(tarball: Path) -> CourseStructure:
    """Read a Studio OLX export tarball into the course_overviews/course_blocks/course_structures tables."""
    course = read_olx_tarball(Path(tarball))
    settings = _course_settings(course.root, course.olx_files, course.run)
    info = CourseInfo(
        course_key=course.course_key,
        display_name=course.display_name,
        start=course.start,
        end=course.end,
        enrollment_start=course.enrollment_start,
        enrollment_end=parse_olx_time(settings.get("enrollment_end")),
        self_paced=course.self_paced,
        course_data={key: settings.get(key) for key in COURSE_DATA_KEYS},
        modified=course.published_at,
    )
    return build_structure(info, _node(course.root, is_root=True))


def _node(block: Block, is_root: bool = False) -> Node:
    """The neutral tree node of an OLX block (the root's block id is always `course`)."""
    return Node(
        block_type=block.xblock_type or block.block_type,
        block_id="course" if is_root else block.url_name,
        display_name=block.display_name,
        children=[_node(child) for child in block.children],
        graded=block.graded,
        weight=block.weight,
        response_count=len(block.response_types) if block.block_type == "problem" else None,
    )


def course_file_name(course_key: str) -> str:
    """File name of one course's rows in a lake table (the key with unsafe characters replaced)."""
    return re.sub(r"[^A-Za-z0-9._+-]", "_", course_key) + ".parquet"


def course_structure_paths(settings: Settings, course_key: str) -> dict[str, str]:
    """Lake paths (relative to the root) of one course's course_overviews and course_blocks files."""
    name = course_file_name(course_key)
    return {
        table: f"{partition_path(settings.lake.prefix, table, settings.site.host, None)}/{name}"
        for table in STRUCTURE_TABLES
    }


def write_course_structure(settings: Settings, structure: CourseStructure) -> dict[str, str]:
    """Write both tables into the lake, atomically replacing this course's files; returns the paths."""
    storage = LakeStorage(settings.lake_root, settings.lake.s3)
    paths = course_structure_paths(settings, structure.course_key)
    for table in STRUCTURE_TABLES:
        storage.write_atomic(getattr(structure, table), paths[table])
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
