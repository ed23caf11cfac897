"""File identity: which content a file holds and how far it was read.

A file is identified by its content, not its name: the SHA-1 of its first 4 KiB of decoded bytes.
So a renamed or rotated file, its gzip-compressed copy, and the same file replayed from S3 all map
to one record, and only the bytes past the recorded offset are read. A file that was truncated
or replaced in place has different first bytes, hence a new identity, and is read from the start.

(device, inode) only helps in one case: a file shorter than 4 KiB that grew. Its short fingerprint
is trusted as a prefix only for the same inode, never for another file that merely starts alike.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from typing import Any

from learnlake.ingest.reader import FP_LEN
from learnlake.ingest.sources import SourceFile

MAX_SEEN = 8


@dataclass
class FileRecord:
    """What is known about one file content."""

    fp: str
    fp_len: int
    offset: int = 0  # decoded bytes ingested
    line: int = 0  # lines ingested
    complete: bool = False  # an immutable (compressed) copy was read to its end
    dev: int | None = None
    ino: int | None = None
    url: str = ""
    seen: dict[str, list[float]] = field(default_factory=dict)  # url -> [size, mtime] fully read

    @property
    def key(self) -> str:
        """Checkpoint key."""
        return f"{self.fp}:{self.fp_len}"

    def to_json(self) -> dict[str, Any]:
        """The checkpoint value."""
        return asdict(self)

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> FileRecord:
        """Rebuild from a checkpoint value."""
        return cls(**value)

    def mark_seen(self, sf: SourceFile) -> None:
        """Remember that this location was read to its end (for the no-open fast path)."""
        self.seen.pop(sf.url, None)
        self.seen[sf.url] = [sf.size, sf.mtime]
        while len(self.seen) > MAX_SEEN:
            self.seen.pop(next(iter(self.seen)))


def fingerprint(head: bytes) -> tuple[str, int]:
    """(sha1 hex, length) of a file's first bytes."""
    return hashlib.sha1(head, usedforsecurity=False).hexdigest(), len(head)


class FileIndex:
    """Every FileRecord of one LMS site, indexed for the lookups ingest needs."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.by_key: dict[str, FileRecord] = {}
        self.by_inode: dict[tuple[int, int], list[FileRecord]] = {}
        self.by_location: dict[tuple[str, float, float], FileRecord] = {}
        for value in values.values():
            if value:
                self.add(FileRecord.from_json(value))

    def add(self, rec: FileRecord) -> None:
        """Index a record (new or updated)."""
        self.by_key[rec.key] = rec
        if rec.dev is not None and rec.ino is not None:
            lst = self.by_inode.setdefault((rec.dev, rec.ino), [])
            if rec not in lst:
                lst.append(rec)
        for url, (size, mtime) in rec.seen.items():
            self.by_location[(url, size, mtime)] = rec

    def remove(self, rec: FileRecord) -> None:
        """Forget a record (re-keyed after a short file grew)."""
        self.by_key.pop(rec.key, None)
        if rec.dev is not None and rec.ino is not None:
            lst = self.by_inode.get((rec.dev, rec.ino), [])
            if rec in lst:
                lst.remove(rec)

    def unchanged(self, sf: SourceFile) -> bool:
        """True when this exact file (location, size, mtime) was already read to its end."""
        return (sf.url, float(sf.size), float(sf.mtime)) in self.by_location

    def match(self, sf: SourceFile, head: bytes) -> FileRecord | None:
        """The record of the content this file starts with, if known."""
        fp, n = fingerprint(head)
        rec = self.by_key.get(f"{fp}:{n}")
        if rec is not None:
            return rec
        if sf.dev is not None and sf.ino is not None:
            for cand in self.by_inode.get((sf.dev, sf.ino), []):
                if cand.fp_len < n and fingerprint(head[: cand.fp_len])[0] == cand.fp:
                    return cand
        return None


def new_record(sf: SourceFile, head: bytes) -> FileRecord:
    """A record for content never seen before."""
    fp, n = fingerprint(head)
    return FileRecord(fp=fp, fp_len=n, dev=sf.dev, ino=sf.ino, url=sf.url)


def rekeyed(rec: FileRecord, sf: SourceFile, head: bytes) -> FileRecord:
    """The same content under a longer fingerprint (a short file grew)."""
    fp, n = fingerprint(head)
    return FileRecord(
        fp=fp,
        fp_len=n,
        offset=rec.offset,
        line=rec.line,
        complete=rec.complete,
        dev=sf.dev if sf.dev is not None else rec.dev,
        ino=sf.ino if sf.ino is not None else rec.ino,
        url=rec.url,
        seen=dict(rec.seen),
    )


__all__ = ["FP_LEN", "FileIndex", "FileRecord", "fingerprint", "new_record", "rekeyed"]
