"""``watcher`` execution (the default): Cosmos ``ExecutionMode.WATCHER``.

ONE ``dbt build`` (the producer task ``dbt.dbt_producer_watcher``) builds every layer but the
publication, as fast as a plain ``dbt build``; a sensor per model, per model's tests and per
source reports its progress, in one task group per dbt folder (``dbt.models.staging``,
``dbt.models.intermediate``, ``dbt.models.marts``, ``dbt.models.features``, ``dbt.snapshots``,
with the source systems' sub-folders). Before building, the producer checks every source's
freshness (``freshness_gate``): an error-level breach fails that source's task and excludes
``source:<name>+`` from the build (its lineage); a failing test fails its sensor and dbt skips
what is built from the model. The sensors start in the triggerer (``watcher.py``): a running
scheduler and triggerer are needed, ``airflow dags test`` cannot run it.
"""

from __future__ import annotations

import contextlib
import functools
import logging
from pathlib import Path
from typing import Any

from include.c360.transform.config import TransformConfig
from include.c360.transform.dbt_groups import DbtBuild, cosmos_configs, operator_args, tasks_of
from include.c360.transform.freshness import (
    FreshnessSpec,
    assess_source_freshness,
    is_enforced,
    stops_lineage,
)
from include.c360.transform.layers import WATCHER_BUILD
from include.c360.transform.wiring import attach_assets

log = logging.getLogger(__name__)

WATCHER_POKE_SECONDS = 5


def build_watcher(cfg: TransformConfig, manifest_path: Path, manifest: dict[str, Any],
                  specs: list[FreshnessSpec]) -> DbtBuild:
    """The one-build task group, its Assets, its sensors in the triggerer (in the DAG context)."""
    group = dbt_watcher_build(cfg, manifest_path, manifest, specs)
    attach_assets(group, manifest)
    _start_sensors_in_triggerer(group)  # after the outlets: a sensor with one ends on a worker
    # scoring reads the feature tables only (built from every source's staging model)
    return DbtBuild({WATCHER_BUILD.group_id: group},
                    feeds_ml=[_subgroup(group, "models", "features")])


@contextlib.contextmanager
def _folder_task_groups() -> Any:
    """Cosmos keys folder task groups by the bare folder name unless its hierarchical naming is
    on: ``intermediate/customers`` and ``marts/customers`` would collapse into one group."""
    from cosmos import settings as cosmos_settings

    before = cosmos_settings.enable_hierarchical_naming_for_group_nodes_by_folder
    cosmos_settings.enable_hierarchical_naming_for_group_nodes_by_folder = True
    try:
        yield
    finally:
        cosmos_settings.enable_hierarchical_naming_for_group_nodes_by_folder = before


def freshness_gate(context: Any, specs: tuple[FreshnessSpec, ...]) -> None:
    """The dbt producer's ``pre_execute``, before its ``dbt build``.

    Checks every source (and reports breaches) at the run's reference time, publishes each
    status where the source's sensor task reads it (``error`` fails that task, so the lineage
    downstream of it in Airflow is ``upstream_failed``; ``warn`` passes) and excludes
    ``source:<name>+`` of every enforced error from the build.
    """
    from cosmos.operators._watcher.state import get_status_xcom_key

    enforced = is_enforced((context.get("params") or {}).get("enforce_freshness", True))
    stale = []
    for spec in specs:
        result = assess_source_freshness(spec, enforced, context)
        stops = stops_lineage(result)
        shown = "error" if stops else result["status"].replace("error", "warn")
        context["ti"].xcom_push(key=get_status_xcom_key(spec.unique_id),
                                value={"status": shown, "outlet_uris": []})
        if stops:
            stale.append(f"source:{result['dbt_source']}+")
    if stale:
        producer = context["task"]
        producer.exclude = " ".join(x for x in (producer.exclude, *stale) if x)
        log.error("stale sources: %s are not built (exclude %s)", stale, producer.exclude)


