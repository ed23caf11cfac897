"""Event name → transform function. Adding an event is adding a small function with `@register`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from learnlake.xapi.common import Env, Statement

Transform = Callable[[dict[str, Any], Env], list[Statement]]

REGISTRY: dict[str, Transform] = {}


def register(*names: str) -> Callable[[Transform], Transform]:
    """Decorator: map these tracking event names to the decorated transform."""

    def add(fn: Transform) -> Transform:
        for name in names:
            if name in REGISTRY:
                raise ValueError(f"event {name!r} is already mapped by {REGISTRY[name].__name__}")
            REGISTRY[name] = fn
        return fn

    return add


def mapped_event_names() -> list[str]:
    """Every tracking event name with an xAPI mapping (the 65 of ERB's registry)."""
    from learnlake.xapi import transform  # noqa: F401 - imports every family, registering it

    return sorted(REGISTRY)
