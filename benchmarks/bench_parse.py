"""How long Airflow's DAG processor takes to load the transform DAG file.

    PYTHONPATH=. .venv/bin/python benchmarks/bench_parse.py [--runs 7]

Loads ``dags/c360_transform.py`` as the DAG processor does (``scripts/dag_bag.py``: Airflow's
own ``BundleDagBag``), ``--runs`` times each way, and prints each time and the medians:

* fresh: each load in a new interpreter that has imported Airflow's DagBag first. Airflow 3
  parses every file in a child forked from the DAG processor, and every task process parses
  its DAG again, so this (Cosmos and the DAG's own imports included) is what each pays.
* warm: repeated loads in one process (the DAG code alone, imports cached).

Target: median <= 0.5 s. Needs the dbt manifest (``make dbt-manifest``).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    os.environ.setdefault("AIRFLOW_HOME", tempfile.mkdtemp(prefix="bench_parse_"))
    os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    sys.path.insert(0, str(REPO))
    import logging

    logging.disable(logging.INFO)
    import airflow.dag_processing.dagbag  # noqa: F401  (imported first, as the DAG processor has)

    from scripts.dag_bag import load_dags

    dag_file = "c360_transform.py"

    def load() -> float:
        t0 = time.perf_counter()
        bag = load_dags(dag_file)
        seconds = time.perf_counter() - t0
        if bag.import_errors or "c360_transform" not in bag.dags:
            raise SystemExit(f"import errors: {bag.import_errors}")
        return seconds

    if args.child:  # one fresh load: wall and CPU seconds
        cpu = time.process_time()
        wall = load()
        print(f"{wall} {time.process_time() - cpu}")
        return 0
    fresh = []
    for _ in range(args.runs):
        out = subprocess.run([sys.executable, __file__, "--child"], capture_output=True,
                             text=True, check=True).stdout.split()
        fresh.append((float(out[-2]), float(out[-1])))
    load()
    warm = [load() for _ in range(args.runs)]
    tasks = len(load_dags(dag_file).dags["c360_transform"].tasks)
    print("fresh loads (wall/cpu): " + ", ".join(f"{w:.2f}/{c:.2f}s" for w, c in fresh))
    print("warm loads: " + ", ".join(f"{t:.3f}s" for t in warm))
    print(f"median parse time of {dag_file} ({tasks} tasks): fresh process "
          f"{statistics.median(w for w, _ in fresh):.3f}s (CPU "
          f"{statistics.median(c for _, c in fresh):.3f}s), warm "
          f"{statistics.median(warm):.3f}s (target <= 0.5 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
