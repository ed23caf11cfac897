"""Benchmark: learnlake's tracking event → xAPI transform vs event-routing-backends (ERB), one core.

Prints one JSON object. ERB is measured in the same run by ../shared/tools/erb-baseline/run_bench.sh
(its own venv, ERB's test settings and LMS stubs, pinned to one CPU); learnlake is measured on the
same input: ERB's 81 raw fixtures (from the sdist the anchor unpacks) repeated to >= --events events,
already in memory, after one warm-up pass, median (and best) of --runs runs, pinned to the same
CPU. On a shared machine the ratios of the best runs are the least sensitive to other processes.

Figures (events per second):
- parse_only: `orjson.loads` of each line (the floor any line-based transform pays);
- transform: `XapiTransformer.transform(event)` → statement dicts (ERB's `transform` mode);
- json_lines: dict → statements → `orjson.dumps` each (ERB's `json_lines` mode minus its json.loads);
- lines_to_arrow: raw lines → `transform_lines` → Arrow batches (parse, transform, serialize, columns);
- all_cores: the same lines in a file → Arrow IPC files, one worker process per CPU, each reading
  its own byte ranges (`learnlake.xapi.parallel`), total events / wall time.

Every figure also comes as events per CPU second (`events_per_cpu_s`, from `time.process_time`;
for all_cores the workers' plus the parent's CPU time): on a shared machine wall rates fall with
the load of other processes, CPU rates much less. ERB's anchor reports wall rates only.

Usage: python bench/xapi.py [--events 20000] [--runs 3] [--cpu 0] [--no-erb] [--erb-events N]
[--erb-modes transform,json_lines] [--log FILE ...]
`--log` adds lines_to_arrow on real or synthetic tracking logs (e.g. `learnlake synth` output).
`--erb-events` times ERB on fewer events than learnlake (its rate does not depend on the count;
1M events would take ERB about 15 minutes per mode). `transformer_build` says whether the mypyc
build (`make native`) or pure Python ran.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson

from learnlake import __version__
from learnlake.xapi import (
    XapiRejected,
    XapiTransformer,
    erb_test_lookups,
    native,
    transform_event,
    transform_lines,
)
from learnlake.xapi.parallel import XapiPool, cpu_count, read_ipc

HERE = Path(__file__).resolve().parent
SHARED = HERE.parent.parent / "shared"
ERB_SCRIPT = SHARED / "tools" / "erb-baseline" / "run_bench.sh"
ERB_VERSION = os.environ.get("ERB_VERSION", "10.1.0")
SDIST_FIXTURES = "src/event_routing_backends/processors/tests/fixtures/current"
SDIST_EXPECTED = "src/event_routing_backends/processors/xapi/tests/fixtures/expected"


def run_erb(events: int, runs: int, cpu: int, modes: str = "transform,json_lines") -> dict[str, Any]:
    """ERB's own benchmark (its transform / processor / json_lines modes), or why it is unavailable."""
    if not ERB_SCRIPT.is_file():
        return {"available": False, "reason": f"{ERB_SCRIPT} not found"}
    env = {**os.environ, "CPU": str(cpu)}
    started = time.perf_counter()
    try:
        proc = subprocess.run(
            ["bash", str(ERB_SCRIPT), "run", str(events), str(runs), "--modes", modes],
            capture_output=True,
            text=True,
            env=env,
            timeout=3600,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return {"available": False, "reason": f"{type(exc).__name__}: {exc}"}
    if proc.returncode != 0:
        tail = [line for line in proc.stderr.splitlines() if "is ignored" not in line][-5:]
        return {"available": False, "reason": f"run_bench.sh exited {proc.returncode}: {' | '.join(tail)}"}
    try:
        report = json.loads(proc.stdout[proc.stdout.index("{") :])
    except ValueError:
        return {"available": False, "reason": "run_bench.sh printed no JSON"}
    rates = {r["mode"]: r["events_per_s_median"] for r in report.get("results", [])}
    best = {r["mode"]: round(r["events"] / min(r["run_seconds"]), 1) for r in report.get("results", [])}
    return {
        "available": True,
        "seconds_incl_setup": round(time.perf_counter() - started, 1),
        "versions": report.get("versions"),
        "python": report.get("python"),
        "events": report.get("results", [{}])[0].get("events"),
        "expected_check": report.get("expected_check"),
        "events_per_s": rates,
        "events_per_s_best": best,
        "raw": report.get("results"),
    }


def sdist_dir() -> Path:
    default = f"{os.environ.get('TMPDIR', '/tmp')}/erb-bench-sdist-{ERB_VERSION}"
    return Path(os.environ.get("SDIST_DIR", default))


def load_fixtures() -> tuple[str, list[tuple[str, dict[str, Any]]]]:
    """ERB's raw fixtures (as ERB's bench uses them), else the shared conformance raw events."""
    folder = sdist_dir() / SDIST_FIXTURES
    label = f"ERB {ERB_VERSION} sdist fixtures"
    if not folder.is_dir():
        folder = SHARED / "conformance" / "xapi" / "raw"
        label = "shared conformance raw events (ERB sdist unavailable)"
    paths = sorted(folder.glob("*.json"))
    return label, [(p.name, json.loads(p.read_text(encoding="utf-8"))) for p in paths]


def conformance(fixtures: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """learnlake vs ERB's expected statements (transformer version excepted) on these fixtures."""
    key = "https://w3id.org/xapi/openedx/extension/transformer-version"

    def neutral(statements: list[dict[str, Any]]) -> list[dict[str, Any]]:
        out = json.loads(json.dumps(statements))
        for st in out:
            st.get("context", {}).get("extensions", {}).pop(key, None)
        return out

    expected_dirs = [sdist_dir() / SDIST_EXPECTED, SHARED / "conformance" / "xapi" / "expected"]
    lookups = erb_test_lookups()
    same, differ = 0, []
    for name, event in fixtures:
        path = next((d / name for d in expected_dirs if (d / name).is_file()), None)
        if path is None or "anonymous" in name:
            continue
        expected = json.loads(path.read_text(encoding="utf-8"))
        expected = expected if isinstance(expected, list) else [expected]
        try:
            produced = transform_event(event, lookups)
        except XapiRejected as exc:
            differ.append(f"{name}: {exc.reason}")
            continue
        if neutral(produced) == neutral(expected):
            same += 1
        else:
            differ.append(name)
    return {"identical": same, "compared": same + len(differ), "differ": differ}


def timed(fn: Callable[[], int], runs: int, n_events: int) -> dict[str, Any]:
    """Wall and CPU time of `runs` calls; CPU time (this process) is the figure that other
    processes on a shared machine disturb least."""
    seconds, cpu = [], []
    out = 0
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        out = fn()
        seconds.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    median = statistics.median(seconds)
    return {
        "events": n_events,
        "outputs": out,
        "run_seconds": [round(s, 4) for s in seconds],
        "cpu_seconds": [round(s, 4) for s in cpu],
        "events_per_s": round(n_events / median, 1),
        "events_per_s_best": round(n_events / min(seconds), 1),
        "events_per_cpu_s": round(n_events / statistics.median(cpu), 1),
    }


def measure_learnlake(events: list[dict[str, Any]], lines: list[bytes], runs: int) -> dict[str, Any]:
    lookups = erb_test_lookups()
    tf = XapiTransformer(lookups)
    transform = tf.transform
    dumps, loads = orjson.dumps, orjson.loads

    def parse_only() -> int:
        for line in lines:
            loads(line)
        return len(lines)

    def transform_only() -> int:
        n = 0
        for event in events:
            try:
                n += len(transform(event))
            except XapiRejected:  # the anonymous fixture, as ERB's router skips it
                continue
        return n

    def json_lines() -> int:
        n = 0
        for event in events:
            try:
                for statement in transform(event):
                    dumps(statement)
                    n += 1
            except XapiRejected:
                pass
        return n

    def lines_to_arrow() -> int:
        n = 0
        for batch in transform_lines(lines, lookups, "bench", 50_000, normalize=False, transformer=tf):
            n += batch.statements.num_rows
        return n

    for fn in (parse_only, transform_only, json_lines, lines_to_arrow):  # warm-up: imports, caches
        fn()
    return {
        "parse_only": timed(parse_only, runs, len(lines)),
        "transform": timed(transform_only, runs, len(events)),
        "json_lines": timed(json_lines, runs, len(events)),
        "lines_to_arrow": timed(lines_to_arrow, runs, len(lines)),
    }


def measure_all_cores(lines: list[bytes], runs: int) -> dict[str, Any]:
    """Raw lines in a file → Arrow IPC files, one worker process per CPU (`learnlake.xapi.parallel`).

    Each worker reads its own byte ranges of the file and writes its own Arrow files; the parent
    only plans chunks and collects small results. Timed after a warm-up pass (workers started,
    caches filled). `events_per_cpu_s` = events / (workers' + parent's CPU seconds): the per-core
    efficiency of the parallel path; `events_per_s_if_cpus_idle` = that × workers, what the
    machine gives when nothing else runs (the wall rate on a shared machine is lower).
    """
    workers = cpu_count()
    with tempfile.TemporaryDirectory(prefix="learnlake-xapi-bench-") as tmp:
        log = Path(tmp) / "events.ndjson"
        with log.open("wb") as handle:
            handle.writelines(lines)
        out_dir = Path(tmp) / "arrow"
        out_dir.mkdir()
        with XapiPool(erb_test_lookups(), workers) as pool:

            def run() -> tuple[int, float]:
                rows, worker_cpu = 0, 0.0
                for result in pool.results([log], normalize=False, out_dir=out_dir):
                    rows += sum(batch.num_rows for batch in read_ipc(result.ipc))
                    worker_cpu += result.cpu_seconds
                return rows, worker_cpu

            run()  # warm-up
            seconds, cpu, outputs = [], [], 0
            for _ in range(runs):
                start, start_cpu = time.perf_counter(), time.process_time()
                outputs, worker_cpu = run()
                seconds.append(time.perf_counter() - start)
                cpu.append(worker_cpu + time.process_time() - start_cpu)
    per_cpu = len(lines) / statistics.median(cpu)
    return {
        "events": len(lines),
        "outputs": outputs,
        "workers": workers,
        "run_seconds": [round(s, 4) for s in seconds],
        "cpu_seconds": [round(s, 4) for s in cpu],
        "events_per_s": round(len(lines) / statistics.median(seconds), 1),
        "events_per_s_best": round(len(lines) / min(seconds), 1),
        "events_per_cpu_s": round(per_cpu, 1),
        "events_per_s_if_cpus_idle": round(per_cpu * workers, 1),
    }


def read_log(path: Path) -> Iterator[bytes]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as handle:
        yield from handle


def measure_log(path: Path) -> dict[str, Any]:
    """lines_to_arrow over a tracking log file (streamed from disk, tracking-log normalization on)."""
    lookups = erb_test_lookups()
    start = time.perf_counter()
    lines = statements = quarantined = not_mapped = 0
    for batch in transform_lines(read_log(path), lookups, str(path)):
        lines += batch.lines
        statements += batch.statements.num_rows
        quarantined += len(batch.quarantine)
        not_mapped += sum(batch.not_mapped.values())
    seconds = time.perf_counter() - start
    return {
        "file": str(path),
        "lines": lines,
        "statements": statements,
        "not_mapped": not_mapped,
        "quarantined": quarantined,
        "seconds": round(seconds, 3),
        "lines_per_s": round(lines / seconds, 1),
    }


def ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 1) if a and b else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20_000, help="minimum events per timed run")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cpu", type=int, default=0, help="CPU both single-core figures are pinned to")
    parser.add_argument("--no-erb", action="store_true", help="skip the ERB anchor")
    parser.add_argument("--erb-events", type=int, default=None, help="events for ERB (default: --events)")
    parser.add_argument("--erb-modes", default="transform,json_lines", help="ERB modes to time")
    parser.add_argument("--no-all-cores", action="store_true")
    parser.add_argument("--log", type=Path, action="append", default=[], help="also time this tracking log")
    args = parser.parse_args()

    erb: dict[str, Any] = {"available": False, "reason": "--no-erb"}
    if not args.no_erb:
        erb = run_erb(args.erb_events or args.events, args.runs, args.cpu, args.erb_modes)
    label, fixtures = load_fixtures()
    copies = -(-args.events // len(fixtures))
    events = [event for _ in range(copies) for _name, event in fixtures]
    lines = [orjson.dumps(event) + b"\n" for event in events]

    all_cores = None if args.no_all_cores else measure_all_cores(lines, args.runs)
    affinity = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_setaffinity") else None
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {args.cpu})
    single = measure_learnlake(events, lines, args.runs)
    logs = [measure_log(path) for path in args.log]

    ours = {mode: single[mode]["events_per_s"] for mode in single}
    ours_best = {mode: single[mode]["events_per_s_best"] for mode in single}
    ours_cpu = {mode: single[mode]["events_per_cpu_s"] for mode in single}
    theirs = erb.get("events_per_s", {}) if erb.get("available") else {}
    theirs_best = erb.get("events_per_s_best", {}) if erb.get("available") else {}
    report = {
        "learnlake": __version__,
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f} at the end",
        "transformer_build": native.STATUS,
        "cpu_pinned": args.cpu,
        "cpus_available": affinity,
        "input": {
            "fixtures": label,
            "distinct_events": len(fixtures),
            "copies": copies,
            "events": len(events),
        },
        "conformance": conformance(fixtures),
        "learnlake_events_per_s": ours,
        "learnlake_events_per_cpu_s": ours_cpu,
        "learnlake_all_cores_events_per_s": all_cores["events_per_s"] if all_cores else None,
        "learnlake_all_cores_events_per_cpu_s": all_cores["events_per_cpu_s"] if all_cores else None,
        "learnlake_all_cores_events_per_s_if_cpus_idle": (
            all_cores["events_per_s_if_cpus_idle"] if all_cores else None
        ),
        "erb_events_per_s": theirs or None,
        "erb_anchor": {k: v for k, v in erb.items() if k != "raw"},
        "ratios": {
            "transform_vs_erb_transform": ratio(ours["transform"], theirs.get("transform")),
            "json_lines_vs_erb_json_lines": ratio(ours["json_lines"], theirs.get("json_lines")),
            "lines_to_arrow_vs_erb_json_lines": ratio(ours["lines_to_arrow"], theirs.get("json_lines")),
            "lines_to_arrow_vs_parse_only": round(ours["lines_to_arrow"] / ours["parse_only"], 3),
            "transform_vs_parse_only": round(ours["transform"] / ours["parse_only"], 3),
            "cpu_transform_vs_erb_transform": ratio(ours_cpu["transform"], theirs.get("transform")),
            "cpu_lines_to_arrow_vs_parse_only": round(ours_cpu["lines_to_arrow"] / ours_cpu["parse_only"], 3),
            "cpu_transform_vs_parse_only": round(ours_cpu["transform"] / ours_cpu["parse_only"], 3),
            "all_cores_vs_one_core_lines_to_arrow": (
                round(all_cores["events_per_s"] / ours["lines_to_arrow"], 2) if all_cores else None
            ),
            "best_run_transform_vs_erb_transform": ratio(
                ours_best["transform"], theirs_best.get("transform")
            ),
            "best_run_json_lines_vs_erb_json_lines": ratio(
                ours_best["json_lines"], theirs_best.get("json_lines")
            ),
        },
        "targets": {
            "per_core_100x_erb": (ours["transform"] / theirs["transform"] >= 100) if theirs else None,
            "per_core_half_parse_only": ours["lines_to_arrow"] / ours["parse_only"] >= 0.5,
            "per_core_half_parse_only_transform_alone": ours["transform"] / ours["parse_only"] >= 0.5,
            "machine_150k_events_per_s": (all_cores["events_per_s"] >= 150_000) if all_cores else None,
            "machine_150k_events_per_s_if_cpus_idle": (
                (all_cores["events_per_s_if_cpus_idle"] >= 150_000) if all_cores else None
            ),
        },
        "details": {"single_core": single, "all_cores": all_cores, "logs": logs, "erb_raw": erb.get("raw")},
    }
    json.dump(report, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
