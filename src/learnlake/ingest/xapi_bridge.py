"""The seam between ingest and the xAPI transformer (`learnlake.xapi`), which may be absent.

Ingest calls the transformer once per parsed event (no second JSON parse) and derives the parsed
columns Aspects computes in `xapi_events_all_parsed` from each statement. When the transformer is
not installed, ingest still stores the raw events; `learnlake ingest replay` fills xAPI later.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import multiprocessing.util
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson

from learnlake.config import Settings

log = logging.getLogger(__name__)

Outcome = tuple[list[dict[str, Any]], str | None, str | None]
"""(statements, kind, info): kind None = ok; "not_mapped" (info = event name), "skipped" (ERB drops
such events by design, info = reason) or "rejected" (quarantine, info = reason and detail)."""


FLUSH_EVERY = 20_000  # events between writes of new actor assignments (when there are any)


@dataclass
class Transformer:
    """A loaded transformer; `transform` never raises.

    `flush()` writes the external ids assigned so far to learnlake's actor mapping in the lake; it
    also runs every `FLUSH_EVERY` events and when the process exits normally.
    """

    transform: Callable[[dict[str, Any]], Outcome]
    version: str
    flush: Callable[[], int] = lambda: 0


def normalized(event: dict[str, Any]) -> dict[str, Any]:
    """The event shaped as ERB's bulk command feeds events: `data` = parsed payload, `timestamp`.

    A shallow copy when something changes; events already in that shape (`name`, `data`,
    `timestamp`, no `event`: most current LMS events) are returned as they are, uncopied (the
    transformer never changes an event).
    """
    if "event" not in event and "timestamp" in event and event.get("name"):
        return event
    out = dict(event)
    if "event" in out:
        payload = out["event"]
        if isinstance(payload, str):
            with contextlib.suppress(orjson.JSONDecodeError):
                payload = orjson.loads(payload)
        out["data"] = payload
    if "timestamp" not in out and "time" in out:
        out["timestamp"] = out["time"]
    if not out.get("name") and isinstance(out.get("event_type"), str):
        out["name"] = out["event_type"]  # logs written before events had a `name` (before 2017)
    return out


def lookups_for(settings: Settings, xapi: Any) -> Any:
    """Lookups for this site, loaded once: LMS external ids, usernames and course names from the
    lake, learnlake's own actor mapping, `xapi.course_names` (see `learnlake.xapi.lake_lookups`).

    The static fallback (a transformer without that factory) knows the LMS URL and gives learners
    deterministic external ids (UUIDv5 per site and user), so statement ids stay stable.
    """
    factory = getattr(xapi, "lookups_from_settings", None)
    if callable(factory):
        return factory(settings)
    url = settings.site.lms_root_url.rstrip("/")
    return xapi.StaticLookups(
        lms_root_url=url,
        actor_mode=settings.xapi.actor,
        assigner=xapi.ActorAssigner.for_site(url),
    )


def load_transformer(settings: Settings) -> Transformer | None:
    """The xAPI transformer configured for this site, or None when learnlake.xapi is missing."""
    try:
        xapi = importlib.import_module("learnlake.xapi")
        batch = importlib.import_module("learnlake.xapi.batch")
    except ImportError as exc:
        log.info("xAPI transformer not available (%s): storing raw events only", exc)
        return None
    lookups = lookups_for(settings, xapi)
    engine = xapi.XapiTransformer(lookups)
    run = engine.transform
    flush = _flusher(lookups)
    countdown = [FLUSH_EVERY]
    not_mapped_exc = xapi.NotMapped
    rejected_exc = xapi.XapiRejected
    skipped_reasons = frozenset(getattr(batch, "SKIPPED_REASONS", ()))

    mapped = frozenset(xapi.mapped_event_names()) if hasattr(xapi, "mapped_event_names") else None

    def transform(event: dict[str, Any]) -> Outcome:
        name = event.get("name") or event.get("event_type")
        if mapped is not None and type(name) is str and name not in mapped:
            return [], "not_mapped", name  # most events: no copy, no exception
        countdown[0] -= 1
        if countdown[0] <= 0:
            countdown[0] = FLUSH_EVERY
            flush()
        try:
            statements = run(normalized(event))
        except not_mapped_exc as exc:
            return [], "not_mapped", str(exc.name)
        except rejected_exc as exc:
            if exc.reason in skipped_reasons:
                return [], "skipped", exc.reason
            return [], "rejected", f"xAPI {exc.reason}: {exc.detail}"
        except Exception as exc:  # a transformer bug must not stop the run
            return [], "rejected", f"xAPI transform_error: {type(exc).__name__}: {exc}"
        return statements, None, None

    version = str(getattr(xapi, "TRANSFORMER_VERSION", getattr(xapi, "__version__", "")) or "")
    return Transformer(transform, version, flush)


def _flusher(lookups: Any) -> Callable[[], int]:
    """A `flush` of the lookups' new actor assignments that never raises; it also runs when the
    process exits normally (pool workers included) or the lookups are garbage collected."""
    persist = getattr(lookups, "flush", None)
    if not callable(persist):
        return lambda: 0
    flush = _never_raising(persist)
    store = getattr(lookups, "store", None)
    if store is not None and callable(getattr(store, "flush", None)):
        # holds the store, not the lookups, so dropping a transformer releases its lookups
        multiprocessing.util.Finalize(lookups, _never_raising(store.flush), exitpriority=10)
    return flush


def _never_raising(persist: Callable[[], Any]) -> Callable[[], int]:
    def flush() -> int:
        try:
            return int(persist())
        except Exception as exc:  # the lake is unreachable: retried at the next flush
            log.warning("xAPI actor mapping not saved yet: %s: %s", type(exc).__name__, exc)
            return 0

    return flush


def org_of(course_key: str | None) -> str:
    """Org of a course key: course-v1:ORG+…, ccx-v1:ORG+…, or old ORG/COURSE/RUN ('' if none)."""
    if not course_key:
        return ""
    if course_key.startswith(("course-v1:", "ccx-v1:")):
        return course_key.split(":", 1)[1].split("+", 1)[0]
    if "/" in course_key and ":" not in course_key:
        return course_key.split("/", 1)[0]
    return ""


def parsed_columns(stmt: dict[str, Any]) -> tuple[str, str, str, str, str, str]:
    """(actor_id, verb_id, object_id, course_id, course_key, org) as aspects-dbt derives them.

    Done by `learnlake.xapi.columns`, which the native build compiles (a statement exists only
    where the transformer does); imported on first use, as the transformer is.
    """
    return _statement_columns(stmt)


def _import_columns(stmt: dict[str, Any]) -> tuple[str, str, str, str, str, str]:
    """The first call: import the columns function and keep it for the next ones."""
    global _statement_columns
    from learnlake.xapi.columns import statement_columns

    _statement_columns = statement_columns
    return statement_columns(stmt)


_statement_columns: Callable[[dict[str, Any]], tuple[str, str, str, str, str, str]] = _import_columns
