"""The `learnlake` command: one Typer app with a subcommand per stage."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import typer

from learnlake import __version__
from learnlake.catalog.cli import app as catalog_app
from learnlake.check.cli import check_command
from learnlake.cli.common import AppState, Exit, err_console, setup
from learnlake.cli.config_cmd import config_app, init_command
from learnlake.cli.demo import demo_command
from learnlake.cli.run import run_command, runs_command
from learnlake.cli.serve import serve_command
from learnlake.cli.synth import synth_command
from learnlake.extract.cli import extract_command, tables_app
from learnlake.ingest.cli import app as ingest_app
from learnlake.ingest.cli import replay_command
from learnlake.lake.cli import app as lake_app
from learnlake.models.cli import app as models_app
from learnlake.serve.cli import app as users_app
from learnlake.state import LockedError
from learnlake.warehouse.cli import query_command

app = typer.Typer(
    name="learnlake",
    help="Learning analytics for Open edX: tracking logs and LMS data into an open lake, "
    "metrics, dashboards, API and LRS.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"learnlake {__version__}")
        raise typer.Exit()


@app.callback()
def _global(
    ctx: typer.Context,
    config: Path | None = typer.Option(
        None,
        "--config",
        "-c",
        help="Settings file (default: $LEARNLAKE_CONFIG or ./learnlake.yaml).",
        envvar="LEARNLAKE_CONFIG",
    ),
    verbose: int = typer.Option(0, "--verbose", "-v", count=True, help="More log output."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Only warnings and errors."),
    json_out: bool = typer.Option(False, "--json", help="Print a machine-readable JSON summary."),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version."
    ),
) -> None:
    """Global options, valid before any command."""
    state = AppState(config=config, verbose=verbose, quiet=quiet, json=json_out)
    ctx.obj = state
    setup(state)


app.command("init", help="Write a fully commented default learnlake.yaml.")(init_command)
app.add_typer(config_app, name="config", help="Show, check and document the settings.")
app.command("synth", help="Generate a synthetic Open edX site: tracking logs, LMS tables, OLX courses.")(
    synth_command
)
app.command("run", help="Run every pipeline stage (ingest, extract, models) incrementally.")(run_command)
app.command("runs", help="List recent runs: stage, start, duration, rows, quarantined, status.")(runs_command)
app.command("serve", help="Serve the dashboards, API and status pages.")(serve_command)
app.command("demo", help="Synthetic site + pipeline + dashboards on http://127.0.0.1:8000.")(demo_command)
app.add_typer(ingest_app, name="ingest", help="Load tracking logs into the lake and the warehouse.")
app.command("replay", help="Re-derive xapi_events_all from tracking_events (after a transformer upgrade).")(
    replay_command
)
app.add_typer(lake_app, name="lake", help="Maintain the open data lake: compact small files.")
app.command("extract", help="Extract LMS (or any SQL) tables into the lake, incrementally.")(extract_command)
app.add_typer(tables_app, name="tables", help="Discover tables and fields of the SQL datasources.")
app.add_typer(
    models_app, name="models", help="Build, list and document the SQL models (Aspects, Insights, yours)."
)
app.command("query", help="Run read-only SQL on the warehouse; table, CSV or JSON output.")(query_command)
app.add_typer(users_app, name="users", help="Dashboard users, roles, scopes and API tokens.")
app.add_typer(
    catalog_app, name="catalog", help="Create, update or drop the Athena/Glue catalog over the lake."
)
app.command(
    "check", help="Contact every configured source and sink; one line per target, exit 1 on failure."
)(check_command)

try:  # the xAPI transformer's own commands
    from learnlake.xapi.cli import app as xapi_app

    app.add_typer(xapi_app, name="xapi", help="Transform tracking events into xAPI statements.")
except ImportError:  # pragma: no cover - while the package is being assembled
    pass


def main() -> None:
    """Console-script entry point: maps known failures to exit codes without tracebacks."""
    try:
        rc = app(standalone_mode=False)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        err_console.print("aborted")
        sys.exit(int(Exit.FAILED))
    except LockedError as exc:
        err_console.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        sys.exit(int(Exit.FAILED))
    except Exception as exc:  # usage errors and anything unexpected
        show = getattr(exc, "show", None)
        if isinstance(exc, typer.BadParameter) or (callable(show) and hasattr(exc, "exit_code")):
            exc.show()  # type: ignore[attr-defined]
            sys.exit(int(Exit.USAGE))
        logging.getLogger("learnlake").debug("unexpected error", exc_info=True)
        err_console.print(
            f"[bold red]error:[/] {type(exc).__name__}: {exc} (run with -v for details)",
            highlight=False,
            soft_wrap=True,
        )
        sys.exit(int(Exit.FAILED))
    sys.exit(rc if isinstance(rc, int) else 0)
