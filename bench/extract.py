"""Benchmark: LMS table extraction from MariaDB into Parquet, against a Panorama-style baseline.

Fills a MariaDB database with a synthetic Open edX site (the synth LMS writer), multiplies
`courseware_studentmodule` to --rows rows by INSERT…SELECT, then measures, each in a child process
whose memory is sampled from /proc:

- full extraction of the 31 default tables (Panorama's 29 + external ids) to Parquet, with the
  connectorx reader and the DB-API (PyMySQL SSCursor) reader: rows/s, peak RSS,
  RSS early vs late (flat memory);
- the Panorama way (spec §5): a buffered PyMySQL cursor `fetchall()` of courseware_studentmodule,
  a second escaped copy, `csv.writer` (on the first --baseline-rows rows, so it fits in memory);
- the no-change incremental run of those tables.

    .venv/bin/python bench/extract.py                 # 5M rows
    .venv/bin/python bench/extract.py --rows 200000   # quick

Prints JSON.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pymysql

HOST = os.environ.get("LEARNLAKE_TEST_MARIADB_HOST", "127.0.0.1")
PORT = int(os.environ.get("LEARNLAKE_TEST_MARIADB_PORT", "3306"))
USER = os.environ.get("LEARNLAKE_TEST_MARIADB_USER", "root")
PASSWORD = os.environ.get("LEARNLAKE_TEST_MARIADB_PASSWORD", "")
COLUMNS = "module_type, module_id, course_id, state, grade, max_grade, done, created, modified, student_id"


def connect(database: str | None = None) -> pymysql.connections.Connection:
    return pymysql.connect(
        host=HOST,
        port=PORT,
        user=USER,
        password=PASSWORD,
        database=database,
        charset="utf8mb4",
        autocommit=True,
    )


def url(database: str) -> str:
    auth = USER + (f":{PASSWORD}" if PASSWORD else "")
    return f"mysql://{auth}@{HOST}:{PORT}/{database}"


def fill(database: str, rows: int, learners: int) -> dict[str, int]:
    """Synthetic site, then studentmodule doubled (new student ids) up to `rows` rows."""
    from learnlake.progress import progress
    from learnlake.synth.site import SynthOptions, generate_site

    with tempfile.TemporaryDirectory() as tmp:
        options = SynthOptions(
            seed=7, orgs=2, courses=6, learners=learners, days=30, start=dt.date(2026, 1, 5),
            out=Path(tmp), lms_url=url(database),
        )  # fmt: skip
        with progress("synth", unit="events") as reporter:
            generate_site(options, reporter)
    conn = connect(database)
    with conn.cursor() as cur:
        cur.execute("SELECT COUNT(*), MAX(student_id) FROM courseware_studentmodule")
        count, top = cur.fetchone()
        while count < rows:
            take = min(count, rows - count)
            cur.execute(
                f"INSERT INTO courseware_studentmodule ({COLUMNS}) SELECT module_type, module_id, course_id,"
                f" state, grade, max_grade, done, created, modified, student_id + {int(top)}"
                f" FROM courseware_studentmodule ORDER BY id LIMIT {take}"
            )
            count += take
            top *= 2
        cur.execute(
            "SELECT TABLE_NAME, TABLE_ROWS FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()"
        )
        sizes = {name: int(n or 0) for name, n in cur.fetchall()}
        cur.execute("SELECT COUNT(*) FROM courseware_studentmodule")
        sizes["courseware_studentmodule"] = int(cur.fetchone()[0])
    conn.close()
    return sizes


def measured(code: str, *args: str) -> dict[str, float]:
    """Run Python code in a child; wall time and RSS samples (MiB) from /proc every 50 ms."""
    began = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.PIPE, text=True)
    samples: list[float] = []
    while proc.poll() is None:
        try:
            with open(f"/proc/{proc.pid}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        samples.append(int(line.split()[1]) / 1024)
        except OSError:
            pass
        time.sleep(0.05)
    out = proc.stdout.read() if proc.stdout else ""
    if proc.returncode:
        raise SystemExit(f"child failed ({proc.returncode}): {out}")
    seconds = time.perf_counter() - began
    quarter = samples[: max(1, len(samples) // 4)]
    result = json.loads(out.strip().splitlines()[-1]) if out.strip() else {}
    result.update(
        seconds=round(seconds, 3),
        peak_rss_mib=round(max(samples or [0]), 1),
        rss_first_quarter_peak_mib=round(max(quarter or [0]), 1),
        rss_last_mib=round(samples[-1] if samples else 0, 1),
    )
    return result


EXTRACT = """
import json, sys, time
from learnlake.config import load_settings
from learnlake.state import StateStore
from learnlake.extract.run import extract
settings = load_settings(sys.argv[1])
settings.extract.datasources[0].driver = sys.argv[2]
tables = sys.argv[3].split(",") if len(sys.argv) > 3 and sys.argv[3] else None
store = StateStore(settings.state_dir)
t = time.perf_counter()
report = extract(settings, store, tables=tables, full=sys.argv[4] == "full" if len(sys.argv) > 4 else False)
took = time.perf_counter() - t
failed = [x.table for x in report.failed]
print(json.dumps({"rows": report.rows, "extract_s": round(took, 3), "failed": failed,
                  "statuses": sorted({x.status for x in report.tables})}))
