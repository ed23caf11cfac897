"""One course tree → `course_overviews`, `course_blocks` and Panorama's `course_structures` rows.

Every reader (OLX export, split modulestore, Course Blocks REST API) turns its input into the same
neutral tree of `Node`s plus a `CourseInfo`, and this module builds the rows, so numbering, order,
graded flags and Panorama's ancestry columns are computed once and agree across sources.

Rules (aspects spec §2, panorama spec §3.2): blocks in depth-first course order, `order` 1..n;
section/subsection/unit counters restart at each chapter/sequential; a block is graded when its
enclosing sequential is. `course_structures`: `module_location` is the course id for the root; the
chapter/sequential/vertical/library/course_name columns hold the display names of the *ancestors*
(so the root row has an empty course_name); `component` is a leaf's own name; `weight` is a
problem's weight, or — when it has none — its number of response elements (a weight of 0 stays 0).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
from opaque_keys.edx.keys import CourseKey

from learnlake.lake.layout import COURSE_BLOCKS_SCHEMA, COURSE_OVERVIEWS_SCHEMA

# the course_data_json keys of Aspects' CourseOverviewSink that a course structure can tell
COURSE_DATA_KEYS = (
    "advertised_start", "announcement", "lowest_passing_grade", "invitation_only",
    "max_student_enrollments_allowed", "effort", "enable_proctored_exams", "entrance_exam_enabled",
    "language",
)  # fmt: skip
CONTAINER_TYPES = frozenset(
    {"course", "chapter", "sequential", "vertical", "library_content", "split_test", "conditional",
     "randomize", "itembank"}
)  # fmt: skip
COURSE_STRUCTURES_SCHEMA = pa.schema(
    [
        ("module_location", pa.string()),
        ("course_id", pa.string()),
        ("organization", pa.string()),
        ("course_code", pa.string()),
        ("course_edition", pa.string()),
        ("parent", pa.string()),
        ("block_type", pa.string()),
        ("block_id", pa.string()),
        ("display_name", pa.string()),
        ("course_name", pa.string()),
        ("chapter", pa.string()),
        ("sequential", pa.string()),
        ("vertical", pa.string()),
        ("library", pa.string()),
        ("component", pa.string()),
        ("weight", pa.float64()),
    ]
)
_ANCESTOR_COLUMN = {
    "course": "course_name",
    "chapter": "chapter",
    "sequential": "sequential",
    "vertical": "vertical",
    "library_content": "library",
}


@dataclass(slots=True)
class Node:
    """One block of a course tree, as every reader describes it."""

    block_type: str
    block_id: str
    display_name: str
    children: list[Node] = field(default_factory=list)
    graded: bool = False  # the block's own `graded` field (meaningful on sequentials)
    weight: float | None = None  # problems: the explicit weight, None when unset
    response_count: int | None = None  # problems: number of response elements, when known


@dataclass(slots=True)
class CourseInfo:
    """Course-level facts for the course_overviews row."""

    course_key: str
    display_name: str
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    enrollment_start: dt.datetime | None = None
    enrollment_end: dt.datetime | None = None
    self_paced: bool = False
    course_data: dict[str, Any] = field(default_factory=dict)
    created: dt.datetime | None = None
    modified: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class CourseStructure:
    """One course's tables: course_overviews (one row), course_blocks and course_structures."""

    course_key: str
    course_overviews: pa.Table
    course_blocks: pa.Table
    course_structures: pa.Table


def build_structure(info: CourseInfo, root: Node) -> CourseStructure:
    """Build the three tables of one course from its tree."""
    course_key = CourseKey.from_string(info.course_key)
    org, number, run = str(course_key.org), str(course_key.course), str(course_key.run)
    key = str(course_key)
    blocks: list[dict[str, Any]] = []
    structures: list[dict[str, Any]] = []
    counters = [0, 0, 0]  # section, subsection, unit

    def visit(node: Node, graded: bool, parent: str | None, ancestors: dict[str, str]) -> None:
        if node.block_type == "chapter":
            counters[:] = [counters[0] + 1, 0, 0]
        elif node.block_type == "sequential":
            counters[1:] = [counters[1] + 1, 0]
            graded = node.graded
        elif node.block_type == "vertical":
            counters[2] += 1
        section, subsection, unit = counters
        location = str(course_key.make_usage_key(node.block_type, node.block_id))
        hierarchy = f"{section}:{subsection}:{unit}"
        blocks.append(
            {
                "org": org,
                "course_key": key,
                "location": location,
                "display_name": node.display_name,
                "block_type": node.block_type,
                "graded": graded,
                "order": len(blocks) + 1,
                "section": section,
                "subsection": subsection,
                "unit": unit,
                "section_number": f"{section}:0:0",
                "subsection_number": f"{section}:{subsection}:0",
                "hierarchy_location": hierarchy,
                "display_name_with_location": f"{hierarchy} - {node.display_name}",
                "xblock_data_json": json.dumps(
                    {
                        "course": number,
                        "run": run,
                        "block_type": node.block_type,
                        "detached": False,
                        "graded": graded,
                        "section": section,
                        "subsection": subsection,
                        "unit": unit,
                    }
                ),
            }
        )
        module_location = key if parent is None else location
        is_leaf = node.block_type not in CONTAINER_TYPES
        structures.append(
            {
                "module_location": module_location,
                "course_id": key,
                "organization": org,
                "course_code": number,
                "course_edition": run,
                "parent": parent,
                "block_type": node.block_type,
                "block_id": node.block_id,
                "display_name": node.display_name,
                "course_name": ancestors.get("course_name"),
                "chapter": ancestors.get("chapter"),
                "sequential": ancestors.get("sequential"),
                "vertical": ancestors.get("vertical"),
                "library": ancestors.get("library"),
                "component": node.display_name if is_leaf else None,
                "weight": problem_weight(node),
            }
        )
        column = _ANCESTOR_COLUMN.get(node.block_type)
        below = {**ancestors, column: node.display_name} if column else ancestors
        for child in node.children:
            visit(child, graded, module_location, below)

    visit(root, False, None, {})
    overview = {
        "org": org,
        "course_key": key,
        "display_name": info.display_name,
        "course_start": time_text(info.start),
        "course_end": time_text(info.end),
        "enrollment_start": time_text(info.enrollment_start),
        "enrollment_end": time_text(info.enrollment_end),
        "self_paced": info.self_paced,
        "course_data_json": json.dumps(
            {k: info.course_data.get(k) for k in COURSE_DATA_KEYS}, default=_json_default
        ),
        "created": time_text(info.created),
        "modified": time_text(info.modified),
        "block_count": len(blocks),
    }
    return CourseStructure(
        course_key=key,
        course_overviews=pa.Table.from_pylist([overview], schema=COURSE_OVERVIEWS_SCHEMA),
        course_blocks=pa.Table.from_pylist(blocks, schema=COURSE_BLOCKS_SCHEMA),
        course_structures=pa.Table.from_pylist(structures, schema=COURSE_STRUCTURES_SCHEMA),
    )


def problem_weight(node: Node) -> float | None:
    """Panorama's weight: the explicit weight (0 included), else the number of responses; problems only."""
    if node.block_type != "problem":
        return None
    if node.weight is not None:
        return float(node.weight)
    return float(node.response_count) if node.response_count is not None else None


def time_text(value: dt.datetime | None) -> str | None:
    """A time as the sink writes it (str() of an aware UTC datetime), or None."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return str(value.astimezone(dt.UTC))


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return time_text(value)
    return str(value)
