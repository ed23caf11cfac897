"""Shared bits of the xAPI tests: the conformance folder and comparison rules."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from learnlake import __version__

CONFORMANCE = Path(__file__).resolve().parents[2].parent / "shared" / "conformance" / "xapi"
SPEC = Path(__file__).resolve().parents[2].parent / "shared" / "specs" / "xapi-mapping.md"
VERSION_KEY = "https://w3id.org/xapi/openedx/extension/transformer-version"
OURS = f"learnlake@{__version__}"


def raw_names() -> list[str]:
    """Names (file stems) of the raw conformance events."""
    return sorted(p.name[: -len(".json")] for p in (CONFORMANCE / "raw").glob("*.json"))


def load_raw(name: str) -> dict[str, Any]:
    """A raw tracking event of the conformance folder."""
    return json.loads((CONFORMANCE / "raw" / f"{name}.json").read_text(encoding="utf-8"))


def load_expected(name: str) -> list[dict[str, Any]] | None:
    """ERB's statements for an event (always as a list), None when there is no expected file."""
    path = CONFORMANCE / "expected" / f"{name}.json"
    if not path.is_file():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    return data if isinstance(data, list) else [data]


def neutral_version(statement: dict[str, Any], expect: str | None = None) -> dict[str, Any]:
    """A deep copy with the transformer-version extension blanked (after checking it if asked)."""
    copy = json.loads(json.dumps(statement))
    ext = copy.get("context", {}).get("extensions", {})
    if expect is not None:
        assert ext.get(VERSION_KEY) == expect
    if VERSION_KEY in ext:
        ext[VERSION_KEY] = "<version>"
    return copy
