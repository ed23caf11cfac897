"""Problems: problem_check (server and browser, multi-question), showanswer, hints, grades submitted.

The rules follow ERB field by field (see specs/xapi-mapping.md §2.3): which fields are read by path
and which anywhere in the event decides the output for real events, e.g. tracking-log events whose
payload is under `event` give a multi-question parent with a name but no description.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlparse

from learnlake.xapi import constants as C
from learnlake.xapi.common import Env, Statement, language_map, score
from learnlake.xapi.errors import XapiRejected, missing
from learnlake.xapi.fields import Finder, path
from learnlake.xapi.registry import register

INTERACTION_TYPES = {
    "choiceresponse": "choice",
    "multiplechoiceresponse": "choice",
    "choicetextresponse": "choice",
    "optionresponse": "choice",
    "numericalresponse": "numeric",
    "stringresponse": "fill-in",
    "formularesponse": "fill-in",
    "annotationresponse": "fill-in",
    "symbolicresponse": "fill-in",
    "imageresponse": "matching",
    "truefalseresponse": "true-false",
    "customresponse": "other",
    "coderesponse": "other",
    "externalresponse": "other",
    "schematicresponse": "other",
    "non_existent": "other",
}
OTHER = "other"
_json_encode = json.JSONEncoder(ensure_ascii=False).encode  # == json.dumps(x, ensure_ascii=False)


def _encode_list(values: list[Any]) -> str:
    """`json.dumps(values, ensure_ascii=False)`; lists of plain strings (the usual answers) are
    joined directly: printable text without quotes or backslashes is written by json unchanged."""
    for value in values:
        if type(value) is not str or '"' in value or "\\" in value or not value.isprintable():
            return _json_encode(values)
    if not values:
        return "[]"
    return '["' + '", "'.join(values) + '"]'


def _raw_object_id(event: dict[str, Any], f: Finder) -> Any:
    """The problem's usage key: `data.problem_id`/`data.module_id` when `data` is a dict, else
    `usage_key` found anywhere (ERB's base problem object id)."""
    data = f("data")
    if data and type(data) is dict:
        found = path(event, "data", "problem_id") or path(event, "data", "module_id")
        if found is None:
            raise missing("data.module_id", event.get("name"))
        return found
    return f("usage_key")


def _simple_object(activity_type: str, object_id: Any) -> dict[str, Any]:
    obj: dict[str, Any] = {} if object_id is None else {"id": str(object_id)}
    obj["objectType"] = "Activity"
    obj["definition"] = {"type": activity_type}
    return obj


@register("showanswer")
def show_answer(event: dict[str, Any], env: Env) -> list[Statement]:
    """Learner asked to see the answer: object `<problem IRI>/answer`."""
    f = Finder(event)
    _raw_object_id(event, f)
    problem = f("problem_id")
    if problem is None:
        raise missing("problem_id", event.get("name"))
    obj = _simple_object(C.ACT_SOLUTION, f"{env.xblock}{problem}/answer")
    return [env.build(event, C.ASKED, obj, None, env.default_activities(event))]


@register("edx.problem.hint.demandhint_displayed")
def hint_displayed(event: dict[str, Any], env: Env) -> list[Statement]:
    """Learner asked for a hint: object `<problem IRI>/hint/<index>`."""
    f = Finder(event)
    _raw_object_id(event, f)
    module = f("module_id")
    if module is None:
        raise missing("module_id", event.get("name"))
    index = f("hint_index")
    if index is None:
        raise missing("hint_index", event.get("name"))
    obj = _simple_object(C.ACT_SUPPLEMENTAL_INFO, f"{env.xblock}{module}/hint/{index}")
    return [env.build(event, C.ASKED, obj, None, env.default_activities(event))]


@register("edx.problem.completed")
def problem_completed(event: dict[str, Any], env: Env) -> list[Statement]:
    """A problem was completed (proposed event): object id is the usage key as is, not an IRI."""
    obj = _simple_object(C.ACT_INTERACTION, _raw_object_id(event, Finder(event)))
    return [env.build(event, C.COMPLETED, obj, None, env.default_activities(event))]


@register("edx.grades.problem.submitted")
def problem_submitted(event: dict[str, Any], env: Env) -> list[Statement]:
    """A problem score was saved: weighted earned/possible as score, success earned ≥ possible."""
    f = Finder(event)
    raw = _raw_object_id(event, f)
    obj = _simple_object(C.ACT_QUESTION, None if raw is None else f"{env.xblock}{raw}")
    data = f("data")
    if type(data) is not dict:
        raise XapiRejected("missing_field", "edx.grades.problem.submitted has no data object")
    if "weighted_possible" not in data or "weighted_earned" not in data:
        raise missing("data.weighted_possible", event.get("name"))
    possible = data["weighted_possible"] or 0
    earned = data["weighted_earned"] or 0
    scaled = earned / possible if possible > 0 else 0
    result = {"score": score(0, possible, earned, scaled), "success": bool(earned >= possible)}
    return [env.build(event, C.ATTEMPTED, obj, result, env.default_activities(event))]


# -- problem_check ------------------------------------------------------------------------------


def _first_submission(event: dict[str, Any]) -> Any:
    """The first entry of `data.submission` with a response_type (the single/parent question)."""
    submissions = path(event, "data", "submission")
    if not submissions:
        return None
    if type(submissions) is not dict:
        raise XapiRejected("invalid_field", "data.submission is not an object")
    for value in submissions.values():
        if "response_type" in value and value["response_type"]:  # noqa: RUF019 - ERB's test, any type
            return value
    return None


def _interaction_type(response_type: Any) -> str:
    try:
        return INTERACTION_TYPES.get(response_type, OTHER)
    except TypeError:  # unhashable
        raise XapiRejected("invalid_field", "response_type is not a string") from None


def _definition(event: dict[str, Any], f: Finder, submission: Any, group: bool) -> dict[str, Any]:
    """object.definition of a problem_check statement (parent or child)."""
    attempts = path(event, "data", "attempts")
    interaction = _interaction_type(f("response_type"))
    name = description = None
    if submission:
        if type(submission) is not dict:
            raise XapiRejected("invalid_field", "a submission is not an object")
        interaction = _interaction_type(submission.get("response_type"))
        if "question" not in submission:
            raise missing("submission.question", event.get("name"))
        description = language_map(C.EN_US, submission["question"], "submission.question")
    else:
        display_name = f("display_name")
        if display_name:
            name = language_map(C.EN_US, display_name, "display_name")
    definition: dict[str, Any] = {}
    if name is not None:
        definition["name"] = name
    if description is not None:
        definition["description"] = description
    definition["type"] = C.ACT_INTERACTION
    definition["interactionType"] = OTHER if group else interaction
    if attempts:
        definition["extensions"] = {C.EXT_ATTEMPT_ID: attempts}
    return definition


def _response_text(response: Any) -> str | None:
    """result.response: a list as JSON text (ERB's workaround), anything else through str()."""
    if response is None:
        return None
    if type(response) is list:
        return _encode_list(response)
    return str(response)


def _result(event: dict[str, Any], f: Finder, submission: Any) -> dict[str, Any]:
    """result of a server problem_check: score, success, response (children drop the score)."""
    if submission:
        if "answer" not in submission:
            raise missing("submission.answer", event.get("name"))
        response = submission["answer"]
        correct = submission.get("correct")
    else:
        data = f("data")
        if data is None:
            data = {}
        if type(data) is not dict:
            raise XapiRejected("invalid_field", "data is not an object")
        response = data.get("answers")
        correct = f("success") == "correct"
    max_grade = f("max_grade")
    grade = f("grade")
    scaled = None
    if max_grade is not None and grade is not None:
        scaled = grade / max_grade if max_grade > 0 else 0
    result: dict[str, Any] = {"score": score(0, max_grade, grade, scaled)}
    if correct is not None:
        result["success"] = bool(correct)
    text = _response_text(response)
    if text is not None:
        result["response"] = text
    return result


_referer_blocks: dict[str, str | None] = {}


def block_id_from_referer(referer: Any) -> str | None:
    """`activate_block_id` of the referer's query string (first non-empty value)."""
    if not referer:  # urlparse reads any falsy value as ""
        return None
    if type(referer) is not str:
        raise XapiRejected("invalid_field", "referer is not a string")
    if referer in _referer_blocks:
        return _referer_blocks[referer]
    values = parse_qs(urlparse(referer).query).get("activate_block_id")
    found = values[0] if values and values[0] else None
    if len(_referer_blocks) >= 100_000:
        _referer_blocks.clear()
    _referer_blocks[referer] = found
    return found


def block_id_from_data(data: Any, course_id: Any) -> str | None:
    """A problem usage key rebuilt from browser form data (`input_<id>_2_1=…`) and the course key."""
    if data is None or course_id is None:
        return None
    if type(data) is not str or type(course_id) is not str:
        raise XapiRejected("invalid_field", "browser problem_check data and course id must be strings")
    parts = data.split("_")
    course = course_id.split(":")
    if len(parts) < 2 or len(course) < 2:
        return None
    version = "block-" + course[0].split("-")[-1]
    if "ccx" in course[0]:
        version = "ccx-" + version
    return f"{version}:{course[1]}+type@problem+block@{parts[1]}"


def _object_id(event: dict[str, Any], f: Finder, env: Env, raw_id: Any) -> str | None:
    """The problem IRI: from the referer or form data for browser events, else from the usage key."""
    source = path(event, "context", "event_source") or f("event_source")
    referer = f("referer") or path(event, "context", "referer")
    if referer is None:
        raise missing("context.referer", event.get("name"))
    if source == "browser":
        block = block_id_from_referer(referer)
        if block is None:
            block = block_id_from_data(f("data"), path(event, "context", "course_id"))
        return None if block is None else f"{env.xblock}{block}"
    return None if raw_id is None else f"{env.xblock}{raw_id}"


@register("problem_check")
def problem_check(event: dict[str, Any], env: Env) -> list[Statement]:
    """A learner checked a problem: `evaluated` (server; plus one statement per question when there
    are several) or `attempted` (browser; no result)."""
    f = Finder(event)
    browser = (f("event_source") or path(event, "context", "event_source")) == "browser"
    verb = C.ATTEMPTED if browser else C.EVALUATED
    submissions = f("submission") or {}
    if type(submissions) is not dict:
        raise XapiRejected("invalid_field", "submission is not an object")
    children = list(submissions) if len(submissions) > 1 else []
    raw_id = _raw_object_id(event, f)
    object_id = _object_id(event, f, env, raw_id)
    submission = _first_submission(event)
    obj: dict[str, Any] = {} if object_id is None else {"id": object_id}
    obj["objectType"] = "GroupActivity" if children else "Activity"
    obj["definition"] = _definition(event, f, submission, bool(children))
    activities = env.default_activities(event)
    head = env.head(event)
    parent = env.build(
        event, verb, obj, None if browser else _result(event, f, submission), activities, head=head
    )
    if not children:
        return [parent]
    if activities is None:
        raise XapiRejected("missing_field", "a multi-question problem_check needs context.course_id")
    if browser:
        raise XapiRejected("invalid_field", "a browser problem_check cannot have several submissions")
    base_id = raw_id or ""
    if type(base_id) is not str:
        raise XapiRejected("invalid_field", "the problem id of a multi-question check is not a string")
    prefix = base_id.split("@")[:-1]
    grouping = {"parent": [parent["object"]], "grouping": activities["parent"]}
    statements = [parent]
    for child_id in children:
        child_raw = "@".join([*prefix, child_id])
        if not child_raw:
            raise XapiRejected("invalid_field", "empty question id in a multi-question problem_check")
        statements.append(
            _child(event, f, env, verb, parent, grouping, child_raw, child_id, submissions[child_id], head)
        )
    return statements


def _child(
    event: dict[str, Any],
    f: Finder,
    env: Env,
    verb: C.Verb,
    parent: Statement,
    activities: dict[str, Any],
    child_raw: str,
    child_id: str,
    submission: Any,
    head: Any,
) -> Statement:
    """One question of a multi-question check: own object, success and response; no score."""
    object_id = _object_id(event, f, env, child_raw)
    obj: dict[str, Any] = {} if object_id is None else {"id": object_id}
    obj["objectType"] = "Activity"
    obj["definition"] = _definition(event, f, submission, False)
    result = _result(event, f, submission)
    del result["score"]
    result.pop("response", None)
    text = _response_text(submission.get("answer") if submission else None)
    if text is not None:
        result["response"] = text
    return env.build(
        event,
        verb,
        obj,
        result,
        activities,
        statement_ref=parent["id"],
        id_ns=env.child_ns(verb, child_id),
        head=head,
    )
