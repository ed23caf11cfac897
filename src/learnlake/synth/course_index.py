"""A course outline flattened for the activity simulation, with every per-block string precomputed.

The simulation walks units (verticals) in course order and needs, for each block, its URLs,
handler paths and payload fragments millions of times; computing them once here keeps the
per-event work to building a dict.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import random
import re
from dataclasses import dataclass, field
from typing import Any

from learnlake.synth.capa import problem_questions
from learnlake.synth.events.common import hex_id
from learnlake.synth.events.exam import ExamRef
from learnlake.synth.events.forum import Post
from learnlake.synth.events.problem import InputSpec, ProblemRef, make_input, make_inputs
from learnlake.synth.events.video import VideoRef
from learnlake.synth.model import Block, Course

_HINT_RE = re.compile(r"<hint[^>]*>(.*?)</hint>", re.S)
_GENERIC_HINTS = ["Re-read the question carefully.", "Think about the definition from the video."]


@dataclass(frozen=True, slots=True)
class SiteUrls:
    """Where the LMS and its micro-frontends live."""

    host: str

    @property
    def root(self) -> str:
        """LMS_ROOT_URL."""
        return f"https://{self.host}"

    @property
    def mfe(self) -> str:
        """Base URL of the learner micro-frontends."""
        return f"https://apps.{self.host}"


@dataclass(slots=True)
class Unit:
    """A vertical: what one page of the courseware shows."""

    index: int
    seq: int
    tab: int  # 1-based position in its subsection
    usage_key: str
    page: str  # xblock URL, the page/referer of events from inside the unit
    mfe_url: str
    items: list[tuple[str, Any]] = field(default_factory=list)


@dataclass(slots=True)
class Subsection:
    """A sequential, with its grading facts."""

    index: int
    usage_key: str
    display_name: str
    chapter_key: str
    chapter_pos: int  # 1-based position in its chapter
    jump_url: str
    graded: bool
    assignment_type: str | None
    units: list[int] = field(default_factory=list)
    problems: list[ProblemRef] = field(default_factory=list)
    possible: float = 0.0
    exam: ExamRef | None = None
    visible_blocks_hash: str = ""


@dataclass(slots=True)
class CourseIndex:
    """Everything the simulation needs to know about one course."""

    course: Course
    key: str
    org: str
    subsections: list[Subsection]
    units: list[Unit]
    # (assignment type, weight, subsection indices)
    types: list[tuple[str, float, list[int]]]
    cutoffs: list[tuple[str, float]]  # highest first
    pass_cutoff: float | None
    version: str
    edited: str
    policy_hash: str
    home_url: str
    outline_url: str
    progress_path: str
    topics: list[str]
    threads: list[Post]
    responses: list[Post]
    starts_at: dt.datetime
    ends_at: dt.datetime | None

    def letter(self, percent: float) -> str:
        """Letter grade of a percent (0..1); "" when below every cutoff."""
        for letter, cutoff in self.cutoffs:
            if percent >= cutoff:
                return letter
        return ""


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _block_id(usage_key: str) -> str:
    return usage_key.rsplit("@", 1)[-1]


def _hints(block: Block) -> list[str]:
    if block.raw_xml:
        found = [re.sub(r"<[^>]+>", "", h).strip() for h in _HINT_RE.findall(block.raw_xml)]
        return [h for h in found if h]
    digest = hashlib.blake2b(block.usage_key.encode(), digest_size=2).digest()
    return list(_GENERIC_HINTS) if digest[0] % 5 < 2 else []


def _exam_plan(course: Course, sequentials: list[Block], offset: int) -> dict[str, tuple[str, int]]:
    """Which subsections are special exams, of which kind, with which time limit.

    The course's own choice (`exam_kind`) wins. A generated course without any gets its graded
    "exam" subsections (or its last graded one) as proctored/timed exams, rotating through the
    site. A course with exams but no practice exam gets the lesson just before its first exam as a
    practice run. The demo course has no special exams. Choices made here are written back onto
    the sequential blocks, so the OLX export and the LMS tables describe the same exams.
    """
    plan = {s.usage_key: (s.exam_kind, s.exam_time_limit_mins or 60) for s in sequentials if s.exam_kind}
    if course.size == "demo":
        return plan
    if not plan:
        graded = [s for s in sequentials if s.graded]
        picks = [s for s in graded if "exam" in f"{s.assignment_type} {s.display_name}".lower()]
        if not picks and len(graded) >= 2:
            picks = [graded[-1]]
        for i, s in enumerate(picks):
            plan[s.usage_key] = (("proctored", "timed")[(offset + i) % 2], 60)
    if plan and all(kind != "practice" for kind, _ in plan.values()):
        first = min(i for i, s in enumerate(sequentials) if s.usage_key in plan)
        lessons = [s for s in sequentials[:first] if not s.graded]
        if lessons:
            plan[lessons[-1].usage_key] = ("practice", 30)
    for s in sequentials:
        if s.usage_key in plan:
            s.exam_kind, s.exam_time_limit_mins = plan[s.usage_key]
    return plan


def build_index(
    course: Course,
    urls: SiteUrls,
    rng: random.Random,
    exam_id_start: int,
    course_number: int,
    authors: list[str],
) -> CourseIndex:
    """Flatten `course` and precompute URLs, problem answers, exams and the existing forum threads.

    `authors` are usernames who wrote the threads that exist before the simulated range.
    """
    key = course.course_key
    root, mfe = urls.root, urls.mfe
    sequentials: list[tuple[Block, Block, int]] = []
    for chapter in course.root.children:
        if chapter.block_type != "chapter":
            continue
        pos = 0
        for seq in chapter.children:
            if seq.block_type == "sequential":
                pos += 1
                sequentials.append((chapter, seq, pos))
    exams = _exam_plan(course, [s for _, s, _ in sequentials], course_number)
    subsections: list[Subsection] = []
    units: list[Unit] = []
    topics: list[str] = ["course"]
    exam_id = exam_id_start
    for si, (chapter, seq, pos) in enumerate(sequentials):
        sub = Subsection(
            index=si,
            usage_key=seq.usage_key,
            display_name=seq.display_name,
            chapter_key=chapter.usage_key,
            chapter_pos=pos,
            jump_url=f"{root}/courses/{key}/jump_to/{seq.usage_key}",
            graded=seq.graded,
            assignment_type=seq.assignment_type if seq.graded else None,
        )
        digest = hashlib.sha1(seq.usage_key.encode()).digest()
        sub.visible_blocks_hash = base64.b64encode(digest).decode()
        if seq.usage_key in exams:
            kind, limit = exams[seq.usage_key]
            sub.exam = ExamRef(exam_id, seq.usage_key, seq.display_name, kind, limit)
            exam_id += 1
        tab = 0
        for vertical in seq.children:
            if vertical.block_type != "vertical":
                continue
            tab += 1
            page = (
                f"{root}/xblock/{vertical.usage_key}"
                "?show_title=0&show_bookmark_button=0&recheck_access=1&view=student_view"
            )
            unit = Unit(
                index=len(units),
                seq=si,
                tab=tab,
                usage_key=vertical.usage_key,
                page=page,
                mfe_url=f"{mfe}/learning/course/{key}/{seq.usage_key}/{vertical.usage_key}",
            )
            for block in vertical.walk()[1:]:
                if block.children:
                    continue
                unit.items.append(_item(block, unit, course, rng, sub, topics))
            sub.units.append(unit.index)
            units.append(unit)
        sub.possible = sum(p.weighted_possible for p in sub.problems)
        subsections.append(sub)
    by_type: dict[str, list[int]] = {}
    for sub in subsections:
        if sub.graded and sub.assignment_type and sub.possible > 0:
            by_type.setdefault(sub.assignment_type, []).append(sub.index)
    types = [
        (name, w, by_type[name]) for name, w in course.grading.assignment_types.items() if name in by_type
    ]
    cutoffs = sorted(course.grading.cutoffs.items(), key=lambda kv: -kv[1])
    published = _aware(course.published_at or course.start)
    policy = repr(sorted(course.grading.assignment_types.items())) + repr(cutoffs)
    threads, responses = _forum_pool(key, urls, rng, topics, authors)
    return CourseIndex(
        course=course,
        key=key,
        org=course.org,
        subsections=subsections,
        units=units,
        types=types,
        cutoffs=cutoffs,
        pass_cutoff=min((c for _, c in cutoffs), default=None),
        version=course.structure_version,
        edited=str(published),
        policy_hash=base64.b64encode(hashlib.sha1(policy.encode()).digest()).decode(),
        home_url=f"{mfe}/learning/course/{key}/home",
        outline_url=f"{root}/courses/{key}/course/",
        progress_path=f"/courses/{key}/progress",
        topics=topics,
        threads=threads,
        responses=responses,
        starts_at=_aware(course.start),
        ends_at=_aware(course.end) if course.end else None,
    )


def _item(
    block: Block, unit: Unit, course: Course, rng: random.Random, sub: Subsection, topics: list[str]
) -> tuple[str, Any]:
    kind = block.block_type
    if kind == "video":
        digest = hashlib.blake2b(block.usage_key.encode(), digest_size=2).digest()
        duration = block.duration_s or float(120 + int.from_bytes(digest, "big") % 480)
        return "video", VideoRef(
            block.usage_key, _block_id(block.usage_key), block.youtube_id or "html5", duration, unit.page
        )
    if kind == "problem":
        block_id = _block_id(block.usage_key)
        ref = ProblemRef(
            usage_key=block.usage_key,
            block_id=block_id,
            display_name=block.display_name,
            inputs=_inputs(block, block_id, rng),
            weight=block.weight,
            page=unit.page,
            course_key=course.course_key,
            hints=_hints(block),
            max_attempts=block.max_attempts,
        )
        sub.problems.append(ref)
        return "problem", ref
    if kind == "discussion":
        topic = str(uuid_from(block.usage_key))
        topics.append(topic)
        return "discussion", topic
    if kind == "html":
        return "html", block.usage_key
    return "other", block.usage_key


def _inputs(block: Block, block_id: str, rng: random.Random) -> list[InputSpec]:
    """The problem's inputs as its capa XML defines them (made up when there is no XML)."""
    questions = problem_questions(block)
    if not questions:
        return make_inputs(block_id, list(block.response_types), rng)
    return [
        make_input(q.input_id, q.response_type, q.input_type, q.label, q.choices, q.correct)
        for q in questions
    ]


