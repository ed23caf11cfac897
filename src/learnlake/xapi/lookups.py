"""What a transform needs from the LMS: its root URL, learners' external ids, course names.

ERB asks the LMS database for these on every event; learnlake takes them from a `Lookups` object
(extracted tables, OLX, configuration, or plain dicts in tests), so a transform stays a pure function.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, Protocol, runtime_checkable

from learnlake.xapi.constants import uuid5_text

ActorMode = Literal["account", "mbox", "mbox_sha1sum"]
UNKNOWN_EMAIL = "unknown@example.com"  # ERB's address for a learner without a known email


def user_key(user: int | str) -> str:
    """The string a user is known by in mappings: the LMS user id as digits, else the username."""
    return str(user)


@runtime_checkable
class Lookups(Protocol):
    """LMS facts a transform needs; implementations should answer from memory (called per event)."""

    @property
    def lms_root_url(self) -> str:
        """Prefix of every IRI, e.g. ``https://lms.example.com`` (ERB's LMS_ROOT_URL)."""
        ...

    @property
    def actor_mode(self) -> ActorMode:
        """``account`` (external id, the default), ``mbox`` or ``mbox_sha1sum`` (email; needs PII)."""
        ...

    @property
    def strict_courses(self) -> bool:
        """True: reject events of courses without a known name, as ERB does; False: omit the name."""
        ...

    def external_id(self, user: int | str) -> str | None:
        """The learner's xAPI external id, from an LMS user id (int) or username (str); None if unknown."""
        ...

    def email(self, user: int | str) -> str | None:
        """The learner's email (only used in the mbox modes); None if unknown."""
        ...

    def course_name(self, course_key: str) -> str | None:
        """The course's display name (course overviews, OLX or configuration); None if unknown."""
        ...


@dataclass
class ActorAssigner:
    """Deterministic external ids for learners the LMS mapping does not know yet.

    The id is UUIDv5(site namespace, "user_id:<id>" or "username:<name>"), so every run on any
    machine gives a learner the same id. New assignments are recorded in `assigned` so the caller
    can persist them (learnlake's mapping table) and export them for the LMS to load.
    """

    namespace: uuid.UUID
    assigned: dict[str, str] = field(default_factory=dict)
    _namespace_bytes: bytes = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._namespace_bytes = self.namespace.bytes  # `UUID.bytes` is computed on every access

    @classmethod
    def for_site(cls, lms_root_url: str) -> ActorAssigner:
        """An assigner whose namespace is derived from the LMS URL (stable per site)."""
        return cls(uuid.uuid5(uuid.NAMESPACE_URL, f"learnlake:xapi-actors:{lms_root_url}"))

    def assign(self, user: int | str) -> str:
        """The learner's assigned external id (created and recorded on first use)."""
        key = user_key(user)
        found = self.assigned.get(key)
        if found is None:
            kind = "user_id" if isinstance(user, int) or key.isdigit() else "username"
            found = self.assigned[key] = uuid5_text(self._namespace_bytes + f"{kind}:{key}".encode())
        return found

    def export_json(self) -> dict[str, str]:
        """The assignments as {user id or username: external id}, the `--actor-map` file format."""
        return dict(self.assigned)

    def export_csv(self) -> str:
        """Rows for the LMS table `external_user_ids_externalid` (type xapi); usernames are flagged."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["user_id", "username", "external_user_id", "external_id_type"])
        for key, ext in sorted(self.assigned.items()):
            if key.isdigit():
                writer.writerow([key, "", ext, "xapi"])
            else:
                writer.writerow(["", key, ext, "xapi"])
        return out.getvalue()


@dataclass
class StaticLookups:
    """In-memory lookups: dicts for external ids, emails and course names, with `"*"` defaults.

    External ids resolve in this order: `external_ids[str(user)]`, `external_ids["*"]`, then the
    `assigner` (when set), else unknown (the event is rejected, as ERB rejects unknown users).
    Course names: `course_names[key]`, `course_names["*"]`, else unknown.
    """

    lms_root_url: str = "http://localhost:18000"
    external_ids: Mapping[str, str] = field(default_factory=dict)
    course_names: Mapping[str, str] = field(default_factory=dict)
    emails: Mapping[str, str] = field(default_factory=dict)
    actor_mode: ActorMode = "account"
    strict_courses: bool = False
    assigner: ActorAssigner | None = None

    def external_id(self, user: int | str) -> str | None:
        """See `Lookups.external_id`."""
        key = user_key(user)
        found = self.external_ids.get(key)
        if found is None:
            found = self.external_ids.get("*")
        if found is None and self.assigner is not None:
            found = self.assigner.assign(user)
        return found

    def email(self, user: int | str) -> str | None:
        """See `Lookups.email`."""
        key = user_key(user)
        return self.emails.get(key) or self.emails.get("*")

    def course_name(self, course_key: str) -> str | None:
        """See `Lookups.course_name`."""
        found = self.course_names.get(course_key)
        if found is None:
            found = self.course_names.get("*")
        return found


def erb_test_lookups() -> StaticLookups:
    """The lookups ERB's own tests use: every learner and course resolves to one fixed value."""
    return StaticLookups(
        lms_root_url="http://localhost:18000",
        external_ids={"*": "32e08e30-f8ae-4ce2-94a8-c2bfe38a70cb"},
        course_names={"*": "Demonstration Course"},
        emails={"*": "edx@example.com"},
    )
