"""The project's DAG files loaded as Airflow's DAG processor loads them.

    from scripts.dag_bag import load_dags
    bag = load_dags()                       # every file of dags/
    bag = load_dags("c360_transform.py")    # one file of it (what a task's process parses)

A ``BundleDagBag`` of the ``dags-folder`` bundle, whose path is the DAG folder (Airflow 3.3:
``DagBag(include_examples=False)`` raises and ``airflow.models.dagbag`` is deprecated). The
DAG integrity tests, the ``dag.test()`` runner of the tests and ``benchmarks/bench_parse.py``
load DAGs through it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

DAGS = Path(__file__).resolve().parents[1] / "dags"


def load_dags(dag_file: str | None = None, folder: Path = DAGS) -> Any:
    """The DAG bag of ``folder`` (default ``dags/``), or of one of its files."""
    from airflow.dag_processing.dagbag import BundleDagBag

    folder = Path(folder)
    return BundleDagBag(dag_folder=str(folder / dag_file if dag_file else folder),
                        bundle_path=folder, bundle_name="dags-folder")
