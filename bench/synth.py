"""Benchmark of `learnlake synth`: how many tracking events per minute the generator produces.

Generates a whole synthetic site (tracking logs, LMS database, OLX exports) into a temporary folder
and prints one JSON object. The figure that matters is `events_per_min` (wall clock, everything
included); the target is 1,000,000 so that a 50M-event site for the scale benchmarks takes under an
hour. Run: `.venv/bin/python bench/synth.py [--learners N --days N --workers N ...]`.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

from learnlake.progress import progress, set_enabled
from learnlake.synth.site import SynthOptions, generate_site

TARGET_EVENTS_PER_MIN = 1_000_000


def _cpu_seconds() -> float:
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its JSON result."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=3000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--courses", type=int, default=6)
    parser.add_argument("--orgs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=SynthOptions.workers)
    parser.add_argument("--out", type=Path, default=None, help="keep the site here instead of a temp dir")
    parser.add_argument("--progress", action="store_true", help="show a progress bar on stderr")
    args = parser.parse_args(argv)
    set_enabled(args.progress)
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="learnlake-bench-synth-") as tmp:
        out = args.out or Path(tmp) / "site"
        options = SynthOptions(
            seed=args.seed,
            orgs=args.orgs,
            courses=args.courses,
            learners=args.learners,
            days=args.days,
            out=out,
            workers=args.workers,
        )
        cpu0, wall0 = _cpu_seconds(), time.perf_counter()
        with progress("synth", unit="events") as reporter:
            summary = generate_site(options, reporter)
        wall = time.perf_counter() - wall0
        cpu = _cpu_seconds() - cpu0
        log_bytes = sum(p.stat().st_size for p in (out / "tracking").iterdir())
    per_min = summary.events / wall * 60
    result = {
        "benchmark": "synth",
        "events": summary.events,
        "seconds": round(wall, 2),
        "events_per_min": round(per_min),
        "target_events_per_min": TARGET_EVENTS_PER_MIN,
        "meets_target": per_min >= TARGET_EVENTS_PER_MIN,
        "events_per_cpu_s": round(summary.events / cpu) if cpu else None,
        "cpu_seconds": round(cpu, 2),
        "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "phases_s": summary.timings_s,
        "tracking_log_bytes": log_bytes,
        "lms_rows": sum(summary.tables.values()),
        "site": {
            "learners": args.learners,
            "days": args.days,
            "courses": args.courses,
            "orgs": args.orgs,
            "enrollments": summary.enrollments,
            "seed": args.seed,
            "workers": args.workers,
        },
        "machine": {"cpus": os.cpu_count(), "load_avg_before": round(load_before, 2)},
    }
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
