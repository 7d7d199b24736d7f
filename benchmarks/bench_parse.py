"""How long Airflow's DAG processor takes to load the transform DAG file.

    PYTHONPATH=. .venv/bin/python benchmarks/bench_parse.py [--runs 7]

Loads ``dags/c360_transform.py`` with Airflow's own ``BundleDagBag`` (what the DAG processor
uses) ``--runs`` times in one process, after one warm-up load (imports of Airflow/Cosmos are
paid once per DAG-processor process, as in production), and prints each time and the median.
Target: median <= 0.5 s. Needs the dbt manifest (``make dbt-manifest``).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    os.environ.setdefault("AIRFLOW_HOME", tempfile.mkdtemp(prefix="bench_parse_"))
    os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    sys.path.insert(0, str(REPO))
    import logging

    logging.disable(logging.INFO)
    from airflow.dag_processing.dagbag import BundleDagBag

    dags = REPO / "dags"
    dag_file = dags / "c360_transform.py"

    def load() -> float:
        t0 = time.perf_counter()
        bag = BundleDagBag(dag_folder=str(dag_file), bundle_path=dags, bundle_name="dags-folder")
        seconds = time.perf_counter() - t0
        if bag.import_errors or "c360_transform" not in bag.dags:
            raise SystemExit(f"import errors: {bag.import_errors}")
        return seconds

    t0 = time.perf_counter()
    load()
    first = time.perf_counter() - t0
    times = [load() for _ in range(args.runs)]
    tasks = len(BundleDagBag(dag_folder=str(dag_file), bundle_path=dags,
                             bundle_name="dags-folder").dags["c360_transform"].tasks)
    print(f"first load (cold imports of Airflow/Cosmos/providers): {first:.2f}s")
    print("loads: " + ", ".join(f"{t:.3f}s" for t in times))
    print(f"median parse time of {dag_file.name} ({tasks} tasks): "
          f"{statistics.median(times):.3f}s (target <= 0.5 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
