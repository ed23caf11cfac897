"""The parts every statement shares: actor, id, timestamp, context, parent course.

`Env` compiles a `Lookups` into caches (actor per learner, parent course per course key) so the
per-event work is a few dict reads. Statements share these cached sub-objects: treat statements
as read-only (copy before changing one).
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any, Final

from learnlake.xapi import constants as C
from learnlake.xapi.errors import XapiRejected, brief
from learnlake.xapi.fields import find, sub
from learnlake.xapi.lookups import UNKNOWN_EMAIL, Lookups

_CACHE_LIMIT: Final = 500_000
_sha1: Final = hashlib.sha1
_fromiso: Final = datetime.fromisoformat
_EXT_VERSION: Final = C.EXT_TRANSFORMER_VERSION
_VERSION: Final = C.TRANSFORMER_VERSION
_EXT_SESSION: Final = C.EXT_SESSION_ID

Statement = dict[str, Any]


def statement_id(ns: bytes, actor_json: str, timestamp: object) -> str:
    """ERB's statement id: uuid5(namespace of the verb, f"{actor_json}-{timestamp}") as text."""
    return C.uuid5_text(ns + f"{actor_json}-{timestamp}".encode())


def _json_str(value: Any) -> str:
    """`json.dumps(value)`; plain printable ASCII text without quotes or backslashes (ids, URLs,
    emails) is written as is, skipping the encoder (json escapes nothing else in it)."""
    if (
        type(value) is str
        and value.isascii()
        and value.isprintable()
        and '"' not in value
        and "\\" not in value
    ):
        return f'"{value}"'
    return json.dumps(value)


def normalize_timestamp(raw: object) -> str:
    """The statement timestamp tincan writes for ERB: the ISO 8601 text re-serialized by isoformat.

    `Z` becomes `+00:00`, fractions are padded to 6 digits (or dropped when zero), other offsets
    are kept; numbers are POSIX seconds. Timestamps without a `T`, without an offset, or unparsable
    are rejected as ERB does.
    """
    if type(raw) is str and len(raw) == 32 and raw[26:] == "+00:00" and raw[10] == "T" and raw[19] == ".":
        try:  # the usual shape: validate, keep the text unless the fraction is zero
            parsed = _fromiso(raw)
        except ValueError:
            raise XapiRejected("invalid_timestamp", f"timestamp {brief(raw)} is not ISO 8601") from None
        return raw if parsed.microsecond else parsed.isoformat()
    if type(raw) is not str:
        if isinstance(raw, int | float):  # tincan reads numbers (and bools) as POSIX seconds, UTC
            try:
                return datetime.fromtimestamp(raw, UTC).isoformat()
            except (OverflowError, OSError, ValueError):
                raise XapiRejected("invalid_timestamp", f"timestamp {brief(raw)} is out of range") from None
        raise XapiRejected("invalid_timestamp", f"timestamp {brief(raw)} is not a string")
    if "T" not in raw:
        raise XapiRejected("invalid_timestamp", f"timestamp {brief(raw)} is not ISO 8601 (no 'T')")
    try:
        parsed = _fromiso(raw)
    except ValueError:
        raise XapiRejected("invalid_timestamp", f"timestamp {brief(raw)} is not ISO 8601") from None
    offset = parsed.utcoffset()
    if offset is None:
        raise XapiRejected("invalid_timestamp", f"timestamp {brief(raw)} has no time zone")
    if offset.microseconds or offset.seconds % 60:
        raise XapiRejected("invalid_timestamp", f"timestamp {brief(raw)} has a sub-minute UTC offset")
    return parsed.isoformat()


def event_timestamp(event: dict[str, Any]) -> Any:
    """The raw timestamp ERB uses: `timestamp` anywhere, else `time` anywhere (not normalized)."""
    value = event.get("timestamp")
    if type(value) is str and value:
        return value
    return find(event, "timestamp") or find(event, "time")


_float3_cache: dict[Any, float] = {}


