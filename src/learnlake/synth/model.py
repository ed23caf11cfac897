"""Plain records describing a synthetic Open edX site.

Every part of the generator (courses, learners, activity, LMS tables, OLX export, tracking logs)
speaks in these types, so each part can be written and tested alone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

BlockType = Literal[
    "course", "chapter", "sequential", "vertical", "problem", "video", "html", "discussion", "other"
]
Archetype = Literal["steady", "binge", "fading", "at_risk", "never_started"]
ResponseType = Literal[
    "multiplechoiceresponse",
    "choiceresponse",
    "optionresponse",
    "numericalresponse",
    "stringresponse",
    "formularesponse",
    # further capa response types, met in real courses (the demo course has some)
    "customresponse",
    "imageresponse",
    "symbolicresponse",
    "schematicresponse",
    "coderesponse",
    "choicetextresponse",
    "annotationresponse",
    "jsmeresponse",
]


@dataclass(slots=True)
class Block:
    """One XBlock of a course, identified by its usage key (block-v1:...)."""

    usage_key: str
    block_type: BlockType
    url_name: str
    display_name: str
    children: list[Block] = field(default_factory=list)
    # problems
    response_types: list[ResponseType] = field(default_factory=list)
    weight: float | None = None
    max_attempts: int | None = None
    # videos
    duration_s: float = 0.0
    youtube_id: str | None = None
    # sequentials
    graded: bool = False
    assignment_type: str | None = None  # "Homework", "Exam", ...
    due: dt.datetime | None = None
    # the original OLX element attributes/body, kept for faithful OLX export (demo course)
    raw_xml: str | None = None
    # kind of XBlock for "other" (e.g. "lti", "annotatable", "library_content")
    xblock_type: str | None = None
    # sequentials that are special exams: "timed", "practice" or "proctored", with their time limit;
    # when a course leaves these unset the activity simulation picks exams among graded "Exam"
    # subsections itself
    exam_kind: str | None = None
    exam_time_limit_mins: int | None = None
    # html blocks: the body kept in html/<url_name>.html of an OLX export (raw_xml is the .xml file)
    olx_body: str | None = None

    def walk(self) -> list[Block]:
        """This block and all its descendants, depth first in course order."""
        out = [self]
        for child in self.children:
            out.extend(child.walk())
        return out


@dataclass(slots=True)
class GradingPolicy:
    """Assignment types with weights, and letter-grade cutoffs (as in policies/<run>/grading_policy.json)."""

    assignment_types: dict[str, float]  # e.g. {"Homework": 0.4, "Exam": 0.6}
    cutoffs: dict[str, float]  # e.g. {"Pass": 0.5} or {"A": 0.9, "B": 0.8}


@dataclass(slots=True)
class Course:
    """A course run: key, dates, structure and grading."""

    course_key: str  # course-v1:ORG+NUMBER+RUN
    org: str
    number: str
    run: str
    display_name: str
    size: Literal["demo", "small", "medium", "large", "huge"]
    start: dt.datetime
    end: dt.datetime | None
    enrollment_start: dt.datetime | None
    root: Block
    grading: GradingPolicy
    self_paced: bool = False
    language: str = "en"
    modes: list[str] = field(default_factory=lambda: ["audit", "verified"])
    # cohorts defined for this course (names); may be empty
    cohorts: list[str] = field(default_factory=list)
    # structure version id in the split modulestore (24 hex chars), and when the course was published
    structure_version: str = "0" * 24
    published_at: dt.datetime | None = None
    # files of an OLX export that are not blocks (about/, info/, assets/, policies/, static/...), by path
    # relative to the export's course/ folder, kept verbatim so a read course exports back faithfully
    olx_files: dict[str, bytes] = field(default_factory=dict)

    def blocks(self, block_type: BlockType | None = None) -> list[Block]:
        """All blocks in course order, optionally only one type."""
        everything = self.root.walk()
        return everything if block_type is None else [b for b in everything if b.block_type == block_type]


@dataclass(slots=True)
class Profile:
    """auth_userprofile fields."""

    name: str
    gender: str | None  # "m", "f", "o", or None
    year_of_birth: int | None
    level_of_education: str | None  # "p", "m", "b", "a", "hs", "jhs", "el", "none", "other" or None
    country: str | None  # ISO 3166 alpha-2
    language: str | None
    city: str | None
    goals: str | None


@dataclass(slots=True)
class Learner:
    """A user of the site (auth_user + profile + xAPI external id)."""

    user_id: int
    username: str
    email: str
    first_name: str
    last_name: str
    date_joined: dt.datetime
    last_login: dt.datetime | None
    is_staff: bool
    profile: Profile
    external_id: str  # uuid4 text, the xAPI actor name
    archetype: Archetype


@dataclass(slots=True)
class EnrollmentChange:
    """One change to an enrollment: activated, deactivated, or a mode change."""

    time: dt.datetime
    kind: Literal["activated", "deactivated", "mode_changed"]
    mode: str


@dataclass(slots=True)
class Enrollment:
    """student_courseenrollment row plus its history."""

    enrollment_id: int
    user_id: int
    course_key: str
    created: dt.datetime
    mode: str  # current mode
    is_active: bool  # current state
    history: list[EnrollmentChange] = field(default_factory=list)
    cohort: str | None = None
    # set when an enterprise customer enrolled the learner (the activation event then carries it)
    enterprise_uuid: str | None = None


@dataclass(slots=True)
class StudentModuleState:
    """courseware_studentmodule: a learner's state in one block (problem, video, sequential...)."""

    user_id: int
    course_key: str
    module_type: str
    usage_key: str
    state: str  # JSON text
    grade: float | None
    max_grade: float | None
    created: dt.datetime
    modified: dt.datetime


@dataclass(slots=True)
class CourseGrade:
    """grades_persistentcoursegrade row."""

    user_id: int
    course_key: str
    percent_grade: float
    letter_grade: str
    passed_timestamp: dt.datetime | None
    created: dt.datetime
    modified: dt.datetime


@dataclass(slots=True)
class Certificate:
    """certificates_generatedcertificate row."""

    user_id: int
    course_key: str
    grade: str
    status: str  # "downloadable", "notpassing", ...
    mode: str
    name: str
    created: dt.datetime
    modified: dt.datetime


@dataclass(slots=True)
class BlockCompletion:
    """completion_blockcompletion row."""

    user_id: int
    course_key: str
    usage_key: str
    block_type: str
    completion: float
    created: dt.datetime
    modified: dt.datetime
