"""Course navigation (sequence next/previous/tab, outline) and link clicks: verb `navigated`."""

from __future__ import annotations

from typing import Any

from learnlake.xapi import constants as C
from learnlake.xapi.common import Env, Statement, language_map
from learnlake.xapi.errors import missing
from learnlake.xapi.fields import norm, sub
from learnlake.xapi.registry import register

_NEXT = (C.EXT_ENDING_POINT, "next unit")
_PREVIOUS = (C.EXT_ENDING_POINT, "previous unit")


def _tab_object(event: dict[str, Any], env: Env) -> dict[str, Any]:
    data = sub(event, "data")
    block = norm(data.get("id"))
    tab_count = norm(data.get("tab_count"))
    obj: dict[str, Any] = {} if block is None else {"id": f"{env.xblock}{block}"}
    obj["objectType"] = "Activity"
    obj["definition"] = {
        "type": C.ACT_RESOURCE,
        "extensions": {C.EXT_TOTAL_ITEMS: tab_count} if tab_count is not None else {},
    }
    return obj


@register("edx.ui.lms.sequence.next_selected")
def next_selected(event: dict[str, Any], env: Env) -> list[Statement]:
    """Learner moved to the next unit of a sequence."""
    start = (C.EXT_STARTING_POSITION, norm(sub(event, "data").get("current_tab")))
    return [
        env.build(
            event, C.NAVIGATED, _tab_object(event, env), None, env.default_activities(event), (start, _NEXT)
        )
    ]


@register("edx.ui.lms.sequence.previous_selected")
def previous_selected(event: dict[str, Any], env: Env) -> list[Statement]:
    """Learner moved to the previous unit of a sequence."""
    start = (C.EXT_STARTING_POSITION, norm(sub(event, "data").get("current_tab")))
    return [
        env.build(
            event,
            C.NAVIGATED,
            _tab_object(event, env),
            None,
            env.default_activities(event),
            (start, _PREVIOUS),
        )
    ]


@register("edx.ui.lms.sequence.tab_selected")
def tab_selected(event: dict[str, Any], env: Env) -> list[Statement]:
    """Learner picked a unit tab in a sequence."""
    data = sub(event, "data")
    extensions = (
        (C.EXT_STARTING_POSITION, norm(data.get("current_tab"))),
        (C.EXT_ENDING_POINT, norm(data.get("target_tab"))),
    )
    return [
        env.build(
            event, C.NAVIGATED, _tab_object(event, env), None, env.default_activities(event), extensions
        )
    ]


@register("edx.ui.lms.outline.selected", "edx.ui.lms.sequence.outline.selected")
def outline_selected(event: dict[str, Any], env: Env) -> list[Statement]:
    """Learner opened a section from the course outline (no target URL: no object id, as in ERB)."""
    data = sub(event, "data")
    target = norm(data.get("target_url"))
    obj: dict[str, Any] = {} if target is None else {"id": str(target)}
    obj["objectType"] = "Activity"
    obj["definition"] = {
        "name": language_map(C.EN, norm(data.get("target_name")), "data.target_name"),
        "type": C.ACT_MODULE,
    }
    return [env.build(event, C.NAVIGATED, obj, None, env.default_activities(event))]


@register("edx.ui.lms.link_clicked")
def link_clicked(event: dict[str, Any], env: Env) -> list[Statement]:
    """Learner followed a link; the object is the target URL as is."""
    target = norm(sub(event, "data").get("target_url"))
    if target is None:
        raise missing("data.target_url", event.get("name"))
    obj = {"id": str(target), "objectType": "Activity", "definition": {"type": C.ACT_LINK}}
    return [env.build(event, C.NAVIGATED, obj, None, env.default_activities(event))]
