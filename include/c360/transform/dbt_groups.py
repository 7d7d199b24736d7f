"""How dbt nodes become Airflow tasks: the Cosmos configuration every dbt task group shares,
and a layer rendered as one ``dbt build --select <node>`` per model or snapshot (the ``local``
mode's layers, and the publish step in either mode).

Rendering reads the dbt manifest (``LoadMode.DBT_MANIFEST``: parsing the DAG never runs dbt);
dbt runs as a subprocess of the dbt virtualenv (``settings().dbt_executable``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from airflow.sdk import TaskGroup

from include.c360.config import settings
from include.c360.transform.config import AS_OF, FULL_REFRESH, TransformConfig
from include.c360.transform.layers import Layer

DBT_PROJECT_NAME = "customer360"


@dataclass
class DbtBuild:
    """What an execution mode renders of the dbt layers before scoring: its task groups by id,
    what ML scoring waits for, and its freshness check tasks by source (local mode only)."""

    groups: dict[str, Any]
    feeds_ml: list[Any]
    checks: dict[str, Any] = field(default_factory=dict)


def cosmos_configs(cfg: TransformConfig, manifest_path: Path, execution_mode: Any,
                   test_indirect_selection: Any) -> dict[str, Any]:
    """Project, profile and execution config of a DbtTaskGroup (Cosmos' ``ExecutionMode`` and
    ``TestIndirectSelection`` of the caller's mode)."""
    from cosmos import ExecutionConfig, InvocationMode, ProjectConfig

    from include.c360.warehouse.dbt_profiles import profile_config

    s = settings()
    project_config = ProjectConfig(
        dbt_project_path=s.dbt_project_dir, manifest_path=manifest_path,
        project_name=DBT_PROJECT_NAME, install_dbt_deps=False, partial_parse=True,
    )
    # Cosmos wraps the manifest in an ObjectStoragePath, whose first open loads every Airflow
    # plugin (Cosmos' own imports FastAPI): ~0.5 s of CPU in every fresh process that parses
    # this DAG (each task, each DAG-processor parse). The manifest is a local file.
    project_config.manifest_path = Path(manifest_path)
    return {
        "project_config": project_config,
        "profile_config": profile_config(cfg.target),
        "execution_config": ExecutionConfig(
            execution_mode=execution_mode, invocation_mode=InvocationMode.SUBPROCESS,
            dbt_executable_path=str(cfg.dbt_executable),
            test_indirect_selection=test_indirect_selection,
        ),
    }


def operator_args(cfg: TransformConfig) -> dict[str, Any]:
    """What every dbt task passes to dbt: the run's date, full refresh, no telemetry."""
    return {
        "vars": {"as_of_date": AS_OF},
        "full_refresh": FULL_REFRESH,
        "install_deps": False,
        "append_env": True,
        "env": {"DO_NOT_TRACK": "1", "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
    }


def dbt_layer(layer: Layer, cfg: TransformConfig, manifest_path: Path) -> Any:
    """One Cosmos DbtTaskGroup for a layer, one ``dbt build`` per node (the node and its tests,
    ``TestBehavior.BUILD``). Call inside the DAG context."""
    from cosmos import (
        DbtTaskGroup,
        ExecutionMode,
        LoadMode,
        RenderConfig,
        TestBehavior,
        TestIndirectSelection,
    )

    return DbtTaskGroup(
        group_id=layer.group_id,
        tooltip=layer.tooltip,
        render_config=RenderConfig(
            load_method=LoadMode.DBT_MANIFEST, select=list(layer.select),
            exclude=list(layer.exclude), test_behavior=TestBehavior.BUILD,
            emit_datasets=False,  # target-independent Assets are attached instead (wiring.py)
        ),
        operator_args={**operator_args(cfg), **cfg.pool_args},
        # a node's task runs only its own tests; a test with two parents runs with the model
        # it is defined on, after the other parent (wiring.attach_multi_parent_tests)
        **cosmos_configs(cfg, manifest_path, ExecutionMode.LOCAL,
                         TestIndirectSelection.CAUTIOUS),
    )


def tasks_of(task_or_group: Any) -> list[Any]:
    """The tasks Cosmos rendered for one node: itself, or its group's (e.g. run and test)."""
    if isinstance(task_or_group, TaskGroup):
        return list(task_or_group.children.values())
    return [task_or_group]
