"""Dashboards as data: a dashboard is a list of charts, a chart a named query plus an option builder.

A query's SQL names its filter slots as `{where}` (or any `{slot}` declared in `slots`), each slot
with the columns it filters on. At run time each slot becomes the AND of the caller's scope and the
URL filters as predicates with `$name` placeholders; values are always bound, never formatted into
the SQL. A chart whose data does not come from SQL (the run history) gives a Python function.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

from learnlake.config import Settings
from learnlake.serve.auth.scope import Columns, Principal

Grain = Literal["hour", "day", "week", "month"]
Kind = Literal["number", "line", "area", "bar", "pie", "table"]
_PARAM = re.compile(r"\$([a-z_][a-z0-9_]*)")
_KEY = r"^[A-Za-z0-9:+._@-]{1,200}$"
# a learner filter that is not an actor id (UUID or mailto:) is also looked up as a username
_ACTOR_ID = re.compile(r"^([0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}|mailto:.+)$", re.IGNORECASE)
LEARNER_BY_USERNAME = "SELECT external_user_id FROM dim_user_pii WHERE username = $f_learner"
_TAG = r"^\w[\w .,:+&()/'’-]{0,199}$"  # tag values are free text (always bound, never formatted)
# courses with a tag, or with a tag below it (lineage is the JSON list of the tag's ancestors' values)
TAGGED_COURSES = (
    "SELECT course_key FROM dim_most_recent_course_tags "
    "WHERE tag = $f_tag OR contains(lineage, CAST(to_json($f_tag) AS VARCHAR))"
)


class Filters(BaseModel):
    """Dashboard filters, all from the URL so a view can be shared."""

    org: str | None = Field(None, description="Organization (the course key's org).", pattern=_KEY)
    course: str | None = Field(None, description="Course key, e.g. course-v1:Org+Course+Run.", pattern=_KEY)
    run: str | None = Field(None, description="Course run (last part of the course key).", pattern=_KEY)
    start: dt.date | None = Field(None, description="First day (UTC), inclusive.")
    end: dt.date | None = Field(None, description="Last day (UTC), inclusive.")
    grain: Grain = Field("day", description="Time grain of the time series.")
    site: str | None = Field(None, description="LMS site (the lake's lms partition).", pattern=_KEY)
    learner: str | None = Field(
        None,
        description="One learner: their xAPI actor id, or their username for callers shown personal data.",
        pattern=_KEY,
    )
    tag: str | None = Field(None, description="Course tag (or a parent tag in its taxonomy).", pattern=_TAG)
    block: str | None = Field(None, description="Usage key of one block (in-context views).", pattern=_KEY)

    @field_validator("start", "end")
    @classmethod
    def _sane_date(cls, value: dt.date | None) -> dt.date | None:
        if value is not None and not (dt.date(1970, 1, 1) <= value <= dt.date(2200, 1, 1)):
            raise ValueError("date out of range (1970-01-01 .. 2200-01-01)")
        return value

    def predicates(self, cols: Columns, usernames: bool = False) -> tuple[list[str], dict[str, Any]]:
        """Predicates of the set filters on the slot's columns (filters on absent columns are ignored).

        `usernames`: the learner filter may name a username (only for callers shown personal data).
        """
        preds: list[str] = []
        params: dict[str, Any] = {}
        if self.org and cols.org:
            preds.append(f"{cols.org} = $f_org")
            params["f_org"] = self.org
        if self.course and cols.course:
            preds.append(f"{cols.course} = $f_course")
            params["f_course"] = self.course
        if self.run and cols.course:
            preds.append(f"split_part({cols.course}, '+', 3) = $f_run")
            params["f_run"] = self.run
        if self.tag and cols.tags and cols.course:
            preds.append(f"{cols.course} IN ({TAGGED_COURSES})")
            params["f_tag"] = self.tag
        if self.block and cols.block:
            preds.append(f"{cols.block} = $f_block")
            params["f_block"] = self.block
        if self.learner and cols.actor and not cols.peers:
            match = f"{cols.actor} = $f_learner"
            if usernames and not _ACTOR_ID.match(self.learner):
                match = f"({match} OR {cols.actor} IN ({LEARNER_BY_USERNAME}))"
            preds.append(match)
            params["f_learner"] = self.learner
        if self.site and cols.lms:
            preds.append(f"{cols.lms} = $f_site")
            params["f_site"] = self.site
        if self.start and cols.time:
            preds.append(f"{cols.time} >= $f_start")
            params["f_start"] = dt.datetime.combine(self.start, dt.time(), dt.UTC)
        if self.end and cols.time:
            preds.append(f"{cols.time} < $f_end")
            params["f_end"] = dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time(), dt.UTC)
        return preds, params

    def query_string(self) -> dict[str, str]:
        """The set filters as URL parameters."""
        return {k: str(v) for k, v in self.model_dump(exclude_none=True).items()}


@dataclass(frozen=True)
class Query:
    """SQL with filter slots; `slots` maps each slot name to the columns it filters on."""

    sql: str
    slots: dict[str, Columns] = field(default_factory=lambda: {"where": Columns()})
    # the same rows computed another way, used when a table this query reads does not exist
    # (a model not built yet on this installation)
    fallback: Query | None = None

    def render(self, principal: Principal, filters: Filters) -> tuple[str, dict[str, Any]]:
        """The SQL with every slot filled and the bound parameters it uses."""
        params: dict[str, Any] = {"grain": filters.grain, "now": dt.datetime.now(dt.UTC)}
        filled: dict[str, str] = {}
        for slot, cols in self.slots.items():
            scope_preds, scope_params = principal.scope.predicates(cols)
            filter_preds, filter_params = filters.predicates(cols, usernames=principal.pii)
            if filters.learner and not principal.sees_learners:
                filter_preds.append("FALSE")  # naming one learner is per-learner data: nothing
            preds = scope_preds + filter_preds
            filled[slot] = "(" + " AND ".join(preds) + ")" if preds else "TRUE"
            params.update(scope_params)
            params.update(filter_params)
        sql = self.sql.format(**filled)
        used = set(_PARAM.findall(sql))
        return sql, {k: v for k, v in params.items() if k in used}


DataFn = Callable[[Settings, Principal, Filters], list[dict[str, Any]]]


@dataclass(frozen=True)
class Chart:
    """One chart: where its rows come from and how they are drawn."""

    id: str
    title: str  # marked with N_(), translated when shown
    kind: Kind
    query: Query | None = None
    data: DataFn | None = None
    x: str | None = None  # category / time column
    y: tuple[str, ...] = ()  # measure columns
    series: str | None = None  # column whose values become separate series
    labels: dict[str, str] = field(default_factory=dict)  # column -> title (N_ marked)
    roles: frozenset[str] | None = None  # None: every role allowed on the dashboard
    pii_columns: tuple[str, ...] = ()  # hidden unless the caller may see personal data
    per_learner: bool = False  # one row per learner: analysts need the personal-data grant
    cumulative: bool = False
    width: int = 1  # grid columns (1 or 2)
    description: str = ""

    def allowed(self, principal: Principal) -> bool:
        """Whether this principal may see the chart at all (rows about learners: see sees_learners)."""
        if self.roles is not None and principal.role not in self.roles:
            return False
        return principal.sees_learners or not (self.per_learner or self.pii_columns)


@dataclass(frozen=True)
class Dashboard:
    """A page of charts with its filters."""

    id: str
    title: str
    charts: tuple[Chart, ...]
    roles: frozenset[str]
    filters: tuple[str, ...] = ("org", "course", "run", "start", "end", "grain", "site")
    description: str = ""

    def chart(self, chart_id: str) -> Chart | None:
        """A chart by id."""
        return next((c for c in self.charts if c.id == chart_id), None)

    def allowed(self, principal: Principal) -> bool:
        """Whether this principal may open the dashboard."""
        return principal.role in self.roles


def labelled(charts: tuple[Chart, ...], labels: dict[str, str]) -> tuple[Chart, ...]:
    """The charts with a dashboard's shared column labels added under their own."""
    return tuple(type(c)(**{**c.__dict__, "labels": {**labels, **c.labels}}) for c in charts)


REGISTRY: dict[str, Dashboard] = {}


def register(dashboard: Dashboard) -> Dashboard:
    """Add a dashboard to the app (ids must be unique)."""
    if dashboard.id in REGISTRY and REGISTRY[dashboard.id] is not dashboard:
        raise ValueError(f"dashboard {dashboard.id!r} registered twice")
    REGISTRY[dashboard.id] = dashboard
    return dashboard
