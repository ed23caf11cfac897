"""Lake storage: a local folder or an S3 (or S3-compatible) prefix behind one small interface.

Writers need few operations: list a partition's files, write a Parquet file so that it appears
whole or not at all, rename, delete. Local files are written to a hidden temp name, fsynced, then
renamed; S3 PUTs are atomic per object already.
"""

from __future__ import annotations

import contextlib
import os
from functools import cached_property
from pathlib import Path
from typing import Any

import fsspec
import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq

from learnlake.config.settings import S3Settings

# zstd level 1: files within ~3% of level 3's size for a quarter less encoding time (bench/ingest.py)
PARQUET_OPTIONS: dict[str, Any] = {"compression": "zstd", "compression_level": 1}


def s3_filesystem(s3: S3Settings) -> fsspec.AbstractFileSystem:
    """An s3fs filesystem configured from the settings (endpoint, region, keys)."""
    import s3fs

    kwargs: dict[str, Any] = {"client_kwargs": {"region_name": s3.region}}
    if s3.endpoint_url:
        kwargs["endpoint_url"] = s3.endpoint_url
    if s3.access_key_id:
        kwargs["key"] = s3.access_key_id
    if s3.secret_access_key is not None:
        kwargs["secret"] = s3.secret_access_key.get_secret_value()
    return s3fs.S3FileSystem(**kwargs)


def is_hidden(name: str) -> bool:
    """Hive readers (Athena, Spark, DuckDB globs on *.parquet) skip these names."""
    return name.startswith((".", "_"))


