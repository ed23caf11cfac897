"""Every real raw event of the xAPI conformance fixtures has a synthetic twin: same event name,
same keys at every level, same JSON value types, in the shape the LMS writes to tracking.log."""

from __future__ import annotations

import contextlib
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from synth_helpers import covers, identity_keys_anywhere, shape, to_log_line

RAW = Path(__file__).resolve().parents[3] / "shared" / "conformance" / "xapi" / "raw"
FIXTURES = sorted(RAW.glob("*.json"))
# Minimal variants: only what a transformer needs, so the synthetic event must contain them.
# `_no_response_type` is an ERB edge case: the LMS always sends `response_type` in a submission.
MINIMAL_MARKERS = ("required.only.data", "_no_response_type")

# the names event-routing-backends maps and an LMS emits in normal use (xapi-mapping.md §2)
ERB_NAMES = {
    "edx.course.enrollment.activated", "edx.course.enrollment.deactivated",
    "edx.course.enrollment.mode_changed",
    "edx.ui.lms.sequence.next_selected", "edx.ui.lms.sequence.previous_selected",
    "edx.ui.lms.sequence.tab_selected", "edx.ui.lms.outline.selected",
    "edx.ui.lms.sequence.outline.selected", "edx.ui.lms.link_clicked",
    "problem_check", "edx.grades.problem.submitted", "edx.problem.completed", "showanswer",
    "edx.problem.hint.demandhint_displayed",
    "load_video", "edx.video.loaded", "play_video", "edx.video.played", "pause_video",
    "edx.video.paused", "stop_video", "edx.video.stopped", "complete_video", "edx.video.completed",
    "seek_video", "edx.video.position.changed", "speed_change_video", "show_transcript",
    "edx.video.transcript.shown", "hide_transcript", "edx.video.transcript.hidden",
    "video_show_cc_menu", "edx.video.closed_captions.shown", "video_hide_cc_menu",
    "edx.video.closed_captions.hidden",
    "edx.course.grade.passed.first_time", "edx.course.grade.now_passed", "edx.course.grade.now_failed",
    "edx.grades.subsection.grade_calculated", "edx.grades.course.grade_calculated",
    "edx.completion.block_completion.changed",
    "edx.forum.thread.created", "edx.forum.response.created", "edx.forum.comment.created",
    "edx.forum.thread.edited", "edx.forum.response.edited", "edx.forum.comment.edited",
    "edx.forum.thread.deleted", "edx.forum.response.deleted", "edx.forum.comment.deleted",
    "edx.forum.thread.viewed", "edx.forum.thread.voted", "edx.forum.response.voted",
    "edx.forum.thread.reported", "edx.forum.response.reported", "edx.forum.comment.reported",
    "edx.forum.thread.unreported", "edx.forum.response.unreported", "edx.forum.comment.unreported",
    "edx.special_exam.timed.attempt.created", "edx.special_exam.timed.attempt.submitted",
    "edx.special_exam.practice.attempt.created", "edx.special_exam.practice.attempt.submitted",
    "edx.special_exam.proctored.attempt.created", "edx.special_exam.proctored.attempt.submitted",
}  # fmt: skip


@pytest.fixture(scope="module")
def shapes_by_name(events: list[dict[str, Any]]) -> dict[str, dict[Any, dict[str, Any]]]:
    """Distinct shapes of the synthetic events per name, each with one example event."""
    out: dict[str, dict[Any, dict[str, Any]]] = defaultdict(dict)
    for ev in events:
        out[ev["name"]].setdefault(shape(ev), ev)
    return out


def test_fixtures_are_there() -> None:
    assert len(FIXTURES) >= 50, f"expected the raw conformance fixtures in {RAW}"


@pytest.mark.parametrize("path", FIXTURES, ids=[p.stem for p in FIXTURES])
def test_fixture_has_a_synthetic_twin(
    path: Path, shapes_by_name: dict[str, dict[Any, dict[str, Any]]]
) -> None:
    raw = json.loads(path.read_text())
    minimal = any(marker in path.name for marker in MINIMAL_MARKERS)
    expected = to_log_line(raw, minimal)
    candidates = shapes_by_name.get(raw["name"], {})
    assert candidates, f"no synthetic {raw['name']} event at all"
    for synth_shape, example in candidates.items():
        fixture = identity_keys_anywhere(expected, example) if minimal else expected
        if covers(shape(fixture), synth_shape, minimal):
            return
    closest = min(candidates.values(), key=lambda ev: _difference(expected, ev))
    pytest.fail(
        f"no synthetic {raw['name']} event has the shape of {path.name}; closest differs in: "
        f"{_difference(expected, closest)}"
    )


def test_every_mapped_event_name_is_produced(shapes_by_name: dict[str, Any]) -> None:
    missing = sorted(ERB_NAMES - set(shapes_by_name))
    assert not missing, f"event names never produced: {missing}"


def test_browser_payloads_are_strings_and_server_payloads_objects(events: list[dict[str, Any]]) -> None:
    for ev in events:
        if ev["event_source"] == "browser":
            assert isinstance(ev["event"], str), ev["name"]
        else:
            assert isinstance(ev["event"], dict), ev["name"]
        assert ev["event_type"] == ev["name"]


def _difference(fixture: dict[str, Any], synth: dict[str, Any], path: str = "") -> list[str]:
    """Readable key/type differences, for failure messages."""
    out = []
    for key in sorted(set(fixture) | set(synth)):
        where = f"{path}.{key}" if path else key
        if key not in synth:
            out.append(f"missing {where}")
        elif key not in fixture:
            out.append(f"extra {where}")
        else:
            a, b = fixture[key], synth[key]
            if isinstance(a, str) and isinstance(b, str) and a.startswith("{") and b.startswith("{"):
                with contextlib.suppress(ValueError):
                    a, b = json.loads(a), json.loads(b)
            if isinstance(a, dict) and isinstance(b, dict):
                out.extend(_difference(a, b, where))
            elif a is not None and shape(a) != shape(b):
                out.append(f"{where}: {shape(a)} vs {shape(b)}")
    return out


def test_the_comparison_is_strict() -> None:
    """The shape check rejects extra or missing keys, wrong types and payload form changes."""
    raw = json.loads((RAW / "play_video.json").read_text())
    line = to_log_line(raw, minimal=False)
    assert covers(shape(line), shape(line), False)
    extra = json.loads(json.dumps(line))
    extra["context"]["course_user_tags"] = {}
    assert not covers(shape(line), shape(extra), False)
    missing = json.loads(json.dumps(line))
    del missing["session"]
    assert not covers(shape(line), shape(missing), False)
    retyped = json.loads(json.dumps(line))
    retyped["context"]["user_id"] = "3"
    assert not covers(shape(line), shape(retyped), False)
    as_object = json.loads(json.dumps(line))
    as_object["event"] = json.loads(line["event"])
    assert not covers(shape(line), shape(as_object), False)
    newer = json.loads(json.dumps(line))
    newer["context"]["enterprise_uuid"] = ""
    assert covers(shape(line), shape(newer), False)
