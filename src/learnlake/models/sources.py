"""The warehouse tables models read, with the column types models rely on.

Used twice: to type CSV files given with `--source` (a CSV has no types), and, in warehouse builds,
to add as NULL the Aspects event-sink columns a lake table does not carry (for example `dump_id` and
`time_last_dumped` of `course_blocks`), so one model SQL reads both Aspects' tables and the lake's.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa

from learnlake.lake.layout import QUERYABLE_TABLES
from learnlake.models.engines.duckdb import quote
from learnlake.warehouse.sql import _duck_type

_V = "VARCHAR"

# Aspects' event-sink tables (specs/aspects.md §2.1) as models read them.
SOURCE_COLUMNS: dict[str, dict[str, str]] = {
    "course_blocks": {
        "org": _V,
        "course_key": _V,
        "location": _V,
        "display_name": _V,
        "xblock_data_json": _V,
        "order": "INTEGER",
        "edited_on": _V,
        "dump_id": _V,
        "time_last_dumped": _V,
    },
    "course_overviews": {
        "org": _V,
        "course_key": _V,
        "display_name": _V,
        "course_start": _V,
        "course_end": _V,
        "enrollment_start": _V,
        "enrollment_end": _V,
        "self_paced": "BOOLEAN",
        "course_data_json": _V,
        "created": _V,
        "modified": _V,
        "dump_id": _V,
        "time_last_dumped": _V,
    },
    "user_profile": {
        "id": "INTEGER",
        "user_id": "INTEGER",
        "name": _V,
        "username": _V,
        "email": _V,
        "meta": _V,
        "courseware": _V,
        "language": _V,
        "location": _V,
        "year_of_birth": _V,
        "gender": _V,
        "level_of_education": _V,
        "mailing_address": _V,
        "city": _V,
        "country": _V,
        "state": _V,
        "goals": _V,
        "bio": _V,
        "profile_image_uploaded_at": _V,
        "phone_number": _V,
        "dump_id": _V,
        "time_last_dumped": _V,
    },
    "external_id": {
        "external_user_id": _V,
        "external_id_type": _V,
        "username": _V,
        "user_id": "INTEGER",
        "dump_id": _V,
        "time_last_dumped": _V,
    },
    "tag": {
        "id": "INTEGER",
        "taxonomy": "INTEGER",
        "parent": "INTEGER",
        "value": _V,
        "external_id": _V,
        "lineage": _V,
        "dump_id": _V,
        "time_last_dumped": _V,
    },
    "taxonomy": {"id": "INTEGER", "name": _V, "dump_id": _V, "time_last_dumped": _V},
    "object_tag": {
        "id": "INTEGER",
        "object_id": _V,
        "taxonomy": "INTEGER",
        "tag": "INTEGER",
        "_value": _V,
        "_export_id": _V,
        "lineage": _V,
        "dump_id": _V,
        "time_last_dumped": _V,
    },
    "xapi_events_all_parsed": {
        "event_id": _V,
        "verb_id": _V,
        "actor_id": _V,
        "object_id": _V,
        "course_id": _V,
        "course_key": _V,
        "org": _V,
        "emission_time": "TIMESTAMP",
        "event": _V,
    },
}


# Aspects' event-sink tables rebuilt from extracted LMS tables (no LMS plugin needed): name → the LMS
# tables it needs, whether it holds personal data (then built only with privacy.pii), and its SELECT.
SINKS_FROM_LMS: dict[str, tuple[tuple[str, ...], bool, str]] = {
    "user_profile": (
        ("auth_userprofile", "auth_user"),
        True,
        """SELECT CAST(p.id AS INTEGER) AS id, CAST(p.user_id AS INTEGER) AS user_id, p.name,
            u.username, u.email, p.meta, p.courseware, p.language, p.location,
            CAST(p.year_of_birth AS VARCHAR) AS year_of_birth, p.gender, p.level_of_education,
            p.mailing_address, p.city, p.country, CAST(NULL AS VARCHAR) AS state, p.goals, p.bio,
            CAST(p.profile_image_uploaded_at AS VARCHAR) AS profile_image_uploaded_at,
            CAST(NULL AS VARCHAR) AS phone_number, CAST(NULL AS VARCHAR) AS dump_id,
            CAST(NULL AS VARCHAR) AS time_last_dumped
        FROM auth_userprofile AS p LEFT JOIN auth_user AS u ON u.id = p.user_id""",
    ),
    "external_id": (
        ("external_user_ids_externalid", "external_user_ids_externalidtype", "auth_user"),
        False,
        """SELECT CAST(TRY_CAST(e.external_user_id AS UUID) AS VARCHAR) AS external_user_id,
            t.name AS external_id_type, u.username, CAST(e.user_id AS INTEGER) AS user_id,
            CAST(NULL AS VARCHAR) AS dump_id, CAST(e.modified AS VARCHAR) AS time_last_dumped
        FROM external_user_ids_externalid AS e
        JOIN external_user_ids_externalidtype AS t ON t.id = e.external_id_type_id
        LEFT JOIN auth_user AS u ON u.id = e.user_id""",
    ),
}


def source_columns(table: str) -> dict[str, str] | None:
    """Declared column types of a known warehouse table, or None."""
    if table in SOURCE_COLUMNS:
        return SOURCE_COLUMNS[table]
    spec = QUERYABLE_TABLES.get(table)
    if spec is not None:
        return {f.name: _duck_type(f.type) for f in spec.schema}
    return None


def read_file(con: duckdb.DuckDBPyConnection, path: Path, types: dict[str, str] | None) -> pa.Table:
    """Read a CSV (typed by `types`; '' is NULL for non-text columns) or Parquet file as Arrow.

    Declared columns the file lacks become NULL; columns the declaration lacks stay as read.
    """
    suffix = path.suffix.lower()
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such file")
    if suffix == ".parquet":
        rel = con.sql(f"SELECT * FROM read_parquet({_lit(str(path))})")
        if not types:
            return rel.to_arrow_table()
        present = {c.lower(): c for c in rel.columns}
        cols = [
            f"CAST({quote(present[n])} AS {t}) AS {quote(n)}"
            if n in present
            else f"CAST(NULL AS {t}) AS {quote(n)}"
            for n, t in types.items()
        ]
        extra = [quote(c) for c in rel.columns if c.lower() not in types]
        return con.sql(
            f"SELECT {', '.join(cols + extra)} FROM read_parquet({_lit(str(path))})"
        ).to_arrow_table()
    if suffix not in (".csv", ".tsv", ".txt"):
        raise ValueError(f"{path}: expected a .csv or .parquet file")
    if not types:
        return con.sql(f"SELECT * FROM read_csv({_lit(str(path))}, header = true)").to_arrow_table()
    raw = con.sql(f"SELECT * FROM read_csv({_lit(str(path))}, header = true, all_varchar = true)")
    present = {c.lstrip("\ufeff").lower(): c for c in raw.columns}
    cols = []
    for name, typ in types.items():
        src = present.get(name.lower())
        if src is None:
            cols.append(f"CAST(NULL AS {typ}) AS {quote(name)}")
        elif typ.upper() in ("VARCHAR", "TEXT", "STRING"):
            cols.append(f"COALESCE({quote(src)}, '') AS {quote(name)}")
        else:
            cols.append(f"CAST(NULLIF({quote(src)}, '') AS {typ}) AS {quote(name)}")
    extra = [f"{quote(c)} AS {quote(k)}" for k, c in present.items() if k not in {n.lower() for n in types}]
    return con.sql(
        f"SELECT {', '.join(cols + extra)} "
        f"FROM read_csv({_lit(str(path))}, header = true, all_varchar = true)"
    ).to_arrow_table()


def _lit(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def adapt_table(name: str, table: pa.Table) -> pa.Table:
    """Add, as NULL, the Aspects columns of a known source that an Arrow table lacks."""
    cols = SOURCE_COLUMNS.get(name)
    if not cols:
        return table
    con = duckdb.connect(":memory:")
    try:
        con.register("_t", table)
        have = set(table.column_names)
        add = [f"CAST(NULL AS {t}) AS {quote(c)}" for c, t in cols.items() if c not in have]
        if not add:
            return table
        return con.sql(f"SELECT *, {', '.join(add)} FROM _t").to_arrow_table()
    finally:
        con.close()
