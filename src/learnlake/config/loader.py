"""Reading settings: one YAML file, then LEARNLAKE_* environment overrides, then validation.

A mistake must be easy to fix, so every error names where the bad value came from: the file and
line of a YAML key, or the environment variable that set it.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError

from learnlake.config.panorama import is_panorama_settings, panorama_to_learnlake
from learnlake.config.settings import Settings

ENV_PREFIX = "LEARNLAKE_"
DEFAULT_FILE = "learnlake.yaml"
# LEARNLAKE_* variables that are not settings keys.
NON_SETTING_ENV = {"CONFIG", "DEMO_COURSE"}
PATH_KEYS = {("data_dir",), ("warehouse", "duckdb_path")}


class ConfigError(Exception):
    """Invalid configuration; the message is one line per problem, each naming where it is."""


@dataclass
class _Origins:
    """Where each key path's value came from, for error messages."""

    file: str | None = None
    lines: dict[tuple[Any, ...], int] = field(default_factory=dict)
    env: dict[tuple[Any, ...], str] = field(default_factory=dict)

    def describe(self, loc: tuple[Any, ...]) -> str:
        for n in range(len(loc), 0, -1):
            prefix = loc[:n]
            if prefix in self.env:
                return f"environment {self.env[prefix]}"
            if prefix in self.lines and self.file:
                return f"{self.file}:{self.lines[prefix]}"
        return self.file or "settings"


def load_settings(path: str | Path | None = None, env: Mapping[str, str] | None = None) -> Settings:
    """Load, override from the environment and validate the settings.

    `path` None means $LEARNLAKE_CONFIG, else ./learnlake.yaml if it exists, else all defaults.
    Relative paths inside a file are relative to that file's folder.
    """
    env = os.environ if env is None else env
    if path is None:
        path = env.get(ENV_PREFIX + "CONFIG") or (DEFAULT_FILE if Path(DEFAULT_FILE).exists() else None)
    origins = _Origins()
    data: dict[str, Any] = {}
    base_dir = Path.cwd()
    if path is not None:
        file = Path(path)
        origins.file = str(file)
        base_dir = file.resolve().parent
        data = _read_yaml(file, origins)
    _apply_env(data, env, origins)
    try:
        settings = Settings.model_validate(data)
    except ValidationError as exc:
        raise ConfigError("\n".join(_format_error(err, origins) for err in exc.errors())) from None
    return _resolve_paths(settings, base_dir)


def _read_yaml(file: Path, origins: _Origins) -> dict[str, Any]:
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{file}: configuration file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{file}: cannot read: {exc}") from None
    try:
        doc = YAML(typ="rt").load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = f":{mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{file}{line}: invalid YAML: {exc.problem}") from None
    if doc is None:
        return {}
    if not isinstance(doc, CommentedMap):
        raise ConfigError(f"{file}:1: the file must be a mapping of settings sections")
    if is_panorama_settings(doc):
        return panorama_to_learnlake(_plain(doc), str(file))
    _record_lines(doc, (), origins)
    return _plain(doc)


def _record_lines(node: Any, loc: tuple[Any, ...], origins: _Origins) -> None:
    if isinstance(node, CommentedMap):
        for key, value in node.items():
            origins.lines[(*loc, key)] = node.lc.key(key)[0] + 1
            _record_lines(value, (*loc, key), origins)
    elif isinstance(node, CommentedSeq):
        for index, value in enumerate(node):
            origins.lines[(*loc, index)] = node.lc.item(index)[0] + 1
            _record_lines(value, (*loc, index), origins)


def _plain(node: Any) -> Any:
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    return node


def _apply_env(data: dict[str, Any], env: Mapping[str, str], origins: _Origins) -> None:
    """Apply LEARNLAKE_<SECTION>__<KEY>[_FILE] variables on top of the file's values."""
    scalar = YAML(typ="safe")
    for name in sorted(env):
        if not name.startswith(ENV_PREFIX):
            continue
        suffix = name[len(ENV_PREFIX) :]
        from_file = suffix.endswith("_FILE") and suffix not in NON_SETTING_ENV
        key = suffix[: -len("_FILE")] if from_file else suffix
        if key in NON_SETTING_ENV or ("__" not in key and key.lower() not in Settings.model_fields):
            continue
        loc = tuple(part.lower() for part in key.split("__"))
        if from_file:
            try:
                value: Any = Path(env[name]).read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise ConfigError(f"environment {name}: cannot read secret file: {exc}") from None
        else:
            value = _env_value(scalar, env[name])
            if isinstance(value, dict):
                value = env[name]
        target = data
        for part in loc[:-1]:
            child = target.get(part)
            if not isinstance(child, dict):
                child = {}
                target[part] = child
            target = child
        target[loc[-1]] = value
        origins.env[loc] = name


def _env_value(scalar: YAML, text: str) -> Any:
    """An environment value as YAML (numbers, booleans, [a, b] lists); URLs inside lists allowed."""
    if not text:
        return None
    try:
        return scalar.load(text)
    except MarkedYAMLError:
        stripped = text.strip()
        if stripped.startswith("[") and stripped.endswith("]"):
            return [item.strip().strip("'\"") for item in stripped[1:-1].split(",") if item.strip()]
        return text


def _format_error(err: Any, origins: _Origins) -> str:
    loc = tuple(err["loc"])
    where = origins.describe(loc)
    key = ".".join(str(p) for p in loc)
    if err["type"] == "extra_forbidden":
        hint = _suggest(loc)
        return f"{where}: {key}: unknown key{hint}"
    return f"{where}: {key}: {err['msg']} (got {err.get('input')!r})"


def _suggest(loc: tuple[Any, ...]) -> str:
    """'did you mean' for a misspelt key, looking up the model at that depth."""
    model: Any = Settings
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        info = getattr(model, "model_fields", {}).get(part)
        if info is None:
            return ""
        model = _inner_model(info.annotation)
    names = list(getattr(model, "model_fields", {}))
    close = difflib.get_close_matches(str(loc[-1]), names, n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _inner_model(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def _resolve_paths(settings: Settings, base_dir: Path) -> Settings:
    data_dir = settings.data_dir if settings.data_dir.is_absolute() else base_dir / settings.data_dir
    settings.data_dir = data_dir
    duck = settings.warehouse.duckdb_path
    if duck is not None and not duck.is_absolute():
        settings.warehouse.duckdb_path = base_dir / duck
    root = settings.lake.root
    if root and "://" not in root and not Path(root).is_absolute():
        settings.lake.root = str(base_dir / root)
    settings.tracking_logs.paths = [
        p if "://" in p or Path(p).is_absolute() else str(base_dir / p) for p in settings.tracking_logs.paths
    ]
    for source in settings.extract.datasources:
        if source.location and "://" not in source.location and not Path(source.location).is_absolute():
            source.location = str(base_dir / source.location)
        if source.url and source.url.startswith("sqlite:///") and not source.url.startswith("sqlite:////"):
            source.url = f"sqlite:///{base_dir / source.url[len('sqlite:///') :]}"  # relative to the file
    return settings
