"""Dependencies between models, read from their SQL with sqlglot, and the build order."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError

if TYPE_CHECKING:
    from learnlake.models.spec import Model

SETTINGS_TABLE = "model_settings"


def table_refs(model: Model) -> set[str]:
    """Every table name the model's SQL reads (CTE names excluded), lower-cased."""
    from learnlake.models.spec import ModelError

    try:
        tree = sqlglot.parse_one(model.sql, read="duckdb")
    except ParseError as exc:
        err = exc.errors[0] if exc.errors else {}
        line = err.get("line")
        raise ModelError(
            model.path, f"SQL: {err.get('description') or exc}", model.file_line(line) if line else None
        ) from exc
    if not isinstance(tree, exp.Query):
        raise ModelError(model.path, "SQL must be one SELECT statement", model.sql_line)
    ctes = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
    refs: set[str] = set()
    for table in tree.find_all(exp.Table):
        name = table.name.lower()
        if name and name not in ctes and not isinstance(table.this, exp.Func):
            refs.add(name)
    return refs


def dependencies(model: Model, models: dict[str, Model]) -> set[str]:
    """The models this model reads."""
    return {r for r in model.refs if r in models and r != model.name}


def sources(model: Model, models: dict[str, Model]) -> set[str]:
    """The warehouse (non-model) tables this model reads, settings table excluded."""
    return {r for r in model.refs if r not in models and r != SETTINGS_TABLE}


def build_order(models: dict[str, Model]) -> list[str]:
    """Model names so that every model comes after the models it reads (stable by name)."""
    from learnlake.models.spec import ModelError

    deps = {name: dependencies(m, models) for name, m in models.items()}
    done: list[str] = []
    placed: set[str] = set()
    visiting: set[str] = set()

    def visit(name: str, chain: list[str]) -> None:
        if name in placed:
            return
        if name in visiting:
            cycle = " -> ".join([*chain[chain.index(name) :], name])
            raise ModelError(models[name].path, f"dependency cycle: {cycle}")
        visiting.add(name)
        for dep in sorted(deps[name]):
            visit(dep, [*chain, name])
        visiting.discard(name)
        placed.add(name)
        done.append(name)

    for name in sorted(models):
        visit(name, [])
    return done


def upstream(names: Iterable[str], models: dict[str, Model]) -> set[str]:
    """The given models and every model they read, transitively."""
    out: set[str] = set()
    stack = list(names)
    while stack:
        name = stack.pop()
        if name in out:
            continue
        out.add(name)
        stack.extend(dependencies(models[name], models))
    return out


def downstream(names: Iterable[str], models: dict[str, Model]) -> set[str]:
    """The given models and every model that reads them, transitively."""
    readers: dict[str, set[str]] = {n: set() for n in models}
    for name, model in models.items():
        for dep in dependencies(model, models):
            readers[dep].add(name)
    out: set[str] = set()
    stack = list(names)
    while stack:
        name = stack.pop()
        if name in out:
            continue
        out.add(name)
        stack.extend(readers[name])
    return out


def select(models: dict[str, Model], selectors: Iterable[str]) -> set[str]:
    """Resolve selectors: NAME, +NAME (with upstream), NAME+ (with downstream), group:G, user."""
    from learnlake.models.spec import ModelError

    chosen: set[str] = set()
    for sel in selectors:
        if sel.startswith("group:"):
            chosen |= {n for n, m in models.items() if m.group == sel[6:]}
            continue
        if sel == "user":
            chosen |= {n for n, m in models.items() if m.user}
            continue
        name = sel.strip("+")
        if name not in models:
            raise ModelError(sel, f"no model named {name!r} (see `learnlake models list`)")
        picked = {name}
        if sel.startswith("+"):
            picked |= upstream([name], models)
        if sel.endswith("+"):
            picked |= downstream([name], models)
        chosen |= picked
    return chosen
