"""`learnlake synth`: a whole synthetic Open edX site on disk.

Writes what a real site would hand to learnlake: rotated tracking logs (`<out>/tracking/`), the
LMS database (`<out>/lms.sqlite`, or MariaDB at `lms_url`), one OLX export per course
(`<out>/courses/<course key>.tar.gz`) and `<out>/site.json` describing the site. Every random
choice comes from streams derived from the seed, so the same options give byte-identical files,
whatever the number of worker processes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import multiprocessing as mp
import shutil
import time
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from learnlake.progress import ProgressReporter
from learnlake.synth.activity import DayOutput, Plan, Records, Simulation
from learnlake.synth.course_index import SiteUrls, build_index
from learnlake.synth.enrollments import generate_enrollments
from learnlake.synth.events.common import rng_for
from learnlake.synth.learners import generate_learners
from learnlake.synth.logwriter import DEFAULT_LEVEL, DEFAULT_MAX_BYTES, TrackingLogWriter
from learnlake.synth.model import (
    BlockCompletion,
    Certificate,
    Course,
    CourseGrade,
    Enrollment,
    Learner,
    StudentModuleState,
)

log = logging.getLogger("learnlake.synth")

DEFAULT_HOST = "lms.learnlake.test"
DEFAULT_SIZES = ("small", "medium", "large", "medium", "small")
DEMO_ORG = "OpenedX"
ORG_NAMES = ["LakeU", "MapleX", "HarborU", "CedarX", "RiverU", "SummitX", "MeadowU", "BeaconX", "QuarryU"]
OUTPUTS = ("tracking", "courses", "lms.sqlite", "site.json")


@dataclass
class SynthOptions:
    """What site to generate. Only `seed`..`out` and `lms_url` are usually set."""

    seed: int = 1
    orgs: int = 3
    courses: int = 6  # the demo course included
    learners: int = 2000
    days: int = 90
    start: dt.date = dt.date(2026, 1, 5)
    out: Path = Path("synthetic-site")
    lms_url: str | None = None  # mysql://user:pass@host:port/db; None: <out>/lms.sqlite
    lms_host: str = DEFAULT_HOST  # LMS host name: events say https://<lms_host>/...
    include_demo_course: bool = True
    demo_course_path: Path | None = None  # default: the shared demo course export
    course_sizes: tuple[str, ...] = DEFAULT_SIZES  # sizes of the generated courses, cycled
    # processes simulating learners; the output does not depend on it. One process plus the
    # compression thread already keeps two cores busy, so more only helps on idle, larger machines.
    workers: int = 1
    max_log_bytes: int = DEFAULT_MAX_BYTES  # rotate a day's log into several .gz beyond this size
    compress_level: int = DEFAULT_LEVEL


@dataclass
class SynthSummary:
    """What `generate_site` produced."""

    out: str
    seed: int
    events: int
    events_by_name: dict[str, int]
    tables: dict[str, int]
    files: list[str]
    courses: list[str]
    learners: int
    enrollments: int
    elapsed_s: float
    events_per_min: float = 0.0
    timings_s: dict[str, float] = field(default_factory=dict)


def generate_site(options: SynthOptions, reporter: ProgressReporter) -> SynthSummary:
    """Generate the whole site described by `options` into `options.out`."""
    began = time.perf_counter()
    timings: dict[str, float] = {}
    out = Path(options.out)
    _clear_outputs(out)
    start = dt.datetime.combine(options.start, dt.time(), tzinfo=dt.UTC)
    end = start + dt.timedelta(days=options.days)
    urls = SiteUrls(options.lms_host)

    orgs, courses = build_courses(options, start)
    learners = generate_learners(options.learners, rng_for(options.seed, "learners"), start)
    enrollments = generate_enrollments(learners, courses, rng_for(options.seed, "enrollments"), start, end)
    plan = build_plan(options, start, urls, courses, learners, enrollments)
    timings["plan"] = time.perf_counter() - began

    mark = time.perf_counter()
    olx_files = write_course_exports(courses, out / "courses")
    timings["olx"] = time.perf_counter() - mark

    mark = time.perf_counter()
    writer = TrackingLogWriter(out / "tracking", options.max_log_bytes, options.compress_level)
    counts: dict[str, int] = {}
    total = 0
    runner = _Runner(plan, options.workers)
    for output in runner.days():
        data = b"\n".join([line for _, line in output.lines]) + b"\n" if output.lines else b""
        writer.write_day(
            options.start + dt.timedelta(days=output.day), data, live=output.day == plan.days - 1
        )
        for name, n in output.counts.items():
            counts[name] = counts.get(name, 0) + n
        total += len(output.lines)
        reporter.set_total(max(total, total * plan.days // (output.day + 1)))
        reporter.advance(len(output.lines))
    log_files = writer.close()
    timings["events"] = time.perf_counter() - mark

    mark = time.perf_counter()
    last_login = runner.rows.last_login()
    for learner in learners:
        seen = last_login.get(learner.user_id)
        if seen is not None:
            learner.last_login = start + dt.timedelta(microseconds=seen)
    tables = write_lms_tables(options, out, courses, learners, enrollments, runner.rows)
    timings["lms"] = time.perf_counter() - mark

    site = _site_json(options, orgs, courses, learners, enrollments, start, end, log_files, counts, tables)
    (out / "site.json").write_text(json.dumps(site, indent=2, sort_keys=True) + "\n")
    elapsed = time.perf_counter() - began
    files = [str(p.relative_to(out)) for p in [*log_files, *olx_files]] + ["site.json"]
    if options.lms_url is None:
        files.append("lms.sqlite")
    return SynthSummary(
        out=str(out),
        seed=options.seed,
        events=total,
        events_by_name=dict(sorted(counts.items())),
        tables=tables,
        files=sorted(files),
        courses=[c.course_key for c in courses],
        learners=len(learners),
        enrollments=len(enrollments),
        elapsed_s=round(elapsed, 3),
        events_per_min=round(total / elapsed * 60, 1) if elapsed > 0 else 0.0,
        timings_s={k: round(v, 3) for k, v in timings.items()},
    )


def build_courses(options: SynthOptions, start: dt.datetime) -> tuple[list[str], list[Course]]:
    """The site's organisations and courses (the demo course first when included)."""
    from learnlake.synth.courses import find_demo_course_tarball, generate_course, load_demo_course

    count = max(1, options.courses)
    demo_path = options.demo_course_path
    if demo_path is None and options.include_demo_course:
        demo_path = find_demo_course_tarball()
        if demo_path is None:
            log.warning("the Open edX demo course export was not found; generating all %d courses", count)
    with_demo = options.include_demo_course and demo_path is not None
    names = ([DEMO_ORG] if with_demo else []) + ORG_NAMES
    orgs = names[: max(1, options.orgs)]
    courses: list[Course] = []
    if with_demo and demo_path is not None:
        courses.append(load_demo_course(demo_path, DEMO_ORG, "DemoCourse", start - dt.timedelta(days=60)))
    year = options.start.year
    for i in range(count - len(courses)):
        org = orgs[(i + (1 if with_demo and len(orgs) > 1 else 0)) % len(orgs)]
        size = options.course_sizes[i % len(options.course_sizes)]
        rng = rng_for(options.seed, "course", i)
        course_start = start + dt.timedelta(days=min(7 * i - 21, options.days // 3))
        number = f"{org[:3].upper()}{101 + 10 * i}"
        courses.append(generate_course(org, number, f"{year}_T{1 + i % 3}", size, rng, course_start))
    return orgs, courses


def build_plan(
    options: SynthOptions,
    start: dt.datetime,
    urls: SiteUrls,
    courses: list[Course],
    learners: list[Learner],
    enrollments: list[Enrollment],
) -> Plan:
    """Index the courses for the simulation (URLs, answers, exams, existing forum threads)."""
    usernames = {learner.user_id: learner.username for learner in learners}
    indexes = []
    exam_id = 1
    for number, course in enumerate(courses):
        authors = [usernames[e.user_id] for e in enrollments if e.course_key == course.course_key][:12]
        rng = rng_for(options.seed, "index", course.course_key)
        index = build_index(course, urls, rng, exam_id, number, authors)
        exam_id += sum(1 for s in index.subsections if s.exam is not None)
        indexes.append(index)
    return Plan(options.seed, start, options.days, urls, indexes, learners, enrollments)


def write_course_exports(courses: list[Course], folder: Path) -> list[Path]:
    """One OLX export tarball per course."""
    from learnlake.synth.olx import write_olx_tarball

    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for course in courses:
        path = folder / f"{course.course_key}.tar.gz"
        write_olx_tarball(course, path)
        paths.append(path)
    return paths


def write_lms_tables(
    options: SynthOptions,
    out: Path,
    courses: list[Course],
    learners: list[Learner],
    enrollments: list[Enrollment],
    rows: Rows,
) -> dict[str, int]:
    """The LMS database rows, in a deterministic order."""
    from learnlake.synth.lms_tables import LmsWriter

    lms = LmsWriter(options.lms_url, out / "lms.sqlite")
    lms.write_site(courses, learners)
    lms.write_enrollments(enrollments)
    lms.write_student_modules(rows.student_modules())
    lms.write_course_grades(rows.course_grades())
    lms.write_certificates(rows.certificates())
    lms.write_completions(rows.completions())
    return {str(name): int(count) for name, count in lms.close().items()}  # plain str keys


# ---------------------------------------------------------------------------------------- simulation


class Rows(Protocol):
    """The LMS rows the activity left, by learner then course (the same order for any worker count)."""

    def student_modules(self) -> Iterator[StudentModuleState]: ...
    def course_grades(self) -> Iterator[CourseGrade]: ...
    def certificates(self) -> Iterator[Certificate]: ...
    def completions(self) -> Iterator[BlockCompletion]: ...
    def last_login(self) -> dict[int, int]: ...


class _Runner:
    """Runs the simulation in this process or in worker processes; output is the same either way."""

    def __init__(self, plan: Plan, workers: int) -> None:
        self.plan = plan
        self.workers = workers
        self.rows: Rows = _MergedRows([])

    def days(self) -> Iterator[DayOutput]:
        """Each day's events, sorted by time; `rows` is ready once this is exhausted."""
        if self.workers <= 1:
            sim = Simulation(self.plan)
            yield from sim.run()
            self.rows = sim
        else:
            yield from self._in_workers()

    def _in_workers(self) -> Iterator[DayOutput]:
        plan, workers = self.plan, self.workers
        ctx: Any = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
        pipes = []
        procs = []
        for shard in range(workers):
            recv, send = ctx.Pipe(duplex=False)
            proc = ctx.Process(target=_worker, args=(plan, shard, workers, send), daemon=True)
            proc.start()
            send.close()
            pipes.append(recv)
            procs.append(proc)
        try:
            for day in range(plan.days):
                counts: dict[str, int] = {}
                lines: list[tuple[int, bytes]] = []
                for pipe in pipes:
                    got_day, times, blob, part_counts = pipe.recv()
                    if got_day != day:
                        raise RuntimeError(f"worker sent day {got_day}, expected {day}")
                    for name, n in part_counts.items():
                        counts[name] = counts.get(name, 0) + n
                    if times:
                        lines.extend(zip(times, blob.split(b"\n"), strict=True))
                lines.sort()  # sorted runs: timsort merges them in linear time
                yield DayOutput(day, lines, counts)
            self.rows = _MergedRows([pipe.recv() for pipe in pipes])
        finally:
            for proc in procs:
                proc.join(timeout=5)
                if proc.is_alive():
                    proc.terminate()
            for pipe in pipes:
                pipe.close()
        bad = [p.exitcode for p in procs if p.exitcode not in (0, None)]
        if bad:
            raise RuntimeError(f"a simulation worker failed (exit codes {bad})")


def _worker(plan: Plan, shard: int, shards: int, conn: Any) -> None:
    """Simulate one shard; each day goes back as (day, times, lines joined by newlines, counts),
    which pickles much faster than a list of tuples."""
    sim = Simulation(plan, shard, shards)
    for output in sim.run():
        times = array("q", [t for t, _ in output.lines])
        conn.send((output.day, times, b"\n".join([line for _, line in output.lines]), output.counts))
    conn.send(sim.records())
    conn.close()


class _MergedRows:
    """Rows from several workers, ordered as one process orders them: by learner and course (a
    stable sort keeps each enrollment's own row order)."""

    def __init__(self, parts: list[Records]) -> None:
        def order(rows: list[Any]) -> list[Any]:
            return sorted(rows, key=lambda r: (r.user_id, r.course_key))

        self._modules = order([r for p in parts for r in p.student_modules])
        self._grades = order([r for p in parts for r in p.course_grades])
        self._certificates = order([r for p in parts for r in p.certificates])
        self._completions = order([r for p in parts for r in p.completions])
        self._last_login: dict[int, int] = {}
        for part in parts:
            for uid, seen in part.last_login.items():
                if uid not in self._last_login or seen > self._last_login[uid]:
                    self._last_login[uid] = seen

    def student_modules(self) -> Iterator[StudentModuleState]:
        return iter(self._modules)

    def course_grades(self) -> Iterator[CourseGrade]:
        return iter(self._grades)

    def certificates(self) -> Iterator[Certificate]:
        return iter(self._certificates)

    def completions(self) -> Iterator[BlockCompletion]:
        return iter(self._completions)

    def last_login(self) -> dict[int, int]:
        return self._last_login


# ---------------------------------------------------------------------------------------- outputs


def _clear_outputs(out: Path) -> None:
    """Remove what a previous run left in `out` (only the files this command writes)."""
    out.mkdir(parents=True, exist_ok=True)
    for name in OUTPUTS:
        path = out / name
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


def _site_json(
    options: SynthOptions,
    orgs: list[str],
    courses: list[Course],
    learners: list[Learner],
    enrollments: list[Enrollment],
    start: dt.datetime,
    end: dt.datetime,
    log_files: list[Path],
    counts: dict[str, int],
    tables: dict[str, int],
) -> dict[str, Any]:
    """A description of the site; no wall-clock values, so it is reproducible."""
    return {
        "generator": "learnlake synth",
        "seed": options.seed,
        "lms_host": options.lms_host,
        "lms_root_url": SiteUrls(options.lms_host).root,
        "lms_database": "mysql" if options.lms_url else "lms.sqlite",
        "first_day": start.date().isoformat(),
        "last_day": (end - dt.timedelta(days=1)).date().isoformat(),
        "days": options.days,
        "orgs": orgs,
        "courses": [
            {
                "course_key": c.course_key,
                "org": c.org,
                "display_name": c.display_name,
                "size": c.size,
                "start": c.start.isoformat(),
                "end": c.end.isoformat() if c.end else None,
                "olx": f"courses/{c.course_key}.tar.gz",
            }
            for c in courses
        ],
        "learners": len(learners),
        "archetypes": _count(learner.archetype for learner in learners),
        "enrollments": len(enrollments),
        "tracking_logs": [f"tracking/{p.name}" for p in log_files],
        "events": sum(counts.values()),
        "events_by_name": dict(sorted(counts.items())),
        "lms_tables": dict(sorted(tables.items())),
        "options": {
            k: (str(v) if isinstance(v, Path | dt.date) else list(v) if isinstance(v, tuple) else v)
            for k, v in dataclasses.asdict(options).items()
            if k not in ("out", "lms_url", "demo_course_path", "workers")
        },
    }


def _count(values: Iterable[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for v in values:
        out[v] = out.get(v, 0) + 1
    return dict(sorted(out.items()))
