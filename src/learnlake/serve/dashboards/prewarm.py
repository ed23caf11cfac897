"""Compute every chart for the default view in the background, so the first visitor is served warm.

Runs when the server starts and again whenever the data changes (a new run in the history); the
results land in the query runner's cache, keyed like any request's query.
"""

from __future__ import annotations

import logging
import threading

from learnlake.serve.auth.scope import LOCAL_OPERATOR
from learnlake.serve.dashboards.framework import REGISTRY, Filters
from learnlake.serve.dashboards.runner import QueryRunner
from learnlake.serve.dashboards.service import run_query

log = logging.getLogger(__name__)
CHECK_EVERY_S = 30.0


class Prewarmer(threading.Thread):
    """A daemon thread keeping the default views of every dashboard computed."""

    def __init__(self, runner: QueryRunner) -> None:
        super().__init__(name="learnlake-prewarm", daemon=True)
        self.runner = runner
        self.stopped = threading.Event()
        self.idle = threading.Event()
        self._done_version: object = object()

    def warm_once(self) -> int:
        """Run every chart query of every dashboard for an unrestricted caller; queries run."""
        count = 0
        for grain in ("day", "week"):
            filters = Filters(grain=grain)
            for dashboard in REGISTRY.values():
                for chart in dashboard.charts:
                    if chart.query is None or self.stopped.is_set():
                        continue
                    try:
                        run_query(self.runner, chart.query, LOCAL_OPERATOR, filters)
                        count += 1
                    except Exception as exc:  # an empty or half-built warehouse: try next time
                        log.debug("prewarm of %s/%s failed: %s", dashboard.id, chart.id, exc)
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
