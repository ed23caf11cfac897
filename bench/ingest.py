"""Ingest benchmark: end-to-end tracking logs → lake + warehouse, at two sizes, printed as JSON.

Builds (once, cached under --cache) the input of each size, then measures it. Two sources:

- `synth` (default): a synthetic Open edX site made by `learnlake synth` (the library API,
  `generate_site`, with one simulation worker per core). Days and courses are fixed
  (SYNTH_DAYS, SYNTH_COURSES); the number of learners sets the size. A one-off calibration site
  (CALIBRATION_LEARNERS learners, cached in `<cache>/synth-calibration.json`) gives the events per
  learner-day, from which the large site gets about --events events; the small site has the
  same days and courses and a tenth (1/--small-ratio) of the learners. Each site is kept in
  `<cache>/synth-<target events>/` (COMPLETE marks a finished one and records its options) and
  its tracking logs (`tracking/`: rotated .gz files plus the live, plain `tracking.log`) are
  ingested. The actual event counts are reported. Delete the cache after changing the synth code.
- `templates`: gzip tracking-log sets built from the real events in ../shared (xAPI conformance
  inputs and Insights fixtures), each line with its own time, user id, username and IP, in
  `<cache>/logs-<events>/`.

Building is timed (`build_seconds`, near 0 when the cache is reused) but is not part of the
ingest figures. Then, for each size, it measures:

- the orjson parse-only rate of the same files on one core (decompress + split + orjson.loads);
- `learnlake ingest tracking-logs` end to end (read → parse → xAPI → Parquet lake, then the
  warehouse views) on all cores: events/s, statements/s, MB/s, peak RSS (sum over the process
  and its workers, sampled every 50 ms), peak PSS (the same, with pages shared between the
  processes, such as the Python and Arrow libraries, counted once), and the CPU seconds used,
  with events per CPU second and CPU seconds per million events: on a machine shared with other
  work the wall-clock rate understates what the code does, and `events_per_s_if_all_cores` =
  events / (CPU s / cores) is the rate the same work would reach with every core to itself;
- a second, unchanged run (seconds).

Usage: python bench/ingest.py [--source synth|templates] [--events 4000000] [--small-ratio 10]
                              [--cache DIR] [--workers N] [--seed 1] [--no-parse-baseline] [--keep]
"""

from __future__ import annotations

import argparse
import copy
import gzip
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from pathlib import Path
from typing import Any

import orjson

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
FILE_EVENTS = 500_000
SPAN_DAYS = 60
DEFAULT_LMS_ROOT_URL = "https://lms.example.org"
# synth source: the site's shape is fixed, its number of learners sets its size
SYNTH_DAYS = 90
SYNTH_COURSES = 6
SYNTH_ORGS = 3
CALIBRATION_LEARNERS = 250  # ~150k events, a few seconds


def templates() -> list[bytes]:
    """Real events as JSON byte templates with %-placeholders for time, user id, username, IP."""
    events: list[dict[str, Any]] = []
    for f in sorted((SHARED / "conformance/insights").glob("*/inputs/*.log")):
        for line in f.read_text().splitlines():
            if line.strip().startswith("{"):
                events.append(json.loads(line))
    # as many draws of the xAPI-mapped conformance events as of the (older, mostly unmapped) Insights lines
    mapped = [json.loads(f.read_text()) for f in sorted((SHARED / "conformance/xapi/raw").glob("*.json"))]
    events += mapped * max(1, len(events) // len(mapped))
    out = []
    for ev in events:
        ev = copy.deepcopy(ev)
        ev["time" if "time" in ev or "timestamp" not in ev else "timestamp"] = "@T@"
        ctx = ev.get("context") if isinstance(ev.get("context"), dict) else ev.setdefault("context", {})
        ctx["user_id"] = "@U@"
        for holder in (ev, ctx):
            if "username" in holder:
                holder["username"] = "learner@N@"
            if "ip" in holder:
                holder["ip"] = "10.0.@N@"
        text = orjson.dumps(ev).replace(b"%", b"%%")
        text = text.replace(b'"@T@"', b'"%(t)s"').replace(b'"@U@"', b"%(u)d").replace(b"@N@", b"%(u)d")
        out.append(text)
    return out


def build(folder: Path, events: int, seed: int = 1) -> list[Path]:
    """gzip logs of `events` lines (cached: reused when the folder is complete)."""
    done = folder / "COMPLETE"
    if done.exists():
        return sorted(folder.glob("tracking.log*.gz"))
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    tpl = templates()
    rng = random.Random(seed)
    start = time.mktime((2024, 1, 1, 0, 0, 0, 0, 0, 0)) - time.timezone
    step = SPAN_DAYS * 86400 / events
    files = []
    n = 0
    idx = 0
    while n < events:
        count = min(FILE_EVENTS, events - n)
        path = folder / f"tracking.log-{idx:04d}.gz"
        comp = zlib.compressobj(1, zlib.DEFLATED, 31)
        with open(path, "wb") as fh:
            buf = []
            for i in range(n, n + count):
                t = start + i * step + rng.random() * step
                secs = int(t)
                stamp = (
                    time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(secs))
                    + f".{int((t - secs) * 1e6):06d}+00:00"
                )
                buf.append(
                    tpl[rng.randrange(len(tpl))] % {b"t": stamp.encode(), b"u": rng.randrange(1, 50_000)}
                )
                if len(buf) >= 20_000:
                    fh.write(comp.compress(b"\n".join(buf) + b"\n"))
                    buf = []
            if buf:
                fh.write(comp.compress(b"\n".join(buf) + b"\n"))
            fh.write(comp.flush())
        files.append(path)
        n += count
        idx += 1
    done.write_text(str(events))
    return files


