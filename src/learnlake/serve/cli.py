"""`learnlake users …`: local users, their roles and scopes, and API tokens."""

from __future__ import annotations

import sys
from dataclasses import asdict

import typer
from rich.table import Table

from learnlake.cli.common import Exit, console, emit_summary, fail, state_of
from learnlake.serve.auth.store import ROLES, UserError, UserStore

app = typer.Typer(no_args_is_help=True, help="Manage dashboard users, their scope and API tokens.")


def _store(ctx: typer.Context) -> UserStore:
    return UserStore(state_of(ctx).settings().data_dir)


def _password(from_stdin: bool, ask: bool) -> str | None:
    if from_stdin:
        value = sys.stdin.readline().rstrip("\n")
        if not value:
            fail("--password-stdin: no password on standard input", Exit.USAGE)
        return value
    if ask:
        return str(typer.prompt("password", hide_input=True, confirmation_prompt=True))
    return None


@app.command("add")
def add_command(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="User name."),
    role: str = typer.Option(..., "--role", "-r", help=f"One of: {', '.join(ROLES)}."),
    org: list[str] = typer.Option([], "--org", help="Organization (org_staff; repeatable)."),
    course: list[str] = typer.Option([], "--course", help="Course key (course_staff; repeatable)."),
    actor: str | None = typer.Option(None, "--actor", help="xAPI actor id (learner)."),
    pii: bool = typer.Option(
        False, "--pii", help="May see personal data: PII columns; for analysts, rows about single learners."
    ),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from stdin."),
    no_password: bool = typer.Option(False, "--no-password", help="API tokens only, no web sign-in."),
) -> None:
    """Add a user (asks for a password on a terminal unless --no-password or --password-stdin)."""
    password = _password(password_stdin, ask=not no_password and sys.stdin.isatty())
    try:
        user = _store(ctx).add(name, role, password, org, course, actor, pii)
    except UserError as exc:
        fail(str(exc), Exit.USAGE)
    emit_summary(state_of(ctx), asdict(user), f"added {user.name} ({user.role})")


@app.command("list")
def list_command(ctx: typer.Context) -> None:
    """List users with their role and scope."""
    users = _store(ctx).list()
    app_state = state_of(ctx)
    if app_state.json:
        emit_summary(app_state, {"users": [asdict(u) for u in users]})
        return
    table = Table("name", "role", "orgs", "courses", "actor", "pii", "created")
    for u in users:
        table.add_row(
            u.name,
            u.role,
            ", ".join(u.orgs),
            ", ".join(u.courses),
            u.actor_id or "",
            "yes" if u.pii else "",
            u.created_at,
        )
    console.print(table)


@app.command("remove")
def remove_command(ctx: typer.Context, name: str = typer.Argument(..., help="User name.")) -> None:
    """Delete a user and their API tokens."""
    try:
        _store(ctx).remove(name)
    except UserError as exc:
        fail(str(exc), Exit.USAGE)
    emit_summary(state_of(ctx), {"removed": name}, f"removed {name}")


@app.command("grant")
def grant_command(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="User name."),
    org: list[str] = typer.Option([], "--org", help="Organization to add (repeatable)."),
    course: list[str] = typer.Option([], "--course", help="Course key to add (repeatable)."),
    pii: bool | None = typer.Option(
        None, "--pii/--no-pii", help="Allow or forbid personal data (PII columns; analysts: learner rows)."
    ),
    revoke: bool = typer.Option(False, "--revoke", help="Remove the given orgs and courses instead."),
) -> None:
    """Widen (or with --revoke narrow) a user's scope."""
    try:
        user = _store(ctx).grant(name, org, course, pii, revoke)
    except UserError as exc:
        fail(str(exc), Exit.USAGE)
    emit_summary(
        state_of(ctx),
        asdict(user),
        f"{user.name}: orgs {user.orgs or '-'}, courses {user.courses or '-'}, pii {user.pii}",
    )


@app.command("password")
def password_command(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="User name."),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from stdin."),
) -> None:
    """Set a user's password."""
    password = _password(password_stdin, ask=True)
    assert password is not None
    try:
        _store(ctx).set_password(name, password)
    except UserError as exc:
        fail(str(exc), Exit.USAGE)
    emit_summary(state_of(ctx), {"user": name}, f"password of {name} set")


@app.command("token")
def token_command(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="User name."),
    label: str | None = typer.Option(None, "--label", help="What the token is for."),
    revoke: bool = typer.Option(False, "--revoke", help="Delete every token of the user instead."),
) -> None:
    """Make an API token (printed once; send it as `Authorization: Bearer <token>`)."""
    store = _store(ctx)
    try:
        if revoke:
            count = store.revoke_tokens(name)
            emit_summary(
                state_of(ctx), {"user": name, "revoked": count}, f"revoked {count} token(s) of {name}"
            )
            return
        token = store.new_token(name, label)
    except UserError as exc:
        fail(str(exc), Exit.USAGE)
    app_state = state_of(ctx)
    if app_state.json:
        emit_summary(app_state, {"user": name, "token": token})
    else:
        sys.stdout.write(token + "\n")
