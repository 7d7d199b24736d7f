"""Run DAGs with ``dag.test()`` in this process (tests invoke it in a subprocess with its own
AIRFLOW_HOME, so Airflow's configuration never leaks into other tests).

    python -m tests.dag_run [--dags DIR] [--file NAME] <dag_id> <run> [<dag_id> <run> ...]

``<run>`` is a logical date (ISO) or a JSON object ``{"logical_date": ..., "conf": {...}}``;
``--dags`` parses another folder than the project's ``dags/`` (a test's own DAG file), ``--file``
only one file of it (faster: the transform's runs parse ``c360_transform.py`` alone).
Prints one JSON line per run: {"dag_id", "state", "seconds", "tasks": {task_id: state},
"xcom": {task_id: return value}}.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import datetime
from pathlib import Path

from scripts.dag_bag import DAGS, load_dags


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dags", type=Path, default=DAGS)
    ap.add_argument("--file", default=None)
    ap.add_argument("runs", nargs="+", help="<dag_id> <run> pairs")
    args = ap.parse_args(argv)
    bag = load_dags(args.file, args.dags)
    if bag.import_errors:
        print(json.dumps({"import_errors": {k: str(v) for k, v in bag.import_errors.items()}}))
        return 2
    for dag_id, when in zip(args.runs[::2], args.runs[1::2], strict=True):
        dag = bag.dags[dag_id]
        # Deadline Alerts are evaluated by a running scheduler only; dag.test() crashes after a
        # successful run of a DAG with one (apache/airflow#73428). The scheduler tests cover them.
        dag.deadline = None
        for t in dag.tasks:
            t.retries = 0  # a failure must show now, not after the production retry delay
        run = json.loads(when) if when.startswith("{") else {"logical_date": when}
        started = time.perf_counter()
        dr = dag.test(
            logical_date=datetime.fromisoformat(run["logical_date"]),
            run_conf=run.get("conf"),
        )
        tis = dr.get_task_instances()
        print(json.dumps({
            "dag_id": dag_id,
            "state": str(dr.state),
            "seconds": round(time.perf_counter() - started, 1),
            "tasks": {ti.task_id: str(ti.state) for ti in tis},
            "xcom": {ti.task_id: ti.xcom_pull(task_ids=ti.task_id) for ti in tis},
        }, default=str), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
