"""Reading one tracking-log file: its fingerprint head, and its decoded bytes cut into line chunks.

Chunks hold whole lines only, so they can be parsed anywhere (another process) and a checkpoint
can always name a line boundary. A line longer than `max_line` is never held in memory whole: its
first bytes go to quarantine and the rest is skipped up to the next newline.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import orjson

from learnlake.ingest.sources import (
    PLAIN_BLOCK,
    RAW_BLOCK,
    SourceFile,
    StreamError,
    inflate,
    open_raw,
    raw_blocks,
    sniff,
)
from learnlake.lake.layout import RAW_LIMIT

FP_LEN = 4096  # bytes of decoded content that identify a file
CHUNK_BYTES = 2 * 1024 * 1024
MAX_LINE = 4 * 1024 * 1024


@dataclass
class Chunk:
    """Whole lines starting at `offset` (decoded bytes) and line number `line` + 1."""

    offset: int
    line: int
    data: bytes
    end_offset: int
    end_line: int


@dataclass
class BadRegion:
    """Bytes that cannot be lines: an oversized line, a truncated or corrupt compressed tail."""

    offset: int
    line: int
    head: bytes
    size: int
    reason: str
    end_offset: int
    end_line: int


@dataclass
class End:
    """How far the file was read, and whether its content is final (compressed, read to the end)."""

    end_offset: int
    end_line: int
    complete: bool


Item = Chunk | BadRegion | End


class DecodedFile:
    """A source file's decoded content, with a cheap look at its first bytes."""

    def __init__(self, sf: SourceFile, on_read: Callable[[int], None]) -> None:
        self.sf = sf
        self.on_read = on_read
        self.fh = open_raw(sf)
        self._first = self.fh.read(RAW_BLOCK)
        self.compression = sniff(self._first)
        self._buf = bytearray()
        self._error: StreamError | None = None
        self._gen: Iterator[bytes] | None = None
        if self.compression is not None:
            self._gen = inflate(raw_blocks(self.fh, self._first, RAW_BLOCK, on_read), self.compression)

    def close(self) -> None:
        """Close the underlying file."""
        self.fh.close()

    def head(self) -> bytes:
        """The first FP_LEN decoded bytes (fewer for a short file)."""
        if self._gen is None:
            return self._first[:FP_LEN]
        while len(self._buf) < FP_LEN and self._error is None:
            try:
                self._buf += next(self._gen)
            except StopIteration:
                break
            except StreamError as exc:
                self._error = exc
        return bytes(self._buf[:FP_LEN])

    def blocks(self, offset: int) -> Iterator[bytes]:
        """Decoded bytes from `offset` on; raises StreamError at the end of a damaged stream."""
        if self._gen is None:
            if offset < len(self._first):
                self.on_read(len(self._first) - offset)
                yield self._first[offset:]
            else:
                self.fh.seek(offset)
            yield from raw_blocks(self.fh, b"", PLAIN_BLOCK, self.on_read)
            return
        skip = offset
        if self._buf:
            buffered = bytes(self._buf)
            self._buf.clear()
            if skip < len(buffered):
                yield buffered[skip:]
                skip = 0
            else:
                skip -= len(buffered)
        if self._error is not None:
            raise self._error
        for block in self._gen:
            if skip:
                if skip >= len(block):
                    skip -= len(block)
                    continue
                block = block[skip:]
                skip = 0
            yield block


def _is_complete_json(tail: bytes) -> bool:
    start = tail.find(b"{")
    if start < 0:
        return False
    try:
        orjson.loads(tail[start:])
    except orjson.JSONDecodeError:
        return False
    return True


def chunks(
    blocks: Iterator[bytes],
    offset: int,
    line: int,
    final: bool,
    chunk_bytes: int = CHUNK_BYTES,
    max_line: int = MAX_LINE,
) -> Iterator[Item]:
    """Cut decoded blocks into Chunks of whole lines, ending with one End item.

    `final` says the content will not grow (a compressed file): its last line needs no newline.
    A plain file's unterminated last line is read only when it already is a complete JSON object;
    otherwise it is probably still being written and is left for the next run.
    """
    buf = bytearray()
    skipping: BadRegion | None = None
    error: StreamError | None = None
    try:
        for block in blocks:
            if skipping is not None:
                nl = block.find(b"\n")
                if nl < 0:
                    skipping.size += len(block)
                    continue
                skipping.size += nl + 1
                skipping.end_offset = skipping.offset + skipping.size
                skipping.end_line = line + 1
                yield skipping
                offset, line = skipping.end_offset, skipping.end_line
                skipping = None
                block = block[nl + 1 :]
            buf += block
            while len(buf) >= chunk_bytes:
                cut = buf.rfind(b"\n", 0, chunk_bytes)
                if cut < 0:
                    cut = buf.find(b"\n", chunk_bytes)  # one line longer than a chunk
                if cut < 0:
                    if len(buf) > max_line:
                        skipping = BadRegion(
                            offset,
                            line + 1,
                            bytes(buf[:RAW_LIMIT]),
                            len(buf),
                            f"line longer than {max_line} bytes",
                            0,
                            0,
                        )
                        buf.clear()
                    break
                data = bytes(buf[: cut + 1])
                del buf[: cut + 1]
                end_line = line + data.count(b"\n")
                yield Chunk(offset, line, data, offset + len(data), end_line)
                offset, line = offset + len(data), end_line
    except StreamError as exc:
        error = exc
    if skipping is not None:
        # the oversized line reaches the end of the content
        skipping.end_offset = skipping.offset + skipping.size
        skipping.end_line = line + 1
        if final or error is not None:
            yield skipping
            offset, line = skipping.end_offset, skipping.end_line
        yield End(offset, line, final)
        return
    if buf:
        cut = buf.rfind(b"\n")
        if cut >= 0:
            data = bytes(buf[: cut + 1])
            del buf[: cut + 1]
            end_line = line + data.count(b"\n")
            yield Chunk(offset, line, data, offset + len(data), end_line)
            offset, line = offset + len(data), end_line
    if error is not None:
        size = len(buf)
        yield BadRegion(offset, line + 1, bytes(buf[:RAW_LIMIT]), size, str(error), offset + size, line + 1)
        yield End(offset + size, line + (1 if size else 0), True)
        return
    if buf and (final or _is_complete_json(bytes(buf))):
        data = bytes(buf)
        yield Chunk(offset, line, data, offset + len(data), line + 1)
        offset, line = offset + len(data), line + 1
    yield End(offset, line, final)
