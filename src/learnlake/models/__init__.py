"""The model layer: SQL models with YAML headers, ordered by their dependencies and materialized.

`spec` reads model files, `graph` orders them, `engines` run them on DuckDB or ClickHouse,
`build` materializes them into the lake, `isolated` runs one model on given files, `docs` documents
them, `stage` adds them to `learnlake run`.
"""

import logging

from learnlake.models.spec import Model, ModelError, Project, load_project

logging.getLogger("sqlglot").setLevel(logging.WARNING)  # its INFO notes are not for users

__all__ = ["Model", "ModelError", "Project", "load_project"]
