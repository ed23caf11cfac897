"""Who is asking and what they may see, turned into bound SQL predicates.

A scope never becomes SQL text with values in it: it adds `column IN ($s_org_0, …)` style
predicates whose values are bound parameters, on the columns a query declares for org, course
key and actor. A query that lacks a column the scope restricts on returns nothing (`FALSE`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from learnlake.serve.auth.store import User

ALL_ROLES = frozenset({"operator", "org_staff", "course_staff", "analyst", "learner", "embed"})


@dataclass(frozen=True)
class Columns:
    """The column expressions one query slot filters on (None: the source has no such column)."""

    org: str | None = "org"
    course: str | None = "course_key"
    actor: str | None = "actor_id"
    time: str | None = "emission_time"
    lms: str | None = "lms"
    block: str | None = None
    # for course averages shown to a learner: instead of the learner's own rows, the rows of
    # every course the learner has events in (only aggregates may be selected from such a slot)
    peers: bool = False
    # the time column holds whole days (a daily model): a finer time grain cannot be drawn from it
    time_grain: str | None = None
    # the model's measures are distinct counts per time_grain unit: they do not add up to coarser
    # periods either (learners active on Monday and on Tuesday are not two learners that week)
    grain_only: bool = False
    # the tag filter applies to this slot: its course column must name a course with that tag
    tags: bool = False


# columns that name one learner: a result or table with one of them holds rows about single learners
LEARNER_COLUMNS = frozenset({"actor_id", "username", "email", "user_id", "external_user_id"})
PEER_COURSES = "SELECT DISTINCT course_key FROM xapi_events_all_parsed WHERE actor_id = $s_actor_0"


@dataclass(frozen=True)
class Scope:
    """The rows a principal may read: None means unrestricted on that dimension."""

    orgs: tuple[str, ...] | None = None
    courses: tuple[str, ...] | None = None
    actor: str | None = None
    block: str | None = None

    @property
    def unrestricted(self) -> bool:
        """True when nothing is filtered."""
        return self.orgs is None and self.courses is None and self.actor is None and self.block is None

    def allows_course(self, org: str, course_key: str) -> bool:
        """Whether one course is visible (used to check filter values and embed requests)."""
        if self.orgs is not None and org not in self.orgs:
            return False
        return self.courses is None or course_key in self.courses

    def predicates(self, cols: Columns) -> tuple[list[str], dict[str, Any]]:
        """SQL predicates (with $-named placeholders) and their bound values."""
        preds: list[str] = []
        params: dict[str, Any] = {}
        for name, values, col in (
            ("s_org", self.orgs, cols.org),
            ("s_course", self.courses, cols.course),
            ("s_actor", None if self.actor is None else (self.actor,), cols.actor),
            ("s_block", None if self.block is None else (self.block,), cols.block),
        ):
            if values is None:
                continue
            if name == "s_actor" and cols.peers and cols.course:
                preds.append(f"{cols.course} IN ({PEER_COURSES})")
                params["s_actor_0"] = values[0]
                continue
            if col is None or not values:
                preds.append("FALSE")
                continue
            names = [f"{name}_{i}" for i in range(len(values))]
            preds.append(f"{col} IN ({', '.join('$' + n for n in names)})")
            params.update(zip(names, values, strict=True))
        return preds, params


@dataclass(frozen=True)
class Principal:
    """An authenticated caller: a user, an API token's user, an embed token or the local operator."""

    name: str
    role: str
    scope: Scope = field(default_factory=Scope)
    pii: bool = False
    via: str = "session"  # session | token | embed | local

    @property
    def is_operator(self) -> bool:
        """Operators see everything, including the pipeline's own tables."""
        return self.role == "operator"

    @property
    def sees_learners(self) -> bool:
        """Whether rows about single learners may be shown.

        Analysts get aggregates everywhere, but rows about one learner (and personal data) only
        with the personal-data grant (`learnlake users grant NAME --pii`); other roles see the
        learners of their scope.
        """
        return self.role != "analyst" or self.pii


def principal_for(user: User, via: str) -> Principal:
    """The principal of a stored user: their role's scope and PII grant."""
    if user.role in ("operator", "analyst"):
        scope = Scope()
    elif user.role == "org_staff":
        scope = Scope(orgs=tuple(user.orgs))
    elif user.role == "course_staff":
        scope = Scope(courses=tuple(user.courses))
    else:  # learner: their own rows only
        scope = Scope(actor=user.actor_id or "")
    pii = user.role == "operator" or (user.pii and user.role != "learner")
    return Principal(name=user.name, role=user.role, scope=scope, pii=pii, via=via)


LOCAL_OPERATOR = Principal(name="local", role="operator", via="local", pii=True)
