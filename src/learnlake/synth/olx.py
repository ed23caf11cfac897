"""Studio OLX export tarballs: read one into a `Course`, write a `Course` as one.

One reader serves the real Open edX demo course and the synthetic courses: it follows the OLX rules
(`course.xml` points at `course/<run>.xml`; a child element that only has `url_name` points at
`<tag>/<url_name>.xml`, any other child is defined inline; `policies/<run>/*.json` override settings),
and it keeps every definition's original XML (`Block.raw_xml`, `Block.olx_body`, `Course.olx_files`),
so a course read from a tarball is written back with the same files. The writer is byte-deterministic:
sorted members, fixed mtime/uid/gid/owner, gzip header without name or time.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import io
import json
import random
import tarfile
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

from learnlake.synth.capa import build_problem_xml, response_types_of
from learnlake.synth.model import Block, BlockType, Course, GradingPolicy

# tags Studio exports to a file of their own (XModule-era blocks); every other XBlock goes inline
FILE_TAGS = frozenset(
    {
        "course", "chapter", "sequential", "vertical", "problem", "video", "html", "lti",
        "annotatable", "library_content", "conditional", "split_test", "word_cloud", "poll_question",
        "randomize",
    }
)  # fmt: skip
# tags whose child elements are blocks (for every other block, child elements are its content)
CONTAINER_TAGS = frozenset(
    {"course", "chapter", "sequential", "vertical", "library_content", "split_test", "conditional",
     "randomize", "itembank"}
)  # fmt: skip
_TYPED: dict[str, BlockType] = {
    t: cast(BlockType, t)
    for t in ("course", "chapter", "sequential", "vertical", "problem", "video", "html", "discussion")
}
# the display name an XBlock shows when its OLX has none (the XBlock field defaults)
DEFAULT_NAMES = {
    "course": "Empty",
    "chapter": "Section",
    "sequential": "Subsection",
    "vertical": "Unit",
    "problem": "Blank Problem",
    "video": "Video",
    "html": "Text",
    "discussion": "Discussion",
}
# Studio's default for a new course with no start date
DEFAULT_START = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
DEFAULT_GRADING = GradingPolicy(
    assignment_types={"Homework": 0.15, "Lab": 0.15, "Midterm Exam": 0.3, "Final Exam": 0.4},
    cutoffs={"Pass": 0.5},
)
# member mtime of written tarballs (2020-01-01T00:00:00Z): fixed so the bytes never depend on the clock
TAR_MTIME = 1577836800
DEFAULT_VIDEO_RANGE_S = (120, 1200)


# --------------------------------------------------------------------------------------------- reading


def read_olx_tarball(
    path: Path,
    org: str | None = None,
    run: str | None = None,
    start: dt.datetime | None = None,
) -> Course:
    """Parse a Studio OLX export; `org`/`run` re-key it, `start` moves its dates to a new start."""
    data = Path(path).read_bytes()
    files = _members(data)
    return _CourseReader(files, hashlib.sha1(data).hexdigest()).read(org, run, start)


def _members(data: bytes) -> dict[str, bytes]:
    """Files of the tarball, by path relative to the folder holding course.xml."""
    raw: dict[str, bytes] = {}
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as tar:
        for member in tar.getmembers():
            if member.isfile():
                extracted = tar.extractfile(member)
                if extracted is not None:
                    raw[member.name.lstrip("./")] = extracted.read()
    candidates = sorted(
        (name for name in raw if name == "course.xml" or name.endswith("/course.xml")),
        key=lambda n: (n.count("/"), n),
    )
    if not candidates:
        raise ValueError("not an OLX export: no course.xml in the tarball")
    prefix = candidates[0][: -len("course.xml")]
    return {name[len(prefix) :]: body for name, body in raw.items() if name.startswith(prefix)}


class _CourseReader:
    def __init__(self, files: dict[str, bytes], digest: str) -> None:
        self.files = files
        self.used: set[str] = {"course.xml"}
        self.digest = digest
        self.org = ""
        self.number = ""
        self.run = ""
        self.policy: dict[str, Any] = {}

    def read(self, org: str | None, run: str | None, start: dt.datetime | None) -> Course:
        pointer = ET.fromstring(self.files["course.xml"])
        src_run = pointer.get("url_name") or "course"
        self.number = pointer.get("course") or "course"
        self.org = org or pointer.get("org") or "org"
        self.run = run or src_run
        policy_doc = _json(self.files.get(f"policies/{src_run}/policy.json"))
        self.policy = policy_doc if isinstance(policy_doc, dict) else {}
        course_policy = self.policy.get(f"course/{src_run}", {})

        definition_path = f"course/{src_run}.xml"
        text = self.files[definition_path].decode("utf-8")
        self.used.add(definition_path)
        root_el = ET.fromstring(text)
        root = Block(
            usage_key=f"block-v1:{self.org}+{self.number}+{self.run}+type@course+block@course",
            block_type="course",
            url_name=self.run,
            display_name=course_policy.get("display_name") or root_el.get("display_name") or "Empty",
            raw_xml=text,
        )
        self._children(root_el, root)

        def setting(key: str) -> Any:
            return course_policy[key] if key in course_policy else root_el.get(key)

        src_start = parse_olx_time(setting("start")) or DEFAULT_START
        end = parse_olx_time(setting("end"))
        enrollment_start = parse_olx_time(setting("enrollment_start"))
        self_paced = str(setting("self_paced")).lower() == "true"
        grading = _grading_from_json(_json(self.files.get(f"policies/{src_run}/grading_policy.json")))
        cohort_config = course_policy.get("cohort_config") or {}
        cohorts = [str(c) for c in cohort_config.get("auto_cohort_groups", [])] if cohort_config else []

        shift = dt.timedelta(0)
        naive = False
        if start is not None:
            naive = start.tzinfo is None
            shift = _utc(start) - _utc(src_start)
        move = _mover(shift, naive)
        for block in root.walk():
            if block.due is not None:
                block.due = move(block.due)

        course = Course(
            course_key=f"course-v1:{self.org}+{self.number}+{self.run}",
            org=self.org,
            number=self.number,
            run=self.run,
            display_name=root.display_name,
            size=_size_of(root, self.number),
            start=start if start is not None else src_start,
            end=move(end) if end else None,
            enrollment_start=move(enrollment_start) if enrollment_start else None,
            root=root,
            grading=grading,
            self_paced=self_paced,
            language=str(setting("language") or "en"),
            cohorts=cohorts,
            structure_version=hashlib.sha1(f"{self.digest}:{self.org}:{self.run}".encode()).hexdigest()[:24],
            published_at=None,
        )
        course.olx_files = self._other_files(src_run)
        return course

    def _other_files(self, src_run: str) -> dict[str, bytes]:
        out: dict[str, bytes] = {}
        for name, body in self.files.items():
            if name in self.used:
                continue
            if self.run != src_run and name.startswith(f"policies/{src_run}/"):
                new_name = f"policies/{self.run}/" + name[len(f"policies/{src_run}/") :]
                if name.endswith("/policy.json"):
                    renamed = {
                        (f"course/{self.run}" if k == f"course/{src_run}" else k): v
                        for k, v in self.policy.items()
                    }
                    body = _dump_policy(renamed)
                out[new_name] = body
            else:
                out[name] = body
        return out

    def _children(self, element: ET.Element, parent: Block) -> None:
        for child_el in _block_children(element):
            child = self._block(child_el)
            if child is not None:
                parent.children.append(child)

    def _block(self, element: ET.Element) -> Block | None:
        tag = element.tag
        if _is_pointer(element):
            url_name = element.get("url_name", "")
            path = f"{tag}/{url_name}.xml"
            if path not in self.files:
                return None
            text = self.files[path].decode("utf-8")
            self.used.add(path)
            definition = ET.fromstring(text)
        else:
            definition = element
            url_name = element.get("url_name") or hashlib.sha1(_serialize(element).encode()).hexdigest()[:20]
            text = _serialize(element)
        block = Block(
            usage_key=f"block-v1:{self.org}+{self.number}+{self.run}+type@{tag}+block@{url_name}",
            block_type=_TYPED.get(tag, "other"),
            url_name=url_name,
            display_name="",
            raw_xml=text,
            xblock_type=None if tag in _TYPED else tag,
        )
        fields = element_fields(tag, definition)
        overrides = self.policy.get(f"{tag}/{url_name}", {})
        if isinstance(overrides, dict):
            fields.update(_policy_fields(overrides))
        _apply(block, fields)
        if tag == "html":
            body_path = f"html/{definition.get('filename') or url_name}.html"
            if body_path in self.files:
                block.olx_body = self.files[body_path].decode("utf-8")
                self.used.add(body_path)
        if tag == "video" and block.duration_s <= 0:
            low, high = DEFAULT_VIDEO_RANGE_S
            block.duration_s = float(
                low + int(hashlib.sha1(url_name.encode()).hexdigest(), 16) % (high - low)
            )
        if tag in CONTAINER_TAGS:
            self._children(definition, block)
        return block


def element_fields(tag: str, el: ET.Element) -> dict[str, Any]:
    """The Block fields an OLX definition element sets (shared by the reader and the writer's diff)."""
    fields: dict[str, Any] = {"display_name": el.get("display_name") or DEFAULT_NAMES.get(tag, tag)}
    if tag == "sequential":
        fields["graded"] = (el.get("graded") or "").lower() == "true"
        fields["assignment_type"] = el.get("format") or None
        fields["due"] = parse_olx_time(el.get("due"))
        kind = None
        if _true(el.get("is_time_limited")):
            kind = "timed"
            if _true(el.get("is_proctored_enabled")):
                kind = "proctored"
            if _true(el.get("is_practice_exam")):
                kind = "practice"
            if _true(el.get("is_onboarding_exam")):
                kind = "onboarding"
        fields["exam_kind"] = kind
        limit = el.get("default_time_limit_minutes")
        fields["exam_time_limit_mins"] = int(limit) if kind and limit and limit.isdigit() else None
    elif tag == "problem":
        fields["response_types"] = response_types_of(el)
        fields["weight"] = _number(el.get("weight"))
        attempts = _number(el.get("max_attempts"))
        fields["max_attempts"] = int(attempts) if attempts is not None else None
    elif tag == "video":
        youtube = el.get("youtube_id_1_0")
        if not youtube and el.get("youtube"):
            youtube = el.get("youtube", "").split(",")[0].split(":")[-1] or None
        fields["youtube_id"] = youtube or None
        fields["duration_s"] = _video_duration(el)
    return fields


def _policy_fields(overrides: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if overrides.get("display_name"):
        out["display_name"] = str(overrides["display_name"])
    if "graded" in overrides:
        out["graded"] = bool(overrides["graded"])
    if overrides.get("format"):
        out["assignment_type"] = str(overrides["format"])
    if overrides.get("due"):
        out["due"] = parse_olx_time(str(overrides["due"]))
    return out


def _apply(block: Block, fields: dict[str, Any]) -> None:
    for key, value in fields.items():
        setattr(block, key, value)


def _video_duration(el: ET.Element) -> float:
    asset = el.find("video_asset")
    if asset is not None:
        duration = _number(asset.get("duration"))
        if duration and duration > 0:
            return duration
    begin, end = _clock(el.get("start_time")), _clock(el.get("end_time"))
    if end and end > begin:
        return float(end - begin)
    return 0.0


def _clock(value: str | None) -> int:
    if not value:
        return 0
    total = 0
    for part in value.split(":"):
        if not part.strip().isdigit():
            return 0
        total = total * 60 + int(part)
    return total


def _block_children(element: ET.Element) -> list[ET.Element]:
    if element.tag not in CONTAINER_TAGS:
        return []
    return [child for child in element if child.get("url_name") is not None or _is_block_like(child)]


def _is_block_like(child: ET.Element) -> bool:
    # inline children without url_name: any element that is not a known course-level setting tag
    return child.tag not in {"wiki", "textbook", "show", "source", "options"} and len(child.attrib) > 0


def _is_pointer(element: ET.Element) -> bool:
    return set(element.attrib) == {"url_name"} and len(element) == 0 and not (element.text or "").strip()


def _size_of(root: Block, number: str) -> Any:
    if number == "DemoX":
        return "demo"
    problems = sum(1 for b in root.walk() if b.block_type == "problem")
    for size, limit in (("small", 20), ("medium", 80), ("large", 250)):
        if problems <= limit:
            return size
    return "huge"


def _grading_from_json(doc: Any) -> GradingPolicy:
    if not isinstance(doc, dict) or not doc.get("GRADER"):
        return GradingPolicy(dict(DEFAULT_GRADING.assignment_types), dict(DEFAULT_GRADING.cutoffs))
    types = {str(g["type"]): float(g.get("weight", 0.0)) for g in doc["GRADER"] if "type" in g}
    cutoffs = {str(k): float(v) for k, v in (doc.get("GRADE_CUTOFFS") or {"Pass": 0.5}).items()}
    return GradingPolicy(types, cutoffs)


# --------------------------------------------------------------------------------------------- writing


def write_olx_tarball(course: Course, path: Path) -> None:
    """Write `course` as a Studio OLX export tarball (byte-deterministic)."""
    files = _CourseWriter(course).files()
    _write_tar(files, Path(path))


def olx_files(course: Course) -> dict[str, bytes]:
    """The files of the course's OLX export (paths relative to the export's course/ folder)."""
    return _CourseWriter(course).files()


class _CourseWriter:
    def __init__(self, course: Course) -> None:
        self.course = course
        self.out: dict[str, bytes] = {}
        self.chapter_name = ""
        self.vertical_name = ""

    def files(self) -> dict[str, bytes]:
        c = self.course
        pointer = ET.Element("course", {"url_name": c.run, "org": c.org, "course": c.number})
        self.out["course.xml"] = (_serialize(pointer) + "\n").encode()
        self._file(c.root)
        self._policies()
        for name, body in c.olx_files.items():
            self.out.setdefault(name, body)
        if not c.olx_files:  # a generated course: add what Studio always exports
            for name, body in _default_extras(c).items():
                self.out.setdefault(name, body)
        return self.out

    # blocks ------------------------------------------------------------------------------------

    def _file(self, block: Block) -> None:
        tag = _tag(block)
        path = f"course/{self.course.run}.xml" if tag == "course" else f"{tag}/{block.url_name}.xml"
        element, text = self._definition(block)
        self.out[path] = text.encode("utf-8")
        if tag == "html":
            body_name = element.get("filename") or block.url_name
            body = block.olx_body if block.olx_body is not None else _html_body(block)
            self.out[f"html/{body_name}.html"] = body.encode("utf-8")

    def _definition(self, block: Block) -> tuple[ET.Element, str]:
        """The definition element of a block, and its text (the raw XML when nothing changed)."""
        tag = _tag(block)
        if block.raw_xml:
            element = ET.fromstring(block.raw_xml)
            changed = self._patch(block, element)
        else:
            element = self._build(block)
            changed = True
        rebuilt = self._children(block, element) if tag in CONTAINER_TAGS else False
        if block.raw_xml and not changed and not rebuilt:
            return element, block.raw_xml
        if rebuilt or not block.raw_xml:
            ET.indent(element, space="  ")
        newline = "\n" if not block.raw_xml or block.raw_xml.endswith("\n") else ""
        return element, _serialize(element) + newline

    def _children(self, block: Block, element: ET.Element) -> bool:
        """Emit the children's files; rebuild the element's child list when it no longer matches."""
        tag = _tag(block)
        if tag == "chapter":
            self.chapter_name = block.display_name
        if tag == "vertical":
            self.vertical_name = block.display_name
        existing = _block_children(element)
        wanted = [c.url_name for c in block.children]
        if [e.get("url_name") for e in existing] == wanted and block.raw_xml is not None:
            for child_el, child in zip(existing, block.children, strict=True):
                self._emit_child(child, child_el)
            return False
        kept = [e for e in element if e not in existing]
        for e in list(element):
            element.remove(e)
        for child in block.children:
            child_el = self._child_element(child)
            element.append(child_el)
        for e in kept:
            element.append(e)
        return True

    def _emit_child(self, child: Block, child_el: ET.Element) -> None:
        if _is_pointer(child_el):
            self._file(child)
        elif _tag(child) in CONTAINER_TAGS:
            self._children(child, child_el)

    def _child_element(self, child: Block) -> ET.Element:
        tag = _tag(child)
        if tag in FILE_TAGS:
            self._file(child)
            return ET.Element(tag, {"url_name": child.url_name})
        element, _ = self._definition(child)
        element.set("url_name", child.url_name)
        if element.get("url_name") != child.url_name:  # pragma: no cover - defensive
            raise ValueError(child.usage_key)
        return element

    def _patch(self, block: Block, element: ET.Element) -> bool:
        tag = _tag(block)
        if tag == "course":
            return self._patch_course(element)
        have = element_fields(tag, element)
        changed = False
        if have["display_name"] != block.display_name:
            element.set("display_name", block.display_name)
            changed = True
        if tag == "sequential":
            want = _sequential_attrs(block)
            if (
                have["graded"] != block.graded
                or have["assignment_type"] != block.assignment_type
                or not _same_time(have["due"], block.due)
                or have["exam_kind"] != block.exam_kind
                or have["exam_time_limit_mins"] != block.exam_time_limit_mins
            ):
                for key in _SEQUENTIAL_KEYS:
                    element.attrib.pop(key, None)
                element.attrib.update(want)
                changed = True
        elif tag == "problem":
            if have["weight"] != block.weight:
                _set_or_drop(element, "weight", None if block.weight is None else repr(float(block.weight)))
                changed = True
            if have["max_attempts"] != block.max_attempts:
                _set_or_drop(
                    element, "max_attempts", None if block.max_attempts is None else str(block.max_attempts)
                )
                changed = True
        return changed

    def _patch_course(self, element: ET.Element) -> bool:
        c = self.course
        want = _course_attrs(c)
        changed = False
        for key, value in want.items():
            current = element.get(key)
            same = (
                _same_time(parse_olx_time(current), parse_olx_time(value))
                if key in ("start", "end", "enrollment_start")
                else (current or None) == value
            )
            if key == "self_paced":
                same = (current or "false").lower() == (value or "false")
            if not same:
                _set_or_drop(element, key, value)
                changed = True
        return changed

    def _build(self, block: Block) -> ET.Element:
        tag = _tag(block)
        attrs: dict[str, str] = {}
        if tag == "course":
            attrs = {k: v for k, v in _course_attrs(self.course).items() if v is not None}
            element = ET.Element("course", attrs)
            ET.SubElement(
                element, "wiki", {"slug": f"{self.course.org}.{self.course.number}.{self.course.run}"}
            )
            return element
        if tag in ("chapter", "vertical"):
            return ET.Element(tag, {"display_name": block.display_name})
        if tag == "sequential":
            return ET.Element(tag, {"display_name": block.display_name, **_sequential_attrs(block)})
        if tag == "problem":
            xml = build_problem_xml(
                block.display_name,
                block.display_name,
                list(block.response_types) or ["multiplechoiceresponse"],
                random.Random(block.usage_key),
                max_attempts=block.max_attempts,
                weight=block.weight,
            )
            return ET.fromstring(xml)
        if tag == "video":
            return _video_element(block)
        if tag == "html":
            return ET.Element(
                "html", {"filename": block.url_name, "display_name": block.display_name, "editor": "raw"}
            )
        if tag == "discussion":
            return ET.Element(
                "discussion",
                {
                    "url_name": block.url_name,
                    "xblock-family": "xblock.v1",
                    "display_name": block.display_name,
                    "discussion_category": self.chapter_name or "General",
                    "discussion_target": self.vertical_name or block.display_name,
                    "discussion_id": block.url_name,
                },
            )
        attrs = {"display_name": block.display_name}
        if tag not in FILE_TAGS:
            attrs = {"url_name": block.url_name, "xblock-family": "xblock.v1", **attrs}
        return ET.Element(tag, attrs)

    # policies ----------------------------------------------------------------------------------

    def _policies(self) -> None:
        c = self.course
        policy_path = f"policies/{c.run}/policy.json"
        grading_path = f"policies/{c.run}/grading_policy.json"
        raw_policy = c.olx_files.get(policy_path)
        doc = _json(raw_policy) if raw_policy is not None else None
        if isinstance(doc, dict):
            entry = doc.setdefault(f"course/{c.run}", {})
            original = json.dumps(doc, sort_keys=True)
            for key, value in _course_attrs(c).items():
                if key in entry:
                    have = entry.get(key)
                    if key in ("start", "end", "enrollment_start"):
                        if not _same_time(parse_olx_time(have), parse_olx_time(value)):
                            entry[key] = value
                    elif key == "self_paced":
                        if bool(have) != (value == "true"):
                            entry[key] = value == "true"
                    elif have != value:
                        entry[key] = value
            _set_cohorts(entry, c.cohorts)
            self.out[policy_path] = (
                raw_policy
                if json.dumps(doc, sort_keys=True) == original and raw_policy
                else _dump_policy(doc)
            )
        else:
            self.out[policy_path] = _dump_policy({f"course/{c.run}": _new_policy(c)})
        raw_grading = c.olx_files.get(grading_path)
        if raw_grading is not None and _grading_from_json(_json(raw_grading)) == c.grading:
            self.out[grading_path] = raw_grading
        else:
            self.out[grading_path] = _dump_policy(_grading_json(c))


_SEQUENTIAL_KEYS = (
    "graded", "format", "due", "is_time_limited", "default_time_limit_minutes", "is_proctored_enabled",
    "is_practice_exam", "is_onboarding_exam", "hide_after_due",
)  # fmt: skip


def _sequential_attrs(block: Block) -> dict[str, str]:
    attrs: dict[str, str] = {}
    if block.graded:
        attrs["graded"] = "true"
    if block.assignment_type:
        attrs["format"] = block.assignment_type
    if block.due is not None:
        attrs["due"] = _format_time(block.due)
    if block.exam_kind:
        attrs["is_time_limited"] = "true"
        attrs["default_time_limit_minutes"] = str(block.exam_time_limit_mins or 60)
        if block.exam_kind == "proctored":
            attrs["is_proctored_enabled"] = "true"
        if block.exam_kind == "practice":
            attrs["is_practice_exam"] = "true"
            attrs["is_proctored_enabled"] = "true"
        if block.exam_kind == "onboarding":
            attrs["is_onboarding_exam"] = "true"
            attrs["is_proctored_enabled"] = "true"
        attrs["hide_after_due"] = "false"
    return attrs


def _course_attrs(c: Course) -> dict[str, str | None]:
    return {
        "display_name": c.display_name,
        "language": c.language,
        "start": _format_time(c.start),
        "end": _format_time(c.end) if c.end else None,
        "enrollment_start": _format_time(c.enrollment_start) if c.enrollment_start else None,
        "self_paced": "true" if c.self_paced else None,
    }


def _new_policy(c: Course) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "display_name": c.display_name,
        "language": c.language,
        "start": _format_time(c.start),
        "self_paced": c.self_paced,
        "cert_html_view_enabled": True,
        "discussion_topics": {"General": {"id": "course"}},
        "tabs": [
            {"course_staff_only": False, "name": name, "type": kind}
            for name, kind in (
                ("Home", "course_info"),
                ("Course", "courseware"),
                ("Discussion", "discussion"),
                ("Wiki", "wiki"),
                ("Progress", "progress"),
                ("Dates", "dates"),
            )
        ],
    }
    advanced = sorted(
        {b.xblock_type for b in c.root.walk() if b.xblock_type and b.xblock_type != "openassessment"}
    )
    if advanced:
        entry["advanced_modules"] = advanced
    if c.end:
        entry["end"] = _format_time(c.end)
    if c.enrollment_start:
        entry["enrollment_start"] = _format_time(c.enrollment_start)
    if any(b.exam_kind for b in c.blocks("sequential")):
        entry["enable_timed_exams"] = True
        entry["enable_proctored_exams"] = any(
            b.exam_kind in ("proctored", "practice", "onboarding") for b in c.blocks("sequential")
        )
    _set_cohorts(entry, c.cohorts)
    return entry


def _set_cohorts(entry: dict[str, Any], cohorts: list[str]) -> None:
    current = (entry.get("cohort_config") or {}).get("auto_cohort_groups", [])
    if list(current) == list(cohorts):
        return
    if cohorts:
        entry["cohort_config"] = {"cohorted": True, "auto_cohort_groups": list(cohorts)}
    else:
        entry.pop("cohort_config", None)


_SHORT_LABELS = {
    "Homework": "HW",
    "Lab": "Lab",
    "Midterm Exam": "Midterm",
    "Final Exam": "Final",
    "Exam": "Exam",
}


def _grading_json(c: Course) -> dict[str, Any]:
    counts: dict[str, int] = {}
    for seq in c.blocks("sequential"):
        if seq.graded and seq.assignment_type:
            counts[seq.assignment_type] = counts.get(seq.assignment_type, 0) + 1
    grader = []
    for kind, weight in c.grading.assignment_types.items():
        count = max(1, counts.get(kind, 0))
        grader.append(
            {
                "drop_count": 1 if kind == "Homework" and count >= 4 else 0,
                "min_count": count,
                "short_label": _SHORT_LABELS.get(kind, kind[:8]),
                "type": kind,
                "weight": weight,
            }
        )
    return {"GRADER": grader, "GRADE_CUTOFFS": dict(c.grading.cutoffs)}


def _default_extras(c: Course) -> dict[str, bytes]:
    """about/, info/, assets/ files Studio always exports."""
    overview = (
        '<section class="about">\n  <h2>About This Course</h2>\n'
        f"  <p>{_esc(c.display_name)} is a synthetic course generated by learnlake; its content is "
        "placeholder text.</p>\n</section>\n"
    )
    return {
        "about/overview.html": overview.encode(),
        "about/short_description.html": f"A synthetic course: {_esc(c.display_name)}.".encode(),
        "about/effort.html": b"4:00",
        "about/title.html": _esc(c.display_name).encode(),
        "info/handouts.html": b"<ol></ol>",
        "info/updates.html": b"<ol></ol>",
        "info/updates.items.json": b"[]",
        "assets/assets.xml": b"<assets/>",
        "policies/assets.json": b"{}",
    }


def _video_element(block: Block) -> ET.Element:
    youtube = block.youtube_id or ""
    attrs = {
        "url_name": block.url_name,
        "display_name": block.display_name,
        "download_video": "false",
        "edx_video_id": "",
        "html5_sources": "[]",
        "sub": "",
    }
    if youtube:
        attrs = {"youtube": f"1.00:{youtube}", **attrs, "youtube_id_1_0": youtube}
        attrs["transcripts"] = json.dumps({"en": f"{youtube}-en.srt"})
    video = ET.Element("video", attrs)
    ET.SubElement(
        video,
        "video_asset",
        {"client_video_id": "external video", "duration": repr(float(block.duration_s)), "image": ""},
    )
    if youtube:
        ET.SubElement(video, "transcript", {"language": "en", "src": f"{youtube}-en.srt"})
    return video


def _html_body(block: Block) -> str:
    return f"<h3>{_esc(block.display_name)}</h3>\n<p>Synthetic reading text for this unit.</p>\n"


def _write_tar(files: dict[str, bytes], path: Path) -> None:
    names = sorted(files)
    dirs: set[str] = set()
    for name in names:
        parts = name.split("/")[:-1]
        for i in range(1, len(parts) + 1):
            dirs.add("/".join(parts[:i]))
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.GNU_FORMAT) as tar:
        members: list[tuple[str, bytes | None]] = [(f"course/{d}", None) for d in dirs]
        members += [(f"course/{n}", files[n]) for n in names]
        entries: list[tuple[str, bytes | None]] = [("course", None), *sorted(members, key=lambda m: m[0])]
        for name, body in entries:
            info = tarfile.TarInfo(name)
            info.mtime = TAR_MTIME
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            if body is None:
                info.type = tarfile.DIRTYPE
                info.mode = 0o755
                tar.addfile(info)
            else:
                info.mode = 0o644
                info.size = len(body)
                tar.addfile(info, io.BytesIO(body))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz:
        gz.write(buffer.getvalue())
    tmp.replace(path)


