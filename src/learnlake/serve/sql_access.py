"""Read-only SQL for analysts (`/api/v1/sql`, `learnlake query --user`), limited to the caller's scope.

The statement is parsed with sqlglot: one SELECT only, no table functions or file-reading
functions, only known tables. Each table reference is replaced by a sub-query of that table with
the caller's scope as bound predicates (and its personal-data columns dropped unless granted), and
the result runs on a read-only DuckDB connection with a row limit and a time limit.
"""

from __future__ import annotations

import functools
import logging
import re
import threading
import uuid
from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow as pa
import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from learnlake.config import Settings
from learnlake.serve.auth.scope import LEARNER_COLUMNS, Columns, Principal
from learnlake.serve.dashboards.course_queries import BLOCK_OF_OBJECT

log = logging.getLogger(__name__)
MAX_ROWS = 10_000
TIMEOUT_S = 30.0
_BLOCKED_FUNCTION = re.compile(
    r"^(read_|glob$|getenv$|current_setting$|duckdb_|pragma_|query$|query_table$|sniff_|parquet_|"
    r"iceberg_|delta_|sqlite_|postgres_|mysql_|http|load_|install_|which_secret$|checkpoint$|"
    r"force_checkpoint$|text$|write_|copy_|system$|shell$|attach$|detach$|summary$|json_execute)",
    re.IGNORECASE,
)


class SqlRejected(ValueError):
    """The statement is not allowed (shown to the caller as the reason)."""


@dataclass(frozen=True)
class TableAccess:
    """How one table is scoped for SQL access."""

    columns: Columns
    pii_columns: tuple[str, ...] = ()
    roles: frozenset[str] | None = None  # None: every role with SQL access
    per_learner: bool = False  # rows about single learners: analysts need the personal-data grant


TABLES: dict[str, TableAccess] = {
    "xapi_events_all_parsed": TableAccess(Columns(block=BLOCK_OF_OBJECT), per_learner=True),
    "xapi_events_all": TableAccess(Columns(block=BLOCK_OF_OBJECT), per_learner=True),
    "tracking_events": TableAccess(
        Columns(course="course_id", actor=None, time="time"),
        pii_columns=("username", "ip", "raw"),
        per_learner=True,
    ),
    "course_blocks": TableAccess(Columns(actor=None, time=None, block="location")),
    "course_overviews": TableAccess(Columns(actor=None, time=None)),
    "quarantine": TableAccess(
        Columns(org=None, course=None, actor=None, time=None), roles=frozenset({"operator"})
    ),
}
SQL_ROLES = frozenset({"operator", "org_staff", "course_staff", "analyst"})


def register_table(name: str, access: TableAccess) -> None:
    """Make a table (for instance a model) queryable through the SQL API."""
    TABLES[name.lower()] = access


def model_access(columns: dict[str, str]) -> TableAccess:
    """How a model is scoped, from its declared columns (name → description).

    Scoped on its org, course_key and actor_id columns (a scope on a column the model lacks
    yields no rows); columns described as personal data are hidden unless granted; a model with
    a learner column holds rows about single learners.
    """
    return TableAccess(
        Columns(
            org="org" if "org" in columns else None,
            course="course_key" if "course_key" in columns else None,
            actor="actor_id" if "actor_id" in columns else None,
            time=None,
            lms=None,
        ),
        pii_columns=tuple(n for n, d in columns.items() if "personal data" in d.lower()),
        per_learner=bool(LEARNER_COLUMNS & set(columns)),
    )


@functools.cache
def _register_models() -> None:
    """The shipped SQL models join the queryable tables (once per process)."""
    from learnlake.models.spec import load_project

    try:
        project = load_project()
    except Exception as exc:  # a broken model file must not take the SQL API down
        log.warning("SQL access without the models: %s", exc)
        return
    for name, model in project.models.items():
        if name.lower() not in TABLES:
            register_table(name, model_access({c.name: c.description for c in model.columns}))


