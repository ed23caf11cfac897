"""`learnlake xapi …`: transform tracking events to xAPI statements and validate statements.

For people who just want statements (NDJSON out) and for independent checks against ERB.
Exit codes: 0 ok, 1 failed (or invalid statements), 2 usage/config error, 3 finished but some
input was quarantined.
"""

from __future__ import annotations

import gc
import gzip
import sys
import zlib
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, cast

import orjson
import typer
from rich.console import Console

from learnlake.xapi.batch import SKIPPED_REASONS, parse_line
from learnlake.xapi.errors import NotMapped, XapiRejected
from learnlake.xapi.lookups import ActorAssigner, ActorMode, StaticLookups
from learnlake.xapi.registry import mapped_event_names
from learnlake.xapi.transform import XapiTransformer
from learnlake.xapi.validate import validate_statement

app = typer.Typer(
    name="xapi",
    help="Transform Open edX tracking events into xAPI statements (as event-routing-backends does).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True)

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_QUARANTINED = 0, 1, 2, 3
WHOLE_DOCUMENT_LIMIT = 64 * 1024 * 1024  # a file starting with `{`/`[` this small may be one JSON document


def _usage(message: str) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(EXIT_USAGE)


def _load_map(path: Path | None, what: str) -> dict[str, str]:
    """A JSON object file mapping keys to strings (actor map, course names, emails)."""
    if path is None:
        return {}
    try:
        data = orjson.loads(path.read_bytes())
    except OSError as exc:
        raise _usage(f"cannot read {what} {path}: {exc.strerror or exc}") from None
    except orjson.JSONDecodeError as exc:
        raise _usage(f"{what} {path} is not valid JSON: {exc}") from None
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise _usage(f"{what} {path} must be a JSON object of strings")
    return {str(k): v for k, v in data.items()}


def _open(path: str) -> IO[bytes]:
    if path == "-":
        return sys.stdin.buffer
    if path.endswith(".gz"):
        return cast(IO[bytes], gzip.open(path, "rb"))
    return open(path, "rb")


Item = tuple[int, int, bytes, Any]  # line number, byte offset, raw bytes, parsed event (or None)


def _documents(data: bytes) -> list[Any] | None:
    """The events of a file that is one JSON document (an event or a list of events), else None."""
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError:
        return None
    if isinstance(doc, dict):
        return [doc]
    if isinstance(doc, list):
        return doc
    return None


def _chunks(handle: IO[bytes], truncated: list[str]) -> Iterator[bytes]:
    """64 KiB chunks of a file; a truncated or corrupt .gz ends the stream with a note in `truncated`."""
    while True:
        try:
            chunk = handle.read(1 << 16)
        except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
            truncated.append(f"{type(exc).__name__}: {exc}")
            return
        if not chunk:
            return
        yield chunk


def read_events(
    path: str, normalize: bool
) -> Iterator[tuple[int, int, bytes, dict[str, Any] | None, XapiRejected | None]]:
    """(line, offset, raw, event, rejection) for each input record of a file or stdin.

    A file holding one JSON document (an event, or a list of events, possibly pretty-printed) is
    read whole and its events are used as they are, like ERB's own fixture tests; anything else is
    a tracking log, one event per line, normalized as ERB's bulk command does. A truncated .gz
    gives its complete lines, then a `truncated_input` rejection.
    """
    truncated: list[str] = []
    with _open(path) as handle:
        chunks = _chunks(handle, truncated)
        head = b""
        for chunk in chunks:
            head += chunk
            if len(head) > WHOLE_DOCUMENT_LIMIT:
                break
        if len(head) <= WHOLE_DOCUMENT_LIMIT and not truncated and head.lstrip()[:1] in (b"{", b"["):
            docs = _documents(head)
            if docs is not None:
                for i, doc in enumerate(docs, 1):
                    if isinstance(doc, dict):
                        yield i, 0, b"", doc, None
                    else:
                        yield (
                            i,
                            0,
                            orjson.dumps(doc),
                            None,
                            XapiRejected("malformed_json", "document entry is not an object"),
                        )
                return
        offset = 0
        line_no = 0
        pending = head
        while True:
            lines = pending.split(b"\n")
            pending = lines.pop()
            for raw in lines:
                line_no += 1
                yield from _parse(line_no, offset, raw, normalize)
                offset += len(raw) + 1
            chunk = next(chunks, b"")
            if not chunk:
                break
            pending += chunk
        if pending:
            line_no += 1
            yield from _parse(line_no, offset, pending, normalize)
        if truncated:
            yield line_no + 1, offset + len(pending), b"", None, XapiRejected("truncated_input", truncated[0])


def _parse(
    line_no: int, offset: int, raw: bytes, normalize: bool
) -> Iterator[tuple[int, int, bytes, dict[str, Any] | None, XapiRejected | None]]:
    try:
        event = parse_line(raw, normalize)
    except XapiRejected as exc:
        yield line_no, offset, raw, None, exc
        return
    if event is not None:
        yield line_no, offset, raw, event, None


@app.command("transform")
def transform_command(
    inputs: list[str] = typer.Argument(..., help="Tracking logs (.gz ok), JSON event files, or - for stdin."),
    lms_url: str = typer.Option("http://localhost:18000", "--lms-url", help="The LMS root URL (IRI prefix)."),
    actor_map: Path | None = typer.Option(
        None, "--actor-map", help='JSON {user id or username: external id}; "*" is the default for any user.'
    ),
    course_names: Path | None = typer.Option(
        None, "--course-names", help='JSON {course key: display name}; "*" is the default.'
    ),
    emails: Path | None = typer.Option(
        None, "--emails", help="JSON {user id or username: email} (mbox modes)."
    ),
    actor_mode: str = typer.Option(
        "account", "--actor-mode", help="account (external id), mbox or mbox_sha1sum."
    ),
    strict_courses: bool = typer.Option(
        False, "--strict-courses", help="Reject events of courses without a name (ERB's behaviour)."
    ),
    drop_incomplete: bool = typer.Option(
        False, "--drop-incomplete", help="Drop events whose statement has no object id (ERB's router does)."
    ),
    as_is: bool = typer.Option(
        False, "--as-is", help="Do not reshape tracking-log lines as ERB's bulk command does."
    ),
    out: Path | None = typer.Option(None, "--out", "-o", help="Write the statements here instead of stdout."),
    export_actor_map: Path | None = typer.Option(
        None, "--export-actor-map", help="Write the external ids learnlake assigned (JSON) to this file."
    ),
    summary: bool = typer.Option(
        True, "--summary/--no-summary", help="Print a summary on stderr at the end."
    ),
) -> None:
    """Write one xAPI statement per line (NDJSON); reasons for rejected events go to stderr as JSON lines.

    Learners without an entry in --actor-map (and no "*") get a deterministic external id
    (UUIDv5 of the site and the user id); --export-actor-map saves them for the LMS.
    """
    if actor_mode not in ("account", "mbox", "mbox_sha1sum"):
        raise _usage(f"--actor-mode must be account, mbox or mbox_sha1sum, not {actor_mode!r}")
    for path in inputs:
        if path != "-" and (not Path(path).exists() or Path(path).is_dir()):
            raise _usage(f"input not found: {path}")
    lms = lms_url.rstrip("/")
    assigner = ActorAssigner.for_site(lms)
    lookups = StaticLookups(
        lms_root_url=lms,
        external_ids=_load_map(actor_map, "actor map"),
        course_names=_load_map(course_names, "course names"),
        emails=_load_map(emails, "emails"),
        actor_mode=cast(ActorMode, actor_mode),
        strict_courses=strict_courses,
        assigner=assigner,
    )
    tf = XapiTransformer(lookups)
    counts: Counter[str] = Counter()
    dumps = orjson.dumps
    try:
        sink: IO[bytes] = open(out, "wb") if out is not None else sys.stdout.buffer  # noqa: SIM115
    except OSError as exc:
        raise _usage(f"cannot write {out}: {exc.strerror or exc}") from None
    stderr = sys.stderr

    def reject(path: str, line: int, offset: int, reason: str, detail: str, name: Any = None) -> None:
        record = {"source": path, "line": line, "offset": offset, "reason": reason, "detail": detail}
        if name is not None:
            record["event"] = name
        stderr.write(dumps(record).decode() + "\n")

    gc.disable()  # events and statements hold no reference cycles: collections would be wasted work
    try:
        for path in inputs:
            try:
                for line, offset, _raw, event, problem in read_events(path, not as_is):
                    counts["records"] += 1
                    if event is None:
                        assert problem is not None
                        counts["quarantined"] += 1
                        reject(path, line, offset, problem.reason, problem.detail)
                        continue
                    try:
                        statements = tf.transform(event)
                    except NotMapped as exc:
                        counts["not_mapped"] += 1
                        reject(path, line, offset, exc.reason, exc.detail, event.get("name"))
                        continue
                    except XapiRejected as exc:
                        counts["skipped" if exc.reason in SKIPPED_REASONS else "quarantined"] += 1
                        reject(path, line, offset, exc.reason, exc.detail, event.get("name"))
                        continue
                    if any("id" not in st["object"] for st in statements):
                        reject(
                            path,
                            line,
                            offset,
                            "no_object_id",
                            "statement has no object id (ERB's router drops the event)",
                            event.get("name"),
                        )
                        if drop_incomplete:
                            counts["quarantined"] += 1
                            continue
                    try:
                        data = b"".join(dumps(st) + b"\n" for st in statements)
                    except TypeError as exc:  # e.g. an integer beyond 64 bits
                        counts["quarantined"] += 1
                        reject(path, line, offset, "serialization_error", str(exc), event.get("name"))
                        continue
                    sink.write(data)
                    counts["statements"] += len(statements)
                    counts["events"] += 1
            except OSError as exc:
                err.print(f"[bold red]error:[/] cannot read {path}: {exc.strerror or exc}", highlight=False)
                raise typer.Exit(EXIT_FAILED) from None
            except (EOFError, gzip.BadGzipFile, zlib.error) as exc:  # corrupt before the first byte
                counts["quarantined"] += 1
                reject(path, 0, 0, "truncated_input", f"{type(exc).__name__}: {exc}")
    finally:
        gc.enable()
        sink.flush()
        if out is not None:
            sink.close()
    if export_actor_map is not None:
        export_actor_map.write_bytes(orjson.dumps(assigner.export_json(), option=orjson.OPT_INDENT_2))
    if summary:
        err.print(
            f"[bold]xapi transform:[/] {counts['statements']} statements from {counts['events']} events; "
            f"{counts['not_mapped']} not mapped, {counts['skipped']} skipped (anonymous), "
            f"{counts['quarantined']} quarantined; {len(assigner.assigned)} external ids assigned",
            highlight=False,
            soft_wrap=True,
        )
    if counts["quarantined"]:
        raise typer.Exit(EXIT_QUARANTINED)


def _read_statements(path: str) -> Iterator[tuple[str, Any]]:
    """(where, statement) from a JSON document (object or list) or NDJSON."""
    with _open(path) as handle:
        data = handle.read()
    docs = _documents(data) if data.lstrip()[:1] in (b"{", b"[") else None
    if docs is not None:
        for i, doc in enumerate(docs):
            yield (f"[{i}]" if len(docs) > 1 else "document"), doc
        return
    for i, raw in enumerate(data.split(b"\n"), 1):
        if not raw.strip():
            continue
        try:
            yield f"line {i}", orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            yield f"line {i}", _Unparsable(str(exc))


class _Unparsable:
    def __init__(self, message: str) -> None:
        self.message = message


@app.command("validate")
def validate_command(
    file: str = typer.Argument(
        ..., help="Statements: NDJSON, a JSON statement or a JSON list (- for stdin)."
    ),
    strict: bool = typer.Option(False, "--strict", help="Also fail on ERB's known deviations (quirks)."),
) -> None:
    """Check statements against xAPI 1.0.3; exit 1 when any is invalid."""
    if file != "-" and (not Path(file).exists() or Path(file).is_dir()):
        raise _usage(f"file not found: {file}")
    total = invalid = quirky = 0
    try:
        for where, statement in _read_statements(file):
            total += 1
            if isinstance(statement, _Unparsable):
                invalid += 1
                err.print(f"[red]✗[/] {where}: not JSON: {statement.message}", highlight=False)
                continue
            issues = validate_statement(statement)
            errors = [i for i in issues if strict or not i.quirk]
            quirks = [i for i in issues if i.quirk and not strict]
            if errors:
                invalid += 1
            elif quirks:
                quirky += 1
            for issue in errors:
                err.print(f"[red]✗[/] {where} {issue.path}: {issue.message}", highlight=False, soft_wrap=True)
            for issue in quirks:
                err.print(
                    f"[yellow]![/] {where} {issue.path}: {issue.message}", highlight=False, soft_wrap=True
                )
    except OSError as exc:
        err.print(f"[bold red]error:[/] cannot read {file}: {exc.strerror or exc}", highlight=False)
        raise typer.Exit(EXIT_FAILED) from None
    Console().print(
        f"{total} statements: {total - invalid} valid xAPI 1.0.3"
        + (f" ({quirky} with ERB quirks)" if quirky else "")
        + (f", [red]{invalid} invalid[/]" if invalid else ""),
        highlight=False,
    )
    if invalid:
        raise typer.Exit(EXIT_FAILED)


@app.command("events")
def events_command() -> None:
    """List the tracking event names that have an xAPI mapping."""
    console = Console()
    for name in mapped_event_names():
        console.print(name, highlight=False)


@app.command("export-actors")
def export_actors_command(
    ctx: typer.Context,
    fmt: str = typer.Option("csv", "--format", help="csv (rows for external_user_ids_externalid) or json."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Write here instead of stdout."),
) -> None:
    """Export the external ids learnlake assigned, for the LMS to load into external_user_ids_externalid.

    CSV columns: user_id, external_user_id, external_id_type (always `xapi`), assigned_at. JSON: an
    object {user id: external id}, the `--actor-map` format of `xapi transform`. Learners the LMS
    already has an xapi id for are left out.
    """
    import csv
    import io

    from learnlake.cli.common import Exit, fail, state_of
    from learnlake.xapi.lake_lookups import export_rows

    if fmt not in ("csv", "json"):
        fail(f"--format must be csv or json, not {fmt!r}", Exit.USAGE)
    settings = state_of(ctx).settings()
    try:
        rows, missing = export_rows(settings)
    except OSError as exc:
        fail(f"cannot read the lake at {settings.lake_root}: {exc}")
    if fmt == "json":
        data = (
            orjson.dumps({str(r["user_id"]): r["external_user_id"] for r in rows}, option=orjson.OPT_INDENT_2)
            + b"\n"
        )
    else:
        text = io.StringIO()
        writer = csv.DictWriter(
            text, ["user_id", "external_user_id", "external_id_type", "assigned_at"], lineterminator="\n"
        )
        writer.writeheader()
        writer.writerows(rows)
        data = text.getvalue().encode()
    if out is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        try:
            out.write_bytes(data)
        except OSError as exc:
            fail(f"cannot write {out}: {exc.strerror or exc}", Exit.USAGE)
    note = f"{len(rows)} assigned external ids exported"
    if missing:
        note += (
            f"; {missing} learners known only by username could not be (no user id: extract auth_user,"
            " with privacy.pii for hashed usernames)"
        )
    err.print(note, highlight=False, soft_wrap=True)


@app.command("native")
def native_command(
    action: str = typer.Argument("status", help="status, build (compile with mypyc) or remove."),
) -> None:
    """The optional compiled (mypyc) build of the transformer: about twice as fast, same output.

    `build` needs mypy (a dev dependency) and a C compiler; the build lives in the environment, not
    in the source tree, and is used only while the sources match it (else pure Python runs).
    """
    import subprocess

    from learnlake.xapi import native

    if action == "status":
        Console().print(native.STATUS, highlight=False)
        return
    if action == "remove":
        native.main(["remove"])
        return
    if action != "build":
        raise _usage(f"action must be status, build or remove, not {action!r}")
    try:
        where = native.build(quiet=True)
    except (OSError, subprocess.CalledProcessError) as exc:
        err.print(f"[bold red]error:[/] mypyc build failed: {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(EXIT_FAILED) from None
    Console().print(f"compiled into {where}; new processes use it", highlight=False)
