"""`learnlake synth`: generate a synthetic Open edX site."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import typer

from learnlake.cli.common import emit_summary, state_of
from learnlake.progress import progress


def synth_command(
    ctx: typer.Context,
    out: Path = typer.Option(Path("synthetic-site"), "--out", "-o", help="Output folder."),
    seed: int = typer.Option(1, "--seed", help="Random seed; the same options give byte-identical output."),
    orgs: int = typer.Option(3, "--orgs", min=1, help="Number of organisations."),
    courses: int = typer.Option(6, "--courses", min=1, help="Number of courses (the demo course included)."),
    learners: int = typer.Option(2000, "--learners", min=1, help="Number of learners."),
    days: int = typer.Option(90, "--days", min=1, help="Days of activity."),
    start: str = typer.Option("2026-01-05", "--start", help="First day of activity (YYYY-MM-DD, UTC)."),
    lms_url: str | None = typer.Option(
        None,
        "--lms-url",
        help="Write LMS tables to this MySQL/MariaDB (mysql://user:pass@host:port/db); "
        "default: <out>/lms.sqlite.",
    ),
    lms_host: str = typer.Option(
        "lms.learnlake.test", "--lms-host", help="Host name of the LMS in the events' URLs."
    ),
    workers: int = typer.Option(1, "--workers", min=1, help="Simulation processes (same output)."),
    demo_course: bool = typer.Option(
        True, "--demo-course/--no-demo-course", help="Include the Open edX demo course."
    ),
) -> None:
    """Generate tracking logs, LMS tables and OLX course exports of a synthetic site."""
    from learnlake.synth.site import SynthOptions, generate_site

    app_state = state_of(ctx)
    try:
        start_date = dt.date.fromisoformat(start)
    except ValueError:
        raise typer.BadParameter(
            f"not a date: {start!r} (expected YYYY-MM-DD)", param_hint="--start"
        ) from None
    options = SynthOptions(
        seed=seed,
        orgs=orgs,
        courses=courses,
        learners=learners,
        days=days,
        start=start_date,
        out=out,
        lms_url=lms_url,
        lms_host=lms_host,
        workers=workers,
        include_demo_course=demo_course,
    )
    with progress("synth", unit="events") as reporter:
        summary = generate_site(options, reporter)
    data = _as_dict(summary)
    emit_summary(app_state, data, _human(data, out))


def _as_dict(summary: Any) -> dict[str, Any]:
    if dataclasses.is_dataclass(summary) and not isinstance(summary, type):
        return dataclasses.asdict(summary)
    if hasattr(summary, "model_dump"):
        return dict(summary.model_dump(mode="json"))
    return dict(summary)


def _human(data: dict[str, Any], out: Path) -> str:
    events = data.get("events") or data.get("total_events")
    if isinstance(events, dict):
        events = sum(events.values())
    parts = [f"synthetic site written to {out}"]
    if events is not None:
        parts.append(f"{events:,} tracking events")
    seconds = data.get("elapsed_s") or data.get("seconds")
    if seconds:
        parts.append(f"in {seconds:.1f}s")
    return ", ".join(parts)
