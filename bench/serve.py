"""Serve benchmark: chart endpoint latency (cold and warm, p50/p95) and server RSS, 8 concurrent clients.

Builds (once, cached under bench/out/) a synthetic site of about --events tracking events with
`learnlake synth` + `learnlake run`, starts `learnlake serve` on a free loopback port, then:

- cold: a freshly started server; every chart endpoint of every dashboard is requested by 8
  concurrent clients, each request with filters not seen before (so neither the result cache nor
  a previous identical query helps); --cold-rounds rounds with different date ranges;
- warm: the same requests again, --warm-rounds times (results served from the cache);
- RSS: the server process (and children) sampled every 50 ms during both phases; the peak.

Targets (issue 7, 2-core machine): warm p95 <= 200 ms, cold p95 <= 1 s, RSS <= 1.5 GB.

Usage: python bench/serve.py [--events 1000000] [--clients 8] [--cold-rounds 3] [--warm-rounds 5]
       [--dashboards course,operator]
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import datetime as dt
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parents[1]
EVENTS_PER_LEARNER_DAY = 8.8  # tracking events `learnlake synth` writes per learner and day (measured)
DAYS = 60
START = dt.date(2026, 1, 5)
CONFIG = """\
data_dir: data
site:
  lms_root_url: "https://lms.learnlake.test"
tracking_logs:
  paths: ["site/tracking"]
extract:
  datasources:
    - name: courses
      type: olx
      location: "site/courses"
"""


def learnlake(cwd: Path, *args: str) -> None:
    """Run one learnlake command (exit 3, quarantined input, is fine)."""
    proc = subprocess.run(
        [sys.executable, "-m", "learnlake", "-q", *args], cwd=cwd, capture_output=True, text=True
    )
    if proc.returncode not in (0, 3):
        raise SystemExit(f"learnlake {' '.join(args)} failed: {proc.stderr[-2000:]}")


def build_site(events: int, cache: Path) -> dict[str, Any]:
    """A site of about `events` events, generated and loaded once per size."""
    folder = cache / f"serve-{events}"
    marker = folder / "built.json"
    if marker.exists():
        return dict(json.loads(marker.read_text()))
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "learnlake.yaml").write_text(CONFIG, encoding="utf-8")
    learners = max(50, round(events / (EVENTS_PER_LEARNER_DAY * DAYS)))
    began = time.perf_counter()
    learnlake(
        folder, "synth", "--out", "site", "--seed", "1", "--orgs", "3", "--courses", "6",
        "--learners", str(learners), "--days", str(DAYS), "--start", START.isoformat(),
    )  # fmt: skip
    synth_s = time.perf_counter() - began
    began = time.perf_counter()
    learnlake(folder, "run")
    run_s = time.perf_counter() - began
    info = {"learners": learners, "synth_s": round(synth_s, 1), "pipeline_s": round(run_s, 1)}
    marker.write_text(json.dumps(info))
    return info


def free_port() -> int:
    """A free loopback port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    """`learnlake serve` on a free port (no users: the local operator sees everything)."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "learnlake", "-q", "serve", "--port", str(port)],
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 600
    while True:
        try:  # ready, and done computing the default views in the background
            if json.loads(urllib.request.urlopen(url + "/healthz", timeout=1).read()).get("warm"):
                return proc, url
            time.sleep(0.2)
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("server did not start") from None
            time.sleep(0.1)


class RssSampler(threading.Thread):
    """Peak RSS of a process and its children, sampled every 50 ms."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.proc = psutil.Process(pid)
        self.peak = 0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                procs = [self.proc, *self.proc.children(recursive=True)]
                self.peak = max(self.peak, sum(p.memory_info().rss for p in procs))
            except psutil.Error:
                pass
            time.sleep(0.05)


def get(url: str) -> float:
    """Seconds one GET takes (the body is read whole); a non-200 answer stops the benchmark."""
    began = time.perf_counter()
    with urllib.request.urlopen(url, timeout=120) as response:
        response.read()
        if response.status != 200:
            raise SystemExit(f"{url}: HTTP {response.status}")
    return time.perf_counter() - began


def chart_urls(base: str, only: set[str] | None = None) -> list[str]:
    """Every chart endpoint of every dashboard the local operator may open (or of `only` those)."""
    with urllib.request.urlopen(base + "/api/v1/dashboards") as response:
        dashboards = json.loads(response.read())
    return [base + c["url"] for d in dashboards if only is None or d["id"] in only for c in d["charts"]]


def run_round(urls: list[str], clients: int) -> dict[str, float]:
    """Request every URL once with `clients` concurrent clients; seconds per URL."""
    with cf.ThreadPoolExecutor(clients) as pool:
        return dict(zip(urls, pool.map(get, urls), strict=True))


