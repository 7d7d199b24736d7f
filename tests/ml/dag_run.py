"""Run a DAG holding only the ML TaskGroup with ``dag.test()``; invoked by
test_airflow_task_group.py in a subprocess with its own AIRFLOW_HOME and dags folder.

    python tests/ml/dag_run.py <dags folder> <dag_id> <logical date ISO>
Prints one JSON line: {"state", "tasks": {task_id: state}, "xcom": {task_id: return value}}.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path


def main(argv: list[str]) -> int:
    from airflow.dag_processing.dagbag import BundleDagBag

    folder, dag_id, when = Path(argv[0]), argv[1], argv[2]
    bag = BundleDagBag(dag_folder=str(folder), bundle_path=folder, bundle_name="dags-folder")
    if bag.import_errors:
        print(json.dumps({"import_errors": {k: str(v) for k, v in bag.import_errors.items()}}))
        return 2
    dag = bag.dags[dag_id]
    for t in dag.tasks:
        t.retries = 0
    run = dag.test(logical_date=datetime.fromisoformat(when))
    tis = run.get_task_instances()
    print(json.dumps({
        "state": str(run.state),
        "tasks": {ti.task_id: str(ti.state) for ti in tis},
        "xcom": {ti.task_id: ti.xcom_pull(task_ids=ti.task_id) for ti in tis},
    }, default=str), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
