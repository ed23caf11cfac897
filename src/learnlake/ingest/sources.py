"""Tracking-log sources: files, folders, globs and s3:// prefixes, and their decoded bytes.

Compression is recognised by magic bytes (rotated files are often renamed without a suffix):
gzip (concatenated members included), bzip2 and zstd (several frames included). A stream that ends
in the middle of a member/frame, or holds corrupt data, yields everything decodable and then raises
`StreamError`, so the good part is kept and the rest is quarantined with the reason.
"""

from __future__ import annotations

import bz2
import fnmatch
import glob as globmod
import importlib
import os
import types
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

import zstandard

from learnlake.config.settings import S3Settings
from learnlake.lake.storage import s3_filesystem


def _fast_zlib() -> types.ModuleType:
    """ISA-L inflates gzip 2-3x faster than zlib with the same API; zlib when it is missing."""
    try:
        return importlib.import_module("isal.isal_zlib")
    except ImportError:  # pragma: no cover - optional speed-up
        return zlib


_gzip_zlib = _fast_zlib()

RAW_BLOCK = 256 * 1024  # compressed bytes per read: bounds the inflated size of one step
PLAIN_BLOCK = 1024 * 1024


class SourceError(Exception):
    """A source that does not exist or cannot be listed."""


class StreamError(Exception):
    """A compressed stream ended early or is corrupt (after everything decodable was yielded)."""


@dataclass
class SourceFile:
    """One file to read, with what identifies it cheaply."""

    url: str  # shown to users and stored in quarantine rows
    path: str  # path for the filesystem
    size: int
    mtime: float
    dev: int | None = None
    ino: int | None = None
    fs: Any = None  # fsspec filesystem for remote files, None for local files

    @property
    def is_local(self) -> bool:
        """Whether the file is on the local filesystem."""
        return self.fs is None


def _local_file(path: str) -> SourceFile:
    st = os.stat(path)
    return SourceFile(
        os.path.abspath(path), os.path.abspath(path), st.st_size, st.st_mtime, st.st_dev, st.st_ino
    )


def resolve_sources(sources: list[str], pattern: str, s3: S3Settings | None = None) -> list[SourceFile]:
    """Every file the sources name, sorted by URL (deterministic order), without duplicates."""
    found: dict[str, SourceFile] = {}
    s3fs_instance = None
    for source in sources:
        if source.startswith("s3://"):
            if s3fs_instance is None:
                s3fs_instance = s3_filesystem(s3 or S3Settings())
            for sf in _s3_files(s3fs_instance, source, pattern):
                found[sf.url] = sf
            continue
        path = os.path.expanduser(source)
        if os.path.isfile(path):
            sf = _local_file(path)
            found[sf.url] = sf
        elif os.path.isdir(path):
            for dirpath, _dirs, files in os.walk(path):
                for name in files:
                    if fnmatch.fnmatch(name, pattern) and not name.startswith("."):
                        sf = _local_file(os.path.join(dirpath, name))
                        found[sf.url] = sf
        elif globmod.has_magic(path):
            for match in globmod.glob(path, recursive=True):
                if os.path.isfile(match):
                    sf = _local_file(match)
                    found[sf.url] = sf
        else:
            raise SourceError(f"tracking-log source not found: {source}")
    return [found[k] for k in sorted(found)]


def _s3_files(fs: Any, url: str, pattern: str) -> list[SourceFile]:
    path = url[len("s3://") :].rstrip("/")
    if globmod.has_magic(path):
        infos = fs.glob(path, detail=True)
        entries = [i for i in infos.values() if i.get("type") == "file"]
    else:
        try:
            info = fs.info(path)
        except FileNotFoundError:
            raise SourceError(f"tracking-log source not found: {url}") from None
        if info.get("type") == "file":
            entries = [info]
        else:
            entries = [
                i
                for i in fs.find(path, detail=True, refresh=True).values()
                if fnmatch.fnmatch(i["name"].rsplit("/", 1)[-1], pattern)
            ]
    out = []
    for info in entries:
        mtime = info.get("LastModified") or info.get("mtime") or 0
        stamp = mtime.timestamp() if hasattr(mtime, "timestamp") else float(mtime)
        out.append(SourceFile(f"s3://{info['name']}", info["name"], int(info["size"]), stamp, fs=fs))
    return out


def open_raw(sf: SourceFile) -> BinaryIO:
    """The file's stored bytes."""
    if sf.fs is None:
        return open(sf.path, "rb")
    return sf.fs.open(sf.path, "rb", block_size=8 * 1024 * 1024)


def sniff(first: bytes) -> str | None:
    """Compression of a stream from its first bytes: gzip, bz2, zstd or None (plain)."""
    if first[:2] == b"\x1f\x8b":
        return "gzip"
    if first[:3] == b"BZh":
        return "bz2"
    if first[:4] == b"\x28\xb5\x2f\xfd":
        return "zstd"
    return None


def _decompressor(kind: str) -> Callable[[], Any]:
    if kind == "gzip":
        return lambda: _gzip_zlib.decompressobj(wbits=31)
    if kind == "bz2":
        return bz2.BZ2Decompressor
    return lambda: zstandard.ZstdDecompressor().decompressobj()


def inflate(raw_blocks: Iterator[bytes], kind: str) -> Iterator[bytes]:
    """Decoded bytes of a compressed stream made of one or more members/frames.

    Raises StreamError after the last good byte when the stream is truncated or corrupt.
    """
    make = _decompressor(kind)
    dec = make()
    inside = False  # fed bytes to the current member without reaching its end
    for block in raw_blocks:
        data = block
        while data:
            try:
                out = dec.decompress(data)
            except (zlib.error, OSError, EOFError, ValueError, zstandard.ZstdError) as exc:
                raise StreamError(f"corrupt {kind} data: {exc}") from None
            except Exception as exc:  # isal raises its own error type
                raise StreamError(f"corrupt {kind} data: {exc}") from None
            if out:
                yield out
            if dec.eof:
                data = dec.unused_data
                dec = make()
                inside = False
                if not data.strip(b"\x00"):
                    data = b""  # padding after the last member
            else:
                inside = True
                data = b""
    if inside:
        raise StreamError(f"truncated {kind} stream: it ends in the middle of a compressed member")


def raw_blocks(fh: BinaryIO, first: bytes, size: int, on_read: Callable[[int], None]) -> Iterator[bytes]:
    """Blocks of the stored bytes, starting with an already read first block."""
    if first:
        on_read(len(first))
        yield first
    while True:
        block = fh.read(size)
        if not block:
            return
        on_read(len(block))
        yield block
