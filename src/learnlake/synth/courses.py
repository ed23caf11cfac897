"""Courses of the synthetic site: the real Open edX demo course, and generated courses of four sizes.

Generated courses look like real ones to every consumer: chapters → subsections → units with videos,
readings, discussions and capa problems of several response types (real XML, with answers), graded
subsections with assignment types whose weights sum to 1, timed and proctored exams, letter-grade or
pass/fail cutoffs. Everything comes from the `random.Random` passed in, so the same seed gives the same
course.
"""

from __future__ import annotations

import datetime as dt
import os
import random
from dataclasses import dataclass
from pathlib import Path

from learnlake.synth.capa import build_problem_xml
from learnlake.synth.model import Block, BlockType, Course, GradingPolicy, ResponseType
from learnlake.synth.olx import read_olx_tarball

DEMO_COURSE_RELATIVE = Path("shared/data/openedx-demo-course/course.tar.gz")


def find_demo_course_tarball() -> Path | None:
    """Where the Open edX demo course export is: $LEARNLAKE_DEMO_COURSE, else ../shared next to the repo."""
    env = os.environ.get("LEARNLAKE_DEMO_COURSE")
    if env:
        path = Path(env).expanduser()
        return path if path.is_file() else None
    for start in (Path(__file__).resolve().parent, Path.cwd().resolve()):
        for folder in (start, *start.parents):
            candidate = folder / DEMO_COURSE_RELATIVE
            if candidate.is_file():
                return candidate
    return None


def load_demo_course(path: Path, org: str, run: str, start: dt.datetime) -> Course:
    """The demo course from its OLX export, re-keyed as course-v1:<org>+DemoX+<run> starting at `start`."""
    return read_olx_tarball(path, org=org, run=run, start=start)


# ------------------------------------------------------------------------------------------ generation


@dataclass(frozen=True, slots=True)
class SizeSpec:
    """How big a generated course is."""

    chapters: int
    sequentials: tuple[int, int]  # lesson subsections per chapter (min, max)
    verticals: tuple[int, int]  # units per subsection (min, max)
    problems: int
    videos: int


SIZES: dict[str, SizeSpec] = {
    "small": SizeSpec(3, (1, 2), (2, 3), 10, 5),
    "medium": SizeSpec(6, (2, 3), (2, 4), 40, 20),
    "large": SizeSpec(10, (2, 3), (3, 4), 120, 60),
    "huge": SizeSpec(16, (3, 4), (3, 5), 400, 150),
}

# grading schemes: assignment type → weight (each sums to 1)
_SCHEMES: tuple[dict[str, float], ...] = (
    {"Homework": 0.5, "Final Exam": 0.5},
    {"Homework": 0.4, "Lab": 0.2, "Final Exam": 0.4},
    {"Homework": 0.3, "Lab": 0.2, "Midterm Exam": 0.2, "Final Exam": 0.3},
    {"Homework": 0.25, "Midterm Exam": 0.35, "Final Exam": 0.4},
)
_CUTOFFS: tuple[dict[str, float], ...] = (
    {"Pass": 0.5},
    {"Pass": 0.6},
    {"A": 0.9, "B": 0.8, "C": 0.7},
    {"A": 0.85, "B": 0.7, "C": 0.55},
)

