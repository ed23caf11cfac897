"""Actors: external ids from the LMS mapping, deterministic assignment otherwise, mbox modes."""

from __future__ import annotations

import csv
import hashlib
import io
import uuid

import pytest
from xapi_helpers import load_raw

from learnlake.xapi import ActorAssigner, StaticLookups, XapiRejected, transform_event


def test_external_ids_by_user_id_username_and_default() -> None:
    lookups = StaticLookups(external_ids={"3": "id-of-3", "edx": "id-of-edx", "*": "default-id"})
    event = load_raw("play_video")  # context.user_id 3
    assert transform_event(event, lookups)[0]["actor"]["account"]["name"] == "id-of-3"
    del event["context"]["user_id"]  # then context.username "edx"
    assert transform_event(event, lookups)[0]["actor"]["account"]["name"] == "id-of-edx"
    event["context"]["username"] = "someone"
    assert transform_event(event, lookups)[0]["actor"]["account"]["name"] == "default-id"


def test_data_user_wins_over_context_user() -> None:
    lookups = StaticLookups(external_ids={"3": "learner", "99": "instructor"})
    event = load_raw("edx.course.enrollment.activated")
    event["context"]["user_id"] = 99  # e.g. an instructor enrolling the learner
    assert transform_event(event, lookups)[0]["actor"]["account"]["name"] == "learner"


def test_unknown_learner_is_rejected_without_assigner() -> None:
    with pytest.raises(XapiRejected) as info:
        transform_event(load_raw("play_video"), StaticLookups(course_names={"*": "C"}))
    assert info.value.reason == "unknown_user"


def test_assignment_is_deterministic_and_recorded() -> None:
    site = "https://lms.example.com"
    first, second = ActorAssigner.for_site(site), ActorAssigner.for_site(site)
    assert first.assign(3) == second.assign("3") == first.assign(3)
    assert first.assign("edx") != first.assign(3)
    assert ActorAssigner.for_site("https://other.example.com").assign(3) != first.assign(3)
    uuid.UUID(first.assign(3))  # a valid UUID
    assert first.export_json() == {"3": first.assign(3), "edx": first.assign("edx")}
    rows = list(csv.DictReader(io.StringIO(first.export_csv())))
    assert {
        "user_id": "3",
        "username": "",
        "external_user_id": first.assign(3),
        "external_id_type": "xapi",
    } in rows
    assert any(r["username"] == "edx" and r["user_id"] == "" for r in rows)


def test_lookups_with_assigner_keep_known_ids() -> None:
    assigner = ActorAssigner.for_site("http://localhost:18000")
    lookups = StaticLookups(external_ids={"3": "known"}, assigner=assigner)
    assert lookups.external_id(3) == "known"
    assigned = lookups.external_id(4)
    assert assigned == assigner.assign(4) and assigner.assigned == {"4": assigned}
    event = load_raw("play_video")
    event["context"]["user_id"] = 4
    assert transform_event(event, lookups)[0]["actor"]["account"]["name"] == assigned


def test_mbox_modes() -> None:
    event = load_raw("play_video")
    mbox = StaticLookups(emails={"3": "learner@example.com"}, actor_mode="mbox", course_names={"*": "C"})
    statement = transform_event(event, mbox)[0]
    assert statement["actor"] == {"objectType": "Agent", "mbox": "mailto:learner@example.com"}
    unknown = StaticLookups(actor_mode="mbox", course_names={"*": "C"})
    assert transform_event(event, unknown)[0]["actor"]["mbox"] == "mailto:unknown@example.com"
    sha = StaticLookups(emails={"*": "learner@example.com"}, actor_mode="mbox_sha1sum")
    expected = hashlib.sha1(b"learner@example.com").hexdigest()
    assert transform_event(event, sha)[0]["actor"] == {"objectType": "Agent", "mbox_sha1sum": expected}
    assert statement["id"] != transform_event(event, sha)[0]["id"]  # the actor is an id input
    anonymous = load_raw("edx.ui.lms.link_clicked(anonymous_user)")  # ERB: unknown address, no rejection
    assert transform_event(anonymous, mbox)[0]["actor"] == {
        "objectType": "Agent",
        "mbox": "mailto:unknown@example.com",
    }


def test_course_names_and_strictness() -> None:
    event = load_raw("play_video")
    unnamed = StaticLookups(external_ids={"*": "x"})
    parent = transform_event(event, unnamed)[0]["context"]["contextActivities"]["parent"][0]
    assert "name" not in parent["definition"]
    strict = StaticLookups(external_ids={"*": "x"}, strict_courses=True)
    with pytest.raises(XapiRejected) as info:
        transform_event(event, strict)
    assert info.value.reason == "unknown_course"
    named = StaticLookups(external_ids={"*": "x"}, course_names={"course-v1:edX+DemoX+Demo_Course": "Demo"})
    parent = transform_event(event, named)[0]["context"]["contextActivities"]["parent"][0]
    assert parent["definition"]["name"] == {"en-US": "Demo"}
    enrollment = transform_event(load_raw("edx.course.enrollment.activated"), unnamed)[0]
    assert enrollment["object"]["definition"]["name"] == {}  # ERB: empty name for a None display name


def test_invalid_course_key_is_rejected(lookups: StaticLookups) -> None:
    event = load_raw("play_video")
    event["context"]["course_id"] = "not a course"
    with pytest.raises(XapiRejected) as info:
        transform_event(event, lookups)
    assert info.value.reason == "invalid_course"
