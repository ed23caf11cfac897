"""The fast PII cut on the JSON text removes exactly what walking the parsed event removes."""

from __future__ import annotations

import copy
import json
from typing import Any

import orjson
import pytest
from ingest_helpers import make_events

from learnlake.ingest.parse import scrub_event, scrubbed_json

CASES = [
    {"username": "bob", "ip": "10.0.0.1", "time": "t", "context": {"user_id": 3}},
    {"time": "t", "context": {"username": "bob", "ip": "10.0.0.1"}},
    {"ip": "10.0.0.1", "username": "anonymous", "time": "t"},
    {"username": "", "ip": None, "time": "t", "event": {"username": "bob", "x": [1, {"email": "a@b.c"}]}},
    {"a": 1, "username": "bob", "ip": "x", "b": {"full_name": 'Bob "B" \\ Smith', "c": 2}},
    {"event": '{"username": "bob"}', "username": "bob"},  # a JSON string payload stays as logged
    {"event": {"year_of_birth": 1990, "mailing_address": "x, y"}, "page": "p"},
    {"username": {"nested": "object"}, "time": "t"},  # a non-scalar value: the slow path
    {"name": "edx.user.settings.changed", "event": {"setting": "email", "old": "a@b", "new": "c@d"}},
    {"event_type": "x", "context": {"course_id": "c"}},  # nothing personal: unchanged text
    {"username": "x", "ip": "y", "email": "z", "a": 1},  # runs of personal members
    {"a": 1, "username": "x", "ip": "y", "email": "z"},
    {"username": "x", "ip": "y"},
    {"a": [{"ip": "y"}, {"ip": None, "email": "z"}, {"b": 1, "email": "anonymous"}]},
]


def _expected(event: dict[str, Any]) -> dict[str, Any]:
    ev = copy.deepcopy(event)
    scrub_event(ev)
    return ev


@pytest.mark.parametrize("style", ["compact", "spaced"])
def test_scrub_matches_walking_the_event(templates: list[dict[str, Any]], style: str) -> None:
    events = [*CASES, *make_events(templates, 400, seed=31)]
    for event in events:
        text = (
            orjson.dumps(event) if style == "compact" else json.dumps(event).encode()
        )  # the LMS logs with ", " and ": "
        got = scrubbed_json(orjson.loads(text), text)
        assert orjson.loads(got) == _expected(event), text
        if _expected(event) == event:
            assert got == text  # nothing to remove: stored byte for byte
