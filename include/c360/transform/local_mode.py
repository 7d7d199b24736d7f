"""``local`` execution: one task group per layer (``staging``, ``intermediate``, ``marts``,
``features``, ``snapshot``), one ``dbt build --select <node>`` per model or snapshot, and one
freshness check task per source before its staging model(s), wired per dbt lineage.

Every dbt call pays dbt's start-up (~2x a plain build at scale 1.0 on DuckDB, where the tasks
queue on the one-slot pool); it is what ``dag.test()`` can run, and it retries node by node.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

from airflow.sdk import TaskGroup, task

from include.c360.transform.config import TransformConfig
from include.c360.transform.dbt_groups import DbtBuild, dbt_layer
from include.c360.transform.freshness import FreshnessSpec, check_source_freshness
from include.c360.transform.layers import LOCAL_LAYERS
from include.c360.transform.wiring import attach_assets


def freshness_checks(specs: list[FreshnessSpec], cfg: TransformConfig) -> dict[str, Any]:
    """One check task per source with an SLA, in a ``freshness`` group: {source unique_id: task}."""
    tasks: dict[str, Any] = {}
    with TaskGroup(group_id="freshness", tooltip="Source freshness vs the sources' SLAs"):
        for spec in specs:
            t = task(
                task_id=spec.task_id, **cfg.pool_args,
                doc_md=f"max({spec.loaded_at_field}) of `{spec.relation}`: warn after "
                       f"{spec.warn_after_hours} h, error after {spec.error_after_hours} h.",
            )(check_source_freshness)(spec=asdict(spec),
                                      enforce="{{ params.enforce_freshness }}")
            tasks[spec.unique_id] = t
    return tasks


def build_local(cfg: TransformConfig, manifest_path: Path, manifest: dict[str, Any],
                specs: list[FreshnessSpec]) -> DbtBuild:
    """The freshness checks and one per-node task group per layer (inside the DAG context)."""
    checks = freshness_checks(specs, cfg)
    groups = {layer.group_id: dbt_layer(layer, cfg, manifest_path) for layer in LOCAL_LAYERS}
    for group in groups.values():
        attach_assets(group, manifest)
    # scoring reads the feature tables only (built from every source's staging model)
    return DbtBuild(groups, feeds_ml=[groups["features"]], checks=checks)
