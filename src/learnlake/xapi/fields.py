"""Reading fields from a tracking event with ERB's exact lookup rules.

ERB reads `a.b` as a path from the top and a bare `x` as "first `x` anywhere": the top level first,
then nested dicts depth-first in insertion order. `None`, "", [] and {} count as missing, 0 and False
do not. Which rule a field uses changes the output for real events, so each transform says which.
"""

from __future__ import annotations

from typing import Any

EMPTY: dict[str, Any] = {}


def norm(value: Any) -> Any:
    """ERB's emptiness rule: falsy values other than 0/False become None."""
    if value != 0 and not value:
        return None
    return value


def _find(node: dict[str, Any], key: str) -> Any:
    if key in node:
        return node[key]
    for value in node.values():
        if type(value) is dict and value:  # an empty dict holds nothing
            found = _find(value, key)
            if found is not None:
                return found
    return None


def find(event: dict[str, Any], key: str) -> Any:
    """First value of `key` anywhere in the event, normalized (ERB's `get_data("key")`).

    The first level below the top (usually `context`, where most keys are) is looked at here,
    saving a call per lookup; deeper levels go through `_find`.
    """
    if key in event:
        value = event[key]
    else:
        value = None
        for child in event.values():
            if type(child) is dict and child:
                value = child[key] if key in child else _find(child, key)
                if value is not None:
                    break
    if value != 0 and not value:
        return None
    return value


def sub(event: dict[str, Any], key: str) -> dict[str, Any]:
    """`event[key]` when it is a dict, else an empty dict: the first step of a dotted path."""
    value = event.get(key)
    return value if type(value) is dict else EMPTY


def path(event: dict[str, Any], *keys: str) -> Any:
    """Value at a dotted path, normalized (ERB's `get_data("a.b.c")`); None when any step is absent."""
    node: Any = event
    for key in keys:
        if type(node) is not dict:
            return None
        node = node.get(key)
    if node != 0 and not node:
        return None
    return node


class Finder:
    """`find` with a per-event memo, for transforms that read many fields anywhere (problems)."""

    __slots__ = ("event", "memo")

    def __init__(self, event: dict[str, Any]) -> None:
        self.event = event
        self.memo: dict[str, Any] = {}

    def __call__(self, key: str) -> Any:
        memo = self.memo
        if key in memo:
            return memo[key]
        value = memo[key] = find(self.event, key)
        return value
