"""The parsed columns Aspects derives from a statement (`xapi_events_all_parsed`), per statement.

Ingest stores them beside each statement. This module is part of the compiled build (see
`native.py`): reading a handful of keys costs little compiled, but is a visible share of the
per-statement work in pure Python.
"""

from __future__ import annotations

from typing import Any, Final

COURSE_ACTIVITY: Final = "http://adlnet.gov/expapi/activities/course"
_COURSE_KEY_PREFIXES: Final = ("course-v1:", "ccx-v1:")
_CACHE_LIMIT: Final = 100_000

Columns = tuple[Any, Any, Any, Any, str, str]
"""(actor_id, verb_id, object_id, course_id, course_key, org); strings for learnlake's statements."""

_course_parts: dict[str, tuple[str, str]] = {}
_EMPTY: Final[dict[str, Any]] = {}


def statement_columns(stmt: dict[str, Any]) -> Columns:
    """(actor_id, verb_id, object_id, course_id, course_key, org) as aspects-dbt derives them.

    actor_id: account name, else mbox, else mbox_sha1sum; course_id: the parent course activity,
    else the grouping under a parent activity, else the object itself (enrollments). The parts
    are typed as objects, which compiled code reads as plain dicts (it raises TypeError where
    something else stands: learnlake's statements always have objects there).
    """
    actor: dict[str, Any] = stmt.get("actor") or _EMPTY
    account: dict[str, Any] = actor.get("account") or _EMPTY
    actor_id = account.get("name") or actor.get("mbox") or actor.get("mbox_sha1sum") or ""
    verb: dict[str, Any] = stmt.get("verb") or _EMPTY
    verb_id = verb.get("id") or ""
    obj: dict[str, Any] = stmt.get("object") or _EMPTY
    object_id = obj.get("id") or ""
    context: dict[str, Any] = stmt.get("context") or _EMPTY
    activities: dict[str, Any] = context.get("contextActivities") or _EMPTY
    course_id = _course_iri(activities) if activities else None
    if course_id is None:
        course_id = object_id
    course_key, org = _course_key_org(course_id)
    return actor_id, verb_id, object_id, course_id, course_key, org


def _course_iri(activities: dict[str, Any]) -> Any:
    """The course IRI among contextActivities, None when the statement's object is the course."""
    parent = _first(activities.get("parent"))
    definition: dict[str, Any] = parent.get("definition") or _EMPTY
    if definition.get("type") == COURSE_ACTIVITY:
        return parent.get("id") or ""
    if parent.get("objectType") in ("Activity", "GroupActivity"):
        return _first(activities.get("grouping")).get("id") or ""
    return None


def _first(value: Any) -> dict[str, Any]:
    """The first element of a list of activities, when it is an object."""
    if isinstance(value, list) and value and isinstance(value[0], dict):
        first: dict[str, Any] = value[0]
        return first
    return _EMPTY


def _course_key_org(course_id: str) -> tuple[str, str]:
    """(course key, org) of a course IRI, cached: a run sees few courses but many statements."""
    found = _course_parts.get(course_id)
    if found is None:
        course_key = course_id.rsplit("/", 1)[-1]
        # the org of course-v1:ORG+… and ccx-v1:ORG+… keys; none for other IRIs
        org = (
            course_key.split(":", 1)[1].split("+", 1)[0]
            if course_key.startswith(_COURSE_KEY_PREFIXES)
            else ""
        )
        if len(_course_parts) >= _CACHE_LIMIT:
            _course_parts.clear()
        found = _course_parts[course_id] = (course_key, org)
    return found
