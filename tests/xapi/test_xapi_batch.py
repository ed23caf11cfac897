"""The streaming path: raw log lines → Arrow statements (Aspects' columns) + quarantine."""

from __future__ import annotations

import json
from collections.abc import Generator, Iterator
from typing import Any, cast

import orjson
import pyarrow as pa
from xapi_helpers import load_raw, raw_names

from learnlake.xapi import (
    QUARANTINE_SCHEMA,
    STATEMENT_SCHEMA,
    StaticLookups,
    XapiBatch,
    transform_event,
    transform_lines,
)


def line(event: dict[str, Any], prefix: bytes = b"") -> bytes:
    return prefix + orjson.dumps(event) + b"\n"


def run(lines: list[bytes], lookups: StaticLookups, **kwargs: Any) -> list[XapiBatch]:
    return list(transform_lines(lines, lookups, "tracking.log", **kwargs))


def test_schema_and_columns(lookups: StaticLookups) -> None:
    lines = [line(load_raw("play_video")), line(load_raw("edx.course.enrollment.activated"))]
    (batch,) = run(lines, lookups)
    table = batch.statements
    assert table.schema == STATEMENT_SCHEMA
    assert table.schema.field("emission_time").type == pa.timestamp("us", tz="UTC")
    rows = table.to_pylist()
    assert [r["verb_id"] for r in rows] == [
        "https://w3id.org/xapi/video/verbs/played",
        "http://adlnet.gov/expapi/verbs/registered",
    ]
    play = rows[0]
    assert play["actor_id"] == "32e08e30-f8ae-4ce2-94a8-c2bfe38a70cb"
    assert play["course_key"] == "course-v1:edX+DemoX+Demo_Course" and play["org"] == "edX"
    assert play["emission_time"].isoformat() == "2020-07-15T06:52:55.057099+00:00"
    statement = json.loads(play["event"])
    assert statement["id"] == play["event_id"] and statement["object"]["id"] == play["object_id"]
    assert rows[1]["course_key"] == "course-v1:edX+DemoX+Demo_Course"  # from the object (no parent)
    assert batch.quarantine_table().schema == QUARANTINE_SCHEMA


def test_statements_equal_transform_event(lookups: StaticLookups) -> None:
    names = [n for n in raw_names() if "anonymous" not in n and "required.only.data" not in n]
    events = [load_raw(n) for n in names if "event" not in load_raw(n)]  # async-form events
    batches = run([line(e) for e in events], lookups)
    got = [json.loads(r) for b in batches for r in b.statements.column("event").to_pylist()]
    want = [s for e in events for s in json.loads(orjson.dumps(transform_event(e, lookups)))]
    assert got == want


def test_bad_lines_are_quarantined_with_position(lookups: StaticLookups) -> None:
    good = line(load_raw("play_video"))
    lines = [
        good,
        b"\n",
        b"   \n",
        b'{"name": "play_video", "timestamp": \n',  # truncated JSON
        b'\xff\xfe not utf-8 {"a": "\xff"}\n',
        b'{"name": "pause_video", "data": "\xe9t\xe9"}\n',  # latin-1 bytes inside JSON
        b"just some text\n",
        b"[1, 2, 3]\n",
        line({**load_raw("play_video"), "timestamp": "not a time"}),
        good,
    ]
    (batch,) = run(lines, lookups)
    assert batch.statements.num_rows == 2
    reasons = [(q.line, q.reason) for q in batch.quarantine]
    assert reasons == [
        (4, "malformed_json"),
        (5, "invalid_utf8"),
        (6, "invalid_utf8"),
        (7, "no_json"),
        (8, "no_json"),
        (9, "invalid_timestamp"),
    ]
    offsets = {q.line: q.offset for q in batch.quarantine}
    assert offsets[4] == sum(len(x) for x in lines[:3])
    assert batch.quarantine[0].raw == lines[3][:16384]
    assert batch.first_line == 1 and batch.next_line == 11 and batch.end_offset == sum(map(len, lines))
    table = batch.quarantine_table()
    assert table.num_rows == 6 and table.column("source").to_pylist()[0] == "tracking.log"


def test_raw_bytes_are_truncated(lookups: StaticLookups) -> None:
    huge = b'{"name": "x", "junk": "' + b"a" * 100_000 + b"\n"
    (batch,) = run([huge], lookups, raw_limit=1000)
    assert batch.quarantine[0].reason == "malformed_json" and len(batch.quarantine[0].raw) == 1000


def test_not_mapped_and_anonymous_are_counted_not_quarantined(lookups: StaticLookups) -> None:
    lines = [
        line({"name": "edx.bi.user.org_email.opted_in", "timestamp": "2020-07-15T06:36:01Z"}),
        line({"name": "page_close", "event": "", "time": "2020-07-15T06:36:01Z"}),
        line(load_raw("edx.ui.lms.link_clicked(anonymous_user)")),
        line(load_raw("problem_check(browser).required.only.data")),  # no object id: ERB drops it
    ]
    (batch,) = run(lines, lookups)
    assert batch.statements.num_rows == 0 and batch.events == 4
    assert batch.not_mapped == {"edx.bi.user.org_email.opted_in": 1, "page_close": 1}
    assert batch.skipped == {"anonymous_user": 1}
    assert [q.reason for q in batch.quarantine] == ["no_object_id"]


