"""A small synthetic site generated once per test session (twice, for the determinism test)."""

from __future__ import annotations

from pathlib import Path

import pytest
from synth_helpers import CountingReporter, iter_events, make_site

from learnlake.synth.site import SynthSummary


@pytest.fixture(scope="session")
def site_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, SynthSummary, CountingReporter]:
    """The SMALL site, generated with one worker process."""
    out = tmp_path_factory.mktemp("synth") / "site"
    summary, reporter = make_site(out, workers=1)
    return out, summary, reporter


@pytest.fixture(scope="session")
def site(site_run: tuple[Path, SynthSummary, CountingReporter]) -> Path:
    """Folder of the SMALL site."""
    return site_run[0]


@pytest.fixture(scope="session")
def events(site: Path) -> list[dict]:  # type: ignore[type-arg]
    """Every event of the SMALL site, parsed."""
    return list(iter_events(site))
