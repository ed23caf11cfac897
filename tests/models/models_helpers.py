"""Helpers for the model tests: Aspects' expected files, row normalisation, statements rebuilt from them."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pyarrow as pa

from learnlake.config import Settings

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
ASPECTS = SHARED / "conformance" / "aspects"
EXPECTED = ASPECTS / "expected"
INPUTS = ASPECTS / "inputs"
LMS = "http://localhost:18000"

FLOAT_TYPES = ("DOUBLE", "FLOAT", "REAL")


def read_csv_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """Header and rows of a CSV (a UTF-8 BOM is skipped)."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        rows = list(reader)
        return list(reader.fieldnames or []), rows


def cell(value: Any) -> str:
    """A value as Aspects' CSVs print it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.6f}"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S") + (
            f".{value.microsecond:06d}" if value.microsecond else ""
        )
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def normal_rows(
    table: pa.Table, columns: list[str], float_cols: set[str] | frozenset[str] = frozenset()
) -> Counter[tuple[str, ...]]:
    """Rows of an Arrow table as a multiset of printed cells (floats to 1e-6)."""
    rows = table.select(columns).to_pylist()
    out: Counter[tuple[str, ...]] = Counter()
    for row in rows:
        out[
            tuple(
                f"{float(row[c]):.6f}" if c in float_cols and row[c] is not None else cell(row[c])
                for c in columns
            )
        ] += 1
    return out


def expected_rows(
    rows: list[dict[str, str]], columns: list[str], float_cols: set[str] | frozenset[str] = frozenset()
) -> Counter[tuple[str, ...]]:
    """Expected CSV rows as the same multiset."""
    out: Counter[tuple[str, ...]] = Counter()
    for row in rows:
        out[
            tuple(f"{float(row[c]):.6f}" if c in float_cols and row[c] != "" else row[c] for c in columns)
        ] += 1
    return out


def diff_message(ours: Counter[tuple[str, ...]], want: Counter[tuple[str, ...]], columns: list[str]) -> str:
    """A short explanation of how two multisets differ."""
    missing = list((want - ours).elements())[:3]
    extra = list((ours - want).elements())[:3]
    lines = [
        f"columns: {columns}",
        f"{sum((want - ours).values())} expected rows missing, {sum((ours - want).values())} unexpected",
    ]
    lines += [f"  missing: {m}" for m in missing] + [f"  extra:   {e}" for e in extra]
    return "\n".join(lines)


# --- xAPI statements rebuilt from Aspects' expected event rows -----------------------------------

EVENT_FILES = (
    "enrollment_events",
    "grading_events",
    "navigation_events",
    "problem_events",
    "video_playback_events",
)
COURSE_TYPE = "http://adlnet.gov/expapi/activities/course"


def _put(d: dict[str, Any], path: list[str], value: Any) -> None:
    for key in path[:-1]:
        d = d.setdefault(key, {})
    d[path[-1]] = value


def _statement(rows: dict[str, dict[str, str]]) -> dict[str, Any]:
    """One ERB-shaped statement whose parsing gives every expected row it appears in."""
    any_row = next(iter(rows.values()))
    object_id = any_row.get("object_id") or f"{LMS}/xblock/{any_row['block_id']}"
    st: dict[str, Any] = {
        "id": any_row["event_id"],
        "actor": {"objectType": "Agent", "account": {"homePage": LMS, "name": any_row["actor_id"]}},
        "verb": {"id": any_row["verb_id"]},
        "object": {"id": object_id, "objectType": "Activity", "definition": {}},
        "timestamp": any_row["emission_time"].replace(" ", "T") + "+00:00",
        "context": {
            "contextActivities": {
                "parent": [
                    {
                        "id": f"{LMS}/course/{any_row['course_key']}",
                        "objectType": "Activity",
                        "definition": {"type": COURSE_TYPE},
                    }
                ]
            }
        },
    }
    if "/course/" in object_id:
        st["object"]["definition"]["type"] = COURSE_TYPE
    if (r := rows.get("enrollment_events")) is not None:
        _put(
            st,
            ["object", "definition", "extensions", "https://w3id.org/xapi/acrossx/extensions/type"],
            r["enrollment_mode"],
        )
    if (r := rows.get("grading_events")) is not None:
        _put(st, ["result", "score", "scaled"], float(r["scaled_score"]))
        if r["verb_id"].endswith("/earned") and r["approving_state"]:
            _put(
                st,
                ["result", "extensions", "http://www.tincanapi.co.uk/activitytypes/grade_classification"],
                "Pass" if r["approving_state"] == "passed" else "Fail",
            )
    if (r := rows.get("navigation_events")) is not None:
        st["object"]["definition"]["type"] = r["object_type"]
        ext = st["context"].setdefault("extensions", {})
        ext["http://id.tincanapi.com/extension/starting-position"] = int(r["starting_position"])
        if r["ending_point"]:
            ext["http://id.tincanapi.com/extension/ending-point"] = r["ending_point"]
    if (r := rows.get("problem_events")) is not None:
        if r["responses"]:
            _put(st, ["result", "response"], r["responses"])
        _put(st, ["result", "score", "scaled"], float(r["scaled_score"]))
        if r["verb_id"].endswith("/evaluated"):
            _put(st, ["result", "success"], r["success"] == "true")
            _put(
                st,
                ["object", "definition", "extensions", "http://id.tincanapi.com/extension/attempt-id"],
                int(r["attempts"]),
            )
        if r["interaction_type"]:
            st["object"]["definition"]["interactionType"] = r["interaction_type"]
    if (r := rows.get("video_playback_events")) is not None:
        key = "time-from" if r["verb_id"].endswith("/seeked") else "time"
        if r["video_position"] != "0":
            _put(
                st,
                ["result", "extensions", f"https://w3id.org/xapi/video/extensions/{key}"],
                float(r["video_position"]) - 0.25,
            )
        _put(
            st,
            ["context", "extensions", "https://w3id.org/xapi/video/extensions/length"],
            float(r["video_duration"]),
        )
    return st


NOISE = [
    # statements every Aspects event model must leave out
    ("https://w3id.org/xapi/acrossx/verbs/posted", f"{LMS}/api/discussion/v1/threads/abc"),
    (
        "https://w3id.org/xapi/video/verbs/played",
        f"{LMS}/xblock/block-v1:Org0+DemoX+2bc51b+type@html+block@x",
    ),
    (
        "http://adlnet.gov/expapi/verbs/failed",
        f"{LMS}/xblock/block-v1:Org0+DemoX+2bc51b+type@problem+block@y",
    ),
]


def parsed_statements() -> pa.Table:
    """xapi_events_all_parsed rows whose statements reproduce Aspects' five event files, plus noise."""
    by_id: dict[str, dict[str, dict[str, str]]] = {}
    for name in EVENT_FILES:
        _cols, rows = read_csv_rows(EXPECTED / f"{name}_expected.csv")
        for row in rows:
            by_id.setdefault(row["event_id"], {})[name] = row
    out: dict[str, list[Any]] = {
        k: []
        for k in (
            "event_id",
            "verb_id",
            "actor_id",
            "object_id",
            "course_id",
            "course_key",
            "org",
            "emission_time",
            "event",
        )
    }
    for event_id, rows in sorted(by_id.items()):
        st = _statement(rows)
        r = next(iter(rows.values()))
        _add(out, event_id, st, r["course_key"], r["org"], r["emission_time"])
    for i, (verb, obj) in enumerate(NOISE):
        st = {
            "id": f"00000000-0000-0000-0000-00000000000{i}",
            "verb": {"id": verb},
            "object": {"id": obj},
            "actor": {"account": {"name": "noise"}},
            "timestamp": "2024-01-01T00:00:00+00:00",
        }
        _add(out, st["id"], st, "course-v1:Org0+DemoX+2bc51b", "Org0", "2024-01-01 00:00:00")
    return pa.table(out)


def _add(
    out: dict[str, list[Any]], event_id: str, st: dict[str, Any], course_key: str, org: str, when: str
) -> None:
    out["event_id"].append(event_id)
    out["verb_id"].append(st["verb"]["id"])
    out["actor_id"].append(st["actor"]["account"]["name"])
    out["object_id"].append(st["object"]["id"])
    out["course_id"].append(f"{LMS}/course/{course_key}")
    out["course_key"].append(course_key)
    out["org"].append(org)
    out["emission_time"].append(dt.datetime.fromisoformat(when))
    out["event"].append(json.dumps(st))


def site_settings(data_dir: Path, site: Path) -> Settings:
    """Settings of a learnlake reading the synthetic site."""
    return Settings.model_validate(
        {
            "data_dir": str(data_dir),
            "tracking_logs": {"paths": [str(site / "tracking")]},
            "extract": {
                "datasources": [{"name": "courses", "type": "olx", "location": str(site / "courses")}]
            },
        }
    )