_PREFIXES = (
    "Introduction to", "Foundations of", "Principles of", "Applied", "Advanced", "Topics in",
    "A Practical Guide to", "Essentials of", "Explorations in", "Modern",
)  # fmt: skip
_SUBJECTS: dict[str, tuple[str, ...]] = {
    "Marine Biology": (
        "Coral Reefs", "Plankton", "Ocean Currents", "Tidal Zones", "Deep-Sea Life", "Kelp Forests",
        "Marine Mammals", "Estuaries", "Fisheries", "Ocean Acidification", "Sea Turtles", "Mangroves",
    ),
    "Data Analysis": (
        "Descriptive Statistics", "Sampling", "Probability", "Hypothesis Testing", "Regression",
        "Visualization", "Data Cleaning", "Correlation", "Time Series", "Clustering", "Bias", "Outliers",
    ),
    "Renaissance Art": (
        "Perspective", "Fresco Technique", "Patronage", "Florence", "Venice", "Sculpture", "Portraiture",
        "Oil Painting", "Architecture", "Humanism", "Workshops", "Printmaking",
    ),
    "Climate Science": (
        "The Carbon Cycle", "Greenhouse Gases", "Ice Cores", "Feedback Loops", "Climate Models",
        "Sea Level", "Aerosols", "Monsoons", "Paleoclimate", "Mitigation", "Adaptation", "Albedo",
    ),
    "Web Development": (
        "HTML Structure", "CSS Layout", "Accessibility", "HTTP", "Forms", "JavaScript Basics",
        "The DOM", "Responsive Design", "APIs", "Testing", "Performance", "Security Headers",
    ),
    "Microeconomics": (
        "Supply and Demand", "Elasticity", "Consumer Choice", "Production Costs", "Market Structures",
        "Monopoly", "Game Theory", "Externalities", "Public Goods", "Labor Markets", "Taxation",
        "Price Controls",
    ),
    "Human Anatomy": (
        "The Skeletal System", "Muscles", "The Heart", "Circulation", "The Lungs", "Digestion",
        "The Nervous System", "The Brain", "The Kidneys", "Hormones", "The Skin", "Immunity",
    ),
    "Project Management": (
        "Scope", "Stakeholders", "Scheduling", "Budgets", "Risk", "Agile Methods", "Kanban",
        "Communication", "Quality", "Procurement", "Retrospectives", "Estimation",
    ),
    "Astronomy": (
        "The Night Sky", "Telescopes", "The Solar System", "Stellar Life Cycles", "Galaxies",
        "Exoplanets", "Light and Spectra", "Black Holes", "Cosmology", "The Moon", "Comets", "Nebulae",
    ),
    "Creative Writing": (
        "Voice", "Point of View", "Dialogue", "Setting", "Character", "Plot", "Revision", "Poetry",
        "Flash Fiction", "Memoir", "Imagery", "Editing",
    ),
    "Linear Algebra": (
        "Vectors", "Matrices", "Linear Systems", "Determinants", "Eigenvalues", "Vector Spaces",
        "Orthogonality", "Projections", "Least Squares", "Transformations", "Rank", "Bases",
    ),
    "Sustainable Agriculture": (
        "Soil Health", "Crop Rotation", "Irrigation", "Composting", "Pollinators", "Agroforestry",
        "Cover Crops", "Pest Management", "Seed Saving", "Water Use", "Livestock", "Food Systems",
    ),
}  # fmt: skip
_CHAPTER_STYLES = ("Week {n}: {topic}", "Module {n}: {topic}", "Unit {n}: {topic}", "Part {n} - {topic}")
_LESSON_NAMES = (
    "{topic} in Context", "Understanding {topic}", "Key Ideas: {topic}", "{topic} Up Close",
    "Working with {topic}", "A First Look at {topic}", "{topic} and {other}", "Case Study: {topic}",
)  # fmt: skip
_UNIT_NAMES = (
    "Lecture: {topic}", "Reading: {topic}", "Check Your Understanding", "Worked Example", "Practice",
    "Discussion: {topic}", "Summary", "Going Further: {topic}", "Overview", "Demonstration",
)  # fmt: skip
_PROBLEM_NAMES = {
    "multiplechoiceresponse": "Multiple Choice",
    "choiceresponse": "Checkboxes",
    "optionresponse": "Dropdown",
    "numericalresponse": "Numerical Input",
    "stringresponse": "Text Input",
    "formularesponse": "Math Expression",
}
_RESPONSE_WEIGHTS: tuple[tuple[ResponseType, int], ...] = (
    ("multiplechoiceresponse", 34),
    ("choiceresponse", 20),
    ("optionresponse", 15),
    ("numericalresponse", 14),
    ("stringresponse", 12),
    ("formularesponse", 5),
)
_YOUTUBE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
_COHORT_SETS = (("Group A", "Group B"), ("Morning", "Evening"), ("Team Red", "Team Blue", "Team Green"))


