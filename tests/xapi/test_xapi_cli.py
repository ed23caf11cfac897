"""`learnlake xapi transform|validate|events`: NDJSON out, reasons on stderr, exit codes."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import orjson
from xapi_helpers import CONFORMANCE, OURS, load_expected, load_raw, neutral_version

ERB_ACTOR = "32e08e30-f8ae-4ce2-94a8-c2bfe38a70cb"


def xapi(*args: str, cwd: Path, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "learnlake", "xapi", *args],
        capture_output=True,
        cwd=cwd,
        input=stdin,
        env={"PATH": "/usr/bin:/bin", "COLUMNS": "200", "HOME": str(cwd)},
        timeout=120,
    )


def erb_maps(tmp_path: Path) -> list[str]:
    (tmp_path / "actors.json").write_text(json.dumps({"*": ERB_ACTOR}))
    (tmp_path / "courses.json").write_text(json.dumps({"*": "Demonstration Course"}))
    return ["--actor-map", str(tmp_path / "actors.json"), "--course-names", str(tmp_path / "courses.json")]


def rejections(stderr: bytes) -> list[dict[str, object]]:
    return [json.loads(line) for line in stderr.decode().splitlines() if line.startswith("{")]


def test_transform_fixture_files_gives_erb_statements(tmp_path: Path) -> None:
    names = [
        "edx.course.enrollment.activated",
        "problem_check(server,multiple_questions,incorrect)",
        "edx.ui.lms.link_clicked(anonymous_user)",
    ]
    inputs = [str(CONFORMANCE / "raw" / f"{n}.json") for n in names]
    proc = xapi("transform", *erb_maps(tmp_path), *inputs, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr.decode()
    produced = [json.loads(line) for line in proc.stdout.splitlines()]
    expected = [*(load_expected(names[0]) or []), *(load_expected(names[1]) or [])]
    assert [neutral_version(s, OURS) for s in produced] == [neutral_version(s) for s in expected]
    (reason,) = rejections(proc.stderr)
    assert reason["reason"] == "anonymous_user" and reason["event"] == "edx.ui.lms.link_clicked"
    assert str(reason["source"]).endswith("(anonymous_user).json")


def test_tracking_log_with_bad_lines_exits_3(tmp_path: Path) -> None:
    log = tmp_path / "tracking.log.gz"
    lines = [
        b"Jul 15 06:52:55 lms-1 tracking: " + orjson.dumps(load_raw("play_video")),
        b"",
        b'{"name": "play_video", "timest',
        orjson.dumps({"name": "page_close", "event": "", "time": "2020-07-15T06:36:01Z"}),
    ]
    log.write_bytes(gzip.compress(b"\n".join(lines) + b"\n"))
    out = tmp_path / "statements.ndjson"
    proc = xapi("transform", *erb_maps(tmp_path), "--out", str(out), str(log), cwd=tmp_path)
    assert proc.returncode == 3
    assert proc.stdout == b""
    (statement,) = [json.loads(line) for line in out.read_bytes().splitlines()]
    assert statement["verb"]["id"] == "https://w3id.org/xapi/video/verbs/played"
    reasons = {(r["line"], r["reason"]) for r in rejections(proc.stderr)}
    assert reasons == {(3, "malformed_json"), (4, "not_mapped")}
    assert "1 statements from 1 events" in proc.stderr.decode()


def test_stdin_lms_url_and_assigned_actor_ids(tmp_path: Path) -> None:
    event = load_raw("play_video")
    export = tmp_path / "assigned.json"
    proc = xapi(
        "transform",
        "--lms-url",
        "https://lms.example.com/",
        "--export-actor-map",
        str(export),
        "--no-summary",
        "-",
        cwd=tmp_path,
        stdin=orjson.dumps(event) + b"\n",
    )
    assert proc.returncode == 0, proc.stderr.decode()
    (statement,) = [json.loads(line) for line in proc.stdout.splitlines()]
    assert statement["object"]["id"].startswith("https://lms.example.com/xblock/")
    assigned = json.loads(export.read_text())
    assert statement["actor"]["account"] == {"name": assigned["3"], "homePage": "https://lms.example.com"}
    again = xapi(
        "transform",
        "--lms-url",
        "https://lms.example.com",
        "--no-summary",
        "-",
        cwd=tmp_path,
        stdin=orjson.dumps(event) + b"\n",
    )
    assert again.stdout == proc.stdout  # deterministic across runs
    assert proc.stderr == b""


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert xapi("transform", str(tmp_path / "missing.log"), cwd=tmp_path).returncode == 2
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2")
    raw = str(CONFORMANCE / "raw" / "play_video.json")
    proc = xapi("transform", "--actor-map", str(bad), raw, cwd=tmp_path)
    assert proc.returncode == 2 and b"actor map" in proc.stderr
    assert xapi("transform", "--actor-mode", "email", raw, cwd=tmp_path).returncode == 2


def test_validate(tmp_path: Path) -> None:
    statements = tmp_path / "ok.ndjson"
    raw = [str(CONFORMANCE / "raw" / f"{n}.json") for n in ("play_video", "edx.forum.thread.created")]
    proc = xapi("transform", *erb_maps(tmp_path), "--out", str(statements), *raw, cwd=tmp_path)
    assert proc.returncode == 0
    ok = xapi("validate", str(statements), cwd=tmp_path)
    assert ok.returncode == 0 and b"2 statements: 2 valid" in ok.stdout
    broken = [json.loads(line) for line in statements.read_bytes().splitlines()]
    broken[1]["verb"]["id"] = "posted"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(broken))
    proc = xapi("validate", str(bad), cwd=tmp_path)
    assert proc.returncode == 1 and b"verb.id" in proc.stderr and b"1 invalid" in proc.stdout
    multi = tmp_path / "multi.json"
    multi.write_text(
        (CONFORMANCE / "expected" / "problem_check(server,multiple_questions,incorrect).json").read_text()
    )
    assert xapi("validate", str(multi), cwd=tmp_path).returncode == 0  # ERB quirks are warnings
    assert xapi("validate", "--strict", str(multi), cwd=tmp_path).returncode == 1


def test_events_lists_the_mapping(tmp_path: Path) -> None:
    proc = xapi("events", cwd=tmp_path)
    assert proc.returncode == 0
    names = proc.stdout.decode().split()
    assert len(names) == 65 and "problem_check" in names and "edx.video.closed_captions.shown" in names


def test_truncated_gzip_keeps_complete_lines(tmp_path: Path) -> None:
    event = load_raw("pause_video")
    lines = []
    for i in range(3000):
        event["timestamp"] = f"2020-07-15T06:{i // 60 % 60:02d}:{i % 60:02d}.{i + 1:06d}+00:00"
        event["context"]["session"] = f"s{i * 7919}"
        lines.append(orjson.dumps(event) + b"\n")
    data = gzip.compress(b"".join(lines))
    log = tmp_path / "cut.log.gz"
    log.write_bytes(data[: len(data) // 2])
    proc = xapi("transform", *erb_maps(tmp_path), "--no-summary", str(log), cwd=tmp_path)
    assert proc.returncode == 3
    produced = proc.stdout.splitlines()
    assert 500 < len(produced) < 3000
    assert rejections(proc.stderr)[-1]["reason"] == "truncated_input"
