"""Raw tracking-log lines → Arrow batches of statements (Aspects' columns) plus quarantine records.

Lines may carry a syslog-like prefix: the JSON starts at the first `{`. Tracking-log events (payload
under `event`, possibly as a JSON string) are normalized as ERB's bulk command does (`data` = the
parsed payload, `timestamp` = `time`). Outcomes per line: statements; *not mapped* (no xAPI form,
counted by name); *skipped* (ERB rejects it by design: anonymous learner; counted by reason); or
quarantined with a reason (bad bytes, bad JSON, a mapped event that fails to transform, a
statement without object id). Memory is bounded by `batch_rows`.
"""

from __future__ import annotations

import contextlib
import gc
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Final

import orjson
import pyarrow as pa

from learnlake.xapi.errors import NotMapped, XapiRejected
from learnlake.xapi.lookups import Lookups
from learnlake.xapi.transform import XapiTransformer

STATEMENT_SCHEMA = pa.schema(
    [
        ("event_id", pa.string()),
        ("emission_time", pa.timestamp("us", tz="UTC")),
        ("actor_id", pa.string()),
        ("verb_id", pa.string()),
        ("object_id", pa.string()),
        ("course_key", pa.string()),
        ("org", pa.string()),
        ("event", pa.string()),
    ]
)
QUARANTINE_SCHEMA = pa.schema(
    [
        ("source", pa.string()),
        ("line", pa.int64()),
        ("offset", pa.int64()),
        ("reason", pa.string()),
        ("detail", pa.string()),
        ("raw", pa.binary()),
    ]
)
RAW_LIMIT = 16 * 1024  # bytes of a quarantined line kept
SKIPPED_REASONS = frozenset({"anonymous_user"})  # ERB rejects these by design: counted, not quarantined
ERB_UNLISTED = frozenset({"edx.grades.problem.submitted", "edx.problem.completed"})

_loads: Final = orjson.loads
_dumps: Final = orjson.dumps
_JSONDecodeError: Final = orjson.JSONDecodeError


@dataclass(slots=True)
class QuarantineRecord:
    """A line that produced no statement for a reason worth looking at."""

    source: str
    line: int  # 1-based line number in the source
    offset: int  # byte offset of the line's start
    reason: str
    detail: str
    raw: bytes  # the line, truncated to RAW_LIMIT bytes


@dataclass
class XapiBatch:
    """Statements and quarantine of consecutive lines; `end_offset`/`next_line` are the checkpoint."""

    statements: pa.RecordBatch
    quarantine: list[QuarantineRecord]
    source: str
    first_line: int  # 1-based number of the first line in this batch
    next_line: int  # number of the first line after it (resume here)
    end_offset: int  # byte offset after the batch's last line (resume here)
    events: int = 0  # JSON events parsed
    not_mapped: Counter[str] = field(default_factory=Counter)  # event name → count
    skipped: Counter[str] = field(default_factory=Counter)  # reason → count

    @property
    def lines(self) -> int:
        """Lines consumed, blank ones included."""
        return self.next_line - self.first_line

    def quarantine_table(self) -> pa.RecordBatch:
        """The quarantine records as an Arrow batch (QUARANTINE_SCHEMA)."""
        q = self.quarantine
        return pa.RecordBatch.from_arrays(
            [
                pa.array([r.source for r in q], pa.string()),
                pa.array([r.line for r in q], pa.int64()),
                pa.array([r.offset for r in q], pa.int64()),
                pa.array([r.reason for r in q], pa.string()),
                pa.array([r.detail for r in q], pa.string()),
                pa.array([r.raw for r in q], pa.binary()),
            ],
            schema=QUARANTINE_SCHEMA,
        )


def parse_line(raw: bytes, normalize: bool = True) -> dict[str, Any] | None:
    """One log line → event dict (None for a blank line); raises XapiRejected for bad input.

    Takes the JSON from the first `{` (syslog-like prefixes). With `normalize`, a tracking-log event
    (payload under `event`, no `data`) is reshaped as ERB's bulk command does: `data` = the payload
    (parsed when it is a JSON string) and `timestamp` = `time` when absent.
    """
    start = 0 if raw and raw[0] == 123 else raw.find(b"{")  # 123: "{", the usual first byte
    if start < 0:
        if raw.strip():
            raise XapiRejected("no_json", "line has no JSON object")
        return None
    try:
        event = _loads(raw[start:] if start else raw)
    except _JSONDecodeError as exc:
        if "UTF-8" in str(exc) or "utf-8" in str(exc):
            raise XapiRejected("invalid_utf8", str(exc)) from None
        raise XapiRejected("malformed_json", str(exc)) from None
    if type(event) is not dict:
        raise XapiRejected("malformed_json", "line is JSON but not an object")
    if normalize and "event" in event and "data" not in event:
        _normalize_log_event(event)
    return event


