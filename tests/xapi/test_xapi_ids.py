"""Statement ids: ERB's UUIDv5 scheme, reproduced exactly and deterministically."""

from __future__ import annotations

import json
import uuid

from xapi_helpers import load_raw

from learnlake.xapi import StaticLookups, transform_event
from learnlake.xapi import constants as C
from learnlake.xapi.common import normalize_timestamp, statement_id

ACTOR_JSON = (
    '{"objectType": "Agent", "account": {"name": "32e08e30-f8ae-4ce2-94a8-c2bfe38a70cb", '
    '"homePage": "http://localhost:18000"}}'
)


def reference_id(verb_json: str, actor_json: str, timestamp: object) -> str:
    """The spec's formula with the standard library (section 3.2)."""
    namespace = uuid.uuid5(uuid.NAMESPACE_DNS, verb_json)
    return str(uuid.uuid5(namespace, f"{actor_json}-{timestamp}"))


def test_spec_example_id() -> None:
    verb_json = '{"id": "http://adlnet.gov/expapi/verbs/registered", "display": {"en": "registered"}}'
    assert C.REGISTERED.json == verb_json
    got = statement_id(C.REGISTERED.ns, ACTOR_JSON, "2020-07-15T06:36:01.917775+00:00")
    assert got == "bb946682-b0b9-5dc2-a17c-605ef5833c98"


def test_ids_match_the_standard_uuid5_for_many_inputs() -> None:
    verbs = [C.PLAYED, C.EVALUATED, C.NAVIGATED, C.POSTED]
    for i in range(300):
        verb = verbs[i % len(verbs)]
        actor = ACTOR_JSON.replace("32e08e30", f"{i:08x}")
        ts = f"2021-0{1 + i % 9}-1{i % 10}T0{i % 10}:00:0{i % 10}.{i:06d}+00:00" if i % 7 else None
        assert statement_id(verb.ns, actor, ts) == reference_id(verb.json, actor, ts)


def test_child_ids_use_the_child_namespace(lookups: StaticLookups) -> None:
    statements = transform_event(load_raw("problem_check(server,multiple_questions,incorrect)"), lookups)
    actor_json = json.dumps(statements[0]["actor"])
    raw_ts = load_raw("problem_check(server,multiple_questions,incorrect)")["time"]
    for child in statements[1:]:
        child_id = child["object"]["id"].rsplit("@", 1)[-1]
        namespace = uuid.uuid5(uuid.NAMESPACE_DNS, f"{C.EVALUATED.json}-{child_id}")
        assert child["id"] == str(uuid.uuid5(namespace, f"{actor_json}-{raw_ts}"))
        assert child["context"]["statement"] == {"objectType": "StatementRef", "id": statements[0]["id"]}


def test_same_event_same_id_and_timestamp_text_matters(lookups: StaticLookups) -> None:
    event = load_raw("play_video")
    first = transform_event(event, lookups)[0]["id"]
    assert transform_event(json.loads(json.dumps(event)), lookups)[0]["id"] == first
    event["timestamp"] = event["timestamp"].replace("+00:00", "Z")
    zulu = transform_event(event, lookups)[0]
    assert zulu["id"] != first  # ERB hashes the raw text
    assert zulu["timestamp"].endswith("+00:00")


def test_object_and_name_are_not_id_inputs(lookups: StaticLookups) -> None:
    activated = transform_event(load_raw("edx.course.enrollment.activated"), lookups)[0]
    changed = transform_event(load_raw("edx.course.enrollment.mode_changed"), lookups)[0]
    assert activated["id"] == changed["id"]  # checked in ERB too (spec 2.1)


def test_timestamp_normalization_follows_tincan() -> None:
    assert normalize_timestamp("2020-07-15T06:36:01.917775+00:00") == "2020-07-15T06:36:01.917775+00:00"
    assert normalize_timestamp("2020-07-15T06:36:01Z") == "2020-07-15T06:36:01+00:00"
    assert normalize_timestamp("2020-07-15T06:36:01.5Z") == "2020-07-15T06:36:01.500000+00:00"
    assert normalize_timestamp("2020-07-15T08:36:01.917775+02:00") == "2020-07-15T08:36:01.917775+02:00"
    assert normalize_timestamp("2020-07-15T06:36:01.000000+00:00") == "2020-07-15T06:36:01+00:00"
    assert normalize_timestamp(1594795000) == "2020-07-15T06:36:40+00:00"


def test_actor_text_in_ids_is_json_dumps_of_the_actor() -> None:
    """The actor part of the id input is written without json.dumps: it must still be its text."""
    event = load_raw("play_video")
    names = ["plain-id", 'quote"d', "back\\slash", "tab\there", "del\x7f", "né", "☃ snow", "\U0001f600", ""]
    for name in names:
        cases = [
            StaticLookups(external_ids={"*": name or "x"}, lms_root_url='http://lms "q"/é'),
            StaticLookups(emails={"*": name}, actor_mode="mbox"),
            StaticLookups(emails={"*": name}, actor_mode="mbox_sha1sum"),
        ]
        for lookups in cases:
            statement = transform_event(event, lookups)[0]
            expected = str(
                uuid.uuid5(
                    uuid.uuid5(uuid.NAMESPACE_DNS, C.PLAYED.json),
                    f"{json.dumps(statement['actor'])}-{event['timestamp']}",
                )
            )
            assert statement["id"] == expected, (name, lookups.actor_mode)