def _synth_options(folder: Path, learners: int, seed: int) -> Any:
    from learnlake.synth.site import SynthOptions

    return SynthOptions(
        seed=seed,
        orgs=SYNTH_ORGS,
        courses=SYNTH_COURSES,
        learners=learners,
        days=SYNTH_DAYS,
        out=folder,
        workers=os.cpu_count() or 1,
    )


def _synth_shape(learners: int, seed: int) -> dict[str, int]:
    """What identifies a synth site (and so whether a cached one can be reused)."""
    return {
        "learners": learners,
        "days": SYNTH_DAYS,
        "courses": SYNTH_COURSES,
        "orgs": SYNTH_ORGS,
        "seed": seed,
    }


def _generate(folder: Path, learners: int, seed: int) -> dict[str, Any]:
    """Run `learnlake synth` (library API) into `folder`; its figures."""
    from learnlake.progress import progress
    from learnlake.synth.course_index import SiteUrls
    from learnlake.synth.site import generate_site

    options = _synth_options(folder, learners, seed)
    t0 = time.perf_counter()
    with progress(f"synth {learners} learners", unit="events") as reporter:
        summary = generate_site(options, reporter)
    secs = time.perf_counter() - t0
    return {
        **_synth_shape(learners, seed),
        "workers": os.cpu_count() or 1,
        "events": summary.events,
        "events_per_learner_day": round(summary.events / (learners * SYNTH_DAYS), 3),
        "generation_seconds": round(secs, 1),
        "generation_events_per_min": round(summary.events / secs * 60),
        "lms_root_url": SiteUrls(options.lms_host).root,
    }


def calibrate(cache: Path, seed: int = 1) -> dict[str, Any]:
    """Events per learner-day of a small synth site of the benchmark's shape (cached)."""
    path = cache / "synth-calibration.json"
    shape = _synth_shape(CALIBRATION_LEARNERS, seed)
    if path.exists():
        info = json.loads(path.read_text())
        if {k: info.get(k) for k in shape} == shape:
            return {**info, "reused": True}
    site = cache / "synth-calibration-site"
    shutil.rmtree(site, ignore_errors=True)
    try:
        info = _generate(site, CALIBRATION_LEARNERS, seed)
    finally:
        shutil.rmtree(site, ignore_errors=True)
    cache.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(info))
    return {**info, "reused": False}


def build_synth(folder: Path, learners: int, seed: int = 1) -> tuple[list[Path], dict[str, Any]]:
    """A synth site of `learners` learners in `folder` (cached: reused when COMPLETE records the
    same options); its tracking logs and the generation figures."""
    done = folder / "COMPLETE"
    shape = _synth_shape(learners, seed)
    if done.exists():
        info = json.loads(done.read_text())
        if {k: info.get(k) for k in shape} == shape:
            return synth_logs(folder), {**info, "reused": True}
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    info = _generate(folder, learners, seed)
    done.write_text(json.dumps(info))
    return synth_logs(folder), {**info, "reused": False}


def synth_logs(folder: Path) -> list[Path]:
    """The tracking logs of a synth site: `tracking/tracking.log-*.gz` and the live `tracking.log`."""
    return sorted((folder / "tracking").glob("tracking.log*"))


def _open_log(path: Path) -> Any:
    """A tracking log for reading: gzip by its magic bytes (synth's live tracking.log is plain)."""
    with open(path, "rb") as fh:
        magic = fh.read(2)
    return gzip.open(path, "rb") if magic == b"\x1f\x8b" else open(path, "rb")