def _normalize_log_event(event: dict[str, Any]) -> None:
    payload = event["event"]
    if type(payload) is str:
        with contextlib.suppress(_JSONDecodeError):
            payload = _loads(payload)
    event["data"] = payload
    if "timestamp" not in event and "time" in event:
        event["timestamp"] = event["time"]


class _Columns:
    """Column builders of one statements batch (statement dicts are not kept: less memory and GC)."""

    __slots__ = ("actor", "course", "event", "event_id", "object", "org", "time", "verb")

    def __init__(self) -> None:
        self.event_id: list[str] = []
        self.time: list[str | None] = []
        self.actor: list[str | None] = []
        self.verb: list[str] = []
        self.object: list[str] = []
        self.course: list[str] = []
        self.org: list[str] = []
        self.event: list[bytes] = []

    def add(self, st: dict[str, Any], text: bytes) -> None:
        self.event_id.append(st["id"])
        self.time.append(st.get("timestamp"))
        self.actor.append(actor_column(st["actor"]))
        self.verb.append(st["verb"]["id"])
        self.object.append(st["object"]["id"])
        key, org = course_columns(st)
        self.course.append(key)
        self.org.append(org)
        self.event.append(text)

    def record_batch(self) -> pa.RecordBatch:
        times = pa.array(self.time, pa.string())
        try:
            emission = times.cast(pa.timestamp("us", tz="UTC"))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):  # pragma: no cover - Arrow parser gaps
            from datetime import datetime

            emission = pa.array(
                [None if t is None else datetime.fromisoformat(t) for t in self.time],
                pa.timestamp("us", tz="UTC"),
            )
        return pa.RecordBatch.from_arrays(
            [
                pa.array(self.event_id, pa.string()),
                emission,
                pa.array(self.actor, pa.string()),
                pa.array(self.verb, pa.string()),
                pa.array(self.object, pa.string()),
                pa.array(self.course, pa.string()),
                pa.array(self.org, pa.string()),
                _string_array(self.event),
            ],
            schema=STATEMENT_SCHEMA,
        )


def _string_array(values: list[bytes]) -> pa.Array:
    """UTF-8 byte strings (orjson output) → an Arrow string array, copied in C++, not decoded."""
    return pa.array(values, pa.binary()).view(pa.string())


_course_cache: dict[str, tuple[str, str]] = {}
_COURSE_TYPE: Final = "http://adlnet.gov/expapi/activities/course"


def course_columns(statement: dict[str, Any]) -> tuple[str, str]:
    """(course_key, org) as Aspects' `xapi_events_all_parsed` derives them from a statement."""
    course_iri: Any = None
    context: dict[str, Any] = statement["context"]
    activities: dict[str, Any] | None = context.get("contextActivities")
    if activities is not None:
        parents: list[Any] | None = activities.get("parent")
        if parents:
            first: dict[str, Any] = parents[0]
            definition: dict[str, Any] | None = first.get("definition")
            if definition is not None and definition.get("type") == _COURSE_TYPE:
                course_iri = first.get("id")
            elif first.get("objectType") in ("Activity", "GroupActivity"):
                grouping: list[Any] | None = activities.get("grouping")
                if grouping:
                    group: dict[str, Any] = grouping[0]
                    course_iri = group.get("id")
    if course_iri is None:
        obj: dict[str, Any] = statement["object"]
        course_iri = obj.get("id") or ""
    found = _course_cache.get(course_iri)
    if found is None:
        key = course_iri.rsplit("/", 1)[-1]
        org = ""
        for prefix in ("course-v1:", "ccx-v1:"):
            at = course_iri.find(prefix)
            if at >= 0:
                org = course_iri[at + len(prefix) :].split("+", 1)[0]
                break
        if len(_course_cache) > 100_000:
            _course_cache.clear()
        found = _course_cache[course_iri] = (key, org)
    return found


def actor_column(actor: dict[str, Any]) -> str | None:
    """actor_id as Aspects reads it: account name, else mbox, else mbox_sha1sum."""
    account: dict[str, Any] | None = actor.get("account")
    if account is not None:
        return str(account.get("name"))
    return actor.get("mbox") or actor.get("mbox_sha1sum")


