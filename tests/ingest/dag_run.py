"""Run one DAG with ``dag.test()`` in this process (invoked by test_dags.py in a subprocess
with its own AIRFLOW_HOME, so Airflow's configuration never leaks into other tests).

    python -m tests.ingest.dag_run <dag_id> <logical_date ISO> [<dag_id> <date> ...]
Prints one JSON line per run: {"dag_id", "state", "tasks": {task_id: state}}.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path


def main(argv: list[str]) -> int:
    from airflow.dag_processing.dagbag import BundleDagBag

    dags = Path(__file__).resolve().parents[2] / "dags"
    bag = BundleDagBag(dag_folder=str(dags), bundle_path=dags, bundle_name="dags-folder")
    if bag.import_errors:
        print(json.dumps({"import_errors": {k: str(v) for k, v in bag.import_errors.items()}}))
        return 2
    for dag_id, when in zip(argv[::2], argv[1::2], strict=True):
        dag = bag.dags[dag_id]
        for t in dag.tasks:
            t.retries = 0  # a failure must show now, not after the production retry delay
        dr = dag.test(logical_date=datetime.fromisoformat(when))
        tis = {ti.task_id: str(ti.state) for ti in dr.get_task_instances()}
        print(json.dumps({"dag_id": dag_id, "state": str(dr.state), "tasks": tis}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
