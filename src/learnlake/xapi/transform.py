"""One tracking event → its xAPI statements: the pure, per-event entry point."""

from __future__ import annotations

from typing import Any

# importing the families registers their transforms
from learnlake.xapi import (  # noqa: F401
    completion,
    enrollment,
    exam,
    forum,
    grading,
    navigation,
    problem,
    video,
)
from learnlake.xapi.common import Env, Statement
from learnlake.xapi.errors import NotMapped, XapiRejected
from learnlake.xapi.lookups import Lookups
from learnlake.xapi.registry import REGISTRY


class XapiTransformer:
    """Transforms events with one set of lookups; keeps per-learner and per-course caches.

    Use one per run (or per worker): lookups are read once per learner and course, so later
    changes to the lookups are not seen by an existing transformer.
    """

    def __init__(self, lookups: Lookups) -> None:
        self.lookups = lookups
        self.env = Env(lookups)

    def transform(self, event: Any) -> list[Statement]:
        """Statements for one event (parent first for multi-question checks).

        Raises `NotMapped` for events without an xAPI form and `XapiRejected` (with a reason code)
        for events that cannot be transformed; never any other exception.
        """
        if type(event) is not dict:
            raise XapiRejected("invalid_event", f"event is a {type(event).__name__}, not an object")
        name = event.get("name")
        if type(name) is not str:
            if name is None:
                raise XapiRejected("missing_field", "event has no name")
            raise XapiRejected("invalid_event", f"event name is a {type(name).__name__}, not a string")
        fn = REGISTRY.get(name)
        if fn is None:
            if not name:
                raise XapiRejected("missing_field", "event has no name")
            raise NotMapped(name)
        try:
            return fn(event, self.env)
        except XapiRejected:
            raise
        except RecursionError:
            raise XapiRejected("invalid_event", "event is nested too deeply") from None
        except Exception as exc:  # a malformed field: wrong type, out of range, …
            raise XapiRejected("transform_error", f"{type(exc).__name__}: {exc}"[:500]) from exc


_last: XapiTransformer | None = None


def transformer_for(lookups: Lookups) -> XapiTransformer:
    """The transformer of these lookups (the last one is kept, so repeated calls stay cheap)."""
    global _last
    last = _last
    if last is None or last.lookups is not lookups:
        last = _last = XapiTransformer(lookups)
    return last


def transform_event(event: Any, lookups: Lookups) -> list[Statement]:
    """Transform one tracking event (dict) into its xAPI statements, exactly as ERB's `transform()`.

    Raises `NotMapped` when the event has no xAPI form (not an error: most tracking events don't),
    and `XapiRejected` with a reason (`anonymous_user`, `missing_field`, `invalid_timestamp`, …) when
    ERB would reject the event or it cannot be transformed. Statements share cached sub-objects:
    treat them as read-only.
    """
    return transformer_for(lookups).transform(event)
