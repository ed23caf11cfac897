"""The `learnlake check` command."""

from __future__ import annotations

import typer

from learnlake.cli.common import Exit, emit_summary, state_of


def check_command(ctx: typer.Context) -> None:
    """Contact every configured source and sink; one line per target; exit 1 if any fails."""
    from learnlake.check.probes import run_checks

    app_state = state_of(ctx)
    results = run_checks(app_state.settings())
    summary = {
        "ok": all(r.ok for r in results),
        "targets": [
            {
                "target": r.target,
                "kind": r.kind,
                "ok": r.ok,
                "detail": r.detail,
                "latency_ms": round(r.latency_ms, 1),
            }
            for r in results
        ],
    }
    human = "\n".join(
        f"{'ok  ' if r.ok else 'FAIL'} {r.target} [{r.kind}] {r.latency_ms:.0f} ms: {r.detail}"
        for r in results
    )
    if app_state.json:
        emit_summary(app_state, summary)
    elif human:
        typer.echo(human)  # plain lines: one per target, never wrapped or styled
    if not all(r.ok for r in results):
        raise typer.Exit(int(Exit.FAILED))
