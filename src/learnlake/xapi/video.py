"""Video player events, legacy and new names: load, play, pause, stop, complete, seek, speed, captions."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from learnlake.xapi import constants as C
from learnlake.xapi.common import Env, Statement, float3
from learnlake.xapi.errors import XapiRejected, brief, missing
from learnlake.xapi.fields import norm, sub
from learnlake.xapi.registry import register


def video_block_id(course_id: Any, video_id: Any) -> str:
    """`block-v1:<course key after ":">+type@video+block@<id>` (`ccx-block-v1:` for CCX courses)."""
    if type(course_id) is not str:
        raise XapiRejected("invalid_course", f"course id {brief(course_id)} is not a course key")
    parts = course_id.split(":")
    if len(parts) < 2:
        raise XapiRejected("invalid_course", f"course id {brief(course_id)} has no ':' (not a course-v1 key)")
    version = "block-" + parts[0].split("-")[-1]
    if "ccx" in parts[0]:
        version = "ccx-" + version
    return f"{version}:{parts[1]}+type@video+block@{video_id}"


_objects: dict[tuple[Any, Any, str], dict[str, Any]] = {}


def _video(event: dict[str, Any], env: Env, verb: C.Verb, result: dict[str, Any] | None) -> list[Statement]:
    course_id = env.course_id(event)
    if course_id is None:
        raise missing("context.course_id", event.get("name"))
    data = sub(event, "data")
    video_id = norm(data.get("id"))
    if video_id is None:
        raise missing("data.id", event.get("name"))
    key = (course_id, video_id, env.xblock)
    obj = _objects.get(key) if type(course_id) is str and type(video_id) is str else None
    if obj is None:
        obj = {
            "id": f"{env.xblock}{video_block_id(course_id, video_id)}",
            "objectType": "Activity",
            "definition": {"type": C.ACT_VIDEO},
        }
        if type(video_id) is str:
            if len(_objects) >= 100_000:
                _objects.clear()
            _objects[key] = obj
    length = ((C.EXT_VIDEO_LENGTH, float3(norm(data.get("duration")))),)
    return [env.build(event, verb, obj, result, env.default_activities(event), length)]


def _current_time(event: dict[str, Any]) -> float | None:
    data = sub(event, "data")
    return float3(norm(data.get("current_time")) or norm(data.get("currentTime")))


def _time_result(event: dict[str, Any]) -> dict[str, Any]:
    current = _current_time(event)
    return {"extensions": {C.EXT_VIDEO_TIME: current} if current is not None else {}}


def _register_time(verb: C.Verb, *names: str) -> None:
    def transform(event: dict[str, Any], env: Env) -> list[Statement]:
        return _video(event, env, verb, _time_result(event))

    transform.__name__ = f"video_{verb.display}"
    transform.__doc__ = f"Video {verb.display}; result: playhead time."
    register(*names)(transform)


@register("load_video", "edx.video.loaded")
def video_loaded(event: dict[str, Any], env: Env) -> list[Statement]:
    """The player loaded a video; no result."""
    return _video(event, env, C.INITIALIZED, None)


_register_time(C.PLAYED, "play_video", "edx.video.played")
_register_time(C.PAUSED, "pause_video", "edx.video.paused")
_register_time(C.TERMINATED, "stop_video", "edx.video.stopped")


@register("complete_video", "edx.video.completed")
def video_completed(event: dict[str, Any], env: Env) -> list[Statement]:
    """Learner reached the end: completion, duration (ISO 8601) and time = the video length."""
    length = float3(norm(sub(event, "data").get("duration")))
    result: dict[str, Any] = {"completion": True}
    if length is not None:
        result["duration"] = iso_duration(length)
    result["extensions"] = {C.EXT_VIDEO_TIME: length} if length is not None else {}
    return _video(event, env, C.COMPLETED, result)


@register("seek_video", "edx.video.position.changed")
def video_seeked(event: dict[str, Any], env: Env) -> list[Statement]:
    """Learner moved the playhead: time-from / time-to."""
    data = sub(event, "data")
    ext: dict[str, Any] = {}
    old = float3(norm(data.get("old_time")))
    if old is not None:
        ext[C.EXT_VIDEO_TIME_FROM] = old
    new = float3(norm(data.get("new_time")))
    if new is not None:
        ext[C.EXT_VIDEO_TIME_TO] = new
    return _video(event, env, C.SEEKED, {"extensions": ext})


@register("speed_change_video")
def video_speed_changed(event: dict[str, Any], env: Env) -> list[Statement]:
    """Learner changed the speed: speed-from / speed-to as "<speed>x" strings."""
    data = sub(event, "data")
    old, new = norm(data.get("old_speed")), norm(data.get("new_speed"))
    if type(old) is not str or type(new) is not str:
        raise XapiRejected("invalid_field", "data.old_speed and data.new_speed must be strings")
    result = {"extensions": {C.EXT_SPEED_FROM: f"{old}x", C.EXT_SPEED_TO: f"{new}x"}}
    return _video(event, env, C.INTERACTED, result)


def _register_captions(enabled: bool, *names: str) -> None:
    def transform(event: dict[str, Any], env: Env) -> list[Statement]:
        ext: dict[str, Any] = {}
        current = _current_time(event)
        if current is not None:
            ext[C.EXT_VIDEO_TIME] = current
        ext[C.EXT_CC_ENABLED] = enabled
        return _video(event, env, C.INTERACTED, {"extensions": ext})

    transform.__name__ = "captions_shown" if enabled else "captions_hidden"
    transform.__doc__ = f"Transcript or captions {'shown' if enabled else 'hidden'}: cc-enabled, time."
    register(*names)(transform)


_register_captions(
    True,
    "show_transcript",
    "edx.video.transcript.shown",
    "video_show_cc_menu",
    "edx.video.closed_captions.shown",
)
_register_captions(
    False,
    "hide_transcript",
    "edx.video.transcript.hidden",
    "video_hide_cc_menu",
    "edx.video.closed_captions.hidden",
)


def iso_duration(seconds: float) -> str:
    """tincan's ISO 8601 duration text for a number of seconds, e.g. 195.0 → `PT03M15S`."""
    total = timedelta(seconds=seconds).total_seconds()  # microsecond precision, as tincan
    minutes, secs = divmod(total, 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    d, h, m = int(days), int(hours), int(minutes)
    secs = round(secs, 6)
    date = f"{d}D" if d else ""
    time = "T"
    bigger = bool(date) or bool(h)
    if bigger:
        time += f"{h:02}H"
    bigger = bigger or bool(m)
    if bigger:
        time += f"{m:02}M"
    if secs.is_integer():
        time += f"{int(secs):02}S"
    else:
        time += f"{secs:09.6f}".rstrip("0") + "S"
    return "P" + date + time