def parse_only(files: list[Path]) -> dict[str, float]:
    """Decompress, split and orjson.loads every line on one core."""
    t0 = time.perf_counter()
    lines = 0
    decoded = 0
    loads = orjson.loads
    for f in files:
        with _open_log(f) as fh:
            rest = b""
            while True:
                block = fh.read(4 << 20)
                if not block:
                    break
                block = rest + block
                cut = block.rfind(b"\n")
                rest = block[cut + 1 :]
                decoded += cut + 1
                for line in block[:cut].split(b"\n"):
                    if line:
                        loads(line)
                        lines += 1
    secs = time.perf_counter() - t0
    return {
        "events": lines,
        "seconds": round(secs, 2),
        "events_per_s": round(lines / secs),
        "MB_per_s": round(decoded / 1e6 / secs, 1),
    }


def _rss_tree(pid: int) -> tuple[int, int]:
    """Resident and proportional (PSS) bytes of a process and all its descendants (from /proc)."""
    total = 0
    pss = 0
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                parts = fh.read().rsplit(")", 1)[1].split()
            children.setdefault(int(parts[1]), []).append(int(entry))
        except OSError:
            continue
    stack = [pid]
    while stack:
        p = stack.pop()
        try:
            with open(f"/proc/{p}/statm") as fh:
                total += int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
            with open(f"/proc/{p}/smaps_rollup") as fh:
                for row in fh:
                    if row.startswith("Pss:"):
                        pss += int(row.split()[1]) * 1024
                        break
        except OSError:
            pass
        stack.extend(children.get(p, []))
    return total, pss


def ingest(
    folder: Path, data: Path, workers: int | None, lms_root_url: str = DEFAULT_LMS_ROOT_URL
) -> dict[str, Any]:
    """One `learnlake ingest tracking-logs` run in a subprocess, with its peak RSS."""
    cfg = data.parent / f"{data.name}.yaml"
    cfg.write_text(json.dumps({"data_dir": str(data), "site": {"lms_root_url": lms_root_url}}))
    args = [
        sys.executable,
        str(ROOT / "tests/ingest/cli_harness.py"),
        "--config",
        str(cfg),
        "--json",
        "ingest",
        "tracking-logs",
        str(folder),
        "--glob",
        "tracking.log*",
    ]
    if workers is not None:
        args += ["--workers", str(workers)]
    t0 = time.perf_counter()
    cpu0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    peak = 0
    peak_pss = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak, peak_pss
        while not stop.is_set():
            rss, pss = _rss_tree(proc.pid)
            peak = max(peak, rss)
            peak_pss = max(peak_pss, pss)
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    stop.set()
    sampler.join()
    secs = time.perf_counter() - t0
    cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    if proc.returncode not in (0, 3):
        raise SystemExit(f"ingest failed ({proc.returncode}): {err.decode()[-2000:]}")
    summary = json.loads(out)
    return {
        "seconds": round(secs, 2),
        "events": summary["events"],
        "statements": summary["statements"],
        "quarantined": summary["quarantined"],
        "not_mapped": summary["not_mapped"],
        "events_per_s": round(summary["events"] / secs),
        "statements_per_s": round(summary["statements"] / secs),
        "MB_per_s_compressed": round(summary["bytes_read"] / 1e6 / secs, 1),
        "MB_per_s_decoded": round(summary["bytes_decoded"] / 1e6 / secs, 1),
        "peak_rss_MB": round(peak / 2**20),
        "peak_pss_MB": round(peak_pss / 2**20),
        "cpu_seconds": round(cpu, 1),
        "events_per_cpu_s": round(summary["events"] / max(cpu, 1e-9)),
        "cpu_seconds_per_million_events": round(cpu / max(summary["events"], 1) * 1e6, 1),
        "events_per_s_if_all_cores": round(summary["events"] / max(cpu / (os.cpu_count() or 1), 1e-9)),
        "load_average_1min_after": round(os.getloadavg()[0], 2),
        "workers": summary["workers"],
        "chunks_parsed_in_workers": f"{summary.get('chunks_in_workers', 0)}/{summary.get('chunks', 0)}",
        "ingest_seconds_inside": summary["seconds"],
    }


def measure(events: int, cache: Path, work: Path, workers: int | None, parse: bool) -> dict[str, Any]:
    """Build (or reuse) the template logs of `events` lines and measure them."""
    folder = cache / f"logs-{events}"
    t0 = time.perf_counter()
    files = build(folder, events)
    result: dict[str, Any] = {
        "events_generated": events,
        "files": len(files),
        "gz_MB": round(sum(f.stat().st_size for f in files) / 1e6, 1),
        "build_seconds": round(time.perf_counter() - t0, 1),
    }
    return _measure_files(result, files, events, work, workers, parse, DEFAULT_LMS_ROOT_URL)


