"""Helpers for the synthetic-site tests: the small test site, reading the generated logs, and
turning the real raw events of the xAPI conformance fixtures into the tracking.log shape."""

from __future__ import annotations

import copy
import dataclasses
import gzip
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from learnlake.progress import ProgressReporter
from learnlake.synth.site import SynthOptions, SynthSummary, generate_site

# Big enough that every event family shows up (exams of three kinds, forum moderation ...),
# small enough to generate in a few seconds.
SMALL = SynthOptions(
    seed=1,
    orgs=3,
    courses=6,
    learners=300,
    days=28,
    max_log_bytes=2_000_000,  # forces several files on busy days
)


class CountingReporter:
    """A ProgressReporter that remembers what it was told."""

    def __init__(self) -> None:
        self.done = 0
        self.totals: list[int | None] = []

    def advance(self, amount: int = 1) -> None:
        self.done += amount

    def set_total(self, total: int | None) -> None:
        self.totals.append(total)


def make_site(out: Path, **changes: object) -> tuple[SynthSummary, CountingReporter]:
    """Generate the SMALL site (with `changes`) into `out`."""
    reporter = CountingReporter()
    options = dataclasses.replace(SMALL, out=out, **changes)  # type: ignore[arg-type]
    _: ProgressReporter = reporter
    return generate_site(options, reporter), reporter


LOG_NAME = re.compile(r"^tracking\.log-(\d{8})-(\d+)\.gz$")

# edx-platform's LegacyFieldMappingProcessor moves these from context to the top level ...
MOVED_TO_TOP = ("username", "session", "ip", "agent", "host", "referer", "accept_language")
# ... and these too, with a default when absent
MOVED_WITH_DEFAULT = (("event_type", None), ("event_source", "server"), ("page", None))

# keys that recent LMS releases add to every course context but older fixtures (2020) predate
RELEASE_DEPENDENT = {("context",): {"enterprise_uuid"}}

# capa input ids ("<block id>_2_1"): dicts keyed by them are compared by the shapes of their values
INPUT_ID = re.compile(r"^[0-9A-Za-z_-]+_\d+_\d+$")


def log_files(site: Path) -> list[Path]:
    """Rotated logs in day/sequence order, then the live tracking.log."""
    folder = site / "tracking"
    rotated = sorted(
        (p for p in folder.iterdir() if LOG_NAME.match(p.name)),
        key=lambda p: (LOG_NAME.match(p.name).group(1), int(LOG_NAME.match(p.name).group(2))),  # type: ignore[union-attr]
    )
    live = folder / "tracking.log"
    return [*rotated, live] if live.exists() else rotated


def read_lines(path: Path) -> list[bytes]:
    """The raw lines of one log file."""
    data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    return data.splitlines()


def iter_events(site: Path) -> Iterator[dict[str, Any]]:
    """Every event of the site's logs, in file order."""
    for path in log_files(site):
        for line in read_lines(path):
            yield orjson.loads(line)


def to_log_line(fixture: dict[str, Any], minimal: bool) -> dict[str, Any]:
    """What the LMS writes to tracking.log for a raw fixture event.

    Fixtures come in the shape event-routing-backends receives (`data`, `timestamp`, request fields
    in `context`) or already in log shape (`event`, `time`, top-level fields). This applies the LMS's
    legacy field mapping: request fields to the top level, `data` to `event` (a JSON string when
    the browser sent it), `timestamp` to `time`. For minimal fixtures no defaults are added.
    """
    ev = copy.deepcopy(fixture)
    ctx = ev.get("context")
    for key in MOVED_TO_TOP:
        if ctx is not None and key in ctx:
            ev[key] = ctx.pop(key)
        elif not minimal:
            ev.setdefault(key, "")
    if ctx is not None:
        ctx.pop("client_id", None)
    source = (ctx or {}).get("event_source") or ev.get("event_source")
    if "data" in ev:
        data = ev.pop("data")
        ev["event"] = json.dumps(data) if source == "browser" and isinstance(data, dict) else data
    elif not minimal:
        ev.setdefault("event", {})
    if "timestamp" in ev:
        ev["time"] = ev.pop("timestamp")
    for key, default in MOVED_WITH_DEFAULT:
        if ctx is not None and key in ctx:
            ev[key] = ctx.pop(key)
        elif key not in ev and not minimal:
            ev[key] = ev["name"] if key == "event_type" else default
    return ev


def shape(value: Any) -> Any:
    """The JSON structure of a value: object keys, value types (int and float are both numbers);
    strings holding a JSON object are marked as such and described too."""
    if isinstance(value, dict):
        if value and all(INPUT_ID.match(k) for k in value):
            return ("inputs", frozenset(shape(v) for v in value.values()))
        return ("object", tuple(sorted((k, shape(v)) for k, v in value.items())))
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, list):
        return "array"
    if isinstance(value, str) and value.startswith("{"):
        try:
            return ("jsonstr", shape(json.loads(value)))
        except ValueError:
            return "string"
    return "string"


def _keys(s: Any) -> dict[str, Any]:
    return dict(s[1])


def covers(fixture: Any, synth: Any, minimal: bool, path: tuple[str, ...] = ()) -> bool:
    """Whether the synthetic shape has what the fixture shape has.

    Full fixtures: the same keys at every level (plus RELEASE_DEPENDENT ones), the same types;
    a null in the fixture matches any type. Minimal fixtures: the fixture's keys are a subset, and
    a browser payload may be compared with a plain object.
    """
    if fixture == "null":
        return True
    if isinstance(fixture, tuple) and isinstance(synth, tuple):
        fk, sk = fixture[0], synth[0]
        if fk == "object" and sk == "inputs":
            return not fixture[1]  # an empty map of inputs
        if fk == "inputs" and sk == "inputs":
            return all(any(covers(f, s, minimal, path) for s in synth[1]) for f in fixture[1])
        if fk == "jsonstr" and sk == "jsonstr":
            return covers(fixture[1], synth[1], minimal, path)
        if minimal and fk == "object" and sk == "jsonstr":
            return covers(fixture, synth[1], minimal, path)
        if fk == "object" and sk == "object":
            f, s = _keys(fixture), _keys(synth)
            extra = set(s) - set(f) - RELEASE_DEPENDENT.get(path, set())
            if not minimal and extra:
                return False
            return all(k in s and covers(v, s[k], minimal, (*path, k)) for k, v in f.items())
        return False
    return bool(fixture == synth)


def identity_keys_anywhere(fixture: dict[str, Any], synth: dict[str, Any]) -> dict[str, Any]:
    """For minimal fixtures: user keys in the payload may sit elsewhere in a real line (ERB looks
    for `username`/`user_id` anywhere), so drop them from the fixture's payload when the synthetic
    event carries them at the top level or in its context."""
    out = copy.deepcopy(fixture)
    payload = out.get("event")
    if isinstance(payload, dict):
        for key in ("username", "user_id"):
            if key in payload and (key in synth or key in synth.get("context", {})):
                payload.pop(key)
    return out
