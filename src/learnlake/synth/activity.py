"""Day-by-day simulation of learners using their courses, producing tracking events and LMS state.

Each enrollment is a `Track`: a learner in a course with a private random stream (derived from
the seed, the user and the course), so what one learner does never depends on anyone else, on
the order work is scheduled or on how learners are split between worker processes. Per day, a
track decides from its archetype whether the learner shows up, then walks the course outline
(subsection, unit, blocks): reads, watches videos with pauses and seeks, answers problems (hints,
several attempts, show answer) and gets graded, takes special exams, uses the forum. Events of a
day are returned sorted by time; the LMS rows (courseware_studentmodule, grades, certificates,
completions) are built from the final state.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson

from learnlake.synth.course_index import CourseIndex, SiteUrls, Subsection, Unit
from learnlake.synth.events import completion as ev_completion
from learnlake.synth.events import enrollment as ev_enrollment
from learnlake.synth.events import exam as ev_exam
from learnlake.synth.events import forum as ev_forum
from learnlake.synth.events import grades as ev_grades
from learnlake.synth.events import link as ev_link
from learnlake.synth.events import navigation as ev_nav
from learnlake.synth.events import problem as ev_problem
from learnlake.synth.events import video as ev_video
from learnlake.synth.events.common import Event, Who, derive_seed, format_time, format_time_space, hex_id
from learnlake.synth.events.forum import Post
from learnlake.synth.events.problem import Answer, ProblemRef
from learnlake.synth.events.video import VideoRef
from learnlake.synth.model import (
    Archetype,
    BlockCompletion,
    Certificate,
    CourseGrade,
    Enrollment,
    Learner,
    StudentModuleState,
)

DAY_US = 86_400_000_000
SEC = 1_000_000
LAST_START_US = 20 * 3600 * SEC  # sessions start before 20:00
DAY_LIMIT_US = 23 * 3600 * SEC  # and stop starting new activities at 23:00, so a day's events stay in it
FOREVER = 1 << 62

AGENTS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.4 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.4 Mobile/15E148 Safari/604.1",
]
LANGUAGES = {
    "en": "en-US,en;q=0.9",
    "es": "es-ES,es;q=0.9,en;q=0.8",
    "pt": "pt-BR,pt;q=0.9,en;q=0.8",
    "fr": "fr-FR,fr;q=0.9,en;q=0.8",
    "de": "de-DE,de;q=0.9,en;q=0.8",
}
SPEEDS = ["1.0", "1.0", "1.0", "1.0", "1.25", "1.50", "1.50", "2.0", "0.75"]


@dataclass(frozen=True, slots=True)
class Behaviour:
    """How an archetype studies. Probabilities are per day, per block or per attempt."""

    p_active: float  # chance of a visit on a given day
    half_life_days: float | None  # activity halves every so many days after enrolling
    quit_after_days: tuple[int, int] | None  # stops visiting after a number of days in this range
    units: tuple[int, int]  # units visited per session
    skill: float  # chance an input is right on the first attempt
    retry: float  # chance of trying again after a wrong answer
    watch: float  # chance of playing a video that is on the page
    full: float  # chance of watching a played video to the end
    attempt: float  # chance of answering a problem that is on the page
    forum: float  # chance of using the forum on a discussion block
    showanswer: float
    hint: float
    recheck: float  # chance of re-submitting a finished problem when coming back to it


BEHAVIOURS: dict[Archetype, Behaviour] = {
    "steady": Behaviour(0.42, None, None, (3, 6), 0.80, 0.70, 0.92, 0.78, 0.95, 0.30, 0.30, 0.10, 0.12),
    "binge": Behaviour(0.10, None, None, (9, 22), 0.70, 0.50, 0.75, 0.55, 0.85, 0.20, 0.25, 0.08, 0.08),
    "fading": Behaviour(0.70, 12.0, None, (2, 5), 0.62, 0.45, 0.80, 0.50, 0.85, 0.20, 0.30, 0.15, 0.10),
    "at_risk": Behaviour(0.34, None, (4, 24), (1, 3), 0.33, 0.30, 0.55, 0.30, 0.60, 0.12, 0.50, 0.20, 0.05),
    "never_started": Behaviour(0.0, None, None, (0, 0), 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0),
}


@dataclass(slots=True)
class Plan:
    """What the simulation runs over; built once by the orchestrator, shared by every worker."""

    seed: int
    start: dt.datetime  # midnight UTC of the first day
    days: int
    urls: SiteUrls
    courses: list[CourseIndex]
    learners: list[Learner]
    enrollments: list[Enrollment]


@dataclass(slots=True)
class DayOutput:
    """One day of events of one shard: (microseconds after midnight, JSON line) sorted by time."""

    day: int
    lines: list[tuple[int, bytes]]
    counts: dict[str, int]


@dataclass(slots=True)
class Records:
    """LMS rows that result from the activity."""

    student_modules: list[StudentModuleState] = field(default_factory=list)
    course_grades: list[CourseGrade] = field(default_factory=list)
    certificates: list[Certificate] = field(default_factory=list)
    completions: list[BlockCompletion] = field(default_factory=list)
    last_login: dict[int, int] = field(default_factory=dict)  # user id -> µs after range start


@dataclass(slots=True)
class ProblemState:
    """A learner's state in one problem."""

    attempts: int = 0
    chosen: list[Answer] | None = None
    finished: bool = False
    earned: float = 0.0  # weighted
    created: int = 0
    modified: int = 0