def float3(value: Any) -> float | None:
    """ERB's seconds conversion: a float rounded to 3 decimals, None for missing values."""
    if value != 0 and not value:
        return None
    if type(value) is int or type(value) is float:
        found = _float3_cache.get(value)
        if found is None:
            if len(_float3_cache) >= _CACHE_LIMIT:
                _float3_cache.clear()
            found = _float3_cache[value] = float(f"{float(value):.3f}")
        return found
    return float(f"{float(value):.3f}")


def score(min_: Any, max_: Any, raw: Any, scaled: Any) -> dict[str, float]:
    """A result score in tincan's key order with tincan's float coercion; None parts are omitted."""
    out: dict[str, float] = {}
    if scaled is not None:
        out["scaled"] = float(scaled)
    if raw is not None:
        out["raw"] = float(raw)
    if min_ is not None:
        out["min"] = float(min_)
    if max_ is not None:
        out["max"] = float(max_)
    return out


def language_map(lang: str, value: Any, what: str) -> dict[str, str]:
    """A one-entry language map; like tincan, anything but a string is an error."""
    if type(value) is not str:
        raise XapiRejected("invalid_field", f"{what} must be a string, got {type(value).__name__}")
    return {lang: value}


def valid_course_key(course_id: Any) -> bool:
    """Whether the LMS would accept this course key (edx-opaque-keys, plus `ccx-v1:` keys)."""
    if type(course_id) is not str:
        return False
    from opaque_keys import InvalidKeyError
    from opaque_keys.edx.keys import CourseKey

    key = course_id
    if key.startswith("ccx-v1:"):  # CCX keys need a plugin: check the course part
        base, sep, ccx = key[7:].rpartition("+ccx@")
        if not sep or not ccx:
            return False
        key = f"course-v1:{base}"
    try:
        CourseKey.from_string(key)
    except InvalidKeyError:
        return False
    return True


