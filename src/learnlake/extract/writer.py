"""Writing one table partition folder: `<table>.parquet` and/or Panorama's `<table>.csv`, atomically.

Rows are streamed into hidden temp files (local) or hidden temp keys (S3) and made visible only when
the whole partition is written: a local rename, an S3 server-side copy. A failed or killed
extraction leaves the previous files untouched.

CSV dialect (RFC 4180, what Panorama's Athena tables read, but correct): comma, `"` quotes doubled,
every non-NULL value quoted, NULL written as an empty unquoted field, so `,,` is NULL and `,"",` is
the empty string. Backslashes, CR/LF and tabs are written as they are inside the quotes. Header
line, UTF-8, LF line ends. Temporal and decimal values are the database's own text (zero dates
included); binary values are base64.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from learnlake.lake.layout import table_path
from learnlake.lake.storage import PARQUET_OPTIONS, LakeStorage

NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__"
CSV_WRITE = pacsv.WriteOptions(quoting_style="all_valid", include_header=True)


def partition_dir(prefix: str, table: str, lms: str, fields: list[str], values: list[Any]) -> str:
    """`<prefix>/<table>/lms=<host>/[<field>=<url-quoted value>/…]`, relative to the lake root."""
    parts = [table_path(prefix, table), f"lms={lms}"]
    for name, value in zip(fields, values, strict=True):
        text = NULL_PARTITION if value is None else quote(str(value), safe="")
        parts.append(f"{name}={text}")
    return "/".join(parts)


class PartitionWriter:
    """Streams one partition's files; `commit` makes them visible together, `abort` drops them."""

    def __init__(
        self,
        storage: LakeStorage,
        rel_dir: str,
        name: str,
        parquet_schema: pa.Schema | None,
        csv_schema: pa.Schema | None,
    ) -> None:
        self.storage = storage
        self.rows = 0
        self._targets: list[tuple[str, str]] = []  # (temp rel, final rel)
        self._handles: list[Any] = []
        self._parquet: pq.ParquetWriter | None = None
        self._csv: pacsv.CSVWriter | None = None
        token = uuid.uuid4().hex[:8]
        if parquet_schema is not None:
            fh = self._open(f"{rel_dir}/{name}.parquet", token)
            self._parquet = pq.ParquetWriter(fh, parquet_schema, **PARQUET_OPTIONS)
        if csv_schema is not None:
            fh = self._open(f"{rel_dir}/{name}.csv", token)
            self._csv = pacsv.CSVWriter(fh, csv_schema, write_options=CSV_WRITE)

    def _open(self, final: str, token: str) -> Any:
        head, _, base = final.rpartition("/")
        temp = f"{head}/.{base}.{token}.tmp"
        self._targets.append((temp, final))
        if self.storage.is_local:
            path = self.storage.path(temp)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            fh: Any = open(path, "wb")  # noqa: SIM115 - closed in commit/abort
        else:
            fh = self.storage.fs.open(self.storage.path(temp), "wb")
        self._handles.append(fh)
        return fh

    def write(self, parquet_batch: pa.RecordBatch | None, csv_batch: pa.RecordBatch | None) -> None:
        """Append one batch (the same rows in both forms)."""
        if self._parquet is not None and parquet_batch is not None and parquet_batch.num_rows:
            self._parquet.write_batch(parquet_batch)
        if self._csv is not None and csv_batch is not None and csv_batch.num_rows:
            self._csv.write_batch(csv_batch)
        batch = parquet_batch if parquet_batch is not None else csv_batch
        self.rows += batch.num_rows if batch is not None else 0

    def _close(self) -> None:
        if self._parquet is not None:
            self._parquet.close()
            self._parquet = None
        if self._csv is not None:
            self._csv.close()
            self._csv = None
        for fh in self._handles:
            if self.storage.is_local and not fh.closed:
                fh.flush()
                os.fsync(fh.fileno())
            fh.close()
        self._handles = []

    def commit(self) -> list[str]:
        """Close and publish the files; returns their paths relative to the root."""
        self._close()
        for temp, final in self._targets:
            if self.storage.is_local:
                os.replace(self.storage.path(temp), self.storage.path(final))
            else:
                self.storage.fs.copy(self.storage.path(temp), self.storage.path(final))
                self.storage.fs.rm(self.storage.path(temp))
        return [final for _, final in self._targets]

    def abort(self) -> None:
        """Drop the temp files; the published ones stay as they were."""
        with contextlib.suppress(Exception):  # the writer may be half-broken already
            self._close()
        for temp, _ in self._targets:
            self.storage.delete(temp)


def delete_partition(storage: LakeStorage, rel_dir: str, name: str) -> None:
    """Remove a partition's data files (a partition that vanished from the source)."""
    for suffix in (".parquet", ".csv"):
        storage.delete(f"{rel_dir}/{name}{suffix}")


def key_array(batch: pa.RecordBatch | pa.Table, key: list[str]) -> pa.Array:
    """A single comparable array for a (possibly composite) primary key."""
    if len(key) == 1:
        col = batch.column(key[0])
        return col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
    parts = [pc.cast(batch.column(k), pa.string()) for k in key]
    joined = pc.binary_join_element_wise(*parts, "\x1f")
    return joined.combine_chunks() if isinstance(joined, pa.ChunkedArray) else joined


def read_parquet_batches(storage: LakeStorage, rel: str, batch_rows: int) -> Iterator[pa.RecordBatch]:
    """Stream a published Parquet file."""
    with storage.fs.open(storage.path(rel), "rb") as fh:
        yield from pq.ParquetFile(fh).iter_batches(batch_size=batch_rows)


def read_csv_batches(storage: LakeStorage, rel: str, schema: pa.Schema) -> Iterator[pa.RecordBatch]:
    """Stream a CSV written by this module back with the same types and NULL convention."""
    with storage.fs.open(storage.path(rel), "rb") as fh:
        reader = pacsv.open_csv(
            fh,
            read_options=pacsv.ReadOptions(block_size=16 << 20),
            parse_options=pacsv.ParseOptions(newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types=schema,
                strings_can_be_null=True,
                quoted_strings_can_be_null=False,
                null_values=[""],
            ),
        )
        for batch in reader:
            yield batch.select(schema.names) if batch.schema.names != schema.names else batch
