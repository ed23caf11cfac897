"""Progress reporting for long commands.

On a terminal a rich progress bar with rate and ETA; otherwise (CI, cron, pipes) one plain log
line every few seconds, so logs show that a long run is alive and how fast it goes.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

log = logging.getLogger("learnlake.progress")


class _RateColumn(ProgressColumn):
    """Units per second, e.g. '18,400 events/s'."""

    def __init__(self, unit: str) -> None:
        super().__init__()
        self.unit = unit

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:,.0f} {self.unit}/s" if speed else f"- {self.unit}/s")


class ProgressReporter(Protocol):
    """What a stage calls to say how far it got."""

    def advance(self, amount: int = 1) -> None:
        """Count `amount` more units of work done."""

    def set_total(self, total: int | None) -> None:
        """Change the expected total (None when unknown)."""


class _Silent:
    def advance(self, amount: int = 1) -> None:
        return None

    def set_total(self, total: int | None) -> None:
        return None


class _RichBar:
    def __init__(self, progress: Progress, task_id: int) -> None:
        self._progress = progress
        self._task = task_id

    def advance(self, amount: int = 1) -> None:
        self._progress.advance(self._task, amount)  # type: ignore[arg-type]

    def set_total(self, total: int | None) -> None:
        self._progress.update(self._task, total=total)  # type: ignore[arg-type]


class _PlainLines:
    def __init__(self, label: str, unit: str, total: int | None, every_s: float) -> None:
        self.label, self.unit, self.total, self.every_s = label, unit, total, every_s
        self.done = 0
        self.started = time.monotonic()
        self._last = self.started

    def advance(self, amount: int = 1) -> None:
        self.done += amount
        now = time.monotonic()
        if now - self._last >= self.every_s:
            self._last = now
            self.emit(now)

    def set_total(self, total: int | None) -> None:
        self.total = total

    def emit(self, now: float) -> None:
        elapsed = max(now - self.started, 1e-9)
        rate = self.done / elapsed
        if self.total:
            eta = (self.total - self.done) / rate if rate > 0 else float("inf")
            log.info(
                "%s: %d/%d %s (%.0f%%), %.0f %s/s, eta %.0fs",
                self.label,
                self.done,
                self.total,
                self.unit,
                100 * self.done / self.total,
                rate,
                self.unit,
                eta,
            )
        else:
            log.info("%s: %d %s, %.0f %s/s", self.label, self.done, self.unit, rate, self.unit)


_enabled = True


def set_enabled(enabled: bool) -> None:
    """Turn progress output off (for -q and --json)."""
    global _enabled
    _enabled = enabled


@contextmanager
def progress(
    label: str, total: int | None = None, unit: str = "items", every_s: float = 5.0
) -> Iterator[ProgressReporter]:
    """Report progress of one piece of work: a bar on a TTY, periodic log lines elsewhere."""
    if not _enabled:
        yield _Silent()
        return
    if sys.stderr.isatty():
        columns = (
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            TaskProgressColumn(),
            MofNCompleteColumn(),
            _RateColumn(unit),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
        )
        with Progress(*columns, console=Console(stderr=True), transient=False) as bar:
            task_id = bar.add_task(label, total=total)
            yield _RichBar(bar, task_id)
        return
    plain = _PlainLines(label, unit, total, every_s)
    try:
        yield plain
    finally:
        plain.emit(time.monotonic())
