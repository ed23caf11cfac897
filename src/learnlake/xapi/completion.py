"""Block completion changes (the completion API): verb `progressed`, progress in percent."""

from __future__ import annotations

from typing import Any

from learnlake.xapi import constants as C
from learnlake.xapi.common import Env, Statement
from learnlake.xapi.errors import XapiRejected, brief
from learnlake.xapi.fields import norm, sub
from learnlake.xapi.registry import register


@register("edx.completion.block_completion.changed")
def block_completion_changed(event: dict[str, Any], env: Env) -> list[Statement]:
    """A block's completion changed: completion = (value == 1.0), progress = value × 100."""
    data = sub(event, "data")
    block = norm(data.get("block_id"))
    obj: dict[str, Any] = {} if block is None else {"id": f"{env.xblock}{block}"}
    obj["objectType"] = "Activity"
    obj["definition"] = {"type": C.ACT_RESOURCE}
    value = norm(data.get("completion"))
    if type(value) not in (int, float, bool):
        raise XapiRejected("invalid_field", f"data.completion {brief(value)} is not a number")
    result = {"completion": value == 1.0, "extensions": {C.EXT_PROGRESS: value * 100}}
    return [env.build(event, C.PROGRESSED, obj, result, env.default_activities(event))]
