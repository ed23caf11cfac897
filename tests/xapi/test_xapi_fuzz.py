"""Robustness: mutated fixture events give statements or a rejection reason, never an exception."""

from __future__ import annotations

import copy
import json
import random
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from xapi_helpers import load_raw, raw_names

from learnlake.xapi import StaticLookups, XapiRejected, transform_event, transform_lines

WEIRD: list[Any] = [
    None,
    "",
    0,
    -1,
    1.5,
    float("nan"),
    float("inf"),
    True,
    False,
    [],
    {},
    [1, "a", None],
    {"k": {"k": []}},
    "x",
    "é✓ 日本語 \u0000 \U0001f600",
    "0",
    "1.5",
    "course-v1:a+b+c",
    10**30,
    -(10**30),
    "a" * 100_000,
    "2020-07-15T06:36:01Z",
    "2020-02-30T06:36:01+00:00",
    "\ud800",
]


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out: list[tuple[Any, ...]] = []
    if len(prefix) > 8:
        return out
    if isinstance(node, dict):
        for key, value in node.items():
            out.append((*prefix, key))
            out.extend(_paths(value, (*prefix, key)))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out.append((*prefix, i))
            out.extend(_paths(value, (*prefix, i)))
    return out


def _mutate(event: dict[str, Any], rnd: random.Random) -> dict[str, Any]:
    event = copy.deepcopy(event)
    for _ in range(rnd.choice([1, 1, 2, 3, 6])):
        paths = _paths(event)
        if not paths:
            break
        path = rnd.choice(paths)
        parent: Any = event
        for step in path[:-1]:
            parent = parent[step]
        roll = rnd.random()
        if roll < 0.3 and isinstance(parent, dict):
            del parent[path[-1]]
        elif roll < 0.4:
            nested: Any = parent[path[-1]]
            for _ in range(rnd.choice([2, 50, 2000])):
                nested = {"x": nested}
            parent[path[-1]] = nested
        else:
            parent[path[-1]] = copy.deepcopy(rnd.choice(WEIRD))
    return event


def _check(event: Any, lookups: StaticLookups) -> None:
    try:
        statements = transform_event(event, lookups)
    except XapiRejected as exc:
        assert exc.reason and exc.detail
        return
    assert isinstance(statements, list) and statements
    for statement in statements:
        assert set(statement) <= {
            "id",
            "result",
            "version",
            "actor",
            "verb",
            "object",
            "timestamp",
            "context",
        }


def test_mutated_events_never_raise(lookups: StaticLookups) -> None:
    rnd = random.Random(20260523)
    events = [load_raw(name) for name in raw_names()]
    for _ in range(3000):
        _check(_mutate(rnd.choice(events), rnd), lookups)


@pytest.mark.parametrize("value", [None, "", "text", 5, [], ["name"], {"name": 5}, {"name": None}])
def test_non_events_are_rejected(value: Any, lookups: StaticLookups) -> None:
    with pytest.raises(XapiRejected):
        transform_event(value, lookups)


def test_mutated_lines_never_break_the_batch_path(lookups: StaticLookups) -> None:
    rnd = random.Random(7)
    events = [load_raw(name) for name in raw_names()]
    lines = []
    for _ in range(600):
        try:
            data = orjson.dumps(_mutate(rnd.choice(events), rnd), default=str)
        except TypeError:  # nested deeper than JSON encoders go: write it by hand
            data = b'{"name": "play_video", "data": ' + b'{"x": ' * 3000 + b"1" + b"}" * 3001
        if rnd.random() < 0.1:
            data = data[: rnd.randrange(len(data) + 1)]
        if rnd.random() < 0.05:
            data = data.replace(b"e", b"\xff", 1)
        lines.append(data + b"\n")
    total = 0
    for batch in transform_lines(lines, lookups, "fuzz", batch_rows=128):
        total += batch.lines
        batch.statements.validate(full=True)
        batch.quarantine_table().validate(full=True)
    assert total == len(lines)


def test_hypothesis_fuzz(lookups: StaticLookups) -> None:
    """Property-based variant (runs when hypothesis is installed)."""
    hypothesis = pytest.importorskip("hypothesis")
    st = pytest.importorskip("hypothesis.strategies")
    events = [load_raw(name) for name in raw_names()]
    leaves = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(),
        st.text(max_size=50),
        st.sampled_from(WEIRD[:-3]),
    )
    values = st.recursive(
        leaves,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3),
        max_leaves=10,
    )

    @hypothesis.settings(max_examples=200, deadline=None, derandomize=True)
    @hypothesis.given(st.integers(0, len(events) - 1), st.randoms(use_true_random=False), values)
    def run(index: int, rnd: random.Random, value: Any) -> None:
        event = _mutate(events[index], rnd)
        paths = [p for p in _paths(event) if isinstance(p[-1], str)]
        if paths:
            path = rnd.choice(paths)
            parent: Any = event
            for step in path[:-1]:
                parent = parent[step]
            parent[path[-1]] = value
        _check(event, lookups)

    run()


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.text(), st.integers(), st.none(), st.booleans()), max_size=6))
def test_list_answers_are_json_text_exactly_as_erb_writes_them(values: list[Any]) -> None:
    from learnlake.xapi.problem import _encode_list

    assert _encode_list(values) == json.dumps(values, ensure_ascii=False)
