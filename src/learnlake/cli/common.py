"""What every command shares: global options, settings loading, output and exit codes."""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass, field
from enum import IntEnum
from pathlib import Path
from typing import Any, NoReturn

import orjson
import typer
from rich.console import Console

from learnlake import progress
from learnlake.config import ConfigError, Settings, load_settings


class Exit(IntEnum):
    """Process exit codes, the same for every command."""

    OK = 0
    FAILED = 1  # the work failed
    USAGE = 2  # bad usage or configuration
    QUARANTINED = 3  # finished, but some input went to quarantine


console = Console()
err_console = Console(stderr=True)


@dataclass
class AppState:
    """Global options, shared with every command through the Typer context."""

    config: Path | None = None
    verbose: int = 0
    quiet: bool = False
    json: bool = False
    _settings: Settings | None = field(default=None, repr=False)

    def settings(self) -> Settings:
        """The validated settings, loaded once; a configuration error exits 2 with one line."""
        if self._settings is None:
            try:
                self._settings = load_settings(self.config)
            except ConfigError as exc:
                fail(str(exc), Exit.USAGE)
        return self._settings


def configure_logging(verbose: int, quiet: bool) -> None:
    """Plain log lines on stderr; -v for debug, -q for warnings only."""
    level = logging.WARNING if quiet else logging.DEBUG if verbose > 0 else logging.INFO
    logging.basicConfig(
        level=level, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    for noisy in ("botocore", "urllib3", "s3fs", "aiobotocore", "fsspec", "httpx"):
        logging.getLogger(noisy).setLevel(max(level, logging.WARNING))


def state_of(ctx: typer.Context) -> AppState:
    """The AppState of the running command."""
    root = ctx.find_root()
    if not isinstance(root.obj, AppState):
        root.obj = AppState()
    return root.obj


def fail(message: str, code: Exit = Exit.FAILED) -> NoReturn:
    """Print one error line and exit with the given code."""
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(int(code))


def emit_summary(app_state: AppState, summary: dict[str, Any], human: str | None = None) -> None:
    """Print a command's summary: JSON with --json, else the human text (unless -q)."""
    if app_state.json:
        sys.stdout.write(orjson.dumps(summary, option=orjson.OPT_INDENT_2, default=str).decode() + "\n")
    elif human and not app_state.quiet:
        console.print(human, highlight=False)


def setup(app_state: AppState) -> None:
    """Apply global options to logging and progress output."""
    configure_logging(app_state.verbose, app_state.quiet)
    progress.set_enabled(not (app_state.quiet or app_state.json))
