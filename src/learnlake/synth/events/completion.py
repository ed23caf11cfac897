"""Block completion events: `edx.completion.block_completion.changed`."""

from __future__ import annotations

from learnlake.synth.events.common import Event, Who, course_context, server_event


def block_completion_changed(
    who: Who, t: str, block_key: str, block_type: str, completion: float, path: str, referer: str
) -> Event:
    """A block's completion for the learner changed (1.0 = complete)."""
    data = {
        "user_id": who.user_id,
        "course_id": who.course_id,
        "block_id": block_key,
        "block_type": block_type,
        "completion": completion,
    }
    return server_event(
        who, "edx.completion.block_completion.changed", t, data, course_context(who, path), referer
    )
