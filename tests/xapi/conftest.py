"""Fixtures of the xAPI tests."""

from __future__ import annotations

import pytest

from learnlake.xapi import StaticLookups, erb_test_lookups


@pytest.fixture
def lookups() -> StaticLookups:
    """The lookups ERB's tests use: one external id, one course name, LMS at localhost:18000."""
    return erb_test_lookups()