def scoped_sql(sql: str, principal: Principal) -> tuple[str, dict[str, Any]]:
    """The caller's statement rewritten onto scoped sub-queries, and the bound values."""
    if principal.role not in SQL_ROLES:
        raise SqlRejected(f"role {principal.role!r} has no SQL access")
    _register_models()
    try:
        statements = [s for s in sqlglot.parse(sql, read="duckdb") if s is not None]
    except SqlglotError as exc:
        raise SqlRejected(f"could not parse the statement: {str(exc).splitlines()[0]}") from None
    if len(statements) != 1:
        raise SqlRejected("send exactly one statement")
    tree = statements[0]
    if not isinstance(tree, exp.Select | exp.Union | exp.Intersect | exp.Except):
        raise SqlRejected("only SELECT statements are allowed")
    for node in tree.walk():
        if isinstance(node, exp.Parameter | exp.Placeholder):
            raise SqlRejected("parameters are not allowed in the statement")
        if isinstance(node, exp.Func):
            fname = node.name if isinstance(node, exp.Anonymous) else node.sql_name()
            if _BLOCKED_FUNCTION.match(fname or "") or type(node).__name__.startswith("Read"):
                raise SqlRejected(f"function {fname.lower()}() is not allowed")
        if isinstance(node, exp.DDL | exp.DML | exp.Command | exp.Pragma | exp.Set | exp.Copy):
            raise SqlRejected("only SELECT statements are allowed")
    cte_names = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
    params: dict[str, Any] = {}
    replacements: dict[str, str] = {}
    for table in list(tree.find_all(exp.Table)):
        if not isinstance(table.this, exp.Identifier):
            raise SqlRejected("table functions are not allowed")
        name = table.name.lower()
        if table.args.get("db") or table.args.get("catalog"):
            raise SqlRejected(f"qualified table names are not allowed: {table.sql(dialect='duckdb')}")
        if name in cte_names:
            continue
        access = TABLES.get(name)
        if access is None:
            raise SqlRejected(f"unknown table {table.name!r}; tables: {', '.join(sorted(TABLES))}")
        if access.roles is not None and principal.role not in access.roles:
            raise SqlRejected(f"table {name} is not available to role {principal.role}")
        if access.per_learner and not principal.sees_learners:
            raise SqlRejected(
                f"table {name} holds rows about single learners, which an analyst may read only with "
                "the personal-data grant (`learnlake users grant NAME --pii`); query the aggregate "
                f"tables instead: {', '.join(aggregate_tables())}"
            )
        preds, scope_params = principal.scope.predicates(access.columns)
        params.update(scope_params)
        hidden = [] if principal.pii else list(access.pii_columns)
        projection = f"* EXCLUDE ({', '.join(hidden)})" if hidden else "*"
        where = " AND ".join(preds) if preds else "TRUE"
        marker = f"scoped_{uuid.uuid4().hex}"
        replacements[marker] = f"(SELECT {projection} FROM {name} WHERE {where})"
        alias = table.alias or table.name
        table.replace(exp.to_table(marker).as_(alias))
    out = tree.sql(dialect="duckdb")
    for marker, subquery in replacements.items():
        out = out.replace(marker, subquery, 1)
    return out, params


def aggregate_tables() -> list[str]:
    """The queryable tables without rows about single learners (what any analyst may read)."""
    _register_models()
    return sorted(n for n, a in TABLES.items() if not a.per_learner and a.roles is None)


def run_scoped(
    settings: Settings, principal: Principal, sql: str, max_rows: int = MAX_ROWS
) -> tuple[pa.Table, bool]:
    """Run a scoped statement read-only; the rows (at most max_rows) and whether more existed."""
    from learnlake.warehouse import open_warehouse

    scoped, params = scoped_sql(sql, principal)
    warehouse = open_warehouse(settings)
    with warehouse.connect() as con:
        timer = threading.Timer(TIMEOUT_S, con.interrupt)
        timer.start()
        try:
            reader = con.execute(scoped, params or None).to_arrow_reader(min(max_rows + 1, 100_000))
            batches: list[pa.RecordBatch] = []
            total = 0
            for batch in reader:
                batches.append(batch)
                total += batch.num_rows
                if total > max_rows:
                    break
            table = pa.Table.from_batches(batches, schema=reader.schema)
        except duckdb.InterruptException:
            raise SqlRejected(f"the query ran longer than {TIMEOUT_S:.0f} s and was stopped") from None
        except duckdb.Error as exc:
            raise SqlRejected(str(exc).splitlines()[0]) from None
        finally:
            timer.cancel()
    truncated = table.num_rows > max_rows
    return table.slice(0, max_rows), truncated


def run_as_user(settings: Settings, user_name: str, sql: str, max_rows: int = 1_000_000) -> pa.Table:
    """`learnlake query --user NAME`: the same rules as /api/v1/sql for a stored user."""
    from learnlake.serve.auth.scope import principal_for
    from learnlake.serve.auth.store import UserStore

    user = UserStore(settings.data_dir).get(user_name)
    if user is None:
        raise SqlRejected(f"no user {user_name!r} (see `learnlake users list`)")
    table, _ = run_scoped(settings, principal_for(user, "cli"), sql, max_rows)
    return table
