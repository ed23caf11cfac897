"""Discussion forum events: threads, responses and comments (created, edited, deleted, voted, …)."""

from __future__ import annotations

from typing import Any

from learnlake.xapi import constants as C
from learnlake.xapi.common import Env, Statement, language_map
from learnlake.xapi.errors import XapiRejected, missing
from learnlake.xapi.fields import find, norm, path, sub
from learnlake.xapi.registry import register


def forum_object(event: dict[str, Any], env: Env) -> dict[str, Any]:
    """`<LMS><context.path minus the trailing "/" and the id>/<data.id>`, type discussion, title."""
    data = sub(event, "data")
    object_id = norm(data.get("id"))
    if object_id is None:
        raise missing("data.id", event.get("name"))
    route = norm(sub(event, "context").get("path"))
    if route is None:
        raise missing("context.path", event.get("name"))
    if type(route) is not str or type(object_id) is not str:
        raise XapiRejected("invalid_field", "context.path and data.id must be strings")
    route = route.rstrip("/").replace(object_id, "").rstrip("/")
    definition: dict[str, Any] = {}
    title = norm(data.get("title"))
    if title:
        definition["name"] = language_map(C.EN, title, "data.title")
    definition["type"] = C.ACT_DISCUSSION
    return {"id": f"{env.lms}{route}/{object_id}", "objectType": "Activity", "definition": definition}


def forum_activities(event: dict[str, Any], env: Env) -> dict[str, Any] | None:
    """Parent course, plus grouping = the discussion thread when `data.discussion.id` is set."""
    activities = env.default_activities(event)
    discussion = path(event, "data", "discussion", "id")
    if not discussion:
        return activities
    if activities is None:
        raise XapiRejected("missing_field", "a forum event with data.discussion.id needs context.course_id")
    thread = {
        "id": f"{env.lms}/api/discussion/v1/threads/{discussion}",
        "objectType": "Activity",
        "definition": {"type": C.ACT_DISCUSSION},
    }
    return {"parent": activities["parent"], "grouping": [thread]}


def _register(verb: C.Verb, extension_field: str | None, *names: str) -> None:
    def transform(event: dict[str, Any], env: Env) -> list[Statement]:
        extensions: tuple[tuple[str, Any], ...] = ()
        if extension_field is not None:
            extensions = ((C.EXT_ACROSSX_TYPE, find(event, extension_field)),)
        return [
            env.build(event, verb, forum_object(event, env), None, forum_activities(event, env), extensions)
        ]

    transform.__name__ = f"forum_{verb.display}"
    transform.__doc__ = f"Forum post {verb.display}."
    register(*names)(transform)


_register(C.POSTED, "thread_type", "edx.forum.thread.created")
_register(C.POSTED, None, "edx.forum.response.created", "edx.forum.comment.created")
_register(C.EDITED, None, "edx.forum.thread.edited", "edx.forum.response.edited", "edx.forum.comment.edited")
_register(
    C.DELETED, None, "edx.forum.thread.deleted", "edx.forum.response.deleted", "edx.forum.comment.deleted"
)
_register(C.VIEWED, None, "edx.forum.thread.viewed")
_register(C.VOTED, "vote_value", "edx.forum.thread.voted", "edx.forum.response.voted")
_register(
    C.REPORTED, None, "edx.forum.thread.reported", "edx.forum.response.reported", "edx.forum.comment.reported"
)
_register(
    C.UNREPORTED,
    None,
    "edx.forum.thread.unreported",
    "edx.forum.response.unreported",
    "edx.forum.comment.unreported",
)
