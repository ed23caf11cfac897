"""Test helper: the demo course's OLX export as split-modulestore documents, in MongoDB's real shape.

`python tests/coursestructure/modulestore_recorder.py` rewrites `data/demo_modulestore.json`
(MongoDB extended JSON, as `mongoexport`/`bson.json_util` write it): one `active_versions` document,
the published `structures` document (a `blocks` list of `block_type`/`block_id`/`definition`/`fields`/
`edit_info`, plus the detached course_info blocks Studio keeps outside the tree) and the
`definitions` holding each block's content (problem XML, HTML). Ids are derived from the block keys,
so the output is deterministic.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import sys
from pathlib import Path
from typing import Any

from bson import ObjectId, json_util

from learnlake.coursestructure.olx import _course_settings
from learnlake.synth.model import Block, Course
from learnlake.synth.olx import DEFAULT_NAMES, parse_olx_time, read_olx_tarball

HERE = Path(__file__).parent
RECORDED = HERE / "data" / "demo_modulestore.json"
EDITED_ON = dt.datetime(2024, 3, 1, 12, 30, 15, 123000, tzinfo=dt.UTC)
EDITOR = 3


def oid(*parts: str) -> ObjectId:
    """A deterministic ObjectId."""
    return ObjectId(hashlib.sha1("|".join(parts).encode()).hexdigest()[:24])


def record(tarball: Path) -> dict[str, Any]:
    """The modulestore documents of one OLX course."""
    course = read_olx_tarball(tarball)
    structure_id = oid("structure", course.course_key)
    edit_info = {
        "edited_on": EDITED_ON,
        "edited_by": EDITOR,
        "previous_version": None,
        "update_version": structure_id,
        "source_version": None,
    }
    blocks: list[dict[str, Any]] = []
    definitions: list[dict[str, Any]] = []

    def add(block_type: str, block_id: str, fields: dict[str, Any], data: str | None) -> None:
        definition_id = oid("definition", course.course_key, block_type, block_id)
        definitions.append(
            {
                "_id": definition_id,
                "block_type": block_type,
                "fields": {"data": data} if data is not None else {},
                "edit_info": {
                    "edited_on": EDITED_ON,
                    "edited_by": EDITOR,
                    "previous_version": None,
                    "original_version": definition_id,
                },
                "schema_version": 1,
            }
        )
        blocks.append(
            {
                "block_type": block_type,
                "block_id": block_id,
                "definition": definition_id,
                "fields": fields,
                "defaults": {},
                "asides": [],
                "edit_info": edit_info,
            }
        )

    def visit(block: Block, is_root: bool) -> tuple[str, str]:
        block_type = block.xblock_type or block.block_type
        block_id = "course" if is_root else block.url_name
        refs = [list(visit(child, False)) for child in block.children]
        fields: dict[str, Any] = _root_fields(course, tarball) if is_root else _fields(block, block_type)
        if refs:
            fields["children"] = refs
        data = block.olx_body if block_type == "html" else block.raw_xml if block_type == "problem" else None
        add(block_type, block_id, fields, data)
        return block_type, block_id

    visit(course.root, True)
    # detached blocks: in the structure, never children of the course
    add("course_info", "handouts", {}, "<ol></ol>")
    add("course_info", "updates", {"items": []}, "<ol></ol>")
    blocks.sort(key=lambda b: (b["block_type"], b["block_id"]))
    definitions.sort(key=lambda d: str(d["_id"]))
    structure = {
        "_id": structure_id,
        "root": ["course", "course"],
        "previous_version": None,
        "original_version": structure_id,
        "edited_by": EDITOR,
        "edited_on": EDITED_ON,
        "schema_version": 1,
        "blocks": blocks,
    }
    active = {
        "_id": oid("index", course.course_key),
        "org": course.org,
        "course": course.number,
        "run": course.run,
        "edited_by": EDITOR,
        "edited_on": EDITED_ON,
        "last_update": EDITED_ON,
        "schema_version": 1,
        "versions": {"draft-branch": oid("draft", course.course_key), "published-branch": structure_id},
        "search_targets": {"wiki_slug": f"{course.org}.{course.number}.{course.run}"},
    }
    return {"active_versions": [active], "structures": [structure], "definitions": definitions}


def _root_fields(course: Course, tarball: Path) -> dict[str, Any]:
    settings = _course_settings(course.root, course.olx_files, course.run)
    fields: dict[str, Any] = {"display_name": course.display_name, "start": course.start}
    for key, value in (
        ("end", course.end),
        ("enrollment_start", course.enrollment_start),
        ("enrollment_end", parse_olx_time(settings.get("enrollment_end"))),
    ):
        if value is not None:
            fields[key] = value
    if course.self_paced:
        fields["self_paced"] = True
    for key in (
        "advertised_start",
        "announcement",
        "lowest_passing_grade",
        "invitation_only",
        "max_student_enrollments_allowed",
        "effort",
        "enable_proctored_exams",
        "entrance_exam_enabled",
        "language",
    ):
        if settings.get(key) is not None:
            fields[key] = settings[key]
    return fields


def _fields(block: Block, block_type: str) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    if block.display_name != DEFAULT_NAMES.get(block_type, block_type):
        fields["display_name"] = block.display_name  # Studio stores only explicitly set fields
    if block_type == "sequential":
        if block.graded:
            fields["graded"] = True
        if block.assignment_type:
            fields["format"] = block.assignment_type
        if block.due is not None:
            fields["due"] = block.due
    elif block_type == "problem":
        if block.weight is not None:
            fields["weight"] = block.weight
        if block.max_attempts is not None:
            fields["max_attempts"] = block.max_attempts
    elif block_type == "video" and block.youtube_id:
        fields["youtube_id_1_0"] = block.youtube_id
    return fields


def dumps(documents: dict[str, Any]) -> str:
    """Extended JSON, one key per line, stable."""
    return json_util.dumps(documents, json_options=json_util.RELAXED_JSON_OPTIONS, indent=1) + "\n"


if __name__ == "__main__":
    source = (
        Path(sys.argv[1]) if len(sys.argv) > 1 else Path("../shared/data/openedx-demo-course/course.tar.gz")
    )
    RECORDED.write_text(dumps(record(source)), encoding="utf-8")
    print(RECORDED)
