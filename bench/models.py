"""Model-build benchmark: full build and incremental build after one more day, printed as JSON.

Generates a synthetic site (`learnlake synth`) sized to about --events tracking events, ingests it
(tracking logs + course structure), then measures, each in a fresh process:

- the full model build (`learnlake models run`, every shipped model): seconds, CPU seconds (all threads;
  the figure to compare on a shared machine) and peak RSS;
- the incremental build after one more day of events (a copy of the last full day moved one day
  later, ingested): the same, and its ratio to the full build (wall and CPU).

Targets (issue 6): full <= 600 s, RSS <= 2 GB, incremental <= 10% of full.

Usage: python bench/models.py [--events 50000000] [--days 30] [--workdir DIR] [--keep]
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

EVENTS_PER_LEARNER_DAY = 12  # what `learnlake synth` produces on average

MEASURE = r"""
import json, resource, sys, time
from learnlake.config import load_settings
from learnlake.models.build import build_models
settings = load_settings(sys.argv[1])
t = time.perf_counter()
c = time.process_time()  # every thread of the process: DuckDB's workers included
report = build_models(settings)
print(json.dumps({
    "seconds": round(time.perf_counter() - t, 2),
    "cpu_seconds": round(time.process_time() - c, 2),
    "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    "models": len(report.results),
    "built": sum(r.status == "built" for r in report.results),
    "unchanged": sum(r.status == "unchanged" for r in report.results),
    "failed": [r.name for r in report.failed],
    "slowest": sorted(((r.name, round(r.seconds, 2)) for r in report.results), key=lambda x: -x[1])[:8],
}))
"""


def run(cmd: list[str], cwd: Path) -> str:
    done = subprocess.run(cmd, cwd=cwd, check=True, capture_output=True, text=True)
    return done.stdout


def measure(python: str, cfg: Path, cwd: Path) -> dict[str, object]:
    return json.loads(run([python, "-c", MEASURE, str(cfg)], cwd).strip().splitlines()[-1])


def add_day(tracking: Path) -> str:
    """Copy the last rotated day's events one day later; returns the new day."""
    days = sorted(p for p in tracking.glob("tracking.log-*-*.gz"))
    last = days[-1].name.split("-")[1]
    day = f"{last[:4]}-{last[4:6]}-{last[6:]}"
    import datetime as dt

    new = (dt.date.fromisoformat(day) + dt.timedelta(days=2)).isoformat()
    for f in tracking.glob(f"tracking.log-{last}-*.gz"):
        text = gzip.decompress(f.read_bytes()).decode().replace(day, new)
        (tracking / f.name.replace(last, new.replace("-", ""))).write_bytes(gzip.compress(text.encode(), 1))
    return new


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--events", type=int, default=50_000_000)
    ap.add_argument("--days", type=int, default=30)
    ap.add_argument("--workdir", type=Path)
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    python = sys.executable
    learnlake = str(Path(python).with_name("learnlake"))
    work = args.workdir or Path(tempfile.mkdtemp(prefix="bench-models-"))
    work.mkdir(parents=True, exist_ok=True)
    learners = max(10, args.events // (EVENTS_PER_LEARNER_DAY * args.days))
    cfg = work / "learnlake.yaml"
    cfg.write_text(
        f"data_dir: {work / 'data'}\ntracking_logs:\n  paths: [{work / 'site' / 'tracking'}]\n"
        "extract:\n  datasources:\n"
        f"    - {{name: courses, type: olx, location: {work / 'site' / 'courses'}}}\n"
    )
    result: dict[str, object] = {"events_requested": args.events, "learners": learners, "days": args.days}
    try:
        t = time.perf_counter()
        if not (work / "site" / "site.json").exists():
            run(
                [
                    learnlake,
                    "-q",
                    "synth",
                    "--out",
                    str(work / "site"),
                    "--learners",
                    str(learners),
                    "--days",
                    str(args.days),
                ],
                work,
            )
        site = json.loads((work / "site" / "site.json").read_text())
        result["events"] = site.get("events")
        result["synth_s"] = round(time.perf_counter() - t, 1)
        t = time.perf_counter()
        run(
            [
                learnlake,
                "-q",
                "--config",
                str(cfg),
                "run",
                "--stage",
                "ingest-tracking-logs",
                "--stage",
                "course-structure",
            ],
            work,
        )
        result["ingest_s"] = round(time.perf_counter() - t, 1)
        shutil.rmtree(work / "data" / "lake" / "openedx" / "models", ignore_errors=True)
        full = measure(python, cfg, work)
        result["full"] = full
        result["new_day"] = add_day(work / "site" / "tracking")
        run([learnlake, "-q", "--config", str(cfg), "run", "--stage", "ingest-tracking-logs"], work)
        inc = measure(python, cfg, work)
        result["incremental"] = inc
        full_s = float(full["seconds"])  # type: ignore[arg-type]
        inc_s = float(inc["seconds"])  # type: ignore[arg-type]
        result["incremental_ratio"] = round(inc_s / full_s, 3) if full_s else None
        full_cpu = float(full["cpu_seconds"])  # type: ignore[arg-type]
        result["incremental_cpu_ratio"] = round(float(inc["cpu_seconds"]) / full_cpu, 3) if full_cpu else None  # type: ignore[arg-type]
        result["targets"] = {
            "full_le_600s": full_s <= 600,
            "rss_le_2GB": max(float(full["peak_rss_mb"]), float(inc["peak_rss_mb"])) <= 2048,  # type: ignore[arg-type]
            "incremental_le_10pct": inc_s <= 0.1 * full_s,
            # wall time swings with the load on a shared machine: the CPU ratio is the one to trust
            "incremental_le_10pct_cpu": float(inc["cpu_seconds"]) <= 0.1 * full_cpu,  # type: ignore[arg-type]
        }
    finally:
        if not args.keep and args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