def measure_synth(
    events: int, learners: int, cache: Path, work: Path, workers: int | None, parse: bool, seed: int
) -> dict[str, Any]:
    """Build (or reuse) a synth site of `learners` learners, aimed at `events` events, and measure it."""
    t0 = time.perf_counter()
    files, info = build_synth(cache / f"synth-{events}", learners, seed)
    gz = [f for f in files if f.suffix == ".gz"]
    result: dict[str, Any] = {
        "events_generated": info["events"],
        "events_target": events,
        "files": len(files),
        "gz_MB": round(sum(f.stat().st_size for f in gz) / 1e6, 1),
        "plain_MB": round(sum(f.stat().st_size for f in files if f not in gz) / 1e6, 1),
        "build_seconds": round(time.perf_counter() - t0, 1),
        "synth": info,
    }
    return _measure_files(result, files, events, work, workers, parse, info["lms_root_url"])


def _measure_files(
    result: dict[str, Any],
    files: list[Path],
    events: int,
    work: Path,
    workers: int | None,
    parse: bool,
    lms_root_url: str,
) -> dict[str, Any]:
    if parse:
        result["parse_only_one_core"] = parse_only(files)
    folder = files[0].parent
    data = work / f"data-{events}"
    shutil.rmtree(data, ignore_errors=True)
    result["ingest"] = ingest(folder, data, workers, lms_root_url)
    result["unchanged_second_run_seconds"] = ingest(folder, data, workers, lms_root_url)["seconds"]
    return result


def xapi_build() -> str:
    """Which xAPI transform the ingest runs: the mypyc build (`make native`) or pure Python."""
    from learnlake.xapi import native

    return native.STATUS


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--source",
        choices=("synth", "templates"),
        default="synth",
        help="synth: a `learnlake synth` site; templates: logs built from the shared conformance events",
    )
    ap.add_argument(
        "--events", type=int, default=4_000_000, help="events of the large size (about, for synth)"
    )
    ap.add_argument("--small-ratio", type=int, default=10)
    ap.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "learnlake-bench-ingest")
    ap.add_argument("--workers", type=int, default=None, help="ingest workers (default: learnlake's)")
    ap.add_argument("--seed", type=int, default=1, help="synth seed")
    ap.add_argument("--no-parse-baseline", action="store_true")
    ap.add_argument("--keep", action="store_true", help="keep the data folders (lake, warehouse)")
    args = ap.parse_args()
    work = args.cache / "work"
    work.mkdir(parents=True, exist_ok=True)
    parse = not args.no_parse_baseline
    small_events = args.events // args.small_ratio
    extra: dict[str, Any] = {}
    if args.source == "synth":
        cal = calibrate(args.cache, args.seed)
        per_learner = cal["events"] / cal["learners"]  # over SYNTH_DAYS days
        learners = max(1, round(args.events / per_learner))
        small_learners = max(1, learners // args.small_ratio)
        extra["calibration"] = {
            k: cal[k] for k in ("learners", "days", "courses", "events", "events_per_learner_day", "reused")
        } | {"generation_seconds": cal["generation_seconds"]}
        small = measure_synth(small_events, small_learners, args.cache, work, args.workers, parse, args.seed)
        big = measure_synth(args.events, learners, args.cache, work, args.workers, parse, args.seed)
    else:
        small = measure(small_events, args.cache, work, args.workers, parse)
        big = measure(args.events, args.cache, work, args.workers, parse)
    growth = big["ingest"]["seconds"] / max(small["ingest"]["seconds"], 1e-9)
    report = {
        "source": args.source,
        **extra,
        "cores": os.cpu_count(),
        "xapi_build": xapi_build(),
        "small": small,
        "large": big,
        "time_ratio_large_vs_small": round(growth, 2),
        "rss_ratio_large_vs_small": round(
            big["ingest"]["peak_rss_MB"] / max(small["ingest"]["peak_rss_MB"], 1), 2
        ),
        "targets": {
            "events_per_s>=150000": big["ingest"]["events_per_s"] >= 150_000,
            "peak_rss<=600MB": big["ingest"]["peak_rss_MB"] <= 600,
            f"{args.small_ratio}x_events_in<={args.small_ratio * 1.1:g}x_time": growth
            <= args.small_ratio * 1.1,
        },
    }
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