def test_syslog_prefix_and_tracking_log_shape(lookups: StaticLookups) -> None:
    log_event = {
        "name": "play_video",
        "event_type": "play_video",
        "event_source": "browser",
        "username": "edx",
        "session": "abc",
        "time": "2020-07-15T06:52:55.057099+00:00",
        "context": {"course_id": "course-v1:edX+DemoX+Demo_Course", "user_id": 3, "path": "/event"},
        "event": json.dumps({"id": "0b9e39477cf34507a7a48f74be381fdd", "currentTime": 12.5, "duration": 195}),
    }
    prefix = b"2020-07-15T06:52:55.057Z lms-1 [service_variant=lms][tracking] INFO 1 [tracking.py:1] - "
    (batch,) = run([line(log_event, prefix)], lookups)
    (row,) = batch.statements.to_pylist()
    statement = json.loads(row["event"])
    assert statement["result"]["extensions"]["https://w3id.org/xapi/video/extensions/time"] == 12.5
    assert statement["timestamp"] == "2020-07-15T06:52:55.057099+00:00"
    assert statement["object"]["id"].endswith("+type@video+block@0b9e39477cf34507a7a48f74be381fdd")


def test_batches_are_bounded_and_resumable(lookups: StaticLookups) -> None:
    event = load_raw("pause_video")
    lines = []
    for i in range(25):
        event["timestamp"] = f"2020-07-15T06:00:{i:02d}.000001+00:00"
        lines.append(line(event))
    lines.insert(10, b"garbage\n")
    batches = run(lines, lookups, batch_rows=10)
    assert [b.statements.num_rows + len(b.quarantine) for b in batches] == [10, 10, 6]
    assert batches[1].first_line == batches[0].next_line
    assert batches[-1].end_offset == sum(map(len, lines))
    resumed = run(
        lines[batches[0].next_line - 1 :],
        lookups,
        batch_rows=10,
        start_line=batches[0].next_line - 1,
        start_offset=batches[0].end_offset,
    )
    assert resumed[0].first_line == batches[1].first_line
    assert resumed[0].statements.equals(batches[1].statements)
    assert resumed[0].quarantine == batches[1].quarantine


def test_deterministic_output(lookups: StaticLookups) -> None:
    lines = [line(load_raw(n)) for n in raw_names() if "anonymous" not in n]
    first = pa.Table.from_batches([b.statements for b in run(lines, lookups)])
    second = pa.Table.from_batches([b.statements for b in run(lines, StaticLookups(**vars(lookups)))])
    assert first.equals(second)
    assert first.num_rows >= 60


def test_erb_allowlist_option(lookups: StaticLookups) -> None:
    lines = [line(load_raw("edx.grades.problem.submitted.weighted_possible_0"))]
    assert run(lines, lookups)[0].statements.num_rows == 1
    (batch,) = run(lines, lookups, erb_allowlist=True)
    assert batch.statements.num_rows == 0 and batch.not_mapped == {"edx.grades.problem.submitted": 1}


def test_huge_numbers_do_not_break_a_batch(lookups: StaticLookups) -> None:
    event = load_raw("edx.ui.lms.sequence.next_selected")
    text = orjson.dumps(event).replace(b'"tab_count":10', b'"tab_count":123456789012345678901234567890')
    (batch,) = run([text + b"\n"], lookups)
    statement = json.loads(batch.statements.column("event")[0].as_py())
    assert (
        statement["object"]["definition"]["extensions"][
            "https://w3id.org/xapi/acrossx/extensions/total-items"
        ]
        == 1.2345678901234568e29
    )


def test_empty_input_yields_nothing(lookups: StaticLookups) -> None:
    assert run([], lookups) == []


def test_gc_is_paused_only_while_transforming(lookups: StaticLookups) -> None:
    import gc

    seen: list[bool] = []

    def lines() -> Iterator[bytes]:
        for _ in range(30):
            seen.append(gc.isenabled())
            yield line(load_raw("pause_video"))

    assert gc.isenabled()
    for _batch in transform_lines(lines(), lookups, "x", batch_rows=10):
        assert gc.isenabled()  # the caller's code runs with the collector on
    assert gc.isenabled() and seen and not any(seen)
    gen = cast(Generator[XapiBatch, None, None], transform_lines(lines(), lookups, "x", batch_rows=10))
    next(gen)
    gen.close()
    assert gc.isenabled()
    list(transform_lines(lines(), lookups, "x", batch_rows=10, pause_gc=False))
    assert all(seen[-30:])


def test_a_finished_stream_leaves_no_reference_cycles(lookups: StaticLookups) -> None:
    """A spent `transform_lines` frees its batch state at once, not at the next full collection
    (the compiled build once kept every statement text of a batch in a cycle: 1 GB per worker)."""
    import gc

    lines = [b"{bad\n", line(load_raw("play_video")), b'{"name": "play_video"}\n'] * 30
    list(transform_lines(lines, lookups, "x"))  # imports, caches
    gc.collect()
    gc.disable()
    try:
        for _ in range(3):
            for batch in transform_lines(lines, lookups, "x", 10):
                assert batch.quarantine or batch.statements.num_rows
        assert gc.collect() == 0
    finally:
        gc.enable()