"""

BASELINE = """
import csv, json, sys, time, pymysql
BS, CR, LF = chr(92), chr(13), chr(10)
conn = pymysql.connect(host=sys.argv[1], port=int(sys.argv[2]), user=sys.argv[3], password=sys.argv[4],
                       database=sys.argv[5], charset="utf8mb4")
t = time.perf_counter()
cur = conn.cursor()
cur.execute("SELECT id, module_type, module_id, course_id, state, grade, max_grade, done, created, modified,"
            " student_id FROM courseware_studentmodule LIMIT " + sys.argv[6])
rows = cur.fetchall()
escaped = [[str(v).replace(BS, BS + BS).replace(CR, BS + "r").replace(LF, BS + "n") if v is not None else ""
            for v in row] for row in rows]
with open(sys.argv[7], "w", newline="") as fh:
    w = csv.writer(fh, doublequote=False, escapechar=BS)
    w.writerow([d[0] for d in cur.description])
    w.writerows(escaped)
took = time.perf_counter() - t
print(json.dumps({"rows": len(rows), "extract_s": round(took, 3)}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5_000_000, help="courseware_studentmodule rows")
    parser.add_argument("--learners", type=int, default=400)
    parser.add_argument("--baseline-rows", type=int, default=1_000_000)
    parser.add_argument("--database", default="learnlake_bench_extract")
    parser.add_argument(
        "--reuse", action="store_true", help="Reuse the filled database if it has enough rows."
    )
    parser.add_argument("--keep", action="store_true", help="Keep the database afterwards.")
    args = parser.parse_args()

    began = time.perf_counter()
    sizes: dict[str, int] | None = None
    if args.reuse:
        try:
            conn = connect(args.database)
            with conn.cursor() as cur:
                cur.execute("SELECT COUNT(*) FROM courseware_studentmodule")
                if cur.fetchone()[0] >= args.rows:
                    cur.execute(
                        "SELECT TABLE_NAME, TABLE_ROWS FROM information_schema.TABLES"
                        " WHERE TABLE_SCHEMA = DATABASE()"
                    )
                    sizes = {n: int(r or 0) for n, r in cur.fetchall()}
            conn.close()
        except pymysql.err.OperationalError:
            sizes = None
    if sizes is None:
        sizes = fill(args.database, args.rows, args.learners)
    fill_s = time.perf_counter() - began
    module_rows = sizes["courseware_studentmodule"] if not args.reuse else args.rows

    results: dict[str, object] = {"rows_studentmodule": module_rows, "fill_s": round(fill_s, 1)}
    with tempfile.TemporaryDirectory() as tmp:
        for driver in ("connectorx", "dbapi"):
            config = Path(tmp) / f"{driver}.yaml"
            config.write_text(
                json.dumps(
                    {
                        "data_dir": f"{tmp}/data-{driver}",
                        "extract": {
                            "datasources": [{"name": "lms", "type": "mysql", "url": url(args.database)}]
                        },
                    }
                )
            )
            full = measured(EXTRACT, str(config), driver, "", "full")
            full["rows_per_s"] = round(full["rows"] / full["extract_s"])
            results[f"full_{driver}"] = full
            if driver == "connectorx":
                results["no_change"] = measured(EXTRACT, str(config), driver, "", "")
            one = measured(EXTRACT, str(config), driver, "courseware_studentmodule", "full")
            one["rows_per_s"] = round(one["rows"] / one["extract_s"])
            results[f"studentmodule_{driver}"] = one
        base = measured(
            BASELINE,
            HOST,
            str(PORT),
            USER,
            PASSWORD,
            args.database,
            str(args.baseline_rows),
            f"{tmp}/base.csv",
        )
        base["rows_per_s"] = round(base["rows"] / base["extract_s"])
        results["baseline_panorama"] = base
    cx = results["studentmodule_connectorx"]
    assert isinstance(cx, dict)
    no_change = results["no_change"]
    assert isinstance(no_change, dict)
    results["speedup_vs_baseline"] = round(cx["rows_per_s"] / base["rows_per_s"], 2)
    results["targets"] = {
        "speedup_ge_5x": results["speedup_vs_baseline"] >= 5,
        "no_change_le_2s": no_change["extract_s"] <= 2.0,
        "flat_memory": cx["peak_rss_mib"] <= 1.5 * max(cx["rss_first_quarter_peak_mib"], 1),
    }
    if not args.keep:
        conn = connect()
        with conn.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS `{args.database}`")
        conn.close()
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
