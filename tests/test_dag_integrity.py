"""Every DAG file imports cleanly under Airflow 3 and declares what operators of it rely on."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DAGS = ROOT / "dags"
DAG_FILES = sorted(p for p in DAGS.glob("*.py") if not p.name.startswith("_"))

# Airflow 2 habits that are gone or inert on Airflow 3 (ruff's AIR rules catch most as well).
AIRFLOW2_PATTERNS = (
    "airflow.decorators",
    "airflow.operators.",
    "airflow.sensors.",
    "schedule_interval",
    "sla_miss_callback",
    "sla=",
    "days_ago",
    "airflow.models.dag import",
    "from airflow import DAG",
)


def test_there_are_dag_files():
    assert DAG_FILES, f"no DAG files in {DAGS}"


def test_no_import_errors(dag_bag):
    assert not dag_bag.import_errors, "\n".join(
        f"{path}: {err}" for path, err in dag_bag.import_errors.items()
    )
    assert dag_bag.dags, "the dag folder defines no DAG"


@pytest.mark.parametrize("path", DAG_FILES, ids=lambda p: p.name)
def test_no_airflow2_apis(path):
    text = path.read_text(encoding="utf-8")
    found = [p for p in AIRFLOW2_PATTERNS if p in text]
    assert not found, f"{path.name} uses Airflow 2 APIs: {found}"


@pytest.mark.parametrize("path", DAG_FILES, ids=lambda p: p.name)
def test_every_dag_call_declares_a_schedule(path):
    """`schedule=` is explicit on every @dag/DAG(...) (Airflow 3's default None hides intent)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    calls = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and getattr(node.func, "id", getattr(node.func, "attr", None)) in {"dag", "DAG"}
    ]
    assert calls, f"{path.name} defines no DAG"
    for call in calls:
        assert any(k.arg == "schedule" for k in call.keywords), (
            f"{path.name}:{call.lineno} declares no schedule="
        )


def test_every_dag_has_tags_owner_retries_and_docs(dag_bag):
    problems = []
    for dag_id, dag in sorted(dag_bag.dags.items()):
        if not dag.tags:
            problems.append(f"{dag_id}: no tags")
        if not (dag.doc_md or "").strip():
            problems.append(f"{dag_id}: no doc_md")
        for t in dag.tasks:
            if t.owner in (None, "", "airflow"):
                problems.append(f"{dag_id}.{t.task_id}: owner is {t.owner!r}")
            # the transform's source-freshness tasks never retry: a stale source stays stale and
            # a Cosmos retry would re-judge it with `dbt source freshness` (watcher_mode.py)
            gate = type(t).__name__ == "DbtSourceWatcherOperator" and t.retries == 0
            if (t.retries or 0) < 2 and not gate:
                problems.append(f"{dag_id}.{t.task_id}: retries={t.retries} (< 2)")
    assert not problems, "\n".join(problems)
