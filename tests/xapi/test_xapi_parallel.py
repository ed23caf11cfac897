"""The multi-process path: workers read their own byte ranges and return Arrow IPC, the parent
reassembles batches that equal the single-process `transform_lines` output."""

from __future__ import annotations

import gzip
import uuid
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pytest
from xapi_helpers import load_raw, raw_names

from learnlake.xapi import ActorAssigner, StaticLookups, XapiBatch, transform_lines
from learnlake.xapi.parallel import (
    Chunk,
    XapiPool,
    _chunk_lines,
    plan_chunks,
    transform_files,
)


def log_lines() -> list[bytes]:
    """Every fixture (tracking-log and async forms), plus blank, bad-JSON and prefixed lines."""
    lines = [orjson.dumps(load_raw(name)) + b"\n" for name in raw_names()]
    lines[3:3] = [b"\n", b"not json at all\n", b"Jan 1 host tracking: " + lines[5], b"{broken\n"]
    return lines * 3


def write(path: Path, lines: list[bytes]) -> Path:
    path.write_bytes(b"".join(lines))
    return path


def summary(batches: list[XapiBatch]) -> dict[str, Any]:
    """What must not depend on how the input was split: rows, quarantine, counters, line span."""
    table = pa.Table.from_batches([b.statements for b in batches]) if batches else None
    not_mapped: dict[str, int] = {}
    skipped: dict[str, int] = {}
    for b in batches:
        for k, v in b.not_mapped.items():
            not_mapped[k] = not_mapped.get(k, 0) + v
        for k, v in b.skipped.items():
            skipped[k] = skipped.get(k, 0) + v
    return {
        "rows": table.to_pylist() if table is not None else [],
        "quarantine": [(q.line, q.offset, q.reason, q.raw) for b in batches for q in b.quarantine],
        "events": sum(b.events for b in batches),
        "lines": sum(b.lines for b in batches),
        "not_mapped": not_mapped,
        "skipped": skipped,
        "last": (batches[-1].next_line, batches[-1].end_offset) if batches else None,
    }


@pytest.mark.parametrize("chunk_bytes", [1, 97, 1000, 4096, 10**9])
def test_chunks_read_every_line_once(tmp_path: Path, chunk_bytes: int) -> None:
    lines = [*log_lines()[:40], b"last line without newline"]
    path = write(tmp_path / "t.log", lines)
    got: list[bytes] = []
    for chunk in plan_chunks([path], chunk_bytes):
        with path.open("rb") as handle:
            got.extend(_chunk_lines(handle, chunk)[1])
    assert got == lines


def test_chunk_starting_exactly_at_a_line(tmp_path: Path) -> None:
    path = write(tmp_path / "t.log", [b"aa\n", b"b\rb\n", b"cc\n"])
    with path.open("rb") as handle:
        start, lines = _chunk_lines(handle, Chunk(str(path), 1, 3, 7))
        assert start == 3 and list(lines) == [b"b\rb\n"]  # split at newlines only
    with path.open("rb") as handle:
        start, lines = _chunk_lines(handle, Chunk(str(path), 1, 4, 7))  # inside "b\rb": next line
        assert start == 7 and list(lines) == []
    with path.open("rb") as handle:
        start, lines = _chunk_lines(handle, Chunk(str(path), 0, 0, 4))  # "b\rb" starts before 4
        assert start == 0 and list(lines) == [b"aa\n", b"b\rb\n"]


@pytest.mark.parametrize("workers", [1, 2])
def test_same_batches_as_one_process(tmp_path: Path, lookups: StaticLookups, workers: int) -> None:
    lines = log_lines()
    path = write(tmp_path / "tracking.log", lines)
    want = summary(list(transform_lines(lines, lookups, str(path))))
    got = summary(list(transform_files([path], lookups, workers=workers, chunk_bytes=5000)))
    assert got == want
    assert got["rows"] and got["quarantine"] and got["skipped"]  # the comparison covers every outcome


def test_several_files_gzip_and_arrow_files(tmp_path: Path, lookups: StaticLookups) -> None:
    lines = log_lines()
    plain = write(tmp_path / "a.log", lines)
    packed = tmp_path / "b.log.gz"
    packed.write_bytes(gzip.compress(b"".join(lines)))
    out = tmp_path / "arrow"
    out.mkdir()
    with XapiPool(lookups, 2) as pool:
        batches = list(pool.transform_files([plain, packed], out_dir=out, chunk_bytes=20_000))
        results = list(pool.results([plain], chunk_bytes=20_000))
    want = summary(list(transform_lines(lines, lookups, "x")))
    for source in (str(plain), str(packed)):
        assert summary([b for b in batches if b.source == source]) == want
    assert sorted(p.name for p in out.iterdir())[0] == "a_log-000000.arrow"
    assert len([r for r in results if r.lines]) > 1 and all(r.cpu_seconds >= 0 for r in results)


def test_worker_assignments_reach_the_parent(tmp_path: Path) -> None:
    assigner = ActorAssigner(uuid.UUID(int=7))
    lookups = StaticLookups(course_names={"*": "Demo"}, assigner=assigner)
    path = write(tmp_path / "t.log", log_lines())
    batches = list(transform_files([path], lookups, workers=2, chunk_bytes=5000))
    actors = {a for b in batches for a in b.statements.column("actor_id").to_pylist()}
    assert actors and actors <= set(assigner.assigned.values())
    assert assigner.assigned == {k: assigner.assign(k) for k in assigner.assigned}  # the same ids


def test_unpicklable_lookups_are_a_clear_error(lookups: StaticLookups) -> None:
    class Local(StaticLookups):  # a class defined in a function cannot be pickled
        pass

    with pytest.raises(TypeError, match="workers=1"):
        XapiPool(Local(), 2)
