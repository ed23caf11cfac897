"""Compute every chart for the default views in the background, so the first visitor is served warm.

Runs when the server starts and again whenever the data changes (a new run in the history); the
results land in the query runner's cache, keyed like any request's query. Warmed, in this order:
the course dashboard (where `/` and `make demo` land) and then every other dashboard for the
operator, by day and by week; then the default view of each stored staff or analyst user, whose
scope makes their queries different from the operator's (at most MAX_USERS of them).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable

from learnlake.serve.auth.scope import LOCAL_OPERATOR, Principal, principal_for
from learnlake.serve.auth.store import UserStore
from learnlake.serve.dashboards.framework import REGISTRY, Dashboard, Filters
from learnlake.serve.dashboards.runner import QueryRunner
from learnlake.serve.dashboards.service import FILTER_OPTIONS, run_query

log = logging.getLogger(__name__)
CHECK_EVERY_S = 30.0
MAX_USERS = 50
WARMED_ROLES = ("org_staff", "course_staff", "analyst")
FIRST = ("course", "operator")  # the landing page first


def dashboards_in_order() -> list[Dashboard]:
    """The course dashboard first (the landing page), then the operator's, then the others."""
    return sorted(REGISTRY.values(), key=lambda d: FIRST.index(d.id) if d.id in FIRST else len(FIRST))


class Prewarmer(threading.Thread):
    """A daemon thread keeping the default views of every dashboard computed."""

    def __init__(self, runner: QueryRunner, users: UserStore | None = None) -> None:
        super().__init__(name="learnlake-prewarm", daemon=True)
        self.runner = runner
        self.users = users
        self.stopped = threading.Event()
        self.idle = threading.Event()
        self._done_version: object = object()

    def staff(self) -> list[Principal]:
        """Stored users whose default views are worth computing ahead (scoped or analysts)."""
        if self.users is None:
            return []
        try:
            users = [u for u in self.users.list() if u.role in WARMED_ROLES][:MAX_USERS]
        except Exception as exc:  # an unreadable user store: warm the operator's views only
            log.debug("prewarm without users: %s", exc)
            return []
        return [principal_for(u, "prewarm") for u in users]

    def _warm(self, principal: Principal, grains: Iterable[str]) -> int:
        count = 0
        try:  # the filter bar of every page
            self.runner.run(*FILTER_OPTIONS.render(principal, Filters()))
        except Exception as exc:
            log.debug("prewarm of the filter options failed: %s", exc)
        for grain in grains:
            filters = Filters.model_validate({"grain": grain})
            for dashboard in dashboards_in_order():
                if not dashboard.allowed(principal):
                    continue
                for chart in dashboard.charts:
                    if chart.query is None or not chart.allowed(principal) or self.stopped.is_set():
                        continue
                    try:
                        run_query(self.runner, chart.query, principal, filters)
                        count += 1
                    except Exception as exc:  # an empty or half-built warehouse: try next time
                        log.debug("prewarm of %s/%s failed: %s", dashboard.id, chart.id, exc)
        return count

    def warm_once(self) -> int:
        """Run the default views' chart queries (operator, then stored staff users); queries run."""
        count = self._warm(LOCAL_OPERATOR, ("day", "week"))
        for principal in self.staff():
            count += self._warm(principal, ("day",))
        return count

    def run(self) -> None:
        while not self.stopped.is_set():
            version = self.runner.data_version()
            if version != self._done_version:
                self.idle.clear()
                n = self.warm_once()
                log.info("prewarmed %d chart queries", n)
                self._done_version = version
            self.idle.set()
            self.stopped.wait(CHECK_EVERY_S)
