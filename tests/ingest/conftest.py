"""Fixtures for ingest tests (helpers live in ingest_helpers.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from ingest_helpers import load_templates

from learnlake.config import Settings


@pytest.fixture(scope="session")
def templates(shared_dir: Path) -> list[dict[str, Any]]:
    """Template events (about 1,100 real lines)."""
    return load_templates(shared_dir)


@pytest.fixture
def run_ingest() -> Callable[..., Any]:
    """Run one in-process ingest for settings and sources; returns the summary."""
    from learnlake.ingest import ingest_tracking_logs
    from learnlake.state import StateStore

    def _run(settings: Settings, sources: list[str], workers: int = 0) -> Any:
        store = StateStore(settings.state_dir)
        try:
            return ingest_tracking_logs(settings, store, [str(s) for s in sources], workers=workers)
        finally:
            store.close()

    return _run
