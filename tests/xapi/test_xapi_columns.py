"""Ingest's parsed columns of a statement (`learnlake.xapi.columns`), checked against the rule
aspects-dbt applies in `xapi_events_all_parsed`, written here plainly as the reference."""

from __future__ import annotations

from typing import Any

import pytest
from xapi_helpers import load_raw, raw_names

from learnlake.ingest.xapi_bridge import org_of, parsed_columns
from learnlake.xapi import NotMapped, StaticLookups, XapiRejected, transform_event
from learnlake.xapi.columns import statement_columns

COURSE = "http://adlnet.gov/expapi/activities/course"


def reference(stmt: dict[str, Any]) -> tuple[str, ...]:
    def first(value: Any) -> dict[str, Any]:
        return value[0] if isinstance(value, list) and value and isinstance(value[0], dict) else {}

    actor = stmt.get("actor") or {}
    account = actor.get("account") or {}
    actor_id = account.get("name") or actor.get("mbox") or actor.get("mbox_sha1sum") or ""
    object_id = (stmt.get("object") or {}).get("id") or ""
    activities = (stmt.get("context") or {}).get("contextActivities") or {}
    parent = first(activities.get("parent"))
    if (parent.get("definition") or {}).get("type") == COURSE:
        course_id = parent.get("id") or ""
    elif parent.get("objectType") in ("Activity", "GroupActivity"):
        course_id = first(activities.get("grouping")).get("id") or ""
    else:
        course_id = object_id
    course_key = course_id.rsplit("/", 1)[-1]
    org = org_of(course_key) if course_key.startswith(("course-v1:", "ccx-v1:")) else ""
    verb_id = (stmt.get("verb") or {}).get("id") or ""
    return actor_id, verb_id, object_id, course_id, course_key, org


def test_columns_of_every_fixture_statement(lookups: StaticLookups) -> None:
    mbox = StaticLookups(emails={"*": "a@example.com"}, actor_mode="mbox", course_names={"*": "C"})
    checked = 0
    for name in raw_names():
        for lk in (lookups, mbox):
            try:
                statements = transform_event(load_raw(name), lk)
            except (NotMapped, XapiRejected):
                continue
            for stmt in statements:
                assert statement_columns(stmt) == reference(stmt), name
                assert parsed_columns(stmt) == reference(stmt), name
                checked += 1
    assert checked > 100


@pytest.mark.parametrize(
    "stmt",
    [
        {},
        {"actor": {"mbox_sha1sum": "ab"}, "verb": {}, "object": {"id": "http://x/course/ccx-v1:O+C+R+ccx@2"}},
        {"object": {"id": "http://x/course/Org/Course/Run"}, "context": {"contextActivities": {}}},
        {
            "actor": {"account": {"name": ""}, "mbox": "mailto:a@b"},
            "object": {"id": "o"},
            "context": {
                "contextActivities": {
                    "parent": [{"id": "p", "objectType": "Activity"}],
                    "grouping": [{"id": "http://x/course/course-v1:G+C+R"}],
                }
            },
        },
        {
            "object": {"id": "o"},
            "context": {
                "contextActivities": {"parent": [{"id": "p", "objectType": "Agent"}], "grouping": []}
            },
        },
        {"object": {}, "context": {"contextActivities": {"parent": [{"definition": {"type": COURSE}}]}}},
    ],
)
def test_columns_of_unusual_statements(stmt: dict[str, Any]) -> None:
    assert statement_columns(stmt) == reference(stmt)
