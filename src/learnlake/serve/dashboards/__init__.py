"""Dashboards: declarative charts over the warehouse (see `framework`), registered on import."""

from __future__ import annotations

from learnlake.serve.dashboards import course, learner, operator
from learnlake.serve.dashboards.framework import REGISTRY, Chart, Dashboard, Filters, Query

__all__ = ["REGISTRY", "Chart", "Dashboard", "Filters", "Query", "course", "learner", "operator"]