def dbt_watcher_build(cfg: TransformConfig, manifest_path: Path, manifest: dict[str, Any],
                      specs: list[FreshnessSpec]) -> Any:
    """One Cosmos DbtTaskGroup ``dbt`` whose producer runs ONE ``dbt build`` of every layer but
    the publication; sensors per model, tests and source, grouped by folder.
    """
    from cosmos import (
        DbtTaskGroup,
        ExecutionMode,
        LoadMode,
        RenderConfig,
        SourceRenderingBehavior,
        TestBehavior,
        TestIndirectSelection,
    )

    layer = WATCHER_BUILD
    checked = {spec.unique_id for spec in specs}
    # sources without an SLA (the ML score tables) get no task, nor an empty folder group
    unchecked = sorted(f"source:{n['source_name']}.{n['name']}"
                       for uid, n in manifest["sources"].items() if uid not in checked)
    configs = cosmos_configs(cfg, manifest_path, ExecutionMode.WATCHER,
                             TestIndirectSelection.EAGER)
    # only the producer opens the warehouse; the sensors read its XComs
    configs["execution_config"].setup_operator_args = {
        **cfg.pool_args, "pre_execute": functools.partial(freshness_gate, specs=tuple(specs))}
    with _folder_task_groups():
        group = DbtTaskGroup(
            group_id=layer.group_id,
            tooltip=layer.tooltip,
            render_config=RenderConfig(
                load_method=LoadMode.DBT_MANIFEST, select=list(layer.select),
                exclude=[*layer.exclude, *unchecked],
                # the producer's one build runs every test; a sensor per model reports them
                test_behavior=TestBehavior.AFTER_EACH, group_nodes_by_folder=True,
                # a task per source with an SLA, fed by freshness_gate
                source_rendering_behavior=SourceRenderingBehavior.WITH_TESTS_OR_FRESHNESS,
                emit_datasets=False,
            ),
            operator_args=operator_args(cfg),
            **configs,
        )
    _adapt_watcher_tasks(group, manifest, checked)
    return group


def _adapt_watcher_tasks(group: Any, manifest: dict[str, Any], checked: set[str]) -> None:
    """The producer: no Cosmos freshness pre-check, tests per model = the model's own; the
    source tasks: no retry, no failure e-mail."""
    from cosmos.operators.watcher import DbtProducerWatcherOperator, DbtSourceWatcherOperator

    for node_id, task_or_group in group.tasks_map.items():
        for t in tasks_of(task_or_group):
            if isinstance(t, DbtProducerWatcherOperator):
                # freshness_gate replaces Cosmos' `dbt source freshness` pre-check (which judges
                # against the wall clock, not the run's date, and costs one more dbt call)
                t._check_source_freshness = False
                t.tests_per_model = _own_tests(t.tests_per_model, manifest)
            elif isinstance(t, DbtSourceWatcherOperator):
                if node_id not in checked:
                    raise ValueError(f"{node_id} is rendered but has no freshness SLA to check")
                # a retry would run `dbt source freshness`; a stale source stays stale
                t.retries = 0
                # it fails for a freshness error (the gate e-mailed it) or a failed producer
                # (whose own failure e-mail says why): no second e-mail
                t.on_failure_callback = []


def _start_sensors_in_triggerer(group: Any) -> None:
    """Every sensor of the watcher group starts in the triggerer, polling every 5 s (Cosmos:
    10 s), no worker until its node is done (include/c360/transform/watcher.py). After the
    outlets are attached."""
    from include.c360.transform.watcher import start_in_triggerer

    for task_or_group in group.tasks_map.values():
        for t in tasks_of(task_or_group):
            if hasattr(t, "producer_task_id") and hasattr(t, "poke_interval"):
                t.poke_interval = WATCHER_POKE_SECONDS
                start_in_triggerer(t)


def _own_tests(tests_per_model: dict[str, list[str]], manifest: dict[str, Any]
               ) -> dict[str, list[str]]:
    """The tests a model's test sensor waits for: the ones defined on that model.

    Cosmos lists a test under every model it reads, so ``dim_customers``' sensor would wait for
    the relationships tests of every model pointing at it (built at the end of the run, or,
    for ``fct_customer_value``, not in this build at all: the sensor would never finish). A
    test with several parents belongs to the model it is defined on (``attached_node``), as in
    ``local`` mode.
    """
    own: dict[str, list[str]] = {}
    for model_id, test_ids in tests_per_model.items():
        own[model_id] = [
            t for t in test_ids
            if (manifest["nodes"].get(t, {}).get("attached_node") or model_id) == model_id]
    return own


def _subgroup(group: Any, *path: str) -> Any:
    """A nested task group by its folder path, e.g. ``_subgroup(g, "models", "features")``."""
    for part in path:
        group = group.children[f"{group.group_id}.{part}"]
    return group
