"""Model files: one SQL model per file, with a YAML header saying what a row means.

A model is `<group>/<name>.sql`; its header is a leading block comment holding YAML between
`/* ---` and `--- */` (description, grain, materialization, partition_by, unique_key, columns). A model
that outputs another model's columns says `columns_from: {model: NAME, exclude: [...]}` instead of
repeating them (its own `columns`, if any, follow the inherited ones). An
optional `<name>.clickhouse.sql` next to it replaces the transpiled SQL on ClickHouse. Everything a
reader needs to trust a number lives in the header, so `learnlake models docs` is generated from it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from io import StringIO
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from ruamel.yaml import YAML, YAMLError

SHIPPED_DIR = Path(__file__).parent / "sql"
HEADER_RE = re.compile(r"\A\s*/\*\s*---[ \t]*\n(?P<yaml>.*?)\n[ \t]*---\s*\*/", re.DOTALL)
NAME_RE = re.compile(r"^[a-z_][a-z0-9_]*$")


class ModelError(Exception):
    """A model that cannot be read or built; names the file and, when known, the line."""

    def __init__(self, path: Path | str, message: str, line: int | None = None) -> None:
        self.path = str(path)
        self.line = line
        self.message = message
        where = f"{self.path}:{line}" if line else self.path
        super().__init__(f"{where}: {message}")


class ColumnSpec(BaseModel):
    """One output column."""

    model_config = ConfigDict(extra="forbid")
    name: str
    type: str = Field(description="DuckDB type name (VARCHAR, BIGINT, DOUBLE, TIMESTAMP, DATE, BOOLEAN...)")
    description: str


class ColumnsFrom(BaseModel):
    """Columns taken from another model's header, so twin models do not repeat them."""

    model_config = ConfigDict(extra="forbid")
    model: str
    exclude: list[str] = Field(default_factory=list)


class ModelHeader(BaseModel):
    """The YAML header of a model file."""

    model_config = ConfigDict(extra="forbid")
    description: str
    grain: str
    materialization: Literal["view", "table", "incremental"] = "view"
    partition_by: str | None = None
    unique_key: list[str] = Field(default_factory=list)
    columns: list[ColumnSpec] = Field(default_factory=list)
    columns_from: ColumnsFrom | None = None

    @model_validator(mode="after")
    def _check(self) -> ModelHeader:
        if not self.columns and self.columns_from is None:
            raise ValueError("columns: required (or columns_from)")
        if self.columns_from is not None and self.materialization == "incremental":
            raise ValueError("columns_from: incremental models list their columns")
        names = [c.name for c in self.columns]
        if len(set(names)) != len(names):
            raise ValueError("columns: duplicate column names")
        if self.materialization == "incremental":
            if not self.partition_by:
                raise ValueError("partition_by: required for incremental models")
            col = next((c for c in self.columns if c.name == self.partition_by), None)
            if col is None or col.type.upper() != "DATE":
                raise ValueError(f"partition_by: {self.partition_by!r} must be a DATE column of the model")
        elif self.partition_by:
            raise ValueError("partition_by: only incremental models are partitioned")
        for key in self.unique_key if self.columns_from is None else ():
            if key not in names:
                raise ValueError(f"unique_key: {key!r} is not a column")
        return self


@dataclass
class Model:
    """One parsed model file."""

    name: str
    group: str
    path: Path
    header: ModelHeader
    sql: str  # the SELECT, header removed
    sql_line: int  # 1-based line of the file where `sql` starts
    clickhouse_sql: str | None = None
    user: bool = False
    refs: set[str] = field(default_factory=set)  # every table name the SQL reads

    @property
    def columns(self) -> list[ColumnSpec]:
        """Declared output columns, in order."""
        return self.header.columns

    def file_line(self, sql_line: int) -> int:
        """File line of a line of `sql`."""
        return self.sql_line + sql_line - 1


def _yaml_error_line(exc: YAMLError) -> int | None:
    mark = getattr(exc, "context_mark", None) or getattr(exc, "problem_mark", None)
    return mark.line + 1 if mark is not None else None