class LakeStorage:
    """The lake root, local or s3://, with atomic Parquet writes."""

    def __init__(self, root: str, s3: S3Settings | None = None) -> None:
        self.is_local = not root.startswith("s3://")
        self._s3 = s3 or S3Settings()
        if self.is_local:
            self.root = str(Path(root).expanduser().resolve())
        else:
            self.root = root[len("s3://") :].rstrip("/")

    @cached_property
    def fs(self) -> fsspec.AbstractFileSystem:
        """The fsspec filesystem (local or s3fs)."""
        if self.is_local:
            return fsspec.filesystem("file")
        return s3_filesystem(self._s3)

    @cached_property
    def arrow_fs(self) -> pafs.FileSystem:
        """The same filesystem for pyarrow readers."""
        if self.is_local:
            return pafs.LocalFileSystem()
        return pafs.PyFileSystem(pafs.FSSpecHandler(self.fs))

    def path(self, rel: str) -> str:
        """Filesystem path of a path relative to the root."""
        return f"{self.root}/{rel}" if rel else self.root

    def url(self, rel: str) -> str:
        """A URL any engine understands (absolute local path or s3://...)."""
        return self.path(rel) if self.is_local else f"s3://{self.path(rel)}"

    def list_files(self, rel: str, suffix: str = ".parquet") -> list[str]:
        """Visible data files directly inside a folder (names only), sorted; [] when missing."""
        if self.is_local:
            try:
                names = os.listdir(self.path(rel))
            except FileNotFoundError:
                return []
        else:
            try:
                names = [p.rsplit("/", 1)[-1] for p in self.fs.ls(self.path(rel), detail=False, refresh=True)]
            except FileNotFoundError:
                return []
        return sorted(n for n in names if n.endswith(suffix) and not is_hidden(n))

    def list_dirs(self, rel: str) -> list[str]:
        """Sub-folder names of a folder; [] when missing."""
        if self.is_local:
            try:
                return sorted(e.name for e in os.scandir(self.path(rel)) if e.is_dir())
            except FileNotFoundError:
                return []
        try:
            entries = self.fs.ls(self.path(rel), detail=True, refresh=True)
        except FileNotFoundError:
            return []
        return sorted(e["name"].rsplit("/", 1)[-1] for e in entries if e["type"] == "directory")

    def walk_files(self, rel: str) -> list[str]:
        """Every file below a folder, as paths relative to the root (hidden ones included)."""
        base = self.path(rel)
        out: list[str] = []
        if self.is_local:
            for dirpath, _dirs, files in os.walk(base):
                for name in files:
                    out.append(os.path.relpath(os.path.join(dirpath, name), self.root))
            return sorted(out)
        try:
            found = self.fs.find(base, refresh=True)
        except FileNotFoundError:
            return []
        return sorted(p[len(self.root) + 1 :] for p in found)

    def exists(self, rel: str) -> bool:
        """Whether a file exists."""
        if self.is_local:
            return os.path.exists(self.path(rel))
        return bool(self.fs.exists(self.path(rel)))

    def delete(self, rel: str) -> None:
        """Delete a file if it exists."""
        if self.is_local:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.path(rel))
            return
        with contextlib.suppress(FileNotFoundError):
            self.fs.rm(self.path(rel))

    def read_column(self, rel_files: list[str], column: str) -> pa.ChunkedArray:
        """One column of several Parquet files (used to find already stored keys)."""
        chunks: list[pa.Array] = []
        for rel in rel_files:
            table = pq.read_table(
                self.path(rel), columns=[column], filesystem=self.arrow_fs, partitioning=None
            )
            chunks.extend(table.column(column).chunks)
        return pa.chunked_array(chunks, type=pa.string()) if chunks else pa.chunked_array([], pa.string())

    def read_table(self, rel: str) -> pa.Table:
        """A whole Parquet file."""
        return pq.read_table(self.path(rel), filesystem=self.arrow_fs, partitioning=None)

    # -- atomic writes ---------------------------------------------------------------------

    @staticmethod
    def temp_name(rel: str) -> str:
        """Hidden temp name next to a final file (local staging)."""
        head, _, name = rel.rpartition("/")
        return f"{head}/.{name}.tmp" if head else f".{name}.tmp"

    def stage_parquet(self, table: pa.Table, rel: str) -> None:
        """Write a file so it is durable but not yet visible (local: hidden temp; S3: final key).

        On S3 a PUT is atomic, so the staged object is already the final one; `publish` is a no-op.
        """
        if self.is_local:
            tmp = self.path(self.temp_name(rel))
            os.makedirs(os.path.dirname(tmp), exist_ok=True)
            # a path, not a Python file object: Arrow then writes without taking the GIL for every
            # page, so staging in a background thread does not wait on the parsing thread
            pq.write_table(table, tmp, **PARQUET_OPTIONS)
            fd = os.open(tmp, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
            return
        with self.fs.open(self.path(rel), "wb") as fh:
            pq.write_table(table, fh, **PARQUET_OPTIONS)

    def is_staged(self, rel: str) -> bool:
        """Whether a staged (or already published) file exists."""
        if self.is_local:
            return os.path.exists(self.path(self.temp_name(rel))) or os.path.exists(self.path(rel))
        return self.exists(rel)

    def publish(self, rels: list[str]) -> None:
        """Make staged files visible (local rename, then fsync of the folders); idempotent."""
        if not self.is_local:
            return
        dirs: set[str] = set()
        for rel in rels:
            tmp = self.path(self.temp_name(rel))
            if os.path.exists(tmp):
                os.replace(tmp, self.path(rel))
            dirs.add(os.path.dirname(self.path(rel)))
        for d in dirs:
            try:
                fd = os.open(d, os.O_RDONLY)
            except FileNotFoundError:
                continue
            try:
                os.fsync(fd)
            finally:
                os.close(fd)

    def discard(self, rels: list[str]) -> None:
        """Remove staged and published copies of files (rollback of an uncommitted batch)."""
        for rel in rels:
            if self.is_local:
                self.delete(self.temp_name(rel))
            self.delete(rel)

    def write_atomic(self, table: pa.Table, rel: str) -> None:
        """Write one file that appears whole or not at all."""
        self.stage_parquet(table, rel)
        self.publish([rel])
