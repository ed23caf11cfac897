"""Why an event gives no statement: a short machine-readable reason plus a human detail."""

from __future__ import annotations

import reprlib

_repr = reprlib.Repr()
_repr.maxstring = 80
_repr.maxother = 80
_repr.maxlevel = 3


def brief(value: object) -> str:
    """A short, bounded repr of a value taken from an event (for rejection details)."""
    return _repr.repr(value)


class XapiRejected(Exception):
    """The event cannot become a statement (ERB rejects it too, or it fails to transform).

    `reason` is a stable code for counting and quarantine tables (e.g. ``anonymous_user``,
    ``missing_field``, ``invalid_timestamp``); `detail` says what exactly was wrong.
    """

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


class NotMapped(XapiRejected):
    """The event name has no xAPI form (most tracking events): counted, not an error."""

    def __init__(self, name: object) -> None:
        super().__init__("not_mapped", f"event {brief(name)} has no xAPI mapping")
        self.name = name


def missing(key: str, event_name: object) -> XapiRejected:
    """The rejection for a required field that is absent or empty (ERB: 'Could not get value')."""
    return XapiRejected("missing_field", f"required field {key!r} is missing or empty in {brief(event_name)}")