def transform_lines(
    lines: Iterable[bytes],
    lookups: Lookups,
    source: str,
    batch_rows: int = 50_000,
    *,
    start_line: int = 0,
    start_offset: int = 0,
    erb_allowlist: bool = False,
    raw_limit: int = RAW_LIMIT,
    normalize: bool = True,
    transformer: XapiTransformer | None = None,
    pause_gc: bool = True,
) -> Iterator[XapiBatch]:
    """Stream raw log lines into `XapiBatch`es.

    Each item is one line's bytes as read from the file (newline included, as file iteration gives
    them): byte offsets are the running sum of their lengths.

    Each batch holds at most about `batch_rows` statements plus quarantine records and at most
    8 × `batch_rows` lines, so memory stays bounded on any input. `start_line`/`start_offset` say
    where `lines` begins in the source (for resuming from a checkpoint). With `erb_allowlist`, the
    two events ERB's default allow-list leaves out (`edx.grades.problem.submitted`,
    `edx.problem.completed`) are counted as not mapped, as a default ERB deployment does.
    `normalize=False` transforms line events as they are (see `parse_line`).

    With `pause_gc` (default) Python's cyclic garbage collector is paused while lines are being
    transformed (never while the caller handles a batch): parsed events and statements hold no
    reference cycles, and the collections their allocations trigger otherwise cost about half
    the run time.
    """
    tf: XapiTransformer = transformer if transformer is not None else XapiTransformer(lookups)
    batch_rows = max(1, batch_rows)
    max_lines = 8 * batch_rows
    line_no = start_line
    offset = start_offset

    cols = _Columns()
    quarantine: list[QuarantineRecord] = []
    not_mapped: Counter[str] = Counter()
    skipped: Counter[str] = Counter()
    events = 0
    first_line = line_no + 1
    rows = 0

    # no nested function here: compiled, its closure would tie this generator's state (every
    # statement text of the batch) into a reference cycle that outlives the generator
    paused = pause_gc and gc.isenabled()
    if paused:
        gc.disable()
    try:
        for raw in lines:
            line_no += 1
            line_start = offset
            offset += len(raw)
            try:
                event = parse_line(raw, normalize)
            except XapiRejected as exc:
                quarantine.append(
                    _record(source, line_no, line_start, exc.reason, exc.detail, raw, raw_limit)
                )
                event = None
            if event is not None:
                events += 1
                try:
                    if erb_allowlist and event.get("name") in ERB_UNLISTED:
                        raise NotMapped(event.get("name"))
                    statements = tf.transform(event)
                    for st in statements:
                        if "id" not in st["object"]:
                            raise XapiRejected("no_object_id", "statement has no object id (ERB drops it)")
                    texts = [_dumps(st) for st in statements]
                except NotMapped as exc:
                    not_mapped[str(exc.name)] += 1
                except XapiRejected as exc:
                    if exc.reason in SKIPPED_REASONS:
                        skipped[exc.reason] += 1
                    else:
                        quarantine.append(
                            _record(source, line_no, line_start, exc.reason, exc.detail, raw, raw_limit)
                        )
                except (TypeError, ValueError) as exc:  # serialization (e.g. integer beyond 64 bits)
                    quarantine.append(
                        _record(source, line_no, line_start, "serialization_error", str(exc), raw, raw_limit)
                    )
                else:
                    for st, text in zip(statements, texts, strict=True):
                        cols.add(st, text)
                    rows += len(texts)
            if rows + len(quarantine) >= batch_rows or line_no - first_line + 1 >= max_lines:
                batch = _make_batch(
                    cols, quarantine, source, first_line, line_no + 1, offset, events, not_mapped, skipped
                )
                if paused:
                    gc.enable()
                yield batch
                if paused:
                    gc.disable()
                cols, quarantine, not_mapped, skipped = _Columns(), [], Counter(), Counter()
                events = rows = 0
                first_line = line_no + 1
        if line_no + 1 > first_line:
            batch = _make_batch(
                cols, quarantine, source, first_line, line_no + 1, offset, events, not_mapped, skipped
            )
            if paused:
                gc.enable()
            yield batch
    finally:
        if paused:
            gc.enable()


def _record(
    source: str, line_no: int, line_start: int, reason: str, detail: str, raw: bytes, raw_limit: int
) -> QuarantineRecord:
    return QuarantineRecord(source, line_no, line_start, reason, detail, bytes(raw[:raw_limit]))


def _make_batch(
    cols: _Columns,
    quarantine: list[QuarantineRecord],
    source: str,
    first_line: int,
    next_line: int,
    end_offset: int,
    events: int,
    not_mapped: Counter[str],
    skipped: Counter[str],
) -> XapiBatch:
    """One finished batch: the statement columns so far plus the counters that go with them."""
    return XapiBatch(
        cols.record_batch(),
        quarantine,
        source,
        first_line,
        next_line,
        end_offset,
        events,
        not_mapped,
        skipped,
    )