def pct(values: list[float], q: float) -> float:
    """The q-quantile in milliseconds."""
    ordered = sorted(values)
    return round(1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)


def main() -> None:
    """Build the site, run the cold and warm phases, print JSON."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=1_000_000, help="about this many tracking events")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--cold-rounds", type=int, default=3)
    parser.add_argument("--warm-rounds", type=int, default=5)
    parser.add_argument("--cache", type=Path, default=ROOT / "bench" / "out")
    parser.add_argument("--dashboards", default="", help="comma-separated dashboard ids (default: all)")
    args = parser.parse_args()
    only = set(args.dashboards.split(",")) - {""} or None

    info = build_site(args.events, args.cache)
    folder = args.cache / f"serve-{args.events}"
    proc, base = start_server(folder)
    sampler = RssSampler(proc.pid)
    sampler.start()
    try:
        charts = chart_urls(base, only)
        cold: list[float] = []
        warm: list[float] = []
        per_chart: dict[str, dict[str, float]] = {}
        server = psutil.Process(proc.pid)
        cpu_start = server_cpu(server)
        rounds = []
        for r in range(args.cold_rounds):
            # a different date range each round: a result never seen before
            query = urllib.parse.urlencode(
                {"start": (START - dt.timedelta(days=r)).isoformat(), "grain": "week"}
            )
            rounds.append([f"{u}?{query}" for u in charts])
        for urls in rounds:
            times = run_round(urls, args.clients)
            cold += times.values()
            for url, s in times.items():
                per_chart.setdefault(url.split("/dashboards/")[1].split("?")[0], {}).setdefault(
                    "cold_ms_max", 0
                )
                key = url.split("/dashboards/")[1].split("?")[0]
                per_chart[key]["cold_ms_max"] = max(per_chart[key]["cold_ms_max"], round(1000 * s, 1))
        cpu_cold = server_cpu(server) - cpu_start
        for _ in range(args.warm_rounds):
            for urls in rounds:
                warm += run_round(urls, args.clients).values()
        cpu_warm = server_cpu(server) - cpu_start - cpu_cold
        rss_mb = round(sampler.peak / 2**20, 1)
    finally:
        sampler.stop.set()
        proc.terminate()
        proc.wait(timeout=20)
    result = {
        "benchmark": "serve",
        "events_requested": args.events,
        "site": info,
        "lake_rows": lake_rows(folder),
        "clients": args.clients,
        "dashboards": sorted(only) if only else "all",
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "chart_endpoints": len(charts),
        "requests": {"cold": len(cold), "warm": len(warm)},
        "cold_ms": {"p50": pct(cold, 0.5), "p95": pct(cold, 0.95), "max": pct(cold, 1.0)},
        "warm_ms": {"p50": pct(warm, 0.5), "p95": pct(warm, 0.95), "max": pct(warm, 1.0)},
        "server_rss_peak_mb": rss_mb,
        # CPU seconds the server spent (user + system): unlike latencies, not inflated by other load
        "server_cpu_s": {"cold": round(cpu_cold, 2), "warm": round(cpu_warm, 2)},
        "server_cpu_ms_per_request": {
            "cold": round(1000 * cpu_cold / max(1, len(cold)), 1),
            "warm": round(1000 * cpu_warm / max(1, len(warm)), 1),
        },
        "targets": {
            "warm_p95_le_200ms": pct(warm, 0.95) <= 200,
            "cold_p95_le_1s": pct(cold, 0.95) <= 1000,
            "rss_le_1_5gb": rss_mb <= 1536,
        },
        "slowest_cold_charts_ms": dict(
            sorted(((k, v["cold_ms_max"]) for k, v in per_chart.items()), key=lambda kv: -kv[1])[:5]
        ),
        "mean_cold_ms": round(1000 * statistics.mean(cold), 1),
        "cpu_count": os.cpu_count(),
    }
    print(json.dumps(result, indent=2))


def server_cpu(server: psutil.Process) -> float:
    """CPU seconds (user + system) the server process and its children have used so far."""
    total = 0.0
    for p in (server, *server.children(recursive=True)):
        try:
            times = p.cpu_times()
            total += times.user + times.system
        except psutil.Error:
            pass
    return total


def lake_rows(folder: Path) -> dict[str, int]:
    """Rows of the main tables (what the charts scan)."""
    out = subprocess.run(
        [sys.executable, "-m", "learnlake", "-q", "--json", "query",
         "SELECT (SELECT count(*) FROM tracking_events) AS tracking_events, "
         "(SELECT count(*) FROM xapi_events_all) AS xapi_events_all"],
        cwd=folder, capture_output=True, text=True,
    )  # fmt: skip
    try:
        return dict(json.loads(out.stdout)[0])
    except (ValueError, IndexError, KeyError):
        return {}


if __name__ == "__main__":
    main()