def uuid_from(text: str) -> str:
    """A UUID-formatted id derived from `text` (discussion topic ids)."""
    h = hashlib.blake2b(text.encode(), digest_size=16).hexdigest()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _forum_pool(
    key: str, urls: SiteUrls, rng: random.Random, topics: list[str], authors: list[str]
) -> tuple[list[Post], list[Post]]:
    """Threads (and responses to them) written before the simulated range, for learners to read,
    vote on and report."""
    if not authors:
        return [], []
    base = f"{urls.mfe}/discussions/{key}/posts/"
    threads: list[Post] = []
    responses: list[Post] = []
    for n in range(6 + len(topics)):
        tid = hex_id(rng, 24)
        title = rng.choice(_TITLES)
        threads.append(
            Post(
                kind="thread",
                id=tid,
                author=rng.choice(authors),
                commentable_id=rng.choice(topics),
                body=f"<p>{title} (question {n + 1})</p>",
                url=base + tid,
                title=title,
                thread_type="question" if rng.random() < 0.4 else "discussion",
            )
        )
        for _ in range(rng.randrange(1, 4)):
            rid = hex_id(rng, 24)
            responses.append(
                Post(
                    kind="response",
                    id=rid,
                    author=rng.choice(authors),
                    commentable_id=threads[-1].commentable_id,
                    body="<p>" + rng.choice(_REPLIES) + "</p>",
                    url=base + tid,
                    thread_id=tid,
                )
            )
    return threads, responses


_TITLES = [
    "Stuck on the second homework problem",
    "Is the final exam open book?",
    "Great explanation in the week 2 video",
    "Study group for this course?",
    "Typo in the reading",
    "How is the course grade computed?",
]
_REPLIES = [
    "Same here, the hint helped me.",
    "Check the second video again.",
    "Thanks, that makes sense now.",
    "I think the answer rounds to two decimals.",
]