class Track:
    """One enrollment being simulated."""

    def __init__(self, plan: Plan, course: CourseIndex, learner: Learner, enrollment: Enrollment) -> None:
        self.plan = plan
        self.c = course
        self.learner = learner
        self.enrollment = enrollment
        self.b = BEHAVIOURS[learner.archetype]
        self.rng = random.Random(derive_seed(plan.seed, "track", learner.user_id, course.key))
        rng = self.rng
        lang = (learner.profile.language or "en")[:2]
        self.who = Who(
            username=learner.username,
            user_id=learner.user_id,
            ip=_ip_for(plan.seed, learner.user_id),
            agent=AGENTS[derive_seed(plan.seed, "agent", learner.user_id) % len(AGENTS)],
            accept_language=LANGUAGES.get(lang, f"{lang},en;q=0.8"),
            host=plan.urls.host,
            course_id=course.key,
            org_id=course.org,
            enterprise_uuid=enrollment.enterprise_uuid or "",
        )
        self.new_player = derive_seed(plan.seed, "player", learner.user_id) % 10 == 0
        self.speed = SPEEDS[derive_seed(plan.seed, "speed", learner.user_id) % len(SPEEDS)]
        self.speed_set = False
        self.hour = 7 + rng.random() * 12  # preferred hour of the day
        self.windows = _windows(enrollment, plan.start)
        self.first_day_us = self.windows[0][0] if self.windows else DAY_US * plan.days
        self.quit_us: int | None = None
        if self.b.quit_after_days:
            lo, hi = self.b.quit_after_days
            self.quit_us = self.first_day_us + rng.randrange(lo, hi + 1) * DAY_US
        starts = int((course.starts_at - plan.start).total_seconds() * SEC)
        self.open_us = max(starts, 0)
        ends = course.ends_at
        self.close_us = int((ends - plan.start).total_seconds() * SEC) if ends else FOREVER
        self.pos = 0
        self.problems: dict[str, ProblemState] = {}
        self.seq_earned = [0.0] * len(course.subsections)
        self.seq_first: list[str | None] = [None] * len(course.subsections)
        self.percent = 0.0
        self.graded_once: tuple[int, int] | None = None  # first and last course grade computation
        self.passing = False
        self.passed_at: int | None = None
        self.video_pos: dict[str, float] = {}
        self.completed: dict[str, tuple[str, int]] = {}
        self.modules: dict[str, list[Any]] = {}  # usage key -> [module_type, created, modified, state]
        self.exam_done: dict[int, int] = {}  # subsection index -> attempt id
        self.own_posts: list[Post] = []
        self.reported: list[Post] = []
        self.last_seen: int | None = None
        # per-day output, set by the simulation
        self.buf: list[tuple[int, bytes]] = []
        self.counts: dict[str, int] = {}
        self.prefix = ""
        self.day_base = 0

    # ------------------------------------------------------------------ output

    def ts(self, t: int) -> str:
        """Time text of `t` µs after midnight of the current day."""
        return format_time(self.prefix, t)

    def emit(self, t: int, event: Event) -> None:
        """Queue one event of the current day."""
        self.buf.append((t, orjson.dumps(event)))
        name = event["name"]
        self.counts[name] = self.counts.get(name, 0) + 1

    # ------------------------------------------------------------------ enrollment

    def enrollment_change(self, t: int, kind: str, mode: str) -> None:
        """Log one change of the enrollment at `t` µs after midnight."""
        who = self.who
        who.session = _session_id(self.plan.seed, who.user_id, self.day_base // DAY_US, 0)
        ts = self.ts(t)
        root = self.plan.urls.root
        if kind == "activated":
            ent = self.enrollment.enterprise_uuid
            if ent and t == self._first_activation_t():
                ev = ev_enrollment.activated_by_enterprise(who, ts, mode, ent, f"https://portal.{who.host}/")
            else:
                ev = ev_enrollment.activated(who, ts, mode, f"{root}/courses/{self.c.key}/about")
        elif kind == "deactivated":
            ev = ev_enrollment.deactivated(who, ts, mode, f"{root}/dashboard")
        else:
            ev = ev_enrollment.mode_changed(who, ts, mode, f"{root}/dashboard")
        self.emit(t, ev)

    def _first_activation_t(self) -> int:
        first = self.enrollment.history[0].time
        return int((first - self.plan.start).total_seconds() * SEC) - self.day_base

    # ------------------------------------------------------------------ days

    def day(self, day: int) -> None:
        """Decide whether the learner studies today, and simulate the sessions."""
        b = self.b
        if b.p_active <= 0.0:
            return
        base = day * DAY_US
        if base + DAY_US <= self.first_day_us or base + DAY_US <= self.open_us:
            return
        if self.quit_us is not None and base >= self.quit_us:
            return
        rng = self.rng
        p = b.p_active
        if b.half_life_days:
            p *= 0.5 ** (max(0, base - self.first_day_us) / DAY_US / b.half_life_days)
        if self.pos >= len(self.c.units):
            p *= 0.15  # finished: only coming back to review
        if base >= self.close_us:
            p *= 0.3  # the course ended: archived, rarely visited
        if rng.random() >= p:
            return
        sessions = 2 if rng.random() < 0.12 else 1
        t = int((self.hour + rng.gauss(0, 2.0)) * 3600 * SEC)
        t = min(max(t, 5 * 3600 * SEC), LAST_START_US)
        for k in range(sessions):
            start = self._usable_start(base, t)
            if start is None:
                return
            limit = self._limit(base, start)
            if start >= limit:
                return
            end = self.session(day, k, start, limit)
            t = end + int((1 + rng.random() * 4) * 3600 * SEC)
            if t > LAST_START_US:
                return

    def _usable_start(self, base: int, t: int) -> int | None:
        """`t` moved to when the enrollment is active and the course open, or None today."""
        t = max(t, self.open_us - base)
        for lo, hi in self.windows:
            if base + t < lo <= base + LAST_START_US:
                t = lo - base + int(60 * SEC + self.rng.random() * 1800 * SEC)
            if lo <= base + t < hi:
                return t if t <= LAST_START_US else None
        return None

    def _limit(self, base: int, start: int) -> int:
        for lo, hi in self.windows:
            if lo <= base + start < hi:
                return min(DAY_LIMIT_US, hi - base - 3600 * SEC)
        return DAY_LIMIT_US

    # ------------------------------------------------------------------ sessions

    def session(self, day: int, k: int, t: int, limit: int) -> int:
        """One visit to the courseware starting at `t`; returns when it ended."""
        rng = self.rng
        c = self.c
        who = self.who
        who.session = _session_id(self.plan.seed, who.user_id, day, k)
        abs_t = self.day_base + t
        if self.last_seen is None or abs_t > self.last_seen:
            self.last_seen = abs_t
        n_units = len(c.units)
        if n_units == 0:
            return t
        lo, hi = self.b.units
        budget = lo + int(rng.random() * (hi - lo + 1))
        reviewing = self.pos >= n_units
        u = int(rng.random() * n_units) if reviewing else self.pos
        unit = c.units[u]
        sub = c.subsections[unit.seq]
        # arrive at the subsection
        r = rng.random()
        if r < 0.35:
            ev = ev_link.link_clicked(who, self.ts(t), c.home_url, sub.jump_url, c.home_url)
        elif r < 0.8:
            ev = ev_nav.outline_selected(who, self.ts(t), c.outline_url, sub.display_name, sub.jump_url)
        else:
            ev = ev_nav.outline_selected(
                who, self.ts(t), unit.mfe_url, sub.display_name, sub.jump_url, in_sequence=True
            )
        self.emit(t, ev)
        t += int((1 + rng.random() * 3) * SEC)
        visited = 0
        while visited < budget and t < limit:
            if sub.exam is not None:
                if unit.seq in self.exam_done or reviewing:
                    nxt = sub.units[-1] + 1
                    if self.pos == u:
                        self.pos = nxt
                    if reviewing or nxt >= n_units:
                        break
                    u, unit = nxt, c.units[nxt]
                    sub = c.subsections[unit.seq]
                    continue
                t = self.take_exam(sub, t, limit)
                visited += len(sub.units)
                nxt = sub.units[-1] + 1
                if self.pos <= nxt - 1:
                    self.pos = nxt
            else:
                t = self.visit(unit, t, limit, reviewing)
                visited += 1
                if self.pos == u:
                    self.pos = u + 1
                nxt = u + 1
            if nxt >= n_units or visited >= budget or t >= limit or (reviewing and rng.random() < 0.5):
                break
            # move on with the sequence navigation
            nunit = c.units[nxt]
            r = rng.random()
            ts = self.ts(t)
            seq_key = sub.usage_key
            count = len(sub.units)
            if nunit.seq == unit.seq and r < 0.1 and unit.tab > 1:
                self.emit(t, ev_nav.previous_selected(who, ts, seq_key, unit.tab, count, unit.mfe_url))
                t += int((2 + rng.random() * 10) * SEC)
                self.emit(
                    t, ev_nav.next_selected(who, self.ts(t), seq_key, unit.tab - 1, count, unit.mfe_url)
                )
            elif nunit.seq == unit.seq and r < 0.25:
                self.emit(t, ev_nav.tab_selected(who, ts, seq_key, unit.tab, nunit.tab, count, unit.mfe_url))
            else:
                self.emit(t, ev_nav.next_selected(who, ts, seq_key, unit.tab, count, unit.mfe_url))
            t += int((1 + rng.random() * 2) * SEC)
            u, unit = nxt, nunit
            sub = c.subsections[unit.seq]
        if rng.random() < self.b.forum * 0.4:
            t = self.forum(c.topics[0], t, limit)
        return t

    def visit(self, unit: Unit, t: int, limit: int, reviewing: bool) -> int:
        """Look at one unit and use its blocks."""
        rng = self.rng
        sub = self.c.subsections[unit.seq]
        self._module(sub.usage_key, "sequential", t, unit.tab)
        self._module(sub.chapter_key, "chapter", t, sub.chapter_pos)
        for kind, ref in unit.items:
            if t >= limit:
                break
            if kind == "video":
                t = self.watch(ref, unit, t, limit)
            elif kind == "problem":
                t = self.answer(ref, sub, unit, t, reviewing)
            elif kind == "html":
                t += int((10 + rng.random() * 100) * SEC)
                self._complete(ref, "html", unit, t)
                if rng.random() < 0.04:
                    target = f"https://example.org/further-reading/{int(rng.random() * 50)}"
                    self.emit(
                        t, ev_link.link_clicked(self.who, self.ts(t), unit.mfe_url, target, unit.mfe_url)
                    )
                    t += int((30 + rng.random() * 300) * SEC)
            elif kind == "discussion":
                if rng.random() < self.b.forum:
                    t = self.forum(ref, t, limit)
                else:
                    t += int((3 + rng.random() * 20) * SEC)
            else:
                t += int((20 + rng.random() * 120) * SEC)
        return t + int((1 + rng.random() * 5) * SEC)

    # ------------------------------------------------------------------ videos

    def watch(self, v: VideoRef, unit: Unit, t: int, limit: int) -> int:
        """Load a video and maybe watch (part of) it, with pauses, seeks and player settings."""
        rng = self.rng
        who = self.who
        new = self.new_player
        self.emit(t, ev_video.load(who, self.ts(t), v, new))
        t += int((0.5 + rng.random() * 3) * SEC)
        if rng.random() >= self.b.watch:
            return t + int((1 + rng.random() * 5) * SEC)
        dur = v.duration
        pos = self.video_pos.get(v.usage_key, 0.0)
        if pos >= dur - 5:
            pos = 0.0
        target = dur if rng.random() < self.b.full else pos + (dur - pos) * (0.1 + 0.7 * rng.random())
        speed = float(self.speed)
        if not self.speed_set:  # the player remembers the learner's speed once chosen
            self.speed_set = True
            if self.speed != "1.0":
                self.emit(t, ev_video.speed_change(who, self.ts(t), v, round(pos, 3), "1.0", self.speed))
                t += int((0.5 + rng.random()) * SEC)
        transcript = rng.random() < 0.08
        if transcript:
            self.emit(t, ev_video.transcript(who, self.ts(t), v, round(pos, 3), True, new))
            t += int((0.5 + rng.random()) * SEC)
        captions = rng.random() < 0.06
        if captions:
            if rng.random() < 0.3:
                self.emit(t, ev_video.cc_menu(who, self.ts(t), v, round(pos, 3), True))
                t += int((0.5 + rng.random()) * SEC)
                self.emit(t, ev_video.cc_menu(who, self.ts(t), v, round(pos, 3), False))
                t += int((0.5 + rng.random()) * SEC)
            self.emit(t, ev_video.captions(who, self.ts(t), v, round(pos, 3), True))
            t += int((0.5 + rng.random()) * SEC)
        self.emit(t, ev_video.play(who, self.ts(t), v, round(pos, 3), new))
        playing = True
        completed = v.usage_key in self.completed
        ended = False
        while pos < target - 0.01 and t < limit:
            seg = min(target - pos, 20 + rng.random() * 130)
            t += int(seg / speed * SEC) + 1000
            pos += seg
            if not completed and pos >= 0.95 * dur:
                self.emit(t, ev_video.complete(who, self.ts(t), v, new))
                t += 1000
                self._complete(v.usage_key, "video", unit, t)
                completed = True
            if pos >= dur - 0.5:
                self.emit(t, ev_video.stop(who, self.ts(t), v, round(dur, 3), new))
                ended, playing = True, False
                break
            if pos >= target - 0.01:
                break
            r = rng.random()
            if r < 0.15:
                if rng.random() < 0.7:
                    new_pos = max(0.0, pos - 5 - rng.random() * 30)
                else:
                    new_pos = min(dur - 1, pos + 10 + rng.random() * 60)
                self.emit(t, ev_video.seek(who, self.ts(t), v, round(pos, 3), round(new_pos, 3), new))
                pos = new_pos
                t += int((0.3 + rng.random()) * SEC)
            elif r < 0.45:
                self.emit(t, ev_video.pause(who, self.ts(t), v, round(pos, 3), new))
                t += int((2 + rng.random() * 40) * SEC)
                self.emit(t, ev_video.play(who, self.ts(t), v, round(pos, 3), new))
        if playing:
            self.emit(t, ev_video.pause(who, self.ts(t), v, round(pos, 3), new))
        if transcript and rng.random() < 0.5:
            t += int((0.5 + rng.random()) * SEC)
            self.emit(t, ev_video.transcript(who, self.ts(t), v, round(pos, 3), False, new))
        if captions and rng.random() < 0.6:
            t += int((0.5 + rng.random()) * SEC)
            self.emit(t, ev_video.captions(who, self.ts(t), v, round(pos, 3), False))
        self.video_pos[v.usage_key] = 0.0 if ended else pos
        saved = 0 if ended else int(pos)
        state = {"saved_video_position": f"{saved // 3600:02d}:{saved // 60 % 60:02d}:{saved % 60:02d}"}
        if self.speed != "1.0":
            state["speed"] = self.speed
        self._module(v.usage_key, "video", t, state)
        return t + int((1 + rng.random() * 4) * SEC)

    # ------------------------------------------------------------------ problems

    def answer(self, p: ProblemRef, sub: Subsection, unit: Unit, t: int, reviewing: bool) -> int:
        """Maybe answer a problem: hints, attempts until right or giving up, show answer."""
        rng = self.rng
        b = self.b
        who = self.who
        st = self.problems.get(p.usage_key)
        if st is not None and st.finished:
            allowed = p.max_attempts is None or st.attempts < p.max_attempts
            if not (allowed and rng.random() < b.recheck):
                return t + int((2 + rng.random() * 10) * SEC)
            # second thoughts on a finished problem: a new (often worse) submission
            t += int((10 + rng.random() * 60) * SEC)
            return self.submit(p, sub, unit, st, t, 0.4)
        if rng.random() >= b.attempt:
            return t + int((5 + rng.random() * 30) * SEC)
        if st is None:
            st = ProblemState(created=self.day_base + t)
            self.problems[p.usage_key] = st
        if p.hints and rng.random() < b.hint:
            t += int((10 + rng.random() * 60) * SEC)
            self.emit(t, ev_problem.hint_displayed(who, self.ts(t), p, 0))
            if len(p.hints) > 1 and rng.random() < 0.4:
                t += int((5 + rng.random() * 30) * SEC)
                self.emit(t, ev_problem.hint_displayed(who, self.ts(t), p, 1))
        t += int((20 + rng.random() * 120) * SEC)
        skill = b.skill
        while True:
            t = self.submit(p, sub, unit, st, t, skill)
            if st.finished:
                break
            if rng.random() >= b.retry:
                st.finished = st.attempts > 0 and (p.max_attempts is not None or rng.random() < 0.5)
                if rng.random() < b.showanswer:
                    t += int((3 + rng.random() * 20) * SEC)
                    self.emit(t, ev_problem.showanswer(who, self.ts(t), p))
                break
            skill = min(0.97, skill + 0.18)
            t += int((15 + rng.random() * 90) * SEC)
        return t + int((2 + rng.random() * 8) * SEC)

    def submit(
        self, p: ProblemRef, sub: Subsection, unit: Unit, st: ProblemState, t: int, skill: float
    ) -> int:
        """One submission of problem `p` and the grading it triggers."""
        rng = self.rng
        who = self.who
        chosen = [
            spec.answers[0] if rng.random() < skill else spec.answers[1 + int(rng.random() * 2)]
            for spec in p.inputs
        ]
        previous, previous_done = st.chosen, st.attempts > 0
        was_finished = st.finished
        st.attempts += 1
        st.chosen = chosen
        st.modified = self.day_base + t
        raw = sum(1 for a in chosen if a.correct)
        possible = p.weighted_possible
        earned = possible * raw / p.max_grade if p.max_grade else 0.0
        if raw == p.max_grade or (p.max_attempts is not None and st.attempts >= p.max_attempts):
            st.finished = True
        self.emit(t, ev_problem.check_browser(who, self.ts(t), p, chosen))
        t += int((0.15 + rng.random() * 0.3) * SEC)
        self.emit(
            t, ev_problem.check_server(who, self.ts(t), p, chosen, st.attempts, previous, previous_done)
        )
        txn = _txn_id(rng)
        t += 20_000 + int(rng.random() * 30_000)
        self.emit(t, ev_grades.problem_submitted(who, self.ts(t), p, earned, possible, txn))
        if st.finished and not was_finished:
            t += 5_000
            self.emit(t, ev_problem.completed(who, self.ts(t), p, earned, possible, txn))
        if p.usage_key not in self.completed:
            t += 5_000
            self._complete(p.usage_key, "problem", unit, t)
        # the grade recalculation runs in a worker a moment later
        t += int((0.5 + rng.random() * 2) * SEC)
        self.seq_earned[sub.index] += earned - st.earned
        st.earned = earned
        if self.seq_first[sub.index] is None:
            self.seq_first[sub.index] = format_time_space(self.prefix, t)
        c = self.c
        self.emit(
            t,
            ev_grades.subsection_calculated(
                who,
                self.ts(t),
                p,
                sub.usage_key,
                c.version,
                round(self.seq_earned[sub.index], 4),
                sub.possible,
                sub.graded,
                self.seq_first[sub.index] or "",
                c.edited,
                txn,
                sub.visible_blocks_hash,
            ),
        )
        t += 10_000 + int(rng.random() * 40_000)
        self.course_grade(t, p.check_path, unit.page, txn)
        return t + 1000

    def course_grade(self, t: int, path: str, referer: str, txn: str) -> None:
        """Recompute the course grade and log it as the LMS does after every score change:
        `grade_calculated`, `passed.first_time` the first time the cutoff is reached, then
        `now_passed` or `now_failed` (the LMS sends one of those signals on every update)."""
        c = self.c
        total = 0.0
        for _, weight, seqs in c.types:
            part = 0.0
            for i in seqs:
                part += self.seq_earned[i] / c.subsections[i].possible
            total += weight * part / len(seqs)
        percent = round(total + 1e-9, 2)
        self.percent = percent
        now = self.day_base + t
        self.graded_once = (self.graded_once[0] if self.graded_once else now, now)
        who = self.who
        self.emit(
            t,
            ev_grades.course_calculated(
                who,
                self.ts(t),
                path,
                referer,
                c.version,
                percent,
                c.letter(percent),
                c.edited,
                txn,
                c.policy_hash,
            ),
        )
        passing = c.pass_cutoff is not None and percent >= c.pass_cutoff
        if passing and self.passed_at is None:
            self.passed_at = now
            t += 2000
            self.emit(t, ev_grades.passed_first_time(who, self.ts(t), path, referer))
        t += 2000
        if passing:
            self.emit(t, ev_grades.now_passed(who, self.ts(t), path, referer))
        else:
            self.emit(t, ev_grades.now_failed(who, self.ts(t), path, referer))
        self.passing = passing

    # ------------------------------------------------------------------ exams

    def take_exam(self, sub: Subsection, t: int, limit: int) -> int:
        """Start a special exam, work through all its units, submit it."""
        assert sub.exam is not None
        rng = self.rng
        who = self.who
        x = sub.exam
        attempt_id = self.enrollment.enrollment_id * 100 + sub.index
        code = f"{rng.getrandbits(128):032X}"
        code = f"{code[:8]}-{code[8:12]}-{code[12:16]}-{code[16:20]}-{code[20:]}"
        referer = self.c.units[sub.units[0]].mfe_url
        self.emit(t, ev_exam.attempt_created(who, self.ts(t), x, attempt_id, code, referer))
        t += int((2 + rng.random() * 20) * SEC)
        started_t = t
        started = self.ts(t)
        deadline = min(limit, t + x.time_limit_mins * 60 * SEC)
        for ui in sub.units:
            if t >= deadline:
                break
            t = self.visit(self.c.units[ui], t, deadline, False)
        t = min(t, deadline)
        elapsed = round((t - started_t) / SEC, 4)
        self.emit(
            t, ev_exam.attempt_submitted(who, self.ts(t), x, attempt_id, code, started, elapsed, referer)
        )
        self.exam_done[sub.index] = attempt_id
        return t + int((2 + rng.random() * 10) * SEC)

    # ------------------------------------------------------------------ forum

    def forum(self, topic: str, t: int, limit: int) -> int:
        """Read one to three threads, doing something on each now and then."""
        if not self.c.threads:
            return t
        rng = self.rng
        for _ in range(1 + (rng.random() < 0.4) + (rng.random() < 0.15)):
            if t >= limit:
                break
            t = self._thread_visit(topic, t)
        return t

    def _thread_visit(self, topic: str, t: int) -> int:
        """Read a thread, then maybe vote, reply, post, report, or edit/delete one's own posts."""
        rng = self.rng
        who = self.who
        c = self.c
        thread = c.threads[int(rng.random() * len(c.threads))]
        replies = [p for p in c.responses if p.thread_id == thread.id]
        self.emit(t, ev_forum.viewed(who, self.ts(t), thread))
        t += int((10 + rng.random() * 90) * SEC)
        r = rng.random()
        if r < 0.30:
            target: Post = replies[int(rng.random() * len(replies))] if replies and r < 0.12 else thread
            self.emit(t, ev_forum.voted(who, self.ts(t), target))
            if rng.random() < 0.05:
                t += int((1 + rng.random() * 5) * SEC)
                self.emit(t, ev_forum.voted(who, self.ts(t), target, undo=True))
        elif r < 0.46:
            t = self._reply(thread, replies, t)
        elif r < 0.54:
            t = self._post_thread(topic, t)
        elif r < 0.60:
            pick = rng.random()
            if pick < 0.34 or not replies:
                target = thread
            else:
                target = replies[int(rng.random() * len(replies))]
                if pick > 0.67:
                    target = self._comment_on(target)
            self.emit(t, ev_forum.reported(who, self.ts(t), target))
            if rng.random() < 0.4:
                t += int((5 + rng.random() * 60) * SEC)
                self.emit(t, ev_forum.unreported(who, self.ts(t), target))
            else:
                self.reported.append(target)
        elif r < 0.70 and self.own_posts:
            post = self.own_posts[int(rng.random() * len(self.own_posts))]
            if rng.random() < 0.7:
                self.emit(t, ev_forum.edited(who, self.ts(t), post))
            else:
                self.emit(t, ev_forum.deleted(who, self.ts(t), post))
                self.own_posts.remove(post)
        elif r < 0.75 and self.reported:
            self.emit(t, ev_forum.unreported(who, self.ts(t), self.reported.pop()))
        return t + int((5 + rng.random() * 30) * SEC)

    def _new_post(self, kind: str, topic: str, url: str, **extra: str) -> Post:
        pid = hex_id(self.rng, 24)
        body = "<p>" + self.rng.choice(_BODIES) + "</p>"
        return Post(
            kind=kind, id=pid, author=self.who.username, commentable_id=topic, body=body, url=url, **extra
        )

    def _comment_on(self, target: Post) -> Post:
        """A comment another learner left under the response `target` (something to report)."""
        thread_id = target.thread_id or target.id
        response_id = target.id if target.kind == "response" else thread_id
        return Post(
            kind="comment",
            id=hex_id(self.rng, 24),
            author=target.author,
            commentable_id=target.commentable_id,
            body="<p>" + self.rng.choice(_BODIES) + "</p>",
            url=target.url,
            thread_id=thread_id,
            response_id=response_id,
        )

    def _reply(self, thread: Post, replies: list[Post], t: int) -> int:
        rng = self.rng
        if replies and rng.random() < 0.35:
            parent = replies[int(rng.random() * len(replies))]
            post = self._new_post(
                "comment", thread.commentable_id, thread.url, thread_id=thread.id, response_id=parent.id
            )
        else:
            post = self._new_post("response", thread.commentable_id, thread.url, thread_id=thread.id)
        t += int((30 + rng.random() * 240) * SEC)
        self.emit(t, ev_forum.created(self.who, self.ts(t), post))
        return self._second_thoughts(post, t)

    def _second_thoughts(self, post: Post, t: int) -> int:
        """Right after posting: fix a typo, or take the post back, or keep it."""
        rng = self.rng
        r = rng.random()
        if r < 0.3:
            t += int((20 + rng.random() * 200) * SEC)
            self.emit(t, ev_forum.edited(self.who, self.ts(t), post))
        if r > 0.85:
            t += int((20 + rng.random() * 200) * SEC)
            self.emit(t, ev_forum.deleted(self.who, self.ts(t), post))
        else:
            self.own_posts.append(post)
        return t

    def _post_thread(self, topic: str, t: int) -> int:
        rng = self.rng
        tid = hex_id(rng, 24)
        url = f"{self.plan.urls.mfe}/discussions/{self.c.key}/posts/{tid}"
        title = rng.choice(_OWN_TITLES)
        post = Post(
            kind="thread",
            id=tid,
            author=self.who.username,
            commentable_id=topic,
            body="<p>" + rng.choice(_BODIES) + "</p>",
            url=url,
            title=title,
            thread_type="question" if rng.random() < 0.5 else "discussion",
        )
        t += int((60 + rng.random() * 400) * SEC)
        self.emit(t, ev_forum.created(self.who, self.ts(t), post))
        return self._second_thoughts(post, t)

    # ------------------------------------------------------------------ state

    def _module(self, key: str, module_type: str, t: int, state: Any) -> None:
        now = self.day_base + t
        row = self.modules.get(key)
        if row is None:
            self.modules[key] = [module_type, now, now, state]
        else:
            row[2] = now
            row[3] = state

    def _complete(self, key: str, block_type: str, unit: Unit, t: int) -> None:
        if key in self.completed:
            return
        self.completed[key] = (block_type, self.day_base + t)
        path = f"/courses/{self.c.key}/xblock/{key}/handler/publish_completion"
        self.emit(
            t,
            ev_completion.block_completion_changed(
                self.who, self.ts(t), key, block_type, 1.0, path, unit.page
            ),
        )

    def _at(self, us: int) -> dt.datetime:
        return self.plan.start + dt.timedelta(microseconds=us)

    def student_module_rows(self) -> Iterator[StudentModuleState]:
        """courseware_studentmodule rows: answered problems, then sequentials, chapters, videos."""
        at = self._at
        uid, key = self.learner.user_id, self.c.key
        problems = {p.usage_key: p for s in self.c.subsections for p in s.problems}
        for usage_key, st in self.problems.items():
            if not st.attempts or st.chosen is None:
                continue
            p = problems[usage_key]
            raw = sum(1 for a in st.chosen if a.correct)
            state = {
                "correct_map": ev_problem.correct_map(p, st.chosen),
                "input_state": {spec.input_id: {} for spec in p.inputs},
                "last_submission_time": at(st.modified).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "attempts": st.attempts,
                "seed": 1,
                "done": True,
                "student_answers": ev_problem.student_answers(p, st.chosen),
                "score": {"raw_earned": raw, "raw_possible": p.max_grade},
            }
            text = orjson.dumps(state).decode()
            yield StudentModuleState(
                uid,
                key,
                "problem",
                usage_key,
                text,
                float(raw),
                float(p.max_grade),
                at(st.created),
                at(st.modified),
            )
        for usage_key, (module_type, created, modified, state) in self.modules.items():
            text = orjson.dumps(state if isinstance(state, dict) else {"position": state}).decode()
            yield StudentModuleState(
                uid, key, module_type, usage_key, text, None, None, at(created), at(modified)
            )

    def completion_rows(self) -> Iterator[BlockCompletion]:
        """completion_blockcompletion rows."""
        uid, key = self.learner.user_id, self.c.key
        for usage_key, (block_type, when) in self.completed.items():
            yield BlockCompletion(uid, key, usage_key, block_type, 1.0, self._at(when), self._at(when))

    def course_grade_row(self) -> CourseGrade | None:
        """grades_persistentcoursegrade row, once the course grade was computed."""
        if self.graded_once is None:
            return None
        first, last = self.graded_once
        passed = self._at(self.passed_at) if self.passed_at is not None else None
        letter = self.c.letter(self.percent)
        return CourseGrade(
            self.learner.user_id, self.c.key, self.percent, letter, passed, self._at(first), self._at(last)
        )

    def certificate_row(self) -> Certificate | None:
        """certificates_generatedcertificate row: earned, audit passing, or a verified learner not passing."""
        if self.graded_once is None:
            return None
        mode = self.enrollment.mode
        args = (self.learner.user_id, self.c.key, str(self.percent))
        name = self.learner.profile.name
        if self.passed_at is not None:
            when = self._at(self.passed_at)
            status = "downloadable" if mode in ("verified", "professional", "honor") else "audit_passing"
            return Certificate(*args, status, mode, name, when, when)
        if mode == "verified":
            when = self._at(self.graded_once[1])
            return Certificate(*args, "notpassing", mode, name, when, when)
        return None


_BODIES = [
    "Could someone explain the last step?",
    "Here is how I solved it: work backwards from the answer.",
    "I found the reading for this week really helpful.",
    "Does anyone else get a different result?",
    "Thanks for the tip!",
]
_OWN_TITLES = [
    "Question about this unit",
    "Confused by the problem wording",
    "Sharing my notes",
    "When is the next assignment due?",
]


def _ip_for(seed: int, user_id: int) -> str:
    """A documentation-range IPv4 address (RFC 5737): clearly not a real person's."""
    n = derive_seed(seed, "ip", user_id)
    net = ("192.0.2", "198.51.100", "203.0.113")[n % 3]
    return f"{net}.{1 + (n >> 8) % 254}"


def _session_id(seed: int, user_id: int, day: int, k: int) -> str:
    return hashlib.blake2b(repr((seed, user_id, day, k)).encode(), digest_size=16).hexdigest()


def _txn_id(rng: random.Random) -> str:
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"


def _windows(enrollment: Enrollment, start: dt.datetime) -> list[tuple[int, int]]:
    """Intervals (µs after range start) during which the enrollment is active."""
    out: list[tuple[int, int]] = []
    opened: int | None = None
    for change in enrollment.history:
        us = int((change.time - start).total_seconds() * SEC)
        if change.kind == "activated" and opened is None:
            opened = us
        elif change.kind == "deactivated" and opened is not None:
            out.append((opened, us))
            opened = None
    if opened is not None:
        out.append((opened, FOREVER))
    return out


class Simulation:
    """Runs the tracks of one shard (learners with `user_id % shards == shard`) day by day."""

    def __init__(self, plan: Plan, shard: int = 0, shards: int = 1) -> None:
        self.plan = plan
        courses = {c.key: c for c in plan.courses}
        learners = {learner.user_id: learner for learner in plan.learners}
        self.tracks: list[Track] = []
        self.changes: dict[int, list[tuple[int, Track, str, str]]] = {}
        for e in sorted(plan.enrollments, key=lambda e: e.enrollment_id):
            if e.user_id % shards != shard or e.course_key not in courses:
                continue
            track = Track(plan, courses[e.course_key], learners[e.user_id], e)
            self.tracks.append(track)
            for change in e.history:
                us = int((change.time - plan.start).total_seconds() * SEC)
                day, t = divmod(us, DAY_US)
                self.changes.setdefault(day, []).append((t, track, change.kind, change.mode))

    def run(self) -> Iterator[DayOutput]:
        """Simulate every day; yields each day's events sorted by time."""
        plan = self.plan
        for day in range(plan.days):
            prefix = (plan.start + dt.timedelta(days=day)).strftime("%Y-%m-%dT")
            buf: list[tuple[int, bytes]] = []
            counts: dict[str, int] = {}
            base = day * DAY_US
            for track in self.tracks:
                track.buf, track.counts, track.prefix, track.day_base = buf, counts, prefix, base
            for t, track, kind, mode in self.changes.get(day, []):
                track.enrollment_change(t, kind, mode)
            for track in self.tracks:
                track.day(day)
            buf.sort()
            yield DayOutput(day, buf, counts)

    def _ordered(self) -> list[Track]:
        return sorted(self.tracks, key=lambda t: (t.learner.user_id, t.c.key))

    def student_modules(self) -> Iterator[StudentModuleState]:
        """courseware_studentmodule rows by learner and course (streamed, not held in memory)."""
        for track in self._ordered():
            yield from track.student_module_rows()

    def completions(self) -> Iterator[BlockCompletion]:
        """completion_blockcompletion rows by learner and course."""
        for track in self._ordered():
            yield from track.completion_rows()

    def course_grades(self) -> Iterator[CourseGrade]:
        """grades_persistentcoursegrade rows by learner and course."""
        for track in self._ordered():
            row = track.course_grade_row()
            if row is not None:
                yield row

    def certificates(self) -> Iterator[Certificate]:
        """certificates_generatedcertificate rows by learner and course."""
        for track in self._ordered():
            row = track.certificate_row()
            if row is not None:
                yield row

    def last_login(self) -> dict[int, int]:
        """Per learner, when they were last seen (µs after the range start)."""
        out: dict[int, int] = {}
        for track in self.tracks:
            seen = track.last_seen
            uid = track.learner.user_id
            if seen is not None and (uid not in out or seen > out[uid]):
                out[uid] = seen
        return out

    def records(self) -> Records:
        """All LMS rows in lists (for handing them from a worker process to the parent)."""
        return Records(
            list(self.student_modules()),
            list(self.course_grades()),
            list(self.certificates()),
            list(self.completions()),
            self.last_login(),
        )