def parse_model_file(path: Path, group: str | None = None, user: bool = False) -> Model:
    """Read one model file; raises ModelError naming the file and line of any problem."""
    from learnlake.models.graph import table_refs

    name = path.name.removesuffix(".sql")
    if not NAME_RE.match(name):
        raise ModelError(path, f"model name {name!r} must be lower_snake_case", 1)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ModelError(path, f"cannot read: {exc}") from exc
    match = HEADER_RE.match(text)
    if not match:
        raise ModelError(path, "missing header: the file must start with a /* --- YAML --- */ block", 1)
    yaml_start = text.count("\n", 0, match.start("yaml")) + 1
    try:
        data = YAML(typ="safe").load(StringIO(match.group("yaml")))
    except YAMLError as exc:
        line = _yaml_error_line(exc)
        raise ModelError(path, f"header YAML: {exc}", yaml_start + line - 1 if line else yaml_start) from exc
    if not isinstance(data, dict):
        raise ModelError(path, "header must be a YAML mapping", yaml_start)
    try:
        header = ModelHeader.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first["loc"]) or "header"
        raise ModelError(
            path, f"header: {loc}: {first['msg']}", _key_line(match.group("yaml"), first["loc"], yaml_start)
        ) from exc
    sql = text[match.end() :]
    sql_line = text.count("\n", 0, match.end()) + 1
    stripped = sql.strip().rstrip(";").strip()
    if not stripped:
        raise ModelError(path, "no SQL after the header", sql_line)
    override = path.with_name(f"{name}.clickhouse.sql")
    model = Model(
        name=name,
        group=group or path.parent.name,
        path=path,
        header=header,
        sql=sql.rstrip().rstrip(";"),
        sql_line=sql_line,
        clickhouse_sql=override.read_text(encoding="utf-8").strip().rstrip(";")
        if override.exists()
        else None,
        user=user,
    )
    model.refs = table_refs(model)
    return model


def _key_line(yaml_text: str, loc: tuple[int | str, ...], yaml_start: int) -> int:
    """Best-effort file line of the header key a validation error is about."""
    key = next((p for p in loc if isinstance(p, str)), None)
    if key:
        for i, line in enumerate(yaml_text.splitlines()):
            if re.match(rf"\s*(-\s*)?{{?\s*{re.escape(key)}\s*:", line) or f"name: {key}" in line:
                return yaml_start + i
    return yaml_start


def model_files(folder: Path) -> list[Path]:
    """Model files below a folder (ClickHouse overrides excluded), sorted."""
    return sorted(p for p in folder.rglob("*.sql") if not p.name.endswith(".clickhouse.sql"))


@dataclass
class Project:
    """Every model learnlake knows (shipped + user), and the files that could not be read."""

    models: dict[str, Model]
    errors: list[ModelError]


def load_project(user_dir: Path | None = None, shipped_dir: Path = SHIPPED_DIR) -> Project:
    """Read the shipped models and the user's folder; a broken user file is an error, not a stop."""
    models: dict[str, Model] = {}
    errors: list[ModelError] = []
    for path in model_files(shipped_dir):
        try:
            model = parse_model_file(path)
        except ModelError as exc:  # reported; the other models still build
            errors.append(exc)
            continue
        models[model.name] = model
    if user_dir is not None:
        if not user_dir.is_dir():
            errors.append(ModelError(user_dir, "models.user_dir is not a folder"))
        else:
            for path in model_files(user_dir):
                try:
                    model = parse_model_file(path, group="user", user=True)
                except ModelError as exc:
                    errors.append(exc)
                    continue
                if model.name in models:
                    errors.append(
                        ModelError(
                            path, f"model {model.name!r} already exists ({models[model.name].path})", 1
                        )
                    )
                    continue
                models[model.name] = model
    for name in [n for n, m in models.items() if m.header.columns_from is not None]:
        try:
            _inherit_columns(models, name, [])
        except ModelError as exc:
            errors.append(exc)
            models.pop(name, None)
    return Project(models, errors)


def _inherit_columns(models: dict[str, Model], name: str, chain: list[str]) -> None:
    """Resolve `columns_from` (transitively): the named model's columns, minus `exclude`, then its own."""
    model = models[name]
    source = model.header.columns_from
    if source is None:
        return
    if name in chain:
        raise ModelError(model.path, f"columns_from: cycle {' -> '.join([*chain, name])}", 1)
    other = models.get(source.model)
    if other is None:
        raise ModelError(model.path, f"columns_from: no model named {source.model!r}", 1)
    _inherit_columns(models, source.model, [*chain, name])
    unknown = sorted(set(source.exclude) - {c.name for c in other.columns})
    if unknown:
        raise ModelError(model.path, f"columns_from: {source.model} has no column {', '.join(unknown)}", 1)
    inherited = [c.model_copy() for c in other.columns if c.name not in source.exclude]
    header = model.header.model_copy(
        update={"columns": [*inherited, *model.header.columns], "columns_from": None}
    )
    names = [c.name for c in header.columns]
    if len(set(names)) != len(names):
        raise ModelError(model.path, "columns: duplicate column names (with columns_from)", 1)
    missing = [k for k in header.unique_key if k not in names]
    if missing:
        raise ModelError(model.path, f"unique_key: {missing[0]!r} is not a column", 1)
    model.header = header
