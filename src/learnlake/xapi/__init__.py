"""Open edX tracking events → xAPI statements, identical to event-routing-backends' and much faster.

- `transform_event(event, lookups)`: one event (dict) → list of statements (dicts); raises
  `NotMapped` / `XapiRejected` with a reason.
- `transform_lines(lines, lookups, source)`: raw log lines → `XapiBatch` (Arrow statements table
  in Aspects' columns + quarantine records), streaming in bounded batches.
- `transform_files(paths, lookups, workers=None)` / `XapiPool`: log files → `XapiBatch`es on every
  CPU, each worker process reading its own byte ranges and returning Arrow IPC.
- `StaticLookups`, `ActorAssigner`, `Lookups`: LMS URL, learner external ids, course names.
- `validate_statement(statement)`: xAPI 1.0.3 checks.
- `lookups_from_settings(settings)`: a site's lookups from the lake (LMS tables, course overviews).
"""

from typing import Any

# first: chooses the compiled transform modules when a fresh mypyc build exists (see native.py)
from learnlake.xapi import native  # noqa: F401
from learnlake.xapi.batch import (
    QUARANTINE_SCHEMA,
    STATEMENT_SCHEMA,
    QuarantineRecord,
    XapiBatch,
    parse_line,
    transform_lines,
)
from learnlake.xapi.constants import TRANSFORMER_VERSION
from learnlake.xapi.errors import NotMapped, XapiRejected
from learnlake.xapi.lookups import ActorAssigner, ActorMode, Lookups, StaticLookups, erb_test_lookups
from learnlake.xapi.parallel import XapiPool, transform_files
from learnlake.xapi.registry import REGISTRY, mapped_event_names, register
from learnlake.xapi.transform import XapiTransformer, transform_event, transformer_for
from learnlake.xapi.validate import validate_statement


def lookups_from_settings(settings: Any, *, with_store: bool = True) -> Any:
    """Lookups of the configured site from the lake (see `learnlake.xapi.lake_lookups`)."""
    from learnlake.xapi.lake_lookups import lookups_from_settings as load

    return load(settings, with_store=with_store)


__all__ = [
    "QUARANTINE_SCHEMA",
    "REGISTRY",
    "STATEMENT_SCHEMA",
    "TRANSFORMER_VERSION",
    "ActorAssigner",
    "ActorMode",
    "Lookups",
    "NotMapped",
    "QuarantineRecord",
    "StaticLookups",
    "XapiBatch",
    "XapiPool",
    "XapiRejected",
    "XapiTransformer",
    "erb_test_lookups",
    "lookups_from_settings",
    "mapped_event_names",
    "parse_line",
    "register",
    "transform_event",
    "transform_files",
    "transform_lines",
    "transformer_for",
    "validate_statement",
]
