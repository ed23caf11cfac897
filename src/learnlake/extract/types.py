"""Source column types → Arrow types, and the conversion of read batches into lake batches.

Temporal and decimal columns are read as the database's own text (`CAST(c AS CHAR)`), then parsed
by Arrow: this keeps every value exact (microseconds, DECIMAL scale) and lets MySQL's zero dates
(`0000-00-00`) through, which typed drivers reject. From one read batch two are made:

- the Parquet batch, fully typed; a zero or otherwise invalid date becomes NULL there, because a
  date with month 0 cannot exist in a typed column;
- the CSV batch, where those columns stay the source text, so the CSV keeps zero dates exactly.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

TS = pa.timestamp("us", tz="UTC")
_VALID_DATE = r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])"


@dataclass(frozen=True)
class ColumnType:
    """How one column is read and stored."""

    arrow: pa.DataType  # type in Parquet
    as_text: bool  # read as text, parsed by Arrow (temporal, decimal, time)


def _int_type(base: str, unsigned: bool) -> pa.DataType:
    signed = {"tinyint": pa.int8(), "smallint": pa.int16(), "mediumint": pa.int32(), "int": pa.int32()}
    unsigned_types = {"tinyint": pa.uint8(), "smallint": pa.uint16(), "mediumint": pa.uint32()}
    if base == "bigint":
        return pa.uint64() if unsigned else pa.int64()
    if unsigned:
        return unsigned_types.get(base, pa.uint32())
    return signed.get(base, pa.int32())


def column_type(sql_type: str, dialect: str) -> ColumnType:
    """The Arrow type of a source column, from its SQL type text (e.g. `int(10) unsigned`, `datetime(6)`)."""
    text = sql_type.strip().lower()
    base = re.split(r"[\s(]", text, maxsplit=1)[0]
    unsigned = "unsigned" in text
    if dialect == "sqlite":
        return _sqlite_type(text, base)
    if base in ("tinyint", "smallint", "mediumint", "int", "integer", "bigint"):
        return ColumnType(_int_type("int" if base == "integer" else base, unsigned), False)
    if base in ("int2", "smallserial"):
        return ColumnType(pa.int16(), False)
    if base in ("int4", "serial"):
        return ColumnType(pa.int32(), False)
    if base in ("int8", "bigserial"):
        return ColumnType(pa.int64(), False)
    if base in ("boolean", "bool"):
        return ColumnType(pa.bool_(), False)
    if base in ("bit",):
        return ColumnType(pa.int64(), False)
    if base in ("float", "real", "float4"):
        return ColumnType(pa.float32() if dialect == "mysql" and base == "float" else pa.float64(), False)
    if base in ("double", "float8") or text.startswith("double precision"):
        return ColumnType(pa.float64(), False)
    if base in ("decimal", "numeric", "dec", "fixed"):
        return ColumnType(_decimal(text), True)
    if base in ("datetime", "timestamp", "timestamptz"):
        return ColumnType(TS, True)
    if base == "date":
        return ColumnType(pa.date32(), True)
    if base in ("time", "timetz", "interval"):
        return ColumnType(pa.string(), True)
    if base == "year":
        return ColumnType(pa.int16(), False)
    if base in ("blob", "tinyblob", "mediumblob", "longblob", "binary", "varbinary", "bytea"):
        return ColumnType(pa.binary(), False)
    # char, varchar, text, json, enum, set, uuid...; PostgreSQL drivers turn json/uuid into objects
    return ColumnType(pa.string(), dialect == "postgresql")


def _sqlite_type(text: str, base: str) -> ColumnType:
    if base in ("boolean", "bool", "tinyint"):
        return ColumnType(pa.int8(), False)
    if "int" in base:
        return ColumnType(pa.int64(), False)
    if base in ("datetime", "timestamp"):
        return ColumnType(TS, True)
    if base == "date":
        return ColumnType(pa.date32(), True)
    if base in ("decimal", "numeric"):
        return ColumnType(_decimal(text), True)
    if any(k in base for k in ("real", "floa", "doub")):
        return ColumnType(pa.float64(), False)
    if "blob" in base:
        return ColumnType(pa.binary(), False)
    return ColumnType(pa.string(), True)  # SQLite text: cast, since any column may hold any type


def _decimal(text: str) -> pa.DataType:
    m = re.search(r"\((\d+)\s*(?:,\s*(\d+))?\)", text)
    precision = int(m.group(1)) if m else 38
    scale = int(m.group(2) or 0) if m else 10
    precision = max(1, min(precision, 76))
    return pa.decimal128(precision, scale) if precision <= 38 else pa.decimal256(precision, scale)


def text_to_typed(array: pa.Array, target: pa.DataType) -> pa.Array:
    """Parse database text into `target`; values that cannot exist in it (zero dates) become NULL."""
    if pa.types.is_null(array.type):
        return pa.nulls(len(array), target)
    if not pa.types.is_string(array.type) and not pa.types.is_large_string(array.type):
        array = array.cast(pa.string())
    if pa.types.is_string(target):
        return array
    if pa.types.is_timestamp(target) or pa.types.is_date(target):
        fast = _direct_cast(array, target)
        if fast is not None:
            return fast
        valid = pc.match_substring_regex(array, _VALID_DATE)
        cleaned = pc.if_else(valid, array, pa.scalar(None, pa.string()))
        if pa.types.is_date(target):
            return pc.utf8_slice_codeunits(cleaned, 0, 10).cast(target)
        return _parse_timestamp(cleaned, target)
    return array.cast(target)


def _direct_cast(array: pa.Array, target: pa.DataType) -> pa.Array | None:
    """The common case (no zero dates, no zone suffix) in one vectorized cast; None when it fails."""
    try:
        if pa.types.is_date(target):
            return array.cast(target)
        return array.cast(pa.timestamp("us")).cast(target)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None


def _parse_timestamp(array: pa.Array, target: pa.DataType) -> pa.Array:
    # "YYYY-MM-DD HH:MM:SS[.ffffff][+00[:00]]"; naive values are UTC (Open edX stores UTC)
    has_zone = pc.any(pc.match_substring_regex(array, r"([+-]\d\d(:?\d\d)?|Z)$")).as_py()
    if has_zone:
        normalized = pc.replace_substring_regex(array, r"([+-]\d\d)$", r"\1:00")
        return _parse_zoned(normalized, target)
    return array.cast(pa.timestamp("us")).cast(target)


def _parse_zoned(array: pa.Array, target: pa.DataType) -> pa.Array:
    iso = pc.replace_substring(array, " ", "T", max_replacements=1)
    return iso.cast(pa.timestamp("us", tz="UTC")).cast(target)


def csv_array(array: pa.Array, column: ColumnType) -> pa.Array:
    """The CSV form of a read column: source text for text-read columns, base64 for binary."""
    if column.as_text:
        return array if pa.types.is_string(array.type) else array.cast(pa.string())
    if pa.types.is_binary(column.arrow) or pa.types.is_large_binary(array.type):
        values = [None if v is None else base64.b64encode(v).decode() for v in array.to_pylist()]
        return pa.array(values, pa.string())
    if array.type != column.arrow:
        return array.cast(column.arrow)
    return array


def to_typed(array: pa.Array, column: ColumnType) -> pa.Array:
    """The Parquet form of a read column."""
    if column.as_text:
        return text_to_typed(array, column.arrow)
    if array.type == column.arrow:
        return array
    if pa.types.is_null(array.type):
        return pa.nulls(len(array), column.arrow)
    if pa.types.is_large_binary(array.type) or pa.types.is_large_string(array.type):
        return array.cast(column.arrow)
    return array.cast(column.arrow)


def csv_type(column: ColumnType) -> pa.DataType:
    """The Arrow type of a column in the CSV batch."""
    if column.as_text or pa.types.is_binary(column.arrow):
        return pa.string()
    return column.arrow
