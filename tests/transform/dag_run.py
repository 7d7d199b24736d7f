"""Run the transform DAG once with ``dag.test()`` in this process (started by the tests in a
subprocess with its own AIRFLOW_HOME and the world's environment).

    python -m tests.transform.dag_run <logical_date ISO> '<conf JSON>'
Prints one JSON line: {"state", "seconds", "tasks": {task_id: state}}.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import datetime
from pathlib import Path


def main(argv: list[str]) -> int:
    from airflow.dag_processing.dagbag import BundleDagBag

    dags = Path(__file__).resolve().parents[2] / "dags"
    bag = BundleDagBag(dag_folder=str(dags / "c360_transform.py"), bundle_path=dags,
                       bundle_name="dags-folder")
    if bag.import_errors:
        print(json.dumps({"import_errors": {k: str(v) for k, v in bag.import_errors.items()}}))
        return 2
    dag = bag.dags["c360_transform"]
    # Deadline Alerts are evaluated by a running scheduler only; dag.test() crashes after a
    # successful run of a DAG with one (apache/airflow#73428). The scheduler tests cover them.
    dag.deadline = None
    for t in dag.tasks:
        t.retries = 0  # a failure must show now, not after the production retry delay
    started = time.perf_counter()
    dr = dag.test(logical_date=datetime.fromisoformat(argv[0]),
                  run_conf=json.loads(argv[1]) if len(argv) > 1 else None)
    tis = {ti.task_id: str(ti.state) for ti in dr.get_task_instances()}
    print(json.dumps({"state": str(dr.state), "seconds": round(time.perf_counter() - started, 1),
                      "tasks": tis}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
