"""Plain ``dbt build`` vs the transform DAG under the real scheduler, on the same data.

    PYTHONPATH=. .venv/bin/python benchmarks/bench_transform.py --scale 1.0
    PYTHONPATH=. .venv/bin/python benchmarks/bench_transform.py --scale 0.05 --mode watcher
    PYTHONPATH=. .venv/bin/python benchmarks/bench_transform.py --mode watcher --repeat 3

1. The generator writes a history at ``--scale`` and the ingestion's ``ingest()`` loads it into a
   DuckDB file (``include/c360/offline.py``; ``benchmarks/out/transform/``, kept between runs
   unless ``--fresh``).
2. ``dbt build`` of the whole project (every model, the snapshot, every test; dbt from
   ``.venv-dbt``) on a copy of the loaded warehouse, before and again after the DAG run: the
   baseline is their mean (a shared machine's speed drifts over minutes).
3. A local Airflow (scripts/local_airflow.py: api-server, scheduler, dag-processor, triggerer,
   LocalExecutor) in a temporary home on a free port runs ``c360_transform`` on another copy of
   the same warehouse (``--mode``: Cosmos execution mode local|watcher), with freshness
   reported, not enforced (the loaded data is as old as the benchmark's data). ``--repeat N``:
   N runs, each between two plain builds, and their median ratio.

Prints: the baseline, the DAG run's wall time (queued -> finished), the DAG minus its ML
scoring tasks (the dbt part: same selection as the baseline, plus freshness checks and every
hand-off, the scoring group's own included) and the ratio of the latter to the baseline; also
the ratio without the scoring group's whole span. Timings on a shared 2-core machine are noisy.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

AS_OF = date(2026, 11, 24)


def dbt_build(db_path: Path, workdir: Path) -> float:
    """One plain ``dbt build`` of the whole project (the platform's own dbt call)."""
    from include.c360.offline import run_dbt

    t0 = time.perf_counter()
    run_dbt(db_path, workdir, "build", dbt_vars={"as_of_date": AS_OF.isoformat()}, timeout=7200)
    return time.perf_counter() - t0


def _ts(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


def run_dag(db_path: Path, home: Path, mode: str, timeout: float) -> dict:
    from scripts.airflow_client import AirflowClient
    from scripts.local_airflow import free_port, password

    port = free_port()
    from include.c360.offline import warehouse_env

    env = {
        "C360_AIRFLOW_HOME": str(home), "C360_AIRFLOW_PORT": str(port),
        **warehouse_env(db_path, db_path.parent),
        "C360_COSMOS_EXECUTION_MODE": mode, "C360_TRANSFORM_RETRIES": "0",
        # only the triggered run: no cron/catch-up run of the DAG next to it
        "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",
        "DO_NOT_TRACK": "1",
    }
    os.environ.update(env)
    script = [sys.executable, str(REPO / "scripts" / "local_airflow.py")]
    subprocess.run([*script, "start"], check=True, env=os.environ.copy(),
                   stdout=subprocess.DEVNULL)
    try:
        client = AirflowClient(base_url=f"http://127.0.0.1:{port}", password=password(home))
        client.wait_for_dag("c360_transform", timeout=180)
        client.unpause("c360_transform")
        # the warehouse copy was loaded when the benchmark data was made, maybe days ago: its
        # sources' freshness is reported, not enforced, so the whole project builds every time
        run_id = client.trigger("c360_transform", {"as_of_date": AS_OF.isoformat(),
                                                   "enforce_freshness": False})
        # the run's own start/end dates are measured: polling rarely costs it no time, only
        # less of the API server's CPU
        state = client.wait_for_run("c360_transform", run_id, timeout=timeout, poll_seconds=10)
        run = client.dag_run("c360_transform", run_id)
        tis = client.task_instances("c360_transform", run_id)
    finally:
        subprocess.run([*script, "stop"], env=os.environ.copy(), stdout=subprocess.DEVNULL)
    start, end = _ts(run["start_date"]), _ts(run["end_date"])
    ml = [(_ts(t["start_date"]), _ts(t["end_date"])) for t in tis
          if t["task_id"].startswith("ml_scoring.") and t["start_date"] and t["end_date"]]
    ml_seconds = sum((e - s).total_seconds() for s, e in ml)
    # the scoring group from its first start to its last end (its own hand-offs included)
    ml_span = (max(e for _, e in ml) - min(s for s, _ in ml)).total_seconds() if ml else 0.0
    failed = sorted(t["task_id"] for t in tis if t["state"] not in ("success", "skipped"))
    return {"state": state, "seconds": (end - start).total_seconds(), "ml_seconds": ml_seconds,
            "ml_span": ml_span, "tasks": len(tis), "not_success": failed}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--mode", choices=["local", "watcher"], default=None,
                    help="Cosmos execution mode (default: both, one after the other)")
    ap.add_argument("--fresh", action="store_true", help="regenerate and reload the data")
    ap.add_argument("--repeat", type=int, default=1,
                    help="DAG runs per mode, each between two plain builds (prints the median)")
    ap.add_argument("--timeout", type=float, default=3600)
    ap.add_argument("--keep", action="store_true",
                    help="keep the work dir (warehouse copies, Airflow homes and task logs)")
    args = ap.parse_args()

    from include.c360.offline import build_warehouse
    from include.c360.transform.manifest import build_manifest

    out = REPO / "benchmarks" / "out" / "transform" / f"scale_{args.scale:g}"
    pristine = out / "pristine.duckdb"
    if args.fresh or not pristine.exists():
        shutil.rmtree(out, ignore_errors=True)
        world = build_warehouse(out / "world", args.scale, AS_OF)
        shutil.copy(world.db_path, pristine)
        print(f"data: scale {args.scale:g}, raw rows {sum(world.raw_rows.values()):,} "
              f"{world.raw_rows}; generate {world.seconds['generate']:.1f}s, "
              f"ingest {world.seconds['ingest']:.1f}s", flush=True)
        shutil.rmtree(out / "world" / "landing", ignore_errors=True)
    build_manifest()

    keep_dir = tempfile.mkdtemp(prefix="bench_tx_") if args.keep else None
    with tempfile.TemporaryDirectory(prefix="bench_tx_") as tmp:
        work = Path(keep_dir or tmp)
        if keep_dir:
            print(f"work dir (kept): {work}", flush=True)

        def plain_build(name: str) -> float:
            db = work / name / "c360.duckdb"
            db.parent.mkdir()
            shutil.copy(pristine, db)
            seconds = dbt_build(db, work / name)
            db.unlink()  # 2 GB at scale 1.0; the dbt logs stay
            print(f"plain dbt build (whole project, one process) {name}: {seconds:.1f}s",
                  flush=True)
            return seconds

        before = plain_build("before")
        for mode in [args.mode] if args.mode else ["local", "watcher"]:
            ratios = []
            for i in range(1, args.repeat + 1):
                name = mode if args.repeat == 1 else f"{mode}_{i}"
                db = work / name / "c360.duckdb"
                db.parent.mkdir()
                shutil.copy(pristine, db)
                r = run_dag(db, work / name / "airflow_home", mode, args.timeout)
                db.unlink()
                if r["state"] != "success":
                    raise SystemExit(f"the DAG run ended {r['state']}; not success: "
                                     f"{r['not_success']} (logs: --keep)")
                # the machine's speed drifts (shared cores): the baseline is a plain build on
                # either side of the DAG run
                after = plain_build(f"after_{name}")
                plain = (before + after) / 2
                before = after
                dbt_part = r["seconds"] - r["ml_seconds"]
                ratios.append(dbt_part / plain)
                print(f"DAG c360_transform [{name}]: {r['state']} in {r['seconds']:.1f}s "
                      f"({r['tasks']} tasks; ML scoring tasks {r['ml_seconds']:.1f}s, the "
                      f"scoring group's span {r['ml_span']:.1f}s); without the ML tasks "
                      f"{dbt_part:.1f}s = {dbt_part / plain:.2f}x plain dbt build "
                      f"({plain:.1f}s, the mean of the builds before and after; without the ML "
                      f"span {(r['seconds'] - r['ml_span']) / plain:.2f}x)"
                      + (f"; not success: {r['not_success']}" if r["not_success"] else ""),
                      flush=True)
            if len(ratios) > 1:
                print(f"[{mode}] ratios {', '.join(f'{x:.2f}x' for x in ratios)}; median "
                      f"{statistics.median(ratios):.2f}x", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
