"""Shared pieces of every synthetic tracking event: the envelope, contexts, ids and timestamps.

The LMS writes one JSON object per line to tracking.log after its "legacy field mapping": the
request fields (username, session, ip, agent, host, referer, accept_language) sit at the top level,
the payload is under `event` (a JSON *string* for browser events, an object for server events),
and `context` keeps user_id, path, course_id, org_id, enterprise_uuid (plus course_user_tags, module
and asides for XBlock handler events). These builders produce exactly that shape, cheaply: the
generator calls them millions of times, so they are plain dict literals over precomputed parts.
"""

from __future__ import annotations

import hashlib
import json
import random
import uuid
from dataclasses import dataclass, field
from typing import Any

Event = dict[str, Any]

# What `json.dumps` writes by default (the LMS serializes browser payloads this way).
_LMS_JSON = json.JSONEncoder(ensure_ascii=True, separators=(", ", ": "))


def lms_json(value: Any) -> str:
    """Serialize a browser payload the way the LMS does (`json.dumps` defaults)."""
    return _LMS_JSON.encode(value)


def derive_seed(*parts: object) -> int:
    """A 64-bit seed derived from `parts`, stable across processes (unlike `hash()`)."""
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def rng_for(*parts: object) -> random.Random:
    """A private random stream for one purpose (one learner, one course...)."""
    return random.Random(derive_seed(*parts))


def hex_id(rng: random.Random, n: int = 32) -> str:
    """n lowercase hex characters (session ids, block ids, mongo ids)."""
    return f"{rng.getrandbits(4 * n):0{n}x}"


def uuid_text(rng: random.Random) -> str:
    """A version-4 UUID string drawn from `rng` (never from the OS, so runs repeat)."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


_HMS = [f"{h:02d}:{m:02d}:{s:02d}" for h in range(24) for m in range(60) for s in range(60)]
_DIGITS3 = [f"{i:03d}" for i in range(1000)]


def format_time(prefix: str, us: int) -> str:
    """`YYYY-MM-DDTHH:MM:SS.ffffff+00:00` for `us` microseconds after midnight of `prefix`'s day.

    Like `datetime.isoformat()`, the fraction is left out when it is zero. (Called for every
    event, hence the tables of precomputed texts.)
    """
    s, frac = divmod(us, 1_000_000)
    hms = _HMS[s] if s < 86400 else _HMS[86399]
    if frac:
        ms, micro = divmod(frac, 1000)
        return prefix + hms + "." + _DIGITS3[ms] + _DIGITS3[micro] + "+00:00"
    return prefix + hms + "+00:00"


def format_time_space(prefix: str, us: int) -> str:
    """`str(datetime)` form (space instead of T), as grade events write first_attempted."""
    return format_time(prefix, us).replace("T", " ", 1)


@dataclass(slots=True)
class Who:
    """The request-level facts of one learner in one course, reused by every event they cause."""

    username: str
    user_id: int
    ip: str
    agent: str
    accept_language: str
    host: str
    course_id: str
    org_id: str
    session: str = ""
    enterprise_uuid: str = ""
    browser_context: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.browser_context = {
            "user_id": self.user_id,
            "path": "/event",
            "course_id": self.course_id,
            "org_id": self.org_id,
            "enterprise_uuid": self.enterprise_uuid,
        }


def browser_event(who: Who, name: str, time: str, payload: str, page: str, referer: str) -> Event:
    """An event the browser posted to /event; `payload` is already the JSON (or form) text."""
    return {
        "name": name,
        "context": who.browser_context,
        "username": who.username,
        "session": who.session,
        "ip": who.ip,
        "agent": who.agent,
        "host": who.host,
        "referer": referer,
        "accept_language": who.accept_language,
        "event": payload,
        "time": time,
        "event_type": name,
        "event_source": "browser",
        "page": page,
    }


def server_event(
    who: Who,
    name: str,
    time: str,
    data: dict[str, Any],
    context: dict[str, Any],
    referer: str,
    page: str | None = None,
) -> Event:
    """An event the LMS emitted itself while serving a request of `who`."""
    return {
        "name": name,
        "context": context,
        "username": who.username,
        "session": who.session,
        "ip": who.ip,
        "agent": who.agent,
        "host": who.host,
        "referer": referer,
        "accept_language": who.accept_language,
        "event": data,
        "time": time,
        "event_type": name,
        "event_source": "server",
        "page": page,
    }


def course_context(who: Who, path: str) -> dict[str, Any]:
    """Context of a server event about a course (enrollment, course grade, forum, exam)."""
    return {
        "user_id": who.user_id,
        "path": path,
        "course_id": who.course_id,
        "org_id": who.org_id,
        "enterprise_uuid": who.enterprise_uuid,
    }


def xblock_context(who: Who, path: str, module: dict[str, str], asides: bool = True) -> dict[str, Any]:
    """Context of an event published by an XBlock handler (problem_check, showanswer, grades)."""
    ctx: dict[str, Any] = {
        "course_id": who.course_id,
        "course_user_tags": {},
        "user_id": who.user_id,
        "path": path,
        "org_id": who.org_id,
        "enterprise_uuid": who.enterprise_uuid,
        "module": module,
    }
    if asides:
        ctx["asides"] = {}
    return ctx
