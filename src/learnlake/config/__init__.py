"""Settings: one YAML file plus LEARNLAKE_* environment overrides, validated with pydantic."""

from learnlake.config.loader import ConfigError, load_settings
from learnlake.config.settings import Settings

__all__ = ["ConfigError", "Settings", "load_settings"]
