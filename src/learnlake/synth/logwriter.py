"""Tracking log files as logrotate leaves them: `tracking.log-YYYYMMDD-<n>.gz` per day (a new
`<n>` whenever a day outgrows the size limit) plus the live, uncompressed `tracking.log`.

Output is byte-for-byte reproducible: the gzip header has no file name and mtime 0, and the
compression level is fixed. Compression runs in a background thread (zlib releases the GIL), so
it overlaps with generating the next day's events.
"""

from __future__ import annotations

import datetime as dt
import queue
import struct
import threading
import zlib
from collections.abc import Iterable
from pathlib import Path

DEFAULT_MAX_BYTES = 128 * 1024 * 1024  # uncompressed bytes per rotated file
DEFAULT_LEVEL = 3  # gzip level: ~12x smaller, several times faster than -6
_CHUNK = 1 << 20
_HEADER_OS_UNKNOWN = 255


def gzip_bytes(data: bytes, level: int = DEFAULT_LEVEL) -> bytes:
    """`data` as one gzip member with a fixed header (no name, mtime 0)."""
    return b"".join(_gzip_parts([data], level))


def _gzip_parts(chunks: Iterable[bytes], level: int) -> Iterable[bytes]:
    xfl = 2 if level == 9 else 4 if level == 1 else 0
    yield struct.pack("<BBBBIBB", 0x1F, 0x8B, 8, 0, 0, xfl, _HEADER_OS_UNKNOWN)
    comp = zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS, 9)
    crc = 0
    size = 0
    for chunk in chunks:
        for i in range(0, len(chunk), _CHUNK):
            piece = chunk[i : i + _CHUNK]
            crc = zlib.crc32(piece, crc)
            size += len(piece)
            out = comp.compress(piece)
            if out:
                yield out
    yield comp.flush()
    yield struct.pack("<II", crc & 0xFFFFFFFF, size & 0xFFFFFFFF)


def split_lines(data: bytes, max_bytes: int) -> list[bytes]:
    """`data` (newline-terminated lines) cut at line ends into pieces of at most `max_bytes`
    (a single longer line stays whole)."""
    pieces = []
    start = 0
    n = len(data)
    while n - start > max_bytes:
        cut = data.rfind(b"\n", start, start + max_bytes)
        cut = data.find(b"\n", start + max_bytes) if cut < 0 else cut
        if cut < 0:
            break
        pieces.append(data[start : cut + 1])
        start = cut + 1
    if start < n or not pieces:
        pieces.append(data[start:])
    return pieces


class TrackingLogWriter:
    """Writes one day of events at a time into `<out>/tracking/`."""

    def __init__(
        self,
        folder: Path,
        max_bytes: int = DEFAULT_MAX_BYTES,
        level: int = DEFAULT_LEVEL,
        background: bool = True,
    ) -> None:
        self.folder = folder
        self.max_bytes = max_bytes
        self.level = level
        self.files: list[Path] = []
        self.bytes_written = 0
        folder.mkdir(parents=True, exist_ok=True)
        self._jobs: queue.Queue[tuple[Path, bytes, bool] | None] = queue.Queue(maxsize=2)
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None
        if background:
            self._thread = threading.Thread(target=self._work, name="tracking-log-writer", daemon=True)
            self._thread.start()

    def write_day(self, day: dt.date, data: bytes, live: bool = False) -> list[Path]:
        """Queue one day's lines: rotated .gz files, or the live tracking.log when `live`."""
        if self._error is not None:
            raise RuntimeError("writing tracking logs failed") from self._error
        if live:
            jobs = [(self.folder / "tracking.log", data, False)]
        else:
            stamp = day.strftime("%Y%m%d")
            jobs = [
                (self.folder / f"tracking.log-{stamp}-{n}.gz", piece, True)
                for n, piece in enumerate(split_lines(data, self.max_bytes), start=1)
            ]
        for job in jobs:
            self.files.append(job[0])
            if self._thread is None:
                self._write(*job)
            else:
                self._jobs.put(job)
        return [job[0] for job in jobs]

    def close(self) -> list[Path]:
        """Wait for every queued file to be on disk; returns the files written."""
        if self._thread is not None:
            self._jobs.put(None)
            self._thread.join()
            self._thread = None
        if self._error is not None:
            raise RuntimeError("writing tracking logs failed") from self._error
        return list(self.files)

    def _work(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            if self._error is None:
                try:
                    self._write(*job)
                except BaseException as exc:  # reported by write_day/close in the caller's thread
                    self._error = exc

    def _write(self, path: Path, data: bytes, compress: bool) -> None:
        tmp = path.with_name(path.name + ".part")
        with tmp.open("wb") as fh:
            if compress:
                for part in _gzip_parts([data], self.level):
                    fh.write(part)
            else:
                fh.write(data)
            self.bytes_written += fh.tell()
        tmp.replace(path)
