"""`learnlake init` and `learnlake config show|check|docs`."""

from __future__ import annotations

from pathlib import Path

import orjson
import typer

from learnlake.cli.common import Exit, console, emit_summary, fail, state_of
from learnlake.config.docs import default_yaml, readme_with_reference, reference_markdown

config_app = typer.Typer(no_args_is_help=True)


def init_command(
    path: Path = typer.Argument(Path("learnlake.yaml"), help="File to write."),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing file."),
) -> None:
    """Write the default settings with every key documented."""
    if path.exists() and not force:
        fail(f"{path} exists; pass --force to overwrite it", Exit.USAGE)
    path.write_text(default_yaml(), encoding="utf-8")
    console.print(f"wrote {path}")


@config_app.command("show")
def show(ctx: typer.Context) -> None:
    """Print the effective settings (file + environment), secrets masked."""
    settings = state_of(ctx).settings()
    data = settings.model_dump(mode="json")
    console.print_json(orjson.dumps(data).decode())


@config_app.command("check")
def check(ctx: typer.Context) -> None:
    """Validate the settings; exit 2 with the file, line and key of the first problem."""
    app_state = state_of(ctx)
    settings = app_state.settings()
    emit_summary(
        app_state,
        {"ok": True, "data_dir": str(settings.data_dir), "lake_root": settings.lake_root},
        "settings are valid",
    )


@config_app.command("docs")
def docs(
    readme: Path | None = typer.Option(
        None, "--readme", help="Rewrite the configuration reference inside this README instead of printing."
    ),
) -> None:
    """Print the configuration reference generated from the settings model."""
    if readme is None:
        typer.echo(reference_markdown(), nl=False)
        return
    readme.write_text(readme_with_reference(readme.read_text(encoding="utf-8")), encoding="utf-8")
    console.print(f"updated {readme}")
