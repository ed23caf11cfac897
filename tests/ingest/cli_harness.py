"""`learnlake` with the ingest and query commands mounted, whether or not the main CLI has them yet.

Tests run it as `python tests/ingest/cli_harness.py …` (the same as the `learnlake` script).
"""

from __future__ import annotations

from learnlake import cli
from learnlake.ingest.cli import app as ingest_app
from learnlake.warehouse.cli import query_command


def _mounted(name: str) -> bool:
    names = {c.name for c in cli.app.registered_commands} | {g.name for g in cli.app.registered_groups}
    return name in names


if not _mounted("ingest"):
    cli.app.add_typer(ingest_app, name="ingest", help="Load sources into the lake.")
if not _mounted("query"):
    cli.app.command("query", help="Run SQL on the warehouse.")(query_command)

if __name__ == "__main__":
    cli.main()
