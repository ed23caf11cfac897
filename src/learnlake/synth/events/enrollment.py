"""Enrollment events: activated, deactivated, mode_changed."""

from __future__ import annotations

from typing import Any

from learnlake.synth.events.common import Event, Who, course_context, server_event

_PATH = "/change_enrollment"


def _data(who: Who, mode: str) -> dict[str, Any]:
    return {"course_id": who.course_id, "mode": mode, "user_id": who.user_id}


def activated(who: Who, t: str, mode: str, referer: str) -> Event:
    """The learner enrolled (or re-enrolled) in the course."""
    ctx = course_context(who, _PATH)
    return server_event(who, "edx.course.enrollment.activated", t, _data(who, mode), ctx, referer)


def activated_by_enterprise(who: Who, t: str, mode: str, enterprise_uuid: str, referer: str) -> Event:
    """An enterprise admin enrolled the learner: the request user is not the learner, so the
    request fields are empty and the payload names the learner."""
    data = _data(who, mode)
    data["username"] = who.username
    ctx = {
        "user_id": "",
        "path": "/enterprise/api/v1/enterprise-customer/enroll_learners_in_courses/",
        "course_id": who.course_id,
        "org_id": who.org_id,
        "enterprise_uuid": enterprise_uuid,
    }
    return {
        "name": "edx.course.enrollment.activated",
        "context": ctx,
        "username": "",
        "session": "",
        "ip": who.ip,
        "agent": who.agent,
        "host": who.host,
        "referer": referer,
        "accept_language": who.accept_language,
        "event": data,
        "time": t,
        "event_type": "edx.course.enrollment.activated",
        "event_source": "server",
        "page": None,
    }


def deactivated(who: Who, t: str, mode: str, referer: str) -> Event:
    """The learner unenrolled."""
    ctx = course_context(who, _PATH)
    return server_event(who, "edx.course.enrollment.deactivated", t, _data(who, mode), ctx, referer)


def mode_changed(who: Who, t: str, mode: str, referer: str) -> Event:
    """The enrollment mode changed (e.g. audit to verified after payment); `mode` is the new one."""
    ctx = course_context(who, "/api/enrollment/v1/enrollment")
    return server_event(who, "edx.course.enrollment.mode_changed", t, _data(who, mode), ctx, referer)
