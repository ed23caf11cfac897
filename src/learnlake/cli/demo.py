"""`learnlake demo`: a synthetic site, the whole pipeline and the dashboards, in one command."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import orjson
import typer

from learnlake.cli.common import console, state_of
from learnlake.config import load_settings
from learnlake.pipeline import run_pipeline
from learnlake.progress import progress

DEMO_CONFIG = """\
# learnlake demo settings (written by `learnlake demo`; see `learnlake init` for every key)
data_dir: data
site:
  lms_root_url: "https://lms.learnlake.test"
tracking_logs:
  paths: ["site/tracking"]
extract:
  datasources:
    - name: lms
      type: sqlite
      url: "sqlite:///site/lms.sqlite"
    - name: courses
      type: olx
      location: "site/courses"
"""


def demo_command(
    ctx: typer.Context,
    directory: Path = typer.Option(Path(".demo"), "--dir", help="Folder for the demo site and data."),
    learners: int = typer.Option(2000, "--learners", min=1),
    courses: int = typer.Option(6, "--courses", min=1),
    orgs: int = typer.Option(3, "--orgs", min=1),
    days: int = typer.Option(90, "--days", min=1),
    seed: int = typer.Option(1, "--seed"),
    serve: bool = typer.Option(True, "--serve/--no-serve", help="Serve the dashboards afterwards."),
    port: int = typer.Option(8000, "--port"),
) -> None:
    """Generate (once) a synthetic site, run the pipeline over it, then serve on 127.0.0.1."""
    from learnlake.synth.site import SynthOptions, generate_site

    app_state = state_of(ctx)
    directory.mkdir(parents=True, exist_ok=True)
    config_path = directory / "learnlake.yaml"
    if not config_path.exists():
        config_path.write_text(DEMO_CONFIG, encoding="utf-8")
    site_dir = directory / "site"
    start = dt.date.today() - dt.timedelta(days=days)
    wanted = {
        "seed": seed,
        "learners": learners,
        "courses": courses,
        "orgs": orgs,
        "days": days,
        "start": start.isoformat(),
    }
    marker = directory / "synth-options.json"
    if not marker.exists() or orjson.loads(marker.read_bytes()) != wanted:
        console.print(f"generating a synthetic site in {site_dir} ({learners:,} learners, {days} days)")
        options = SynthOptions(
            seed=seed,
            orgs=orgs,
            courses=courses,
            learners=learners,
            days=days,
            start=start,
            out=site_dir,
            lms_url=None,
            include_demo_course=True,
        )
        with progress("synth", unit="events") as reporter:
            generate_site(options, reporter)
        marker.write_bytes(orjson.dumps(wanted))
    settings = load_settings(config_path)
    for result in run_pipeline(settings):
        console.print(
            f"{result.stage}: {result.status}, {result.rows_out:,} rows, {result.quarantined:,} quarantined"
        )
    if serve:
        import uvicorn

        from learnlake.serve.app import create_app

        console.print(
            f"serving on http://127.0.0.1:{port}: the course dashboard is http://127.0.0.1:{port}/dashboards/course"
        )
        uvicorn.run(
            create_app(settings),
            host="127.0.0.1",
            port=port,
            log_level="warning" if app_state.quiet else "info",
        )