def generate_course(
    org: str, number: str, run: str, size: str, rng: random.Random, start: dt.datetime
) -> Course:
    """A synthetic course of `size` ("small", "medium", "large", "huge"), fully determined by `rng`."""
    if size not in SIZES:
        raise ValueError(f"unknown course size {size!r}; expected one of {', '.join(SIZES)}")
    return _Generator(org, number, run, SIZES[size], size, rng, start).course()


class _Generator:
    def __init__(
        self,
        org: str,
        number: str,
        run: str,
        spec: SizeSpec,
        size: str,
        rng: random.Random,
        start: dt.datetime,
    ) -> None:
        self.org, self.number, self.run = org, number, run
        self.spec, self.size, self.rng = spec, size, rng
        self.start = start.replace(microsecond=0)
        self.subject = rng.choice(sorted(_SUBJECTS))
        self.topics = list(_SUBJECTS[self.subject])
        rng.shuffle(self.topics)
        self.used_ids: set[str] = set()
        self.counters: dict[str, int] = {}

    # keys and names --------------------------------------------------------------------------------

    def block(self, block_type: BlockType, display_name: str, tag: str | None = None) -> Block:
        block_id = f"{self.rng.getrandbits(128):032x}"
        while block_id in self.used_ids:  # pragma: no cover - 128-bit collision
            block_id = f"{self.rng.getrandbits(128):032x}"
        self.used_ids.add(block_id)
        kind = tag or block_type
        return Block(
            usage_key=f"block-v1:{self.org}+{self.number}+{self.run}+type@{kind}+block@{block_id}",
            block_type=block_type,
            url_name=block_id,
            display_name=display_name,
            xblock_type=tag,
        )

    def topic(self, n: int) -> str:
        return self.topics[n % len(self.topics)]

    def count(self, kind: str) -> int:
        self.counters[kind] = self.counters.get(kind, 0) + 1
        return self.counters[kind]

    # the course ------------------------------------------------------------------------------------

    def course(self) -> Course:
        rng, spec = self.rng, self.spec
        scheme = dict(rng.choice(_SCHEMES[:2] if self.size == "small" else _SCHEMES))
        cutoffs = dict(rng.choice(_CUTOFFS))
        self_paced = rng.random() < 0.3
        weeks = spec.chapters + 2
        end = self.start + dt.timedelta(weeks=weeks)
        root = Block(
            usage_key=f"block-v1:{self.org}+{self.number}+{self.run}+type@course+block@course",
            block_type="course",
            url_name=self.run,
            display_name=f"{rng.choice(_PREFIXES)} {self.subject}",
        )
        plan = self.plan_subsections(scheme)
        style = rng.choice(_CHAPTER_STYLES)
        for c in range(spec.chapters):
            chapter = self.block("chapter", style.format(n=c + 1, topic=self.topic(c)))
            for kind in plan[c]:
                chapter.children.append(self.subsection(kind, c, self_paced))
            root.children.append(chapter)
        self.fill(root)
        cohorts = list(rng.choice(_COHORT_SETS)) if rng.random() < 0.5 else []
        return Course(
            course_key=f"course-v1:{self.org}+{self.number}+{self.run}",
            org=self.org,
            number=self.number,
            run=self.run,
            display_name=root.display_name,
            size=self.size,  # type: ignore[arg-type]
            start=self.start,
            end=None if self_paced and rng.random() < 0.5 else end,
            enrollment_start=self.start - dt.timedelta(days=rng.randint(14, 60)),
            root=root,
            grading=GradingPolicy(scheme, cutoffs),
            self_paced=self_paced,
            language="en",
            modes=["audit", "verified"] if rng.random() < 0.8 else ["audit", "verified", "honor"],
            cohorts=cohorts,
            structure_version=f"{rng.getrandbits(96):024x}",
            published_at=self.start - dt.timedelta(days=rng.randint(3, 30), hours=rng.randint(0, 23)),
        )

    def plan_subsections(self, scheme: dict[str, float]) -> list[list[str]]:
        """Per chapter, the kinds of its subsections: "lesson" or an assignment type."""
        spec, rng = self.spec, self.rng
        plan = [["lesson"] * rng.randint(*spec.sequentials) for _ in range(spec.chapters)]
        last = spec.chapters - 1
        for c in range(spec.chapters):
            if c != last:
                plan[c].append("Homework")
            if "Lab" in scheme and c % 2 == 1 and c != last:
                plan[c].append("Lab")
        if "Lab" in scheme and not any("Lab" in p for p in plan):
            plan[0].append("Lab")
        if "Midterm Exam" in scheme:
            plan[max(0, spec.chapters // 2 - 1)].append("Midterm Exam")
        plan[last].append("Final Exam")
        return plan

    def subsection(self, kind: str, chapter_index: int, self_paced: bool) -> Block:
        rng, spec = self.rng, self.spec
        topic = self.topic(chapter_index)
        if kind == "lesson":
            name = rng.choice(_LESSON_NAMES).format(topic=topic, other=self.topic(chapter_index + 3))
            seq = self.block("sequential", name)
            units = rng.randint(*spec.verticals)
        else:
            n = self.count(kind)
            name = kind if kind.endswith("Exam") else f"{kind} {n}: {topic}"
            seq = self.block("sequential", name)
            seq.graded = True
            seq.assignment_type = kind
            if kind.endswith("Exam"):
                units = 2 if self.size in ("small", "medium") else 3
            else:
                units = max(1, spec.verticals[0] - 1)
            if not self_paced:
                seq.due = (self.start + dt.timedelta(weeks=chapter_index + 1, days=6)).replace(
                    hour=23, minute=59
                )
            if kind == "Midterm Exam":
                seq.exam_kind, seq.exam_time_limit_mins = "timed", rng.choice((45, 60, 90))
            elif kind == "Final Exam":
                seq.exam_kind = "proctored" if rng.random() < 0.4 else "timed"
                seq.exam_time_limit_mins = rng.choice((60, 90, 120))
        for u in range(units):
            if seq.graded:
                unit_name = f"Part {u + 1}" if units > 1 else "Questions"
            else:
                unit_name = rng.choice(_UNIT_NAMES).format(topic=self.topic(chapter_index + u))
            seq.children.append(self.block("vertical", unit_name))
        return seq

    def fill(self, root: Block) -> None:
        """Put videos, readings, problems and discussions into the units."""
        spec = self.spec
        lesson_units: list[tuple[Block, Block, int]] = []  # (unit, sequential, chapter index)
        graded_units: list[tuple[Block, Block, int]] = []
        for c, chapter in enumerate(root.children):
            for seq in chapter.children:
                for unit in seq.children:
                    (graded_units if seq.graded else lesson_units).append((unit, seq, c))
        # readings and videos go to lessons, in course order
        for i, (unit, _seq, c) in enumerate(lesson_units):
            if i < spec.videos:
                unit.children.append(self.video(c))
            unit.children.append(self.html(c))
        for i in range(len(lesson_units), spec.videos):  # more videos than lesson units
            unit, _seq, c = lesson_units[i % len(lesson_units)]
            unit.children.insert(0, self.video(c))
        # problems: every graded unit gets some, the rest are practice problems in lessons
        total = max(spec.problems, len(graded_units))
        graded_share = max(len(graded_units), round(total * 0.7)) if graded_units else 0
        for i in range(graded_share):
            unit, seq, c = graded_units[i % len(graded_units)]
            unit.children.append(self.problem(c, seq))
        for i in range(total - graded_share):
            unit, seq, c = lesson_units[(i * 3 + 1) % len(lesson_units)]
            unit.children.append(self.problem(c, seq))
        # one discussion per chapter, in its last lesson unit
        seen: set[int] = set()
        for unit, _seq, c in reversed(lesson_units):
            if c not in seen:
                seen.add(c)
                unit.children.append(self.block("discussion", f"Discuss: {self.topic(c)}"))
        if self.size != "small" and lesson_units:
            unit, _seq, c = lesson_units[len(lesson_units) // 2]
            unit.children.append(self.open_response(c))
        if self.size in ("large", "huge") and lesson_units:
            unit, _seq, c = lesson_units[(len(lesson_units) * 3) // 4]
            lti = self.block("other", f"External Tool: {self.topic(c)} Simulator", tag="lti")
            unit.children.append(lti)

    # components ------------------------------------------------------------------------------------

    def video(self, c: int) -> Block:
        rng = self.rng
        n = self.count("video")
        block = self.block(
            "video", rng.choice(("Video", "Lecture", "Video Lecture")) + f" {n}: {self.topic(c + n)}"
        )
        block.duration_s = float(rng.randint(120, 1200))
        block.youtube_id = "".join(rng.choice(_YOUTUBE_ALPHABET) for _ in range(11))
        return block

    def html(self, c: int) -> Block:
        name = self.rng.choice(("Reading", "Overview", "Notes", "Key Terms", "Summary"))
        return self.block("html", f"{name}: {self.topic(c)}" if name != "Summary" else "Summary")

    def problem(self, c: int, seq: Block) -> Block:
        rng = self.rng
        topic = self.topic(c + rng.randrange(3))
        if rng.random() < 0.12:
            types = [self.response_type() for _ in range(rng.randint(2, 3))]
        else:
            types = [self.response_type()]
        exam = bool(seq.assignment_type and seq.assignment_type.endswith("Exam"))
        if seq.graded:
            label = "Exam Question" if exam else "Question"
            name = f"{label} {self.count(seq.usage_key)}"
        elif len(types) > 1:
            name = f"Practice Set: {topic}"
        else:
            name = f"{_PROBLEM_NAMES[types[0]]}: {topic}"
        block = self.block("problem", name)
        block.response_types = list(types)
        if seq.graded:
            block.max_attempts = 1 if exam else rng.choice((1, 2, 3, None))
            block.weight = rng.choice((None, 1.0, 2.0)) if not exam else 1.0
        hints = not exam and rng.random() < 0.35
        block.raw_xml = build_problem_xml(
            name, topic, types, rng, max_attempts=block.max_attempts, weight=block.weight, with_hints=hints
        )
        return block

    def response_type(self) -> ResponseType:
        names = [name for name, _ in _RESPONSE_WEIGHTS]
        weights = [w for _, w in _RESPONSE_WEIGHTS]
        return self.rng.choices(names, weights)[0]

    def open_response(self, c: int) -> Block:
        topic = _esc(self.topic(c))
        block = self.block("other", f"Open Response: {self.topic(c)}", tag="openassessment")
        block.raw_xml = (
            f'<openassessment url_name="{block.url_name}" display_name="Open Response: {topic}" '
            'submission_start="2001-01-01T00:00:00+00:00" '
            'submission_due="2099-01-01T00:00:00+00:00" text_response="required" '
            'prompts_type="text" teams_enabled="False" show_rubric_during_response="True">\n'
            f"  <title>Open Response: {topic}</title>\n"
            '  <assessments>\n    <assessment name="self-assessment"/>\n  </assessments>\n'
            f"  <prompts>\n    <prompt>\n      <description>In a few sentences, explain what you learned "
            f"about {topic.lower()}.</description>\n    </prompt>\n  </prompts>\n"
            '  <rubric>\n    <prompt>Read for understanding.</prompt>\n    <criterion feedback="optional">\n'
            "      <name>understanding</name>\n      <label>Understanding</label>\n"
            "      <prompt>Does the answer show understanding?</prompt>\n"
            '      <option points="0">\n        <name>no</name>\n        <label>Not yet</label>\n'
            "        <explanation>The answer misses the main idea.</explanation>\n      </option>\n"
            '      <option points="2">\n        <name>yes</name>\n        <label>Yes</label>\n'
            "        <explanation>The answer states the main idea.</explanation>\n      </option>\n"
            "    </criterion>\n  </rubric>\n</openassessment>"
        )
        return block


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
