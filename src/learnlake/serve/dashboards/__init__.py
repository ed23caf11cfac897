"""Dashboards: declarative charts over the warehouse (see `framework`), registered on import."""

from __future__ import annotations

from learnlake.serve.dashboards import (
    at_risk,
    comparison,
    course,
    in_context,
    individual_learner,
    insights_engagement,
    insights_enrollment,
    insights_problems,
    insights_video,
    learner,
    operator,
)
from learnlake.serve.dashboards.framework import REGISTRY, Chart, Dashboard, Filters, Query

__all__ = [
    "REGISTRY",
    "Chart",
    "Dashboard",
    "Filters",
    "Query",
    "at_risk",
    "comparison",
    "course",
    "in_context",
    "individual_learner",
    "insights_engagement",
    "insights_enrollment",
    "insights_problems",
    "insights_video",
    "learner",
    "operator",
]