# --------------------------------------------------------------------------------------------- helpers


def _tag(block: Block) -> str:
    return block.xblock_type if block.block_type == "other" and block.xblock_type else block.block_type


def _serialize(element: ET.Element) -> str:
    tail = element.tail
    element.tail = None
    try:
        # Studio (lxml) writes empty elements as <a/>, ElementTree as <a />; ">" is always escaped in
        # text and attribute values, so " />" only ever closes a tag
        return ET.tostring(element, encoding="unicode").replace(" />", "/>")
    finally:
        element.tail = tail


def _set_or_drop(element: ET.Element, key: str, value: str | None) -> None:
    if value is None:
        element.attrib.pop(key, None)
    else:
        element.set(key, value)


def _json(raw: bytes | None) -> Any:
    if raw is None:
        return None
    try:
        return json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return None


def _dump_policy(doc: Any) -> bytes:
    return json.dumps(doc, indent=4, sort_keys=True).encode("utf-8")


def _true(value: str | None) -> bool:
    return (value or "").lower() == "true"


def _number(value: str | None) -> float | None:
    if value is None or value in ("", "null", "None"):
        return None
    try:
        return float(value)
    except ValueError:
        return None


def parse_olx_time(value: Any) -> dt.datetime | None:
    """An OLX/policy time string as an aware UTC datetime, or None when absent or unreadable."""
    if not value or not isinstance(value, str):
        return None
    text = value.strip().strip('"')
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed.replace(tzinfo=dt.UTC) if parsed.tzinfo is None else parsed.astimezone(dt.UTC)


def _utc(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def _format_time(value: dt.datetime) -> str:
    return _utc(value).strftime("%Y-%m-%dT%H:%M:%SZ")


def _same_time(a: dt.datetime | None, b: dt.datetime | None) -> bool:
    if a is None or b is None:
        return a is b
    return _utc(a).replace(microsecond=0) == _utc(b).replace(microsecond=0)


def _mover(shift: dt.timedelta, naive: bool) -> Callable[[dt.datetime], dt.datetime]:
    def move(value: dt.datetime) -> dt.datetime:
        moved = _utc(value) + shift
        return moved.replace(tzinfo=None) if naive else moved

    return move


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