class Env:
    """A Lookups compiled for speed: caches of actors and parent courses, IRI prefixes."""

    def __init__(self, lookups: Lookups) -> None:
        self.lookups = lookups
        self.lms = lookups.lms_root_url
        self.xblock = f"{self.lms}/xblock/"
        self.course_prefix = f"{self.lms}/course/"
        self._home_page = f', "homePage": {_json_str(self.lms)}}}}}'  # the end of an account's JSON
        self.mode = lookups.actor_mode
        self.strict_courses = bool(lookups.strict_courses)
        self._actors: dict[Any, tuple[dict[str, Any], bytes]] = {}
        self._courses: dict[str, tuple[str | None]] = {}
        self._bad_courses: set[str] = set()
        self._parents: dict[str, list[dict[str, Any]]] = {}
        self._child_ns: dict[tuple[str, str], bytes] = {}

    # -- actor -------------------------------------------------------------------------------
    def actor(self, event: dict[str, Any]) -> tuple[dict[str, Any], bytes]:
        """(actor part, f"{actor JSON as ERB writes it}-" as bytes) for the event's learner.

        The learner is `data.user_id`, else `data.username`, else `user_id`/`username` anywhere;
        an event without one (anonymous) is rejected, as ERB rejects it.
        """
        data = event.get("data")
        user: Any = None
        if type(data) is dict:
            user = data.get("user_id")
            if not user:
                user = data.get("username")
        if not user:
            user = find(event, "user_id") or find(event, "username")
            if not user:
                return self._anonymous()
        if type(user) is int or type(user) is str:
            cached = self._actors.get(user)
            if cached is not None:
                return cached
        return self._new_actor(user)

    def _anonymous(self) -> tuple[dict[str, Any], bytes]:
        """No learner in the event: rejected with external ids (ERB raises), but in the mbox modes
        ERB uses the address for unknown users, so the event still gives a statement."""
        if self.mode == "account":
            raise XapiRejected("anonymous_user", "event has no learner (user_id and username empty)")
        return self._actors.get(None) or self._agent(None)

    def _new_actor(self, user: Any) -> tuple[dict[str, Any], bytes]:
        if type(user) in (bool, float):
            user = int(user)  # ERB looks learners up by int(user_id)
        if type(user) not in (int, str):
            raise XapiRejected("invalid_user", f"learner id {brief(user)} is not a number or username")
        return self._agent(user)

    def _agent(self, user: int | str | None) -> tuple[dict[str, Any], bytes]:
        """The actor of a learner and f"{json.dumps(actor)}-" (ERB's id input), written directly."""
        if self.mode == "account":
            name = None if user is None else self.lookups.external_id(user)
            if not name:
                raise XapiRejected("unknown_user", f"no external id for learner {brief(user)}")
            actor: dict[str, Any] = {"objectType": "Agent", "account": {"name": name, "homePage": self.lms}}
            text = f'{{"objectType": "Agent", "account": {{"name": {_json_str(name)}{self._home_page}'
        else:
            email = (None if user is None else self.lookups.email(user)) or UNKNOWN_EMAIL
            mbox = email if email.startswith("mailto:") else f"mailto:{email}"
            if self.mode == "mbox":
                actor = {"objectType": "Agent", "mbox": mbox}
                text = f'{{"objectType": "Agent", "mbox": {_json_str(mbox)}}}'
            else:  # mbox_sha1sum: ERB hashes the bare address (as written)
                digest = _sha1(email.encode()).hexdigest()
                actor = {"objectType": "Agent", "mbox_sha1sum": digest}
                text = f'{{"objectType": "Agent", "mbox_sha1sum": "{digest}"}}'
        if len(self._actors) >= _CACHE_LIMIT:
            self._actors.clear()
        found = (actor, (text + "-").encode())
        self._actors[user] = found
        return found

    # -- course ------------------------------------------------------------------------------
    def course_name(self, course_id: Any) -> str | None:
        """The display name of a course key; rejects invalid keys and (if strict) unknown courses."""
        cached = self._courses.get(course_id) if type(course_id) is str else None
        if cached is None:
            cached = self._new_course(course_id)
        return cached[0]

    def _new_course(self, course_id: Any) -> tuple[str | None]:
        if type(course_id) is not str or course_id in self._bad_courses or not valid_course_key(course_id):
            if type(course_id) is str and len(self._bad_courses) < _CACHE_LIMIT:
                self._bad_courses.add(course_id)
            raise XapiRejected("invalid_course", f"course id {brief(course_id)} is not a course key")
        name = self.lookups.course_name(course_id)
        if name is None and self.strict_courses:
            raise XapiRejected("unknown_course", f"course {brief(course_id)} has no known display name")
        if name is not None and type(name) is not str:
            raise XapiRejected("invalid_course", f"display name of {brief(course_id)} is not a string")
        found = (name,)
        if len(self._courses) >= _CACHE_LIMIT:
            self._courses.clear()
            self._parents.clear()
        self._courses[course_id] = found
        return found

    def parent(self, course_id: Any) -> list[dict[str, Any]]:
        """contextActivities.parent for a course: [the course activity], name in en-US."""
        found = self._parents.get(course_id) if type(course_id) is str else None
        if found is None:
            name = self.course_name(course_id)
            definition: dict[str, Any] = {}
            if name is not None:
                definition["name"] = {C.EN_US: name}
            definition["type"] = C.ACT_COURSE
            iri = self.course_prefix + course_id
            found = [{"id": iri, "objectType": "Activity", "definition": definition}]
            self._parents[course_id] = found
        return found

    def child_ns(self, verb: C.Verb, child_id: str) -> bytes:
        """Cached id namespace of a multi-question child statement."""
        key = (verb.iri, child_id)
        found = self._child_ns.get(key)
        if found is None:
            if len(self._child_ns) >= _CACHE_LIMIT:
                self._child_ns.clear()
            found = self._child_ns[key] = C.verb_ns_for_child(verb, child_id)
        return found

    # -- statement ---------------------------------------------------------------------------
    def course_id(self, event: dict[str, Any]) -> Any:
        """`context.course_id` (normalized), the course of the parent activity."""
        value = sub(event, "context").get("course_id")
        if value != 0 and not value:
            return None
        return value

    def default_activities(self, event: dict[str, Any]) -> dict[str, Any] | None:
        """ERB's default contextActivities: the parent course when the event names one."""
        course_id = self.course_id(event)
        if course_id is None:
            return None
        return {"parent": self.parent(course_id)}

    def head(self, event: dict[str, Any]) -> tuple[dict[str, Any], bytes, Any, str | None, Any]:
        """What every statement of one event shares: actor, id prefix, raw and normalized
        timestamp, session. Transforms producing several statements compute it once."""
        actor, actor_prefix = self.actor(event)
        raw_ts = event.get("timestamp")
        if type(raw_ts) is not str or not raw_ts:
            raw_ts = find(event, "timestamp") or find(event, "time")
        session = event.get("session")
        if type(session) is not str or not session:
            session = find(event, "session")
        return (
            actor,
            actor_prefix + (raw_ts.encode() if type(raw_ts) is str else str(raw_ts).encode()),
            raw_ts,
            None if raw_ts is None else normalize_timestamp(raw_ts),
            session,
        )

    def build(
        self,
        event: dict[str, Any],
        verb: C.Verb,
        obj: dict[str, Any],
        result: dict[str, Any] | None = None,
        activities: dict[str, Any] | None = None,
        extensions: tuple[tuple[str, Any], ...] = (),
        statement_ref: str | None = None,
        id_ns: bytes | None = None,
        head: tuple[dict[str, Any], bytes, Any, str | None, Any] | None = None,
    ) -> Statement:
        """Assemble a statement in tincan's key order (id, result, version, actor, verb, object,
        timestamp, context). `extensions` are extra context extensions (None values dropped);
        `statement_ref`, `id_ns` and `head` serve events giving several statements."""
        if head is None:  # inlined head(): most events give one statement
            data = event.get("data")
            user = (data.get("user_id") or data.get("username")) if type(data) is dict else None
            if not user:
                user = find(event, "user_id") or find(event, "username")
            if not user:
                actor, actor_prefix = self._anonymous()
            else:
                found = self._actors.get(user) if type(user) is int or type(user) is str else None
                actor, actor_prefix = self._new_actor(user) if found is None else found
            raw_ts = event.get("timestamp")
            if type(raw_ts) is not str or not raw_ts:
                raw_ts = find(event, "timestamp") or find(event, "time")
                id_name = actor_prefix + str(raw_ts).encode()
            else:
                id_name = actor_prefix + raw_ts.encode()
            session = event.get("session")
            if type(session) is not str or not session:
                session = find(event, "session")
            st: Statement = {"id": C.uuid5_text((verb.ns if id_ns is None else id_ns) + id_name)}
            if result is not None:
                st["result"] = result
            st["version"] = "1.0.3"
            st["actor"] = actor
            st["verb"] = verb.part
            st["object"] = obj
            if raw_ts is not None:
                st["timestamp"] = normalize_timestamp(raw_ts)
        else:
            actor, id_name, raw_ts, timestamp, session = head
            st = {"id": C.uuid5_text((verb.ns if id_ns is None else id_ns) + id_name)}
            if result is not None:
                st["result"] = result
            st["version"] = "1.0.3"
            st["actor"] = actor
            st["verb"] = verb.part
            st["object"] = obj
            if timestamp is not None:
                st["timestamp"] = timestamp
        if session is None:
            ext: dict[str, Any] = {_EXT_VERSION: _VERSION}
        else:
            ext = {_EXT_VERSION: _VERSION, _EXT_SESSION: session}
        for key, value in extensions:
            if value is not None:
                ext[key] = value
        ctx: dict[str, Any] = {}
        if activities is not None:
            ctx["contextActivities"] = activities
        if statement_ref is not None:
            ctx["statement"] = {"objectType": "StatementRef", "id": statement_ref}
        ctx["extensions"] = ext
        st["context"] = ctx
        return st
