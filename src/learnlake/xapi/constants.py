"""IRIs and fixed parts of statements, built once at import so transforms only copy references.

The IRIs are the ones event-routing-backends (ERB) emits (see specs/xapi-mapping.md); a learnlake
statement must carry exactly the same ones for Aspects, LRSs and xAPI tools to read it the same.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any, Final

from learnlake import __version__

XAPI_VERSION: Final = "1.0.3"
TRANSFORMER_VERSION = f"learnlake@{__version__}"

# Namespace every statement id starts from (uuid.NAMESPACE_DNS), fixed by ERB's id scheme.
NAMESPACE_DNS_BYTES = bytes.fromhex("6ba7b8109dad11d180b400c04fd430c8")

# context / result / definition extension keys
EXT_TRANSFORMER_VERSION: Final = "https://w3id.org/xapi/openedx/extension/transformer-version"
EXT_SESSION_ID: Final = "https://w3id.org/xapi/openedx/extensions/session-id"
EXT_ACROSSX_TYPE: Final = "https://w3id.org/xapi/acrossx/extensions/type"
EXT_VIDEO_LENGTH: Final = "https://w3id.org/xapi/video/extensions/length"
EXT_VIDEO_TIME: Final = "https://w3id.org/xapi/video/extensions/time"
EXT_VIDEO_TIME_FROM: Final = "https://w3id.org/xapi/video/extensions/time-from"
EXT_VIDEO_TIME_TO: Final = "https://w3id.org/xapi/video/extensions/time-to"
EXT_CC_ENABLED: Final = "https://w3id.org/xapi/video/extensions/cc-enabled"
EXT_SPEED_FROM: Final = "https://w3id.org/xapi/openedx/extension/speed-from"
EXT_SPEED_TO: Final = "https://w3id.org/xapi/openedx/extension/speed-to"
EXT_TOTAL_ITEMS: Final = "https://w3id.org/xapi/acrossx/extensions/total-items"
EXT_STARTING_POSITION: Final = "http://id.tincanapi.com/extension/starting-position"
EXT_ENDING_POINT: Final = "http://id.tincanapi.com/extension/ending-point"
EXT_ATTEMPT_ID: Final = "http://id.tincanapi.com/extension/attempt-id"
EXT_GRADE_CLASSIFICATION: Final = "http://www.tincanapi.co.uk/activitytypes/grade_classification"
EXT_PROGRESS: Final = "https://w3id.org/xapi/cmi5/result/extensions/progress"
EXT_TIME_LIMIT: Final = "https://w3id.org/xapi/acrossx/extensions/time-limit"
EXT_ATTEMPT_STARTED: Final = "https://w3id.org/xapi/openedx/extension/attempt-started"
EXT_ATTEMPT_COMPLETED: Final = "https://w3id.org/xapi/openedx/extension/attempt-completed"
EXT_DURATION: Final = "http://id.tincanapi.com/extension/duration"

# activity types
ACT_COURSE: Final = "http://adlnet.gov/expapi/activities/course"
ACT_MODULE: Final = "http://adlnet.gov/expapi/activities/module"
ACT_LINK: Final = "http://adlnet.gov/expapi/activities/link"
ACT_RESOURCE: Final = "http://id.tincanapi.com/activitytype/resource"
ACT_INTERACTION: Final = "http://adlnet.gov/expapi/activities/cmi.interaction"
ACT_QUESTION: Final = "http://adlnet.gov/expapi/activities/question"
ACT_SOLUTION: Final = "http://id.tincanapi.com/activitytype/solution"
ACT_SUPPLEMENTAL_INFO: Final = "https://w3id.org/xapi/acrossx/extensions/supplemental-info"
ACT_VIDEO: Final = "https://w3id.org/xapi/video/activity-type/video"
ACT_DISCUSSION: Final = "http://id.tincanapi.com/activitytype/discussion"
ACT_ATTEMPT: Final = "http://adlnet.gov/expapi/activities/attempt"
ACT_TIMED_ASSESSMENT: Final = "https://w3id.org/xapi/openedx/activity/timed-assessment"
ACT_PRACTICE_ASSESSMENT: Final = "https://w3id.org/xapi/openedx/activity/practice-assessment"
ACT_PROCTORED_ASSESSMENT: Final = "https://w3id.org/xapi/openedx/activity/proctored-assessment"

EN: Final = "en"
EN_US: Final = "en-US"


@dataclass(frozen=True, slots=True)
class Verb:
    """A verb with everything a transform needs precomputed: the statement part and the id namespace."""

    iri: str
    display: str
    part: dict[str, Any]  # {"id": …, "display": {"en": …}}, shared by every statement (read-only)
    json: str  # ERB's serialization of the verb, an input of the statement id
    ns: bytes  # uuid5(NAMESPACE_DNS, json).bytes: the namespace of this verb's statement ids


def _uuid5_bytes(namespace: bytes, name: str) -> bytes:
    digest = bytearray(hashlib.sha1(namespace + name.encode("utf-8")).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50
    digest[8] = (digest[8] & 0x3F) | 0x80
    return bytes(digest)


# the 17th hex digit of a UUID text with the RFC 4122 variant bits set, by the digit hashed there
_UUID_VARIANT_DIGIT: Final = {c: "89ab"[int(c, 16) & 3] for c in "0123456789abcdef"}


def uuid5_text(data: bytes) -> str:
    """`str(uuid.uuid5(UUID(bytes=data[:16]), name))` for data = namespace bytes + the encoded name,
    without building UUID objects (statement ids, learner ids: once per statement or learner)."""
    x = hashlib.sha1(data).hexdigest()
    return f"{x[:8]}-{x[8:12]}-5{x[13:16]}-{_UUID_VARIANT_DIGIT[x[16]]}{x[17:20]}-{x[20:32]}"


def make_verb(iri: str, display: str) -> Verb:
    """Build a Verb; its JSON text mirrors ERB's (tincan's `json.dumps`) byte for byte."""
    text = json.dumps({"id": iri, "display": {EN: display}})
    part = {"id": iri, "display": {EN: display}}
    return Verb(iri, display, part, text, _uuid5_bytes(NAMESPACE_DNS_BYTES, text))


def verb_ns_for_child(verb: Verb, child_id: str) -> bytes:
    """Namespace of a multi-question child statement id: uuid5(DNS, f"{verb_json}-{child_id}")."""
    return _uuid5_bytes(NAMESPACE_DNS_BYTES, f"{verb.json}-{child_id}")


REGISTERED: Final = make_verb("http://adlnet.gov/expapi/verbs/registered", "registered")
UNREGISTERED: Final = make_verb("http://id.tincanapi.com/verb/unregistered", "unregistered")
PASSED: Final = make_verb("http://adlnet.gov/expapi/verbs/passed", "passed")
FAILED: Final = make_verb("http://adlnet.gov/expapi/verbs/failed", "failed")
NAVIGATED: Final = make_verb("https://w3id.org/xapi/dod-isd/verbs/navigated", "navigated")
ATTEMPTED: Final = make_verb("http://adlnet.gov/expapi/verbs/attempted", "attempted")
EVALUATED: Final = make_verb("https://w3id.org/xapi/acrossx/verbs/evaluated", "evaluated")
ASKED: Final = make_verb("http://adlnet.gov/expapi/verbs/asked", "asked")
COMPLETED: Final = make_verb("http://adlnet.gov/expapi/verbs/completed", "completed")
INITIALIZED: Final = make_verb("http://adlnet.gov/expapi/verbs/initialized", "initialized")
PLAYED: Final = make_verb("https://w3id.org/xapi/video/verbs/played", "played")
PAUSED: Final = make_verb("https://w3id.org/xapi/video/verbs/paused", "paused")
TERMINATED: Final = make_verb("http://adlnet.gov/expapi/verbs/terminated", "terminated")
SEEKED: Final = make_verb("https://w3id.org/xapi/video/verbs/seeked", "seeked")
INTERACTED: Final = make_verb("http://adlnet.gov/expapi/verbs/interacted", "interacted")
EARNED: Final = make_verb("http://id.tincanapi.com/verb/earned", "earned")
PROGRESSED: Final = make_verb("http://adlnet.gov/expapi/verbs/progressed", "progressed")
POSTED: Final = make_verb("https://w3id.org/xapi/acrossx/verbs/posted", "posted")
EDITED: Final = make_verb("https://w3id.org/xapi/acrossx/verbs/edited", "edited")
DELETED: Final = make_verb("https://w3id.org/xapi/dod-isd/verbs/deleted", "deleted")
VIEWED: Final = make_verb("http://id.tincanapi.com/verb/viewed", "viewed")
VOTED: Final = make_verb("https://w3id.org/xapi/openedx/verb/voted", "voted")
REPORTED: Final = make_verb("https://w3id.org/xapi/acrossx/verbs/reported", "reported")
UNREPORTED: Final = make_verb("https://w3id.org/xapi/openedx/verb/unreported", "unreported")
